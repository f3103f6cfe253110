// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the normalization family's ops;
// the diagnostic names the rule and points at the op.

func.func @groups_split_channels(%x: tensor<2x6x3xf32>, %s: tensor<6xf32>) {
  %y = dfg.group_normalization %x, %s, %s {num_groups = 4 : i64} : (tensor<2x6x3xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x3xf32>
  func.return
}
// CHECK: invalid-normalization.mlir:7:3
// CHECK-NEXT: %y = dfg.group_normalization %x, %s, %s {num_groups = 4 : i64}
// CHECK: 'dfg.group_normalization' op 4 groups do not split the channels of 2x6x3

// -----

// A scale per channel (opset 21) or per group (opset 18), nothing else.
func.func @group_scale(%x: tensor<2x6x3xf32>, %s: tensor<3xf32>, %b: tensor<6xf32>) {
  %y = dfg.group_normalization %x, %s, %b {num_groups = 2 : i64} : (tensor<2x6x3xf32>, tensor<3xf32>, tensor<6xf32>) -> tensor<2x6x3xf32>
  func.return
}
// CHECK: 'dfg.group_normalization' op scale has shape 3, not 6 or 2

// -----

func.func @rms_scale(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>) {
  %y = dfg.rmsnormalization %x, %s : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  func.return
}
// CHECK: 'dfg.rmsnormalization' op scale of shape 3 does not broadcast to the normalised shape 4

// -----

func.func @stash_type(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  %y = dfg.layer_normalization %x, %s {stash_type = 11 : i64} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: 'dfg.layer_normalization' op attribute 'stash_type' of LayerNormalization must be 1 (float), not 11

// -----

func.func @lp_norm_order(%x: tensor<2x4xf32>) {
  %y = dfg.lp_normalization %x {p = 3 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: 'dfg.lp_normalization' op attribute 'p' of LpNormalization must be 1 or 2, not 3

// -----

func.func @negative_epsilon(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>) {
  %y = dfg.instance_normalization %x, %s, %s {epsilon = -1.0 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  func.return
}
// CHECK: 'dfg.instance_normalization' op attribute 'epsilon' of InstanceNormalization must be at least 0.0, not -1.0

// -----

// Every float attribute is finite.
func.func @nan_epsilon(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>) {
  %y = dfg.instance_normalization %x, %s, %s {epsilon = 0x7FC00000 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  func.return
}
// CHECK: 'dfg.instance_normalization' op attribute 'epsilon' of InstanceNormalization must be finite, not nan
