// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The window functions and the mel filter bank in their custom syntax; the
// module must print back as written, also after a trip through the generic form.

// CHECK-LABEL: func.func @windows_and_filters
func.func @windows_and_filters(%low: tensor<f32>, %high: tensor<f32>) {
  // CHECK-NEXT: %n = dfg.constant dense<10> : tensor<i32>
  // CHECK-NEXT: %length = dfg.constant dense<16> : tensor<i32>
  // CHECK-NEXT: %rate = dfg.constant dense<8000> : tensor<i32>
  // CHECK-NEXT: %0 = dfg.hann_window %n : (tensor<i32>) -> tensor<10xf32>
  // CHECK-NEXT: %1 = dfg.hamming_window %n {periodic = 0 : i64} : (tensor<i32>) -> tensor<10xf32>
  // CHECK-NEXT: %2 = dfg.blackman_window %n {output_datatype = 11 : i64} : (tensor<i32>) -> tensor<10xf64>
  // CHECK-NEXT: %3 = dfg.mel_weight_matrix %n, %length, %rate, %low, %high : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x10xf32>
  %n = dfg.constant dense<10> : tensor<i32>
  %length = dfg.constant dense<16> : tensor<i32>
  %rate = dfg.constant dense<8000> : tensor<i32>
  %0 = dfg.hann_window %n : (tensor<i32>) -> tensor<10xf32>
  %1 = dfg.hamming_window %n {periodic = 0 : i64} : (tensor<i32>) -> tensor<10xf32>
  %2 = dfg.blackman_window %n {output_datatype = 11 : i64} : (tensor<i32>) -> tensor<10xf64>
  %3 = dfg.mel_weight_matrix %n, %length, %rate, %low, %high : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x10xf32>
  func.return
}
