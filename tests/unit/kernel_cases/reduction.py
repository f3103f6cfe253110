"""Kernel cases of the reduction operators."""

import numpy as np

from tests.unit.kernel_cases.core import both, case, i64, rand

both("ReduceMean", rand(2, 3, 4), i64(1, 2), const=(1,))
both("ReduceMean", rand(2, 3, 4), i64(-1), const=(1,), keepdims=0)
case("ReduceMean", rand(2, 3, 4))
case("ReduceMean", rand(2, 3, 4), keepdims=0)
both("ReduceSum", rand(2, 3, 4), i64(0), const=(1,))
both("ReduceSum", rand(2, 3, 4, dtype=np.int64, low=-9, high=9), i64(0, 2), const=(1,), keepdims=0)
case("ReduceSum", rand(2, 3, 4), np.zeros(0, dtype=np.int64), const=(1,), noop_with_empty_axes=1)
case("ReduceSum", rand(2, 1, 4), i64(1), keepdims=1)
case("ReduceSum", rand(2, 3), np.zeros(0, dtype=np.int64), keepdims=0, noop_with_empty_axes=1)
case("ReduceMax", rand(2, 3), np.zeros(0, dtype=np.int64), keepdims=0)
both("ReduceMax", rand(2, 3, 4), i64(1), const=(1,))
case("ReduceMax", rand(2, 3, 4), keepdims=0)
case("ReduceMax", rand(2, 3, 4, dtype=np.int32, low=-9, high=9), i64(-1), const=(1,))
case("ArgMax", rand(3, 4, 5))
case("ArgMax", rand(3, 4, 5), axis=-1, keepdims=0)
case("ArgMax", np.round(rand(3, 6)), axis=1, select_last_index=1)
case("ArgMax", rand(4, 5, dtype=np.int64, low=0, high=3), axis=1, select_last_index=1, keepdims=0)

_EMPTY_AXES = np.zeros(0, dtype=np.int64)
_NEW_REDUCTIONS = (
    "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"
)
for op in _NEW_REDUCTIONS:
    # Positive values, so that the logarithm of sums is defined.
    low = 0.1 if op == "ReduceLogSum" else -2.0
    both(op, rand(2, 3, 4, low=low), i64(0, 2), const=(1,))
    # Shape 3x2x2 to 3x2 does not tell which axis went: the runtime axes must.
    both(op, rand(3, 2, 2, low=low), i64(-2), const=(1,), keepdims=0)
    case(op, rand(2, 3, low=low))
    case(op, rand(2, 3, low=low), i64(1, 0), keepdims=0)
    # ONNX still applies the steps before and after the reduction (abs, square, sqrt, log).
    case(op, rand(2, 3, low=low), _EMPTY_AXES, const=(1,), noop_with_empty_axes=1)
    case(op, rand(2, 3, low=low), _EMPTY_AXES, noop_with_empty_axes=1)
    case(op, rand(2, 0, 3), i64(1), const=(1,), keepdims=0)
case("ReduceLogSumExp", rand(2, 3, low=80, high=100), i64(1), const=(1,))
case("ReduceLogSumExp", rand(2, 5, dtype=np.float64), i64(1), const=(1,), keepdims=0)
case("ReduceL2", rand(2, 5, dtype=np.float16), i64(1), const=(1,))

# Integer and boolean reductions keep their type; integer means and square roots truncate.
for op in ("ReduceSum", "ReduceProd", "ReduceL1", "ReduceSumSquare", "ReduceMax", "ReduceMin"):
    case(op, rand(3, 4, dtype=np.int32, low=-5, high=5), i64(1), const=(1,), keepdims=0)
for op in ("ReduceMean", "ReduceL2"):
    both(op, rand(3, 4, dtype=np.int32, low=-9, high=9), i64(1), const=(1,))
    case(op, rand(3, 4, dtype=np.int64, low=-9, high=9), i64(0, 1), const=(1,), keepdims=0)
