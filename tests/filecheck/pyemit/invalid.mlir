// RUN: ramiel-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Each chunk breaks one rule of the pyemit verifiers.

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    %y = pyemit.call "torch.relu({0}, {1})"(%x) : (tensor<4xf32>) -> tensor<4xf32>
    pyemit.output %y {index = 0}
  }
}
// CHECK: expression refers to operand 1, but the call has 1

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    %y = pyemit.call "torch.relu({0})"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    pyemit.output %y {index = 0}
  }
}
// CHECK: operand 1 does not appear in the expression

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    %y = pyemit.call "{0}); import os; (1"(%x) : (tensor<4xf32>) -> tensor<4xf32>
    pyemit.output %y {index = 0}
  }
}
// CHECK: the expression is not a Python expression

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    %y = pyemit.call "f({0})"(%x) {helpers = ["os.system"]} : (tensor<4xf32>) -> tensor<4xf32>
    pyemit.output %y {index = 0}
  }
}
// CHECK: helper name 'os.system' is not an identifier

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<8xf32>
    pyemit.output %x {index = 0}
  }
}
// CHECK: input 0 has type tensor<4xf32>, not tensor<8xf32>

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 3} : tensor<4xf32>
    pyemit.output %x {index = 0}
  }
}
// CHECK: input index 3 is out of range

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y", "z") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    pyemit.output %x {index = 0}
    pyemit.output %x {index = 0}
  }
}
// CHECK: expected each of the 2 outputs set exactly once, got output indices [0, 0]

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 1 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    pyemit.output %x {index = 0}
  }
}
// CHECK: stream #0 has index 1; streams must be numbered 0, 1, ... in order

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %w = pyemit.weight "w" = dense<1.0> : tensor<4xf32>
}
// CHECK: a pyemit.module needs at least one stream

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %a = pyemit.weight "w" = dense<1.0> : tensor<4xf32>
  %b = pyemit.weight "w" = dense<2.0> : tensor<4xf32>
  pyemit.stream 0 {
    pyemit.output %a {index = 0}
  }
}
// CHECK: weight 'w' is defined twice

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    pyemit.send %x {slot = 0}
    pyemit.send %x {slot = 0}
    pyemit.output %x {index = 0}
  }
}
// CHECK: slot 0 is sent twice

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    pyemit.send %x {slot = 1}
    pyemit.output %x {index = 0}
  }
}
// CHECK: slots must be numbered 0, 1, ...; got [1]

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    pyemit.send %x {slot = 0}
    %y = pyemit.recv {slot = 0} : tensor<4xf32>
    pyemit.output %y {index = 0}
  }
}
// CHECK: stream 0 receives slot 0, which it sends itself

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    pyemit.send %x {slot = 0}
    pyemit.output %x {index = 0}
  }
  pyemit.stream 1 {
    %y = pyemit.recv {slot = 0} : tensor<8xf32>
  }
}
// CHECK: slot 0 sends tensor<4xf32> but stream 1 receives tensor<8xf32>

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %a = pyemit.recv {slot = 1} : tensor<4xf32>
    pyemit.send %a {slot = 0}
    pyemit.output %a {index = 0}
  }
  pyemit.stream 1 {
    %b = pyemit.recv {slot = 0} : tensor<4xf32>
    pyemit.send %b {slot = 1}
  }
}
// CHECK: the hand-offs deadlock: stream 0 waits for slot 1 forever

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  pyemit.stream 0 {
    %x = pyemit.input {index = 0} : tensor<4xf32>
    pyemit.send %x {slot = -1}
    pyemit.output %x {index = 0}
  }
}
// CHECK: slots must be numbered 0, 1, ...; got [-1]

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %w = pyemit.weight "" = dense<1.0> : tensor<4xf32>
  pyemit.stream 0 {
    pyemit.output %w {index = 0}
  }
}
// CHECK: a weight needs a non-empty name

// -----

pyemit.stream 0 {
  %x = pyemit.input {index = 0} : tensor<4xf32>
}
// CHECK: 'pyemit.stream' expects parent op 'pyemit.module'

// -----

func.func @f(%x: tensor<4xf32>) {
  pyemit.send %x {slot = 0}
  func.return
}
// CHECK: 'pyemit.send' expects parent op 'pyemit.stream'
