// RUN: ramiel-opt %s -p convert-dfg-to-pyemit -t python | filecheck %s
// RUN: ramiel-opt %s -p 'cleanup,cluster-cp,merge-clusters{workers=2},write-in-place,outline-streams,convert-dfg-to-pyemit' -t python | filecheck %s --check-prefix=SCHEDULED

// Sizes that the values decide (`?`): the kernels read them when they run. NonZero
// finds the positive elements, Reshape works out its -1 for however many there
// are (the `onnx_reshape` helper: torch refuses -1 for no elements), Shape reads
// the run's shape, TopK its K, Range its count; nothing checks a size it cannot
// know. On two streams, Range runs beside the rest.

func.func @main(%x: tensor<3x4xf32> {dfg.name = "x"}, %n: tensor<i64> {dfg.name = "n"}) -> (tensor<?x2xf32> {dfg.name = "y"}, tensor<?xi64> {dfg.name = "r"}, tensor<?xf32> {dfg.name = "top"}) {
  %zero = dfg.constant dense<0.0> : tensor<f32>
  %shape = dfg.constant dense<[-1, 2]> : tensor<2xi64>
  %start = dfg.constant dense<0> : tensor<i64>
  %one = dfg.constant dense<1> : tensor<i64>
  %k = dfg.constant dense<[3]> : tensor<1xi64>
  %mask = dfg.greater %x, %zero : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xi1>
  %where = dfg.non_zero %mask : (tensor<3x4xi1>) -> tensor<2x?xi64>
  %t = dfg.transpose %where : (tensor<2x?xi64>) -> tensor<?x2xi64>
  %picked = dfg.gather_nd %x, %t : (tensor<3x4xf32>, tensor<?x2xi64>) -> tensor<?xf32>
  %pairs = dfg.reshape %picked, %shape : (tensor<?xf32>, tensor<2xi64>) -> tensor<?x2xf32>
  %size = dfg.shape %picked : (tensor<?xf32>) -> tensor<1xi64>
  %few = dfg.min %size, %k : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %top, %at = dfg.top_k %picked, %few : (tensor<?xf32>, tensor<1xi64>) -> (tensor<?xf32>, tensor<?xi64>)
  %r = dfg.range %start, %n, %one : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  func.return %pairs, %r, %top : tensor<?x2xf32>, tensor<?xi64>, tensor<?xf32>
}

// CHECK:      mask = x > w["zero"]
// CHECK-NEXT: where = torch.nonzero(mask).t()
// CHECK-NEXT: t = where.permute(1, 0)
// CHECK-NEXT: picked = x[t[..., 0], t[..., 1]]
// CHECK-NEXT: pairs = onnx_reshape(picked, w["shape"], False)
// CHECK-NEXT: size = torch.tensor(picked.shape, dtype=torch.int64)
// CHECK-NEXT: few = torch.minimum(size, w["k"])
// CHECK-NEXT: top, _ = onnx_top_k(picked, int(few), 0, True)
// CHECK-NEXT: r = onnx_range(w["start"], n, w["one"])
// CHECK-NEXT: return pairs, r, top

// SCHEDULED:      def _stream_0(self, call: _StreamCall) -> None:
// SCHEDULED:        where = torch.nonzero(mask).t()
// SCHEDULED:        pairs = onnx_reshape(picked, w["shape"], False)
// SCHEDULED:      def _stream_1(self, call: _StreamCall) -> None:
// SCHEDULED:        r = onnx_range(w["start"], n, w["one"])
// SCHEDULED-NEXT:   call.output(1, r)
