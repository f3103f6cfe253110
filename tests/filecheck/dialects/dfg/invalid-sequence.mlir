// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the sequence ops; the diagnostic names the rule and
// points at the op.

// SequenceAt gives a tensor of the sequence's element type.
func.func @element(%s: !dfg.sequence<tensor<?x3xf32>>, %i: tensor<i64>) {
  %t = dfg.sequence_at %s, %i : (!dfg.sequence<tensor<?x3xf32>>, tensor<i64>) -> tensor<?x3xi64>
  func.return
}
// CHECK: invalid-sequence.mlir:8:3
// CHECK-NEXT: %t = dfg.sequence_at %s, %i
// CHECK: 'dfg.sequence_at' op result #0 has element type i64, but SequenceAt gives float32

// -----

// SequenceLength takes a sequence, not a tensor.
func.func @not_a_sequence(%a: tensor<2x3xf32>) {
  %n = dfg.sequence_length %a : (tensor<2x3xf32>) -> tensor<i64>
  func.return
}
// CHECK: 'dfg.sequence_length' op operand 'input_sequence' at position 0 does not verify:
// CHECK-NEXT: tensor<2x3xf32> should be of base attribute dfg.sequence

// -----

// The tensors of a sequence have one element type.
func.func @mixed(%a: tensor<2xf32>, %b: tensor<2xf16>) {
  %s = dfg.sequence_construct %a, %b : (tensor<2xf32>, tensor<2xf16>) -> !dfg.sequence<tensor<2xf32>>
  func.return
}
// CHECK: 'dfg.sequence_construct' op all values of type 'T' must have one element type, got f32 and f16

// -----

// A sequence holds tensors of an element type Ramiel compiles.
func.func @float8(%s: !dfg.sequence<tensor<2xf8E4M3FN>>) {
  %n = dfg.sequence_length %s : (!dfg.sequence<tensor<2xf8E4M3FN>>) -> tensor<i64>
  func.return
}
// CHECK: 'dfg.sequence_length' op operand #0 must be a ranked tensor, or a sequence of tensors, of a supported element type, got !dfg.sequence<tensor<2xf8E4M3FN>>

// -----

// The pieces of SplitToSequence keep the input's other sizes.
func.func @pieces(%x: tensor<6x3xf32>, %sizes: tensor<2xi64>) {
  %s = dfg.split_to_sequence %x, %sizes : (tensor<6x3xf32>, tensor<2xi64>) -> !dfg.sequence<tensor<?x4xf32>>
  func.return
}
// CHECK: 'dfg.split_to_sequence' op result #0 has shape ?x4, but SplitToSequence gives ?x3
