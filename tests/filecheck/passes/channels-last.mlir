// RUN: ramiel-opt %s --split-input-file -p channels-last | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p channels-last,channels-last | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p channels-last | ramiel-opt --split-input-file | filecheck %s
// RUN: not ramiel-opt %S/Inputs/no-function.mlir -p channels-last 2>&1 | filecheck %s --check-prefix=NOFUNC

// NOFUNC: ramiel: error: expected one func.func in the module, found 0

// A graph with a convolution `conv2d` computes: its 4-D float input is made
// channels-last on entry and its 4-D float outputs contiguous on exit, the input
// returned as it is included; the constant weight of a convolution is converted
// once (at load), a prepacked one is left as it is, and 2-D tensors are not touched.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %x_1 = dfg.memory_format %x {format = "channels_last"} : tensor<1x4x8x8xf32>
// CHECK-NEXT:    %w = dfg.constant dense<1.000000e+00> : tensor<4x4x3x3xf32>
// CHECK-NEXT:    %w_1 = dfg.memory_format %w {format = "channels_last"} : tensor<4x4x3x3xf32>
// CHECK-NEXT:    %pw = dfg.constant dense<1.000000e+00> : tensor<4x4x3x3xf32>
// CHECK-NEXT:    %p = dfg.prepack_conv2d %pw
// CHECK-NEXT:    %c = dfg.conv %x_1, %w_1 {pads = array<i64: 1, 1, 1, 1>}
// CHECK-NEXT:    %y = dfg.fused_conv %c, %p {pads = array<i64: 1, 1, 1, 1>}
// CHECK-NEXT:    %n = dfg.neg %v : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:    %y_1 = dfg.memory_format %y {format = "contiguous"} : tensor<1x4x8x8xf32>
// CHECK-NEXT:    %x_2 = dfg.memory_format %x_1 {format = "contiguous"} : tensor<1x4x8x8xf32>
// CHECK-NEXT:    func.return %y_1, %x_2, %n : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4xf32>
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}, %v: tensor<1x4xf32> {dfg.name = "v"}) -> (tensor<1x4x8x8xf32> {dfg.name = "y"}, tensor<1x4x8x8xf32> {dfg.name = "x_out"}, tensor<1x4xf32> {dfg.name = "v_out"}) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %pw = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %p = dfg.prepack_conv2d %pw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 8, 8>} : tensor<4x4x3x3xf32>
  %c = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %y = dfg.fused_conv %c, %p {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %n = dfg.neg %v : (tensor<1x4xf32>) -> tensor<1x4xf32>
  func.return %y, %x, %n : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4xf32>
}

// -----

// Scheduled: each stream that reads the input converts it itself, and an output is
// given back contiguous on the stream that computes it.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %x_1 = dfg.memory_format %x {stream = 3 : i64, format = "channels_last"} : tensor<1x4x8x8xf32>
// CHECK-NEXT:    %x_2 = dfg.memory_format %x {stream = 5 : i64, format = "channels_last"} : tensor<1x4x8x8xf32>
// CHECK-NEXT:    %w = dfg.constant
// CHECK-NEXT:    %w_1 = dfg.memory_format %w {format = "channels_last"} : tensor<4x4x3x3xf32>
// CHECK-NEXT:    %c = dfg.fused_conv %x_1, %w_1 {activation = "relu", stream = 3 : i64}
// CHECK-NEXT:    %z = dfg.sigmoid %x_2 {stream = 5 : i64}
// CHECK-NEXT:    %n = dfg.neg %x_2 {stream = 5 : i64}
// CHECK-NEXT:    %y = dfg.relu %c {stream = 5 : i64}
// CHECK-NEXT:    %y_1 = dfg.memory_format %y {stream = 5 : i64, format = "contiguous"} : tensor<1x4x6x6xf32>
// CHECK-NEXT:    %z_1 = dfg.memory_format %z {stream = 5 : i64, format = "contiguous"} : tensor<1x4x8x8xf32>
// CHECK-NEXT:    func.return %y_1, %z_1
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x6x6xf32> {dfg.name = "y"}, tensor<1x4x8x8xf32> {dfg.name = "z"}) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %c = dfg.fused_conv %x, %w {activation = "relu", stream = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %z = dfg.sigmoid %x {stream = 5 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %n = dfg.neg %x {stream = 5 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %y = dfg.relu %c {stream = 5 : i64} : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  func.return %y, %z : tensor<1x4x6x6xf32>, tensor<1x4x8x8xf32>
}

// -----

// No convolution `conv2d` computes (asymmetric pads): nothing changes.

// CHECK-LABEL: func.func @main
// CHECK-NOT:     dfg.memory_format
// CHECK:         func.return
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x7x7xf32> {dfg.name = "y"}) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %y = dfg.conv %x, %w {pads = array<i64: 0, 0, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  func.return %y : tensor<1x4x7x7xf32>
}
