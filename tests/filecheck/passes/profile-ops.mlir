// RUN: rm -rf %t && env RAMIEL_CACHE=%t ramiel-opt %s -p profile-ops | filecheck %s
// RUN: cat %t/cost_profile.json | filecheck %s --check-prefix=CACHE
// RUN: cat %t/cost_analytic.json | filecheck %s --check-prefix=CALIBRATED
// RUN: env RAMIEL_CACHE=%t ramiel-opt %s -p profile-ops | filecheck %s
// RUN: not ramiel-opt %s -p 'profile-ops{bogus=1}' 2>&1 | filecheck %s --check-prefix=INVALID

// The pass leaves the IR as it is; it times each op signature into the cost
// cache (the convolution as the generated code runs it), calibrating the
// analytic constants first when the cache has none. A second run finds
// everything cached and changes nothing.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  %w = dfg.constant
// CHECK-NEXT:  %c = dfg.conv %x, %w
// CHECK-NEXT:  %r = dfg.relu %c
// CHECK-NEXT:  func.return %r

// CACHE:      "Conv(1x8x16x16:float32,8x8x3x3:float32,?:float32)->(1x8x16x16:float32){{.*}}":
// CACHE-NEXT: "Relu(1x8x16x16:float32)->(1x8x16x16:float32){}":

// CALIBRATED: "gemm_flop_per_s":

// INVALID: bogus
func.func @main(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32> {
  %w = dfg.constant dense<0.5> : tensor<8x8x3x3xf32>
  %c = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
  %r = dfg.relu %c : (tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  func.return %r : tensor<1x8x16x16xf32>
}
