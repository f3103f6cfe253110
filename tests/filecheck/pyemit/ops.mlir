// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// Every pyemit op in its custom syntax, in the streams of a pyemit.module; the
// generic form round-trips to it.

pyemit.module "tiny \"model\"" inputs("x" : tensor<1x4xf32>, "mask" : tensor<1x4xi1>) outputs("y", "parts") attributes {pipeline = "cleanup,convert-dfg-to-pyemit", predicted_speedup = 1.5 : f64, torch_version = "2.13.0"} {
  %b = pyemit.weight "b" = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %s = pyemit.weight "scale" = dense<2.0> : tensor<1x4xf32>
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<1x4xf32>
    %r = pyemit.call "torch.relu({0})"(%x) {comment = "Relu relu/1"} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    streams.send %r {slot = 0}
    %m = streams.recv {slot = 1} : tensor<1x4xf32>
    %y = pyemit.call "{0} + {1}"(%r, %m) : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    streams.output %y {index = 0}
  }
  streams.stream 1 {
    %r = streams.recv {slot = 0} : tensor<1x4xf32>
    %m = pyemit.call "{0} * {1} * {0}"(%r, %b) : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
    streams.send %m {slot = 1}
    %p, %q = pyemit.call "split_pair({0}, {1})"(%m, %s) {helpers = ["split_pair"]} : (tensor<1x4xf32>, tensor<1x4xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>)
    streams.output %q {index = 1}
  }
}

// CHECK:      pyemit.module "tiny \22model\22" inputs("x" : tensor<1x4xf32>, "mask" : tensor<1x4xi1>) outputs("y", "parts") attributes {pipeline = "cleanup,convert-dfg-to-pyemit", predicted_speedup = 1.500000e+00 : f64, torch_version = "2.13.0"} {
// CHECK-NEXT:   %b = pyemit.weight "b" = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-NEXT:   %s = pyemit.weight "scale" = dense<2.000000e+00> : tensor<1x4xf32>
// CHECK-NEXT:   streams.stream 0 {
// CHECK-NEXT:     %x = streams.input {index = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %r = pyemit.call "torch.relu({0})"(%x) {comment = "Relu relu/1"} : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:     streams.send %r {slot = 0}
// CHECK-NEXT:     %m = streams.recv {slot = 1} : tensor<1x4xf32>
// CHECK-NEXT:     %y = pyemit.call "{0} + {1}"(%r, %m) : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:     streams.output %y {index = 0}
// CHECK-NEXT:   }
// CHECK-NEXT:   streams.stream 1 {
// CHECK-NEXT:     %r_1 = streams.recv {slot = 0} : tensor<1x4xf32>
// CHECK-NEXT:     %m_1 = pyemit.call "{0} * {1} * {0}"(%r_1, %b) : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:     streams.send %m_1 {slot = 1}
// CHECK-NEXT:     %p, %q = pyemit.call "split_pair({0}, {1})"(%m_1, %s) {helpers = ["split_pair"]} : (tensor<1x4xf32>, tensor<1x4xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>)
// CHECK-NEXT:     streams.output %q {index = 1}
// CHECK-NEXT:   }
// CHECK-NEXT: }

// GENERIC:      "pyemit.module"() <{input_names = ["x", "mask"], input_types = [tensor<1x4xf32>, tensor<1x4xi1>], output_names = ["y", "parts"], model_name = "tiny \22model\22", pipeline = "cleanup,convert-dfg-to-pyemit", predicted_speedup = 1.500000e+00 : f64, torch_version = "2.13.0"}> ({
// GENERIC-NEXT:   %b = "pyemit.weight"() <{weight_name = "b", value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>}> : () -> tensor<4xf32>
// GENERIC:        "streams.stream"() <{index = 0 : i64}> ({
// GENERIC-NEXT:     %x = "streams.input"() <{index = 0 : i64}> : () -> tensor<1x4xf32>
// GENERIC-NEXT:     %r = "pyemit.call"(%x) <{comment = "Relu relu/1", expr = "torch.relu({0})", helpers = []}> : (tensor<1x4xf32>) -> tensor<1x4xf32>
// GENERIC-NEXT:     "streams.send"(%r) <{slot = 0 : i64}> : (tensor<1x4xf32>) -> ()
// GENERIC-NEXT:     %m = "streams.recv"() <{slot = 1 : i64}> : () -> tensor<1x4xf32>
// GENERIC:          "streams.output"(%y) <{index = 0 : i64}> : (tensor<1x4xf32>) -> ()
