// RUN: ramiel-opt %s --split-input-file -p convert-dfg-to-pyemit | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p convert-dfg-to-pyemit --print-op-generic | ramiel-opt --split-input-file | filecheck %s

// Without `stream` attributes, everything is one stream. Constants become weights,
// except Reshape's shape, which the kernel writes into its expression.

// CHECK:      pyemit.module "main" inputs("x" : tensor<1x4xf32>) outputs("y") attributes {pipeline = "", torch_version = "{{.*}}", predicted_speedup = 1.000000e+00 : f64} {
// CHECK-NEXT:   %b = pyemit.weight "b" = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-NEXT:   pyemit.stream 0 {
// CHECK-NEXT:     %x = pyemit.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %r = pyemit.call "torch.relu({0})"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:     %s = pyemit.call "{0} * {1}"(%r, %b) : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:     %y = pyemit.call "{0}.reshape(2, 2)"(%s) : (tensor<1x4xf32>) -> tensor<2x2xf32>
// CHECK-NEXT:     pyemit.output %y {index = 0}
// CHECK-NEXT:   }
// CHECK-NEXT: }
func.func @main(%x: tensor<1x4xf32> {dfg.name = "x"}) -> (tensor<2x2xf32> {dfg.name = "y"}) {
  %b = dfg.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %shape = dfg.constant dense<[2, 2]> : tensor<2xi64>
  %r = dfg.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %s = dfg.mul %r, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %y = dfg.reshape %s, %shape : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  func.return %y : tensor<2x2xf32>
}

// -----

// Two streams. %r is sent once, right after it is computed, and received once by
// stream 1, right before its first use there, although two ops there read it.
// Outputs are set at the end of the stream that computes them. The header comes
// from the module's attributes.