case("ReduceMin", rand(2, 0, 3, dtype=np.int64), i64(1), const=(1,))
case("ReduceMin", rand(3, 4, dtype=np.int8, low=-9, high=9), i64(0), const=(1,))
case("ReduceMax", rand(3, 4, dtype=np.uint8, low=0, high=200), i64(1), const=(1,))
case("ReduceMin", rand(3, 4) > 0, i64(1), const=(1,), keepdims=0)
case("ReduceMax", rand(3, 4) > 0, i64(0, 1), const=(1,))
# Small integers in float16, so that every sum is exact whatever order adds it.
case("ReduceSum", np.round(rand(4, 6, dtype=np.float16)), i64(1), const=(1,))
case("ReduceMean", rand(4, 6, dtype=np.float64), i64(0), const=(1,), keepdims=0)
case("ReduceProd", rand(2, 3, 4), i64(2, 0), const=(1,), keepdims=0)

case("ArgMin", rand(3, 4, 5))
case("ArgMin", rand(3, 4, 5), axis=-1, keepdims=0)
case("ArgMin", np.round(rand(3, 6)), axis=1, select_last_index=1)
case("ArgMin", rand(4, 5, dtype=np.int32, low=0, high=3), axis=0, select_last_index=1, keepdims=0)

case("Hardmax", rand(3, 4, 5))
case("Hardmax", rand(3, 4, 5), axis=0)
# Ties: the first maximum wins (onnxruntime has no float64 Hardmax).
case("Hardmax", np.round(rand(4, 6)), axis=1)
case("Hardmax", np.round(rand(4, 6, dtype=np.float64)), axis=0, reference="onnx")

both("TopK", rand(3, 6), i64(3), const=(1,), outputs=2)
both("TopK", rand(3, 6), i64(2), const=(1,), outputs=2, largest=0)
case("TopK", rand(5, 3), i64(5), outputs=2, axis=0)
# Ties: the lower index comes first, largest or smallest.
case("TopK", np.round(rand(4, 8)), i64(5), outputs=2)
case("TopK", np.round(rand(4, 8, dtype=np.float16)), i64(6), outputs=2, largest=0, axis=-1)
case("TopK", rand(2, 7, dtype=np.int32, low=0, high=4), i64(4), outputs=2, axis=1)
case("TopK", rand(9, dtype=np.int64, low=0, high=4), i64(3), outputs=2)
# Unsorted results may come in any order (onnxruntime's differs); ours are sorted.
_UNSORTED = np.array([[1.0, 5.0, 3.0, 5.0, 2.0, 9.0]], dtype=np.float32)
case(
    "TopK",
    _UNSORTED,
    i64(3),
    outputs=2,
    sorted=0,
    reference=(np.array([[9.0, 5.0, 5.0]], dtype=np.float32), np.array([[5, 1, 3]], dtype=np.int64)),
)

for attrs in ({}, {"exclusive": 1}, {"reverse": 1}, {"exclusive": 1, "reverse": 1}):
    both("CumSum", rand(3, 4), np.array(1, dtype=np.int64), const=(1,), **attrs)
    case("CumSum", rand(2, 3, 4, dtype=np.int32, low=-9, high=9), np.array(-3, dtype=np.int32), **attrs)
case("CumSum", rand(5, dtype=np.float64), i64(0), const=(1,), exclusive=1)
case("CumSum", np.round(rand(3, 5, dtype=np.float16)), np.array(0, dtype=np.int64), const=(1,), reverse=1)

# Factors near one keep products of many elements in range.
for attrs in ({}, {"exclusive": 1}, {"reverse": 1}, {"exclusive": 1, "reverse": 1}):
    both("CumProd", rand(3, 4, low=0.5, high=1.5), np.array(1, dtype=np.int64), const=(1,), **attrs)
    case("CumProd", rand(2, 3, 4, dtype=np.int32, low=-3, high=4), np.array(-3, dtype=np.int32), **attrs)
case("CumProd", rand(6, dtype=np.float64), i64(0), const=(1,), exclusive=1)
case("CumProd", rand(2, 5, dtype=np.int64, low=-9, high=9), i64(1), const=(1,), reverse=1)
# Small integers in float16 and bfloat16, whose products are exact.
case("CumProd", rand(3, 4, dtype=np.int8, low=-2, high=3).astype(np.float16), np.array(0, dtype=np.int64), const=(1,))
# torch has no unsigned running sums or products: the emulated ones wrap as the unsigned types do
# (onnxruntime has no unsigned CumSum).
_BIG_UINT32 = np.array([[4_000_000_000, 3, 2, 70_000], [1, 2**31, 2, 5]], dtype=np.uint32)
_BIG_UINT64 = np.array([[2**63 + 5, 3, 2**62, 7], [1, 2**40, 2**30, 9]], dtype=np.uint64)
for op, reference in (("CumSum", "onnx"), ("CumProd", "onnxruntime")):
    case(op, _BIG_UINT32, np.array(1, dtype=np.int64), const=(1,), reference=reference)
    case(op, _BIG_UINT64, np.array(1, dtype=np.int64), exclusive=1, reverse=1, reference=reference)

