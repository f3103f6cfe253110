// ramiel-opt
%c = dfg.constant dense<[2, 0]> : tensor<2xi1>
