// An annotation at the wrong line, one that no diagnostic meets, and a
// diagnostic no annotation expects: each is named, and the run fails.

// CHECK-DAG: unmet-expectations.mlir:[[# @LINE + 5]]: error: unexpected error: 'pyemit.weight' op weight name 'conv.w'
// CHECK-DAG: unmet-expectations.mlir:[[# @LINE + 3]]: error: expected error "cannot name a buffer" was not produced (at line [[# @LINE + 5]])

pyemit.module "m" inputs("x" : tensor<4xf32>) outputs("y") attributes {pipeline = "", torch_version = "t"} {
  // expected-error@+2 {{cannot name a buffer}}
  %w = pyemit.weight "conv.w" = dense<1.0> : tensor<4xf32>
  streams.stream 0 {
    streams.output %w {index = 0}
  }
}

// -----

// CHECK-DAG: unmet-expectations.mlir:[[# @LINE + 3]]: error: expected error "never said" was not produced (at line [[# @LINE + 3]])

func.func @fine(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = dfg.relu %x : (tensor<4xf32>) -> tensor<4xf32> // expected-error {{never said}}
  func.return %r : tensor<4xf32>
}

// -----

// CHECK-DAG: unmet-expectations.mlir:[[# @LINE + 4]]: error: expected warning "a warning" was not produced (at line [[# @LINE + 5]])
// CHECK-DAG: unmet-expectations.mlir:[[# @LINE + 4]]: error: unexpected error: 'dfg.relu' op

func.func @warned(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-warning@+1 {{a warning}}
  %r = dfg.relu %x : (tensor<4xf32>) -> tensor<4xi32>
  func.return %x : tensor<4xf32>
}
