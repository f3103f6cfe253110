"""Kernel cases of the gathering, scattering, masking and cropping operators (Slice, Gather and Pad are in `shape`)."""

import numpy as np

from tests.unit.kernel_cases.core import both, case, i64, rand, scalar


def _ints(*rows: list[int], dtype: type = np.int64) -> np.ndarray:
    return np.array(rows, dtype=dtype)


# Indices with negative values (counting from the end) and repeats.
both("GatherElements", rand(3, 4), _ints([0, -1, 2], [3, 3, -4], [1, 0, 0]), const=(1,), axis=1)
both("GatherElements", rand(3, 4), _ints([0, 2, 1, 1], [2, 1, 0, 0]), const=(1,))
case("GatherElements", rand(2, 3, 4, dtype=np.int64, high=9), _ints([[0, 2], [1, 1]], [[2, 0], [0, 1]], dtype=np.int32), axis=-1)
case("GatherElements", rand(3, 2) > 0, _ints([1, 0], [0, 0]), axis=0)

case("GatherND", rand(4, 5), _ints([1], [-1], [2]))
case("GatherND", rand(4, 5), _ints([0, 4], [-1, -2], [3, 1]))
case("GatherND", rand(2, 3, 4), _ints([[0, 1]], [[1, 2]]))
case("GatherND", rand(2, 3, 4), _ints([[1], [0]], [[2], [2]]), batch_dims=1)
case("GatherND", rand(2, 3, 4, dtype=np.int32, high=9), _ints([[0, 3], [2, 1]], [[1, 0], [0, -1]]), batch_dims=1)
case("GatherND", rand(2, 3, 4), np.array([[[1], [3]], [[0], [0]], [[2], [1]]] * 2, dtype=np.int64).reshape(2, 3, 2, 1), batch_dims=2)

_SCATTER = {"data": rand(3, 4), "indices": _ints([1, -1, 0], [0, 2, 3]), "updates": rand(2, 3)}
for reduction in ("none", "add", "mul", "max", "min"):
    both("ScatterElements", *_SCATTER.values(), const=(1,), axis=1, reduction=reduction)
# Repeated indices: the reductions combine every update with the data.
for reduction in ("add", "mul", "max", "min"):
    case("ScatterElements", rand(3, 4), _ints([1, 1, 1, 0], [1, 0, 2, 0]), rand(2, 4), reduction=reduction)
case("ScatterElements", rand(2, 5, dtype=np.int64, high=9), _ints([4], [0], dtype=np.int32), _ints([7], [8]), axis=-1)
case("ScatterElements", rand(4) > 0, i64(3, 0), np.array([True, False]))

for reduction in ("none", "add", "mul", "max", "min"):
    both("ScatterND", rand(4, 3), _ints([2], [-1]), rand(2, 3), const=(1,), reduction=reduction)
for reduction in ("add", "mul", "max", "min"):
    case("ScatterND", rand(4, 3), _ints([[1, 2], [1, 2]], [[0, 0], [1, 2]]), rand(2, 2), reduction=reduction)
case("ScatterND", rand(2, 3, 4, dtype=np.int32, high=9), _ints([1, 2]), rand(1, 4, dtype=np.int32, high=9))
case("ScatterND", rand(2, 3, 4), _ints([[1, -1, 0]]), rand(1, 1), reduction="max")

_ON_OFF = np.array([-1.0, 3.5], dtype=np.float32)
both("OneHot", i64(0, 2, -1, 5, -6), scalar(4, np.int64), _ON_OFF, const=(1,))
case("OneHot", _ints([1, 0], [3, -2]), scalar(5, np.int32), _ON_OFF, const=(1,), axis=0)
case("OneHot", _ints([1, 0], [3, -2]), scalar(5, np.int64), i64(0, 1), axis=1)
case("OneHot", np.array([1.7, -0.5, 2.2], dtype=np.float32), scalar(3.0), np.array([0.0, 1.0], dtype=np.float32))
# Neither onnxruntime nor ONNX's reference gives booleans: index 1, and -1 counting from the end, of depth 3.
_HOT = np.array([[False, True, False], [False, False, True]])
case("OneHot", i64(1, -1), scalar(3, np.int64), np.array([False, True]), const=(1,), reference=(_HOT,))

both("Trilu", rand(2, 4, 5), scalar(1, np.int64), const=(1,))
both("Trilu", rand(4, 5), scalar(-2, np.int64), const=(1,), upper=0)
case("Trilu", rand(5, 3))
case("Trilu", rand(3, 3, dtype=np.int32, high=9), upper=0)
case("Trilu", rand(3, 4) > 0, scalar(7, np.int64), const=(1,), upper=0)

case("ReverseSequence", rand(5, 3, 2), i64(5, 1, 3))
case("ReverseSequence", rand(3, 4, dtype=np.int64, high=9), i64(2, 4, 1), time_axis=1, batch_axis=0)

