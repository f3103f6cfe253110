// Without annotations, --verify-diagnostics prints the diagnostic and goes on, as in xDSL.

// CHECK: no-annotations.mlir:[[# @LINE + 3]]:3
// CHECK: 'pyemit.weight' op 'pyemit.weight' expects parent op 'pyemit.module'

  %w = pyemit.weight "conv.w" = dense<1.0> : tensor<4xf32>
