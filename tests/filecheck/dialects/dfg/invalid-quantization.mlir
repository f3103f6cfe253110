// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the quantization ops; the diagnostic names the
// rule and points at the op.

func.func @zero_point_shape(%x: tensor<4x6xf32>, %s: tensor<4xf32>, %z: tensor<6xi8>) {
  %y = dfg.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4x6xf32>, tensor<4xf32>, tensor<6xi8>) -> tensor<4x6xi8>
  func.return
}
// CHECK: invalid-quantization.mlir:7:3
// CHECK-NEXT: %y = dfg.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4x6xf32>, tensor<4xf32>, tensor<6xi8>) -> tensor<4x6xi8>
// CHECK: 'dfg.quantize_linear' op zero point of shape 6 differs from the scale's 4

// -----

func.func @scale_along_axis(%x: tensor<4x6xf32>, %s: tensor<4xf32>) {
  %y = dfg.quantize_linear %x, %s : (tensor<4x6xf32>, tensor<4xf32>) -> tensor<4x6xui8>
  func.return
}
// CHECK: 'dfg.quantize_linear' op scale of shape 4 is neither one element nor 6 values along axis 1

// -----

func.func @axis_range(%x: tensor<4x6xi8>, %s: tensor<4xf32>) {
  %y = dfg.dequantize_linear %x, %s {axis = 2 : i64} : (tensor<4x6xi8>, tensor<4xf32>) -> tensor<4x6xf32>
  func.return
}
// CHECK: 'dfg.dequantize_linear' op axis 2 is out of range for rank 2

// -----

func.func @blocks(%x: tensor<4x6xi8>, %s: tensor<4x2xf32>) {
  %y = dfg.dequantize_linear %x, %s {block_size = 2 : i64} : (tensor<4x6xi8>, tensor<4x2xf32>) -> tensor<4x6xf32>
  func.return
}
// CHECK: 'dfg.dequantize_linear' op scale of shape 4x2 does not hold blocks of 2 along axis 1 of 4x6 (4x3)

// -----

func.func @block_size(%x: tensor<4x6xi8>, %s: tensor<4x3xf32>) {
  %y = dfg.dequantize_linear %x, %s {block_size = -2 : i64} : (tensor<4x6xi8>, tensor<4x3xf32>) -> tensor<4x6xf32>
  func.return
}
// CHECK: 'dfg.dequantize_linear' op attribute 'block_size' of DequantizeLinear must be at least 0, not -2

// -----

// The zero point's type is the result's.
func.func @result_type(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<ui8>) {
  %y = dfg.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xi8>
  func.return
}
// CHECK: 'dfg.quantize_linear' op all values of type 'T3' must have one element type, got ui8 and i8

// -----

func.func @per_tensor_input(%x: tensor<1x3x8x8xui8>, %s: tensor<f32>, %sx: tensor<3xf32>, %z: tensor<ui8>, %w: tensor<4x3x3x3xi8>, %zw: tensor<i8>) {
  %y = dfg.qlinear_conv %x, %sx, %z, %w, %s, %zw, %s, %z : (tensor<1x3x8x8xui8>, tensor<3xf32>, tensor<ui8>, tensor<4x3x3x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x6x6xui8>
  func.return
}
// CHECK: 'dfg.qlinear_conv' op x_scale of shape 3 is not one element

// -----

func.func @per_channel_weight(%x: tensor<1x3x8x8xui8>, %w: tensor<4x3x3x3xi8>, %zw: tensor<3xi8>) {
  %y = dfg.conv_integer %x, %w, _, %zw : (tensor<1x3x8x8xui8>, tensor<4x3x3x3xi8>, tensor<3xi8>) -> tensor<1x4x6x6xi32>
  func.return
}
// CHECK: 'dfg.conv_integer' op w_zero_point of shape 3 is neither one element nor 4 values (one per output channel)

// -----

func.func @conv_channels(%x: tensor<1x2x8x8xui8>, %w: tensor<4x3x3x3xi8>) {
  %y = dfg.conv_integer %x, %w : (tensor<1x2x8x8xui8>, tensor<4x3x3x3xi8>) -> tensor<1x4x6x6xi32>
  func.return
}
// CHECK: 'dfg.conv_integer' op input has 2 channels, but the weight expects 3 x 1 (group)

// -----

func.func @per_row(%a: tensor<2x4xui8>, %b: tensor<4x3xui8>, %za: tensor<4xui8>) {
  %y = dfg.mat_mul_integer %a, %b, %za : (tensor<2x4xui8>, tensor<4x3xui8>, tensor<4xui8>) -> tensor<2x3xi32>
  func.return
}
// CHECK: 'dfg.mat_mul_integer' op a_zero_point of shape 4 does not hold one value per row of 2x4

// -----

func.func @per_column(%a: tensor<2x4xui8>, %s: tensor<f32>, %z: tensor<ui8>, %b: tensor<4x3xui8>, %sb: tensor<4x1xf32>) {
  %y = dfg.qlinear_mat_mul %a, %s, %z, %b, %sb, %z, %s, %z : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x3xui8>, tensor<4x1xf32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  func.return
}
// CHECK: 'dfg.qlinear_mat_mul' op b_scale of shape 4x1 does not broadcast to 4x3 with one value per column
