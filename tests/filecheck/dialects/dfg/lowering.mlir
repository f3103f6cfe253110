// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The extension ops the lowering passes write, in their custom syntax: a fused
// convolution (properties at their default not printed), a prepacked weight, a
// layout change, and an op marked to write in place.

func.func @lowering(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %b = dfg.constant dense<0.5> : tensor<4xf32>
  %p = dfg.prepack_conv2d %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 8, 8>} : tensor<4x4x3x3xf32>
  %x_cl = dfg.memory_format %x {format = "channels_last"} : tensor<1x4x8x8xf32>
  %r = dfg.fused_conv %x_cl, %p, %b {pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %c = dfg.fused_conv %r, %w {pads = array<i64: 1, 1, 1, 1>, activation = "hardtanh", activation_scalars = array<f64: 0.0, 6.0>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %n = dfg.fused_conv %c, %w {pads = array<i64: 1, 1, 1, 1>, activation = "none"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %a = dfg.add %n, %x_cl {inplace} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %y = dfg.memory_format %a {format = "contiguous"} : tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}

// CHECK-LABEL: func.func @lowering
// CHECK:         %p = dfg.prepack_conv2d %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 8, 8>} : tensor<4x4x3x3xf32>
// CHECK-NEXT:    %x_cl = dfg.memory_format %x {format = "channels_last"} : tensor<1x4x8x8xf32>
// CHECK-NEXT:    %r = dfg.fused_conv %x_cl, %p, %b {pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %c = dfg.fused_conv %r, %w {pads = array<i64: 1, 1, 1, 1>, activation = "hardtanh", activation_scalars = array<f64: 0.000000e+00, 6.000000e+00>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %n = dfg.fused_conv %c, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %a = dfg.add %n, %x_cl {inplace} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %y = dfg.memory_format %a {format = "contiguous"} : tensor<1x4x8x8xf32>

// GENERIC:      %p = "dfg.prepack_conv2d"(%w) <{strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 8, 8>}> : (tensor<4x4x3x3xf32>) -> tensor<4x4x3x3xf32>
// GENERIC-NEXT: %x_cl = "dfg.memory_format"(%x) <{format = "channels_last"}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// GENERIC-NEXT: %r = "dfg.fused_conv"(%x_cl, %p, %b) <{{.*}}activation = "relu"{{.*}}}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// GENERIC:      %a = "dfg.add"(%n, %x_cl) {inplace} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
