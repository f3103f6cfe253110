// An op of a dialect the lowering does not know.
func.func @main(%x: tensor<4xf32> {dfg.name = "x"}) -> (tensor<4xf32> {dfg.name = "y"}) {
  %y = "foreign.op"(%x) : (tensor<4xf32>) -> tensor<4xf32> loc("odd")
  func.return %y : tensor<4xf32>
}
