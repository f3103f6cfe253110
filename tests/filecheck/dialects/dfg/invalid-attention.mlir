// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the attention family's ops; the diagnostic
// names the rule and points at the op.

func.func @attention_heads(%q: tensor<1x3x8xf32>, %k: tensor<1x5x8xf32>) {
  %y = dfg.attention %q, %k, %k {q_num_heads = 3 : i64, kv_num_heads = 1 : i64} : (tensor<1x3x8xf32>, tensor<1x5x8xf32>, tensor<1x5x8xf32>) -> tensor<1x3x24xf32>
  func.return
}
// CHECK: 'dfg.attention' op Q of shape 1x3x8 does not split into 3 heads

// -----

// Each key head serves a whole number of query heads.
func.func @attention_groups(%q: tensor<1x3x4x8xf32>, %k: tensor<1x2x5x8xf32>) {
  %y = dfg.attention %q, %k, %k : (tensor<1x3x4x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) -> tensor<1x3x4x8xf32>
  func.return
}
// CHECK: 'dfg.attention' op 3 query heads do not share 2 key heads evenly

// -----

func.func @rotary_caches(%x: tensor<1x2x3x8xf32>, %cos: tensor<4x3xf32>, %p: tensor<1x3xi64>) {
  %y = dfg.rotary_embedding %x, %cos, %cos, %p : (tensor<1x2x3x8xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<1x3xi64>) -> tensor<1x2x3x8xf32>
  func.return
}
// CHECK: 'dfg.rotary_embedding' op caches of shape 4x3 do not rotate 8 of the 8 elements of each head

// -----

// ONNX's shape inference checks LinearAttention's shapes and which inputs its
// update rule takes; the diagnostic carries its message.
func.func @linear_attention_decay(%q: tensor<1x3x8xf32>, %beta: tensor<1x3x2xf32>) {
  %y, %s = dfg.linear_attention %q, %q, %q, _, _, %beta {kv_num_heads = 2 : i64, q_num_heads = 2 : i64} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x2xf32>) -> (tensor<1x3x8xf32>, tensor<1x2x4x4xf32>)
  func.return
}
// CHECK: 'dfg.linear_attention' op invalid LinearAttention: [TypeInferenceError] update_rule 'gated_delta' requires decay input

// -----

func.func @linear_attention_beta(%q: tensor<1x3x8xf32>, %beta: tensor<1x3x3xf32>) {
  %y, %s = dfg.linear_attention %q, %q, %q, _, _, %beta {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, update_rule = "delta"} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x3xf32>) -> (tensor<1x3x8xf32>, tensor<1x2x4x4xf32>)
  func.return
}
// CHECK: 'dfg.linear_attention' op invalid LinearAttention: [ShapeInferenceError] beta last dim (3) must be 1 or kv_num_heads (2)

// -----

func.func @linear_attention_rule(%q: tensor<1x3x8xf32>) {
  %y, %s = dfg.linear_attention %q, %q, %q {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, update_rule = "softmax"} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> (tensor<1x3x8xf32>, tensor<1x2x4x4xf32>)
  func.return
}
// CHECK: 'dfg.linear_attention' op attribute 'update_rule' of LinearAttention must be one of 'linear', 'gated', 'delta', 'gated_delta', not 'softmax'
