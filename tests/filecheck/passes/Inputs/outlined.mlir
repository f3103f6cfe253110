// A program outlined already is lowered as it is (convert-dfg-to-pyemit.mlir runs this).

// CHECK-LABEL: pyemit.module "main" inputs("x" : tensor<4xf32>) outputs("y")
// CHECK-NEXT:    %k = pyemit.weight "k" = dense<2.000000e+00> : tensor<4xf32>
// CHECK-NEXT:    streams.stream 0 {
// CHECK-NEXT:      %x = streams.input {index = 0} : tensor<4xf32>
// CHECK-NEXT:      %y = pyemit.call "{0} * {1}"(%x, %k)
// CHECK-NEXT:      streams.output %y {index = 0}
streams.program inputs("x" : tensor<4xf32>) outputs("y") {
  %k = dfg.constant dense<2.0> : tensor<4xf32>
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<4xf32>
    %y = dfg.mul %x, %k : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    streams.output %y {index = 0}
  }
}
