// RUN: ramiel-opt %s | filecheck %s
// RUN: ramiel-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ramiel-opt %s --print-op-generic | ramiel-opt | filecheck %s

// The sequence ops over `!dfg.sequence` values: a sequence's element type says the
// sizes its tensors share, `?` the others, `*` a rank it does not know. The module
// must print back as written, also after a trip through the generic form.

// CHECK-LABEL: func.func @sequences
// GENERIC-LABEL: "func.func"() <{sym_name = "sequences"
func.func @sequences(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %i: tensor<i64>, %given: !dfg.sequence<tensor<*xf32>>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<i64>, tensor<2x?x3xf32>, !dfg.sequence<tensor<*xf32>>) {
  // CHECK-NEXT: %sizes = dfg.constant dense<[1, 3]> : tensor<2xi64>
  // CHECK-NEXT: %s = dfg.sequence_construct %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> !dfg.sequence<tensor<?x3xf32>>
  // CHECK-NEXT: %t = dfg.sequence_at %s, %i : (!dfg.sequence<tensor<?x3xf32>>, tensor<i64>) -> tensor<?x3xf32>
  // CHECK-NEXT: %u = dfg.sequence_insert %s, %a, %i : (!dfg.sequence<tensor<?x3xf32>>, tensor<2x3xf32>, tensor<i64>) -> !dfg.sequence<tensor<?x3xf32>>
  // CHECK-NEXT: %v = dfg.sequence_erase %u : (!dfg.sequence<tensor<?x3xf32>>) -> !dfg.sequence<tensor<?x3xf32>>
  // CHECK-NEXT: %c = dfg.concat_from_sequence %v {axis = 0 : i64} : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<?x3xf32>
  // CHECK-NEXT: %n = dfg.sequence_length %u : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<i64>
  // CHECK-NEXT: %pieces = dfg.split_to_sequence %b, %sizes : (tensor<4x3xf32>, tensor<2xi64>) -> !dfg.sequence<tensor<?x3xf32>>
  // CHECK-NEXT: %two = dfg.sequence_construct %t, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> !dfg.sequence<tensor<?x3xf32>>
  // CHECK-NEXT: %stacked = dfg.concat_from_sequence %two {axis = 0 : i64, new_axis = 1 : i64} : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<2x?x3xf32>
  // CHECK-NEXT: %more = dfg.sequence_insert %given, %a : (!dfg.sequence<tensor<*xf32>>, tensor<2x3xf32>) -> !dfg.sequence<tensor<*xf32>>
  // CHECK-NEXT: %none = dfg.sequence_empty {dtype = 7 : i64} : () -> !dfg.sequence<tensor<*xi64>>
  // GENERIC: %s = "dfg.sequence_construct"(%a, %b) : (tensor<2x3xf32>, tensor<4x3xf32>) -> !dfg.sequence<tensor<?x3xf32>>
  %sizes = dfg.constant dense<[1, 3]> : tensor<2xi64>
  %s = dfg.sequence_construct %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> !dfg.sequence<tensor<?x3xf32>>
  %t = dfg.sequence_at %s, %i : (!dfg.sequence<tensor<?x3xf32>>, tensor<i64>) -> tensor<?x3xf32>
  %u = dfg.sequence_insert %s, %a, %i : (!dfg.sequence<tensor<?x3xf32>>, tensor<2x3xf32>, tensor<i64>) -> !dfg.sequence<tensor<?x3xf32>>
  %v = dfg.sequence_erase %u : (!dfg.sequence<tensor<?x3xf32>>) -> !dfg.sequence<tensor<?x3xf32>>
  %c = dfg.concat_from_sequence %v {axis = 0 : i64} : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<?x3xf32>
  %n = dfg.sequence_length %u : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<i64>
  %pieces = dfg.split_to_sequence %b, %sizes : (tensor<4x3xf32>, tensor<2xi64>) -> !dfg.sequence<tensor<?x3xf32>>
  %two = dfg.sequence_construct %t, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> !dfg.sequence<tensor<?x3xf32>>
  %stacked = dfg.concat_from_sequence %two {axis = 0 : i64, new_axis = 1 : i64} : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<2x?x3xf32>
  %more = dfg.sequence_insert %given, %a : (!dfg.sequence<tensor<*xf32>>, tensor<2x3xf32>) -> !dfg.sequence<tensor<*xf32>>
  %none = dfg.sequence_empty {dtype = 7 : i64} : () -> !dfg.sequence<tensor<*xi64>>
  func.return %t, %c, %n, %stacked, %more : tensor<?x3xf32>, tensor<?x3xf32>, tensor<i64>, tensor<2x?x3xf32>, !dfg.sequence<tensor<*xf32>>
}
