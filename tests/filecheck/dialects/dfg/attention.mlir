// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The attention ops in their custom syntax: the module prints back as written,
// also after a trip through the generic form. Absent optional operands before
// a present one are `_`; properties at their ONNX default are not printed.

// CHECK-LABEL: func.func @attention
// GENERIC-LABEL: "func.func"() <{sym_name = "attention"
func.func @attention(%q: tensor<1x2x3x4xf32>, %k: tensor<1x1x5x4xf32>, %v: tensor<1x1x5x6xf32>, %mask: tensor<3x5xi1>, %pk: tensor<1x2x2x4xf32>, %pv: tensor<1x2x2x6xf32>, %q3: tensor<1x3x8xf32>, %k3: tensor<1x5x8xf32>, %v3: tensor<1x5x12xf32>, %n: tensor<1xi64>) {
  // CHECK-NEXT: %0 = dfg.attention %q, %k, %v : (tensor<1x2x3x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x6xf32>) -> tensor<1x2x3x6xf32>
  // CHECK-NEXT: %1 = dfg.attention %q, %k, %v, %mask {is_causal = 1 : i64, scale = 5.000000e-01 : f32} : (tensor<1x2x3x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x6xf32>, tensor<3x5xi1>) -> tensor<1x2x3x6xf32>
  // CHECK-NEXT: %2, %3, %4, %5 = dfg.attention %q3, %k3, %v3, _, %pk, %pv {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, qk_matmul_output_mode = 3 : i64, softcap = 2.000000e+00 : f32} : (tensor<1x3x8xf32>, tensor<1x5x8xf32>, tensor<1x5x12xf32>, tensor<1x2x2x4xf32>, tensor<1x2x2x6xf32>) -> (tensor<1x3x12xf32>, tensor<1x2x7x4xf32>, tensor<1x2x7x6xf32>, tensor<1x2x3x7xf32>)
  // CHECK-NEXT: %6 = dfg.attention %q, %k, %v, _, _, _, %n {left_window_size = 2 : i64} : (tensor<1x2x3x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x6xf32>, tensor<1xi64>) -> tensor<1x2x3x6xf32>
  // The generic form shows the operand and result segments, and every default.
  // GENERIC: %2, %3, %4, %5 = "dfg.attention"(%q3, %k3, %v3, %pk, %pv) <{{.*}}operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 1, 0>, resultSegmentSizes = array<i32: 1, 1, 1, 1>{{.*}}}>
  // GENERIC: "dfg.attention"(%q, %k, %v, %n) <{{.*}}operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 1>
  %0 = dfg.attention %q, %k, %v : (tensor<1x2x3x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x6xf32>) -> tensor<1x2x3x6xf32>
  %1 = dfg.attention %q, %k, %v, %mask {is_causal = 1 : i64, scale = 5.000000e-01 : f32} : (tensor<1x2x3x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x6xf32>, tensor<3x5xi1>) -> tensor<1x2x3x6xf32>
  %2, %3, %4, %5 = dfg.attention %q3, %k3, %v3, _, %pk, %pv {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, qk_matmul_output_mode = 3 : i64, softcap = 2.000000e+00 : f32} : (tensor<1x3x8xf32>, tensor<1x5x8xf32>, tensor<1x5x12xf32>, tensor<1x2x2x4xf32>, tensor<1x2x2x6xf32>) -> (tensor<1x3x12xf32>, tensor<1x2x7x4xf32>, tensor<1x2x7x6xf32>, tensor<1x2x3x7xf32>)
  %6 = dfg.attention %q, %k, %v, _, _, _, %n {left_window_size = 2 : i64} : (tensor<1x2x3x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x6xf32>, tensor<1xi64>) -> tensor<1x2x3x6xf32>
  func.return
}

// CHECK-LABEL: func.func @rotary_embedding
func.func @rotary_embedding(%x: tensor<2x2x3x6xf32>, %cos: tensor<8x2xf32>, %sin: tensor<8x2xf32>, %p: tensor<2x3xi64>, %x3: tensor<2x3x12xf32>, %cos3: tensor<2x3x3xf32>) {
  // CHECK-NEXT: %0 = dfg.rotary_embedding %x, %cos, %sin, %p {interleaved = 1 : i64, rotary_embedding_dim = 4 : i64} : (tensor<2x2x3x6xf32>, tensor<8x2xf32>, tensor<8x2xf32>, tensor<2x3xi64>) -> tensor<2x2x3x6xf32>
  // CHECK-NEXT: %1 = dfg.rotary_embedding %x3, %cos3, %cos3 {num_heads = 2 : i64} : (tensor<2x3x12xf32>, tensor<2x3x3xf32>, tensor<2x3x3xf32>) -> tensor<2x3x12xf32>
  %0 = dfg.rotary_embedding %x, %cos, %sin, %p {interleaved = 1 : i64, rotary_embedding_dim = 4 : i64} : (tensor<2x2x3x6xf32>, tensor<8x2xf32>, tensor<8x2xf32>, tensor<2x3xi64>) -> tensor<2x2x3x6xf32>
  %1 = dfg.rotary_embedding %x3, %cos3, %cos3 {num_heads = 2 : i64} : (tensor<2x3x12xf32>, tensor<2x3x3xf32>, tensor<2x3x3xf32>) -> tensor<2x3x12xf32>
  func.return
}

// CHECK-LABEL: func.func @linear_attention
func.func @linear_attention(%q: tensor<1x3x12xf32>, %k: tensor<1x3x6xf32>, %v: tensor<1x3x4xf32>, %past: tensor<1x2x3x2xf32>, %decay: tensor<1x3x2xf32>, %beta: tensor<1x3x1xf32>) {
  // CHECK-NEXT: %0, %1 = dfg.linear_attention %q, %k, %v, %past {kv_num_heads = 2 : i64, q_num_heads = 4 : i64, update_rule = "linear"} : (tensor<1x3x12xf32>, tensor<1x3x6xf32>, tensor<1x3x4xf32>, tensor<1x2x3x2xf32>) -> (tensor<1x3x8xf32>, tensor<1x2x3x2xf32>)
  // CHECK-NEXT: %2, %3 = dfg.linear_attention %q, %k, %v, _, %decay, %beta {kv_num_heads = 2 : i64, q_num_heads = 4 : i64} : (tensor<1x3x12xf32>, tensor<1x3x6xf32>, tensor<1x3x4xf32>, tensor<1x3x2xf32>, tensor<1x3x1xf32>) -> (tensor<1x3x8xf32>, tensor<1x2x3x2xf32>)
  // GENERIC: "dfg.linear_attention"(%q, %k, %v, %decay, %beta) <{{.*}}update_rule = "gated_delta"
  %0, %1 = dfg.linear_attention %q, %k, %v, %past {kv_num_heads = 2 : i64, q_num_heads = 4 : i64, update_rule = "linear"} : (tensor<1x3x12xf32>, tensor<1x3x6xf32>, tensor<1x3x4xf32>, tensor<1x2x3x2xf32>) -> (tensor<1x3x8xf32>, tensor<1x2x3x2xf32>)
  %2, %3 = dfg.linear_attention %q, %k, %v, _, %decay, %beta {kv_num_heads = 2 : i64, q_num_heads = 4 : i64} : (tensor<1x3x12xf32>, tensor<1x3x6xf32>, tensor<1x3x4xf32>, tensor<1x3x2xf32>, tensor<1x3x1xf32>) -> (tensor<1x3x8xf32>, tensor<1x2x3x2xf32>)
  func.return
}
