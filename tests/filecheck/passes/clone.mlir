// RUN: ramiel-opt %s --split-input-file -p 'cluster-cp{cost=static},merge-clusters{workers=2 cost=static},clone{cost=static}' | filecheck %s
// RUN: not ramiel-opt %s --split-input-file -p 'clone{cost=static}' 2>&1 | filecheck %s --check-prefix=NOSTREAM

// The sigmoid on 64 values costs about 8 us; handing its result to the other
// stream costs 30 us. So stream 1 gets its own copy, used by its add, and no
// value crosses streams any more.

// CHECK-LABEL: func.func @shared_cheap
// CHECK:      %g = dfg.sigmoid %v {cluster = [[C:[0-9]]] : i64, stream = [[S0:[01]]] : i64}
// CHECK:      %[[COPY:g_[0-9]+]] = dfg.sigmoid %v {cluster = [[C]] : i64, stream = [[S1:[01]]] : i64, copy}
// CHECK-NEXT: = dfg.add %{{.*}}, %[[COPY]] {{.*}}stream = [[S1]] : i64
// CHECK-NOT:  dfg.sigmoid
func.func @shared_cheap(%x: tensor<1x64x56x56xf32>, %v: tensor<1x64x1x1xf32>) -> (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) {
  %w = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %g = dfg.sigmoid %v : (tensor<1x64x1x1xf32>) -> tensor<1x64x1x1xf32>
  %a = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %b = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %a2 = dfg.add %a, %g : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>) -> tensor<1x64x56x56xf32>
  %b2 = dfg.add %b, %g : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>) -> tensor<1x64x56x56xf32>
  func.return %a2, %b2 : tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>
}

// -----

// The 3x3 max-pooling of 200,704 values costs about 309 us, more than the 70 us
// hand-off of its result: it is not copied.

// CHECK-LABEL: func.func @diamond
// CHECK-COUNT-1: dfg.max_pool
// CHECK-NOT:  dfg.max_pool
// NOSTREAM: every dfg op needs a 'stream' attribute: run a clustering pass first
func.func @diamond(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w1 = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %w2 = dfg.constant dense<0.02> : tensor<64x64x3x3xf32>
  %a = dfg.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %b = dfg.conv %a, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %c = dfg.conv %a, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %d = dfg.add %b, %c : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %d : tensor<1x64x56x56xf32>
}