// CHECK:      pyemit.module "two" inputs("x" : tensor<1x4xf32>) outputs("y", "z") attributes {pipeline = "p", torch_version = "{{.*}}", predicted_speedup = 1.250000e+00 : f64} {
// CHECK-NEXT:   pyemit.stream 0 {
// CHECK-NEXT:     %x = pyemit.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %r = pyemit.call "torch.relu({0})"(%x)
// CHECK-NEXT:     pyemit.send %r {slot = 0}
// CHECK-NEXT:     %e = pyemit.call "torch.exp({0})"(%x)
// CHECK-NEXT:     %u = pyemit.recv {slot = 1} : tensor<1x4xf32>
// CHECK-NEXT:     %y = pyemit.call "{0} + {1}"(%e, %u)
// CHECK-NEXT:     pyemit.output %y {index = 0}
// CHECK-NEXT:   }
// CHECK-NEXT:   pyemit.stream 1 {
// CHECK-NEXT:     %x_1 = pyemit.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %n = pyemit.call "torch.neg({0})"(%x_1)
// CHECK-NEXT:     %r_1 = pyemit.recv {slot = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %s = pyemit.call "torch.sigmoid({0})"(%r_1)
// CHECK-NEXT:     %t = pyemit.call "torch.tanh({0})"(%r_1)
// CHECK-NEXT:     %u_1 = pyemit.call "{0} + {1} + {2}"(%s, %t, %n)
// CHECK-NEXT:     pyemit.send %u_1 {slot = 1}
// CHECK-NEXT:     pyemit.output %t {index = 1}
// CHECK-NEXT:   }
// CHECK-NEXT: }
builtin.module attributes {ramiel.model = "two", ramiel.pipeline = "p", ramiel.predicted_speedup = 1.25 : f64} {
  func.func @main(%x: tensor<1x4xf32> {dfg.name = "x"}) -> (tensor<1x4xf32> {dfg.name = "y"}, tensor<1x4xf32> {dfg.name = "z"}) {
    %r = dfg.relu %x {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %n = dfg.neg %x {stream = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %s = dfg.sigmoid %r {stream = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %e = dfg.exp %x {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %t = dfg.tanh %r {stream = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %u = dfg.sum %s, %t, %n {stream = 1 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    %y = dfg.add %e, %u {stream = 0 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    func.return %y, %t : tensor<1x4xf32>, tensor<1x4xf32>
  }
}

// -----

// Three streams, numbered 0, 4 and 7 by the schedule: they become 0, 1 and 2.
// Without a predicted speedup in the module, the header has none.
// A value read by two other streams is sent once and received by each.

// CHECK:      pyemit.module "main" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "{{.*}}"} {
// CHECK-NEXT: pyemit.stream 0 {
// CHECK-NEXT:   %x = pyemit.input {index = 0} : tensor<4xf32>
// CHECK-NEXT:   %r = pyemit.call "torch.relu({0})"(%x)
// CHECK-NEXT:   pyemit.send %r {slot = 0}
// CHECK-NEXT:   %a = pyemit.recv {slot = 1} : tensor<4xf32>
// CHECK-NEXT:   %b = pyemit.recv {slot = 2} : tensor<4xf32>
// CHECK-NEXT:   %y = pyemit.call "{0} * {1}"(%a, %b)
// CHECK-NEXT:   pyemit.output %y {index = 0}
// CHECK-NEXT: }
// CHECK-NEXT: pyemit.stream 1 {
// CHECK-NEXT:   %r_1 = pyemit.recv {slot = 0} : tensor<4xf32>
// CHECK-NEXT:   %a_1 = pyemit.call "torch.exp({0})"(%r_1)
// CHECK-NEXT:   pyemit.send %a_1 {slot = 1}
// CHECK-NEXT: }
// CHECK-NEXT: pyemit.stream 2 {
// CHECK-NEXT:   %r_2 = pyemit.recv {slot = 0} : tensor<4xf32>
// CHECK-NEXT:   %b_1 = pyemit.call "torch.neg({0})"(%r_2)
// CHECK-NEXT:   pyemit.send %b_1 {slot = 2}
// CHECK-NEXT: }
func.func @main(%x: tensor<4xf32> {dfg.name = "x"}) -> (tensor<4xf32> {dfg.name = "y"}) {
  %r = dfg.relu %x {stream = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %a = dfg.exp %r {stream = 4 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %b = dfg.neg %r {stream = 7 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %y = dfg.mul %a, %b {stream = 0 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// Shape's kernel writes the static shape into its expression, so the op that
// feeds it is dead and dropped; stream 0 is left empty and disappears, so
// stream 1 becomes stream 0. A weight or an input returned as an output is set
// by stream 0.

// CHECK:      pyemit.module "main" inputs("x" : tensor<2x3xf32>) outputs("s", "w", "x") attributes {pipeline = "", torch_version = "{{.*}}", predicted_speedup = 1.000000e+00 : f64} {
// CHECK-NEXT:   %w = pyemit.weight "w" = dense<5.000000e-01> : tensor<2x3xf32>
// CHECK-NEXT:   pyemit.stream 0 {
// CHECK-NEXT:     %x = pyemit.input {index = 0} : tensor<2x3xf32>
// CHECK-NEXT:     %s = pyemit.call "torch.tensor([2, 3], dtype=torch.int64)"() : () -> tensor<2xi64>
// CHECK-NEXT:     pyemit.output %s {index = 0}
// CHECK-NEXT:     pyemit.output %w {index = 1}
// CHECK-NEXT:     pyemit.output %x {index = 2}
// CHECK-NEXT:   }
// CHECK-NEXT: }
func.func @main(%x: tensor<2x3xf32> {dfg.name = "x"}) -> (tensor<2xi64> {dfg.name = "s"}, tensor<2x3xf32> {dfg.name = "w"}, tensor<2x3xf32> {dfg.name = "x"}) {
  %w = dfg.constant dense<0.5> : tensor<2x3xf32>
  %r = dfg.relu %x {stream = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %s = dfg.shape %r {stream = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  func.return %s, %w, %x : tensor<2xi64>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Weight names are valid, distinct identifiers, whatever the constants' names.

// CHECK:      %class = pyemit.weight "class_" = dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT: %class_1 = pyemit.weight "class_1" = dense<2.000000e+00> : tensor<4xf32>
func.func @main(%x: tensor<4xf32> {dfg.name = "x"}) -> (tensor<4xf32> {dfg.name = "y"}) {
  %class = dfg.constant dense<1.0> : tensor<4xf32>
  %class_1 = dfg.constant dense<2.0> : tensor<4xf32>
  %a = dfg.mul %x, %class : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = dfg.mul %a, %class_1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

