// Some ops have a stream and one has none: a schedule cannot be half there.
func.func @main(%x: tensor<4xf32> {dfg.name = "x"}) -> (tensor<4xf32> {dfg.name = "y"}) {
  %r = dfg.relu %x {stream = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %n = dfg.neg %r : (tensor<4xf32>) -> tensor<4xf32> loc("neg")
  func.return %n : tensor<4xf32>
}
