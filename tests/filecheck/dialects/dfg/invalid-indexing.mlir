// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the indexing, reduction and tensor ops; the
// diagnostic names the rule and points at the op.

// ScatterElements takes one update per index.
func.func @scatter_updates(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x3xf32>) {
  %y = dfg.scatter_elements %x, %i, %u : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x3xf32>) -> tensor<3x4xf32>
  func.return
}
// CHECK: invalid-indexing.mlir:8:3
// CHECK-NEXT: %y = dfg.scatter_elements %x, %i, %u : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x3xf32>) -> tensor<3x4xf32>
// CHECK: 'dfg.scatter_elements' op updates of shape 2x3 must have the indices' shape 2x4

// -----

// GatherElements indexes every axis of its data.
func.func @gather_rank(%x: tensor<3x4xf32>, %i: tensor<4xi64>) {
  %y = dfg.gather_elements %x, %i : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  func.return
}
// CHECK: 'dfg.gather_elements' op indices of GatherElements must have the data's rank 2, not shape 4

// -----

// ScatterND's updates are the indexed slices: here rows of 3.
func.func @scatter_nd_updates(%x: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) {
  %y = dfg.scatter_nd %x, %i, %u : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x3xf32>
  func.return
}
// CHECK: 'dfg.scatter_nd' op updates of ScatterND must have shape 2x3 for data 4x3 and indices 2x1, not 2x4

// -----

func.func @scatter_nd_reduction(%x: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) {
  %y = dfg.scatter_nd %x, %i, %u {reduction = "sub"} : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  func.return
}
// CHECK: 'dfg.scatter_nd' op attribute 'reduction' of ScatterND must be one of 'none', 'add', 'mul', 'max', 'min', not 'sub'

// -----

func.func @compress_condition(%x: tensor<3x4xf32>, %c: tensor<3x1xi1>) {
  %y = dfg.compress %x, %c {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3x1xi1>) -> tensor<2x4xf32>
  func.return
}
// CHECK: 'dfg.compress' op condition of Compress must be 1-D, not 3x1

// -----

// One length per batch entry, along batch_axis (1 by default).
func.func @sequence_lengths(%x: tensor<3x4xf32>, %n: tensor<3xi64>) {
  %y = dfg.reverse_sequence %x, %n : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  func.return
}
// CHECK: 'dfg.reverse_sequence' op sequence_lens of shape 3 must hold one length per batch entry (4)

// -----

func.func @cumsum_axis(%x: tensor<3x4xf32>, %a: tensor<2xi64>) {
  %y = dfg.cum_sum %x, %a : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  func.return
}
// CHECK: 'dfg.cum_sum' op axis of CumSum must hold one value, not shape 2

// -----

func.func @cumprod_axis(%x: tensor<3x4xf32>, %a: tensor<1x2xi32>) {
  %y = dfg.cum_prod %x, %a : (tensor<3x4xf32>, tensor<1x2xi32>) -> tensor<3x4xf32>
  func.return
}
// CHECK: 'dfg.cum_prod' op axis of CumProd must hold one value, not shape 1x2

// -----

func.func @block_mode(%x: tensor<1x8x2x2xf32>) {
  %y = dfg.depth_to_space %x {blocksize = 2 : i64, mode = "RCD"} : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x4xf32>
  func.return
}
// CHECK: 'dfg.depth_to_space' op attribute 'mode' of DepthToSpace must be one of 'DCR', 'CRD', not 'RCD'

// -----

func.func @loss_reduction(%x: tensor<3x5xf32>, %t: tensor<3xi64>) {
  %y = dfg.negative_log_likelihood_loss %x, %t {reduction = "average"} : (tensor<3x5xf32>, tensor<3xi64>) -> tensor<f32>
  func.return
}
// CHECK: 'dfg.negative_log_likelihood_loss' op attribute 'reduction' of NegativeLogLikelihoodLoss must be one of 'none', 'sum', 'mean', not 'average'

// -----

// Values and indices have one shape, the input's but along the axis.
func.func @top_k_results(%x: tensor<3x4xf32>, %k: tensor<1xi64>) {
  %v, %i = dfg.top_k %x, %k : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x3xi64>)
  func.return
}
// CHECK: 'dfg.top_k' op results of TopK must both have the input's shape 3x4 but a smaller axis 1, not 3x2 and 3x3

// -----

// TensorScatter's update fits in the cache.
func.func @tensor_scatter_length(%c: tensor<2x4x3xf32>, %u: tensor<2x5x3xf32>) {
  %y = dfg.tensor_scatter %c, %u : (tensor<2x4x3xf32>, tensor<2x5x3xf32>) -> tensor<2x4x3xf32>
  func.return
}
// CHECK: 'dfg.tensor_scatter' op update of TensorScatter is 5 long along axis 1, longer than the cache (4)

// -----

// ONNX's inference rounds the channels down: 8 channels are no blocks of 3 x 3.
func.func @depth_to_space_blocks(%x: tensor<1x8x2x2xf32>) {
  %y = dfg.depth_to_space %x {blocksize = 3 : i64} : (tensor<1x8x2x2xf32>) -> tensor<1x0x6x6xf32>
  func.return
}
// CHECK: 'dfg.depth_to_space' op 8 channels do not make blocks of 3 x 3

// -----

func.func @space_to_depth_blocks(%x: tensor<1x2x4x5xf32>) {
  %y = dfg.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x2x4x5xf32>) -> tensor<1x8x2x2xf32>
  func.return
}
// CHECK: 'dfg.space_to_depth' op a 4 x 5 image does not make blocks of 2 x 2

// -----

func.func @gather_nd_batch_dims(%x: tensor<2x3xf32>, %i: tensor<2x1xi64>) {
  %y = dfg.gather_nd %x, %i {batch_dims = -1 : i64} : (tensor<2x3xf32>, tensor<2x1xi64>) -> tensor<2x3xf32>
  func.return
}
// CHECK: 'dfg.gather_nd' op attribute 'batch_dims' of GatherND must be at least 0, not -1

// -----

// A stride past the image leaves one block per axis, not the columns' nine.
func.func @col2im_blocks(%x: tensor<1x4x9xf32>) {
  %image = dfg.constant dense<[4, 4]> : tensor<2xi64>
  %block = dfg.constant dense<[2, 2]> : tensor<2xi64>
  %y = dfg.col2_im %x, %image, %block {strides = array<i64: 1099511627776, 1>} : (tensor<1x4x9xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x1x4x4xf32>
  func.return
}
// CHECK: 'dfg.col2_im' op 9 columns do not hold the 1x3 blocks of the padded image

// -----

func.func @reverse_sequence_axis(%x: tensor<4x2x3xf32>, %lens: tensor<2xi64>) {
  %y = dfg.reverse_sequence %x, %lens {batch_axis = 2 : i64} : (tensor<4x2x3xf32>, tensor<2xi64>) -> tensor<4x2x3xf32>
  func.return
}
// CHECK: 'dfg.reverse_sequence' op attribute 'batch_axis' of ReverseSequence must be 0 or 1, not 2

// -----

func.func @reverse_sequence_same_axes(%x: tensor<2x2xf32>, %lens: tensor<2xi64>) {
  %y = dfg.reverse_sequence %x, %lens {batch_axis = 0 : i64} : (tensor<2x2xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  func.return
}
// CHECK: 'dfg.reverse_sequence' op the batch and time axes are both axis 0
