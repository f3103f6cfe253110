// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The recurrent dfg ops in their custom syntax. The module must print back as
// written (the CHECK lines repeat the input), also after a trip through the
// generic form. Y, Y_h and Y_c are optional results: an op has a leading part
// of them.

// CHECK-LABEL: func.func @lstm
func.func @lstm(%x: tensor<5x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %b: tensor<1x32xf32>, %lens: tensor<2xi32>, %h: tensor<1x2x4xf32>, %c: tensor<1x2x4xf32>, %p: tensor<1x12xf32>, %xb: tensor<2x5x3xf32>, %w2: tensor<2x16x3xf32>, %r2: tensor<2x16x4xf32>, %hb: tensor<2x2x4xf32>) {
  // CHECK-NEXT: %y = dfg.lstm %x, %w, %r {hidden_size = 4 : i64} : (tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>) -> tensor<5x1x2x4xf32>
  // CHECK-NEXT: %0, %1, %2 = dfg.lstm %x, %w, %r, %b, %lens, %h, %c, %p {clip = 3.000000e+00 : f32, input_forget = 1 : i64} : (tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x32xf32>, tensor<2xi32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x12xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  // CHECK-NEXT: %3, %4 = dfg.lstm %xb, %w2, %r2, _, _, %hb {activation_alpha = array<f32: 2.000000e-01, 1.000000e+00, 5.000000e-01>, activation_beta = array<f32: 5.000000e-01, 2.000000e+00>, activations = ["HardSigmoid", "Elu", "Softsign", "Sigmoid", "Tanh", "ScaledTanh"], direction = "bidirectional", layout = 1 : i64} : (tensor<2x5x3xf32>, tensor<2x16x3xf32>, tensor<2x16x4xf32>, tensor<2x2x4xf32>) -> (tensor<2x5x2x4xf32>, tensor<2x2x4xf32>)
  // Absent optional operands and results are segments of size 0; defaults are spelled out.
  // GENERIC: "dfg.lstm"(%xb, %w2, %r2, %hb)
  // GENERIC-SAME: direction = "bidirectional"
  // GENERIC-SAME: operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 1, 0, 0>
  // GENERIC-SAME: resultSegmentSizes = array<i32: 1, 1, 0>
  // GENERIC-SAME: input_forget = 0 : i64
  %y = dfg.lstm %x, %w, %r {hidden_size = 4 : i64} : (tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>) -> tensor<5x1x2x4xf32>
  %0, %1, %2 = dfg.lstm %x, %w, %r, %b, %lens, %h, %c, %p {clip = 3.0 : f32, input_forget = 1 : i64} : (tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x32xf32>, tensor<2xi32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x12xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  %3, %4 = dfg.lstm %xb, %w2, %r2, _, _, %hb {activation_alpha = array<f32: 0.2, 1.0, 0.5>, activation_beta = array<f32: 0.5, 2.0>, activations = ["HardSigmoid", "Elu", "Softsign", "Sigmoid", "Tanh", "ScaledTanh"], direction = "bidirectional", layout = 1 : i64} : (tensor<2x5x3xf32>, tensor<2x16x3xf32>, tensor<2x16x4xf32>, tensor<2x2x4xf32>) -> (tensor<2x5x2x4xf32>, tensor<2x2x4xf32>)
  func.return
}

// CHECK-LABEL: func.func @gru
func.func @gru(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>, %b: tensor<1x24xf32>, %h: tensor<1x2x4xf32>) {
  // CHECK-NEXT: %0, %1 = dfg.gru %x, %w, %r, %b, _, %h {direction = "reverse", linear_before_reset = 1 : i64} : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>, tensor<1x24xf32>, tensor<1x2x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  // CHECK-NEXT: %2 = dfg.gru %x, %w, %r {activations = ["Relu", "Affine"], activation_alpha = array<f32: 2.000000e+00>, activation_beta = array<f32: 1.000000e+00>} : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>) -> tensor<5x1x2x4xf32>
  // GENERIC: "dfg.gru"(%x, %w, %r, %b, %h)
  // GENERIC-SAME: operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1>
  %0, %1 = dfg.gru %x, %w, %r, %b, _, %h {direction = "reverse", linear_before_reset = 1 : i64} : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>, tensor<1x24xf32>, tensor<1x2x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  %2 = dfg.gru %x, %w, %r {activations = ["Relu", "Affine"], activation_alpha = array<f32: 2.0>, activation_beta = array<f32: 1.0>} : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>) -> tensor<5x1x2x4xf32>
  func.return
}

// CHECK-LABEL: func.func @rnn
func.func @rnn(%x: tensor<5x2x3xf64>, %w: tensor<2x4x3xf64>, %r: tensor<2x4x4xf64>, %xb: tensor<2x5x3xf32>, %w1: tensor<1x4x3xf32>, %r1: tensor<1x4x4xf32>, %lens: tensor<2xi32>) {
  // CHECK-NEXT: %0, %1 = dfg.rnn %x, %w, %r {activation_alpha = array<f32: 1.000000e-01>, activations = ["Relu", "LeakyRelu"], clip = 5.000000e+00 : f32, direction = "bidirectional"} : (tensor<5x2x3xf64>, tensor<2x4x3xf64>, tensor<2x4x4xf64>) -> (tensor<5x2x2x4xf64>, tensor<2x2x4xf64>)
  // CHECK-NEXT: %2, %3 = dfg.rnn %xb, %w1, %r1, _, %lens {layout = 1 : i64} : (tensor<2x5x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<2xi32>) -> (tensor<2x5x1x4xf32>, tensor<2x1x4xf32>)
  // The schema's default activations (Tanh, Tanh) also serve one direction.
  // GENERIC: "dfg.rnn"(%xb, %w1, %r1, %lens)
  // GENERIC-SAME: activations = ["Tanh", "Tanh"]
  %0, %1 = dfg.rnn %x, %w, %r {activation_alpha = array<f32: 0.1>, activations = ["Relu", "LeakyRelu"], clip = 5.0 : f32, direction = "bidirectional"} : (tensor<5x2x3xf64>, tensor<2x4x3xf64>, tensor<2x4x4xf64>) -> (tensor<5x2x2x4xf64>, tensor<2x2x4xf64>)
  %2, %3 = dfg.rnn %xb, %w1, %r1, _, %lens {layout = 1 : i64} : (tensor<2x5x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<2xi32>) -> (tensor<2x5x1x4xf32>, tensor<2x1x4xf32>)
  func.return
}
