// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the convolution variants; the diagnostic names
// the rule and points at the op.

// Each kernel tap of each offset group has an offset per spatial axis: 1 * 4 * 2 = 8 channels.
func.func @deform_conv_offset(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x2x2xf32>, %offset: tensor<1x4x4x4xf32>) {
  %y = dfg.deform_conv %x, %w, %offset : (tensor<1x2x5x5xf32>, tensor<3x2x2x2xf32>, tensor<1x4x4x4xf32>) -> tensor<1x3x4x4xf32>
  func.return
}
// CHECK: invalid-conv_variants.mlir:8:3
// CHECK-NEXT: %y = dfg.deform_conv %x, %w, %offset
// CHECK: 'dfg.deform_conv' op offset has shape 1x4x4x4, not 1x8x4x4

// -----

func.func @deform_conv_offset_groups(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x2x2xf32>, %offset: tensor<1x24x4x4xf32>) {
  %y = dfg.deform_conv %x, %w, %offset {offset_group = 3 : i64} : (tensor<1x2x5x5xf32>, tensor<3x2x2x2xf32>, tensor<1x24x4x4xf32>) -> tensor<1x3x4x4xf32>
  func.return
}
// CHECK: 'dfg.deform_conv' op 3 offset groups do not split the 2 input channels

// -----

func.func @deform_conv_mask(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x2x2xf32>, %offset: tensor<1x8x4x4xf32>, %mask: tensor<1x8x4x4xf32>) {
  %y = dfg.deform_conv %x, %w, %offset, _, %mask : (tensor<1x2x5x5xf32>, tensor<3x2x2x2xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x3x4x4xf32>
  func.return
}
// CHECK: 'dfg.deform_conv' op mask has shape 1x8x4x4, not 1x4x4x4

// -----

// ONNX's shape inference checks CausalConvWithState's shapes: the state holds
// kernel size - 1 positions.
func.func @causal_conv_state(%x: tensor<1x4x6xf32>, %w: tensor<4x1x3xf32>, %past: tensor<1x4x3xf32>) {
  %y, %s = dfg.causal_conv_with_state %x, %w, _, %past : (tensor<1x4x6xf32>, tensor<4x1x3xf32>, tensor<1x4x3xf32>) -> (tensor<1x4x6xf32>, tensor<1x4x2xf32>)
  func.return
}
// CHECK: 'dfg.causal_conv_with_state' op invalid CausalConvWithState: [ShapeInferenceError] Dimension mismatch in unification between 2 and 3

// -----

func.func @causal_conv_activation(%x: tensor<1x4x6xf32>, %w: tensor<4x1x3xf32>) {
  %y, %s = dfg.causal_conv_with_state %x, %w {activation = "relu"} : (tensor<1x4x6xf32>, tensor<4x1x3xf32>) -> (tensor<1x4x6xf32>, tensor<1x4x2xf32>)
  func.return
}
// CHECK: 'dfg.causal_conv_with_state' op attribute 'activation' of CausalConvWithState must be one of 'none', 'silu', 'swish', not 'relu'
