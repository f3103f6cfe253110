// RUN: ramiel-opt %s -p cse | filecheck %s

// xDSL's CSE merges equal constants and equal ops on dfg (its ops are Pure).

// CHECK-LABEL: func.func @cse
func.func @cse(%x: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) {
  %a = dfg.constant dense<2.0> : tensor<1x4xf32>
  %b = dfg.constant dense<2.0> : tensor<1x4xf32>
  %c = dfg.constant dense<3.0> : tensor<1x4xf32>
  %m1 = dfg.mul %x, %a : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %m2 = dfg.mul %x, %b : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %m3 = dfg.mul %x, %c : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  func.return %m1, %m2, %m3 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>
}
// CHECK-NEXT:    %a = dfg.constant dense<2.000000e+00> : tensor<1x4xf32>
// CHECK-NEXT:    %c = dfg.constant dense<3.000000e+00> : tensor<1x4xf32>
// CHECK-NEXT:    %m1 = dfg.mul %x, %a
// CHECK-NEXT:    %m3 = dfg.mul %x, %c
// CHECK-NEXT:    func.return %m1, %m1, %m3
