// RUN: ramiel-opt %s --split-input-file -p convert-dfg-to-pyemit | filecheck %s --check-prefix=PYEMIT
// RUN: ramiel-opt %s --split-input-file -p convert-dfg-to-pyemit --print-op-generic | ramiel-opt --split-input-file | filecheck %s --check-prefix=PYEMIT
// RUN: ramiel-opt %s --split-input-file -p convert-dfg-to-pyemit -t python | filecheck %s

// A loop becomes a Python for loop over the trip count (a while loop without
// one): the carried values live under the names of the loop's results, a
// condition is checked before every iteration, the iteration number becomes a
// tensor only where the body reads it, and each scan output stacks the slices
// collected in a list, appended before the carried values change; a value
// the body passes on unchanged is not assigned.

func.func @main(%m: tensor<i64> {dfg.name = "m"}, %c: tensor<i1> {dfg.name = "c"}, %x: tensor<2xf32> {dfg.name = "x"}) -> (tensor<2xf32> {dfg.name = "v"}, tensor<3x2xf32> {dfg.name = "s"}) {
  %v, %s = dfg.loop trips(%m) while(%c) carried(%x) : (tensor<i64>, tensor<i1>, tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) body {
  ^bb0(%i: tensor<i64>, %go: tensor<i1>, %v_in: tensor<2xf32>):
    %f = dfg.cast %i {to = 1 : i64} : (tensor<i64>) -> tensor<f32>
    %n = dfg.add %v_in, %f : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
    dfg.yield %go, %n, %v_in : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }
  func.return %v, %s : tensor<2xf32>, tensor<3x2xf32>
}

// PYEMIT:      %v, %s = pyemit.loop trips(%m) while(%c) carried(%x) : (tensor<i64>, tensor<i1>, tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) body {
// PYEMIT-NEXT: ^bb0(%i: tensor<i64>, %go: tensor<i1>, %v_in: tensor<2xf32>):
// PYEMIT-NEXT:   %f = pyemit.call "{0}.to(torch.float32)"(%i)
// PYEMIT-NEXT:   %n = pyemit.call "{0} + {1}"(%v_in, %f)
// PYEMIT-NEXT:   pyemit.yield %go, %n, %v_in : tensor<i1>, tensor<2xf32>, tensor<2xf32>
// PYEMIT-NEXT: }

// CHECK:      m = inputs[0]
// CHECK-NEXT: c = inputs[1]
// CHECK-NEXT: x = inputs[2]
// CHECK-NEXT: v = x
// CHECK-NEXT: go = c
// CHECK-NEXT: s_slices = []
// CHECK-NEXT: for step in range(int(m)):
// CHECK-NEXT:     if not go:
// CHECK-NEXT:         break
// CHECK-NEXT:     i = torch.tensor(step)
// CHECK-NEXT:     f = i.to(torch.float32)
// CHECK-NEXT:     n = v + f
// CHECK-NEXT:     s_slices.append(v)
// CHECK-NEXT:     v = n
// CHECK-NEXT: s = torch.stack(s_slices)
// CHECK-NEXT: return v, s

// -----

// Without a trip count the loop runs while its condition holds; a body that
// does not read the iteration number counts nothing.

func.func @main(%c: tensor<i1> {dfg.name = "c"}, %x: tensor<2xf32> {dfg.name = "x"}) -> (tensor<2xf32> {dfg.name = "v"}) {
  %limit = dfg.constant dense<10.0> : tensor<f32>
  %v = dfg.loop while(%c) carried(%x) : (tensor<i1>, tensor<2xf32>) -> tensor<2xf32> body {
  ^bb0(%i: tensor<i64>, %go: tensor<i1>, %v_in: tensor<2xf32>):
    %n = dfg.add %v_in, %v_in : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %t = dfg.reduce_sum %n {keepdims = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
    %more = dfg.less %t, %limit : (tensor<f32>, tensor<f32>) -> tensor<i1>
    dfg.yield %more, %n : tensor<i1>, tensor<2xf32>
  }
  func.return %v : tensor<2xf32>
}

// CHECK:      v = x
// CHECK-NEXT: go = c
// CHECK-NEXT: while go:
// CHECK-NEXT:     n = v + v
// CHECK-NEXT:     t = n.sum(dim=(0,))
// CHECK-NEXT:     more = t < w["limit"]
// CHECK-NEXT:     go, v = more, n
// CHECK-NEXT: return v
