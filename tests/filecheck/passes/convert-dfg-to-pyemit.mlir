// RUN: ramiel-opt %s --split-input-file -p convert-dfg-to-pyemit | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p convert-dfg-to-pyemit --print-op-generic | ramiel-opt --split-input-file | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p 'convert-dfg-to-pyemit{fuse=false inplace=false}' | filecheck %s --check-prefix=PLAIN
// RUN: not ramiel-opt %s -p 'convert-dfg-to-pyemit{fuse=maybe}' 2>&1 | filecheck %s --check-prefix=INVALID

// INVALID: fuse

// Without `stream` attributes, everything is one stream. Constants become weights,
// except Reshape's shape, which the kernel writes into its expression. The Mul
// writes over %r, which nothing else reads; the Relu must not write over the
// graph input.

// CHECK:      pyemit.module "main" inputs("x" : tensor<1x4xf32>) outputs("y") attributes {pipeline = "convert-dfg-to-pyemit", torch_version = "{{.*}}", predicted_speedup = 1.000000e+00 : f64} {
// CHECK-NEXT:   %b = pyemit.weight "b" = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-NEXT:   pyemit.stream 0 {
// CHECK-NEXT:     %x = pyemit.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %r = pyemit.call "torch.relu({0})"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:     %s = pyemit.call "{0}.mul_({1})"(%r, %b) : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
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

// CHECK:      pyemit.module "two" inputs("x" : tensor<1x4xf32>) outputs("y", "z") attributes {pipeline = "p,convert-dfg-to-pyemit", torch_version = "{{.*}}", predicted_speedup = 1.250000e+00 : f64} {
// CHECK-NEXT:   pyemit.stream 0 {
// CHECK-NEXT:     %x = pyemit.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %r = pyemit.call "torch.relu({0})"(%x)
// CHECK-NEXT:     pyemit.send %r {slot = 0}
// CHECK-NEXT:     %e = pyemit.call "torch.exp({0})"(%x)
// CHECK-NEXT:     %u = pyemit.recv {slot = 1} : tensor<1x4xf32>
// CHECK-NEXT:     %y = pyemit.call "{0}.add_({1})"(%e, %u)
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

// CHECK:      pyemit.module "main" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "convert-dfg-to-pyemit", torch_version = "{{.*}}"} {
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

// CHECK:      pyemit.module "main" inputs("x" : tensor<2x3xf32>) outputs("s", "w", "x") attributes {pipeline = "convert-dfg-to-pyemit", torch_version = "{{.*}}", predicted_speedup = 1.000000e+00 : f64} {
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


// -----

// Fast paths: the 2-D convolution and the Relu that alone reads it are one call
// of the `conv2d` helper; the weight is prepacked for oneDNN at load; the graph
// keeps its 4-D tensors channels-last, converting the input on entry and the
// output on exit; the Add writes over the convolution's result and the Sigmoid
// over the Add's, since nothing else reads them. Without fusion (PLAIN), the
// convolution is `F.conv2d` on a channels-last weight and nothing is in place.

// CHECK:      pyemit.module "main" inputs("x" : tensor<1x4x8x8xf32>) outputs("y")
// CHECK-NEXT:   %w = pyemit.weight "w" = dense<1.000000e+00> : tensor<4x4x3x3xf32> {prepare = "prepack_conv2d({0}, (1, 1), (1, 1), (1, 1), 1, (1, 4, 8, 8))", helpers = ["prepack_conv2d"]}
// CHECK-NEXT:   %b = pyemit.weight "b" = dense<5.000000e-01> : tensor<4xf32>
// CHECK-NEXT:   pyemit.stream 0 {
// CHECK-NEXT:     %x = pyemit.input {index = 0} : tensor<1x4x8x8xf32>
// CHECK-NEXT:     %x_1 = pyemit.call "{0}.contiguous(memory_format=torch.channels_last)"(%x)
// CHECK-NEXT:     %r = pyemit.call "conv2d({0}, {1}, {2}, padding=(1, 1), activation='relu')"(%x_1, %w, %b) {helpers = ["conv2d"], comment = "Conv conv, Relu relu"}
// CHECK-NEXT:     %a = pyemit.call "{0}.add_({1})"(%r, %x_1)
// CHECK-NEXT:     %y = pyemit.call "torch.sigmoid_({0})"(%a)
// CHECK-NEXT:     %y_1 = pyemit.call "{0}.contiguous()"(%y)
// CHECK-NEXT:     pyemit.output %y_1 {index = 0}

