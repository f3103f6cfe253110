// RUN: ramiel-opt %s --split-input-file -p 'select-streams{cost=static}' | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p 'select-streams{cost=static splits=false}' | filecheck %s --check-prefix=UNSPLIT
// RUN: ramiel-opt %s --split-input-file -p 'select-streams{cost=static min-speedup=0.5}' | filecheck %s --check-prefix=LOW
// RUN: ramiel-opt %s --split-input-file -p 'select-streams{cost=static thread-slowdown=2.0}' | filecheck %s --check-prefix=CALLER
// RUN: not ramiel-opt %s -p 'select-streams{workers=0}' 2>&1 | filecheck %s --check-prefix=ZERO
// RUN: not ramiel-opt %s --split-input-file -p 'select-streams{workers=1}' 2>&1 | filecheck %s --check-prefix=MORE
// RUN: not ramiel-opt %S/Inputs/unscheduled.mlir -p 'select-streams' 2>&1 | filecheck %s --check-prefix=UNSCHEDULED

// ZERO: ramiel: error: workers must be at least 1, got 0 (pass pipeline)
// MORE: ramiel: error: the schedule has 2 streams, more than workers=1 (pass pipeline)
// UNSCHEDULED: ramiel: error: every dfg op needs a 'stream' attribute: run a clustering pass first (pass pipeline)

// Two 9.26 ms convolutions side by side (static costs: 924.8 MFLOP at 100 GFLOP/s,
// 8 us of dispatch), then a 104 us Add after a 110 us hand-off: 9.47 ms on two
// streams, 18.62 ms on one thread. With the 3 ms a parallel call pays, 18.62 /
// 12.47 = 1.49x. But one stream on two intra-op threads runs each convolution
// 1.7x faster, plus 40 us (5.49 ms), and the Add in 110 us: 11.20 ms, plus the
// same 3 ms for waking the other core, which the streams beat by only 14.20 /
// 12.47 = 1.14x, below 1.2x. Every op moves to stream 0, on the caller's
// threads, and the turned-down prediction is kept.

// CHECK:       builtin.module attributes {ramiel.pipeline = {{.*}}, ramiel.parallel_speedup = 1.49{{[0-9]*}} : f64, ramiel.predicted_speedup = 1.000000e+00 : f64, ramiel.cost_model = "static"}
// CHECK-LABEL: func.func @big_ops_on_two_threads
// CHECK-NOT:   stream = 1
// CHECK:       func.return

