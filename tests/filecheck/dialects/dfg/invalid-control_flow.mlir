// RUN: ramiel-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Each chunk breaks one rule of dfg.if, dfg.loop and dfg.yield.

func.func @f(%c: tensor<2xi1>) -> tensor<2xf32> {
  %k = dfg.constant dense<1.0> : tensor<2xf32>
  %y = dfg.if %c : (tensor<2xi1>) -> tensor<2xf32> then {
    dfg.yield %k : tensor<2xf32>
  } else {
    dfg.yield %k : tensor<2xf32>
  }
  func.return %y : tensor<2xf32>
}
// CHECK: the condition must be a bool tensor of one element, got tensor<2xi1>

// -----

func.func @f(%c: tensor<f32>) -> tensor<2xf32> {
  %k = dfg.constant dense<1.0> : tensor<2xf32>
  %y = dfg.if %c : (tensor<f32>) -> tensor<2xf32> then {
    dfg.yield %k : tensor<2xf32>
  } else {
    dfg.yield %k : tensor<2xf32>
  }
  func.return %y : tensor<2xf32>
}
// CHECK: the condition must be a bool tensor of one element, got tensor<f32>

// -----

func.func @f(%c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %y = dfg.if %c, captures(%x) : (tensor<i1>, tensor<2xf32>) -> tensor<2xf32> then {
  ^bb0(%a: tensor<3xf32>):
    dfg.yield %x : tensor<2xf32>
  } else {
  ^bb0(%b: tensor<2xf32>):
    dfg.yield %b : tensor<2xf32>
  }
  func.return %y : tensor<2xf32>
}
// CHECK: the then branch's arguments must have the types (tensor<2xf32>)

// -----

func.func @f(%c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %k = dfg.constant dense<1.0> : tensor<3xf32>
  %y = dfg.if %c, captures(%x) : (tensor<i1>, tensor<2xf32>) -> tensor<2xf32> then {
  ^bb0(%a: tensor<2xf32>):
    dfg.yield %a : tensor<2xf32>
  } else {
  ^bb0(%b: tensor<2xf32>):
    dfg.yield %k : tensor<3xf32>
  }
  func.return %y : tensor<2xf32>
}
// CHECK: the else branch yields (tensor<3xf32>), but must yield (tensor<2xf32>)

// -----

func.func @f(%c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %y = dfg.if %c : (tensor<i1>) -> tensor<2xf32> then {
    %r = dfg.relu %x : (tensor<2xf32>) -> tensor<2xf32>
    dfg.yield %r : tensor<2xf32>
  } else {
    dfg.yield %x : tensor<2xf32>
  }
  func.return %y : tensor<2xf32>
}
// CHECK: the then branch reads %x from outside without capturing it

// -----

func.func @f(%c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %y = dfg.if %c, captures(%x) : (tensor<i1>, tensor<2xf32>) -> tensor<2xf32> then {
  ^bb0(%a: tensor<2xf32>):
    %r = dfg.relu %a : (tensor<2xf32>) -> tensor<2xf32>
  } else {
  ^bb0(%b: tensor<2xf32>):
    dfg.yield %b : tensor<2xf32>
  }
  func.return %y : tensor<2xf32>
}
// CHECK: the then branch must end with dfg.yield

// -----

func.func @f(%c: tensor<i1>) {
  dfg.if %c : (tensor<i1>) -> () then {
    dfg.yield
  } else {
    dfg.yield
  }
  func.return
}
// CHECK: an If has at least one result

// -----

func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  dfg.yield %x : tensor<2xf32>
}
// CHECK: 'dfg.yield' expects parent op 'dfg.if' or 'dfg.loop'

// -----

func.func @f(%v0: tensor<2xf32>) -> tensor<2xf32> {
  %v = dfg.loop carried(%v0) : (tensor<2xf32>) -> tensor<2xf32> body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>):
    dfg.yield %v_in : tensor<2xf32>
  }
  func.return %v : tensor<2xf32>
}
// CHECK: a Loop without trip count or condition never ends

// -----

