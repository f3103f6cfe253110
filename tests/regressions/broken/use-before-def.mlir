// ramiel-opt -p 'cluster{heuristic=cp workers=2 cost=static}'
func.func @main(%x: tensor<2xf32> {dfg.name = "x"}) -> (tensor<2xf32> {dfg.name = "y"}) {
  %y = dfg.relu %a : (tensor<2xf32>) -> tensor<2xf32>
  %a = dfg.abs %x : (tensor<2xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
