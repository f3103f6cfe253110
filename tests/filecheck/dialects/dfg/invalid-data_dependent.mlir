// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the ops whose result sizes the values decide, or
// of the ops downstream; the diagnostic names the rule and points at the op.

// NonZero gives one row per input dimension.
func.func @rows(%x: tensor<3x4xf32>) {
  %i = dfg.non_zero %x : (tensor<3x4xf32>) -> tensor<3x?xi64>
  func.return
}
// CHECK: invalid-data_dependent.mlir:8:3
// CHECK-NEXT: %i = dfg.non_zero %x : (tensor<3x4xf32>) -> tensor<3x?xi64>
// CHECK: 'dfg.non_zero' op result #0 has shape 3x?, but NonZero gives 2x?

// -----

// NonMaxSuppression's rows are (batch, class, box) triples.
func.func @triples(%boxes: tensor<1x8x4xf32>, %scores: tensor<1x2x8xf32>) {
  %s = dfg.non_max_suppression %boxes, %scores : (tensor<1x8x4xf32>, tensor<1x2x8xf32>) -> tensor<?x2xi64>
  func.return
}
// CHECK: 'dfg.non_max_suppression' op result #0 has shape ?x2, but NonMaxSuppression gives ?x3

// -----

// Unique's inverse indices have one entry per input element.
func.func @inverse(%x: tensor<6xf32>) {
  %y, %first, %inverse = dfg.unique %x : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<5xi64>)
  func.return
}
// CHECK: 'dfg.unique' op inverse indices of shape 5 must have one entry per input element (6)

// -----

// Tile with repeats computed at run time works them out from the static sizes,
// which the values decide here.
func.func @tile(%x: tensor<?x4xf32>, %r: tensor<2xi64>) {
  %y = dfg.tile %x, %r : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  func.return
}
// CHECK: 'dfg.tile' op Tile: the kernel needs the sizes of input 0, which only the values decide