func.func @f(%m: tensor<2xi64>, %v0: tensor<2xf32>) -> tensor<2xf32> {
  %v = dfg.loop trips(%m) carried(%v0) : (tensor<2xi64>, tensor<2xf32>) -> tensor<2xf32> body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>):
    dfg.yield %v_in : tensor<2xf32>
  }
  func.return %v : tensor<2xf32>
}
// CHECK: the trip count must be an i64 tensor of one element, got tensor<2xi64>

// -----

func.func @f(%c: tensor<f32>, %v0: tensor<2xf32>) -> tensor<2xf32> {
  %v = dfg.loop while(%c) carried(%v0) : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32> body {
  ^bb0(%i: tensor<i64>, %c_in: tensor<f32>, %v_in: tensor<2xf32>):
    dfg.yield %c_in, %v_in : tensor<f32>, tensor<2xf32>
  }
  func.return %v : tensor<2xf32>
}
// CHECK: the condition must be a bool tensor of one element, got tensor<f32>

// -----

func.func @f(%m: tensor<i64>, %v0: tensor<2xf32>) -> tensor<3xf32> {
  %v = dfg.loop trips(%m) carried(%v0) : (tensor<i64>, tensor<2xf32>) -> tensor<3xf32> body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>):
    dfg.yield %v_in : tensor<2xf32>
  }
  func.return %v : tensor<3xf32>
}
// CHECK: the carried values (tensor<2xf32>) must start the results, got (tensor<3xf32>)

// -----

func.func @f(%m: tensor<i64>, %v0: tensor<2xf32>) -> tensor<2xf32> {
  %v = dfg.loop trips(%m) carried(%v0) : (tensor<i64>, tensor<2xf32>) -> tensor<2xf32> body {
  ^bb0(%i: tensor<f32>, %v_in: tensor<2xf32>):
    dfg.yield %v_in : tensor<2xf32>
  }
  func.return %v : tensor<2xf32>
}
// CHECK: the body's first argument must be the iteration number, an i64 tensor of one element

// -----

func.func @f(%m: tensor<i64>, %v0: tensor<2xf32>) -> tensor<2xf32> {
  %v = dfg.loop trips(%m) carried(%v0) : (tensor<i64>, tensor<2xf32>) -> tensor<2xf32> body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<3xf32>):
    dfg.yield %v0 : tensor<2xf32>
  }
  func.return %v : tensor<2xf32>
}
// CHECK: the body's arguments must have the types (tensor<i64>, tensor<2xf32>)

// -----

func.func @f(%m: tensor<i64>, %v0: tensor<2xf32>) -> (tensor<2xf32>, tensor<4x3xf32>) {
  %v, %s = dfg.loop trips(%m) carried(%v0) : (tensor<i64>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x3xf32>) body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>):
    dfg.yield %v_in, %v_in : tensor<2xf32>, tensor<2xf32>
  }
  func.return %v, %s : tensor<2xf32>, tensor<4x3xf32>
}
// CHECK: the scan output tensor<4x3xf32> does not stack slices tensor<2xf32>

// -----

func.func @f(%m: tensor<i64>, %v0: tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>) {
  %v, %s = dfg.loop trips(%m) carried(%v0) : (tensor<i64>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>) body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>):
    dfg.yield %v_in : tensor<2xf32>
  }
  func.return %v, %s : tensor<2xf32>, tensor<4x2xf32>
}
// CHECK: the body yields 0 scan slices for 1 scan outputs

// -----

func.func @f(%m: tensor<i64>, %v0: tensor<2xf32>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %v = dfg.loop trips(%m) carried(%v0) : (tensor<i64>, tensor<2xf32>) -> tensor<2xf32> body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>):
    %n = dfg.add %v_in, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    dfg.yield %n : tensor<2xf32>
  }
  func.return %v : tensor<2xf32>
}
// CHECK: the body reads %x from outside without capturing it

// -----

func.func @f(%m: tensor<i64>, %v0: tensor<2xf32>) -> tensor<2xf32> {
  %v = dfg.loop trips(%m) carried(%v0) : (tensor<i64>, tensor<2xf32>) -> tensor<2xf32> body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<2xf32>):
    %n = dfg.relu %v_in : (tensor<2xf32>) -> tensor<2xf32>
  }
  func.return %v : tensor<2xf32>
}
// CHECK: the body must end with dfg.yield
