// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The convolution variants in their custom syntax: the module prints back as
// written, also after a trip through the generic form. Absent optional operands
// before a present one are `_`; properties at their ONNX default are not printed.

// CHECK-LABEL: func.func @deform_conv
// GENERIC-LABEL: "func.func"() <{sym_name = "deform_conv"
func.func @deform_conv(%x: tensor<1x4x5x5xf32>, %w: tensor<3x4x2x2xf32>, %offset: tensor<1x16x4x4xf32>, %mask: tensor<1x8x4x4xf32>, %b: tensor<3xf32>, %padded: tensor<1x8x6x6xf32>) {
  // CHECK-NEXT: %0 = dfg.deform_conv %x, %w, %offset, _, %mask {offset_group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<3x4x2x2xf32>, tensor<1x16x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %1 = dfg.deform_conv %x, %w, %padded, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x5x5xf32>, tensor<3x4x2x2xf32>, tensor<1x8x6x6xf32>, tensor<3xf32>) -> tensor<1x3x6x6xf32>
  // GENERIC: "dfg.deform_conv"(%x, %w, %offset, %mask) <{{.*}}operandSegmentSizes = array<i32: 1, 1, 1, 0, 1>
  %0 = dfg.deform_conv %x, %w, %offset, _, %mask {offset_group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<3x4x2x2xf32>, tensor<1x16x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x3x4x4xf32>
  %1 = dfg.deform_conv %x, %w, %padded, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x5x5xf32>, tensor<3x4x2x2xf32>, tensor<1x8x6x6xf32>, tensor<3xf32>) -> tensor<1x3x6x6xf32>
  func.return
}

// CHECK-LABEL: func.func @causal_conv_with_state
func.func @causal_conv_with_state(%x: tensor<1x4x6xf16>, %w: tensor<4x1x3xf16>, %past: tensor<1x4x2xf16>) {
  // CHECK-NEXT: %0, %1 = dfg.causal_conv_with_state %x, %w : (tensor<1x4x6xf16>, tensor<4x1x3xf16>) -> (tensor<1x4x6xf16>, tensor<1x4x2xf16>)
  // CHECK-NEXT: %2, %3 = dfg.causal_conv_with_state %x, %w, _, %past {activation = "silu"} : (tensor<1x4x6xf16>, tensor<4x1x3xf16>, tensor<1x4x2xf16>) -> (tensor<1x4x6xf16>, tensor<1x4x2xf16>)
  %0, %1 = dfg.causal_conv_with_state %x, %w : (tensor<1x4x6xf16>, tensor<4x1x3xf16>) -> (tensor<1x4x6xf16>, tensor<1x4x2xf16>)
  %2, %3 = dfg.causal_conv_with_state %x, %w, _, %past {activation = "silu"} : (tensor<1x4x6xf16>, tensor<4x1x3xf16>, tensor<1x4x2xf16>) -> (tensor<1x4x6xf16>, tensor<1x4x2xf16>)
  func.return
}
