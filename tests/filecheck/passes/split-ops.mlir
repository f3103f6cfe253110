// RUN: ramiel-opt %s --split-input-file -p 'split-ops{cost=static}' | filecheck %s
// RUN: not ramiel-opt %s -p 'split-ops{min-gain=much}' 2>&1 | filecheck %s --check-prefix=INVALID
// RUN: not ramiel-opt %S/Inputs/unscheduled.mlir -p 'split-ops' 2>&1 | filecheck %s --check-prefix=UNSCHEDULED
// RUN: ramiel-opt %s --split-input-file -p 'split-ops{cost=static min-gain=1}' | filecheck %s --check-prefix=WHOLE

// INVALID: ramiel: error: bad pass pipeline
// UNSCHEDULED: ramiel: error: every dfg op needs a 'stream' attribute: run a clustering pass first (pass pipeline)

// A whole number is a float option's value too; no split saves the whole makespan.
// WHOLE-LABEL: func.func @beside_an_idle_stream
// WHOLE-NOT:   _part0
// WHOLE:       func.return

// Stream 1 has only a tiny Neg to run while stream 0 runs a heavy convolution: the
// convolution becomes two halves by output channel, one per stream, each with its
// own slice of the weights and its own Relu, joined by a Concat on stream 0 that
// takes the Relu's place. Weights nothing else reads are replaced. The new
// prediction is recorded.

