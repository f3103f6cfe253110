// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the optional ops; the diagnostic names the rule and
// points at the op.

// OptionalGetElement gives what the optional holds.
func.func @held(%o: !dfg.optional<tensor<5xf32>>) {
  %x = dfg.optional_get_element %o : (!dfg.optional<tensor<5xf32>>) -> tensor<5xi64>
  func.return
}
// CHECK: invalid-optional.mlir:8:3
// CHECK-NEXT: %x = dfg.optional_get_element %o
// CHECK: 'dfg.optional_get_element' op result #0 has element type i64, but OptionalGetElement gives float32

// -----

// Optional makes an optional, not a tensor.
func.func @wrapped(%x: tensor<5xf32>) {
  %o = dfg.optional %x : (tensor<5xf32>) -> tensor<5xf32>
  func.return
}
// CHECK: 'dfg.optional' op result 'output' at position 0 does not verify:
// CHECK-NEXT: tensor<5xf32> should be of base attribute dfg.optional
