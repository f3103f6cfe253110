// RUN: ramiel-opt %s --split-input-file -p 'cluster-cp{cost=static},merge-clusters{workers=2 cost=static}' | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p 'cluster-cp{cost=static},merge-clusters{workers=4 cost=static}' | filecheck %s --check-prefix=FOUR
// RUN: ramiel-opt %s --split-input-file -p 'cluster-cp{cost=static},merge-clusters{workers=1 cost=static}' | filecheck %s --check-prefix=ONE
// RUN: not ramiel-opt %s --split-input-file -p 'merge-clusters{workers=2 cost=static}' 2>&1 | filecheck %s --check-prefix=NOCLUSTER

// The diamond's branches run on two streams; the join waits on stream 0.
// Predicted (static costs, checked by hand): conv 2317 us, hand-off 70 us, so
// the parallel makespan (2688 us) beats serial (4865 us).

// CHECK-LABEL: func.func @diamond
// CHECK:      %a = dfg.relu %x {cluster = 0 : i64, stream = 0 : i64}
// CHECK-NEXT: %b = dfg.conv {{.*}}cluster = 0 : i64, stream = 0 : i64
// CHECK-NEXT: %c = dfg.conv {{.*}}cluster = 1 : i64, stream = 1 : i64
// CHECK-NEXT: %d = dfg.add {{.*}}{cluster = 0 : i64, stream = 0 : i64}
// FOUR-LABEL: func.func @diamond
// FOUR:       %c = dfg.conv {{.*}}stream = 1 : i64
// ONE-LABEL:  func.func @diamond
// ONE-NOT:    stream = 1
// NOCLUSTER:  every dfg op needs a 'cluster' attribute: run cluster-cp first
func.func @diamond(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w1 = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %w2 = dfg.constant dense<0.02> : tensor<64x64x3x3xf32>
  %a = dfg.relu %x : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %b = dfg.conv %a, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %c = dfg.conv %a, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %d = dfg.add %b, %c : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %d : tensor<1x64x56x56xf32>
}

// -----

// An Inception block: four branches. With two workers the 3x3 branch (the
// critical path, with the concat) has a stream to itself and the three lighter
// branches share the other. Four workers gain nothing more: three streams
// already reach the critical path, so no fourth is opened.

// CHECK-LABEL: func.func @inception
// CHECK-DAG:  %b2a = dfg.conv {{.*}}stream = [[CP:[01]]] : i64
// CHECK-DAG:  %b2 = dfg.conv {{.*}}stream = [[CP]] : i64
// CHECK-DAG:  %y = dfg.concat {{.*}}stream = [[CP]] : i64
// CHECK-DAG:  %b1 = dfg.conv {{.*}}stream = [[OTHER:[01]]] : i64
// CHECK-DAG:  %b3 = dfg.conv {{.*}}stream = [[OTHER]] : i64
// CHECK-DAG:  %b4 = dfg.conv {{.*}}stream = [[OTHER]] : i64
// FOUR-LABEL: func.func @inception
// FOUR-NOT:   stream = 3
// FOUR:       func.return
func.func @inception(%x: tensor<1x192x28x28xf32>) -> tensor<1x256x28x28xf32> {
  %w1 = dfg.constant dense<0.01> : tensor<64x192x1x1xf32>
  %w2a = dfg.constant dense<0.01> : tensor<96x192x1x1xf32>
  %w2b = dfg.constant dense<0.01> : tensor<128x96x3x3xf32>
  %w3a = dfg.constant dense<0.01> : tensor<16x192x1x1xf32>
  %w3b = dfg.constant dense<0.01> : tensor<32x16x5x5xf32>
  %w4 = dfg.constant dense<0.01> : tensor<32x192x1x1xf32>
  %b1 = dfg.conv %x, %w1 : (tensor<1x192x28x28xf32>, tensor<64x192x1x1xf32>) -> tensor<1x64x28x28xf32>
  %b2a = dfg.conv %x, %w2a : (tensor<1x192x28x28xf32>, tensor<96x192x1x1xf32>) -> tensor<1x96x28x28xf32>
  %b2 = dfg.conv %b2a, %w2b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x96x28x28xf32>, tensor<128x96x3x3xf32>) -> tensor<1x128x28x28xf32>
  %b3a = dfg.conv %x, %w3a : (tensor<1x192x28x28xf32>, tensor<16x192x1x1xf32>) -> tensor<1x16x28x28xf32>
  %b3 = dfg.conv %b3a, %w3b {pads = array<i64: 2, 2, 2, 2>} : (tensor<1x16x28x28xf32>, tensor<32x16x5x5xf32>) -> tensor<1x32x28x28xf32>
  %p, %i = dfg.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x192x28x28xf32>) -> (tensor<1x192x28x28xf32>, tensor<1x192x28x28xi64>)
  %b4 = dfg.conv %p, %w4 : (tensor<1x192x28x28xf32>, tensor<32x192x1x1xf32>) -> tensor<1x32x28x28xf32>
  %y = dfg.concat %b1, %b2, %b3, %b4 {axis = 1 : i64} : (tensor<1x64x28x28xf32>, tensor<1x128x28x28xf32>, tensor<1x32x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x256x28x28xf32>
  func.return %y : tensor<1x256x28x28xf32>
}

// -----

// Merging never splits a chain: c1..c4 form one cluster and stay on one stream
// even though moving c3 and c4 next to `side` would balance the load.

// CHECK-LABEL: func.func @long_chain
// CHECK-DAG:  %c1 = dfg.conv {{.*}}cluster = [[C:[0-9]]] : i64, stream = [[S:[01]]] : i64
// CHECK-DAG:  %c2 = dfg.conv {{.*}}cluster = [[C]] : i64, stream = [[S]] : i64
// CHECK-DAG:  %c3 = dfg.conv {{.*}}cluster = [[C]] : i64, stream = [[S]] : i64
// CHECK-DAG:  %c4 = dfg.conv {{.*}}cluster = [[C]] : i64, stream = [[S]] : i64
// CHECK-DAG:  %side = dfg.conv {{.*}}stream = [[T:[01]]] : i64
func.func @long_chain(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %c1 = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %c2 = dfg.conv %c1, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %c3 = dfg.conv %c2, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %c4 = dfg.conv %c3, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %side = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %y = dfg.add %c4, %side : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %y : tensor<1x64x56x56xf32>
}
