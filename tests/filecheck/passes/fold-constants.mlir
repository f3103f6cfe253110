// RUN: ramiel-opt %s -p 'fold-constants{max-bytes=64}' --split-input-file | filecheck %s

// Folds below the limit happen; a result over it is left to run time.

// CHECK-LABEL: func.func @limit
func.func @limit() -> (tensor<16xf32>, tensor<17xf32>) {
  %a = dfg.constant dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0]> : tensor<16xf32>
  %b = dfg.constant dense<[16.0]> : tensor<1xf32>
  %small = dfg.neg %a : (tensor<16xf32>) -> tensor<16xf32>
  %big = dfg.concat %a, %b {axis = 0 : i64} : (tensor<16xf32>, tensor<1xf32>) -> tensor<17xf32>
  func.return %small, %big : tensor<16xf32>, tensor<17xf32>
}
// CHECK:         %small = dfg.constant dense<[-0.000000e+00, -1.000000e+00, {{.*}}, -1.500000e+01]> : tensor<16xf32>
// CHECK:         %big = dfg.concat %a, %b {axis = 0 : i64} : (tensor<16xf32>, tensor<1xf32>) -> tensor<17xf32>

// -----

// Splats are exempt from the limit: ConstantOfShape and data moved out of a splat.

// CHECK-LABEL: func.func @splats
func.func @splats() -> (tensor<64x64xf32>, tensor<64x64x1xf32>, tensor<64x64xf32>) {
  %shape = dfg.constant dense<64> : tensor<2xi64>
  %w = dfg.constant_of_shape %shape {value = dense<0.5> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<64x64xf32>
  %axes = dfg.constant dense<2> : tensor<1xi64>
  %u = dfg.unsqueeze %w, %axes : (tensor<64x64xf32>, tensor<1xi64>) -> tensor<64x64x1xf32>
  %t = dfg.transpose %w : (tensor<64x64xf32>) -> tensor<64x64xf32>
  func.return %w, %u, %t : tensor<64x64xf32>, tensor<64x64x1xf32>, tensor<64x64xf32>
}
// CHECK-NEXT:    %w = dfg.constant dense<5.000000e-01> : tensor<64x64xf32>
// CHECK-NEXT:    %u = dfg.constant dense<5.000000e-01> : tensor<64x64x1xf32>
// CHECK-NEXT:    %t = dfg.constant dense<5.000000e-01> : tensor<64x64xf32>
// CHECK-NEXT:    func.return %w, %u, %t

// -----

// Only folding: identities and reshape chains are canonicalize's.

// CHECK-LABEL: func.func @only_folds
func.func @only_folds(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %i = dfg.identity %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %i : tensor<2x3xf32>
}
// CHECK-NEXT:    %i = dfg.identity %x

// -----

// A scalar result folds to a scalar constant, which its reader still verifies with.

// CHECK-LABEL: func.func @scalar
func.func @scalar() -> tensor<f32> {
  %shape = dfg.constant dense<[2, 4, 8, 16]> : tensor<4xi64>
  %index = dfg.constant dense<3> : tensor<i64>
  %size = dfg.gather %shape, %index : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %c = dfg.cast %size {to = 1 : i64} : (tensor<i64>) -> tensor<f32>
  func.return %c : tensor<f32>
}
// CHECK:         %c = dfg.constant dense<1.600000e+01> : tensor<f32>
// CHECK-NEXT:    func.return %c : tensor<f32>
