// RUN: ramiel-opt %s --split-input-file -p fuse-gelu | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p fuse-gelu | ramiel-opt --split-input-file | filecheck %s
// RUN: not ramiel-opt %S/Inputs/gelu-wrong-shape.mlir -p fuse-gelu 2>&1 | filecheck %s --check-prefix=INVALID
// RUN: not ramiel-opt %s -p 'fuse-gelu{exact=true}' 2>&1 | filecheck %s --check-prefix=OPTION

// INVALID: gelu-wrong-shape.mlir:4:3
// INVALID: 'dfg.gelu' op result #0 has shape 1x4, but Gelu gives 1x8
// OPTION: ramiel: error: pass 'fuse-gelu' has no option 'exact' (options: none) (-p fuse-gelu{exact=true})

// The exact GELU as torch's legacy exporter writes it, (x * (erf(x / sqrt 2) + 1)) * 0.5,
// and as its dynamo exporter does, x * (0.5 * (erf(x / sqrt 2) + 1)); the second
// scales by a product with 1 / sqrt 2 instead of a division.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %y = dfg.gelu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
// CHECK-NEXT:    %z = dfg.gelu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
// CHECK-NEXT:    func.return %y, %z
func.func @main(%x: tensor<1x8xf32> {dfg.name = "x"}) -> (tensor<1x8xf32> {dfg.name = "y"}, tensor<1x8xf32> {dfg.name = "z"}) {
  %sqrt2 = dfg.constant dense<1.41421354> : tensor<f32>
  %one = dfg.constant dense<1.0> : tensor<f32>
  %half = dfg.constant dense<0.5> : tensor<f32>
  %d = dfg.div %x, %sqrt2 : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %e = dfg.erf %d : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %a = dfg.add %e, %one : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %m = dfg.mul %x, %a : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %y = dfg.mul %m, %half : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %inv = dfg.constant dense<0.707106769> : tensor<f32>
  %d2 = dfg.mul %inv, %x : (tensor<f32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %e2 = dfg.erf %d2 : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %a2 = dfg.add %one, %e2 : (tensor<f32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %h2 = dfg.mul %half, %a2 : (tensor<f32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %z = dfg.mul %x, %h2 : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  func.return %y, %z : tensor<1x8xf32>, tensor<1x8xf32>
}

// -----

// The tanh approximation, 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))),
// with x^3 as a Pow (dynamo) and as two products.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %y = dfg.gelu %x {approximate = "tanh"} : (tensor<1x8xf32>) -> tensor<1x8xf32>
// CHECK-NEXT:    %z = dfg.gelu %x {approximate = "tanh"} : (tensor<1x8xf32>) -> tensor<1x8xf32>
// CHECK-NEXT:    func.return %y, %z
func.func @main(%x: tensor<1x8xf32> {dfg.name = "x"}) -> (tensor<1x8xf32> {dfg.name = "y"}, tensor<1x8xf32> {dfg.name = "z"}) {
  %three = dfg.constant dense<3.0> : tensor<f32>
  %cubic = dfg.constant dense<4.471500e-02> : tensor<f32>
  %scale = dfg.constant dense<0.797884583> : tensor<f32>
  %one = dfg.constant dense<1.0> : tensor<f32>
  %half = dfg.constant dense<0.5> : tensor<f32>
  %p = dfg.pow %x, %three : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %c = dfg.mul %cubic, %p : (tensor<f32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %s = dfg.add %x, %c : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %u = dfg.mul %scale, %s : (tensor<f32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %t = dfg.tanh %u : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %a = dfg.add %t, %one : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %h = dfg.mul %half, %a : (tensor<f32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %y = dfg.mul %x, %h : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %x2 = dfg.mul %x, %x : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %x3 = dfg.mul %x2, %x : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %c2 = dfg.mul %x3, %cubic : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %s2 = dfg.add %c2, %x : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %u2 = dfg.mul %s2, %scale : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %t2 = dfg.tanh %u2 : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %a2 = dfg.add %one, %t2 : (tensor<f32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %m2 = dfg.mul %half, %x : (tensor<f32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %z = dfg.mul %m2, %a2 : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  func.return %y, %z : tensor<1x8xf32>, tensor<1x8xf32>
}

// -----

// Nothing fuses: a scale of 0.6 instead of 0.5; an erf whose result is also
// returned (the fused op would compute it twice); the erf of another value than
// the one multiplied; and a division by 2 instead of sqrt 2.

// CHECK-LABEL: func.func @main
// CHECK-NOT:     dfg.gelu
// CHECK-COUNT-4: dfg.erf
// CHECK-NOT:     dfg.gelu
func.func @main(%x: tensor<1x8xf32> {dfg.name = "x"}, %w: tensor<1x8xf32> {dfg.name = "w"}) -> (tensor<1x8xf32> {dfg.name = "a"}, tensor<1x8xf32> {dfg.name = "b"}, tensor<1x8xf32> {dfg.name = "e"}, tensor<1x8xf32> {dfg.name = "c"}, tensor<1x8xf32> {dfg.name = "d"}) {
  %sqrt2 = dfg.constant dense<1.41421354> : tensor<f32>
  %two = dfg.constant dense<2.0> : tensor<f32>
  %one = dfg.constant dense<1.0> : tensor<f32>
  %half = dfg.constant dense<0.5> : tensor<f32>
  %wrong = dfg.constant dense<0.6> : tensor<f32>
  %d1 = dfg.div %x, %sqrt2 : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %e1 = dfg.erf %d1 : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %a1 = dfg.add %e1, %one : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %m1 = dfg.mul %x, %a1 : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %r1 = dfg.mul %m1, %wrong : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %d2 = dfg.div %x, %sqrt2 : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %e2 = dfg.erf %d2 : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %a2 = dfg.add %e2, %one : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %m2 = dfg.mul %x, %a2 : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %r2 = dfg.mul %m2, %half : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %d3 = dfg.div %w, %sqrt2 : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %e3 = dfg.erf %d3 : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %a3 = dfg.add %e3, %one : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %m3 = dfg.mul %x, %a3 : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %r3 = dfg.mul %m3, %half : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %d4 = dfg.div %x, %two : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %e4 = dfg.erf %d4 : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %a4 = dfg.add %e4, %one : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %m4 = dfg.mul %x, %a4 : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %r4 = dfg.mul %m4, %half : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  func.return %r1, %r2, %e2, %r3, %r4 : tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>
}
