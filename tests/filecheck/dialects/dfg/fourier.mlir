// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The Fourier transforms in their custom syntax; the module must print back as
// written, also after a trip through the generic form.

// CHECK-LABEL: func.func @transforms
// GENERIC-LABEL: "func.func"() <{sym_name = "transforms"
func.func @transforms(%x: tensor<1x10x10x1xf32>, %z: tensor<1x6x10x2xf32>, %s: tensor<1x128x1xf32>, %w: tensor<16xf32>) {
  // CHECK-NEXT: %axis = dfg.constant dense<1> : tensor<i64>
  // CHECK-NEXT: %n = dfg.constant dense<12> : tensor<i64>
  // CHECK-NEXT: %step = dfg.constant dense<8> : tensor<i64>
  // CHECK-NEXT: %0 = dfg.dft %x : (tensor<1x10x10x1xf32>) -> tensor<1x10x10x2xf32>
  // CHECK-NEXT: %1 = dfg.dft %x, _, %axis {onesided = 1 : i64} : (tensor<1x10x10x1xf32>, tensor<i64>) -> tensor<1x6x10x2xf32>
  // CHECK-NEXT: %2 = dfg.dft %z, %n, %axis {inverse = 1 : i64, onesided = 1 : i64} : (tensor<1x6x10x2xf32>, tensor<i64>, tensor<i64>) -> tensor<1x12x10x1xf32>
  // CHECK-NEXT: %3 = dfg.stft %s, %step, %w : (tensor<1x128x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<1x15x9x2xf32>
  // CHECK-NEXT: %4 = dfg.stft %s, %step, _, %n {onesided = 0 : i64} : (tensor<1x128x1xf32>, tensor<i64>, tensor<i64>) -> tensor<1x15x12x2xf32>
  // An absent optional operand before a present one: the segment sizes say which.
  // GENERIC: %1 = "dfg.dft"(%x, %axis) <{{.*}}operandSegmentSizes = array<i32: 1, 0, 1>
  %axis = dfg.constant dense<1> : tensor<i64>
  %n = dfg.constant dense<12> : tensor<i64>
  %step = dfg.constant dense<8> : tensor<i64>
  %0 = dfg.dft %x : (tensor<1x10x10x1xf32>) -> tensor<1x10x10x2xf32>
  %1 = dfg.dft %x, _, %axis {onesided = 1 : i64} : (tensor<1x10x10x1xf32>, tensor<i64>) -> tensor<1x6x10x2xf32>
  %2 = dfg.dft %z, %n, %axis {inverse = 1 : i64, onesided = 1 : i64} : (tensor<1x6x10x2xf32>, tensor<i64>, tensor<i64>) -> tensor<1x12x10x1xf32>
  %3 = dfg.stft %s, %step, %w : (tensor<1x128x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<1x15x9x2xf32>
  %4 = dfg.stft %s, %step, _, %n {onesided = 0 : i64} : (tensor<1x128x1xf32>, tensor<i64>, tensor<i64>) -> tensor<1x15x12x2xf32>
  func.return
}
