// ramiel-opt -p convert-dfg-to-pyemit -t python
func.func @main(%x: tensor<2xf32> {dfg.name = "x"}) -> (tensor<2xf32> {dfg.name = "y"}) {
  %y = dfg.relu %a : (tensor<2xf32>) -> tensor<2xf32>
  %a = dfg.abs %x : (tensor<2xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
