// RUN: ramiel-opt %s -p 'cluster-cp{cost=static},merge-clusters{workers=2 cost=static},schedule-report{cost=static}' 2>&1 >/dev/null | filecheck %s
// RUN: ramiel-opt %s -p 'cluster{heuristic=serial workers=2 cost=static},schedule-report{cost=static}' 2>&1 >/dev/null | filecheck %s --check-prefix=SERIAL
// RUN: not ramiel-opt %s -p 'schedule-report{cost=static}' 2>&1 | filecheck %s --check-prefix=UNSCHEDULED

// The diamond's figures, from the static cost model (by hand: conv 2320.1 us,
// relu 41.45 us, add 56.17 us, hand-off 70.14 us):
// W = 2 * 2320.1 + 41.45 + 56.17, CP = 41.45 + 2320.1 + 56.17, and the
// makespan 41.45 + 70.14 + 2320.1 + 70.14 + 56.17 waits for conv c on stream 1
// and its hand-offs in and out.

// CHECK:      Pass statistics report
// CHECK:      schedule-report
// CHECK-NEXT: (S) 4737.8 total-work-us - total work W (predicted)
// CHECK-NEXT: (S) 2417.7 critical-path-us - critical path CP (node costs)
// CHECK-NEXT: (S)   1.96 bound - min(N, W/CP)
// CHECK-NEXT: (S) 2558.0 makespan-us - predicted makespan
// CHECK-NEXT: (S)   1.85 speedup - predicted speedup over serial
// CHECK-NEXT: (S)      2 clusters - clusters before merging
// CHECK-NEXT: (S)      2 streams - streams after merging
// CHECK-NEXT: (S)      2 cross-stream-edges - cross-stream edges

// SERIAL:      (S) 4737.8 makespan-us - predicted makespan
// SERIAL-NEXT: (S)   1.00 speedup - predicted speedup over serial
// SERIAL:      (S)      0 cross-stream-edges

// UNSCHEDULED: every dfg op needs a 'stream' attribute: run a clustering pass first
func.func @diamond(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w1 = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %w2 = dfg.constant dense<0.02> : tensor<64x64x3x3xf32>
  %a = dfg.relu %x : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %b = dfg.conv %a, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %c = dfg.conv %a, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %d = dfg.add %b, %c : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %d : tensor<1x64x56x56xf32>
}
