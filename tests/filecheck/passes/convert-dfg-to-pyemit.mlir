// RUN: ramiel-opt %s --split-input-file -p convert-dfg-to-pyemit | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p convert-dfg-to-pyemit --print-op-generic | ramiel-opt --split-input-file | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p fuse-conv-activation,prepack-weights,channels-last,write-in-place,outline-streams,convert-dfg-to-pyemit | filecheck %s --check-prefix=FAST
// RUN: ramiel-opt %S/Inputs/outlined.mlir -p convert-dfg-to-pyemit | filecheck %S/Inputs/outlined.mlir
// RUN: not ramiel-opt %s -p 'convert-dfg-to-pyemit{fuse=false}' 2>&1 | filecheck %s --check-prefix=OPTION
// RUN: not ramiel-opt %S/Inputs/foreign-op.mlir --allow-unregistered-dialect -p convert-dfg-to-pyemit 2>&1 | filecheck %s --check-prefix=FOREIGN
// RUN: not ramiel-opt %S/Inputs/no-kernel.mlir -p convert-dfg-to-pyemit 2>&1 | filecheck %s --check-prefix=NOKERNEL

// OPTION:   ramiel: error: pass 'convert-dfg-to-pyemit' has no option 'fuse' (options: none) (-p convert-dfg-to-pyemit{fuse=false})
// FOREIGN:  ramiel: error: cannot lower 'foreign.op' to Python (odd)
// NOKERNEL: ramiel: error: no kernel: Conv: 4-D convolution is not supported (node 'conv4d')

// The function is outlined first (see outline-streams.mlir). Without `stream`
// attributes, everything is one stream. Constants become weights, except
// Reshape's shape, which the kernel writes into its expression; nothing is
// written in place, which is `write-in-place`'s decision (the FAST lines check the whole
// lowering pipeline).

// CHECK:      pyemit.module "main" inputs("x" : tensor<1x4xf32>) outputs("y") attributes {pipeline = "convert-dfg-to-pyemit", torch_version = "{{.*}}", predicted_speedup = 1.000000e+00 : f64} {
// CHECK-NEXT:   %b = pyemit.weight "b" = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-NEXT:   streams.stream 0 {
// CHECK-NEXT:     %x = streams.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %r = pyemit.call "torch.relu({0})"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:     %s = pyemit.call "{0} * {1}"(%r, %b) : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:     %y = pyemit.call "{0}.reshape(2, 2)"(%s) : (tensor<1x4xf32>) -> tensor<2x2xf32>
// CHECK-NEXT:     streams.output %y {index = 0}
// CHECK-NEXT:   }
// CHECK-NEXT: }

// FAST-LABEL: pyemit.module "main" inputs("x" : tensor<1x4xf32>) outputs("y")
// FAST:         %s = pyemit.call "{0}.mul_({1})"(%r, %b)

func.func @main(%x: tensor<1x4xf32> {dfg.name = "x"}) -> (tensor<2x2xf32> {dfg.name = "y"}) {
  %b = dfg.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %shape = dfg.constant dense<[2, 2]> : tensor<2xi64>
  %r = dfg.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %s = dfg.mul %r, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %y = dfg.reshape %s, %shape : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  func.return %y : tensor<2x2xf32>
}

// -----

// Two streams. The header comes from the module's attributes.

