// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The sampling ops of the resize family in their custom syntax (Resize itself is
// in ops.mlir): the module prints back as written, also after a trip through the
// generic form. Properties at their ONNX default are not printed.

// CHECK-LABEL: func.func @sampling
// GENERIC-LABEL: "func.func"() <{sym_name = "sampling"
func.func @sampling(%x: tensor<1x2x7x7xf32>, %grid: tensor<1x3x4x2xf32>, %theta: tensor<1x2x3xf32>, %theta3: tensor<2x3x4xf64>) {
  %size = dfg.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
  %size3 = dfg.constant dense<[2, 1, 2, 3, 4]> : tensor<5xi64>
  // CHECK: %0 = dfg.grid_sample %x, %grid {mode = "cubic", padding_mode = "reflection"} : (tensor<1x2x7x7xf32>, tensor<1x3x4x2xf32>) -> tensor<1x2x3x4xf32>
  // CHECK-NEXT: %1 = dfg.affine_grid %theta, %size {align_corners = 1 : i64} : (tensor<1x2x3xf32>, tensor<4xi64>) -> tensor<1x3x4x2xf32>
  // CHECK-NEXT: %2 = dfg.affine_grid %theta3, %size3 : (tensor<2x3x4xf64>, tensor<5xi64>) -> tensor<2x2x3x4x3xf64>
  // GENERIC: "dfg.grid_sample"(%x, %grid) <{{.*}}align_corners = 0 : i64
  // GENERIC: "dfg.affine_grid"(%theta3, %size3) <{align_corners = 0 : i64}>
  %0 = dfg.grid_sample %x, %grid {mode = "cubic", padding_mode = "reflection"} : (tensor<1x2x7x7xf32>, tensor<1x3x4x2xf32>) -> tensor<1x2x3x4xf32>
  %1 = dfg.affine_grid %theta, %size {align_corners = 1 : i64} : (tensor<1x2x3xf32>, tensor<4xi64>) -> tensor<1x3x4x2xf32>
  %2 = dfg.affine_grid %theta3, %size3 : (tensor<2x3x4xf64>, tensor<5xi64>) -> tensor<2x2x3x4x3xf64>
  func.return
}
