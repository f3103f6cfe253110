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

// -----

// The work of a loop body that reads no value the iteration changes moves in
// front of the loop, constants included, and the body captures its results;
// what depends on the iteration number or a carried value stays; a captured
// value that nothing reads any more is dropped.

// CHECK-LABEL: func.func @invariants
// CHECK:         %k = dfg.constant
// CHECK-NEXT:    %e = dfg.exp %x
// CHECK-NEXT:    %e2 = dfg.mul %e, %k
// CHECK-NEXT:    %v, %s = dfg.loop trips(%m) carried(%v0) captures(%e2) : (tensor<i64>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) body {
// CHECK-NEXT:    ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>, %e2_1: tensor<2xf32>):
// CHECK-NEXT:      %f = dfg.cast %i
// CHECK-NEXT:      %e3 = dfg.mul %e2_1, %f
// CHECK-NEXT:      %next = dfg.add %v_in, %e3
// CHECK-NEXT:      dfg.yield %next, %v_in
func.func @invariants(%m: tensor<i64>, %v0: tensor<2xf32>, %x: tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  %v, %s = dfg.loop trips(%m) carried(%v0) captures(%x) : (tensor<i64>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>, %x_in: tensor<2xf32>):
    %k = dfg.constant dense<2.0> : tensor<2xf32>
    %f = dfg.cast %i {to = 1 : i64} : (tensor<i64>) -> tensor<f32>
    %e = dfg.exp %x_in : (tensor<2xf32>) -> tensor<2xf32>
    %e2 = dfg.mul %e, %k : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %e3 = dfg.mul %e2, %f : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
    %next = dfg.add %v_in, %e3 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    dfg.yield %next, %v_in : tensor<2xf32>, tensor<2xf32>
  }
  func.return %v, %s : tensor<2xf32>, tensor<3x2xf32>
}

// -----

// Nothing moves out of a body whose every op depends on the iteration.

// CHECK-LABEL: func.func @variant
// CHECK-NEXT:    %v = dfg.loop trips(%m) carried(%v0) captures(%x)
// CHECK-NEXT:    ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>, %x_in: tensor<2xf32>):
// CHECK-NEXT:      %n = dfg.add %v_in, %x_in
// CHECK-NEXT:      %r = dfg.relu %n
// CHECK-NEXT:      dfg.yield %r
func.func @variant(%m: tensor<i64>, %v0: tensor<2xf32>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %v = dfg.loop trips(%m) carried(%v0) captures(%x) : (tensor<i64>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>, %x_in: tensor<2xf32>):
    %n = dfg.add %v_in, %x_in : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %r = dfg.relu %n : (tensor<2xf32>) -> tensor<2xf32>
    dfg.yield %r : tensor<2xf32>
  }
  func.return %v : tensor<2xf32>
}
