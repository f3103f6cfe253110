// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The linear algebra ops ops.mlir does not hold, in their custom syntax; the
// module must print back as written, also after a trip through the generic form.

// CHECK-LABEL: func.func @determinants
func.func @determinants(%m: tensor<4x3x3xf32>, %s: tensor<2x2xf64>) {
  // CHECK-NEXT: %0 = dfg.det %m : (tensor<4x3x3xf32>) -> tensor<4xf32>
  // CHECK-NEXT: %1 = dfg.det %s : (tensor<2x2xf64>) -> tensor<f64>
  %0 = dfg.det %m : (tensor<4x3x3xf32>) -> tensor<4xf32>
  %1 = dfg.det %s : (tensor<2x2xf64>) -> tensor<f64>
  func.return
}
