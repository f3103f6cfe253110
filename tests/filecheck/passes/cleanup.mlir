// RUN: ramiel-opt %s -p cleanup | filecheck %s

// A light-model-like graph: weights spelled as ConstantOfShape, Conv +
// BatchNormalization, Dropout, the exporter's flatten and a Cast of a constant.

// CHECK-LABEL: func.func @net
func.func @net(%x: tensor<1x3x8x8xf32>) -> tensor<1x10xf32> {
  %w_shape = dfg.constant dense<[4, 3, 3, 3]> : tensor<4xi64>
  %w = dfg.constant_of_shape %w_shape {value = dense<0.02> : tensor<1xf32>} : (tensor<4xi64>) -> tensor<4x3x3x3xf32>
  %c = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %p_shape = dfg.constant dense<4> : tensor<1xi64>
  %scale = dfg.constant_of_shape %p_shape {value = dense<2.0> : tensor<1xf32>} : (tensor<1xi64>) -> tensor<4xf32>
  %bias = dfg.constant_of_shape %p_shape {value = dense<0.5> : tensor<1xf32>} : (tensor<1xi64>) -> tensor<4xf32>
  %mean = dfg.constant_of_shape %p_shape {value = dense<0.0> : tensor<1xf32>} : (tensor<1xi64>) -> tensor<4xf32>
  %var = dfg.constant_of_shape %p_shape {value = dense<1.0> : tensor<1xf32>} : (tensor<1xi64>) -> tensor<4xf32>
  %bn = dfg.batch_normalization %c, %scale, %bias, %mean, %var : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %r = dfg.relu %bn : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %d = dfg.dropout %r : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %s = dfg.shape %d : (tensor<1x4x8x8xf32>) -> tensor<4xi64>
  %zero = dfg.constant dense<0> : tensor<i64>
  %n = dfg.gather %s, %zero : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %axes = dfg.constant dense<0> : tensor<1xi64>
  %u = dfg.unsqueeze %n, %axes : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %minus = dfg.constant dense<-1> : tensor<1xi64>
  %cat = dfg.concat %u, %minus {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %flat = dfg.reshape %d, %cat : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x256xf32>
  %fc_shape = dfg.constant dense<[10, 256]> : tensor<2xi64>
  %fc_w = dfg.constant_of_shape %fc_shape {value = dense<0.01> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<10x256xf32>
  %fc_b64 = dfg.constant dense<0.5> : tensor<10xf64>
  %fc_b = dfg.cast %fc_b64 {to = 1 : i64} : (tensor<10xf64>) -> tensor<10xf32>
  %y = dfg.gemm %flat, %fc_w, %fc_b {transB = 1 : i64} : (tensor<1x256xf32>, tensor<10x256xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  func.return %y : tensor<1x10xf32>
}
// CHECK-NEXT:    %w = dfg.constant dense<0.03999{{[0-9]+}}> : tensor<4x3x3x3xf32>
// CHECK-NEXT:    %bias = dfg.constant dense<5.000000e-01> : tensor<4xf32>
// CHECK-NEXT:    %bn = dfg.conv %x, %w, %bias {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %r = dfg.relu %bn : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %cat = dfg.constant dense<[1, -1]> : tensor<2xi64>
// CHECK-NEXT:    %flat = dfg.reshape %r, %cat : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x256xf32>
// CHECK-NEXT:    %fc_w = dfg.constant dense<1.000000e-02> : tensor<10x256xf32>
// CHECK-NEXT:    %fc_b = dfg.constant dense<5.000000e-01> : tensor<10xf32>
// CHECK-NEXT:    %y = dfg.gemm %flat, %fc_w, %fc_b {transB = 1 : i64} : (tensor<1x256xf32>, tensor<10x256xf32>, tensor<10xf32>) -> tensor<1x10xf32>
// CHECK-NEXT:    func.return %y : tensor<1x10xf32>
