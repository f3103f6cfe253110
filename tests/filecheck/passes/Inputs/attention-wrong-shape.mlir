// fuse-attention verifies its input first: an Attention whose result has another shape than ONNX gives.

func.func @main(%q: tensor<1x4x8x16xf32>) -> tensor<1x4x8x8xf32> {
  %y = dfg.attention %q, %q, %q : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}