// CHECK:       builtin.module attributes {{{.*}}ramiel.predicted_speedup = {{.*}}ramiel.cost_model = "static"}
// CHECK-LABEL: func.func @beside_an_idle_stream
// CHECK-NEXT:  %w_part0 = dfg.constant dense<1.000000e-02> : tensor<32x64x3x3xf32> {cluster = 2 : i64, stream = 0 : i64}
// CHECK-NEXT:  %b_part0 = dfg.constant dense<5.000000e-01> : tensor<32xf32> {cluster = 2 : i64, stream = 0 : i64}
// CHECK-NEXT:  %w_part1 = dfg.constant dense<1.000000e-02> : tensor<32x64x3x3xf32> {cluster = 3 : i64, stream = 1 : i64}
// CHECK-NEXT:  %b_part1 = dfg.constant dense<5.000000e-01> : tensor<32xf32> {cluster = 3 : i64, stream = 1 : i64}
// CHECK-NEXT:  %c_part0 = dfg.conv %x, %w_part0, %b_part0 {pads = array<i64: 1, 1, 1, 1>, cluster = 2 : i64, stream = 0 : i64} : ({{.*}}) -> tensor<1x32x56x56xf32>
// CHECK-NEXT:  %r_part0 = dfg.relu %c_part0 {cluster = 2 : i64, stream = 0 : i64}
// CHECK-NEXT:  %c_part1 = dfg.conv %x, %w_part1, %b_part1 {pads = array<i64: 1, 1, 1, 1>, cluster = 3 : i64, stream = 1 : i64} : ({{.*}}) -> tensor<1x32x56x56xf32>
// CHECK-NEXT:  %r_part1 = dfg.relu %c_part1 {cluster = 3 : i64, stream = 1 : i64}
// CHECK-NEXT:  %r = dfg.concat %r_part0, %r_part1 {axis = 1 : i64, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x56x56xf32>, tensor<1x32x56x56xf32>) -> tensor<1x64x56x56xf32>
// CHECK-NEXT:  %side = dfg.neg %x {cluster = 1 : i64, stream = 1 : i64}
// CHECK-NEXT:  func.return %r, %side
func.func @beside_an_idle_stream(%x: tensor<1x64x56x56xf32>) -> (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) {
  %w = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %b = dfg.constant dense<0.5> : tensor<64xf32>
  %c = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %r = dfg.relu %c {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %side = dfg.neg %x {cluster = 1 : i64, stream = 1 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %r, %side : tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>
}

// -----

// One stream: there is nowhere to put a part, and nothing is recorded.

// CHECK-NOT:   ramiel.predicted_speedup
// CHECK-LABEL: func.func @one_stream
// CHECK-NOT:   _part
// CHECK:       func.return
func.func @one_stream(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %c = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  func.return %c : tensor<1x64x56x56xf32>
}

// -----

// Two equal branches keep both streams busy: a split could not shorten the makespan.

// CHECK-LABEL: func.func @busy_streams
// CHECK-NOT:   _part
// CHECK:       func.return
func.func @busy_streams(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w1 = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %w2 = dfg.constant dense<0.02> : tensor<64x64x3x3xf32>
  %b = dfg.conv %x, %w1 {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %c = dfg.conv %x, %w2 {pads = array<i64: 1, 1, 1, 1>, cluster = 1 : i64, stream = 1 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %d = dfg.add %b, %c {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %d : tensor<1x64x56x56xf32>
}

// -----

// Not split: a grouped (depthwise) convolution, one too thin for two parts of
// 16 channels, and one whose weights are computed at run time.

// CHECK-LABEL: func.func @unsplittable
// CHECK-NOT:   _part
// CHECK:       func.return
func.func @unsplittable(%x: tensor<1x64x56x56xf32>, %v: tensor<16x64x3x3xf32>) -> (tensor<1x64x56x56xf32>, tensor<1x16x56x56xf32>, tensor<1x16x56x56xf32>, tensor<1x64x56x56xf32>) {
  %dw = dfg.constant dense<0.01> : tensor<64x1x3x3xf32>
  %thin = dfg.constant dense<0.01> : tensor<16x64x3x3xf32>
  %a = dfg.conv %x, %dw {group = 64 : i64, pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<64x1x3x3xf32>) -> tensor<1x64x56x56xf32>
  %b = dfg.conv %a, %thin {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<16x64x3x3xf32>) -> tensor<1x16x56x56xf32>
  %c = dfg.conv %a, %v {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<16x64x3x3xf32>) -> tensor<1x16x56x56xf32>
  %side = dfg.neg %x {cluster = 1 : i64, stream = 1 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %a, %b, %c, %side : tensor<1x64x56x56xf32>, tensor<1x16x56x56xf32>, tensor<1x16x56x56xf32>, tensor<1x64x56x56xf32>
}

// -----

// Pooling reads each channel alone: the Relu and the MaxPool that alone read the
// convolution are split with it, and the Concat joins the pooled parts.

// CHECK-LABEL: func.func @pooled
// CHECK:       %c_part0 = dfg.conv %x, %w_part0, %b_part0
// CHECK-NEXT:  %r_part0 = dfg.relu %c_part0 {cluster = 2 : i64, stream = 0 : i64} : (tensor<1x32x56x56xf32>) -> tensor<1x32x56x56xf32>
// CHECK-NEXT:  %p_part0 = dfg.max_pool %r_part0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, cluster = 2 : i64, stream = 0 : i64} : (tensor<1x32x56x56xf32>) -> tensor<1x32x28x28xf32>
// CHECK-NEXT:  %c_part1 = dfg.conv %x, %w_part1, %b_part1
// CHECK-NEXT:  %r_part1 = dfg.relu %c_part1 {cluster = 3 : i64, stream = 1 : i64}
// CHECK-NEXT:  %p_part1 = dfg.max_pool %r_part1 {{.*}}stream = 1 : i64}
// CHECK-NEXT:  %p = dfg.concat %p_part0, %p_part1 {axis = 1 : i64, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x64x28x28xf32>
func.func @pooled(%x: tensor<1x64x56x56xf32>) -> (tensor<1x64x28x28xf32>, tensor<1x64x56x56xf32>) {
  %w = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %b = dfg.constant dense<0.5> : tensor<64xf32>
  %c = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %r = dfg.relu %c {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %p = dfg.max_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x28x28xf32>
  %side = dfg.neg %x {cluster = 1 : i64, stream = 1 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %p, %side : tensor<1x64x28x28xf32>, tensor<1x64x56x56xf32>
}

// -----

// The chain stops where a value has a second reader: the Relu is also returned, so
// the MaxPool stays whole and reads the Concat.

// CHECK-LABEL: func.func @shared
// CHECK:       %r_part1 = dfg.relu %c_part1
// CHECK-NEXT:  %r = dfg.concat %r_part0, %r_part1 {axis = 1 : i64, cluster = 0 : i64, stream = 0 : i64}
// CHECK:       %p = dfg.max_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x28x28xf32>
// CHECK:       func.return %p, %r
func.func @shared(%x: tensor<1x64x56x56xf32>) -> (tensor<1x64x28x28xf32>, tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) {
  %w = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %b = dfg.constant dense<0.5> : tensor<64xf32>
  %c = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %r = dfg.relu %c {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %p = dfg.max_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x28x28xf32>
  %side = dfg.neg %x {cluster = 1 : i64, stream = 1 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %p, %r, %side : tensor<1x64x28x28xf32>, tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>
}

// -----

// An LRN is split by channel too. Its window of 5 reaches 2 channels below and 2
// above, so each part normalises its own channels and those neighbours, and keeps
// its own: part 0 reads channels [0, 34) and keeps [0, 32), part 1 reads [30, 64)
// and keeps its [2, 34). The MaxPool that alone reads it is split along; part 1's
// slices run on stream 1 with it.

// CHECK-LABEL: func.func @lrn
// CHECK:       %n_window0_starts = dfg.constant dense<0> : tensor<1xi64>
// CHECK-NEXT:  %n_window0_ends = dfg.constant dense<34> : tensor<1xi64>
// CHECK-NEXT:  %n_window0_axes = dfg.constant dense<1> : tensor<1xi64>
// CHECK-NEXT:  %n_own0_starts = dfg.constant dense<0> : tensor<1xi64>
// CHECK-NEXT:  %n_own0_ends = dfg.constant dense<32> : tensor<1xi64>
// CHECK-NEXT:  %n_own0_axes = dfg.constant dense<1> : tensor<1xi64>
// CHECK-NEXT:  %n_window1_starts = dfg.constant dense<30> : tensor<1xi64>
// CHECK-NEXT:  %n_window1_ends = dfg.constant dense<64> : tensor<1xi64>
// CHECK-NEXT:  %n_window1_axes = dfg.constant dense<1> : tensor<1xi64>
// CHECK-NEXT:  %n_own1_starts = dfg.constant dense<2> : tensor<1xi64>
// CHECK-NEXT:  %n_own1_ends = dfg.constant dense<34> : tensor<1xi64>
// CHECK-NEXT:  %n_own1_axes = dfg.constant dense<1> : tensor<1xi64>
// CHECK-NEXT:  %n_window0 = dfg.slice %x, %n_window0_starts, %n_window0_ends, %n_window0_axes {cluster = 2 : i64, stream = 0 : i64} : {{.*}} -> tensor<1x34x56x56xf32>
// CHECK-NEXT:  %n_part0 = dfg.lrn %n_window0 {size = 5 : i64, cluster = 2 : i64, stream = 0 : i64} : (tensor<1x34x56x56xf32>) -> tensor<1x34x56x56xf32>
// CHECK-NEXT:  %n_own0 = dfg.slice %n_part0, %n_own0_starts, %n_own0_ends, %n_own0_axes {cluster = 2 : i64, stream = 0 : i64} : {{.*}} -> tensor<1x32x56x56xf32>
// CHECK-NEXT:  %p_part0 = dfg.max_pool %n_own0 {{.*}} -> tensor<1x32x28x28xf32>
// CHECK-NEXT:  %n_window1 = dfg.slice %x, %n_window1_starts, %n_window1_ends, %n_window1_axes {cluster = 3 : i64, stream = 1 : i64} : {{.*}} -> tensor<1x34x56x56xf32>
// CHECK-NEXT:  %n_part1 = dfg.lrn %n_window1 {size = 5 : i64, cluster = 3 : i64, stream = 1 : i64} : (tensor<1x34x56x56xf32>) -> tensor<1x34x56x56xf32>
// CHECK-NEXT:  %n_own1 = dfg.slice %n_part1, %n_own1_starts, %n_own1_ends, %n_own1_axes {cluster = 3 : i64, stream = 1 : i64} : {{.*}} -> tensor<1x32x56x56xf32>
// CHECK-NEXT:  %p_part1 = dfg.max_pool %n_own1
// CHECK-NEXT:  %p = dfg.concat %p_part0, %p_part1 {axis = 1 : i64, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x32x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x64x28x28xf32>
func.func @lrn(%x: tensor<1x64x56x56xf32>) -> (tensor<1x64x28x28xf32>, tensor<1x64x56x56xf32>) {
  %n = dfg.lrn %x {size = 5 : i64, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %p = dfg.max_pool %n {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x28x28xf32>
  %side = dfg.neg %x {cluster = 1 : i64, stream = 1 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %p, %side : tensor<1x64x28x28xf32>, tensor<1x64x56x56xf32>
}

// -----

// A Concat on channels that alone reads the split result takes the parts among
// its own operands, where it ran: the channels are copied once, not twice.

// CHECK-LABEL: func.func @into_concat
// CHECK:       %r_part1 = dfg.relu %c_part1
// CHECK-NEXT:  %j = dfg.concat %x, %r_part0, %r_part1 {axis = 1 : i64, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<1x32x56x56xf32>, tensor<1x32x56x56xf32>) -> tensor<1x128x56x56xf32>
func.func @into_concat(%x: tensor<1x64x56x56xf32>) -> (tensor<1x128x56x56xf32>, tensor<1x64x56x56xf32>) {
  %w = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %c = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %r = dfg.relu %c {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %j = dfg.concat %x, %r {axis = 1 : i64, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x128x56x56xf32>
  %side = dfg.neg %x {cluster = 1 : i64, stream = 1 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %j, %side : tensor<1x128x56x56xf32>, tensor<1x64x56x56xf32>
}

// -----

// A Concat on another axis keeps its operand: the parts are joined first.

// CHECK-LABEL: func.func @concat_other_axis
// CHECK:       %r = dfg.concat %r_part0, %r_part1 {axis = 1 : i64, cluster = 0 : i64, stream = 0 : i64}
// CHECK:       %j = dfg.concat %x, %r {axis = 2 : i64, cluster = 0 : i64, stream = 0 : i64}
func.func @concat_other_axis(%x: tensor<1x64x56x56xf32>) -> (tensor<1x64x112x56xf32>, tensor<1x64x56x56xf32>) {
  %w = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %c = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %r = dfg.relu %c {cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %j = dfg.concat %x, %r {axis = 2 : i64, cluster = 0 : i64, stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x112x56xf32>
  %side = dfg.neg %x {cluster = 1 : i64, stream = 1 : i64} : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %j, %side : tensor<1x64x112x56xf32>, tensor<1x64x56x56xf32>
}
