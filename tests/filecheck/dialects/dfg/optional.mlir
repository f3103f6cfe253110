// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s
// RUN: ramiel-opt %s -p convert-dfg-to-pyemit -t python | filecheck %s --check-prefix=PYTHON

// The optional ops over `!dfg.optional` values, which hold a tensor or a sequence, or
// nothing: None in the generated code. An empty Optional's type is its result type.

// CHECK-LABEL: func.func @main
// GENERIC-LABEL: "func.func"() <{sym_name = "main"
func.func @main(%x: tensor<5xf32> {dfg.name = "x"}) -> (tensor<5xf32> {dfg.name = "y"}, tensor<i1> {dfg.name = "full"}, tensor<i1> {dfg.name = "empty"}) {
  // CHECK-NEXT: %o = dfg.optional %x : (tensor<5xf32>) -> !dfg.optional<tensor<5xf32>>
  // CHECK-NEXT: %none = dfg.optional : () -> !dfg.optional<!dfg.sequence<tensor<5xf32>>>
  // CHECK-NEXT: %y = dfg.optional_get_element %o : (!dfg.optional<tensor<5xf32>>) -> tensor<5xf32>
  // CHECK-NEXT: %full = dfg.optional_has_element %o : (!dfg.optional<tensor<5xf32>>) -> tensor<i1>
  // CHECK-NEXT: %empty = dfg.optional_has_element %none : (!dfg.optional<!dfg.sequence<tensor<5xf32>>>) -> tensor<i1>
  // GENERIC: %none = "dfg.optional"() : () -> !dfg.optional<!dfg.sequence<tensor<5xf32>>>
  %o = dfg.optional %x : (tensor<5xf32>) -> !dfg.optional<tensor<5xf32>>
  %none = dfg.optional : () -> !dfg.optional<!dfg.sequence<tensor<5xf32>>>
  %y = dfg.optional_get_element %o : (!dfg.optional<tensor<5xf32>>) -> tensor<5xf32>
  %full = dfg.optional_has_element %o : (!dfg.optional<tensor<5xf32>>) -> tensor<i1>
  %empty = dfg.optional_has_element %none : (!dfg.optional<!dfg.sequence<tensor<5xf32>>>) -> tensor<i1>
  func.return %y, %full, %empty : tensor<5xf32>, tensor<i1>, tensor<i1>
}

// PYTHON:      o = x
// PYTHON-NEXT: none = None
// PYTHON-NEXT: y = o
// PYTHON-NEXT: full = torch.tensor(o is not None)
// PYTHON-NEXT: empty = torch.tensor(none is not None)
// PYTHON-NEXT: return y, full, empty
