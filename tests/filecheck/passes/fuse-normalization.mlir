// RUN: ramiel-opt %s --split-input-file -p fuse-normalization | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p fuse-normalization | ramiel-opt --split-input-file | filecheck %s
// RUN: not ramiel-opt %S/Inputs/layer-norm-wrong-scale.mlir -p fuse-normalization 2>&1 | filecheck %s --check-prefix=INVALID
// RUN: not ramiel-opt %s -p 'fuse-normalization{rms=true}' 2>&1 | filecheck %s --check-prefix=OPTION

// INVALID: layer-norm-wrong-scale.mlir:4:3
// INVALID: 'dfg.layer_normalization' op scale of shape 4 does not broadcast to the normalised shape 8
// OPTION: ramiel: error: pass 'fuse-normalization' has no option 'rms' (options: none) (-p fuse-normalization{rms=true})

// LayerNorm as torch's legacy exporter writes it below opset 17 (a Pow, then the
// scale and the bias), and over the last two axes with the square as a product and
// no affine part, which gets a scale of ones.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %y = dfg.layer_normalization %x, %scale, %bias : (tensor<1x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
// CHECK-NEXT:    %ones = dfg.constant dense<1.000000e+00> : tensor<4x8xf32>
// CHECK-NEXT:    %z = dfg.layer_normalization %x, %ones {axis = -2 : i64, epsilon = 1.000000e-03 : f32} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x8xf32>
// CHECK-NEXT:    func.return %y, %z
func.func @main(%x: tensor<1x4x8xf32> {dfg.name = "x"}, %scale: tensor<8xf32> {dfg.name = "scale"}, %bias: tensor<8xf32> {dfg.name = "bias"}) -> (tensor<1x4x8xf32> {dfg.name = "y"}, tensor<1x4x8xf32> {dfg.name = "z"}) {
  %axes = dfg.constant dense<-1> : tensor<1xi64>
  %two = dfg.constant dense<2.0> : tensor<f32>
  %eps = dfg.constant dense<1.0e-05> : tensor<f32>
  %m = dfg.reduce_mean %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
  %d = dfg.sub %x, %m : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
  %p = dfg.pow %d, %two : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
  %v = dfg.reduce_mean %p, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
  %e = dfg.add %v, %eps : (tensor<1x4x1xf32>, tensor<f32>) -> tensor<1x4x1xf32>
  %s = dfg.sqrt %e : (tensor<1x4x1xf32>) -> tensor<1x4x1xf32>
  %n = dfg.div %d, %s : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
  %g = dfg.mul %n, %scale : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %y = dfg.add %bias, %g : (tensor<8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %axes2 = dfg.constant dense<[1, 2]> : tensor<2xi64>
  %eps2 = dfg.constant dense<1.0e-03> : tensor<f32>
  %m2 = dfg.reduce_mean %x, %axes2 : (tensor<1x4x8xf32>, tensor<2xi64>) -> tensor<1x1x1xf32>
  %d2 = dfg.sub %x, %m2 : (tensor<1x4x8xf32>, tensor<1x1x1xf32>) -> tensor<1x4x8xf32>
  %p2 = dfg.mul %d2, %d2 : (tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %v2 = dfg.reduce_mean %p2, %axes2 : (tensor<1x4x8xf32>, tensor<2xi64>) -> tensor<1x1x1xf32>
  %e2 = dfg.add %eps2, %v2 : (tensor<f32>, tensor<1x1x1xf32>) -> tensor<1x1x1xf32>
  %s2 = dfg.sqrt %e2 : (tensor<1x1x1xf32>) -> tensor<1x1x1xf32>
  %z = dfg.div %d2, %s2 : (tensor<1x4x8xf32>, tensor<1x1x1xf32>) -> tensor<1x4x8xf32>
  func.return %y, %z : tensor<1x4x8xf32>, tensor<1x4x8xf32>
}

// -----

// RMSNorm with torch.rsqrt, which the legacy exporter writes as 1 / Sqrt and the
// dynamo exporter as a Reciprocal, and a scale on the left.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %y = dfg.rmsnormalization %x, %w {epsilon = 1.000000e-06 : f32} : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
// CHECK-NEXT:    %z = dfg.rmsnormalization %x, %w {epsilon = 1.000000e-06 : f32} : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
// CHECK-NEXT:    func.return %y, %z
func.func @main(%x: tensor<1x4x8xf32> {dfg.name = "x"}, %w: tensor<8xf32> {dfg.name = "w"}) -> (tensor<1x4x8xf32> {dfg.name = "y"}, tensor<1x4x8xf32> {dfg.name = "z"}) {
  %axes = dfg.constant dense<-1> : tensor<1xi64>
  %two = dfg.constant dense<2.0> : tensor<f32>
  %one = dfg.constant dense<1.0> : tensor<f32>
  %eps = dfg.constant dense<1.0e-06> : tensor<f32>
  %p = dfg.pow %x, %two : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
  %v = dfg.reduce_mean %p, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
  %e = dfg.add %v, %eps : (tensor<1x4x1xf32>, tensor<f32>) -> tensor<1x4x1xf32>
  %s = dfg.sqrt %e : (tensor<1x4x1xf32>) -> tensor<1x4x1xf32>
  %r = dfg.div %one, %s : (tensor<f32>, tensor<1x4x1xf32>) -> tensor<1x4x1xf32>
  %n = dfg.mul %x, %r : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
  %y = dfg.mul %w, %n : (tensor<8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p2 = dfg.pow %x, %two : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
  %v2 = dfg.reduce_mean %p2, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
  %e2 = dfg.add %v2, %eps : (tensor<1x4x1xf32>, tensor<f32>) -> tensor<1x4x1xf32>
  %s2 = dfg.sqrt %e2 : (tensor<1x4x1xf32>) -> tensor<1x4x1xf32>
  %r2 = dfg.reciprocal %s2 : (tensor<1x4x1xf32>) -> tensor<1x4x1xf32>
  %n2 = dfg.mul %r2, %x : (tensor<1x4x1xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %z = dfg.mul %n2, %w : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  func.return %y, %z : tensor<1x4x8xf32>, tensor<1x4x8xf32>
}

// -----

// Nothing fuses: means over different axes; a mean over a leading axis; a variance
// that is also returned; a mean that drops its axis; and a square by 3.

// CHECK-LABEL: func.func @main
// CHECK-NOT:     dfg.layer_normalization
// CHECK-NOT:     dfg.rmsnormalization
// CHECK-COUNT-5: dfg.sqrt
// CHECK-NOT:     dfg.layer_normalization
// CHECK-NOT:     dfg.rmsnormalization
func.func @main(%x: tensor<1x4x8xf32> {dfg.name = "x"}, %q: tensor<1x4x4xf32> {dfg.name = "q"}) -> (tensor<1x4x8xf32> {dfg.name = "a"}, tensor<1x4x8xf32> {dfg.name = "b"}, tensor<1x4x8xf32> {dfg.name = "c"}, tensor<1x4x1xf32> {dfg.name = "v"}, tensor<1x4x4xf32> {dfg.name = "d"}, tensor<1x4x8xf32> {dfg.name = "e"}) {
  %last = dfg.constant dense<-1> : tensor<1xi64>
  %both = dfg.constant dense<[1, 2]> : tensor<2xi64>
  %first = dfg.constant dense<1> : tensor<1xi64>
  %two = dfg.constant dense<2.0> : tensor<f32>
  %three = dfg.constant dense<3.0> : tensor<f32>
  %eps = dfg.constant dense<1.0e-05> : tensor<f32>
  %m1 = dfg.reduce_mean %x, %last : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
  %d1 = dfg.sub %x, %m1 : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
  %p1 = dfg.pow %d1, %two : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
  %v1 = dfg.reduce_mean %p1, %both : (tensor<1x4x8xf32>, tensor<2xi64>) -> tensor<1x1x1xf32>
  %e1 = dfg.add %v1, %eps : (tensor<1x1x1xf32>, tensor<f32>) -> tensor<1x1x1xf32>
  %s1 = dfg.sqrt %e1 : (tensor<1x1x1xf32>) -> tensor<1x1x1xf32>
  %a = dfg.div %d1, %s1 : (tensor<1x4x8xf32>, tensor<1x1x1xf32>) -> tensor<1x4x8xf32>
  %p2 = dfg.pow %x, %two : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
  %v2 = dfg.reduce_mean %p2, %first : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x1x8xf32>
  %e2 = dfg.add %v2, %eps : (tensor<1x1x8xf32>, tensor<f32>) -> tensor<1x1x8xf32>
  %s2 = dfg.sqrt %e2 : (tensor<1x1x8xf32>) -> tensor<1x1x8xf32>
  %b = dfg.div %x, %s2 : (tensor<1x4x8xf32>, tensor<1x1x8xf32>) -> tensor<1x4x8xf32>
  %p3 = dfg.pow %x, %two : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
  %v3 = dfg.reduce_mean %p3, %last : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
  %e3 = dfg.add %v3, %eps : (tensor<1x4x1xf32>, tensor<f32>) -> tensor<1x4x1xf32>
  %s3 = dfg.sqrt %e3 : (tensor<1x4x1xf32>) -> tensor<1x4x1xf32>
  %c = dfg.div %x, %s3 : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
  %p4 = dfg.pow %q, %two : (tensor<1x4x4xf32>, tensor<f32>) -> tensor<1x4x4xf32>
  %v4 = dfg.reduce_mean %p4, %last {keepdims = 0 : i64} : (tensor<1x4x4xf32>, tensor<1xi64>) -> tensor<1x4xf32>
  %e4 = dfg.add %v4, %eps : (tensor<1x4xf32>, tensor<f32>) -> tensor<1x4xf32>
  %s4 = dfg.sqrt %e4 : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %d = dfg.div %q, %s4 : (tensor<1x4x4xf32>, tensor<1x4xf32>) -> tensor<1x4x4xf32>
  %p5 = dfg.pow %x, %three : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
  %v5 = dfg.reduce_mean %p5, %last : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
  %e5 = dfg.add %v5, %eps : (tensor<1x4x1xf32>, tensor<f32>) -> tensor<1x4x1xf32>
  %s5 = dfg.sqrt %e5 : (tensor<1x4x1xf32>) -> tensor<1x4x1xf32>
  %e = dfg.div %x, %s5 : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
  func.return %a, %b, %c, %v3, %d, %e : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x1xf32>, tensor<1x4x4xf32>, tensor<1x4x8xf32>
}
