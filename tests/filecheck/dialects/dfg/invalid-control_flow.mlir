// RUN: ramiel-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Each chunk breaks one rule of dfg.if and dfg.yield.

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
// CHECK: the then branch's arguments must have the types of the captured values

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
// CHECK: the else branch yields (tensor<3xf32>), but the If gives (tensor<2xf32>)

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
// CHECK: 'dfg.yield' expects parent op 'dfg.if'