// CHECK:      pyemit.module "two" inputs("x" : tensor<1x4xf32>) outputs("y", "z") attributes {pipeline = "p,convert-dfg-to-pyemit", torch_version = "{{.*}}", predicted_speedup = 1.250000e+00 : f64} {
// CHECK-NEXT:   streams.stream 0 {
// CHECK-NEXT:     %x = streams.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %r = pyemit.call "torch.relu({0})"(%x)
// CHECK-NEXT:     streams.send %r {slot = 0}
// CHECK-NEXT:     %e = pyemit.call "torch.exp({0})"(%x)
// CHECK-NEXT:     %u = streams.recv {slot = 1} : tensor<1x4xf32>
// CHECK-NEXT:     %y = pyemit.call "{0} + {1}"(%e, %u)
// CHECK-NEXT:     streams.output %y {index = 0}
// CHECK-NEXT:   }
// CHECK-NEXT:   streams.stream 1 {
// CHECK-NEXT:     %x_1 = streams.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %n = pyemit.call "torch.neg({0})"(%x_1)
// CHECK-NEXT:     %r_1 = streams.recv {slot = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %s = pyemit.call "torch.sigmoid({0})"(%r_1)
// CHECK-NEXT:     %t = pyemit.call "torch.tanh({0})"(%r_1)
// CHECK-NEXT:     %u_1 = pyemit.call "{0} + {1} + {2}"(%s, %t, %n)
// CHECK-NEXT:     streams.send %u_1 {slot = 1}
// CHECK-NEXT:     streams.output %t {index = 1}
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

// Three streams; without a predicted speedup in the module, the header has none.

