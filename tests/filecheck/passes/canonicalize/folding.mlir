// RUN: ramiel-opt %s -p canonicalize --split-input-file | filecheck %s

// The exporter's flatten: Shape -> Gather -> Unsqueeze -> Concat -> Reshape.

// CHECK-LABEL: func.func @shape_chain
func.func @shape_chain(%x: tensor<1x64x1x1xf32>) -> tensor<1x64xf32> {
  %s = dfg.shape %x : (tensor<1x64x1x1xf32>) -> tensor<4xi64>
  %i = dfg.constant dense<0> : tensor<i64>
  %n = dfg.gather %s, %i : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %a = dfg.constant dense<0> : tensor<1xi64>
  %u = dfg.unsqueeze %n, %a : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %m = dfg.constant dense<-1> : tensor<1xi64>
  %c = dfg.concat %u, %m {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %y = dfg.reshape %x, %c : (tensor<1x64x1x1xf32>, tensor<2xi64>) -> tensor<1x64xf32>
  func.return %y : tensor<1x64xf32>
}
// CHECK-NEXT:    %c = dfg.constant dense<[1, -1]> : tensor<2xi64>
// CHECK-NEXT:    %y = dfg.reshape %x, %c : (tensor<1x64x1x1xf32>, tensor<2xi64>) -> tensor<1x64xf32>
// CHECK-NEXT:    func.return %y : tensor<1x64xf32>

// -----

// Shape of a statically shaped tensor is a constant, with start and end.

// CHECK-LABEL: func.func @shape
func.func @shape(%x: tensor<2x3x4x5xf32>) -> (tensor<4xi64>, tensor<2xi64>, tensor<1xi64>) {
  %all = dfg.shape %x : (tensor<2x3x4x5xf32>) -> tensor<4xi64>
  %mid = dfg.shape %x {start = 1 : i64, end = -1 : i64} : (tensor<2x3x4x5xf32>) -> tensor<2xi64>
  %last = dfg.shape %x {start = -1 : i64} : (tensor<2x3x4x5xf32>) -> tensor<1xi64>
  func.return %all, %mid, %last : tensor<4xi64>, tensor<2xi64>, tensor<1xi64>
}
// CHECK-NEXT:    %all = dfg.constant dense<[2, 3, 4, 5]> : tensor<4xi64>
// CHECK-NEXT:    %mid = dfg.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-NEXT:    %last = dfg.constant dense<5> : tensor<1xi64>
// CHECK-NEXT:    func.return %all, %mid, %last

// -----

// ConstantOfShape is a splat constant, stored as one element whatever its size.

// CHECK-LABEL: func.func @constant_of_shape
func.func @constant_of_shape() -> (tensor<4096x9216xf32>, tensor<2x2xf32>) {
  %shape = dfg.constant dense<[4096, 9216]> : tensor<2xi64>
  %w = dfg.constant_of_shape %shape {value = dense<0.02> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<4096x9216xf32>
  %small = dfg.constant dense<2> : tensor<2xi64>
  %zero = dfg.constant_of_shape %small : (tensor<2xi64>) -> tensor<2x2xf32>
  func.return %w, %zero : tensor<4096x9216xf32>, tensor<2x2xf32>
}
// CHECK-NEXT:    %w = dfg.constant dense<2.000000e-02> : tensor<4096x9216xf32>
// CHECK-NEXT:    %zero = dfg.constant dense<0.000000e+00> : tensor<2x2xf32>

// -----

// Reshape, Unsqueeze, Squeeze, Flatten and Transpose of constants fold; a splat
// stays a splat.

// CHECK-LABEL: func.func @layout_of_constants
func.func @layout_of_constants() -> (tensor<3x2xi64>, tensor<1x6xi64>, tensor<6xi64>, tensor<2x3xi64>, tensor<64x1x1xf32>) {
  %c = dfg.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %shape = dfg.constant dense<[3, 2]> : tensor<2xi64>
  %r = dfg.reshape %c, %shape : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<3x2xi64>
  %axes = dfg.constant dense<0> : tensor<1xi64>
  %f = dfg.flatten %c {axis = 0 : i64} : (tensor<2x3xi64>) -> tensor<1x6xi64>
  %s = dfg.squeeze %f, %axes : (tensor<1x6xi64>, tensor<1xi64>) -> tensor<6xi64>
  %t = dfg.transpose %r : (tensor<3x2xi64>) -> tensor<2x3xi64>
  %w = dfg.constant dense<0.5> : tensor<64xf32>
  %unsq = dfg.constant dense<[1, 2]> : tensor<2xi64>
  %u = dfg.unsqueeze %w, %unsq : (tensor<64xf32>, tensor<2xi64>) -> tensor<64x1x1xf32>
  func.return %r, %f, %s, %t, %u : tensor<3x2xi64>, tensor<1x6xi64>, tensor<6xi64>, tensor<2x3xi64>, tensor<64x1x1xf32>
}
// CHECK-DAG:     %r = dfg.constant dense<{{\[}}[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi64>
// CHECK-DAG:     %f = dfg.constant dense<{{\[}}[1, 2, 3, 4, 5, 6]]> : tensor<1x6xi64>
// CHECK-DAG:     %s = dfg.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi64>
// CHECK-DAG:     %t = dfg.constant dense<{{\[}}[1, 3, 5], [2, 4, 6]]> : tensor<2x3xi64>
// CHECK-DAG:     %u = dfg.constant dense<5.000000e-01> : tensor<64x1x1xf32>
// CHECK-NOT:     dfg.reshape
// CHECK-NOT:     dfg.transpose

// -----

// Gather, Concat, Slice and integer Cast of small integer constants fold.

// CHECK-LABEL: func.func @integer_shapes
func.func @integer_shapes() -> (tensor<2xi64>, tensor<5xi64>, tensor<2xi64>, tensor<3xi32>) {
  %dims = dfg.constant dense<[1, 64, 7, 7]> : tensor<4xi64>
  %idx = dfg.constant dense<[-1, 1]> : tensor<2xi64>
  %g = dfg.gather %dims, %idx : (tensor<4xi64>, tensor<2xi64>) -> tensor<2xi64>
  %one = dfg.constant dense<-1> : tensor<1xi64>
  %c = dfg.concat %dims, %one {axis = 0 : i64} : (tensor<4xi64>, tensor<1xi64>) -> tensor<5xi64>
  %starts = dfg.constant dense<-1> : tensor<1xi64>
  %ends = dfg.constant dense<-9223372036854775807> : tensor<1xi64>
  %steps = dfg.constant dense<-2> : tensor<1xi64>
  %axes = dfg.constant dense<0> : tensor<1xi64>
  %sl = dfg.slice %dims, %starts, %ends, %axes, %steps : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %three = dfg.constant dense<[1, 2, 3]> : tensor<3xi64>
  %cast = dfg.cast %three {to = 6 : i64} : (tensor<3xi64>) -> tensor<3xi32>
  func.return %g, %c, %sl, %cast : tensor<2xi64>, tensor<5xi64>, tensor<2xi64>, tensor<3xi32>
}
// CHECK-DAG:     %g = dfg.constant dense<[7, 64]> : tensor<2xi64>
// CHECK-DAG:     %c = dfg.constant dense<[1, 64, 7, 7, -1]> : tensor<5xi64>
// CHECK-DAG:     %sl = dfg.constant dense<[7, 64]> : tensor<2xi64>
// CHECK-DAG:     %cast = dfg.constant dense<[1, 2, 3]> : tensor<3xi32>

// -----

// Float ops on constants fold through the kernel table.

// CHECK-LABEL: func.func @float_fold
func.func @float_fold() -> (tensor<2xf32>, tensor<2xf16>) {
  %a = dfg.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %b = dfg.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %sum = dfg.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %root = dfg.sqrt %sum : (tensor<2xf32>) -> tensor<2xf32>
  %half = dfg.cast %a {to = 10 : i64} : (tensor<2xf32>) -> tensor<2xf16>
  func.return %root, %half : tensor<2xf32>, tensor<2xf16>
}
// CHECK-NEXT:    %root = dfg.constant dense<[1.224744{{[0-9]*}}, 2.061552{{[0-9]*}}]> : tensor<2xf32>
// CHECK-NEXT:    %half = dfg.constant dense<[1.000000e+00, 4.000000e+00]> : tensor<2xf16>
// CHECK-NEXT:    func.return %root, %half

// -----

// Ops on values that are not constants stay.

// CHECK-LABEL: func.func @not_constant
func.func @not_constant(%x: tensor<4xi64>) -> (tensor<5xi64>, tensor<2xi64>) {
  %one = dfg.constant dense<-1> : tensor<1xi64>
  %c = dfg.concat %x, %one {axis = 0 : i64} : (tensor<4xi64>, tensor<1xi64>) -> tensor<5xi64>
  %idx = dfg.constant dense<[0, 1]> : tensor<2xi64>
  %g = dfg.gather %x, %idx : (tensor<4xi64>, tensor<2xi64>) -> tensor<2xi64>
  func.return %c, %g : tensor<5xi64>, tensor<2xi64>
}
// CHECK:         %c = dfg.concat %x, %one
// CHECK:         %g = dfg.gather %x, %idx
