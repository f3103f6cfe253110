// RUN: ramiel-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Each chunk breaks one rule of the pyemit verifiers (the streams rules are
// tested with the streams dialect).

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    %y = pyemit.call "torch.relu({0}, {1})"(%x) : (tensor<4xf32>) -> tensor<4xf32>
    streams.output %y {index = 0}
  }
}
// CHECK: expression refers to operand 1, but the call has 1

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    %y = pyemit.call "torch.relu({0})"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    streams.output %y {index = 0}
  }
}
// CHECK: operand 1 does not appear in the expression

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    %y = pyemit.call "{0}); import os; (1"(%x) : (tensor<4xf32>) -> tensor<4xf32>
    streams.output %y {index = 0}
  }
}
// CHECK: the expression is not a Python expression

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    %y = pyemit.call "f({0})"(%x) {helpers = ["os.system"]} : (tensor<4xf32>) -> tensor<4xf32>
    streams.output %y {index = 0}
  }
}
// CHECK: helper name 'os.system' is not an identifier

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %w = pyemit.weight "w" = dense<1.0> : tensor<4xf32>
}
// CHECK: a pyemit.module needs at least one stream

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %a = pyemit.weight "w" = dense<1.0> : tensor<4xf32>
  %b = pyemit.weight "w" = dense<2.0> : tensor<4xf32>
  streams.stream 0 {
    streams.output %a {index = 0}
  }
}
// CHECK: weight 'w' is defined twice

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %w = pyemit.weight "" = dense<1.0> : tensor<4xf32>
  streams.stream 0 {
    streams.output %w {index = 0}
  }
}
// CHECK: a weight needs a non-empty name

// -----

// The generated Model registers every weight as a buffer of its name: a name
// that is no identifier, starts with '_' or is a torch.nn.Module attribute cannot be one.
pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %w = pyemit.weight "conv.w" = dense<1.0> : tensor<4xf32>
  streams.stream 0 {
    streams.output %w {index = 0}
  }
}
// CHECK: weight name 'conv.w' cannot name a buffer of the generated Model

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %w = pyemit.weight "_weights" = dense<1.0> : tensor<4xf32>
  streams.stream 0 {
    streams.output %w {index = 0}
  }
}
// CHECK: weight name '_weights' cannot name a buffer of the generated Model

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %w = pyemit.weight "state_dict" = dense<1.0> : tensor<4xf32>
  streams.stream 0 {
    streams.output %w {index = 0}
  }
}
// CHECK: weight name 'state_dict' cannot name a buffer of the generated Model

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %w = dfg.constant dense<1.0> : tensor<4xf32>
  streams.stream 0 {
    streams.output %w {index = 0}
  }
}
// CHECK: 'dfg.constant' cannot be a top-level op of pyemit.module

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %w = pyemit.weight "w" = dense<1.0> : tensor<4xf32> {prepare = "{0}.contiguous()", helpers = ["os.path"]}
  streams.stream 0 {
    streams.output %w {index = 0}
  }
}
// CHECK: helper name 'os.path' is not an identifier

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = pyemit.call "torch.relu({0})"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
// CHECK: 'pyemit.call' expects parent op to be one of 'streams.stream', 'pyemit.if'

// -----

func.func @f() -> tensor<4xf32> {
  %w = pyemit.weight "w" = dense<1.0> : tensor<4xf32>
  func.return %w : tensor<4xf32>
}
// CHECK: 'pyemit.weight' expects parent op 'pyemit.module'

// -----

pyemit.module "m" inputs("c" : tensor<i1>, "x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  streams.stream 0 {
    %c = streams.input {index = 0} : tensor<i1>
    %x = streams.input {index = 1} : tensor<4xf32>
    %y = pyemit.if %c : (tensor<i1>) -> tensor<4xf32> then {
      pyemit.yield %x : tensor<4xf32>
    } else {
      pyemit.yield %x : tensor<4xf32>
    }
    streams.output %y {index = 0}
  }
}
// CHECK: the then branch reads %x from outside without capturing it

// -----

func.func @f(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %y = pyemit.if %c, captures(%x) : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32> then {
  ^bb0(%a: tensor<4xf32>):
    pyemit.yield %a : tensor<4xf32>
  } else {
  ^bb0(%b: tensor<4xf32>):
    pyemit.yield %b : tensor<4xf32>
  }
  func.return %y : tensor<4xf32>
}
// CHECK: 'pyemit.if' expects parent op 'streams.stream', 'pyemit.if' or 'pyemit.loop'

// -----

pyemit.module "m" inputs("c" : tensor<i1>, "x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  streams.stream 0 {
    %c = streams.input {index = 0} : tensor<i1>
    %x = streams.input {index = 1} : tensor<4xf32>
    %y = pyemit.if %c, captures(%x) : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32> then {
    ^bb0(%a: tensor<4xf32>):
      dfg.yield %a : tensor<4xf32>
    } else {
    ^bb0(%b: tensor<4xf32>):
      pyemit.yield %b : tensor<4xf32>
    }
    streams.output %y {index = 0}
  }
}
// CHECK: the then branch must end with pyemit.yield

// -----

func.func @f(%m: tensor<i64>, %v0: tensor<4xf32>) -> tensor<4xf32> {
  %v = pyemit.loop trips(%m) carried(%v0) : (tensor<i64>, tensor<4xf32>) -> tensor<4xf32> body {
  ^bb0(%i: tensor<i64>, %v_in: tensor<4xf32>):
    pyemit.yield %v_in : tensor<4xf32>
  }
  func.return %v : tensor<4xf32>
}
// CHECK: 'pyemit.loop' expects parent op 'streams.stream', 'pyemit.if' or 'pyemit.loop'

// -----

pyemit.module "m" inputs("m" : tensor<i64>, "x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  streams.stream 0 {
    %m = streams.input {index = 0} : tensor<i64>
    %x = streams.input {index = 1} : tensor<4xf32>
    %y = pyemit.loop trips(%m) carried(%x) : (tensor<i64>, tensor<4xf32>) -> tensor<4xf32> body {
    ^bb0(%i: tensor<i64>, %v_in: tensor<4xf32>):
      %r = pyemit.call "{0} + {1}"(%v_in, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      pyemit.yield %r : tensor<4xf32>
    }
    streams.output %y {index = 0}
  }
}
// CHECK: the body reads %x from outside without capturing it

// -----

pyemit.module "m" inputs("m" : tensor<i64>, "x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  streams.stream 0 {
    %m = streams.input {index = 0} : tensor<i64>
    %x = streams.input {index = 1} : tensor<4xf32>
    %y = pyemit.loop trips(%m) carried(%x) : (tensor<i64>, tensor<4xf32>) -> tensor<4xf32> body {
    ^bb0(%i: tensor<i64>, %v_in: tensor<4xf32>):
      dfg.yield %v_in : tensor<4xf32>
    }
    streams.output %y {index = 0}
  }
}
// CHECK: the body must end with pyemit.yield

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", threads = 0 : i64, torch_version = "t"} {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.output %x {index = 0}
  }
}
// CHECK: threads must be at least 1, not 0

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", threads = 1 : i64, torch_version = "t"} {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.send %x {slot = 0}
  }
  streams.stream 1 {
    %r = streams.recv {slot = 0} : tensor<4xf32>
    streams.output %r {index = 0}
  }
}
// CHECK: threads is set for one-stream code only: each of several streams takes its share
