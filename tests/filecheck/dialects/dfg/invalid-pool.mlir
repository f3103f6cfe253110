// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the pooling family's ops beyond ONNX's shape
// inference; the diagnostic names the rule and points at the op.

func.func @unpool_indices(%x: tensor<1x2x2x2xf32>, %i: tensor<1x2x2x1xi64>) {
  %y = dfg.max_unpool %x, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x1xi64>) -> tensor<1x2x4x4xf32>
  func.return
}
// CHECK: 'dfg.max_unpool' op indices of shape 1x2x2x1 do not index input of shape 1x2x2x2
