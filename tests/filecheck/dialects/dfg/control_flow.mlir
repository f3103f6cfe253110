// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// An If's branches take the captured values as block arguments and read
// constants of the function directly; Ifs nest.

func.func @branches(%c: tensor<i1>, %x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %k = dfg.constant dense<2.0> : tensor<4xf32>
  %y = dfg.if %c, captures(%x) : (tensor<i1>, tensor<1x4xf32>) -> tensor<1x4xf32> then {
  ^bb0(%a: tensor<1x4xf32>):
    %r = dfg.relu %a : (tensor<1x4xf32>) -> tensor<1x4xf32>
    dfg.yield %r : tensor<1x4xf32>
  } else {
  ^bb0(%b: tensor<1x4xf32>):
    %m = dfg.mul %b, %k : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
    dfg.yield %m : tensor<1x4xf32>
  }
  func.return %y : tensor<1x4xf32>
}

// CHECK-LABEL: func.func @branches
// CHECK:       %y = dfg.if %c, captures(%x) : (tensor<i1>, tensor<1x4xf32>) -> tensor<1x4xf32> then {
// CHECK-NEXT:  ^bb0(%a: tensor<1x4xf32>):
// CHECK-NEXT:    %r = dfg.relu %a
// CHECK-NEXT:    dfg.yield %r : tensor<1x4xf32>
// CHECK-NEXT:  } else {
// CHECK-NEXT:  ^bb0(%b: tensor<1x4xf32>):
// CHECK-NEXT:    %m = dfg.mul %b, %k
// CHECK-NEXT:    dfg.yield %m : tensor<1x4xf32>
// CHECK-NEXT:  }

func.func @nested(%c: tensor<1xi1>, %d: tensor<i1>) -> (tensor<2xf32>, tensor<2xi64>) {
  %one = dfg.constant dense<1.0> : tensor<2xf32>
  %two = dfg.constant dense<2.0> : tensor<2xf32>
  %n = dfg.constant dense<[1, 2]> : tensor<2xi64>
  %y, %i = dfg.if %c, captures(%d) {stream = 1 : i64} : (tensor<1xi1>, tensor<i1>) -> (tensor<2xf32>, tensor<2xi64>) then {
  ^bb0(%d1: tensor<i1>):
    %z = dfg.if %d1 : (tensor<i1>) -> tensor<2xf32> then {
      dfg.yield %one : tensor<2xf32>
    } else {
      dfg.yield %two : tensor<2xf32>
    }
    dfg.yield %z, %n : tensor<2xf32>, tensor<2xi64>
  } else {
  ^bb0(%d2: tensor<i1>):
    dfg.yield %two, %n : tensor<2xf32>, tensor<2xi64>
  }
  func.return %y, %i : tensor<2xf32>, tensor<2xi64>
}

// CHECK-LABEL: func.func @nested
// CHECK:       %y, %i = dfg.if %c, captures(%d) {stream = 1 : i64} : (tensor<1xi1>, tensor<i1>) -> (tensor<2xf32>, tensor<2xi64>) then {
// CHECK-NEXT:  ^bb0(%d1: tensor<i1>):
// CHECK-NEXT:    %z = dfg.if %d1 : (tensor<i1>) -> tensor<2xf32> then {
// CHECK-NEXT:      dfg.yield %one : tensor<2xf32>
// CHECK-NEXT:    } else {
// CHECK-NEXT:      dfg.yield %two : tensor<2xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    dfg.yield %z, %n : tensor<2xf32>, tensor<2xi64>

// A loop's body takes the iteration number, the condition (when the loop has
// one), the carried values and the captured ones; its results are the carried
// values, then the scan outputs.

func.func @loop(%m: tensor<i64>, %c: tensor<i1>, %v0: tensor<2xf32>, %x: tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>) {
  %v, %s = dfg.loop trips(%m) while(%c) carried(%v0) captures(%x) {expected_trips = 4 : i64} : (tensor<i64>, tensor<i1>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>) body {
  ^bb0(%i: tensor<i64>, %go: tensor<i1>, %v_in: tensor<2xf32>, %x_in: tensor<2xf32>):
    %n = dfg.add %v_in, %x_in : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    dfg.yield %go, %n, %v_in : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }
  func.return %v, %s : tensor<2xf32>, tensor<4x2xf32>
}

// CHECK-LABEL: func.func @loop
// CHECK:       %v, %s = dfg.loop trips(%m) while(%c) carried(%v0) captures(%x) {expected_trips = 4 : i64} : (tensor<i64>, tensor<i1>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>) body {
// CHECK-NEXT:  ^bb0(%i: tensor<i64>, %go: tensor<i1>, %v_in: tensor<2xf32>, %x_in: tensor<2xf32>):
// CHECK-NEXT:    %n = dfg.add %v_in, %x_in
// CHECK-NEXT:    dfg.yield %go, %n, %v_in : tensor<i1>, tensor<2xf32>, tensor<2xf32>
// CHECK-NEXT:  }

func.func @while_only(%c: tensor<i1>, %v0: tensor<2xf32>) -> tensor<2xf32> {
  %v = dfg.loop while(%c) carried(%v0) : (tensor<i1>, tensor<2xf32>) -> tensor<2xf32> body {
  ^bb0(%i: tensor<i64>, %go: tensor<i1>, %v_in: tensor<2xf32>):
    %n = dfg.neg %v_in : (tensor<2xf32>) -> tensor<2xf32>
    dfg.yield %go, %n : tensor<i1>, tensor<2xf32>
  }
  func.return %v : tensor<2xf32>
}

// CHECK-LABEL: func.func @while_only
// CHECK:       %v = dfg.loop while(%c) carried(%v0) : (tensor<i1>, tensor<2xf32>) -> tensor<2xf32> body {
