// fuse-normalization verifies its input first: a LayerNormalization whose scale does not fit the normalized axes.

func.func @main(%x: tensor<1x4x8xf32>, %scale: tensor<4xf32>) -> tensor<1x4x8xf32> {
  %y = dfg.layer_normalization %x, %scale : (tensor<1x4x8xf32>, tensor<4xf32>) -> tensor<1x4x8xf32>
  func.return %y : tensor<1x4x8xf32>
}
