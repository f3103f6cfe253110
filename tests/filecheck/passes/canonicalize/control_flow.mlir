// RUN: ramiel-opt %s -p canonicalize --split-input-file | filecheck %s

// An If on a constant condition is the branch it selects.

// CHECK-LABEL: func.func @constant_true
// CHECK-NEXT:    %r = dfg.relu %x
// CHECK-NEXT:    func.return %r
func.func @constant_true(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %c = dfg.constant dense<true> : tensor<i1>
  %y = dfg.if %c, captures(%x) : (tensor<i1>, tensor<1x4xf32>) -> tensor<1x4xf32> then {
  ^bb0(%a: tensor<1x4xf32>):
    %r = dfg.relu %a : (tensor<1x4xf32>) -> tensor<1x4xf32>
    dfg.yield %r : tensor<1x4xf32>
  } else {
  ^bb0(%b: tensor<1x4xf32>):
    %t = dfg.tanh %b : (tensor<1x4xf32>) -> tensor<1x4xf32>
    dfg.yield %t : tensor<1x4xf32>
  }
  func.return %y : tensor<1x4xf32>
}

// -----

// CHECK-LABEL: func.func @constant_false
// CHECK-NEXT:    %t = dfg.tanh %x
// CHECK-NEXT:    func.return %t
func.func @constant_false(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %c = dfg.constant dense<false> : tensor<1xi1>
  %y = dfg.if %c, captures(%x) : (tensor<1xi1>, tensor<1x4xf32>) -> tensor<1x4xf32> then {
  ^bb0(%a: tensor<1x4xf32>):
    %r = dfg.relu %a : (tensor<1x4xf32>) -> tensor<1x4xf32>
    dfg.yield %r : tensor<1x4xf32>
  } else {
  ^bb0(%b: tensor<1x4xf32>):
    %t = dfg.tanh %b : (tensor<1x4xf32>) -> tensor<1x4xf32>
    dfg.yield %t : tensor<1x4xf32>
  }
  func.return %y : tensor<1x4xf32>
}

// -----

// A condition computed from the inputs keeps the If; constants leave its
// branches, and a captured value no branch reads is dropped.

// CHECK-LABEL: func.func @data_condition
// CHECK-NEXT:    %k = dfg.constant dense<2.000000e+00> : tensor<4xf32>
// CHECK-NEXT:    %y = dfg.if %c, captures(%x) : (tensor<i1>, tensor<1x4xf32>) -> tensor<1x4xf32> then {
// CHECK-NEXT:    ^bb0(%a: tensor<1x4xf32>):
// CHECK-NEXT:      %r = dfg.relu %a
// CHECK-NEXT:      dfg.yield %r
// CHECK-NEXT:    } else {
// CHECK-NEXT:    ^bb0(%b: tensor<1x4xf32>):
// CHECK-NEXT:      %m = dfg.mul %b, %k
// CHECK-NEXT:      dfg.yield %m
// CHECK-NEXT:    }
func.func @data_condition(%c: tensor<i1>, %x: tensor<1x4xf32>, %unread: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = dfg.if %c, captures(%x, %unread) : (tensor<i1>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> then {
  ^bb0(%a: tensor<1x4xf32>, %u1: tensor<1x4xf32>):
    %r = dfg.relu %a : (tensor<1x4xf32>) -> tensor<1x4xf32>
    dfg.yield %r : tensor<1x4xf32>
  } else {
  ^bb0(%b: tensor<1x4xf32>, %u2: tensor<1x4xf32>):
    %k = dfg.constant dense<2.0> : tensor<4xf32>
    %m = dfg.mul %b, %k : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
    dfg.yield %m : tensor<1x4xf32>
  }
  func.return %y : tensor<1x4xf32>
}

// -----

// A captured value one branch reads stays, and so does an If whose result is used.

// CHECK-LABEL: func.func @read_by_one_branch
// CHECK:         dfg.if %c, captures(%x, %z) : (tensor<i1>, tensor<1x4xf32>, tensor<1x4xf32>)
// CHECK:         ^bb0(%a: tensor<1x4xf32>, %z1: tensor<1x4xf32>):
// CHECK:         ^bb0(%b: tensor<1x4xf32>, %z2: tensor<1x4xf32>):
// CHECK-NEXT:      dfg.yield %z2
func.func @read_by_one_branch(%c: tensor<i1>, %x: tensor<1x4xf32>, %z: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = dfg.if %c, captures(%x, %z) : (tensor<i1>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> then {
  ^bb0(%a: tensor<1x4xf32>, %z1: tensor<1x4xf32>):
    dfg.yield %a : tensor<1x4xf32>
  } else {
  ^bb0(%b: tensor<1x4xf32>, %z2: tensor<1x4xf32>):
    dfg.yield %z2 : tensor<1x4xf32>
  }
  func.return %y : tensor<1x4xf32>
}
