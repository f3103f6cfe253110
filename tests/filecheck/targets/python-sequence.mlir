// RUN: ramiel-opt %s -p convert-dfg-to-pyemit -t python | filecheck %s

// Sequences are Python lists: SplitToSequence splits into a list, SequenceAt
// indexes it, SequenceErase and SequenceInsert make new lists (ONNX's sequences are
// values), ConcatFromSequence concatenates. A sequence input is a list of tensors
// of any shapes, which `_INPUTS` marks with None for its shape.

func.func @main(%x: tensor<6x3xf32> {dfg.name = "x"}, %given: !dfg.sequence<tensor<*xf32>> {dfg.name = "given"}) -> (tensor<?x3xf32> {dfg.name = "joined"}, tensor<i64> {dfg.name = "count"}, !dfg.sequence<tensor<*xf32>> {dfg.name = "more"}) {
  %sizes = dfg.constant dense<[1, 2, 3]> : tensor<3xi64>
  %last = dfg.constant dense<-1> : tensor<i64>
  %pieces = dfg.split_to_sequence %x, %sizes : (tensor<6x3xf32>, tensor<3xi64>) -> !dfg.sequence<tensor<?x3xf32>>
  %tail = dfg.sequence_at %pieces, %last : (!dfg.sequence<tensor<?x3xf32>>, tensor<i64>) -> tensor<?x3xf32>
  %fewer = dfg.sequence_erase %pieces : (!dfg.sequence<tensor<?x3xf32>>) -> !dfg.sequence<tensor<?x3xf32>>
  %again = dfg.sequence_insert %fewer, %tail : (!dfg.sequence<tensor<?x3xf32>>, tensor<?x3xf32>) -> !dfg.sequence<tensor<?x3xf32>>
  %joined = dfg.concat_from_sequence %again {axis = 0 : i64} : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<?x3xf32>
  %count = dfg.sequence_length %again : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<i64>
  %more = dfg.sequence_insert %given, %x : (!dfg.sequence<tensor<*xf32>>, tensor<6x3xf32>) -> !dfg.sequence<tensor<*xf32>>
  func.return %joined, %count, %more : tensor<?x3xf32>, tensor<i64>, !dfg.sequence<tensor<*xf32>>
}

// CHECK:      # Inputs: x (6x3 float32), given (sequence of any shape float32)
// CHECK:      def sequence_insert(
// CHECK:      _INPUTS = (("x", (6, 3), torch.float32), ("given", None, torch.float32))
// CHECK:      pieces = list(torch.split(x, [1, 2, 3], 0))
// CHECK-NEXT: tail = pieces[-1]
// CHECK-NEXT: fewer = sequence_erase(pieces, None)
// CHECK-NEXT: again = sequence_insert(fewer, tail, None)
// CHECK-NEXT: joined = torch.cat(again, 0)
// CHECK-NEXT: count = torch.tensor(len(again), dtype=torch.int64)
// CHECK-NEXT: more = sequence_insert(given, x, None)
// CHECK-NEXT: return joined, count, more
