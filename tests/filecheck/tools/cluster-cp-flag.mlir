// RUN: ramiel-opt --cluster-cp %s --workers 2 | filecheck %s
// RUN: ramiel-opt --cluster-cp %s --workers 1 | filecheck %s --check-prefix=ONE
// RUN: ramiel-opt --cluster-cp %s | filecheck %s --check-prefix=ANY

// `--cluster-cp` takes no value: the file after it is the input. It runs the
// default pipeline's clustering passes for N workers and leaves `cluster` and
// `stream` on every dfg op. Each branch is a 9 ms convolution (static costs):
// clustering gives each its cluster, and `select-streams` then keeps one stream,
// as the one-stream code on two intra-op threads is predicted about as fast.

// CHECK:      %w1 = dfg.constant {{.*}}{cluster = 0 : i64, stream = 0 : i64}
// CHECK:      %a = dfg.max_pool %x {{.*}}cluster = 0 : i64, stream = 0 : i64}
// CHECK-NEXT: %b = dfg.conv {{.*}}cluster = 0 : i64, stream = 0 : i64}
// CHECK-NEXT: %c = dfg.conv {{.*}}cluster = 1 : i64, stream = 0 : i64}
// CHECK-NEXT: %d = dfg.add {{.*}}{cluster = 0 : i64, stream = 0 : i64}

// ONE-NOT: stream = 1

// ANY-COUNT-4: stream =
func.func @diamond(%x: tensor<1x128x56x56xf32>) -> tensor<1x128x56x56xf32> {
  %w1 = dfg.constant dense<0.01> : tensor<128x128x3x3xf32>
  %w2 = dfg.constant dense<0.02> : tensor<128x128x3x3xf32>
  %a = dfg.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x128x56x56xf32>) -> tensor<1x128x56x56xf32>
  %b = dfg.conv %a, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x128x56x56xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x56x56xf32>
  %c = dfg.conv %a, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x128x56x56xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x56x56xf32>
  %d = dfg.add %b, %c : (tensor<1x128x56x56xf32>, tensor<1x128x56x56xf32>) -> tensor<1x128x56x56xf32>
  func.return %d : tensor<1x128x56x56xf32>
}
