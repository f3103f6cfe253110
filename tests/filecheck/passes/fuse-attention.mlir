// RUN: ramiel-opt %s --split-input-file -p fuse-attention | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p fuse-attention | ramiel-opt --split-input-file | filecheck %s
// RUN: not ramiel-opt %S/Inputs/attention-wrong-shape.mlir -p fuse-attention 2>&1 | filecheck %s --check-prefix=INVALID
// RUN: not ramiel-opt %s -p 'fuse-attention{causal=true}' 2>&1 | filecheck %s --check-prefix=OPTION

// INVALID: attention-wrong-shape.mlir:4:3
// INVALID: 'dfg.attention' op result #0 has shape 1x4x8x8, but Attention gives 1x4x8x16
// OPTION: ramiel: error: pass 'fuse-attention' has no option 'causal' (options: none) (-p fuse-attention{causal=true})

// Attention on 4-D heads, scaled after the first product (as both torch exporters
// write it), and scaled by dividing Q and K^T apart; the Transpose that only the
// product read goes with it. A Transpose that splits the heads and swaps the last
// axes at once (as the dynamo exporter writes BERT's) leaves K as a Transpose of
// its input.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %y = dfg.attention %q, %k, %v {scale = 2.500000e-01 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
// CHECK-NEXT:    %z = dfg.attention %q, %k, %v {scale = 1.250000e-01 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
// CHECK-NEXT:    %key = dfg.transpose %heads {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x8x4x16xf32>) -> tensor<1x4x8x16xf32>
// CHECK-NEXT:    %u = dfg.attention %q, %key, %v {scale = 2.500000e-01 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
// CHECK-NEXT:    func.return %y, %z, %u
func.func @main(%q: tensor<1x4x8x16xf32> {dfg.name = "q"}, %k: tensor<1x4x8x16xf32> {dfg.name = "k"}, %v: tensor<1x4x8x16xf32> {dfg.name = "v"}, %heads: tensor<1x8x4x16xf32> {dfg.name = "heads"}) -> (tensor<1x4x8x16xf32> {dfg.name = "y"}, tensor<1x4x8x16xf32> {dfg.name = "z"}, tensor<1x4x8x16xf32> {dfg.name = "u"}) {
  %quarter = dfg.constant dense<0.25> : tensor<f32>
  %two = dfg.constant dense<2.0> : tensor<f32>
  %four = dfg.constant dense<4.0> : tensor<f32>
  %kt = dfg.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x4x8x16xf32>) -> tensor<1x4x16x8xf32>
  %s = dfg.mat_mul %q, %kt : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
  %t = dfg.mul %s, %quarter : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
  %p = dfg.softmax %t : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %y = dfg.mat_mul %p, %v : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %kt2 = dfg.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x4x8x16xf32>) -> tensor<1x4x16x8xf32>
  %qs = dfg.div %q, %two : (tensor<1x4x8x16xf32>, tensor<f32>) -> tensor<1x4x8x16xf32>
  %ks = dfg.div %kt2, %four : (tensor<1x4x16x8xf32>, tensor<f32>) -> tensor<1x4x16x8xf32>
  %s2 = dfg.mat_mul %qs, %ks : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
  %p2 = dfg.softmax %s2 {axis = 3 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %z = dfg.mat_mul %p2, %v : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %kt3 = dfg.transpose %heads {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x4x16xf32>) -> tensor<1x4x16x8xf32>
  %s3 = dfg.mat_mul %q, %kt3 : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
  %t3 = dfg.mul %s3, %quarter : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
  %p3 = dfg.softmax %t3 : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %u = dfg.mat_mul %p3, %v : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  func.return %y, %z, %u : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>
}

// -----

