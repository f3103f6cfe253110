// RUN: ramiel-opt %s --split-input-file -p prepack-weights | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p prepack-weights,prepack-weights | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p prepack-weights | ramiel-opt --split-input-file | filecheck %s
// RUN: not ramiel-opt %s -p 'prepack-weights{onednn=true}' 2>&1 | filecheck %s --check-prefix=OPTION

// OPTION: ramiel: error: pass 'prepack-weights' has no option 'onednn' (options: none) (-p prepack-weights{onednn=true})

// The constant weight of each convolution `conv2d` computes is prepacked once, for
// the convolution's parameters and input shape; a plain convolution becomes a fused
// one without activation, the op that reads prepacked weights. Two convolutions
// alike share one prepacked weight. Running the pass again changes nothing.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %w = dfg.constant dense<1.000000e+00> : tensor<4x4x3x3xf32>
// CHECK-NEXT:    %w_1 = dfg.prepack_conv2d %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 8, 8>} : tensor<4x4x3x3xf32>
// CHECK-NEXT:    %v = dfg.constant dense<2.000000e+00> : tensor<4x1x3x3xf32>
// CHECK-NEXT:    %v_1 = dfg.prepack_conv2d %v {strides = array<i64: 2, 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>, group = 4 : i64, input_shape = array<i64: 1, 4, 8, 8>} : tensor<4x1x3x3xf32>
// CHECK-NEXT:    %a = dfg.fused_conv %x, %w_1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %b = dfg.fused_conv %a, %w_1 {pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %c = dfg.fused_conv %b, %v_1 {group = 4 : i64, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32>
// CHECK-NEXT:    func.return %c
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x3x3xf32> {dfg.name = "y"}) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %v = dfg.constant dense<2.0> : tensor<4x1x3x3xf32>
  %a = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %b = dfg.fused_conv %a, %w {pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %c = dfg.conv %b, %v {group = 4 : i64, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32>
  func.return %c : tensor<1x4x3x3xf32>
}

// -----

// Nothing is prepacked: a weight another op reads too, a weight two convolutions
// read on inputs of different shapes, a convolution with asymmetric pads (which
// `conv2d` does not compute), and a weight that is no constant.

// CHECK-LABEL: func.func @main
// CHECK-NOT:     dfg.prepack_conv2d
// CHECK-NOT:     dfg.fused_conv
// CHECK:         func.return
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}, %z: tensor<1x4x6x6xf32> {dfg.name = "z"}, %u: tensor<4x4x3x3xf32> {dfg.name = "u"}) -> (tensor<4x4x3x3xf32> {dfg.name = "a"}, tensor<1x4x6x6xf32> {dfg.name = "b"}, tensor<1x4x4x4xf32> {dfg.name = "c"}, tensor<1x4x7x7xf32> {dfg.name = "d"}, tensor<1x4x6x6xf32> {dfg.name = "e"}) {
  %shared = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %two = dfg.constant dense<2.0> : tensor<4x4x3x3xf32>
  %odd = dfg.constant dense<3.0> : tensor<4x4x3x3xf32>
  %c0 = dfg.conv %x, %shared : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %a = dfg.mul %shared, %u : (tensor<4x4x3x3xf32>, tensor<4x4x3x3xf32>) -> tensor<4x4x3x3xf32>
  %b = dfg.conv %x, %two : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %c = dfg.conv %z, %two : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32>
  %d = dfg.conv %x, %odd {pads = array<i64: 0, 0, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  %e = dfg.conv %x, %u : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %a, %b, %c, %d, %e : tensor<4x4x3x3xf32>, tensor<1x4x6x6xf32>, tensor<1x4x4x4xf32>, tensor<1x4x7x7xf32>, tensor<1x4x6x6xf32>
}
