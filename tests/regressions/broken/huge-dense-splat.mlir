// ramiel-opt
%c = dfg.constant dense<1> : tensor<9223372036854775808xi64>
