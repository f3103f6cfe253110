// RUN: ramiel-opt %s --split-input-file --parsing-diagnostics | filecheck %s

// Attributes that xDSL cannot build: each is a diagnostic at the attribute.

builtin.module attributes {value = 100000000000000000000 : i64} {
}
// CHECK: invalid-attributes.mlir:5:36
// CHECK-NEXT: builtin.module attributes {value = 100000000000000000000 : i64} {
// CHECK-NEXT: ^^^^^^^^^^^^^^^^^^^^^^^^^^^
// CHECK-NEXT: invalid attribute: Integer value 100000000000000000000 is out of range for type i64

// -----

builtin.module attributes {value = 0 : i1000000000000000000000000000000} {
}
// CHECK: integer bitwidth is limited to 16777215 bits

// -----

%c = dfg.constant dense<1> : tensor<9223372036854775808xi64>
// CHECK: invalid attribute: cannot fit 'int' into an index-sized integer

// -----

// Wider than MLIR's limit: refused as the type is read, before xDSL computes
// its value range (seconds and a gigabyte for this one).
%c = dfg.constant dense<[0, 2]> : tensor<2xi2147483648>
// CHECK: invalid-attributes.mlir:[[# @LINE - 1]]:44
// CHECK: integer bitwidth is limited to 16777215 bits

// -----

%c = dfg.constant dense<[0, 2]> : tensor<2xui16777215>
// CHECK: invalid attribute: Format not implemented for ui16777215

// -----

%c = dfg.constant dense<[2, 0]> : tensor<2xi1>
// CHECK: invalid attribute: Integer value 2 is out of range for type i1
