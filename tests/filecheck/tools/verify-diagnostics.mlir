// RUN: ramiel-opt %s --split-input-file --verify-diagnostics | filecheck %s
// RUN: not ramiel-opt %S/Inputs/unmet-expectations.mlir --split-input-file --verify-diagnostics 2>&1 | filecheck %S/Inputs/unmet-expectations.mlir
// RUN: ramiel-opt %S/Inputs/no-annotations.mlir --verify-diagnostics | filecheck %S/Inputs/no-annotations.mlir

// With `expected-error` annotations, --verify-diagnostics checks them as
// mlir-opt does: each chunk's diagnostic must be the one its annotation expects,
// at the line it names, and then the run succeeds, printing the chunks that
// verified. Parse errors are diagnostics too.

// CHECK:     func.func @fine
// CHECK-NOT: error

func.func @fine(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = dfg.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

func.func @wrong_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'dfg.relu' op}}
  %r = dfg.relu %x : (tensor<4xf32>) -> tensor<4xi32>
  func.return %x : tensor<4xf32>
}

// -----

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  %w = pyemit.weight "conv.w" = dense<1.0> : tensor<4xf32> // expected-error {{weight name 'conv.w' cannot name a buffer}}
  streams.stream 0 {
    streams.output %w {index = 0}
  }
}

// -----

// A parse error points at the token after the missing type: the closing brace.
func.func @unparsable() {
  // expected-error@+2 {{type expected}}
  %x = dfg.relu : () ->
}
