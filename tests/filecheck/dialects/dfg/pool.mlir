// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The pooling family's ops beyond those of ops.mlir, in their custom syntax: the
// module prints back as written, also after a trip through the generic form.
// Properties at their ONNX default are not printed.

// CHECK-LABEL: func.func @pooling
// GENERIC-LABEL: "func.func"() <{sym_name = "pooling"
func.func @pooling(%x: tensor<1x2x7x7xf32>, %u: tensor<1x2x2x2xf32>, %i: tensor<1x2x2x2xi64>, %shape: tensor<4xi64>, %rois: tensor<3x4xf32>, %batch: tensor<3xi64>) {
  // CHECK-NEXT: %0 = dfg.lp_pool %x {kernel_shape = array<i64: 3, 3>, p = 3 : i64, dilations = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  // CHECK-NEXT: %1 = dfg.global_lp_pool %x : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  // CHECK-NEXT: %2 = dfg.max_unpool %u, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) -> tensor<1x2x4x4xf32>
  // CHECK-NEXT: %3 = dfg.max_unpool %u, %i, %shape {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>, tensor<4xi64>) -> tensor<1x2x5x5xf32>
  // CHECK-NEXT: %4 = dfg.roi_align %x, %rois, %batch {mode = "max", output_height = 2 : i64, output_width = 3 : i64} : (tensor<1x2x7x7xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x2x3xf32>
  // The generic form shows the defaults, such as GlobalLpPool's p.
  // GENERIC: "dfg.global_lp_pool"(%x) <{p = 2 : i64}>
  %0 = dfg.lp_pool %x {kernel_shape = array<i64: 3, 3>, p = 3 : i64, dilations = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  %1 = dfg.global_lp_pool %x : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  %2 = dfg.max_unpool %u, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) -> tensor<1x2x4x4xf32>
  %3 = dfg.max_unpool %u, %i, %shape {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>, tensor<4xi64>) -> tensor<1x2x5x5xf32>
  %4 = dfg.roi_align %x, %rois, %batch {mode = "max", output_height = 2 : i64, output_width = 3 : i64} : (tensor<1x2x7x7xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x2x3xf32>
  func.return
}
