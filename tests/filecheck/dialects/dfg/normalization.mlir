// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The normalization family's ops in their custom syntax: the module prints back
// as written, also after a trip through the generic form. Properties at their
// ONNX default are not printed.

// CHECK-LABEL: func.func @normalization
// GENERIC-LABEL: "func.func"() <{sym_name = "normalization"
func.func @normalization(%x: tensor<2x4x3xf32>, %s: tensor<4xf32>, %g: tensor<2xf32>, %w: tensor<3xf32>, %m: tensor<4xf32>) {
  // CHECK-NEXT: %0 = dfg.rmsnormalization %x, %w {epsilon = 5.000000e-01 : f32} : (tensor<2x4x3xf32>, tensor<3xf32>) -> tensor<2x4x3xf32>
  // CHECK-NEXT: %1 = dfg.group_normalization %x, %s, %s {num_groups = 2 : i64} : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3xf32>
  // CHECK-NEXT: %2 = dfg.group_normalization %x, %g, %g {num_groups = 2 : i64} : (tensor<2x4x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x4x3xf32>
  // CHECK-NEXT: %3 = dfg.mean_variance_normalization %x {axes = array<i64: 0, 2>} : (tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
  // CHECK-NEXT: %4 = dfg.lp_normalization %x {p = 1 : i64} : (tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
  // CHECK-NEXT: %5, %6, %7 = dfg.batch_normalization %x, %s, %s, %m, %m {training_mode = 1 : i64} : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>)
  // The generic form shows defaults such as the stash type; training mode gives three results.
  // GENERIC: "dfg.rmsnormalization"(%x, %w) <{{.*}}stash_type = 1 : i64
  // GENERIC: %5, %6, %7 = "dfg.batch_normalization"(%x, %s, %s, %m, %m) <{{.*}}training_mode = 1 : i64
  %0 = dfg.rmsnormalization %x, %w {epsilon = 5.000000e-01 : f32} : (tensor<2x4x3xf32>, tensor<3xf32>) -> tensor<2x4x3xf32>
  %1 = dfg.group_normalization %x, %s, %s {num_groups = 2 : i64} : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3xf32>
  %2 = dfg.group_normalization %x, %g, %g {num_groups = 2 : i64} : (tensor<2x4x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x4x3xf32>
  %3 = dfg.mean_variance_normalization %x {axes = array<i64: 0, 2>} : (tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
  %4 = dfg.lp_normalization %x {p = 1 : i64} : (tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
  %5, %6, %7 = dfg.batch_normalization %x, %s, %s, %m, %m {training_mode = 1 : i64} : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>)
  func.return
}
