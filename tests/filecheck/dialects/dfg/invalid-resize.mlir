// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the resize family's ops beyond ONNX's shape
// inference; the diagnostic names the rule and points at the op.

// A 2-D grid takes (N, 2, 3) matrices, a 3-D one (N, 3, 4).
func.func @affine_grid_theta(%theta: tensor<2x3x4xf32>) {
  %size = dfg.constant dense<[2, 1, 4, 5]> : tensor<4xi64>
  %g = dfg.affine_grid %theta, %size : (tensor<2x3x4xf32>, tensor<4xi64>) -> tensor<2x4x5x2xf32>
  func.return
}
// CHECK: invalid-resize.mlir:9:3
// CHECK-NEXT: %g = dfg.affine_grid %theta, %size
// CHECK: 'dfg.affine_grid' op theta of shape 2x3x4 does not map the grid of shape 2x4x5x2

// -----

func.func @affine_grid_batch(%theta: tensor<3x2x3xf32>) {
  %size = dfg.constant dense<[2, 1, 4, 5]> : tensor<4xi64>
  %g = dfg.affine_grid %theta, %size : (tensor<3x2x3xf32>, tensor<4xi64>) -> tensor<2x4x5x2xf32>
  func.return
}
// CHECK: 'dfg.affine_grid' op theta of shape 3x2x3 does not map the grid of shape 2x4x5x2