// A threshold of 0.5 keeps the streams.
// LOW:         ramiel.predicted_speedup = 1.49
func.func @big_ops_on_two_threads(%x: tensor<1x128x56x56xf32>) -> tensor<1x128x56x56xf32> {
  %w1 = dfg.constant dense<0.01> : tensor<128x128x3x3xf32>
  %w2 = dfg.constant dense<0.02> : tensor<128x128x3x3xf32>
  %b = dfg.conv %x, %w1 {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x128x56x56xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x56x56xf32>
  %c = dfg.conv %x, %w2 {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x128x56x56xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x56x56xf32>
  %d = dfg.add %b, %c {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x128x56x56xf32>, tensor<1x128x56x56xf32>) -> tensor<1x128x56x56xf32>
  func.return %d : tensor<1x128x56x56xf32>
}

// -----

// Two chains of 16 convolutions of 0.303 ms each (29.5 MFLOP at 100 GFLOP/s, 8 us
// of dispatch), each too small to gain from a second intra-op thread (they would
// pay 6 us each: 1.02x slower), joined by a 20 us Add after a 40 us hand-off:
// 9.71 ms on one stream, 4.91 ms on two plus the 3 ms a parallel call pays,
// 1.23x: both streams are kept, and the prediction is recorded.

// CHECK:       builtin.module attributes {{{.*}}ramiel.predicted_speedup = 1.22{{[0-9]*}} : f64, ramiel.cost_model = "static"}
// CHECK-NOT:   ramiel.parallel_speedup
// CHECK-LABEL: func.func @worth_two
// CHECK:       %b0 = dfg.conv {{.*}}stream = 1 : i64}
func.func @worth_two(%x: tensor<1x32x40x40xf32>) -> tensor<1x32x40x40xf32> {
  %w = dfg.constant dense<0.01> : tensor<32x32x3x3xf32>
  %a0 = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a1 = dfg.conv %a0, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a2 = dfg.conv %a1, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a3 = dfg.conv %a2, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a4 = dfg.conv %a3, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a5 = dfg.conv %a4, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a6 = dfg.conv %a5, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a7 = dfg.conv %a6, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a8 = dfg.conv %a7, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a9 = dfg.conv %a8, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a10 = dfg.conv %a9, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a11 = dfg.conv %a10, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a12 = dfg.conv %a11, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a13 = dfg.conv %a12, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a14 = dfg.conv %a13, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %a15 = dfg.conv %a14, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b0 = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b1 = dfg.conv %b0, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b2 = dfg.conv %b1, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b3 = dfg.conv %b2, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b4 = dfg.conv %b3, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b5 = dfg.conv %b4, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b6 = dfg.conv %b5, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b7 = dfg.conv %b6, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b8 = dfg.conv %b7, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b9 = dfg.conv %b8, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b10 = dfg.conv %b9, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b11 = dfg.conv %b10, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b12 = dfg.conv %b11, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b13 = dfg.conv %b12, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b14 = dfg.conv %b13, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %b15 = dfg.conv %b14, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x32x40x40xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x40x40xf32>
  %d = dfg.add %a15, %b15 {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x40x40xf32>, tensor<1x32x40x40xf32>) -> tensor<1x32x40x40xf32>
  func.return %d : tensor<1x32x40x40xf32>
}

// -----

// Half as many channels: 2.32 ms convolutions, 4.74 ms of work, 2.5 ms on two
// streams, plus 3 ms per call: 0.86x. Every op moves to stream 0, and the
// prediction turned down is kept beside the one-stream prediction, 1.

// Its convolutions are long enough to gain from two intra-op threads, so the
// one-stream code keeps the caller's threads.

// CHECK:       builtin.module attributes {ramiel.pipeline = {{.*}}, ramiel.parallel_speedup = 0.86{{[0-9]*}} : f64, ramiel.predicted_speedup = 1.000000e+00 : f64, ramiel.cost_model = "static"}
// CHECK-NOT:   ramiel.threads
// CHECK-LABEL: func.func @not_worth_two
// CHECK-NOT:   stream = 1
// CHECK:       func.return

// A lower threshold keeps them.
// LOW-LABEL:   func.func @not_worth_two
// LOW:         stream = 1
func.func @not_worth_two(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w1 = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %w2 = dfg.constant dense<0.02> : tensor<64x64x3x3xf32>
  %b = dfg.conv %x, %w1 {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %c = dfg.conv %x, %w2 {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %d = dfg.add %b, %c {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %d : tensor<1x64x56x56xf32>
}

// -----

// A 37 ms convolution beside a tiny Neg: on its own the second stream is worth
// nothing (0.92x with the per-call cost), but split-ops, which runs next, would
// split the convolution onto both: judged with that split, two streams are
// predicted 1.71x. One stream on two intra-op threads is nearly as fast (the
// convolution 1.7x faster; 1.15x slower than the split, with both paying for
// the other core), so by default the streams go; a threshold of 0.5 keeps them,
// split.

// CHECK:       ramiel.parallel_speedup = 1.71{{[0-9]*}} : f64, ramiel.predicted_speedup = 1.000000e+00
// CHECK-LABEL: func.func @worth_two_once_split
// CHECK-NOT:   stream = 1
// CHECK:       func.return

// LOW:         ramiel.predicted_speedup = 1.71
// LOW-LABEL:   func.func @worth_two_once_split
// LOW:         %side = dfg.neg {{.*}}stream = 1 : i64}

// UNSPLIT:     ramiel.parallel_speedup = 0.92{{[0-9]*}} : f64, ramiel.predicted_speedup = 1.000000e+00
// UNSPLIT-LABEL: func.func @worth_two_once_split
// UNSPLIT-NOT: stream = 1
func.func @worth_two_once_split(%x: tensor<1x256x56x56xf32>) -> (tensor<1x256x56x56xf32>, tensor<1x256x56x56xf32>) {
  %w = dfg.constant dense<0.01> : tensor<256x256x3x3xf32>
  %c = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x256x56x56xf32>, tensor<256x256x3x3xf32>) -> tensor<1x256x56x56xf32>
  %side = dfg.neg %x {cluster = 1 : i64, stream = 1 : i64} : (tensor<1x256x56x56xf32>) -> tensor<1x256x56x56xf32>
  func.return %c, %side : tensor<1x256x56x56xf32>, tensor<1x256x56x56xf32>
}

// -----

// One stream of four 8 us Adds: on two intra-op threads each op would also wake
// the other thread and wait for it (6 us, static costs), 56 us against 32 us,
// 1.75x slower: the code runs on one thread. A threshold of 2 keeps the caller's.

// CHECK:       builtin.module attributes {ramiel.pipeline = {{.*}}, ramiel.threads = 1 : i64, ramiel.predicted_speedup = 1.000000e+00 : f64, ramiel.cost_model = "static"}
// CHECK-LABEL: func.func @small_ops

// CALLER:      builtin.module attributes
// CALLER-NOT:  ramiel.threads
// CALLER:      func.func @small_ops
func.func @small_ops(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %a = dfg.add %x, %x {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %b = dfg.add %a, %x {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %c = dfg.add %b, %x {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %d = dfg.add %c, %x {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  func.return %d : tensor<1x8xf32>
}
