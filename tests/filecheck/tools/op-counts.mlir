// RUN: ramiel-opt %s -p cleanup --op-counts 2>&1 >/dev/null | filecheck %s
// RUN: ramiel-opt %s -p dce,canonicalize,dce --pass-statistics 2>&1 >/dev/null | filecheck %s --check-prefix=STATS
// RUN: ramiel-opt %s -p dce --op-counts --pass-statistics | filecheck %s --check-prefix=IR
// RUN: ramiel-opt %s 2>&1 >/dev/null | filecheck %s --allow-empty --check-prefix=QUIET

// `--op-counts` prints on stderr, as onnx-simplifier does, how many ops of each
// kind the input and the output hold; `-` is none. The clean-up removes the
// Identity and Dropout and the unused Exp, and folds the constant Add into one
// constant, which leaves the two it read unused.

// CHECK:      op            before  after
// CHECK-NEXT: dfg.add            2      1
// CHECK-NEXT: dfg.constant       2      1
// CHECK-NEXT: dfg.dropout        1      -
// CHECK-NEXT: dfg.exp            1      -
// CHECK-NEXT: dfg.identity       1      -
// CHECK-NEXT: dfg.relu           1      1
// CHECK-NEXT: total              8      3

// `--pass-statistics` prints one line per pass, then the counts it changed; a
// pass that changes none has its line only.

// STATS:      dce: 8 -> 7 ops, {{[0-9.]+}} s
// STATS-NEXT:   dfg.exp  1  ->  0
// STATS-NEXT: canonicalize: 7 -> 3 ops, {{[0-9.]+}} s
// STATS-NEXT:   dfg.add       2  ->  1
// STATS-NEXT:   dfg.constant  2  ->  1
// STATS-NEXT:   dfg.dropout   1  ->  0
// STATS-NEXT:   dfg.identity  1  ->  0
// STATS-NEXT: dce: 3 -> 3 ops, {{[0-9.]+}} s
// STATS-NOT:  {{.}}

// Neither reaches standard output, which stays the IR; without them, nothing is printed.

// IR:     func.func @main
// IR-NOT: before
// IR-NOT: ops,

// QUIET-NOT: {{.}}

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = dfg.constant dense<1.0> : tensor<4xf32>
  %b = dfg.constant dense<2.0> : tensor<4xf32>
  %c = dfg.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %i = dfg.identity %x : (tensor<4xf32>) -> tensor<4xf32>
  %d = dfg.dropout %i : (tensor<4xf32>) -> tensor<4xf32>
  %unused = dfg.exp %d : (tensor<4xf32>) -> tensor<4xf32>
  %r = dfg.relu %d : (tensor<4xf32>) -> tensor<4xf32>
  %y = dfg.add %r, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
