// RUN: ramiel-opt %s -p canonicalize --split-input-file | filecheck %s

// An Unsqueeze undone by a Squeeze, and the reverse, disappear.

// CHECK-LABEL: func.func @squeeze_pairs
func.func @squeeze_pairs(%x: tensor<4x5xf32>, %y: tensor<4x1x5xf32>) -> (tensor<4x5xf32>, tensor<4x1x5xf32>) {
  %axes = dfg.constant dense<1> : tensor<1xi64>
  %u = dfg.unsqueeze %x, %axes : (tensor<4x5xf32>, tensor<1xi64>) -> tensor<4x1x5xf32>
  %s = dfg.squeeze %u, %axes : (tensor<4x1x5xf32>, tensor<1xi64>) -> tensor<4x5xf32>
  %s2 = dfg.squeeze %y, %axes : (tensor<4x1x5xf32>, tensor<1xi64>) -> tensor<4x5xf32>
  %u2 = dfg.unsqueeze %s2, %axes : (tensor<4x5xf32>, tensor<1xi64>) -> tensor<4x1x5xf32>
  func.return %s, %u2 : tensor<4x5xf32>, tensor<4x1x5xf32>
}
// CHECK-NEXT:    func.return %x, %y : tensor<4x5xf32>, tensor<4x1x5xf32>

// -----

// A chain of reshape-like ops becomes one Reshape with a constant shape; a
// Reshape-of-Reshape too, whatever its shape operands were.

