// RUN: ramiel-opt %s --split-input-file -p 'cluster-cp{cost=static}' | filecheck %s
// RUN: not ramiel-opt %s --split-input-file -p 'cluster-cp{cost=bogus}' 2>&1 | filecheck %s --check-prefix=BADCOST

// A chain is one cluster, whatever its length.

// CHECK-LABEL: func.func @chain
// CHECK:      dfg.relu %x {cluster = 0 : i64}
// CHECK-NEXT: dfg.conv {{.*}}cluster = 0 : i64
// CHECK-NEXT: dfg.sigmoid {{.*}}{cluster = 0 : i64}
func.func @chain(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = dfg.constant dense<0.5> : tensor<8x8x3x3xf32>
  %a = dfg.relu %x : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %b = dfg.conv %a, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %c = dfg.sigmoid %b : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  func.return %c : tensor<1x8x8x8xf32>
}

// -----

// A fork-join diamond is two clusters: the critical path a -> b -> d (the
// branches tie, so the lower op wins) and the other branch c alone.

// CHECK-LABEL: func.func @diamond
// CHECK:      %a = dfg.relu %x {cluster = 0 : i64}
// CHECK-NEXT: %b = dfg.conv {{.*}}cluster = 0 : i64
// CHECK-NEXT: %c = dfg.conv {{.*}}cluster = 1 : i64
// CHECK-NEXT: %d = dfg.add {{.*}}{cluster = 0 : i64}
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

// The heavier branch (the 3x3 conv) joins the critical path; a cheap branch
// that could follow it does not.

// CHECK-LABEL: func.func @heavier_branch_first
// CHECK:      %a = dfg.relu %x {cluster = 0 : i64}
// CHECK-NEXT: %light = dfg.sigmoid %a {cluster = 1 : i64}
// CHECK-NEXT: %heavy = dfg.conv {{.*}}cluster = 0 : i64
// CHECK-NEXT: %d = dfg.add {{.*}}{cluster = 0 : i64}
func.func @heavier_branch_first(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %a = dfg.relu %x : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %light = dfg.sigmoid %a : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %heavy = dfg.conv %a, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %d = dfg.add %light, %heavy : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %d : tensor<1x64x56x56xf32>
}

// BADCOST: unknown cost model 'bogus': choose one of auto, analytic, profile, static
