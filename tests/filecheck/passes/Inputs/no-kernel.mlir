// A 4-D convolution, which no kernel computes.
func.func @main(%x: tensor<1x1x2x2x2x2xf32> {dfg.name = "x"}) -> (tensor<1x1x2x2x2x2xf32> {dfg.name = "y"}) {
  %w = dfg.constant dense<1.0> : tensor<1x1x1x1x1x1xf32>
  %y = dfg.conv %x, %w : (tensor<1x1x2x2x2x2xf32>, tensor<1x1x1x1x1x1xf32>) -> tensor<1x1x2x2x2x2xf32> loc("conv4d")
  func.return %y : tensor<1x1x2x2x2x2xf32>
}
