// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The quantization ops in their custom syntax, in QDQ and QOperator form. The
// module must print back as written, also after a trip through the generic form.

// CHECK-LABEL: func.func @qdq
// GENERIC-LABEL: "func.func"() <{sym_name = "qdq"
func.func @qdq(%x: tensor<4x6xf32>, %s: tensor<f32>, %z: tensor<i8>, %sa: tensor<4xf32>, %za: tensor<4xui8>, %sb: tensor<4x3xf32>, %zb: tensor<4x3xi8>) {
  // CHECK-NEXT: %0 = dfg.quantize_linear %x, %s, %z : (tensor<4x6xf32>, tensor<f32>, tensor<i8>) -> tensor<4x6xi8>
  // CHECK-NEXT: %1 = dfg.quantize_linear %x, %s : (tensor<4x6xf32>, tensor<f32>) -> tensor<4x6xui8>
  // CHECK-NEXT: %2 = dfg.quantize_linear %x, %sa, %za {axis = 0 : i64} : (tensor<4x6xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<4x6xui8>
  // CHECK-NEXT: %3 = dfg.quantize_linear %x, %sb, %zb {block_size = 2 : i64} : (tensor<4x6xf32>, tensor<4x3xf32>, tensor<4x3xi8>) -> tensor<4x6xi8>
  // CHECK-NEXT: %4 = dfg.quantize_linear %x, %s {output_dtype = 3 : i64, precision = 10 : i64} : (tensor<4x6xf32>, tensor<f32>) -> tensor<4x6xi8>
  // CHECK-NEXT: %5 = dfg.dequantize_linear %0, %s, %z : (tensor<4x6xi8>, tensor<f32>, tensor<i8>) -> tensor<4x6xf32>
  // CHECK-NEXT: %6 = dfg.dequantize_linear %2, %sa, %za {axis = 0 : i64} : (tensor<4x6xui8>, tensor<4xf32>, tensor<4xui8>) -> tensor<4x6xf32>
  // CHECK-NEXT: %7 = dfg.dequantize_linear %3, %sb, %zb {block_size = 2 : i64} : (tensor<4x6xi8>, tensor<4x3xf32>, tensor<4x3xi8>) -> tensor<4x6xf32>
  // CHECK-NEXT: %8 = dfg.dequantize_linear %0, %s {output_dtype = 10 : i64} : (tensor<4x6xi8>, tensor<f32>) -> tensor<4x6xf16>
  // CHECK-NEXT: %9, %10, %11 = dfg.dynamic_quantize_linear %x : (tensor<4x6xf32>) -> (tensor<4x6xui8>, tensor<f32>, tensor<ui8>)
  // The generic form holds every property, defaults included, in any order.
  // GENERIC: "dfg.quantize_linear"(%x, %s, %z) <{{.*}}block_size = 0 : i64{{.*}}}> : (tensor<4x6xf32>, tensor<f32>, tensor<i8>) -> tensor<4x6xi8>
  // GENERIC: "dfg.dynamic_quantize_linear"(%x) : (tensor<4x6xf32>) -> (tensor<4x6xui8>, tensor<f32>, tensor<ui8>)
  // Defaults are not printed.
  %0 = dfg.quantize_linear %x, %s, %z {axis = 1 : i64, saturate = 1 : i64} : (tensor<4x6xf32>, tensor<f32>, tensor<i8>) -> tensor<4x6xi8>
  %1 = dfg.quantize_linear %x, %s : (tensor<4x6xf32>, tensor<f32>) -> tensor<4x6xui8>
  %2 = dfg.quantize_linear %x, %sa, %za {axis = 0 : i64} : (tensor<4x6xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<4x6xui8>
  %3 = dfg.quantize_linear %x, %sb, %zb {block_size = 2 : i64} : (tensor<4x6xf32>, tensor<4x3xf32>, tensor<4x3xi8>) -> tensor<4x6xi8>
  %4 = dfg.quantize_linear %x, %s {output_dtype = 3 : i64, precision = 10 : i64} : (tensor<4x6xf32>, tensor<f32>) -> tensor<4x6xi8>
  %5 = dfg.dequantize_linear %0, %s, %z : (tensor<4x6xi8>, tensor<f32>, tensor<i8>) -> tensor<4x6xf32>
  %6 = dfg.dequantize_linear %2, %sa, %za {axis = 0 : i64} : (tensor<4x6xui8>, tensor<4xf32>, tensor<4xui8>) -> tensor<4x6xf32>
  %7 = dfg.dequantize_linear %3, %sb, %zb {block_size = 2 : i64} : (tensor<4x6xi8>, tensor<4x3xf32>, tensor<4x3xi8>) -> tensor<4x6xf32>
  %8 = dfg.dequantize_linear %0, %s {output_dtype = 10 : i64} : (tensor<4x6xi8>, tensor<f32>) -> tensor<4x6xf16>
  %9, %10, %11 = dfg.dynamic_quantize_linear %x : (tensor<4x6xf32>) -> (tensor<4x6xui8>, tensor<f32>, tensor<ui8>)
  func.return
}

// CHECK-LABEL: func.func @qoperator
func.func @qoperator(%x: tensor<1x3x8x8xui8>, %s: tensor<f32>, %z: tensor<ui8>, %w: tensor<4x3x3x3xi8>, %sw: tensor<4xf32>, %zw: tensor<4xi8>, %b: tensor<4xi32>, %a: tensor<2x4xui8>, %m: tensor<4x3xui8>) {
  // CHECK-NEXT: %0 = dfg.qlinear_conv %x, %s, %z, %w, %sw, %zw, %s, %z, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xui8>, tensor<f32>, tensor<ui8>, tensor<4x3x3x3xi8>, tensor<4xf32>, tensor<4xi8>, tensor<f32>, tensor<ui8>, tensor<4xi32>) -> tensor<1x4x8x8xui8>
  // CHECK-NEXT: %1 = dfg.qlinear_conv %x, %s, %z, %w, %sw, %zw, %s, %z {strides = array<i64: 2, 2>} : (tensor<1x3x8x8xui8>, tensor<f32>, tensor<ui8>, tensor<4x3x3x3xi8>, tensor<4xf32>, tensor<4xi8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x3x3xui8>
  // CHECK-NEXT: %2 = dfg.conv_integer %x, %w, %z : (tensor<1x3x8x8xui8>, tensor<4x3x3x3xi8>, tensor<ui8>) -> tensor<1x4x6x6xi32>
  // CHECK-NEXT: %3 = dfg.conv_integer %x, %w, _, %zw {auto_pad = "SAME_UPPER"} : (tensor<1x3x8x8xui8>, tensor<4x3x3x3xi8>, tensor<4xi8>) -> tensor<1x4x8x8xi32>
  // CHECK-NEXT: %4 = dfg.qlinear_mat_mul %a, %s, %z, %m, %s, %z, %s, %z : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x3xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  // CHECK-NEXT: %5 = dfg.mat_mul_integer %a, %m, %z, %z : (tensor<2x4xui8>, tensor<4x3xui8>, tensor<ui8>, tensor<ui8>) -> tensor<2x3xi32>
  // GENERIC: "dfg.qlinear_conv"(%x, %s, %z, %w, %sw, %zw, %s, %z, %b)
  // GENERIC: "dfg.conv_integer"(%x, %w, %zw) <{{.*}}operandSegmentSizes = array<i32: 1, 1, 0, 1>
  %0 = dfg.qlinear_conv %x, %s, %z, %w, %sw, %zw, %s, %z, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xui8>, tensor<f32>, tensor<ui8>, tensor<4x3x3x3xi8>, tensor<4xf32>, tensor<4xi8>, tensor<f32>, tensor<ui8>, tensor<4xi32>) -> tensor<1x4x8x8xui8>
  %1 = dfg.qlinear_conv %x, %s, %z, %w, %sw, %zw, %s, %z {strides = array<i64: 2, 2>} : (tensor<1x3x8x8xui8>, tensor<f32>, tensor<ui8>, tensor<4x3x3x3xi8>, tensor<4xf32>, tensor<4xi8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x3x3xui8>
  %2 = dfg.conv_integer %x, %w, %z : (tensor<1x3x8x8xui8>, tensor<4x3x3x3xi8>, tensor<ui8>) -> tensor<1x4x6x6xi32>
  %3 = dfg.conv_integer %x, %w, _, %zw {auto_pad = "SAME_UPPER"} : (tensor<1x3x8x8xui8>, tensor<4x3x3x3xi8>, tensor<4xi8>) -> tensor<1x4x8x8xi32>
  %4 = dfg.qlinear_mat_mul %a, %s, %z, %m, %s, %z, %s, %z : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x3xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  %5 = dfg.mat_mul_integer %a, %m, %z, %z : (tensor<2x4xui8>, tensor<4x3xui8>, tensor<ui8>, tensor<ui8>) -> tensor<2x3xi32>
  func.return
}