// CHECK:      pyemit.module "main" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "convert-dfg-to-pyemit", torch_version = "{{.*}}"} {
// CHECK-NEXT: streams.stream 0 {
// CHECK:      streams.stream 1 {
// CHECK:      streams.stream 2 {
func.func @main(%x: tensor<4xf32> {dfg.name = "x"}) -> (tensor<4xf32> {dfg.name = "y"}) {
  %r = dfg.relu %x {stream = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %a = dfg.exp %r {stream = 4 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %b = dfg.neg %r {stream = 7 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %y = dfg.mul %a, %b {stream = 0 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// Shape's kernel writes the static shape into its expression, so the op that
// feeds it is dead and dropped, with its hand-off; stream 0 is left holding only
// inputs and outputs and is merged into stream 1, which becomes stream 0, outputs
// in order. A weight or an input returned as an output is set there too.

// CHECK:      pyemit.module "main" inputs("x" : tensor<2x3xf32>) outputs("s", "w", "x") attributes {pipeline = "convert-dfg-to-pyemit", torch_version = "{{.*}}", predicted_speedup = 1.000000e+00 : f64} {
// CHECK-NEXT:   %w = pyemit.weight "w" = dense<5.000000e-01> : tensor<2x3xf32>
// CHECK-NEXT:   streams.stream 0 {
// CHECK-NEXT:     %x = streams.input {index = 0} : tensor<2x3xf32>
// CHECK-NEXT:     %s = pyemit.call "torch.tensor([2, 3], dtype=torch.int64)"() : () -> tensor<2xi64>
// CHECK-NEXT:     streams.output %s {index = 0}
// CHECK-NEXT:     streams.output %w {index = 1}
// CHECK-NEXT:     streams.output %x {index = 2}
// CHECK-NEXT:   }
// CHECK-NEXT: }
func.func @main(%x: tensor<2x3xf32> {dfg.name = "x"}) -> (tensor<2xi64> {dfg.name = "s"}, tensor<2x3xf32> {dfg.name = "w"}, tensor<2x3xf32> {dfg.name = "x"}) {
  %w = dfg.constant dense<0.5> : tensor<2x3xf32>
  %r = dfg.relu %x {stream = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %s = dfg.shape %r {stream = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  func.return %s, %w, %x : tensor<2xi64>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Weight names are valid, distinct identifiers, whatever the constants' names,
// and no name of the generated Model's attributes (they become its buffers).

// CHECK:      %class = pyemit.weight "class_" = dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT: %class_1 = pyemit.weight "class_1" = dense<2.000000e+00> : tensor<4xf32>
// CHECK-NEXT: %forward = pyemit.weight "forward_" = dense<3.000000e+00> : tensor<4xf32>
func.func @main(%x: tensor<4xf32> {dfg.name = "x"}) -> (tensor<4xf32> {dfg.name = "y"}) {
  %class = dfg.constant dense<1.0> : tensor<4xf32>
  %class_1 = dfg.constant dense<2.0> : tensor<4xf32>
  %forward = dfg.constant dense<3.0> : tensor<4xf32>
  %a = dfg.mul %x, %class : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = dfg.mul %a, %class_1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = dfg.mul %b, %forward : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// The extension ops: load-time ops of a constant become weights prepared at load
// (the raw weights go, since nothing else reads them); a fused convolution's call
// names both nodes; an op marked `inplace` calls its in-place kernel.

// CHECK-LABEL: pyemit.module "main" inputs("x" : tensor<1x4x8x8xf32>) outputs("y")
// CHECK-NEXT:    %w = pyemit.weight "w" = dense<1.000000e+00> : tensor<4x4x3x3xf32> {prepare = "prepack_conv2d({0}, (1, 1), (1, 1), (1, 1), 1, (1, 4, 8, 8))", helpers = ["prepack_conv2d"]}
// CHECK-NEXT:    %b = pyemit.weight "b" = dense<5.000000e-01> : tensor<4xf32>
// CHECK-NEXT:    %v = pyemit.weight "v" = dense<2.000000e+00> : tensor<4x4x1x1xf32> {prepare = "{0}.contiguous(memory_format=torch.channels_last)"}
// CHECK-NEXT:    streams.stream 0 {
// CHECK-NEXT:      %x = streams.input {index = 0} : tensor<1x4x8x8xf32>
// CHECK-NEXT:      %x_cl = pyemit.call "{0}.contiguous(memory_format=torch.channels_last)"(%x) : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:      %r = pyemit.call "conv2d({0}, {1}, {2}, padding=(1, 1), activation='relu')"(%x_cl, %w, %b) {helpers = ["conv2d"], comment = "Conv conv, Relu relu"}
// CHECK-NEXT:      %c = pyemit.call "F.conv2d({0}, {1})"(%r, %v)
// CHECK-NEXT:      %a = pyemit.call "{0}.add_({1})"(%c, %x_cl)
// CHECK-NEXT:      %y = pyemit.call "{0}.contiguous()"(%a)
// CHECK-NEXT:      streams.output %y {index = 0}
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x8x8xf32> {dfg.name = "y"}) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %v = dfg.constant dense<2.0> : tensor<4x4x1x1xf32>
  %b = dfg.constant dense<0.5> : tensor<4xf32>
  %p = dfg.prepack_conv2d %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 8, 8>} : tensor<4x4x3x3xf32>
  %v_cl = dfg.memory_format %v {format = "channels_last"} : tensor<4x4x1x1xf32>
  %x_cl = dfg.memory_format %x {format = "channels_last"} : tensor<1x4x8x8xf32>
  %r = dfg.fused_conv %x_cl, %p, %b {pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32> loc(fused["conv", "relu"])
  %c = dfg.conv %r, %v_cl : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %a = dfg.add %c, %x_cl {inplace} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %y = dfg.memory_format %a {format = "contiguous"} : tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}

// -----

// The whole lowering (FAST) on a 2-D convolution and the Relu that alone reads
// it: one call of the `conv2d` helper, its weight prepacked at load, the graph
// channels-last, the Add and the Sigmoid in place. The plain lowering computes
// each op by its own kernel.

// CHECK-LABEL: pyemit.module "fast" inputs("x" : tensor<1x4x8x8xf32>) outputs("y")
// CHECK-NEXT:    %w = pyemit.weight "w" = dense<1.000000e+00> : tensor<4x4x3x3xf32>{{$}}
// CHECK:         %c = pyemit.call "F.conv2d({0}, {1}, {2}, padding=(1, 1))"(%x, %w, %b) {comment = "Conv conv"}
// CHECK-NEXT:    %r = pyemit.call "torch.relu({0})"(%c) {comment = "Relu relu"}
// CHECK-NEXT:    %a = pyemit.call "{0} + {1}"(%r, %x)
// CHECK-NEXT:    %y = pyemit.call "torch.sigmoid({0})"(%a)

// FAST-LABEL: pyemit.module "fast" inputs("x" : tensor<1x4x8x8xf32>) outputs("y")
// FAST-NEXT:    %w = pyemit.weight "w" = dense<1.000000e+00> : tensor<4x4x3x3xf32> {prepare = "prepack_conv2d({0}, (1, 1), (1, 1), (1, 1), 1, (1, 4, 8, 8))", helpers = ["prepack_conv2d"]}
// FAST-NEXT:    %b = pyemit.weight "b" = dense<5.000000e-01> : tensor<4xf32>
// FAST-NEXT:    streams.stream 0 {
// FAST-NEXT:      %x = streams.input {index = 0} : tensor<1x4x8x8xf32>
// FAST-NEXT:      %x_1 = pyemit.call "{0}.contiguous(memory_format=torch.channels_last)"(%x)
// FAST-NEXT:      %r = pyemit.call "conv2d({0}, {1}, {2}, padding=(1, 1), activation='relu')"(%x_1, %w, %b) {helpers = ["conv2d"], comment = "Conv conv, Relu relu"}
// FAST-NEXT:      %a = pyemit.call "{0}.add_({1})"(%r, %x_1)
// FAST-NEXT:      %y = pyemit.call "torch.sigmoid_({0})"(%a)
// FAST-NEXT:      %y_1 = pyemit.call "{0}.contiguous()"(%y)
// FAST-NEXT:      streams.output %y_1 {index = 0}
builtin.module attributes {ramiel.model = "fast"} {
  func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x8x8xf32> {dfg.name = "y"}) {
    %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
    %b = dfg.constant dense<0.5> : tensor<4xf32>
    %c = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32> loc("conv")
    %r = dfg.relu %c : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("relu")
    %a = dfg.add %r, %x : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %y = dfg.sigmoid %a : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    func.return %y : tensor<1x4x8x8xf32>
  }
}

// -----

// FAST, where the fast paths must not fire: the convolution's result has two
// readers, so the Relu is not fused into it and does not write over it (the
// convolution is still `conv2d`'s, on a prepacked weight); a Relu on another
// stream is not fused; asymmetric pads are padded first and computed by
// `F.conv2d` on a plain weight, in a graph that stays contiguous.

// FAST-LABEL: pyemit.module "twice"
// FAST:         %c = pyemit.call "conv2d({0}, {1}, None)"
// FAST-NEXT:    %r = pyemit.call "torch.relu({0})"(%c)
// FAST-NEXT:    %y = pyemit.call "{0}.add_({1})"(%r, %c)
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

// FAST-LABEL: pyemit.module "streams"
// FAST:         %c = pyemit.call "conv2d({0}, {1}, None)"
// FAST:         streams.stream 1
// FAST:         %r = pyemit.call "torch.relu({0})"
builtin.module attributes {ramiel.model = "streams"} {
  func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x6x6xf32> {dfg.name = "y"}) {
    %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
    %c = dfg.conv %x, %w {stream = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
    %r = dfg.relu %c {stream = 1 : i64} : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    func.return %r : tensor<1x4x6x6xf32>
  }
}

// -----

// FAST-LABEL: pyemit.module "asymmetric"
// FAST-NEXT:    %w = pyemit.weight "w" = dense<1.000000e+00> : tensor<4x4x3x3xf32>{{$}}
// FAST-NEXT:    streams.stream 0 {
// FAST-NEXT:      %x = streams.input {index = 0} : tensor<1x4x8x8xf32>
// FAST-NEXT:      %c = pyemit.call "F.conv2d(F.pad({0}, (0, 1, 0, 1)), {1})"(%x, %w)
// FAST-NEXT:      %r = pyemit.call "torch.relu_({0})"(%c)
// FAST-NEXT:      streams.output %r {index = 0}
builtin.module attributes {ramiel.model = "asymmetric"} {
  func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x7x7xf32> {dfg.name = "y"}) {
    %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
    %c = dfg.conv %x, %w {pads = array<i64: 0, 0, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x7x7xf32>
    %r = dfg.relu %c : (tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32>
    func.return %r : tensor<1x4x7x7xf32>
  }
}
