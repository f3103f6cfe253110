// RUN: ramiel-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Each chunk breaks one rule of the streams verifiers.

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  %w = dfg.constant dense<1.0> : tensor<4xf32>
  %r = dfg.relu %w : (tensor<4xf32>) -> tensor<4xf32>
  streams.stream 0 {
    streams.output %r {index = 0}
  }
}
// CHECK: 'dfg.relu' cannot be a top-level op of streams.program: only constants and load-time ops of top-level values can

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  %w = dfg.constant dense<1.0> : tensor<4xf32>
}
// CHECK: a streams.program needs at least one stream

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 1 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.output %x {index = 0}
  }
}
// CHECK: stream #0 has index 1; streams must be numbered 0, 1, ... in order

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %x = streams.input {index = 3} : tensor<4xf32>
    streams.output %x {index = 0}
  }
}
// CHECK: input index 3 is out of range

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<8xf32>
    streams.output %x {index = 0}
  }
}
// CHECK: input 0 has type tensor<4xf32>, not tensor<8xf32>

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y", "z") {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.output %x {index = 0}
    streams.output %x {index = 0}
  }
}
// CHECK: expected each of the 2 outputs set exactly once, got output indices [0, 0]

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.send %x {slot = 0}
    streams.send %x {slot = 0}
    streams.output %x {index = 0}
  }
}
// CHECK: slot 0 is sent twice

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.send %x {slot = 1}
    streams.output %x {index = 0}
  }
}
// CHECK: slots must be numbered 0, 1, ...; got [1]

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.send %x {slot = -1}
    streams.output %x {index = 0}
  }
}
// CHECK: slots must be numbered 0, 1, ...; got [-1]

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.output %x {index = 0}
  }
  streams.stream 1 {
    %y = streams.recv {slot = 0} : tensor<4xf32>
  }
}
// CHECK: slot 0 is received but never sent

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.send %x {slot = 0}
    %y = streams.recv {slot = 0} : tensor<4xf32>
    streams.output %y {index = 0}
  }
}
// CHECK: stream 0 receives slot 0, which it sends itself

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.send %x {slot = 0}
    streams.output %x {index = 0}
  }
  streams.stream 1 {
    %a = streams.recv {slot = 0} : tensor<4xf32>
    %b = streams.recv {slot = 0} : tensor<4xf32>
  }
}
// CHECK: stream 1 receives slot 0 twice

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    streams.send %x {slot = 0}
    streams.output %x {index = 0}
  }
  streams.stream 1 {
    %y = streams.recv {slot = 0} : tensor<8xf32>
  }
}
// CHECK: slot 0 sends tensor<4xf32> but stream 1 receives tensor<8xf32>

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %a = streams.recv {slot = 1} : tensor<4xf32>
    streams.send %a {slot = 0}
    streams.output %a {index = 0}
  }
  streams.stream 1 {
    %b = streams.recv {slot = 0} : tensor<4xf32>
    streams.send %b {slot = 1}
  }
}
// CHECK: the hand-offs deadlock: stream 0 waits for slot 1 forever

// -----

streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    %a = streams.recv {slot = 2} : tensor<4xf32>
    streams.send %x {slot = 0}
    streams.output %a {index = 0}
  }
  streams.stream 1 {
    %b = streams.recv {slot = 0} : tensor<4xf32>
    streams.send %b {slot = 1}
  }
  streams.stream 2 {
    %c = streams.recv {slot = 1} : tensor<4xf32>
    streams.send %c {slot = 2}
  }
}
// CHECK: the hand-offs deadlock: stream 0 waits for slot 2 forever

// -----

streams.stream 0 {
  %x = streams.input {index = 0} : tensor<4xf32>
}
// CHECK: 'streams.stream' expects a program as parent op, not 'builtin.module'

// -----

func.func @f(%x: tensor<4xf32>) {
  streams.send %x {slot = 0}
  func.return
}
// CHECK: 'streams.send' expects parent op 'streams.stream'
