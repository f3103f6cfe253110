// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// Every streams op in its custom syntax; the generic form round-trips to it. The
// top level holds constants and load-time ops of them; values cross streams only
// through a send and the recvs of its slot.

streams.program inputs("x" : tensor<1x4x2x2xf32>, "mask" : tensor<1x4xi1>) outputs("y", "z") {
  %w = dfg.constant dense<1.0> : tensor<4x4x1x1xf32>
  %w_cl = dfg.memory_format %w {format = "channels_last"} : tensor<4x4x1x1xf32>
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<1x4x2x2xf32>
    %r = dfg.relu %x : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
    streams.send %r {slot = 0}
    %c = streams.recv {slot = 1} : tensor<1x4x2x2xf32>
    %y = dfg.add %r, %c : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
    streams.output %y {index = 0}
  }
  streams.stream 1 {
    %r = streams.recv {slot = 0} : tensor<1x4x2x2xf32>
    %c = dfg.conv %r, %w_cl : (tensor<1x4x2x2xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x2x2xf32>
    streams.send %c {slot = 1}
    streams.output %c {index = 1}
  }
}

// CHECK:      streams.program inputs("x" : tensor<1x4x2x2xf32>, "mask" : tensor<1x4xi1>) outputs("y", "z") {
// CHECK-NEXT:   %w = dfg.constant dense<1.000000e+00> : tensor<4x4x1x1xf32>
// CHECK-NEXT:   %w_cl = dfg.memory_format %w {format = "channels_last"} : tensor<4x4x1x1xf32>
// CHECK-NEXT:   streams.stream 0 {
// CHECK-NEXT:     %x = streams.input {index = 0} : tensor<1x4x2x2xf32>
// CHECK-NEXT:     %r = dfg.relu %x : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
// CHECK-NEXT:     streams.send %r {slot = 0}
// CHECK-NEXT:     %c = streams.recv {slot = 1} : tensor<1x4x2x2xf32>
// CHECK-NEXT:     %y = dfg.add %r, %c : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
// CHECK-NEXT:     streams.output %y {index = 0}
// CHECK-NEXT:   }
// CHECK-NEXT:   streams.stream 1 {
// CHECK-NEXT:     %r_1 = streams.recv {slot = 0} : tensor<1x4x2x2xf32>
// CHECK-NEXT:     %c_1 = dfg.conv %r_1, %w_cl : (tensor<1x4x2x2xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x2x2xf32>
// CHECK-NEXT:     streams.send %c_1 {slot = 1}
// CHECK-NEXT:     streams.output %c_1 {index = 1}
// CHECK-NEXT:   }
// CHECK-NEXT: }

// GENERIC:      "streams.program"() <{input_names = ["x", "mask"], input_types = [tensor<1x4x2x2xf32>, tensor<1x4xi1>], output_names = ["y", "z"]}> ({
// GENERIC:        "streams.stream"() <{index = 0 : i64}> ({
// GENERIC-NEXT:     %x = "streams.input"() <{index = 0 : i64}> : () -> tensor<1x4x2x2xf32>
// GENERIC:          "streams.send"(%r) <{slot = 0 : i64}> : (tensor<1x4x2x2xf32>) -> ()
// GENERIC-NEXT:     %c = "streams.recv"() <{slot = 1 : i64}> : () -> tensor<1x4x2x2xf32>
// GENERIC:          "streams.output"(%y) <{index = 0 : i64}> : (tensor<1x4x2x2xf32>) -> ()
