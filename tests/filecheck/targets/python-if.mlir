// RUN: ramiel-opt %s -p convert-dfg-to-pyemit | filecheck %s --check-prefix=PYEMIT
// RUN: ramiel-opt %s -p convert-dfg-to-pyemit --print-op-generic | ramiel-opt | filecheck %s --check-prefix=PYEMIT
// RUN: ramiel-opt %s -p convert-dfg-to-pyemit -t python | filecheck %s

// An If becomes a Python if statement: each branch ends by assigning the If's
// results, reads the captured values under their own names and the weights
// directly; a constant in a branch becomes a weight.

func.func @main(%c: tensor<i1> {dfg.name = "c"}, %x: tensor<1x4xf32> {dfg.name = "x"}) -> (tensor<1x4xf32> {dfg.name = "y"}) {
  %w = dfg.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = dfg.if %c, captures(%x) : (tensor<i1>, tensor<1x4xf32>) -> tensor<1x4xf32> then {
  ^bb0(%a: tensor<1x4xf32>):
    %r = dfg.relu %a : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %s = dfg.mul %r, %w : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
    dfg.yield %s : tensor<1x4xf32>
  } else {
  ^bb0(%b: tensor<1x4xf32>):
    %half = dfg.constant dense<0.5> : tensor<4xf32>
    %m = dfg.add %b, %half : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
    dfg.yield %m : tensor<1x4xf32>
  }
  func.return %y : tensor<1x4xf32>
}

// PYEMIT:      %w = pyemit.weight "w" = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// PYEMIT-NEXT: %half = pyemit.weight "half_" = dense<5.000000e-01> : tensor<4xf32>
// PYEMIT:      %y = pyemit.if %c, captures(%x) : (tensor<i1>, tensor<1x4xf32>) -> tensor<1x4xf32> then {
// PYEMIT-NEXT: ^bb0(%a: tensor<1x4xf32>):
// PYEMIT-NEXT:   %r = pyemit.call "torch.relu({0})"(%a)
// PYEMIT-NEXT:   %s = pyemit.call "{0} * {1}"(%r, %w)
// PYEMIT-NEXT:   pyemit.yield %s : tensor<1x4xf32>
// PYEMIT-NEXT: } else {
// PYEMIT-NEXT: ^bb0(%b: tensor<1x4xf32>):
// PYEMIT-NEXT:   %m = pyemit.call "{0} + {1}"(%b, %half)
// PYEMIT-NEXT:   pyemit.yield %m : tensor<1x4xf32>
// PYEMIT-NEXT: }
// PYEMIT-NEXT: streams.output %y {index = 0}

// CHECK:      c = inputs[0]
// CHECK-NEXT: x = inputs[1]
// CHECK-NEXT: if c:
// CHECK-NEXT:     r = torch.relu(x)
// CHECK-NEXT:     s = r * w["w"]
// CHECK-NEXT:     y = s
// CHECK-NEXT: else:
// CHECK-NEXT:     m = x + w["half_"]
// CHECK-NEXT:     y = m
// CHECK-NEXT: return y