// PLAIN:      %w = pyemit.weight "w" = dense<1.000000e+00> : tensor<4x4x3x3xf32> {prepare = "{0}.contiguous(memory_format=torch.channels_last)"}
// PLAIN:      %x_1 = pyemit.call "{0}.contiguous(memory_format=torch.channels_last)"(%x)
// PLAIN-NEXT: %c = pyemit.call "F.conv2d({0}, {1}, {2}, padding=(1, 1))"(%x_1, %w, %b)
// PLAIN-NEXT: %r = pyemit.call "torch.relu({0})"(%c)
// PLAIN-NEXT: %a = pyemit.call "{0} + {1}"(%r, %x_1)
// PLAIN-NEXT: %y = pyemit.call "torch.sigmoid({0})"(%a)
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x8x8xf32> {dfg.name = "y"}) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %b = dfg.constant dense<0.5> : tensor<4xf32>
  %c = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32> loc("conv")
  %r = dfg.relu %c : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("relu")
  %a = dfg.add %r, %x : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %y = dfg.sigmoid %a : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}

// -----

// Fast paths that must not fire. The convolution's result has two readers, so
// the Relu is not fused into it and does not write over it; the convolution on
// another stream's Relu is not fused across streams; a convolution with
// asymmetric pads is padded first and computed by `F.conv2d` on a plain weight.

// CHECK-LABEL: pyemit.module "twice"
// CHECK:       %c = pyemit.call "conv2d({0}, {1}, None)"
// CHECK-NEXT:  %r = pyemit.call "torch.relu({0})"(%c)
// CHECK-NEXT:  %y = pyemit.call "{0}.add_({1})"(%r, %c)
builtin.module attributes {ramiel.model = "twice"} {
  func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x6x6xf32> {dfg.name = "y"}) {
    %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
    %c = dfg.conv %x, %w : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
    %r = dfg.relu %c : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    %y = dfg.add %r, %c : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    func.return %y : tensor<1x4x6x6xf32>
  }
}

// -----

// CHECK-LABEL: pyemit.module "streams"
// CHECK:       %c = pyemit.call "conv2d({0}, {1}, None)"
// CHECK:       pyemit.stream 1
// CHECK:       %r = pyemit.call "torch.relu({0})"
builtin.module attributes {ramiel.model = "streams"} {
  func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x6x6xf32> {dfg.name = "y"}) {
    %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
    %c = dfg.conv %x, %w {stream = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
    %r = dfg.relu %c {stream = 1 : i64} : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    func.return %r : tensor<1x4x6x6xf32>
  }
}

// -----

// CHECK-LABEL: pyemit.module "asymmetric"
// CHECK-NEXT:  %w = pyemit.weight "w" = dense<1.000000e+00> : tensor<4x4x3x3xf32>{{$}}
// CHECK-NEXT:  pyemit.stream 0 {
// CHECK-NEXT:    %x = pyemit.input {index = 0} : tensor<1x4x8x8xf32>
// CHECK-NEXT:    %c = pyemit.call "F.conv2d(F.pad({0}, (0, 1, 0, 1)), {1})"(%x, %w)
// CHECK-NEXT:    %r = pyemit.call "torch.relu_({0})"(%c)
// CHECK-NEXT:    pyemit.output %r {index = 0}
builtin.module attributes {ramiel.model = "asymmetric"} {
  func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x7x7xf32> {dfg.name = "y"}) {
    %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
    %c = dfg.conv %x, %w {pads = array<i64: 0, 0, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x7x7xf32>
    %r = dfg.relu %c : (tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32>
    func.return %r : tensor<1x4x7x7xf32>
  }
}
