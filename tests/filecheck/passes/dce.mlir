// RUN: ramiel-opt %s -p dce | filecheck %s

// xDSL's DCE erases dfg ops whose results nothing uses (its ops are Pure).

// CHECK-LABEL: func.func @dce
func.func @dce(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %a = dfg.constant dense<2.0> : tensor<1x4xf32>
  %dead = dfg.mul %x, %a : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %y = dfg.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  func.return %y : tensor<1x4xf32>
}
// CHECK-NEXT:    %y = dfg.relu %x
// CHECK-NEXT:    func.return %y
