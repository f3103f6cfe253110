// RUN: ramiel-opt %s -p canonicalize --split-input-file | filecheck %s

// Identity and inference Dropout disappear; a used mask is all true.

// CHECK-LABEL: func.func @identity_dropout
func.func @identity_dropout(%x: tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xi1>) {
  %i = dfg.identity %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %r = dfg.relu %i : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %d = dfg.dropout %r : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %ratio = dfg.constant dense<0.5> : tensor<f32>
  %off = dfg.constant dense<false> : tensor<i1>
  %e, %mask = dfg.dropout %d, %ratio, %off : (tensor<1x8xf32>, tensor<f32>, tensor<i1>) -> (tensor<1x8xf32>, tensor<1x8xi1>)
  %s = dfg.sigmoid %e : (tensor<1x8xf32>) -> tensor<1x8xf32>
  func.return %d, %s, %mask : tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xi1>
}
// CHECK-NEXT:    %r = dfg.relu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
// CHECK-NEXT:    %mask = dfg.constant dense<true> : tensor<1x8xi1>
// CHECK-NEXT:    %s = dfg.sigmoid %r : (tensor<1x8xf32>) -> tensor<1x8xf32>
// CHECK-NEXT:    func.return %r, %s, %mask

// -----

// A training-mode Dropout, or one whose mode is not a constant, stays.

// CHECK-LABEL: func.func @training_dropout
func.func @training_dropout(%x: tensor<1x8xf32>, %mode: tensor<i1>) -> (tensor<1x8xf32>, tensor<1x8xf32>) {
  %ratio = dfg.constant dense<0.5> : tensor<f32>
  %on = dfg.constant dense<true> : tensor<i1>
  %a = dfg.dropout %x, %ratio, %on : (tensor<1x8xf32>, tensor<f32>, tensor<i1>) -> tensor<1x8xf32>
  %b = dfg.dropout %x, %ratio, %mode : (tensor<1x8xf32>, tensor<f32>, tensor<i1>) -> tensor<1x8xf32>
  func.return %a, %b : tensor<1x8xf32>, tensor<1x8xf32>
}
// CHECK:         %a = dfg.dropout %x, %ratio, %on
// CHECK:         %b = dfg.dropout %x, %ratio, %mode

// -----

// Ops that change nothing disappear.

// CHECK-LABEL: func.func @no_ops
func.func @no_ops(%x: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<2x3xf32> {
  %shape = dfg.constant dense<[2, 3]> : tensor<2xi64>
  %a = dfg.reshape %x, %shape : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %b = dfg.cast %a {to = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = dfg.transpose %b {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %pads = dfg.constant dense<0> : tensor<4xi64>
  %d = dfg.pad %c, %pads : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<2x3xf32>
  %starts = dfg.constant dense<0> : tensor<1xi64>
  %ends = dfg.constant dense<100> : tensor<1xi64>
  %axes = dfg.constant dense<1> : tensor<1xi64>
  %e = dfg.slice %d, %starts, %ends, %axes : (tensor<2x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x3xf32>
  %f = dfg.expand %e, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %g = dfg.flatten %f : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %h = dfg.concat %g {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %i = dfg.sum %h : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %reps = dfg.constant dense<1> : tensor<2xi64>
  %j = dfg.tile %i, %reps : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  func.return %j : tensor<2x3xf32>
}
// CHECK-NEXT:    func.return %x : tensor<2x3xf32>

// -----

// Same shape, but not the same values: these stay.

// CHECK-LABEL: func.func @not_no_ops
func.func @not_no_ops(%x: tensor<3x3xf32>, %p: tensor<4xi64>) -> (tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xi32>) {
  %t = dfg.transpose %x {perm = array<i64: 1, 0>} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  %starts = dfg.constant dense<-1> : tensor<1xi64>
  %ends = dfg.constant dense<-100> : tensor<1xi64>
  %axes = dfg.constant dense<0> : tensor<1xi64>
  %steps = dfg.constant dense<-1> : tensor<1xi64>
  %reversed = dfg.slice %x, %starts, %ends, %axes, %steps : (tensor<3x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3x3xf32>
  %shifted = dfg.pad %x, %p : (tensor<3x3xf32>, tensor<4xi64>) -> tensor<3x3xf32>
  %cast = dfg.cast %x {to = 6 : i64} : (tensor<3x3xf32>) -> tensor<3x3xi32>
  func.return %t, %reversed, %shifted, %cast : tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xi32>
}
// CHECK:         %t = dfg.transpose %x
// CHECK:         %reversed = dfg.slice %x
// CHECK:         %shifted = dfg.pad %x, %p
// CHECK:         %cast = dfg.cast %x
