// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The indexing, reduction and tensor ops in their custom syntax, as ops.mlir has
// the others. The module must print back as written (the CHECK lines repeat the
// input), also after a trip through the generic form.

// CHECK-LABEL: func.func @gathers_and_scatters
// GENERIC-LABEL: "func.func"() <{sym_name = "gathers_and_scatters"
func.func @gathers_and_scatters(%x: tensor<3x4xf32>, %u: tensor<2x4xf32>) {
  // CHECK-NEXT: %i = dfg.constant dense<[[0, -1, 2, 1], [2, 2, 0, 0]]> : tensor<2x4xi64>
  // CHECK-NEXT: %rows = dfg.constant dense<[[2], [0]]> : tensor<2x1xi64>
  // CHECK-NEXT: %0 = dfg.gather_elements %x, %i : (tensor<3x4xf32>, tensor<2x4xi64>) -> tensor<2x4xf32>
  // CHECK-NEXT: %1 = dfg.gather_nd %x, %rows : (tensor<3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  // CHECK-NEXT: %2 = dfg.scatter_elements %x, %i, %u {reduction = "max"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  // CHECK-NEXT: %3 = dfg.scatter_nd %x, %rows, %u {reduction = "add"} : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  // GENERIC: %3 = "dfg.scatter_nd"(%x, %rows, %u) <{reduction = "add"}> : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  %i = dfg.constant dense<[[0, -1, 2, 1], [2, 2, 0, 0]]> : tensor<2x4xi64>
  %rows = dfg.constant dense<[[2], [0]]> : tensor<2x1xi64>
  %0 = dfg.gather_elements %x, %i : (tensor<3x4xf32>, tensor<2x4xi64>) -> tensor<2x4xf32>
  %1 = dfg.gather_nd %x, %rows : (tensor<3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  %2 = dfg.scatter_elements %x, %i, %u {reduction = "max"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  %3 = dfg.scatter_nd %x, %rows, %u {reduction = "add"} : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  func.return
}

// CHECK-LABEL: func.func @masks_and_crops
func.func @masks_and_crops(%x: tensor<3x4xf32>, %labels: tensor<3xi64>, %cols: tensor<1x12x6xf32>) {
  // CHECK-NEXT: %k = dfg.constant dense<-1> : tensor<i64>
  // CHECK-NEXT: %depth = dfg.constant dense<5> : tensor<i64>
  // CHECK-NEXT: %values = dfg.constant dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>
  // CHECK-NEXT: %lens = dfg.constant dense<[2, 4, 1]> : tensor<3xi64>
  // CHECK-NEXT: %keep = dfg.constant dense<[true, false, true]> : tensor<3xi1>
  // CHECK-NEXT: %size = dfg.constant dense<[2, 6]> : tensor<2xi64>
  // CHECK-NEXT: %image = dfg.constant dense<[5, 4]> : tensor<2xi64>
  // CHECK-NEXT: %block = dfg.constant dense<[3, 2]> : tensor<2xi64>
  // CHECK-NEXT: %0 = dfg.trilu %x, %k {upper = 0 : i64} : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf32>
  // CHECK-NEXT: %1 = dfg.one_hot %labels, %depth, %values {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<5x3xf32>
  // CHECK-NEXT: %2 = dfg.reverse_sequence %x, %lens {batch_axis = 0 : i64, time_axis = 1 : i64} : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  // CHECK-NEXT: %3 = dfg.compress %x, %keep {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3xi1>) -> tensor<2x4xf32>
  // CHECK-NEXT: %4 = dfg.center_crop_pad %x, %size : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2x6xf32>
  // CHECK-NEXT: %5 = dfg.col2_im %cols, %image, %block {strides = array<i64: 2, 1>} : (tensor<1x12x6xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x2x5x4xf32>
  %k = dfg.constant dense<-1> : tensor<i64>
  %depth = dfg.constant dense<5> : tensor<i64>
  %values = dfg.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %lens = dfg.constant dense<[2, 4, 1]> : tensor<3xi64>
  %keep = dfg.constant dense<[true, false, true]> : tensor<3xi1>
  %size = dfg.constant dense<[2, 6]> : tensor<2xi64>
  %image = dfg.constant dense<[5, 4]> : tensor<2xi64>
  %block = dfg.constant dense<[3, 2]> : tensor<2xi64>
  %0 = dfg.trilu %x, %k {upper = 0 : i64} : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf32>
  %1 = dfg.one_hot %labels, %depth, %values {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<5x3xf32>
  %2 = dfg.reverse_sequence %x, %lens {batch_axis = 0 : i64, time_axis = 1 : i64} : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  %3 = dfg.compress %x, %keep {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3xi1>) -> tensor<2x4xf32>
  %4 = dfg.center_crop_pad %x, %size : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2x6xf32>
  %5 = dfg.col2_im %cols, %image, %block {strides = array<i64: 2, 1>} : (tensor<1x12x6xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x2x5x4xf32>
  func.return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) {
  // CHECK-NEXT: %axes = dfg.constant dense<1> : tensor<1xi64>
  // CHECK-NEXT: %0 = dfg.reduce_min %x, %axes {keepdims = 0 : i64} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x4xf32>
  // CHECK-NEXT: %1 = dfg.reduce_prod %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  // CHECK-NEXT: %2 = dfg.reduce_l1 %x : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  // CHECK-NEXT: %3 = dfg.reduce_l2 %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  // CHECK-NEXT: %4 = dfg.reduce_sum_square %x, %axes {noop_with_empty_axes = 1 : i64} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  // CHECK-NEXT: %5 = dfg.reduce_log_sum %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  // CHECK-NEXT: %6 = dfg.reduce_log_sum_exp %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  %axes = dfg.constant dense<1> : tensor<1xi64>
  %0 = dfg.reduce_min %x, %axes {keepdims = 0 : i64} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x4xf32>
  %1 = dfg.reduce_prod %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  %2 = dfg.reduce_l1 %x : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  %3 = dfg.reduce_l2 %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  %4 = dfg.reduce_sum_square %x, %axes {noop_with_empty_axes = 1 : i64} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  %5 = dfg.reduce_log_sum %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  %6 = dfg.reduce_log_sum_exp %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  func.return
}

// CHECK-LABEL: func.func @selections
// GENERIC-LABEL: "func.func"() <{sym_name = "selections"
func.func @selections(%x: tensor<2x6xf32>, %b: tensor<6x3xf32>) {
  // CHECK-NEXT: %k = dfg.constant dense<2> : tensor<1xi64>
  // CHECK-NEXT: %axis = dfg.constant dense<1> : tensor<i32>
  // CHECK-NEXT: %0 = dfg.arg_min %x {axis = 1 : i64, select_last_index = 1 : i64} : (tensor<2x6xf32>) -> tensor<2x1xi64>
  // CHECK-NEXT: %1 = dfg.hardmax %x {axis = 0 : i64} : (tensor<2x6xf32>) -> tensor<2x6xf32>
  // CHECK-NEXT: %2, %3 = dfg.top_k %x, %k {largest = 0 : i64} : (tensor<2x6xf32>, tensor<1xi64>) -> (tensor<2x2xf32>, tensor<2x2xi64>)
  // CHECK-NEXT: %4 = dfg.cum_sum %x, %axis {exclusive = 1 : i64, reverse = 1 : i64} : (tensor<2x6xf32>, tensor<i32>) -> tensor<2x6xf32>
  // CHECK-NEXT: %5 = dfg.einsum %x, %b {equation = "ij,jk->ik"} : (tensor<2x6xf32>, tensor<6x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: %6 = dfg.cum_prod %x, %axis {reverse = 1 : i64} : (tensor<2x6xf32>, tensor<i32>) -> tensor<2x6xf32>
  // Two required results; the generic form spells out every property.
  // GENERIC: %2, %3 = "dfg.top_k"(%x, %k) <{largest = 0 : i64
  %k = dfg.constant dense<2> : tensor<1xi64>
  %axis = dfg.constant dense<1> : tensor<i32>
  %0 = dfg.arg_min %x {axis = 1 : i64, select_last_index = 1 : i64} : (tensor<2x6xf32>) -> tensor<2x1xi64>
  %1 = dfg.hardmax %x {axis = 0 : i64} : (tensor<2x6xf32>) -> tensor<2x6xf32>
  %2, %3 = dfg.top_k %x, %k {largest = 0 : i64} : (tensor<2x6xf32>, tensor<1xi64>) -> (tensor<2x2xf32>, tensor<2x2xi64>)
  %4 = dfg.cum_sum %x, %axis {exclusive = 1 : i64, reverse = 1 : i64} : (tensor<2x6xf32>, tensor<i32>) -> tensor<2x6xf32>
  %5 = dfg.einsum %x, %b {equation = "ij,jk->ik"} : (tensor<2x6xf32>, tensor<6x3xf32>) -> tensor<2x3xf32>
  %6 = dfg.cum_prod %x, %axis {reverse = 1 : i64} : (tensor<2x6xf32>, tensor<i32>) -> tensor<2x6xf32>
  func.return
}

// CHECK-LABEL: func.func @losses
// GENERIC-LABEL: "func.func"() <{sym_name = "losses"
func.func @losses(%x: tensor<3x5xf32>, %t: tensor<3xi64>, %w: tensor<5xf32>) {
  // CHECK-NEXT: %0 = dfg.negative_log_likelihood_loss %x, %t, %w {ignore_index = 0 : i64, reduction = "sum"} : (tensor<3x5xf32>, tensor<3xi64>, tensor<5xf32>) -> tensor<f32>
  // CHECK-NEXT: %1 = dfg.softmax_cross_entropy_loss %x, %t : (tensor<3x5xf32>, tensor<3xi64>) -> tensor<f32>
  // CHECK-NEXT: %2, %3 = dfg.softmax_cross_entropy_loss %x, %t {reduction = "none"} : (tensor<3x5xf32>, tensor<3xi64>) -> (tensor<3xf32>, tensor<3x5xf32>)
  // One optional operand and one optional result: no segment sizes needed.
  // GENERIC: %2, %3 = "dfg.softmax_cross_entropy_loss"(%x, %t) <{reduction = "none"}> : (tensor<3x5xf32>, tensor<3xi64>) -> (tensor<3xf32>, tensor<3x5xf32>)
  %0 = dfg.negative_log_likelihood_loss %x, %t, %w {ignore_index = 0 : i64, reduction = "sum"} : (tensor<3x5xf32>, tensor<3xi64>, tensor<5xf32>) -> tensor<f32>
  %1 = dfg.softmax_cross_entropy_loss %x, %t : (tensor<3x5xf32>, tensor<3xi64>) -> tensor<f32>
  %2, %3 = dfg.softmax_cross_entropy_loss %x, %t {reduction = "none"} : (tensor<3x5xf32>, tensor<3xi64>) -> (tensor<3xf32>, tensor<3x5xf32>)
  func.return
}

// CHECK-LABEL: func.func @blocks_and_sizes
func.func @blocks_and_sizes(%x: tensor<1x8x2x3xf32>, %m: tensor<3x4xf32>) {
  // CHECK-NEXT: %0 = dfg.depth_to_space %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  // CHECK-NEXT: %1 = dfg.space_to_depth %0 {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  // CHECK-NEXT: %2 = dfg.size %x : (tensor<1x8x2x3xf32>) -> tensor<i64>
  // CHECK-NEXT: %3 = dfg.eye_like %m {dtype = 7 : i64, k = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xi64>
  %0 = dfg.depth_to_space %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  %1 = dfg.space_to_depth %0 {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  %2 = dfg.size %x : (tensor<1x8x2x3xf32>) -> tensor<i64>
  %3 = dfg.eye_like %m {dtype = 7 : i64, k = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xi64>
  func.return
}

// CHECK-LABEL: func.func @cache_updates
// GENERIC-LABEL: "func.func"() <{sym_name = "cache_updates"
func.func @cache_updates(%past: tensor<2x6x4xf32>, %u: tensor<2x2x4xf32>) {
  // CHECK-NEXT: %at = dfg.constant dense<[5, 1]> : tensor<2xi64>
  // CHECK-NEXT: %0 = dfg.tensor_scatter %past, %u, %at {axis = 1 : i64, mode = "circular"} : (tensor<2x6x4xf32>, tensor<2x2x4xf32>, tensor<2xi64>) -> tensor<2x6x4xf32>
  // CHECK-NEXT: %1 = dfg.tensor_scatter %past, %u : (tensor<2x6x4xf32>, tensor<2x2x4xf32>) -> tensor<2x6x4xf32>
  // The generic form spells out the default mode.
  // GENERIC: %1 = "dfg.tensor_scatter"(%past, %u) <{{.*}}mode = "linear"
  %at = dfg.constant dense<[5, 1]> : tensor<2xi64>
  %0 = dfg.tensor_scatter %past, %u, %at {axis = 1 : i64, mode = "circular"} : (tensor<2x6x4xf32>, tensor<2x2x4xf32>, tensor<2xi64>) -> tensor<2x6x4xf32>
  %1 = dfg.tensor_scatter %past, %u : (tensor<2x6x4xf32>, tensor<2x2x4xf32>) -> tensor<2x6x4xf32>
  func.return
}
