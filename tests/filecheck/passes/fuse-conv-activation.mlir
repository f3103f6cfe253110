// RUN: ramiel-opt %s --split-input-file -p fuse-conv-activation --print-debuginfo | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p fuse-conv-activation --print-debuginfo | ramiel-opt --split-input-file --print-debuginfo | filecheck %s
// RUN: not ramiel-opt %s -p 'fuse-conv-activation{relu=true}' 2>&1 | filecheck %s --check-prefix=OPTION

// OPTION: ramiel: error: pass 'fuse-conv-activation' has no option 'relu' (options: none) (-p fuse-conv-activation{relu=true})

// A Relu, and a Clip with constant bounds, each the only reader of a 2-D float32
// convolution, become one fused op in the activation's place, which names both
// nodes; the Clip's bounds become the post-op's scalars.

// CHECK-LABEL: func.func @main
// CHECK:         %n = dfg.neg %x
// CHECK-NEXT:    %y = dfg.fused_conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32> loc(fused["conv", "relu"])
// CHECK-NEXT:    %z = dfg.fused_conv %n, %w {pads = array<i64: 1, 1, 1, 1>, activation = "hardtanh", activation_scalars = array<f64: 0.000000e+00, 6.000000e+00>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32> loc(fused[unknown, "clip"])
// CHECK-NEXT:    func.return %y, %z
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x8x8xf32> {dfg.name = "y"}, tensor<1x4x8x8xf32> {dfg.name = "z"}) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %b = dfg.constant dense<0.5> : tensor<4xf32>
  %lo = dfg.constant dense<0.0> : tensor<f32>
  %hi = dfg.constant dense<6.0> : tensor<f32>
  %c = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32> loc("conv")
  %n = dfg.neg %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %y = dfg.relu %c : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("relu")
  %d = dfg.conv %n, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %z = dfg.clip %d, %lo, %hi : (tensor<1x4x8x8xf32>, tensor<f32>, tensor<f32>) -> tensor<1x4x8x8xf32> loc("clip")
  func.return %y, %z : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}

// -----

// Nothing fuses: a convolution with a second reader, an activation on another
// stream, asymmetric pads (which `conv2d` does not compute), a Clip whose bound is
// not a constant, a 1-D convolution, and a Relu of something else.

// CHECK:     func.func @main({{.*}}%hi: tensor<f32>
// CHECK-NOT: dfg.fused_conv
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}, %hi: tensor<f32> {dfg.name = "hi"}, %s: tensor<1x4x8xf32> {dfg.name = "s"}) -> (tensor<1x4x6x6xf32> {dfg.name = "a"}, tensor<1x4x6x6xf32> {dfg.name = "b"}, tensor<1x4x7x7xf32> {dfg.name = "c"}, tensor<1x4x6x6xf32> {dfg.name = "d"}, tensor<1x4x6xf32> {dfg.name = "e"}, tensor<1x4x8x8xf32> {dfg.name = "f"}) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %w1 = dfg.constant dense<1.0> : tensor<4x4x3xf32>
  %lo = dfg.constant dense<0.0> : tensor<f32>
  %c1 = dfg.conv %x, %w {stream = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %r1 = dfg.relu %c1 {stream = 0 : i64} : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %a = dfg.add %r1, %c1 {stream = 0 : i64} : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %c2 = dfg.conv %x, %w {stream = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %b = dfg.relu %c2 {stream = 1 : i64} : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %c3 = dfg.conv %x, %w {pads = array<i64: 0, 0, 1, 1>, stream = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  %c = dfg.relu %c3 {stream = 0 : i64} : (tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32>
  %c4 = dfg.conv %x, %w {stream = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %d = dfg.clip %c4, %lo, %hi {stream = 0 : i64} : (tensor<1x4x6x6xf32>, tensor<f32>, tensor<f32>) -> tensor<1x4x6x6xf32>
  %c5 = dfg.conv %s, %w1 {stream = 0 : i64} : (tensor<1x4x8xf32>, tensor<4x4x3xf32>) -> tensor<1x4x6xf32>
  %e = dfg.relu %c5 {stream = 0 : i64} : (tensor<1x4x6xf32>) -> tensor<1x4x6xf32>
  %n = dfg.neg %x {stream = 0 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %f = dfg.relu %n {stream = 0 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  func.return %a, %b, %c, %d, %e, %f : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x7x7xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6xf32>, tensor<1x4x8x8xf32>
}
