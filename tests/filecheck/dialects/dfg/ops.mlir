// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// Every dfg op in its custom syntax. The module must print back as written (the
// CHECK lines repeat the input), also after a trip through the generic form.
// Properties equal to their ONNX default are not printed; an absent optional
// operand before a present one is `_`.

// CHECK-LABEL: func.func @constants
// GENERIC-LABEL: "func.func"() <{sym_name = "constants"
func.func @constants() -> (tensor<2x2xf32>, tensor<64x3xf32>, tensor<3xi1>, tensor<4xf32>, tensor<2x3xf32>, tensor<i64>) {
  // CHECK-NEXT: %a = dfg.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %a = dfg.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // A splat keeps one element whatever the shape.
  // CHECK-NEXT: %splat = dfg.constant dense<2.000000e-02> : tensor<64x3xf32>
  %splat = dfg.constant dense<0.02> : tensor<64x3xf32>
  // CHECK-NEXT: %flags = dfg.constant dense<[true, false, true]> : tensor<3xi1>
  %flags = dfg.constant dense<[true, false, true]> : tensor<3xi1>
  // CHECK-NEXT: %w = dfg.constant #dfg.resource<w_d17d716f1d7b2f34 : tensor<4xf32>>
  // GENERIC: %w = "dfg.constant"() <{value = #dfg.resource<w_d17d716f1d7b2f34 : tensor<4xf32>>}> : () -> tensor<4xf32>
  %w = dfg.constant #dfg.resource<w_d17d716f1d7b2f34 : tensor<4xf32>>
  // CHECK-NEXT: %v = dfg.constant #dfg.resource<v_7343796a8f06af4d : tensor<2x3xf32>> {cluster = 1 : i64}
  %v = dfg.constant #dfg.resource<v_7343796a8f06af4d : tensor<2x3xf32>> {cluster = 1 : i64}
  // CHECK-NEXT: %s = dfg.constant dense<7> : tensor<i64>
  %s = dfg.constant dense<7> : tensor<i64>
  func.return %a, %splat, %flags, %w, %v, %s : tensor<2x2xf32>, tensor<64x3xf32>, tensor<3xi1>, tensor<4xf32>, tensor<2x3xf32>, tensor<i64>
}

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<2x3xf32>) {
  // CHECK-NEXT: %0 = dfg.abs %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %1 = dfg.erf %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %2 = dfg.exp %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %3 = dfg.log %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %4 = dfg.neg %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %5 = dfg.reciprocal %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %6 = dfg.relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %7 = dfg.sigmoid %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %8 = dfg.sqrt %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %9 = dfg.tanh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %10 = dfg.hard_swish %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %11 = dfg.identity %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %12 = dfg.gelu %x {approximate = "tanh"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %13 = dfg.gelu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %14 = dfg.hard_sigmoid %x {alpha = 2.500000e-01 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %15 = dfg.leaky_relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %16 = dfg.softmax %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %17 = dfg.log_softmax %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = dfg.abs %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = dfg.erf %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = dfg.exp %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = dfg.log %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = dfg.neg %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = dfg.reciprocal %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = dfg.relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %7 = dfg.sigmoid %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %8 = dfg.sqrt %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %9 = dfg.tanh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %10 = dfg.hard_swish %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %11 = dfg.identity %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %12 = dfg.gelu %x {approximate = "tanh"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // Defaults (approximate = "none", alpha = 0.01, axis = -1) are not printed.
  %13 = dfg.gelu %x {approximate = "none"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %14 = dfg.hard_sigmoid %x {alpha = 0.25 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %15 = dfg.leaky_relu %x {alpha = 0.00999999977 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %16 = dfg.softmax %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %17 = dfg.log_softmax %x {axis = -1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // The generic form shows every property, defaults included.
  // GENERIC: "dfg.gelu"(%x) <{approximate = "none"}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // GENERIC: "dfg.hard_sigmoid"(%x) <{alpha = 2.500000e-01 : f32, beta = 5.000000e-01 : f32}>
  // GENERIC: "dfg.leaky_relu"(%x) <{alpha = 1.000000e-02 : f32}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @binary
func.func @binary(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>, %e: tensor<3xi64>, %i: tensor<2x3xi64>, %c: tensor<3x1xi1>) {
  // CHECK-NEXT: %0 = dfg.add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %1 = dfg.sub %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %2 = dfg.mul %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %3 = dfg.div %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %4 = dfg.pow %b, %e : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<3x3xf32>
  // CHECK-NEXT: %5 = dfg.mod %i, %e : (tensor<2x3xi64>, tensor<3xi64>) -> tensor<2x3xi64>
  // CHECK-NEXT: %6 = dfg.mod %a, %b {fmod = 1 : i64} : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %7 = dfg.equal %i, %e : (tensor<2x3xi64>, tensor<3xi64>) -> tensor<2x3xi1>
  // CHECK-NEXT: %8 = dfg.greater %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xi1>
  // CHECK-NEXT: %9 = dfg.less %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xi1>
  // CHECK-NEXT: %10 = dfg.where %c, %b, %a : (tensor<3x1xi1>, tensor<3x1xf32>, tensor<2x1x4xf32>) -> tensor<2x3x4xf32>
  %0 = dfg.add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %1 = dfg.sub %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %2 = dfg.mul %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %3 = dfg.div %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %4 = dfg.pow %b, %e : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<3x3xf32>
  %5 = dfg.mod %i, %e : (tensor<2x3xi64>, tensor<3xi64>) -> tensor<2x3xi64>
  %6 = dfg.mod %a, %b {fmod = 1 : i64} : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %7 = dfg.equal %i, %e : (tensor<2x3xi64>, tensor<3xi64>) -> tensor<2x3xi1>
  %8 = dfg.greater %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xi1>
  %9 = dfg.less %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xi1>
  %10 = dfg.where %c, %b, %a : (tensor<3x1xi1>, tensor<3x1xf32>, tensor<2x1x4xf32>) -> tensor<2x3x4xf32>
  func.return
}

// Variadic operands: all values of the one variadic ONNX input.
// CHECK-LABEL: func.func @variadic
func.func @variadic(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<1x1xf32>) {
  // CHECK-NEXT: %0 = dfg.max %a, %b, %c : (tensor<2x3xf32>, tensor<3xf32>, tensor<1x1xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %1 = dfg.min %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %2 = dfg.sum %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %3 = dfg.concat %a, %a, %a {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x9xf32>
  // GENERIC: "dfg.max"(%a, %b, %c) : (tensor<2x3xf32>, tensor<3xf32>, tensor<1x1xf32>) -> tensor<2x3xf32>
  // GENERIC: "dfg.concat"(%a, %a, %a) <{axis = 1 : i64}> : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x9xf32>
  %0 = dfg.max %a, %b, %c : (tensor<2x3xf32>, tensor<3xf32>, tensor<1x1xf32>) -> tensor<2x3xf32>
  %1 = dfg.min %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = dfg.sum %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = dfg.concat %a, %a, %a {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x9xf32>
  func.return
}

// CHECK-LABEL: func.func @convolution
func.func @convolution(%x: tensor<1x3x9x9xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %t: tensor<3x2x3x3xf32>) {
  // CHECK-NEXT: %0 = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
  // CHECK-NEXT: %1 = dfg.conv %x, %w : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x7x7xf32>
  // CHECK-NEXT: %2 = dfg.conv_transpose %x, %t {strides = array<i64: 2, 2>} : (tensor<1x3x9x9xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x19x19xf32>
  // GENERIC: "dfg.conv"(%x, %w, %b) <{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, group = 1 : i64, auto_pad = "NOTSET"}> : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
  // GENERIC-NEXT: "dfg.conv"(%x, %w) <{group = 1 : i64, auto_pad = "NOTSET"}> : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x7x7xf32>
  // The default group is not printed.
  %0 = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, group = 1 : i64} : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
  %1 = dfg.conv %x, %w : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x7x7xf32>
  %2 = dfg.conv_transpose %x, %t {strides = array<i64: 2, 2>} : (tensor<1x3x9x9xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x19x19xf32>
  func.return
}

// CHECK-LABEL: func.func @normalisation
func.func @normalisation(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>, %y: tensor<2x3x4xf32>, %q: tensor<4xf32>) {
  // CHECK-NEXT: %0 = dfg.batch_normalization %x, %p, %p, %p, %p {epsilon = 1.000000e-03 : f32} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %1 = dfg.instance_normalization %x, %p, %p : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %2 = dfg.layer_normalization %y, %q, %q : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %3 = dfg.layer_normalization %y, %q : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %4, %5, %6 = dfg.layer_normalization %y, %q {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  // CHECK-NEXT: %7 = dfg.lrn %x {size = 3 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // Several optional results: their segment sizes are in the generic form only.
  // GENERIC: "dfg.layer_normalization"(%y, %q) <{resultSegmentSizes = array<i32: 1, 0, 0>, stash_type = 1 : i64, epsilon = 1.000000e-05 : f32, axis = -1 : i64}> : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  // GENERIC-NEXT: %4, %5, %6 = "dfg.layer_normalization"(%y, %q) <{axis = 1 : i64, resultSegmentSizes = array<i32: 1, 1, 1>, stash_type = 1 : i64, epsilon = 1.000000e-05 : f32}> : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  %0 = dfg.batch_normalization %x, %p, %p, %p, %p {epsilon = 1.000000e-03 : f32} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %1 = dfg.instance_normalization %x, %p, %p : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %2 = dfg.layer_normalization %y, %q, %q : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %3 = dfg.layer_normalization %y, %q : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %4, %5, %6 = dfg.layer_normalization %y, %q {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  %7 = dfg.lrn %x {size = 3 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  func.return
}

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<1x2x7x7xf32>) {
  // CHECK-NEXT: %0 = dfg.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  // CHECK-NEXT: %1 = dfg.max_pool %x {kernel_shape = array<i64: 3, 3>, ceil_mode = 1 : i64, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  // CHECK-NEXT: %2, %3 = dfg.max_pool %x {kernel_shape = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> (tensor<1x2x6x6xf32>, tensor<1x2x6x6xi64>)
  // CHECK-NEXT: %4 = dfg.global_average_pool %x : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  // CHECK-NEXT: %5 = dfg.global_max_pool %x : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  // GENERIC: %2, %3 = "dfg.max_pool"(%x) <{kernel_shape = array<i64: 2, 2>, storage_order = 0 : i64, ceil_mode = 0 : i64, auto_pad = "NOTSET"}> : (tensor<1x2x7x7xf32>) -> (tensor<1x2x6x6xf32>, tensor<1x2x6x6xi64>)
  %0 = dfg.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  %1 = dfg.max_pool %x {kernel_shape = array<i64: 3, 3>, ceil_mode = 1 : i64, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  %2, %3 = dfg.max_pool %x {kernel_shape = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> (tensor<1x2x6x6xf32>, tensor<1x2x6x6xi64>)
  %4 = dfg.global_average_pool %x : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  %5 = dfg.global_max_pool %x : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  func.return
}

// CHECK-LABEL: func.func @matrices
func.func @matrices(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>, %d: tensor<3x5xf32>) {
  // CHECK-NEXT: %0 = dfg.gemm %a, %b, %c {transB = 1 : i64, alpha = 5.000000e-01 : f32} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  // CHECK-NEXT: %1 = dfg.gemm %a, %d : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  // CHECK-NEXT: %2 = dfg.mat_mul %a, %d : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  %0 = dfg.gemm %a, %b, %c {transB = 1 : i64, alpha = 0.5 : f32} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %1 = dfg.gemm %a, %d : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  %2 = dfg.mat_mul %a, %d : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  func.return
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x3x4xf32>) {
  // CHECK-NEXT: %shape = dfg.constant dense<[0, -1]> : tensor<2xi64>
  // CHECK-NEXT: %axes = dfg.constant dense<[0, 2]> : tensor<2xi64>
  // CHECK-NEXT: %dims = dfg.constant dense<[2, 3]> : tensor<2xi64>
  // CHECK-NEXT: %wide = dfg.constant dense<[3, 1]> : tensor<2xi64>
  // CHECK-NEXT: %repeats = dfg.constant dense<[1, 2, 1]> : tensor<3xi64>
  // CHECK-NEXT: %indices = dfg.constant dense<[0, 2]> : tensor<2xi64>
  // CHECK-NEXT: %0 = dfg.reshape %x, %shape : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  // CHECK-NEXT: %1 = dfg.flatten %x {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  // CHECK-NEXT: %2 = dfg.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK-NEXT: %3 = dfg.unsqueeze %x, %axes : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<1x2x1x3x4xf32>
  // CHECK-NEXT: %4 = dfg.squeeze %3, %axes : (tensor<1x2x1x3x4xf32>, tensor<2xi64>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %5 = dfg.squeeze %3 : (tensor<1x2x1x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %6 = dfg.shape %x : (tensor<2x3x4xf32>) -> tensor<3xi64>
  // CHECK-NEXT: %7 = dfg.shape %x {start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  // CHECK-NEXT: %8 = dfg.constant_of_shape %dims {value = dense<7> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<2x3xi64>
  // CHECK-NEXT: %9 = dfg.constant_of_shape %dims : (tensor<2xi64>) -> tensor<2x3xf32>
  // CHECK-NEXT: %10 = dfg.expand %x, %wide : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %11 = dfg.tile %x, %repeats : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<2x6x4xf32>
  // CHECK-NEXT: %12 = dfg.gather %x, %indices {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x2x4xf32>
  // CHECK-NEXT: %13 = dfg.arg_max %x {axis = 1 : i64, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xi64>
  // CHECK-NEXT: %14 = dfg.cast %x {to = 7 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xi64>
  // CHECK-NEXT: %15 = dfg.cast %14 {to = 10 : i64} : (tensor<2x3x4xi64>) -> tensor<2x3x4xf16>
  %shape = dfg.constant dense<[0, -1]> : tensor<2xi64>
  %axes = dfg.constant dense<[0, 2]> : tensor<2xi64>
  %dims = dfg.constant dense<[2, 3]> : tensor<2xi64>
  %wide = dfg.constant dense<[3, 1]> : tensor<2xi64>
  %repeats = dfg.constant dense<[1, 2, 1]> : tensor<3xi64>
  %indices = dfg.constant dense<[0, 2]> : tensor<2xi64>
  %0 = dfg.reshape %x, %shape : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  %1 = dfg.flatten %x {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %2 = dfg.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %3 = dfg.unsqueeze %x, %axes : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<1x2x1x3x4xf32>
  %4 = dfg.squeeze %3, %axes : (tensor<1x2x1x3x4xf32>, tensor<2xi64>) -> tensor<2x3x4xf32>
  %5 = dfg.squeeze %3 : (tensor<1x2x1x3x4xf32>) -> tensor<2x3x4xf32>
  %6 = dfg.shape %x : (tensor<2x3x4xf32>) -> tensor<3xi64>
  %7 = dfg.shape %x {start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  %8 = dfg.constant_of_shape %dims {value = dense<7> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<2x3xi64>
  %9 = dfg.constant_of_shape %dims : (tensor<2xi64>) -> tensor<2x3xf32>
  %10 = dfg.expand %x, %wide : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x3x4xf32>
  %11 = dfg.tile %x, %repeats : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<2x6x4xf32>
  %12 = dfg.gather %x, %indices {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x2x4xf32>
  %13 = dfg.arg_max %x {axis = 1 : i64, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xi64>
  %14 = dfg.cast %x {to = 7 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xi64>
  %15 = dfg.cast %14 {to = 10 : i64} : (tensor<2x3x4xi64>) -> tensor<2x3x4xf16>
  func.return
}

// Absent optional operands before present ones are `_`; trailing ones are left out.
// CHECK-LABEL: func.func @optional_operands
func.func @optional_operands(%x: tensor<6x5xf32>, %img: tensor<1x2x3x4xf32>) {
  // CHECK-NEXT: %starts = dfg.constant dense<[4, 0]> : tensor<2xi64>
  // CHECK-NEXT: %ends = dfg.constant dense<[0, 5]> : tensor<2xi64>
  // CHECK-NEXT: %steps = dfg.constant dense<[-1, 2]> : tensor<2xi64>
  // CHECK-NEXT: %pads = dfg.constant dense<[1, 2]> : tensor<2xi64>
  // CHECK-NEXT: %pad_axes = dfg.constant dense<1> : tensor<1xi64>
  // CHECK-NEXT: %scales = dfg.constant dense<[1.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<4xf32>
  // CHECK-NEXT: %sizes = dfg.constant dense<[1, 2, 5, 7]> : tensor<4xi64>
  // CHECK-NEXT: %hi = dfg.constant dense<6.000000e+00> : tensor<f32>
  // CHECK-NEXT: %0 = dfg.slice %x, %starts, %ends, _, %steps : (tensor<6x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<4x3xf32>
  // CHECK-NEXT: %1 = dfg.slice %x, %starts, %ends : (tensor<6x5xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<0x5xf32>
  // CHECK-NEXT: %2 = dfg.pad %x, %pads, _, %pad_axes {mode = "reflect"} : (tensor<6x5xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<6x8xf32>
  // CHECK-NEXT: %3 = dfg.resize %img, _, %scales : (tensor<1x2x3x4xf32>, tensor<4xf32>) -> tensor<1x2x6x12xf32>
  // CHECK-NEXT: %4 = dfg.resize %img, _, _, %sizes {mode = "linear"} : (tensor<1x2x3x4xf32>, tensor<4xi64>) -> tensor<1x2x5x7xf32>
  // CHECK-NEXT: %5 = dfg.clip %x, _, %hi : (tensor<6x5xf32>, tensor<f32>) -> tensor<6x5xf32>
  // CHECK-NEXT: %6 = dfg.clip %x : (tensor<6x5xf32>) -> tensor<6x5xf32>
  // GENERIC: "dfg.slice"(%x, %starts, %ends, %steps) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 1>}> : (tensor<6x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<4x3xf32>
  // GENERIC: "dfg.slice"(%x, %starts, %ends) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>}>
  // GENERIC: "dfg.pad"(%x, %pads, %pad_axes) <{mode = "reflect", operandSegmentSizes = array<i32: 1, 1, 0, 1>}>
  // GENERIC: "dfg.clip"(%x, %hi) <{operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<6x5xf32>, tensor<f32>) -> tensor<6x5xf32>
  %starts = dfg.constant dense<[4, 0]> : tensor<2xi64>
  %ends = dfg.constant dense<[0, 5]> : tensor<2xi64>
  %steps = dfg.constant dense<[-1, 2]> : tensor<2xi64>
  %pads = dfg.constant dense<[1, 2]> : tensor<2xi64>
  %pad_axes = dfg.constant dense<1> : tensor<1xi64>
  %scales = dfg.constant dense<[1.0, 1.0, 2.0, 3.0]> : tensor<4xf32>
  %sizes = dfg.constant dense<[1, 2, 5, 7]> : tensor<4xi64>
  %hi = dfg.constant dense<6.0> : tensor<f32>
  // Rows 4, 3, 2, 1 and columns 0, 2, 4.
  %0 = dfg.slice %x, %starts, %ends, _, %steps : (tensor<6x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<4x3xf32>
  // Trailing absent operands may also be written out.
  %1 = dfg.slice %x, %starts, %ends, _, _ : (tensor<6x5xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<0x5xf32>
  %2 = dfg.pad %x, %pads, _, %pad_axes {mode = "reflect"} : (tensor<6x5xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<6x8xf32>
  %3 = dfg.resize %img, _, %scales {mode = "nearest"} : (tensor<1x2x3x4xf32>, tensor<4xf32>) -> tensor<1x2x6x12xf32>
  %4 = dfg.resize %img, _, _, %sizes {mode = "linear"} : (tensor<1x2x3x4xf32>, tensor<4xi64>) -> tensor<1x2x5x7xf32>
  %5 = dfg.clip %x, _, %hi : (tensor<6x5xf32>, tensor<f32>) -> tensor<6x5xf32>
  %6 = dfg.clip %x : (tensor<6x5xf32>) -> tensor<6x5xf32>
  func.return
}

// CHECK-LABEL: func.func @multiple_results
func.func @multiple_results(%x: tensor<2x4xf32>, %r: tensor<f32>) {
  // CHECK-NEXT: %split = dfg.constant dense<[1, 3]> : tensor<2xi64>
  // CHECK-NEXT: %0, %1 = dfg.split %x, %split {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2xi64>) -> (tensor<2x1xf32>, tensor<2x3xf32>)
  // CHECK-NEXT: %2, %3, %4, %5 = dfg.split %x {axis = 1 : i64, num_outputs = 4 : i64} : (tensor<2x4xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  // CHECK-NEXT: %6 = dfg.dropout %x, %r : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  // CHECK-NEXT: %7, %8 = dfg.dropout %x : (tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xi1>)
  // One optional operand and one variadic result: no segment sizes needed.
  // GENERIC: %0, %1 = "dfg.split"(%x, %split) <{axis = 1 : i64}> : (tensor<2x4xf32>, tensor<2xi64>) -> (tensor<2x1xf32>, tensor<2x3xf32>)
  %split = dfg.constant dense<[1, 3]> : tensor<2xi64>
  %0, %1 = dfg.split %x, %split {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2xi64>) -> (tensor<2x1xf32>, tensor<2x3xf32>)
  %2, %3, %4, %5 = dfg.split %x {axis = 1 : i64, num_outputs = 4 : i64} : (tensor<2x4xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  %6 = dfg.dropout %x, %r : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %7, %8 = dfg.dropout %x : (tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xi1>)
  func.return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) {
  // CHECK-NEXT: %axes = dfg.constant dense<1> : tensor<1xi64>
  // CHECK-NEXT: %0 = dfg.reduce_max %x, %axes {keepdims = 0 : i64} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x4xf32>
  // CHECK-NEXT: %1 = dfg.reduce_mean %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  // CHECK-NEXT: %2 = dfg.reduce_sum %x : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  %axes = dfg.constant dense<1> : tensor<1xi64>
  %0 = dfg.reduce_max %x, %axes {keepdims = 0 : i64} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x4xf32>
  %1 = dfg.reduce_mean %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  %2 = dfg.reduce_sum %x : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  func.return
}

// CHECK-LABEL: func.func @ranges
func.func @ranges() -> tensor<3xi64> {
  // CHECK-NEXT: %start = dfg.constant dense<1> : tensor<i64>
  // CHECK-NEXT: %limit = dfg.constant dense<10> : tensor<i64>
  // CHECK-NEXT: %delta = dfg.constant dense<3> : tensor<i64>
  // CHECK-NEXT: %0 = dfg.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<3xi64>
  %start = dfg.constant dense<1> : tensor<i64>
  %limit = dfg.constant dense<10> : tensor<i64>
  %delta = dfg.constant dense<3> : tensor<i64>
  %0 = dfg.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<3xi64>
  func.return %0 : tensor<3xi64>
}

// Discardable attributes (cluster, stream) share the attribute dictionary with
// the properties and survive the round trip.
// CHECK-LABEL: func.func @discardable
func.func @discardable(%x: tensor<1x3x4x4xf32>) {
  // CHECK-NEXT: %0 = dfg.relu %x {cluster = 2 : i64, stream = 0 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %1 = dfg.max_pool %0 {kernel_shape = array<i64: 2, 2>, cluster = 2 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32>
  // GENERIC: "dfg.relu"(%x) {cluster = 2 : i64, stream = 0 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // GENERIC: "dfg.max_pool"(%0) <{kernel_shape = array<i64: 2, 2>, storage_order = 0 : i64, ceil_mode = 0 : i64, auto_pad = "NOTSET"}> {cluster = 2 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32>
  %0 = dfg.relu %x {cluster = 2 : i64, stream = 0 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %1 = dfg.max_pool %0 {cluster = 2 : i64, kernel_shape = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32>
  func.return
}

// CHECK: {-#
// CHECK-NEXT: dialect_resources: {
// CHECK-NEXT: dfg: {
// CHECK-NEXT: v_7343796a8f06af4d: "0x10000000000000000000803f0000004000004040000080400000a040",
// CHECK-NEXT: w_d17d716f1d7b2f34: "0x100000000000803f000000400000404000008040"
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: #-}

{-#
  dialect_resources: {
    dfg: {
      w_d17d716f1d7b2f34: "0x100000000000803f000000400000404000008040",
      v_7343796a8f06af4d: "0x10000000000000000000803f0000004000004040000080400000a040"
    }
  }
#-}
