// RUN: ramiel-opt %s --split-input-file -p outline-streams | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p outline-streams | ramiel-opt --split-input-file | filecheck %s
// RUN: not ramiel-opt %S/Inputs/mixed-streams.mlir -p outline-streams 2>&1 | filecheck %s --check-prefix=MIXED
// RUN: not ramiel-opt %S/Inputs/no-function.mlir -p outline-streams 2>&1 | filecheck %s --check-prefix=NOFUNC

// MIXED:  ramiel: error: some ops have a 'stream' attribute and others do not (or not an integer) (neg)
// NOFUNC: ramiel: error: expected one func.func in the module, found 0

// Without `stream` attributes, everything is one stream. Constants go to the top
// level in the order of their first use, not of their definition; the stream reads
// the graph inputs it uses first, and sets every output at its end, a constant's
// and an input's too. An input nothing reads is read nowhere.

// CHECK:      streams.program inputs("x" : tensor<1x4xf32>, "unused" : tensor<2xf32>) outputs("y", "k", "x_out") {
// CHECK-NEXT:   %early = dfg.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT:   %late = dfg.constant dense<2.000000e+00> : tensor<4xf32>
// CHECK-NEXT:   %k = dfg.constant dense<3.000000e+00> : tensor<4xf32>
// CHECK-NEXT:   streams.stream 0 {
// CHECK-NEXT:     %x = streams.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %a = dfg.add %x, %early : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:     %y = dfg.mul %a, %late : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:     streams.output %y {index = 0}
// CHECK-NEXT:     streams.output %k {index = 1}
// CHECK-NEXT:     streams.output %x {index = 2}
// CHECK-NEXT:   }
// CHECK-NEXT: }
func.func @main(%x: tensor<1x4xf32> {dfg.name = "x"}, %unused: tensor<2xf32> {dfg.name = "unused"}) -> (tensor<1x4xf32> {dfg.name = "y"}, tensor<4xf32> {dfg.name = "k"}, tensor<1x4xf32> {dfg.name = "x_out"}) {
  %late = dfg.constant dense<2.0> : tensor<4xf32>
  %early = dfg.constant dense<1.0> : tensor<4xf32>
  %k = dfg.constant dense<3.0> : tensor<4xf32>
  %a = dfg.add %x, %early : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %y = dfg.mul %a, %late : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  func.return %y, %k, %x : tensor<1x4xf32>, tensor<4xf32>, tensor<1x4xf32>
}

// -----

// Two streams. %r is sent once, right after it is computed, and received once by
// stream 1, right before its first use there, although two ops there read it; %e,
// read only on its own stream, is sent nowhere. Each stream reads the input itself.
// Outputs are set at the end of the stream that computes them.

