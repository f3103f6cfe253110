// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The ops whose result sizes the values decide, and ops downstream that take
// those sizes (`?`) as they come. The module must print back as written, also
// after a trip through the generic form.

// CHECK-LABEL: func.func @detect
// GENERIC-LABEL: "func.func"() <{sym_name = "detect"
func.func @detect(%boxes: tensor<1x8x4xf32>, %scores: tensor<1x2x8xf32>) -> tensor<?xi64> {
  // CHECK-NEXT: %k = dfg.constant dense<3> : tensor<1xi64>
  // CHECK-NEXT: %iou = dfg.constant dense<5.000000e-01> : tensor<1xf32>
  // CHECK-NEXT: %column = dfg.constant dense<2> : tensor<i64>
  // CHECK-NEXT: %kept = dfg.non_max_suppression %boxes, %scores, %k, %iou : (tensor<1x8x4xf32>, tensor<1x2x8xf32>, tensor<1xi64>, tensor<1xf32>) -> tensor<?x3xi64>
  // CHECK-NEXT: %box = dfg.gather %kept, %column {axis = 1 : i64} : (tensor<?x3xi64>, tensor<i64>) -> tensor<?xi64>
  // GENERIC: %kept = "dfg.non_max_suppression"(%boxes, %scores, %k, %iou) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>, center_point_box = 0 : i64}> : (tensor<1x8x4xf32>, tensor<1x2x8xf32>, tensor<1xi64>, tensor<1xf32>) -> tensor<?x3xi64>
  %k = dfg.constant dense<3> : tensor<1xi64>
  %iou = dfg.constant dense<0.5> : tensor<1xf32>
  %column = dfg.constant dense<2> : tensor<i64>
  %kept = dfg.non_max_suppression %boxes, %scores, %k, %iou : (tensor<1x8x4xf32>, tensor<1x2x8xf32>, tensor<1xi64>, tensor<1xf32>) -> tensor<?x3xi64>
  %box = dfg.gather %kept, %column {axis = 1 : i64} : (tensor<?x3xi64>, tensor<i64>) -> tensor<?xi64>
  func.return %box : tensor<?xi64>
}

// CHECK-LABEL: func.func @select
func.func @select(%x: tensor<3x4xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<12xi64>) {
  // CHECK-NEXT: %zero = dfg.constant dense<0.000000e+00> : tensor<f32>
  // CHECK-NEXT: %mask = dfg.greater %x, %zero : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xi1>
  // CHECK-NEXT: %where = dfg.non_zero %mask : (tensor<3x4xi1>) -> tensor<2x?xi64>
  // CHECK-NEXT: %t = dfg.transpose %where : (tensor<2x?xi64>) -> tensor<?x2xi64>
  // CHECK-NEXT: %picked = dfg.gather_nd %x, %t : (tensor<3x4xf32>, tensor<?x2xi64>) -> tensor<?xf32>
  // CHECK-NEXT: %y, %first, %inverse = dfg.unique %x {sorted = 0 : i64} : (tensor<3x4xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<12xi64>)
  // CHECK-NEXT: %twice = dfg.add %picked, %picked : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %zero = dfg.constant dense<0.0> : tensor<f32>
  %mask = dfg.greater %x, %zero : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xi1>
  %where = dfg.non_zero %mask : (tensor<3x4xi1>) -> tensor<2x?xi64>
  %t = dfg.transpose %where : (tensor<2x?xi64>) -> tensor<?x2xi64>
  %picked = dfg.gather_nd %x, %t : (tensor<3x4xf32>, tensor<?x2xi64>) -> tensor<?xf32>
  %y, %first, %inverse = dfg.unique %x {sorted = 0 : i64} : (tensor<3x4xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<12xi64>)
  %twice = dfg.add %picked, %picked : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %twice, %y, %inverse : tensor<?xf32>, tensor<?xf32>, tensor<12xi64>
}
