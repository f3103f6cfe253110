// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the linear algebra ops; the diagnostic names the
// rule and points at the op.

// Det takes square matrices.
func.func @det_square(%m: tensor<2x3x4xf32>) {
  %d = dfg.det %m : (tensor<2x3x4xf32>) -> tensor<2xf32>
  func.return
}
// CHECK: invalid-linalg.mlir:8:3
// CHECK: 'dfg.det' op invalid Det: [ShapeInferenceError] Dimension mismatch in unification between 4 and 3