// CHECK-LABEL: streams.program inputs("x" : tensor<1x4xf32>) outputs("y", "z") {
// CHECK-NEXT:    streams.stream 0 {
// CHECK-NEXT:      %x = streams.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:      %r = dfg.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:      streams.send %r {slot = 0}
// CHECK-NEXT:      %e = dfg.exp %r : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:      %u = streams.recv {slot = 1} : tensor<1x4xf32>
// CHECK-NEXT:      %y = dfg.add %e, %u : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:      streams.output %y {index = 0}
// CHECK-NEXT:    }
// CHECK-NEXT:    streams.stream 1 {
// CHECK-NEXT:      %x_1 = streams.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:      %n = dfg.neg %x_1 : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:      %r_1 = streams.recv {slot = 0} : tensor<1x4xf32>
// CHECK-NEXT:      %s = dfg.sigmoid %r_1 : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:      %t = dfg.tanh %r_1 : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:      %u_1 = dfg.sum %s, %t, %n : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:      streams.send %u_1 {slot = 1}
// CHECK-NEXT:      streams.output %t {index = 1}
// CHECK-NEXT:    }
// CHECK-NEXT:  }
builtin.module attributes {ramiel.model = "two"} {
  func.func @main(%x: tensor<1x4xf32> {dfg.name = "x"}) -> (tensor<1x4xf32> {dfg.name = "y"}, tensor<1x4xf32> {dfg.name = "z"}) {
    %r = dfg.relu %x {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %n = dfg.neg %x {stream = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %s = dfg.sigmoid %r {stream = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %e = dfg.exp %r {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %t = dfg.tanh %r {stream = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %u = dfg.sum %s, %t, %n {stream = 1 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    %y = dfg.add %e, %u {stream = 0 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    func.return %y, %t : tensor<1x4xf32>, tensor<1x4xf32>
  }
}

// -----

// Streams numbered 0, 4 and 7 by the schedule become 0, 1 and 2. A value read by
// two other streams is sent once and received by each.

// CHECK-LABEL: streams.program inputs("x" : tensor<4xf32>) outputs("y") {
// CHECK-NEXT:    streams.stream 0 {
// CHECK-NEXT:      %x = streams.input {index = 0} : tensor<4xf32>
// CHECK-NEXT:      %r = dfg.relu %x
// CHECK-NEXT:      streams.send %r {slot = 0}
// CHECK-NEXT:      %a = streams.recv {slot = 1} : tensor<4xf32>
// CHECK-NEXT:      %b = streams.recv {slot = 2} : tensor<4xf32>
// CHECK-NEXT:      %y = dfg.mul %a, %b
// CHECK-NEXT:      streams.output %y {index = 0}
// CHECK-NEXT:    }
// CHECK-NEXT:    streams.stream 1 {
// CHECK-NEXT:      %r_1 = streams.recv {slot = 0} : tensor<4xf32>
// CHECK-NEXT:      %a_1 = dfg.exp %r_1
// CHECK-NEXT:      streams.send %a_1 {slot = 1}
// CHECK-NEXT:    }
// CHECK-NEXT:    streams.stream 2 {
// CHECK-NEXT:      %r_2 = streams.recv {slot = 0} : tensor<4xf32>
// CHECK-NEXT:      %b_1 = dfg.neg %r_2
// CHECK-NEXT:      streams.send %b_1 {slot = 2}
// CHECK-NEXT:    }
// CHECK-NEXT:  }
func.func @main(%x: tensor<4xf32> {dfg.name = "x"}) -> (tensor<4xf32> {dfg.name = "y"}) {
  %r = dfg.relu %x {stream = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %a = dfg.exp %r {stream = 4 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %b = dfg.neg %r {stream = 7 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %y = dfg.mul %a, %b {stream = 0 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// A load-time op of a constant goes to the top level with it; one of a graph input
// stays on its stream, which is the only one and becomes stream 0.

// CHECK-LABEL: streams.program inputs("x" : tensor<1x4x8x8xf32>) outputs("y") {
// CHECK-NEXT:    %w = dfg.constant dense<1.000000e+00> : tensor<4x4x3x3xf32>
// CHECK-NEXT:    %w_cl = dfg.memory_format %w {format = "channels_last"} : tensor<4x4x3x3xf32>
// CHECK-NEXT:    streams.stream 0 {
// CHECK-NEXT:      %x = streams.input {index = 0} : tensor<1x4x8x8xf32>
// CHECK-NEXT:      %x_cl = dfg.memory_format %x {format = "channels_last"} : tensor<1x4x8x8xf32>
// CHECK-NEXT:      %y = dfg.conv %x_cl, %w_cl : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT:      streams.output %y {index = 0}
// CHECK-NEXT:    }
// CHECK-NEXT:  }
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x6x6xf32> {dfg.name = "y"}) {
  %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
  %w_cl = dfg.memory_format %w {format = "channels_last"} : tensor<4x4x3x3xf32>
  %x_cl = dfg.memory_format %x {format = "channels_last", stream = 1 : i64} : tensor<1x4x8x8xf32>
  %y = dfg.conv %x_cl, %w_cl {stream = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}
