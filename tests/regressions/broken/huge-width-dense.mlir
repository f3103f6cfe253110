// ramiel-opt
%c = dfg.constant dense<[0, 2]> : tensor<2xi2147483648>