_CONDITION = np.array([True, False, True], dtype=np.bool_)
case("Compress", rand(3, 4), _CONDITION, const=(1,), axis=0)
case("Compress", rand(3, 4), np.array([False, True, True]), const=(1,), axis=-1)
case("Compress", rand(3, 4), _CONDITION, const=(1,))
case("Compress", rand(3, 4), np.zeros(2, dtype=np.bool_), const=(1,), axis=1)
case("Compress", rand(2, 40), np.arange(37) % 2 == 0, const=(1,), axis=1)

case("CenterCropPad", rand(6, 7, 3), i64(4, 10), const=(1,), axes=[0, 1])
case("CenterCropPad", rand(6, 7, 3), i64(9, 2, 3))
case("CenterCropPad", rand(2, 5, 5, dtype=np.int32, high=9), i64(3, 8), axes=[-1, -2])

# F.fold: two spatial axes with even pads; the helper: odd pads, three axes, a block known at run time, integers.
both("Col2Im", rand(1, 4, 9), i64(4, 4), i64(2, 2), const=(1, 2))
case("Col2Im", rand(2, 6, 8), i64(5, 6), i64(1, 3), const=(1, 2), strides=[2, 1], dilations=[1, 2], pads=[1, 0, 1, 0])
case("Col2Im", rand(1, 4, 20), i64(4, 5), i64(2, 2), const=(1, 2), pads=[1, 0, 0, 1])
# onnxruntime's Col2Im misplaces three-axis blocks whose dilations differ (ONNX's reference and a plain sum agree),
# and has no integer Col2Im.
case("Col2Im", rand(1, 16, 8), i64(3, 3, 3), i64(2, 2, 2), const=(1, 2), dilations=[1, 1, 2], pads=[0, 0, 1, 0, 0, 0], reference="onnx")
case("Col2Im", rand(1, 4, 9, dtype=np.int64, high=9), i64(4, 4), i64(2, 2), const=(1, 2), reference="onnx")

# Each batch entry's update goes in at its own write index; circular mode wraps past the end.
_CACHE = rand(3, 2, 6, 4)
both("TensorScatter", _CACHE, rand(3, 2, 2, 4), i64(0, 3, 4), const=(2,))
both("TensorScatter", _CACHE, rand(3, 2, 4, 4), i64(5, 2, 0), const=(2,), mode="circular")
case("TensorScatter", _CACHE, rand(3, 2, 6, 4))
case("TensorScatter", rand(2, 5, 3), rand(2, 2, 3), i64(1, 3), axis=1)
case("TensorScatter", rand(2, 3, 5, dtype=np.int32, high=9), rand(2, 3, 2, dtype=np.int32, high=9), i64(4, 0), axis=-1, mode="circular")
case("TensorScatter", rand(2, 4, 3, dtype=np.float16), rand(2, 1, 3, dtype=np.float16), i64(3, 1))
# torch moves no uint64 values by scatter: their bits move as int64 (onnxruntime has TensorScatter for floats alone).
_HIGH = np.array([2**64 - 1, 2**63, 7], dtype=np.uint64)
case("TensorScatter", np.tile(_HIGH, (2, 4, 1)), np.tile(_HIGH[::-1], (2, 2, 1)), i64(1, 2), reference="onnx")
case("TensorScatter", rand(2, 4, 3) > 0, rand(2, 2, 3) > 0, i64(3, 0), mode="circular", reference="onnx")

# torch gathers, scatters, reverses and triangles no uint16 to uint64 tensors: int64 ones
# stand for them, ordered alike for the max and min reductions (onnxruntime has few
# unsigned kernels, so ONNX's reference serves).
_U64 = np.array([[2**64 - 1, 2**63, 5, 2**63 - 1], [3, 2**63 + 7, 0, 1], [9, 2**62, 2**64 - 2, 4]], dtype=np.uint64)
_U64_UPDATES = np.array([[2**63 + 1, 6, 2**64 - 3], [2, 2**63, 8]], dtype=np.uint64)
case("GatherElements", rand(3, 4, dtype=np.int32, high=60000).astype(np.uint16), _ints([0, 2, 1, 1], [2, 1, 0, 0]), reference="onnx")
for reduction in ("none", "max", "min"):
    case("ScatterElements", _U64, _ints([1, -1, 0], [0, 2, 3]), _U64_UPDATES, axis=1, reduction=reduction, reference="onnx")
    case("ScatterND", _U64, _ints([2], [0]), _U64[:2][::-1].copy(), reduction=reduction, reference="onnx")
case("ScatterND", rand(4, 3, dtype=np.int64, high=2**32).astype(np.uint32), _ints([1], [1]), rand(2, 3, dtype=np.int64, high=2**32).astype(np.uint32), reduction="add", reference="onnx")
case("Trilu", _U64, scalar(1, np.int64), reference="onnx")
case("ReverseSequence", rand(4, 3, dtype=np.int64, high=2**32).astype(np.uint32), i64(4, 1, 3), reference="onnx")
case("Col2Im", rand(1, 4, 9, dtype=np.int32, high=1000).astype(np.uint32), i64(4, 4), i64(2, 2), const=(1, 2), reference="onnx")
