// RUN: ramiel-opt %s --split-input-file -p write-in-place | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p write-in-place,write-in-place | filecheck %s
// RUN: ramiel-opt %s --split-input-file -p write-in-place | ramiel-opt --split-input-file | filecheck %s
// RUN: not ramiel-opt %S/Inputs/no-function.mlir -p write-in-place 2>&1 | filecheck %s --check-prefix=NOFUNC

// NOFUNC: ramiel: error: expected one func.func in the module, found 0

// The Mul writes over %r, which a Relu allocated and nothing else reads; the
// Sigmoid then over the Mul's result, written in place over such a tensor; the Add
// over the convolution's. The Relu must not write over the graph input.

// CHECK-LABEL: func.func @main
// CHECK:         %r = dfg.relu %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %m = dfg.mul %r, %b {inplace} : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %s = dfg.sigmoid %m {inplace} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %c = dfg.conv %s, %w : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %y = dfg.add %c, %x {inplace} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
func.func @main(%x: tensor<1x4x8x8xf32> {dfg.name = "x"}) -> (tensor<1x4x8x8xf32> {dfg.name = "y"}) {
  %b = dfg.constant dense<2.0> : tensor<4x1x1xf32>
  %w = dfg.constant dense<1.0> : tensor<4x4x1x1xf32>
  %r = dfg.relu %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %m = dfg.mul %r, %b : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %s = dfg.sigmoid %m : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %c = dfg.conv %s, %w : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %y = dfg.add %c, %x : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}

// -----

// Nothing is written in place: over a constant; over %e, which two ops read; over
// %t, which is an output too; over %u, computed on another stream; over %v, a view
// of %n's storage; by Exp, which has no in-place kernel; and by Sub, whose result
// is bigger than its first input.

// CHECK-LABEL: func.func @main
// CHECK-NOT:     inplace
// CHECK:         func.return
func.func @main(%x: tensor<1x4xf32> {dfg.name = "x"}) -> (tensor<1x4xf32> {dfg.name = "a"}, tensor<1x4xf32> {dfg.name = "b"}, tensor<1x4xf32> {dfg.name = "b2"}, tensor<1x4xf32> {dfg.name = "t"}, tensor<1x4xf32> {dfg.name = "t2"}, tensor<1x4xf32> {dfg.name = "c"}, tensor<4xf32> {dfg.name = "d"}, tensor<1x4xf32> {dfg.name = "f"}, tensor<2x4xf32> {dfg.name = "g"}) {
  %k = dfg.constant dense<2.0> : tensor<1x4xf32>
  %shape = dfg.constant dense<[4]> : tensor<1xi64>
  %big = dfg.constant dense<1.0> : tensor<2x4xf32>
  %a = dfg.mul %k, %x {stream = 0 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %e = dfg.relu %x {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %b = dfg.add %e, %x {stream = 0 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %b2 = dfg.sigmoid %e {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %t = dfg.tanh %x {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %t2 = dfg.sigmoid %t {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %u = dfg.relu %x {stream = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %c = dfg.sigmoid %u {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %n = dfg.neg %x {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %v = dfg.reshape %n, %shape {stream = 0 : i64} : (tensor<1x4xf32>, tensor<1xi64>) -> tensor<4xf32>
  %d = dfg.relu %v {stream = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %h = dfg.relu %x {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %f = dfg.exp %h {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %i = dfg.relu %x {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %g = dfg.sub %i, %big {stream = 0 : i64} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return %a, %b, %b2, %t, %t2, %c, %d, %f, %g : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<4xf32>, tensor<1x4xf32>, tensor<2x4xf32>
}

// -----

// Sizes that the values decide may differ in a run where the types say `?` for
// both: %n and %m may be 1 and 5 long, so the Add does not write over %r.

// CHECK-LABEL: func.func @main
// CHECK-NOT:     inplace
// CHECK:         func.return
func.func @main(%n: tensor<?xf32> {dfg.name = "n"}, %m: tensor<?xf32> {dfg.name = "m"}) -> (tensor<?xf32> {dfg.name = "y"}) {
  %r = dfg.relu %n : (tensor<?xf32>) -> tensor<?xf32>
  %y = dfg.add %r, %m : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %y : tensor<?xf32>
}
