// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the ops the lowering passes write: the extension
// ops, and `inplace` marks; the diagnostic names the rule.

func.func @fused_asymmetric(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = dfg.fused_conv %x, %w {pads = array<i64: 0, 0, 1, 1>, activation = "relu"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  func.return
}
// CHECK: 'dfg.fused_conv' op a fused convolution is a 2-D float32 convolution with symmetric pads

// -----

func.func @fused_1d(%x: tensor<1x4x8xf32>, %w: tensor<4x4x3xf32>) {
  %y = dfg.fused_conv %x, %w : (tensor<1x4x8xf32>, tensor<4x4x3xf32>) -> tensor<1x4x6xf32>
  func.return
}
// CHECK: 'dfg.fused_conv' op a fused convolution is a 2-D float32 convolution with symmetric pads

// -----

func.func @fused_activation(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = dfg.fused_conv %x, %w {activation = "gelu"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: attribute 'activation' of Conv must be one of 'none', 'relu', 'hardtanh', not 'gelu'

// -----

func.func @fused_scalars(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = dfg.fused_conv %x, %w {activation = "hardtanh", activation_scalars = array<f64: 6.0>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: activation 'hardtanh' takes 2 scalars, not 1

// -----

func.func @fused_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = dfg.fused_conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: input has 3 channels, but the weight expects 4 x 1 (group)

// -----

func.func @prepack_reader(%x: tensor<1x4x8x8xf32>) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %p = dfg.prepack_conv2d %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 8, 8>} : tensor<4x4x3x3xf32>
  %y = dfg.conv %x, %p : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: 'dfg.prepack_conv2d' op a prepacked weight is read only as the weight of dfg.fused_conv, not by dfg.conv

// -----

func.func @prepack_mismatch(%x: tensor<1x4x8x8xf32>) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %p = dfg.prepack_conv2d %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 16, 16>} : tensor<4x4x3x3xf32>
  %y = dfg.fused_conv %x, %p : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: 'dfg.prepack_conv2d' op the prepacked weight's properties are not those of the convolution reading it

// -----

func.func @prepack_rank(%w: tensor<4x4x3xf32>) {
  %p = dfg.prepack_conv2d %w {strides = array<i64: 1>, pads = array<i64: 0>, dilations = array<i64: 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 8>} : tensor<4x4x3xf32>
  func.return
}
// CHECK: 'dfg.prepack_conv2d' op a prepacked weight is 4-D, for 4-D inputs

// -----

func.func @format_name(%x: tensor<1x4x8x8xf32>) {
  %y = dfg.memory_format %x {format = "nhwc"} : tensor<1x4x8x8xf32>
  func.return
}
// CHECK: 'dfg.memory_format' op format must be one of 'channels_last', 'contiguous', not 'nhwc'

// -----

func.func @format_rank(%x: tensor<4x8xf32>) {
  %y = dfg.memory_format %x {format = "channels_last"} : tensor<4x8xf32>
  func.return
}
// CHECK: 'dfg.memory_format' op memory formats are for 4-D tensors, not tensor<4x8xf32>

// -----

func.func @inplace_kernel(%x: tensor<4xf32>) {
  %y = dfg.exp %x {inplace} : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}
// CHECK: 'dfg.exp' op 'inplace' on dfg.exp, which has no in-place kernel for these types

// -----

func.func @inplace_broadcast(%x: tensor<4xf32>, %y: tensor<2x4xf32>) {
  %z = dfg.add %x, %y {inplace} : (tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: 'dfg.add' op 'inplace' on dfg.add, which has no in-place kernel for these types

// -----

func.func @inplace_unit(%x: tensor<4xf32>) {
  %y = dfg.relu %x {inplace = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}
// CHECK: 'dfg.relu' op 'inplace' is a unit attribute
