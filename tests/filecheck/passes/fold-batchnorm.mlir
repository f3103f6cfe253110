// RUN: ramiel-opt %s -p fold-batchnorm --split-input-file | filecheck %s

// With scale = [1, 2, 3, 4], var = 3 and epsilon = 1, s = scale / 2; with
// mean = bias = 1, the shift is bias - mean * s = 1 - s.

// CHECK-LABEL: func.func @conv_bn
func.func @conv_bn(%x: tensor<1x1x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w = dfg.constant dense<1.0> : tensor<4x1x1x1xf32>
  %c = dfg.conv %x, %w : (tensor<1x1x4x4xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x4x4xf32>
  %scale = dfg.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %bias = dfg.constant dense<1.0> : tensor<4xf32>
  %mean = dfg.constant dense<1.0> : tensor<4xf32>
  %var = dfg.constant dense<3.0> : tensor<4xf32>
  %y = dfg.batch_normalization %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  func.return %y : tensor<1x4x4x4xf32>
}
// CHECK-NEXT{LITERAL}: %w = dfg.constant dense<[[[[5.000000e-01]]], [[[1.000000e+00]]], [[[1.500000e+00]]], [[[2.000000e+00]]]]> : tensor<4x1x1x1xf32>
// CHECK-NEXT:    %bias = dfg.constant dense<[5.000000e-01, 0.000000e+00, -5.000000e-01, -1.000000e+00]> : tensor<4xf32>
// CHECK-NEXT:    %y = dfg.conv %x, %w, %bias : (tensor<1x1x4x4xf32>, tensor<4x1x1x1xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT:    func.return %y

// -----

// A Conv bias b becomes b * s + shift.

// CHECK-LABEL: func.func @conv_bias_bn
func.func @conv_bias_bn(%x: tensor<1x1x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w = dfg.constant dense<1.0> : tensor<4x1x1x1xf32>
  %b = dfg.constant dense<[2.0, 2.0, 2.0, 2.0]> : tensor<4xf32>
  %c = dfg.conv %x, %w, %b : (tensor<1x1x4x4xf32>, tensor<4x1x1x1xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %scale = dfg.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %bias = dfg.constant dense<1.0> : tensor<4xf32>
  %mean = dfg.constant dense<1.0> : tensor<4xf32>
  %var = dfg.constant dense<3.0> : tensor<4xf32>
  %y = dfg.batch_normalization %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  func.return %y : tensor<1x4x4x4xf32>
}
// CHECK:         %b = dfg.constant dense<[1.500000e+00, 2.000000e+00, 2.500000e+00, 3.000000e+00]> : tensor<4xf32>
// CHECK-NEXT:    %y = dfg.conv %x, %w, %b
// CHECK-NOT:     dfg.batch_normalization

// -----

// Not folded: the Conv result has another user, a parameter is not constant, or
// the weights are not constant.

// CHECK-LABEL: func.func @not_folded
func.func @not_folded(%x: tensor<1x1x4x4xf32>, %m: tensor<4xf32>, %v: tensor<4x1x1x1xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %w = dfg.constant dense<1.0> : tensor<4x1x1x1xf32>
  %scale = dfg.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %bias = dfg.constant dense<1.0> : tensor<4xf32>
  %mean = dfg.constant dense<1.0> : tensor<4xf32>
  %var = dfg.constant dense<3.0> : tensor<4xf32>
  %c1 = dfg.conv %x, %w : (tensor<1x1x4x4xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x4x4xf32>
  %y1 = dfg.batch_normalization %c1, %scale, %bias, %mean, %var : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %c2 = dfg.conv %x, %w : (tensor<1x1x4x4xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x4x4xf32>
  %y2 = dfg.batch_normalization %c2, %scale, %bias, %m, %var : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %c3 = dfg.conv %x, %v : (tensor<1x1x4x4xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x4x4xf32>
  %y3 = dfg.batch_normalization %c3, %scale, %bias, %mean, %var : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  func.return %c1, %y1, %y2, %y3 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}
// CHECK:         %y1 = dfg.batch_normalization %c1,
// CHECK:         %y2 = dfg.batch_normalization %c2,
// CHECK:         %y3 = dfg.batch_normalization %c3,

// -----

// Gemm: the columns of B (rows when transB) scale; C becomes beta * C * s + shift
// and beta becomes 1.

// CHECK-LABEL: func.func @gemm_bn
func.func @gemm_bn(%a: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %b = dfg.constant dense<1.0> : tensor<2x3xf32>
  %c = dfg.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %g = dfg.gemm %a, %b, %c {transB = 1 : i64, beta = 2.0 : f32} : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %scale = dfg.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %bias = dfg.constant dense<1.0> : tensor<2xf32>
  %mean = dfg.constant dense<1.0> : tensor<2xf32>
  %var = dfg.constant dense<3.0> : tensor<2xf32>
  %y = dfg.batch_normalization %g, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}
// CHECK-NEXT{LITERAL}: %b = dfg.constant dense<[[1.000000e+00, 1.000000e+00, 1.000000e+00], [2.000000e+00, 2.000000e+00, 2.000000e+00]]> : tensor<2x3xf32>
// CHECK-NEXT:    %c = dfg.constant dense<[2.000000e+00, 7.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:    %y = dfg.gemm %a, %b, %c {transB = 1 : i64} : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>

// -----

// A 2-D MatMul with a shift becomes a Gemm; a 3-D one folds a per-column Mul,
// but a BatchNormalization (channel axis 1) stays.

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<1x3xf32>, %a3: tensor<1x4x3xf32>) -> (tensor<1x2xf32>, tensor<1x4x2xf32>, tensor<1x4x2xf32>) {
  %b = dfg.constant dense<1.0> : tensor<3x2xf32>
  %m = dfg.mat_mul %a, %b : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  %scale = dfg.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %bias = dfg.constant dense<1.0> : tensor<2xf32>
  %mean = dfg.constant dense<1.0> : tensor<2xf32>
  %var = dfg.constant dense<3.0> : tensor<2xf32>
  %y = dfg.batch_normalization %m, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %m3 = dfg.mat_mul %a3, %b : (tensor<1x4x3xf32>, tensor<3x2xf32>) -> tensor<1x4x2xf32>
  %s3 = dfg.mul %m3, %scale : (tensor<1x4x2xf32>, tensor<2xf32>) -> tensor<1x4x2xf32>
  %n3 = dfg.mat_mul %a3, %b : (tensor<1x4x3xf32>, tensor<3x2xf32>) -> tensor<1x4x2xf32>
  %bn4 = dfg.constant dense<1.0> : tensor<4xf32>
  %y3 = dfg.batch_normalization %n3, %bn4, %bn4, %bn4, %bn4 : (tensor<1x4x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2xf32>
  func.return %y, %s3, %y3 : tensor<1x2xf32>, tensor<1x4x2xf32>, tensor<1x4x2xf32>
}
// CHECK:         %y = dfg.gemm %a, %b_1, %bias : (tensor<1x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
// CHECK:         %s3 = dfg.mat_mul %a3, %b_2 : (tensor<1x4x3xf32>, tensor<3x2xf32>) -> tensor<1x4x2xf32>
// CHECK:         %y3 = dfg.batch_normalization %n3,

// -----

// Mul and Add by per-channel constants fold into a Conv, and into a
// BatchNormalization (DenseNet's pre-activation layers).

// CHECK-LABEL: func.func @affine
func.func @affine(%x: tensor<1x1x4x4xf32>, %z: tensor<1x4x4x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %w = dfg.constant dense<1.0> : tensor<4x1x1x1xf32>
  %c = dfg.conv %x, %w : (tensor<1x1x4x4xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x4x4xf32>
  %k = dfg.constant dense<[[[1.0]], [[2.0]], [[3.0]], [[4.0]]]> : tensor<4x1x1xf32>
  %m = dfg.mul %k, %c : (tensor<4x1x1xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %t = dfg.constant dense<[[[[1.0]], [[1.0]], [[1.0]], [[1.0]]]]> : tensor<1x4x1x1xf32>
  %a = dfg.add %m, %t : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %one = dfg.constant dense<1.0> : tensor<4xf32>
  %n = dfg.batch_normalization %z, %one, %one, %one, %one : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %nm = dfg.mul %n, %k : (tensor<1x4x4x4xf32>, tensor<4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %na = dfg.add %t, %nm : (tensor<1x4x1x1xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  func.return %a, %na : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}
// CHECK-NEXT{LITERAL}: %w = dfg.constant dense<[[[[1.000000e+00]]], [[[2.000000e+00]]], [[[3.000000e+00]]], [[[4.000000e+00]]]]> : tensor<4x1x1x1xf32>
// CHECK-NEXT:    %t = dfg.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT:    %a = dfg.conv %x, %w, %t
// CHECK:         %[[SCALE:.*]] = dfg.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-NEXT:    %[[BIAS:.*]] = dfg.constant dense<[2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00]> : tensor<4xf32>
// CHECK-NEXT:    %na = dfg.batch_normalization %z, %[[SCALE]], %[[BIAS]], %one, %one
// CHECK-NOT:     dfg.mul
// CHECK-NOT:     dfg.add

// -----

// A Mul that varies along more than the channel axis stays.

// CHECK-LABEL: func.func @not_per_channel
func.func @not_per_channel(%x: tensor<1x1x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = dfg.constant dense<1.0> : tensor<4x1x1x1xf32>
  %c = dfg.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32>
  %k = dfg.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %m = dfg.mul %c, %k : (tensor<1x4x2x2xf32>, tensor<2x2xf32>) -> tensor<1x4x2x2xf32>
  func.return %m : tensor<1x4x2x2xf32>
}
// CHECK:         %m = dfg.mul %c, %k