// CHECK-LABEL: func.func @reshape_chains
func.func @reshape_chains(%x: tensor<1x64x1x1xf32>, %y: tensor<2x3x4xf32>) -> (tensor<1x1x64xf32>, tensor<4x6xf32>) {
  %f = dfg.flatten %x : (tensor<1x64x1x1xf32>) -> tensor<1x64xf32>
  %axes = dfg.constant dense<0> : tensor<1xi64>
  %u = dfg.unsqueeze %f, %axes : (tensor<1x64xf32>, tensor<1xi64>) -> tensor<1x1x64xf32>
  %s1 = dfg.constant dense<[6, 4]> : tensor<2xi64>
  %r1 = dfg.reshape %y, %s1 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %s2 = dfg.constant dense<[4, -1]> : tensor<2xi64>
  %r2 = dfg.reshape %r1, %s2 : (tensor<6x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  func.return %u, %r2 : tensor<1x1x64xf32>, tensor<4x6xf32>
}
// CHECK-NEXT:    %u_shape = dfg.constant dense<[1, 1, 64]> : tensor<3xi64>
// CHECK-NEXT:    %u = dfg.reshape %x, %u_shape : (tensor<1x64x1x1xf32>, tensor<3xi64>) -> tensor<1x1x64xf32>
// CHECK-NEXT:    %r2_shape = dfg.constant dense<[4, 6]> : tensor<2xi64>
// CHECK-NEXT:    %r2 = dfg.reshape %y, %r2_shape : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
// CHECK-NEXT:    func.return %u, %r2

// -----

// A reshape whose intermediate result has another user keeps it; a single
// reshape-like op that is not a no-op stays as written.

// CHECK-LABEL: func.func @reshape_kept
func.func @reshape_kept(%x: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<24xf32>, tensor<2x12xf32>) {
  %s1 = dfg.constant dense<[6, 4]> : tensor<2xi64>
  %r1 = dfg.reshape %x, %s1 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %s2 = dfg.constant dense<24> : tensor<1xi64>
  %r2 = dfg.reshape %r1, %s2 : (tensor<6x4xf32>, tensor<1xi64>) -> tensor<24xf32>
  %f = dfg.flatten %x : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  func.return %r1, %r2, %f : tensor<6x4xf32>, tensor<24xf32>, tensor<2x12xf32>
}
// CHECK-NEXT:    %s1 = dfg.constant dense<[6, 4]> : tensor<2xi64>
// CHECK-NEXT:    %r1 = dfg.reshape %x, %s1 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
// CHECK-NEXT:    %r2_shape = dfg.constant dense<24> : tensor<1xi64>
// CHECK-NEXT:    %r2 = dfg.reshape %x, %r2_shape : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<24xf32>
// CHECK-NEXT:    %f = dfg.flatten %x : (tensor<2x3x4xf32>) -> tensor<2x12xf32>

// -----

// A Reshape or Expand whose shape is computed takes its static result shape.

// CHECK-LABEL: func.func @computed_shape
func.func @computed_shape(%x: tensor<1x4x4xf32>, %n: tensor<1xi64>, %b: tensor<1x4xf32>) -> (tensor<1x16xf32>, tensor<3x4xf32>) {
  %m = dfg.constant dense<-1> : tensor<1xi64>
  %c = dfg.concat %n, %m {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %y = dfg.reshape %x, %c : (tensor<1x4x4xf32>, tensor<2xi64>) -> tensor<1x16xf32>
  %three = dfg.constant dense<3> : tensor<1xi64>
  %four = dfg.constant dense<1> : tensor<1xi64>
  %rows = dfg.add %n, %three : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s = dfg.concat %rows, %four {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %e = dfg.expand %b, %s : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  func.return %y, %e : tensor<1x16xf32>, tensor<3x4xf32>
}
// CHECK-NEXT:    %y_shape = dfg.constant dense<[1, 16]> : tensor<2xi64>
// CHECK-NEXT:    %y = dfg.reshape %x, %y_shape : (tensor<1x4x4xf32>, tensor<2xi64>) -> tensor<1x16xf32>
// CHECK-NEXT:    %e_shape = dfg.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-NEXT:    %e = dfg.expand %b, %e_shape : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<3x4xf32>
// CHECK-NEXT:    func.return %y, %e

// -----

// Transposes that cancel disappear; others compose into one.

// CHECK-LABEL: func.func @transposes
func.func @transposes(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x2x3xf32>, tensor<4x3x2xf32>) {
  %a = dfg.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  %b = dfg.transpose %a {perm = array<i64: 0, 2, 1>} : (tensor<2x4x3xf32>) -> tensor<2x3x4xf32>
  %c = dfg.transpose %a {perm = array<i64: 1, 0, 2>} : (tensor<2x4x3xf32>) -> tensor<4x2x3xf32>
  %d = dfg.transpose %x : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  %e = dfg.transpose %d {perm = array<i64: 0, 1, 2>} : (tensor<4x3x2xf32>) -> tensor<4x3x2xf32>
  func.return %b, %c, %e : tensor<2x3x4xf32>, tensor<4x2x3xf32>, tensor<4x3x2xf32>
}
// CHECK-NEXT:    %c = dfg.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT:    %d = dfg.transpose %x : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
// CHECK-NEXT:    func.return %x, %c, %d

// -----

// A Transpose between two reshapes (a channel shuffle) changes the layout: kept.

// CHECK-LABEL: func.func @shuffle
func.func @shuffle(%x: tensor<1x6x2x2xf32>) -> tensor<1x6x2x2xf32> {
  %s1 = dfg.constant dense<[1, 2, 3, 2, 2]> : tensor<5xi64>
  %a = dfg.reshape %x, %s1 : (tensor<1x6x2x2xf32>, tensor<5xi64>) -> tensor<1x2x3x2x2xf32>
  %b = dfg.transpose %a {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x3x2x2xf32>) -> tensor<1x3x2x2x2xf32>
  %s2 = dfg.constant dense<[1, 6, 2, 2]> : tensor<4xi64>
  %c = dfg.reshape %b, %s2 : (tensor<1x3x2x2x2xf32>, tensor<4xi64>) -> tensor<1x6x2x2xf32>
  func.return %c : tensor<1x6x2x2xf32>
}
// CHECK:         %a = dfg.reshape %x, %s1
// CHECK-NEXT:    %b = dfg.transpose %a
// CHECK:         %c = dfg.reshape %b, %s2