case("Einsum", rand(2, 3), rand(3, 4), equation="ij,jk->ik")
case("Einsum", rand(2, 3), equation="ij->ji")
case("Einsum", rand(4, 4), equation="ii")
case("Einsum", rand(4, 4), equation="ii->i")
case("Einsum", rand(2, 5, 2, 3), rand(2, 5, 3, 4), equation="...ij, ...jk -> ...ik")
case("Einsum", rand(3, 2, 4), rand(4, 3), equation="...ij,jk")
case("Einsum", rand(3), rand(4), rand(3, 4), equation="i,j,ij->")
case("Einsum", rand(2, 3), rand(3, 2), equation="Ab,bA")
case("Einsum", rand(3, 2, dtype=np.int64, high=9), rand(2, 4, dtype=np.int64, high=9), equation="ij,jk")
case("Einsum", rand(3, 4, dtype=np.float64), rand(3, dtype=np.float64), equation="ij,i->j")

_LABELS = np.array([2, 0, 4, 1, 2, 1], dtype=np.int64)
_WEIGHTS = rand(5, low=0.1, high=1.0)
for reduction in ("mean", "sum", "none"):
    case("NegativeLogLikelihoodLoss", rand(6, 5), _LABELS, reduction=reduction)
    case("NegativeLogLikelihoodLoss", rand(6, 5), _LABELS, _WEIGHTS, reduction=reduction, ignore_index=1)
    case("SoftmaxCrossEntropyLoss", rand(6, 5), _LABELS, reduction=reduction)
    case("SoftmaxCrossEntropyLoss", rand(6, 5), _LABELS, _WEIGHTS, outputs=2, reduction=reduction, ignore_index=2)
# More dims after the classes, int32 labels, a negative ignore_index among the labels.
_LABELS_3D = np.array([[[0, -1, 3], [2, 2, -1]], [[1, 0, 0], [3, -1, 1]]], dtype=np.int32)
case("NegativeLogLikelihoodLoss", rand(2, 4, 2, 3), _LABELS_3D, ignore_index=-1)
case("NegativeLogLikelihoodLoss", rand(2, 4, 3, dtype=np.float64), _LABELS_3D[:, 0].astype(np.int64).clip(0), reduction="sum")
case("SoftmaxCrossEntropyLoss", rand(2, 4, 2, 3), _LABELS_3D, rand(4), ignore_index=-1)
case("SoftmaxCrossEntropyLoss", rand(2, 4, 2, 3, dtype=np.float64), _LABELS_3D.clip(0), outputs=2, reduction="none")

# torch reduces, orders and multiplies no unsigned 32- or 64-bit tensors: int64 values or bits
# stand for them, the top bit flipped where order matters (ONNX's reference serves).
_U32 = rand(3, 4, dtype=np.int64, high=2**32).astype(np.uint32)
_U64_BIG = np.array([[2**64 - 1, 2**63, 5, 2**63 - 1], [3, 2**63 + 7, 0, 1], [9, 2**62, 2**64 - 2, 4]], dtype=np.uint64)
for op in ("ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSumSquare", "ReduceMean", "ReduceL1", "ReduceL2"):
    case(op, rand(3, 4, dtype=np.int64, high=60000).astype(np.uint32), i64(1), const=(1,), reference="onnx")
for op in ("ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSumSquare"):
    case(op, _U64_BIG, i64(0), const=(1,), keepdims=0, reference="onnx")
for op in ("ArgMax", "ArgMin"):
    case(op, _U64_BIG, axis=1, reference="onnx")
    case(op, _U32, axis=0, keepdims=0, select_last_index=1, reference="onnx")
case("TopK", _U64_BIG, i64(2), outputs=2, reference="onnx")
case("TopK", _U32, i64(2), outputs=2, axis=0, largest=0, reference="onnx")
case("Einsum", _U32, rand(4, 2, dtype=np.int64, high=2**32).astype(np.uint32), equation="ij,jk->ik", reference="onnx")