// One head on 3-D tensors, as a model that splits its heads by hand writes it, and
// a decoder's attention with a constant causal mask added to the scores (float32's
// lowest value above the diagonal, as Hugging Face writes it, 0 elsewhere), which
// becomes `is_causal`, and an encoder's padding mask computed from an input, which
// becomes `attn_mask`.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %y = dfg.attention %q, %k, %v {kv_num_heads = 1 : i64, q_num_heads = 1 : i64, scale = 1.250000e-01 : f32} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
// CHECK-NEXT:    %z = dfg.attention %q, %k, %v {is_causal = 1 : i64, kv_num_heads = 1 : i64, q_num_heads = 1 : i64, scale = 1.250000e-01 : f32} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
// CHECK-NEXT:    %w = dfg.attention %q, %k, %v, %pad {kv_num_heads = 1 : i64, q_num_heads = 1 : i64, scale = 1.250000e-01 : f32} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x1x3xf32>) -> tensor<1x3x8xf32>
// CHECK-NEXT:    func.return %y, %z, %w
func.func @main(%q: tensor<1x3x8xf32> {dfg.name = "q"}, %k: tensor<1x3x8xf32> {dfg.name = "k"}, %v: tensor<1x3x8xf32> {dfg.name = "v"}, %pad: tensor<1x1x3xf32> {dfg.name = "pad"}) -> (tensor<1x3x8xf32> {dfg.name = "y"}, tensor<1x3x8xf32> {dfg.name = "z"}, tensor<1x3x8xf32> {dfg.name = "w"}) {
  %eighth = dfg.constant dense<0.125> : tensor<f32>
  %causal = dfg.constant dense<[[0.0, -3.40282347e+38, -3.40282347e+38], [0.0, 0.0, -3.40282347e+38], [0.0, 0.0, 0.0]]> : tensor<3x3xf32>
  %kt = dfg.transpose %k {perm = array<i64: 0, 2, 1>} : (tensor<1x3x8xf32>) -> tensor<1x8x3xf32>
  %s = dfg.mat_mul %q, %kt : (tensor<1x3x8xf32>, tensor<1x8x3xf32>) -> tensor<1x3x3xf32>
  %t = dfg.mul %eighth, %s : (tensor<f32>, tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %p = dfg.softmax %t : (tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %y = dfg.mat_mul %p, %v : (tensor<1x3x3xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  %s2 = dfg.mat_mul %q, %kt : (tensor<1x3x8xf32>, tensor<1x8x3xf32>) -> tensor<1x3x3xf32>
  %t2 = dfg.mul %s2, %eighth : (tensor<1x3x3xf32>, tensor<f32>) -> tensor<1x3x3xf32>
  %m2 = dfg.add %t2, %causal : (tensor<1x3x3xf32>, tensor<3x3xf32>) -> tensor<1x3x3xf32>
  %p2 = dfg.softmax %m2 : (tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %z = dfg.mat_mul %p2, %v : (tensor<1x3x3xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  %s3 = dfg.mat_mul %q, %kt : (tensor<1x3x8xf32>, tensor<1x8x3xf32>) -> tensor<1x3x3xf32>
  %t3 = dfg.mul %s3, %eighth : (tensor<1x3x3xf32>, tensor<f32>) -> tensor<1x3x3xf32>
  %m3 = dfg.add %pad, %t3 : (tensor<1x1x3xf32>, tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %p3 = dfg.softmax %m3 : (tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %w = dfg.mat_mul %p3, %v : (tensor<1x3x3xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  func.return %y, %z, %w : tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>
}

// -----

// Nothing fuses: a softmax over another axis; a mask of one column, which the Add
// broadcasts over the keys but Attention would pad with -inf; K^T that is no Transpose of K; scores that are also returned;
// a scale that is not a constant; a negative scale, which Attention does not take;
// and half-precision inputs, which scaled_dot_product_attention computes in float.

// CHECK-LABEL: func.func @main
// CHECK-NOT:     dfg.attention
// CHECK-COUNT-7: dfg.softmax
// CHECK-NOT:     dfg.attention
func.func @main(%q: tensor<1x3x8xf32> {dfg.name = "q"}, %k: tensor<1x3x8xf32> {dfg.name = "k"}, %v: tensor<1x3x8xf32> {dfg.name = "v"}, %kt: tensor<1x8x3xf32> {dfg.name = "kt"}, %c: tensor<f32> {dfg.name = "c"}, %h: tensor<1x3x8xf16> {dfg.name = "h"}) -> (tensor<1x3x8xf32> {dfg.name = "a"}, tensor<1x3x8xf32> {dfg.name = "b"}, tensor<1x3x8xf32> {dfg.name = "d"}, tensor<1x3x8xf32> {dfg.name = "e"}, tensor<1x3x3xf32> {dfg.name = "s"}, tensor<1x3x8xf32> {dfg.name = "f"}, tensor<1x3x8xf16> {dfg.name = "g"}, tensor<1x3x8xf32> {dfg.name = "n"}) {
  %eighth = dfg.constant dense<0.125> : tensor<f32>
  %column = dfg.constant dense<[[0.0], [-1.0], [-2.0]]> : tensor<3x1xf32>
  %ktr = dfg.transpose %k {perm = array<i64: 0, 2, 1>} : (tensor<1x3x8xf32>) -> tensor<1x8x3xf32>
  %s1 = dfg.mat_mul %q, %ktr : (tensor<1x3x8xf32>, tensor<1x8x3xf32>) -> tensor<1x3x3xf32>
  %p1 = dfg.softmax %s1 {axis = 1 : i64} : (tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %a = dfg.mat_mul %p1, %v : (tensor<1x3x3xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  %s2 = dfg.mat_mul %q, %ktr : (tensor<1x3x8xf32>, tensor<1x8x3xf32>) -> tensor<1x3x3xf32>
  %m2 = dfg.add %s2, %column : (tensor<1x3x3xf32>, tensor<3x1xf32>) -> tensor<1x3x3xf32>
  %p2 = dfg.softmax %m2 : (tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %b = dfg.mat_mul %p2, %v : (tensor<1x3x3xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  %s3 = dfg.mat_mul %q, %kt : (tensor<1x3x8xf32>, tensor<1x8x3xf32>) -> tensor<1x3x3xf32>
  %p3 = dfg.softmax %s3 : (tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %d = dfg.mat_mul %p3, %v : (tensor<1x3x3xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  %s4 = dfg.mat_mul %q, %ktr : (tensor<1x3x8xf32>, tensor<1x8x3xf32>) -> tensor<1x3x3xf32>
  %p4 = dfg.softmax %s4 : (tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %e = dfg.mat_mul %p4, %v : (tensor<1x3x3xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  %s5 = dfg.mat_mul %q, %ktr : (tensor<1x3x8xf32>, tensor<1x8x3xf32>) -> tensor<1x3x3xf32>
  %t5 = dfg.mul %s5, %c : (tensor<1x3x3xf32>, tensor<f32>) -> tensor<1x3x3xf32>
  %p5 = dfg.softmax %t5 : (tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %f = dfg.mat_mul %p5, %v : (tensor<1x3x3xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  %minus = dfg.constant dense<-0.125> : tensor<f32>
  %s7 = dfg.mat_mul %q, %ktr : (tensor<1x3x8xf32>, tensor<1x8x3xf32>) -> tensor<1x3x3xf32>
  %t7 = dfg.mul %s7, %minus : (tensor<1x3x3xf32>, tensor<f32>) -> tensor<1x3x3xf32>
  %p7 = dfg.softmax %t7 : (tensor<1x3x3xf32>) -> tensor<1x3x3xf32>
  %n = dfg.mat_mul %p7, %v : (tensor<1x3x3xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  %ht = dfg.transpose %h {perm = array<i64: 0, 2, 1>} : (tensor<1x3x8xf16>) -> tensor<1x8x3xf16>
  %s6 = dfg.mat_mul %h, %ht : (tensor<1x3x8xf16>, tensor<1x8x3xf16>) -> tensor<1x3x3xf16>
  %p6 = dfg.softmax %s6 : (tensor<1x3x3xf16>) -> tensor<1x3x3xf16>
  %g = dfg.mat_mul %p6, %h : (tensor<1x3x3xf16>, tensor<1x3x8xf16>) -> tensor<1x3x8xf16>
  func.return %a, %b, %d, %e, %s4, %f, %g, %n : tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x3xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf16>, tensor<1x3x8xf32>
}
