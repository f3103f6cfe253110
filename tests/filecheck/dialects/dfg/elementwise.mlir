// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The elementwise and activation ops in their custom syntax, and the element
// types beyond float32 and int64 (uint16 to uint64, int16, bfloat16). The module
// must print back as written, also after a trip through the generic form.

// CHECK-LABEL: func.func @math
// GENERIC-LABEL: "func.func"() <{sym_name = "math"
func.func @math(%x: tensor<2x3xf32>) {
  // CHECK-NEXT: %0 = dfg.sin %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = dfg.sin %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %1 = dfg.cos %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = dfg.cos %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %2 = dfg.tan %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = dfg.tan %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %3 = dfg.asin %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = dfg.asin %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %4 = dfg.acos %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = dfg.acos %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %5 = dfg.atan %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = dfg.atan %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %6 = dfg.sinh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = dfg.sinh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %7 = dfg.cosh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %7 = dfg.cosh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %8 = dfg.asinh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %8 = dfg.asinh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %9 = dfg.acosh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %9 = dfg.acosh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %10 = dfg.atanh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %10 = dfg.atanh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %11 = dfg.ceil %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %11 = dfg.ceil %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %12 = dfg.floor %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %12 = dfg.floor %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %13 = dfg.round %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %13 = dfg.round %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %14 = dfg.sign %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %14 = dfg.sign %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %15 = dfg.is_na_n %x : (tensor<2x3xf32>) -> tensor<2x3xi1>
  %15 = dfg.is_na_n %x : (tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK-NEXT: %16 = dfg.is_inf %x {detect_negative = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi1>
  // GENERIC: "dfg.is_inf"(%x) <{detect_negative = 0 : i64, detect_positive = 1 : i64}>
  %16 = dfg.is_inf %x {detect_negative = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK-NEXT: func.return
  func.return
}

// CHECK-LABEL: func.func @logic
// GENERIC-LABEL: "func.func"() <{sym_name = "logic"
func.func @logic(%a: tensor<2x3xi1>, %b: tensor<3xi1>) {
  // CHECK-NEXT: %0 = dfg.and %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %0 = dfg.and %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK-NEXT: %1 = dfg.or %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %1 = dfg.or %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK-NEXT: %2 = dfg.xor %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %2 = dfg.xor %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK-NEXT: %3 = dfg.not %a : (tensor<2x3xi1>) -> tensor<2x3xi1>
  %3 = dfg.not %a : (tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK-NEXT: func.return
  func.return
}

// CHECK-LABEL: func.func @bits
// GENERIC-LABEL: "func.func"() <{sym_name = "bits"
func.func @bits(%a: tensor<4xui64>, %b: tensor<4xui64>, %c: tensor<2x4xi16>) {
  // CHECK-NEXT: %0 = dfg.bitwise_and %a, %b : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  %0 = dfg.bitwise_and %a, %b : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  // CHECK-NEXT: %1 = dfg.bitwise_or %a, %b : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  %1 = dfg.bitwise_or %a, %b : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  // CHECK-NEXT: %2 = dfg.bitwise_xor %c, %c : (tensor<2x4xi16>, tensor<2x4xi16>) -> tensor<2x4xi16>
  %2 = dfg.bitwise_xor %c, %c : (tensor<2x4xi16>, tensor<2x4xi16>) -> tensor<2x4xi16>
  // CHECK-NEXT: %3 = dfg.bitwise_not %c : (tensor<2x4xi16>) -> tensor<2x4xi16>
  %3 = dfg.bitwise_not %c : (tensor<2x4xi16>) -> tensor<2x4xi16>
  // CHECK-NEXT: %4 = dfg.bit_shift %a, %b {direction = "LEFT"} : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  // GENERIC: "dfg.bit_shift"(%a, %b) <{direction = "LEFT"}>
  %4 = dfg.bit_shift %a, %b {direction = "LEFT"} : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  // CHECK-NEXT: %5 = dfg.bit_shift %c, %c {direction = "RIGHT"} : (tensor<2x4xi16>, tensor<2x4xi16>) -> tensor<2x4xi16>
  %5 = dfg.bit_shift %c, %c {direction = "RIGHT"} : (tensor<2x4xi16>, tensor<2x4xi16>) -> tensor<2x4xi16>
  // CHECK-NEXT: func.return
  func.return
}

// CHECK-LABEL: func.func @comparisons
// GENERIC-LABEL: "func.func"() <{sym_name = "comparisons"
func.func @comparisons(%a: tensor<2x3xbf16>, %b: tensor<3xbf16>, %u: tensor<3xui32>) {
  // CHECK-NEXT: %0 = dfg.greater_or_equal %a, %b : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xi1>
  %0 = dfg.greater_or_equal %a, %b : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xi1>
  // CHECK-NEXT: %1 = dfg.less_or_equal %a, %b : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xi1>
  %1 = dfg.less_or_equal %a, %b : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xi1>
  // CHECK-NEXT: %2 = dfg.greater %u, %u : (tensor<3xui32>, tensor<3xui32>) -> tensor<3xi1>
  %2 = dfg.greater %u, %u : (tensor<3xui32>, tensor<3xui32>) -> tensor<3xi1>
  // CHECK-NEXT: func.return
  func.return
}

// CHECK-LABEL: func.func @element_types
// GENERIC-LABEL: "func.func"() <{sym_name = "element_types"
func.func @element_types(%h: tensor<4xui16>, %w: tensor<4xui32>, %d: tensor<4xui64>, %s: tensor<4xi16>, %f: tensor<4xbf16>) {
  // CHECK-NEXT: %c = dfg.constant dense<[0, 1, 9223372036854775808, 18446744073709551615]> : tensor<4xui64>
  // GENERIC: "dfg.constant"() <{value = dense<[0, 1, 9223372036854775808, 18446744073709551615]> : tensor<4xui64>}>
  %c = dfg.constant dense<[0, 1, 9223372036854775808, 18446744073709551615]> : tensor<4xui64>
  // CHECK-NEXT: %k = dfg.constant dense<[1.500000e+00, -2.000000e+00, 0.000000e+00, 3.000000e+00]> : tensor<4xbf16>
  %k = dfg.constant dense<[1.500000e+00, -2.000000e+00, 0.000000e+00, 3.000000e+00]> : tensor<4xbf16>
  // CHECK-NEXT: %0 = dfg.add %h, %h : (tensor<4xui16>, tensor<4xui16>) -> tensor<4xui16>
  %0 = dfg.add %h, %h : (tensor<4xui16>, tensor<4xui16>) -> tensor<4xui16>
  // CHECK-NEXT: %1 = dfg.sub %w, %w : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %1 = dfg.sub %w, %w : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  // CHECK-NEXT: %2 = dfg.mul %d, %c : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  %2 = dfg.mul %d, %c : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  // CHECK-NEXT: %3 = dfg.div %f, %k : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  %3 = dfg.div %f, %k : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  // CHECK-NEXT: %4 = dfg.mod %s, %s {fmod = 1 : i64} : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  %4 = dfg.mod %s, %s {fmod = 1 : i64} : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  // CHECK-NEXT: %5 = dfg.max %d, %c, %d : (tensor<4xui64>, tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  %5 = dfg.max %d, %c, %d : (tensor<4xui64>, tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  // CHECK-NEXT: %6 = dfg.mean %f, %k : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  %6 = dfg.mean %f, %k : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  // CHECK-NEXT: %7 = dfg.cast %w {to = 16 : i64} : (tensor<4xui32>) -> tensor<4xbf16>
  %7 = dfg.cast %w {to = 16 : i64} : (tensor<4xui32>) -> tensor<4xbf16>
  // CHECK-NEXT: %8 = dfg.cast_like %s, %d : (tensor<4xi16>, tensor<4xui64>) -> tensor<4xui64>
  // GENERIC: "dfg.cast_like"(%s, %d) <{round_mode = "up", saturate = 1 : i64}>
  %8 = dfg.cast_like %s, %d : (tensor<4xi16>, tensor<4xui64>) -> tensor<4xui64>
  // CHECK-NEXT: %9 = dfg.bit_cast %f {to = 5 : i64} : (tensor<4xbf16>) -> tensor<4xi16>
  // GENERIC: "dfg.bit_cast"(%f) <{to = 5 : i64}>
  %9 = dfg.bit_cast %f {to = 5 : i64} : (tensor<4xbf16>) -> tensor<4xi16>
  // CHECK-NEXT: %10 = dfg.bit_cast %d {to = 11 : i64} : (tensor<4xui64>) -> tensor<4xf64>
  %10 = dfg.bit_cast %d {to = 11 : i64} : (tensor<4xui64>) -> tensor<4xf64>
  // CHECK-NEXT: func.return
  func.return
}

// CHECK-LABEL: func.func @activations
// GENERIC-LABEL: "func.func"() <{sym_name = "activations"
func.func @activations(%x: tensor<1x3x4x4xf32>, %slope: tensor<3x1x1xf32>) {
  // CHECK-NEXT: %0 = dfg.elu %x {alpha = 5.000000e-01 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %0 = dfg.elu %x {alpha = 5.000000e-01 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %1 = dfg.selu %x {alpha = 2.000000e+00 : f32, gamma = 3.000000e+00 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %1 = dfg.selu %x {alpha = 2.000000e+00 : f32, gamma = 3.000000e+00 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %2 = dfg.celu %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %2 = dfg.celu %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %3 = dfg.softplus %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %3 = dfg.softplus %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %4 = dfg.softsign %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %4 = dfg.softsign %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %5 = dfg.mish %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %5 = dfg.mish %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %6 = dfg.prelu %x, %slope : (tensor<1x3x4x4xf32>, tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %6 = dfg.prelu %x, %slope : (tensor<1x3x4x4xf32>, tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %7 = dfg.thresholded_relu %x {alpha = 2.000000e+00 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %7 = dfg.thresholded_relu %x {alpha = 2.000000e+00 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %8 = dfg.shrink %x {bias = 1.500000e+00 : f32, lambd = 1.500000e+00 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %8 = dfg.shrink %x {bias = 1.500000e+00 : f32, lambd = 1.500000e+00 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %9 = dfg.swish %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // GENERIC: "dfg.swish"(%x) <{alpha = 1.000000e+00 : f32}>
  %9 = dfg.swish %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: %10 = dfg.swi_glu %x, %0 {alpha = 1.702000e+00 : f32} : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %10 = dfg.swi_glu %x, %0 {alpha = 1.702000e+00 : f32} : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: func.return
  func.return
}
