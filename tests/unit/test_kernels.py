"""The op-to-kernel table checked against onnxruntime on single-node ONNX graphs.

Each case is one node with seeded random inputs, run in onnxruntime (optimizations
off) at the op's newest opset; the kernel gets the same inputs, with the inputs in
`const` also given as compile-time values, as constant folding would see them.
"""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from onnx import defs, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from ramiel import kernels
from ramiel.kernels import (
    TensorSig,
    UnsupportedKernel,
    emit,
    evaluate,
    helper_source,
    supported_ops,
)
from ramiel.numerics import assert_close, max_errors, within_tolerance
from ramiel.opview import OpView

_RNG = np.random.default_rng(2024)


def rand(*shape: int, dtype: type = np.float32, low: float = -2.0, high: float = 2.0) -> np.ndarray:
    """Uniform random values; integer types get integers in [low, high)."""
    if np.issubdtype(dtype, np.integer):
        return _RNG.integers(int(low), int(high), size=shape).astype(dtype)
    return _RNG.uniform(low, high, size=shape).astype(dtype)


def i64(*values: int) -> np.ndarray:
    """A 1-D int64 array."""
    return np.array(values, dtype=np.int64)


def f32(*values: float) -> np.ndarray:
    """A 1-D float32 array."""
    return np.array(values, dtype=np.float32)


def scalar(value: float, dtype: type = np.float32) -> np.ndarray:
    """A 0-D array."""
    return np.array(value, dtype=dtype)


@dataclass(frozen=True)
class Case:
    """One node to check: inputs (None for an absent optional input), attributes, constant inputs, output count."""

    op: str
    inputs: tuple[np.ndarray | None, ...]
    attrs: Mapping[str, Any] = field(default_factory=dict)
    const: frozenset[int] = frozenset()
    outputs: int = 1
    reference: str | tuple[np.ndarray, ...] = "onnxruntime"


_CASES: list[tuple[str, Case]] = []


def case(
    op: str,
    *inputs: np.ndarray | None,
    const: tuple[int, ...] = (),
    outputs: int = 1,
    reference: str | tuple[np.ndarray, ...] = "onnxruntime",
    **attrs: Any,
) -> None:
    """Add a case; its id is the op and its position among that op's cases.

    `reference` is "onnxruntime", "onnx" (the ONNX reference implementation, where
    onnxruntime departs from the specification) or the expected outputs themselves,
    computed from the specification where neither implements it.
    """
    number = sum(1 for name, _ in _CASES if name.rsplit("-", 1)[0] == op)
    _CASES.append((f"{op}-{number}", Case(op, inputs, attrs, frozenset(const), outputs, reference)))


def both(op: str, *inputs: np.ndarray | None, const: tuple[int, ...], **attrs: Any) -> None:
    """Add a case with `const` inputs given as compile-time values and one with them only known at runtime."""
    case(op, *inputs, const=const, **attrs)
    case(op, *inputs, **attrs)


# Elementwise.
for _op in ("Relu", "Sigmoid", "Tanh", "Erf", "Exp", "Abs", "Neg", "HardSwish", "Identity"):
    case(_op, rand(2, 3, 4))
for _op in ("Sqrt", "Log", "Reciprocal"):
    case(_op, rand(2, 3, 4, low=0.1, high=3.0))
case("Relu", rand(3, 4, dtype=np.int32, low=-5, high=5))
case("Abs", rand(5, dtype=np.int32, low=-5, high=5))
case("Neg", rand(5, dtype=np.int8, low=-5, high=5))
case("Identity", rand(4, dtype=np.int64, low=0, high=9))
case("Sigmoid", rand(2, 8).astype(np.float16))
case("Exp", rand(2, 8).astype(np.float64))
case("LeakyRelu", rand(2, 3, 4))
case("LeakyRelu", rand(2, 3, 4), alpha=0.2)
case("HardSigmoid", rand(3, 4, low=-4, high=4))
case("HardSigmoid", rand(3, 4, low=-4, high=4), alpha=1 / 6, beta=0.5)
case("Gelu", rand(3, 4))
case("Gelu", rand(3, 4), approximate="tanh")
case("Softmax", rand(2, 3, 5))
case("Softmax", rand(2, 3, 5), axis=1)
case("LogSoftmax", rand(2, 3, 5))
case("LogSoftmax", rand(2, 3, 5), axis=0)
for _op in ("Add", "Sub", "Mul", "Div"):
    case(_op, rand(2, 3, 4), rand(3, 1, low=0.5, high=2.0))
    case(_op, rand(2, 3, 4, dtype=np.int64, low=-20, high=20), rand(4, dtype=np.int64, low=1, high=7))
case("Div", rand(6, dtype=np.int32, low=-20, high=20), rand(6, dtype=np.int32, low=-6, high=-1))
case("Add", rand(2, 3, dtype=np.uint8, low=0, high=250), rand(2, 3, dtype=np.uint8, low=0, high=250))
case("Mul", rand(3).astype(np.float16), rand(3).astype(np.float16))
case("Add", np.array(1.5, dtype=np.float32), rand(3))
case("Sub", rand(4, dtype=np.int64, low=-9, high=9), np.array(3, dtype=np.int64), const=(1,))
case("Mod", rand(6, dtype=np.int64, low=-20, high=20), rand(6, dtype=np.int64, low=1, high=7) * i64(1, -1, 1, -1, 1, -1))
case("Mod", rand(6, dtype=np.int32, low=-20, high=20), rand(6, dtype=np.int32, low=1, high=7), fmod=1)
case("Mod", rand(6, low=-5, high=5), rand(6, low=0.5, high=2) * f32(1, -1, 1, -1, 1, -1), fmod=1)
case("Mod", rand(6, low=-5, high=5), rand(6, low=0.5, high=2) * f32(1, -1, 1, -1, 1, -1))
case("Pow", rand(2, 3, low=0.5, high=2), rand(2, 3))
case("Pow", rand(2, 3, low=0.5, high=2), f32(2.0), const=(1,))
case("Pow", rand(2, 3, low=-2, high=2), np.array(3, dtype=np.int64), const=(1,))
case("Pow", rand(2, 3, low=0.5, high=2), f32(0.5))
case("Pow", rand(4, dtype=np.int64, low=-3, high=4), i64(2))
case("Pow", rand(4, dtype=np.int32, low=0, high=4), f32(2.0, 1.0, 3.0, 0.0))
case("Pow", rand(2, 3, low=0.5, high=2), np.array(2.0, dtype=np.float64), const=(1,))
case("Pow", np.array(1.5, dtype=np.float32), f32(2.0), const=(1,))
for _op in ("Equal", "Less", "Greater"):
    case(_op, rand(3, 4, dtype=np.int64, low=0, high=3), rand(4, dtype=np.int64, low=0, high=3))
    case(_op, np.round(rand(3, 4)), np.round(rand(3, 1)))
case("Equal", np.array([True, False, True]), np.array([True, True, False]))
case("Where", rand(3, 4) > 0, rand(3, 4), rand(4))
case("Where", np.array([True, False]), i64(1, 2), i64(5))
case("Sum", rand(2, 3))
case("Sum", rand(2, 3), rand(3), rand(1, 3))
case("Max", rand(2, 3), rand(3), rand(2, 1))
case("Min", rand(2, 3), rand(3))
case("Max", rand(4, dtype=np.int64, low=-9, high=9), rand(4, dtype=np.int64, low=-9, high=9))
both("Clip", rand(3, 4, low=-9, high=9), scalar(0.0), scalar(6.0), const=(1, 2))
both("Clip", rand(3, 4, low=-9, high=9), None, scalar(1.5), const=(2,))
case("Clip", rand(3, 4, low=-9, high=9), scalar(-1.0), None, const=(1,))
case("Clip", rand(3, 4, low=-9, high=9), scalar(-1.0), scalar(2.0), const=(1,))
case("Clip", rand(3, 4))
case("Clip", rand(6, dtype=np.int64, low=-9, high=9), np.array(-2, dtype=np.int64), np.array(3, dtype=np.int64), const=(1, 2))
case("Clip", rand(6, dtype=np.uint8, low=0, high=200), np.array(10, dtype=np.uint8), np.array(100, dtype=np.uint8))
case("Cast", rand(3, 4, low=-5, high=5), to=onnx.TensorProto.INT64)
case("Cast", rand(3, 4), to=onnx.TensorProto.FLOAT16)
case("Cast", rand(3, 4), to=onnx.TensorProto.BOOL)
case("Cast", rand(3, 4), to=onnx.TensorProto.FLOAT)
case("Cast", rand(3, 4), to=onnx.TensorProto.DOUBLE)
case("Cast", np.array([True, False]), to=onnx.TensorProto.FLOAT)
case("Cast", rand(5, dtype=np.int64, low=-300, high=300), to=onnx.TensorProto.INT8)
case("Cast", rand(5, dtype=np.int32, low=0, high=200), to=onnx.TensorProto.UINT8)

# Linear algebra.
case("MatMul", rand(3, 4), rand(4, 5))
case("MatMul", rand(2, 1, 3, 4), rand(3, 4, 2))
case("MatMul", rand(4), rand(2, 4, 3))
case("MatMul", rand(2, 3, 4), rand(4))
case("MatMul", rand(3, 4, dtype=np.int64, low=-3, high=3), rand(4, 2, dtype=np.int64, low=-3, high=3))
case("Gemm", rand(3, 4), rand(5, 4), rand(5), transB=1)
case("Gemm", rand(3, 4), rand(5, 4), transB=1)
case("Gemm", rand(3, 4), rand(4, 5), rand(3, 5))
case("Gemm", rand(4, 3), rand(4, 5), rand(1, 5), transA=1, alpha=0.5, beta=2.0)
case("Gemm", rand(4, 3), rand(5, 4), rand(3, 1), transA=1, transB=1, beta=0.25)
case("Gemm", rand(3, 4), rand(4, 5), np.array(1.5, dtype=np.float32))
case("Gemm", rand(3, 4), rand(4, 5), alpha=2.0)
case("Gemm", rand(3, 4), rand(5, 4), rand(5), transB=1, beta=0.0)
case("Gemm", rand(3, 4), rand(5, 4), rand(5), transB=1, alpha=3.0)

# Convolutions.
case("Conv", rand(1, 3, 9, 9), rand(4, 3, 3, 3), rand(4))
case("Conv", rand(1, 3, 9, 9), rand(4, 3, 3, 3), strides=[2, 2], pads=[1, 1, 1, 1])
case("Conv", rand(1, 4, 9, 8), rand(6, 2, 3, 2), rand(6), group=2, dilations=[2, 1], pads=[2, 0, 2, 1])
case("Conv", rand(1, 4, 8, 8), rand(4, 1, 3, 3), group=4, pads=[0, 1, 2, 1])
case("Conv", rand(1, 3, 10, 9), rand(4, 3, 3, 3), auto_pad="SAME_UPPER", strides=[2, 2])
case("Conv", rand(1, 3, 10, 9), rand(4, 3, 4, 4), auto_pad="SAME_LOWER", strides=[2, 2])
case("Conv", rand(1, 3, 10, 9), rand(4, 3, 4, 4), rand(4), auto_pad="SAME_UPPER")
case("Conv", rand(1, 3, 9, 9), rand(4, 3, 3, 3), auto_pad="VALID", strides=[3, 2])
case("Conv", rand(1, 3, 11), rand(5, 3, 3), rand(5), strides=[2], pads=[1, 2])
case("Conv", rand(1, 2, 5, 6, 4), rand(3, 2, 3, 3, 2), pads=[1, 1, 0, 1, 1, 1], strides=[1, 2, 1])
case("Conv", rand(2, 3, 7, 7), rand(4, 3, 1, 1), kernel_shape=[1, 1])
# onnxruntime rejects dilated SAME convolutions and pools them with undilated padding.
case("Conv", rand(1, 2, 9, 8), rand(3, 2, 3, 3), auto_pad="SAME_UPPER", dilations=[2, 2], strides=[2, 1], reference="onnx")
case("Conv", rand(1, 2, 9, 8), rand(3, 2, 2, 2), auto_pad="SAME_LOWER", dilations=[2, 3], reference="onnx")
case("ConvTranspose", rand(1, 3, 5, 5), rand(3, 4, 3, 3), rand(4))
case("ConvTranspose", rand(1, 3, 5, 5), rand(3, 4, 3, 3), strides=[2, 2], pads=[1, 1, 1, 1])
case("ConvTranspose", rand(1, 3, 5, 5), rand(3, 4, 3, 3), strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])
case("ConvTranspose", rand(1, 3, 5, 5), rand(3, 4, 4, 4), rand(4), strides=[2, 2], pads=[1, 0, 2, 1])
case("ConvTranspose", rand(1, 3, 5, 5), rand(3, 4, 3, 3), strides=[2, 2], pads=[0, 2, 2, 0], output_padding=[1, 1])
case("ConvTranspose", rand(1, 4, 5, 5), rand(4, 2, 3, 3), group=2, dilations=[2, 2], strides=[2, 1])
case("ConvTranspose", rand(1, 3, 5, 5), rand(3, 4, 3, 3), strides=[2, 2], auto_pad="SAME_UPPER")
case("ConvTranspose", rand(1, 3, 5, 5), rand(3, 4, 3, 3), strides=[2, 2], auto_pad="SAME_LOWER")
case("ConvTranspose", rand(1, 3, 5, 5), rand(3, 4, 3, 3), strides=[2, 2], output_shape=[10, 9])
case("ConvTranspose", rand(1, 2, 4, 4), rand(2, 3, 1, 2), rand(3), strides=[2, 3], output_shape=[7, 12])
case("ConvTranspose", rand(1, 3, 5, 5), rand(3, 4, 3, 3), strides=[3, 3], auto_pad="VALID")
case("ConvTranspose", rand(1, 3, 7), rand(3, 2, 4), rand(2), strides=[2], pads=[1, 2])
case("ConvTranspose", rand(1, 2, 3, 4, 3), rand(2, 2, 2, 3, 2), strides=[2, 1, 2], pads=[0, 1, 1, 1, 1, 0])

# Pooling and normalisation.
case("MaxPool", rand(1, 2, 9, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
case("MaxPool", rand(1, 2, 8, 8), kernel_shape=[2, 2], strides=[2, 2])
case("MaxPool", rand(1, 2, 8, 9), kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
case("MaxPool", rand(1, 2, 8, 9), kernel_shape=[3, 2], pads=[0, 1, 2, 0])
case("MaxPool", rand(1, 2, 9, 9), kernel_shape=[3, 3], dilations=[2, 2], pads=[2, 2, 2, 2])
case("MaxPool", rand(1, 2, 10, 9), kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")
case("MaxPool", rand(1, 2, 10, 9), kernel_shape=[4, 4], strides=[2, 2], auto_pad="SAME_LOWER")
case("MaxPool", rand(1, 2, 11), kernel_shape=[3], strides=[2], auto_pad="VALID")
case("MaxPool", rand(1, 2, 5, 6, 5), kernel_shape=[2, 3, 2], strides=[2, 1, 2], ceil_mode=1)
case("MaxPool", rand(1, 2, 9, 9).astype(np.float16), kernel_shape=[3, 3])
case("MaxPool", rand(1, 2, 9, 7), kernel_shape=[3, 2], strides=[2, 1], ceil_mode=1, pads=[1, 1, 2, 1])
case("MaxPool", rand(1, 2, 7, 7, dtype=np.int8, low=-100, high=100), kernel_shape=[3, 3], pads=[1, 0, 1, 1])
case("MaxPool", rand(1, 2, 7, 7, dtype=np.uint8, low=0, high=200), kernel_shape=[2, 2], strides=[2, 2])
case("MaxPool", rand(1, 2, 10, 9), kernel_shape=[3, 3], dilations=[2, 2], auto_pad="SAME_UPPER", reference="onnx")
case("MaxPool", rand(1, 2, 10, 9), kernel_shape=[2, 2], dilations=[2, 1], strides=[2, 2], auto_pad="SAME_UPPER", reference="onnx")
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 2], pads=[0, 1, 2, 0])
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 2], pads=[0, 1, 2, 0], count_include_pad=1)
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[0, 1, 1, 0], ceil_mode=1)
case("AveragePool", rand(1, 2, 10, 9), kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")
case("AveragePool", rand(1, 2, 10, 9), kernel_shape=[2, 2], strides=[1, 1], auto_pad="SAME_LOWER")
case("AveragePool", rand(1, 2, 12), kernel_shape=[4], strides=[4])
case("AveragePool", rand(1, 2, 5, 9), kernel_shape=[2, 3], strides=[2, 2], ceil_mode=1, pads=[1, 0, 1, 2], count_include_pad=1)
case("AveragePool", rand(1, 2, 5, 6), kernel_shape=[3, 2], strides=[2, 2], ceil_mode=1, pads=[1, 0, 0, 1])
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], pads=[2, 2, 2, 2])
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], pads=[2, 2, 2, 2], count_include_pad=1)
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1)
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[0, 1, 1, 0], ceil_mode=1, count_include_pad=1)
case("AveragePool", rand(1, 2, 5, 6, 5), kernel_shape=[2, 2, 2], pads=[1, 1, 1, 1, 1, 1])
case("GlobalAveragePool", rand(2, 3, 5, 4))
case("GlobalAveragePool", rand(1, 3, 7))
case("GlobalMaxPool", rand(2, 3, 5, 4))
case("GlobalMaxPool", rand(1, 3, 2, 3, 4))
case("LRN", rand(1, 6, 4, 4), size=3)


def lrn(x: np.ndarray, size: int, alpha: float = 0.0001, beta: float = 0.75, bias: float = 1.0) -> np.ndarray:
    """LRN as the ONNX specification defines it, for the sizes and ranks onnxruntime rejects."""
    square_sum = np.zeros_like(x)
    channels = x.shape[1]
    for c in range(channels):
        window = x[:, max(0, c - (size - 1) // 2) : min(channels - 1, c + size // 2) + 1]
        square_sum[:, c] = (window**2).sum(axis=1)
    return (x / (bias + alpha / size * square_sum) ** beta).astype(x.dtype)


# onnxruntime takes only 4-D inputs and odd sizes.
_LRN_INPUTS = (rand(2, 6, 4, 3), rand(2, 5, 3))
case("LRN", _LRN_INPUTS[0], size=4, alpha=0.01, beta=0.5, bias=2.0, reference=(lrn(_LRN_INPUTS[0], 4, 0.01, 0.5, 2.0),))
case("LRN", _LRN_INPUTS[1], size=5, reference=(lrn(_LRN_INPUTS[1], 5),))
case("LRN", _LRN_INPUTS[1], size=2, reference=(lrn(_LRN_INPUTS[1], 2),))
case("BatchNormalization", rand(2, 3, 4, 4), rand(3), rand(3), rand(3), rand(3, low=0.5, high=2))
case("BatchNormalization", rand(2, 3), rand(3), rand(3), rand(3), rand(3, low=0.5, high=2), epsilon=0.01)
case("InstanceNormalization", rand(2, 3, 4, 5), rand(3), rand(3))
case("InstanceNormalization", rand(1, 3, 6), rand(3), rand(3), epsilon=0.001)
case("LayerNormalization", rand(2, 3, 8), rand(8), rand(8))
case("LayerNormalization", rand(2, 3, 8), rand(8))
case("LayerNormalization", rand(2, 3, 4), rand(3, 4), rand(3, 4), axis=1, epsilon=0.001)
case("LayerNormalization", rand(2, 3, 4), rand(1, 4), rand(4), axis=-1)
case("Dropout", rand(3, 4))
case("Dropout", rand(3, 4), scalar(0.5), np.array(False), const=(1, 2))
case("Dropout", rand(3, 4), outputs=2)

# Shape manipulation.
both("Reshape", rand(2, 3, 4), i64(4, -1), const=(1,))
case("Reshape", rand(2, 3, 4), i64(0, 0, 2, 2), const=(1,))
case("Reshape", rand(2, 3, 4), i64(2, 3, 4), const=(1,))
case("Reshape", rand(1, 1), np.zeros(0, dtype=np.int64), const=(1,))
case("Flatten", rand(2, 3, 4, 5))
case("Flatten", rand(2, 3, 4, 5), axis=0)
case("Flatten", rand(2, 3, 4, 5), axis=-2)
case("Transpose", rand(2, 3, 4))
case("Transpose", rand(2, 3, 4, 5), perm=[0, 2, 3, 1])
case("Transpose", rand(2, 3), perm=[0, 1])
both("Squeeze", rand(1, 3, 1, 4), i64(0, 2), const=(1,))
both("Squeeze", rand(1, 3, 1, 4), i64(-2), const=(1,))
case("Squeeze", rand(1, 3, 1, 4))
both("Unsqueeze", rand(3, 4), i64(0, 3), const=(1,))
both("Unsqueeze", rand(3, 4), i64(-1), const=(1,))
case("Unsqueeze", np.array(2.0, dtype=np.float32), i64(0), const=(1,))
both("Expand", rand(3, 1), i64(2, 3, 4), const=(1,))
case("Expand", rand(2, 3, 4), i64(3, 1), const=(1,))
case("Expand", rand(2, 3), i64(2, 3), const=(1,))
both("Tile", rand(2, 3), i64(2, 3), const=(1,))
case("Tile", rand(2, 3), i64(1, 1), const=(1,))
case("Concat", rand(2, 3), rand(2, 5), axis=1)
case("Concat", rand(2, 3), rand(1, 3), rand(4, 3), axis=-2)
case("Concat", i64(1, 2), i64(3), axis=0)
both("Split", rand(2, 6), i64(2, 4), const=(1,), outputs=2, axis=1)
case("Split", rand(6, 3), outputs=3, num_outputs=3)
case("Split", rand(2, 7), outputs=3, axis=-1, num_outputs=3)
case("Split", rand(2, 7), outputs=1, axis=1, num_outputs=1)
both("Slice", rand(5, 6, 7), i64(1, -4), i64(4, 100), const=(1, 2))
both("Slice", rand(5, 6, 7), i64(4, -1), i64(0, -100), i64(0, 2), i64(-1, -2), const=(1, 2, 3, 4))
both("Slice", rand(5, 6, 7), i64(10), i64(-10), i64(1), i64(-3), const=(1, 2, 3, 4))
both("Slice", rand(5, 6, 7), i64(2), i64(2), i64(-1), const=(1, 2, 3))
case("Slice", rand(5, 6, 7), i64(0, 1), i64(5, 6), i64(0, 1), i64(2, 1), const=(1, 2, 3, 4))
case("Slice", rand(5, 6, 7), i64(0), i64(9223372036854775807), i64(0), const=(1, 2, 3))
case("Slice", rand(5, 6), i64(1), i64(4), i64(1), i64(2), const=(1, 2))
both("Slice", rand(5, 6), i64(-1), i64(-9223372036854775808), i64(1), i64(-1), const=(1, 2, 3, 4))
both("Gather", rand(5, 4), i64(0, -1, 2), const=(1,))
both("Gather", rand(5, 4), np.array(-2, dtype=np.int64), const=(1,), axis=1)
both("Gather", rand(3, 5, 4), i64(1, 2, 3), const=(1,), axis=1)
both("Gather", rand(3, 5, 4), np.array([[0, -1], [2, 1]], dtype=np.int64), const=(1,), axis=1)
case("Gather", rand(6, 2), np.arange(20, dtype=np.int64) % 6, const=(1,))
case("Gather", rand(6, 2), np.array([1, 4, 0], dtype=np.int32), const=(1,))
case("Gather", i64(2, 3, 224, 224), i64(2, 3), const=(1,))
case("Gather", i64(2, 3, 224, 224), np.array(0, dtype=np.int64), const=(1,))
case("Shape", rand(2, 3, 4))
case("Shape", rand(2, 3, 4), start=1)
case("Shape", rand(2, 3, 4), start=-2, end=-1)
case("Shape", rand(2, 3, 4), start=5)
both("ConstantOfShape", i64(2, 3), const=(0,))
case("ConstantOfShape", i64(2, 3), const=(0,), value=np.array([1.5], dtype=np.float32))
case("ConstantOfShape", i64(4), const=(0,), value=np.array([7], dtype=np.int64))
case("ConstantOfShape", i64(2), const=(0,), value=np.array([True]))
case("ConstantOfShape", np.zeros(0, dtype=np.int64), const=(0,), value=np.array([-np.inf], dtype=np.float32))
both("Range", np.array(2, dtype=np.int64), np.array(15, dtype=np.int64), np.array(3, dtype=np.int64), const=(0, 1, 2))
both("Range", np.array(10, dtype=np.int32), np.array(4, dtype=np.int32), np.array(-2, dtype=np.int32), const=(0, 1, 2))
both("Range", scalar(0.5), scalar(3.1), scalar(0.4), const=(0, 1, 2))
case("Range", scalar(1.0), scalar(2.0), scalar(0.1), const=(0, 1, 2))
case("Range", np.array(5, dtype=np.int64), np.array(2, dtype=np.int64), np.array(1, dtype=np.int64), const=(0, 1, 2))
case("Range", np.array(0, dtype=np.int64), np.array(6, dtype=np.int64), np.array(2, dtype=np.int64), const=(0, 2))
case("Range", np.array(3, dtype=np.int64), np.array(6, dtype=np.int64), np.array(1, dtype=np.int64), const=(2,))
both("Pad", rand(1, 2, 4, 5), i64(0, 0, 1, 2, 0, 0, 2, 1), const=(1,))
both("Pad", rand(1, 2, 4, 5), i64(0, 0, 1, 2, 0, 0, 2, 1), scalar(1.5), const=(1, 2))
both("Pad", rand(1, 2, 4, 5), i64(0, 0, 1, 2, 0, 0, 2, 1), const=(1,), mode="reflect")
both("Pad", rand(1, 2, 4, 5), i64(0, 0, 1, 2, 0, 0, 2, 1), const=(1,), mode="edge")
both("Pad", rand(1, 2, 4, 5), i64(0, 0, 1, 2, 0, 0, 2, 1), const=(1,), mode="wrap")
both("Pad", rand(3, 4, 5), i64(1, 0, 2, 2, 1, 0), const=(1,), mode="reflect")
both("Pad", rand(3, 4, 5), i64(1, 0, 6, 2, 1, 0), const=(1,), mode="edge")
both("Pad", rand(3, 5), i64(-1, 2, 1, -2), const=(1,))
case("Pad", rand(3, 5), i64(-1, 2, 1, -2), const=(1,), mode="edge")
both("Pad", rand(2, 4, 5), i64(1, 2, 3, 0), None, i64(1, -1), const=(1, 3), mode="reflect")
both("Pad", rand(2, 4, 5), i64(1, 2, 3, 0), scalar(-1.0), i64(0, 2), const=(1, 2, 3))
case("Pad", rand(2, 4, 5), i64(1, 2, 3, 0), scalar(-1.0), i64(0, 2), const=(1, 2))
case("Pad", rand(6, dtype=np.int64, low=0, high=9), i64(2, 1), np.array(-7, dtype=np.int64), const=(1, 2))
case("Pad", rand(2, 3), i64(0, 0, 0, 0), const=(1,))

# Resize: torch-equivalent configurations and the helper for the rest.
_IMAGE = rand(1, 2, 4, 5)
_SMALL = rand(1, 2, 8, 7)
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,))
case("Resize", _IMAGE, None, f32(1, 1, 3, 1.5), const=(2,))
case("Resize", _SMALL, None, f32(1, 1, 0.5, 0.5), const=(2,))
case("Resize", _SMALL, None, f32(1, 1, 0.5, 0.5), const=(2,), nearest_mode="round_prefer_ceil")
case("Resize", _SMALL, None, f32(1, 1, 0.6, 1.3), const=(2,), nearest_mode="ceil", coordinate_transformation_mode="tf_half_pixel_for_nn")
both("Resize", _IMAGE, None, None, i64(1, 2, 7, 9), const=(3,))
case("Resize", _IMAGE, None, None, i64(1, 2, 7, 9), const=(3,), coordinate_transformation_mode="align_corners")
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="linear")
case("Resize", _IMAGE, None, f32(1, 1, 1.7, 2.3), const=(2,), mode="linear", coordinate_transformation_mode="pytorch_half_pixel")
case("Resize", _SMALL, None, f32(1, 1, 0.5, 0.75), const=(2,), mode="linear")
case("Resize", _IMAGE, None, None, i64(1, 2, 7, 9), const=(3,), mode="linear", coordinate_transformation_mode="align_corners")
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="linear", coordinate_transformation_mode="asymmetric")
case("Resize", _IMAGE, None, f32(1, 1, 1.5, 2.5), const=(2,), mode="linear", coordinate_transformation_mode="half_pixel_symmetric")
case("Resize", _IMAGE, None, None, i64(1, 2, 1, 9), const=(3,), mode="linear", coordinate_transformation_mode="pytorch_half_pixel")
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="cubic")
case("Resize", _IMAGE, None, None, i64(1, 2, 7, 9), const=(3,), mode="cubic", coordinate_transformation_mode="align_corners")
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="cubic", cubic_coeff_a=-0.5)
case("Resize", _IMAGE, None, f32(1, 1, 1.5, 1.5), const=(2,), mode="cubic", exclude_outside=1)
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="cubic", coordinate_transformation_mode="asymmetric")
case("Resize", _IMAGE, None, None, i64(8, 8), const=(3,), axes=[2, 3], keep_aspect_ratio_policy="not_larger")
case("Resize", _IMAGE, None, None, i64(8, 8), const=(3,), axes=[2, 3], keep_aspect_ratio_policy="not_smaller", mode="linear")
case("Resize", _IMAGE, None, f32(2, 3), const=(2,), axes=[-1, 2], mode="linear")
case("Resize", _IMAGE, f32(0.2, 0.1, 0.8, 0.9), f32(1.5, 2), const=(1, 2), axes=[2, 3], mode="linear", coordinate_transformation_mode="tf_crop_and_resize", extrapolation_value=-1.0)
case("Resize", _IMAGE, f32(0, 0, 0.3, -0.2, 1, 1, 0.9, 1.2), f32(1, 1, 2, 2), const=(1, 2), coordinate_transformation_mode="tf_crop_and_resize", extrapolation_value=5.0)
case("Resize", rand(2, 6), None, f32(1.5, 2), const=(2,), mode="linear")
case("Resize", rand(1, 2, 3, 4, 5), None, f32(1, 1, 2, 1.5, 0.5), const=(2,), mode="linear")
case("Resize", rand(3, 5), None, f32(2, 1.5), const=(2,))
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="linear", antialias=1)
case("Resize", _IMAGE, None, f32(1, 1, 1, 1), const=(2,), mode="linear")
case("Resize", _IMAGE, None, f32(1, 1, 1.2, 1.5), const=(2,), mode="linear")
case("Resize", _IMAGE, None, f32(1, 1, 2, 1.5), const=(2,), mode="cubic", antialias=1)
case("Resize", rand(1, 2, 4, 5, dtype=np.uint8, low=0, high=250), None, f32(1, 1, 2, 2), const=(2,))
case("Resize", rand(1, 2, 4, 5, dtype=np.int32, low=-9, high=9), None, None, i64(1, 2, 7, 3), const=(3,))

# Reductions.
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

CASES = dict(_CASES)

_ONNX_TYPES = {
    np.dtype(np.float32): onnx.TensorProto.FLOAT,
    np.dtype(np.float16): onnx.TensorProto.FLOAT16,
    np.dtype(np.float64): onnx.TensorProto.DOUBLE,
    np.dtype(np.int64): onnx.TensorProto.INT64,
    np.dtype(np.int32): onnx.TensorProto.INT32,
    np.dtype(np.int8): onnx.TensorProto.INT8,
    np.dtype(np.uint8): onnx.TensorProto.UINT8,
    np.dtype(np.bool_): onnx.TensorProto.BOOL,
}


def _onnx_attr(value: Any) -> Any:
    """An attribute value as onnx.helper takes it (numpy arrays as TensorProto)."""
    return numpy_helper.from_array(value) if isinstance(value, np.ndarray) else value


def _attributes(c: Case) -> dict[str, Any]:
    """The node's attributes as the importer gives them: schema defaults filled in, strings as str."""
    attrs: dict[str, Any] = {}
    for name, schema_attr in defs.get_schema(c.op).attributes.items():
        if schema_attr.default_value.ListFields():
            value = helper.get_attribute_value(schema_attr.default_value)
            attrs[name] = value.decode() if isinstance(value, bytes) else value
    return attrs | dict(c.attrs)


@functools.cache
def _reference(name: str) -> list[np.ndarray]:
    """The case's expected outputs, from onnxruntime with optimizations off unless the case names another reference."""
    c = CASES[name]
    names = [f"in{i}" if value is not None else "" for i, value in enumerate(c.inputs)]
    while names and not names[-1]:
        names.pop()
    outputs = [f"out{i}" for i in range(c.outputs)]
    node = helper.make_node(c.op, names, outputs, **{k: _onnx_attr(v) for k, v in c.attrs.items()})
    graph_inputs = [
        helper.make_tensor_value_info(f"in{i}", _ONNX_TYPES[value.dtype], value.shape)
        for i, value in enumerate(c.inputs)
        if value is not None
    ]
    graph = helper.make_graph(
        [node], "case", graph_inputs, [helper.make_empty_tensor_value_info(out) for out in outputs]
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", defs.get_schema(c.op).since_version)])
    model.ir_version = 10
    feeds = {f"in{i}": value for i, value in enumerate(c.inputs) if value is not None}
    if isinstance(c.reference, tuple):
        onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        return list(c.reference)
    if c.reference == "onnx":
        return [np.asarray(out) for out in ReferenceEvaluator(model).run(None, feeds)]
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return [np.asarray(out) for out in session.run(None, feeds)]


@functools.cache
def _kernel_node(name: str) -> OpView:
    """The case as the kernel table sees it, with the output types onnxruntime produced."""
    c = CASES[name]
    return OpView(
        op_type=c.op,
        inputs=tuple(None if value is None else f"x{i}" for i, value in enumerate(c.inputs)),
        input_types=tuple(None if value is None else (value.shape, value.dtype.name) for value in c.inputs),
        output_types=tuple((out.shape, out.dtype.name) for out in _reference(name)),
        attrs=_attributes(c),
        input_values=tuple(value if i in c.const else None for i, value in enumerate(c.inputs)),
    )


def _values(name: str) -> list[torch.Tensor | None]:
    """The case's inputs as tensors."""
    return [None if value is None else torch.from_numpy(value.copy()) for value in CASES[name].inputs]


@pytest.mark.parametrize("name", CASES)
def test_matches_onnxruntime(name: str) -> None:
    """Inputs the expression does not read are left out, as folding leaves out unknown values."""
    node = _kernel_node(name)
    call = emit(node)
    got = evaluate(node, [value if index in call.inputs_used else None for index, value in enumerate(_values(name))])
    expected = _reference(name)
    assert len(got) == len(expected)
    for index, (ours, ref) in enumerate(zip(got, expected, strict=True)):
        assert_close(ours, ref, f"{name} output {index}: {call.expr}")


@pytest.mark.parametrize("name", CASES)
def test_outputs_have_declared_types(name: str) -> None:
    """evaluate() gives exactly the shapes and element types in output_types."""
    node = _kernel_node(name)
    got = evaluate(node, _values(name))
    assert [(tuple(t.shape), str(t.dtype).removeprefix("torch.")) for t in got] == list(node.output_types)


@pytest.mark.parametrize("name", CASES)
def test_generated_source_computes_the_same(name: str) -> None:
    """The expression pasted into a module with its helpers' source gives what `evaluate` gives."""
    node = _kernel_node(name)
    call = emit(node)
    names = [name for name in node.inputs if name is not None]
    source = (
        "import torch\nimport torch.nn.functional as F\n\n\n"
        + helper_source(call.helpers)
        + f"\n\ndef kernel({', '.join(names)}):\n    return {call.expr}\n"
    )
    namespace: dict[str, object] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    values = _values(name)
    result = namespace["kernel"](*(value for value in values if value is not None))  # type: ignore[operator]
    generated = [result] if len(node.output_types) == 1 else list(result)
    for ours, theirs in zip(generated, evaluate(node, values), strict=True):
        assert torch.equal(ours, theirs)


def test_input_expressions_are_bracketed_where_needed() -> None:
    """Input expressions that are not atoms get brackets before use as operands."""
    node = OpView(
        op_type="Reshape",
        inputs=("a + b", "shape"),
        input_types=(((2, 3), "float32"), ((1,), "int64")),
        output_types=(((6,), "float32"),),
        input_values=(None, i64(6)),
    )
    assert emit(node).expr == "(a + b).reshape(6)"
    assert emit(replace(node, op_type="Relu", inputs=("w[0]",), output_types=(((2, 3), "float32"),))).expr == (
        "torch.relu(w[0])"
    )


def test_evaluate_compiles_each_expression_once() -> None:
    """Nodes that differ only in input names share one compiled expression."""
    node = _kernel_node("Relu-0")
    evaluate(node, _values("Relu-0"))
    before = kernels._compiled.cache_info()
    renamed = replace(node, inputs=("activation",))
    assert emit(renamed).expr == "torch.relu(activation)"
    evaluate(renamed, _values("Relu-0"))
    after = kernels._compiled.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def test_constant_operands_become_literals() -> None:
    """Static shapes and constant operands are folded in, leaving readable expressions."""
    expectations = {
        "Reshape-0": "x0.reshape(4, 6)",
        "Conv-1": "F.conv2d(x0, x1, stride=(2, 2), padding=(1, 1))",
        "Conv-3": "F.conv2d(F.pad(x0, (1, 1, 0, 2)), x1, groups=4)",
        "Slice-2": "x0[1:, :, ::2].flip(0, 2)",
        "Gather-0": "x0[[0, 4, 2]]",
        "Gather-4": "x0[:, 1:4]",
        "Concat-0": "torch.cat((x0, x1), dim=1)",
        "Relu-0": "torch.relu(x0)",
        "Resize-0": "F.interpolate(x0, scale_factor=(2.0, 2.0), mode='nearest')",
        "Shape-0": "torch.tensor([2, 3, 4], dtype=torch.int64)",
    }
    got = {name: emit(_kernel_node(name)).expr for name in expectations}
    assert got == expectations
    assert emit(_kernel_node("Reshape-0")).inputs_used == frozenset({0})
    assert emit(_kernel_node("Shape-0")).inputs_used == frozenset()


def _node(
    op: str,
    inputs: Sequence[TensorSig | None],
    outputs: Sequence[TensorSig],
    values: Sequence[np.ndarray | None] = (),
    **attrs: Any,
) -> OpView:
    """A node built by hand, for combinations that should be refused."""
    return OpView(
        op_type=op,
        inputs=tuple(None if sig is None else f"x{i}" for i, sig in enumerate(inputs)),
        input_types=tuple(inputs),
        output_types=tuple(outputs),
        attrs=_attributes(Case(op, (), attrs)),
        input_values=tuple(values) or (None,) * len(inputs),
    )


_IMG = ((1, 2, 4, 4), "float32")


@pytest.mark.parametrize(
    ("node", "message"),
    [
        pytest.param(_node("NonMaxSuppression", [_IMG], [_IMG]), "no kernel", id="unknown-op"),
        pytest.param(
            _node("MaxPool", [_IMG], [((1, 2, 2, 2), "float32"), ((1, 2, 2, 2), "int64")], kernel_shape=[2, 2], strides=[2, 2]),
            "first output",
            id="maxpool-indices",
        ),
        pytest.param(
            _node("LayerNormalization", [((2, 4), "float32"), ((4,), "float32")], [((2, 4), "float32"), ((2, 1), "float32")]),
            "first output",
            id="layernorm-mean",
        ),
        pytest.param(
            _node(
                "BatchNormalization",
                [_IMG] + [((2,), "float32")] * 4,
                [_IMG],
                training_mode=1,
            ),
            "training",
            id="batchnorm-training",
        ),
        pytest.param(
            _node("AveragePool", [_IMG], [((1, 2, 2, 2), "float32")], kernel_shape=[2, 2], dilations=[2, 2]),
            "dilated",
            id="avgpool-dilations",
        ),
        pytest.param(
            _node("Resize", [_IMG, None, ((4,), "float32")], [((1, 2, 8, 8), "float32")]),
            "constant scales",
            id="resize-runtime-scales",
        ),
        pytest.param(
            _node(
                "Resize",
                [_IMG, None, ((4,), "float32")],
                [((1, 2, 2, 2), "float32")],
                [None, None, f32(1, 1, 0.5, 0.5)],
                mode="linear",
                antialias=1,
            ),
            "antialias",
            id="resize-antialiased-downscaling",
        ),
        pytest.param(
            _node("Dropout", [_IMG, ((), "float32"), ((), "bool")], [_IMG]),
            "training",
            id="dropout-runtime-training",
        ),
        pytest.param(_node("Relu", [((3,), "string")], [((3,), "string")]), "element type", id="string"),
        pytest.param(
            _node("AveragePool", [((1, 1, 4, 4), "int8")], [((1, 1, 2, 2), "int8")], kernel_shape=[2, 2], strides=[2, 2]),
            "int8",
            id="avgpool-int8",
        ),
        pytest.param(
            _node(
                "Resize",
                [((1, 1, 2, 2), "uint8"), None, ((4,), "float32")],
                [((1, 1, 4, 4), "uint8")],
                [None, None, f32(1, 1, 2, 2)],
                mode="linear",
            ),
            "linear",
            id="resize-linear-uint8",
        ),
    ],
)
def test_unsupported_combinations_raise(node: OpView, message: str) -> None:
    """Combinations without an exact torch kernel raise UnsupportedKernel saying why."""
    with pytest.raises(UnsupportedKernel, match=message):
        emit(node)


def test_supported_ops_cover_the_required_list() -> None:
    """The table covers exactly the required ops, and every op has cases."""
    required = set(
        "Conv ConvTranspose Relu LeakyRelu Sigmoid HardSigmoid HardSwish Tanh Erf Gelu Clip Softmax LogSoftmax "
        "MaxPool AveragePool GlobalAveragePool GlobalMaxPool LRN BatchNormalization LayerNormalization "
        "InstanceNormalization Concat Split Slice Gather Reshape Flatten Transpose Squeeze Unsqueeze Expand Tile "
        "Pad Resize Shape ConstantOfShape Identity Dropout Cast Range Add Sub Mul Div Pow Sqrt Mod Neg Exp Log "
        "Abs Reciprocal Equal Less Greater Where Sum Max Min MatMul Gemm ReduceMean ReduceSum ReduceMax "
        "ArgMax".split()
    )
    assert supported_ops() == required
    assert {c.op for c in CASES.values()} == required


def test_helper_source_compiles_and_defines_the_helpers() -> None:
    """All helpers paste into a module that imports nothing but torch and F."""
    names = sorted(kernels._helper_functions())
    source = helper_source(names)
    assert "import" not in source
    namespace: dict[str, object] = {"torch": torch, "F": torch.nn.functional}
    exec(compile(source, "<helpers>", "exec"), namespace)
    assert all(callable(namespace[name]) for name in names)
    assert helper_source(reversed(names)) == source


def test_helper_source_includes_dependencies_in_a_stable_order() -> None:
    """A helper brings the helpers it calls, in definition order."""
    source = helper_source(["onnx_resize"])
    defined = [line.split("(")[0].removeprefix("def ") for line in source.splitlines() if line.startswith("def ")]
    assert defined == ["resize_coordinates", "nearest_indices", "resize_axis", "onnx_resize"]
    with pytest.raises(KeyError):
        helper_source(["no_such_helper"])


@pytest.mark.parametrize(
    ("ours", "ref", "ok"),
    [
        (np.array([1.0, 2.0], dtype=np.float32), np.array([1.0, 2.0001], dtype=np.float32), True),
        (torch.tensor([100.0, 0.0]), np.array([100.02, 0.0], dtype=np.float32), False),
        (torch.tensor([100.0, 0.0]), np.array([100.005, 0.0], dtype=np.float32), True),
        (np.array([np.nan, np.inf], dtype=np.float32), np.array([np.nan, np.inf], dtype=np.float32), True),
        (np.array([np.nan, 1.0], dtype=np.float32), np.array([1.0, 1.0], dtype=np.float32), False),
        (np.array([np.inf], dtype=np.float32), np.array([-np.inf], dtype=np.float32), False),
        (torch.tensor([1, 2]), np.array([1, 2], dtype=np.int64), True),
        (torch.tensor([1, 3]), np.array([1, 2], dtype=np.int64), False),
        (torch.tensor([True]), np.array([True]), True),
        (torch.tensor([1.0]), np.array([1.0], dtype=np.float64), False),
        (torch.tensor([1.0, 2.0]), np.array([[1.0, 2.0]], dtype=np.float32), False),
    ],
)
def test_tolerance(ours: np.ndarray | torch.Tensor, ref: np.ndarray | torch.Tensor, ok: bool) -> None:
    """The tolerance: relative to max(1, max|ref|), exact for integers, strict on NaN, types and shapes."""
    assert within_tolerance(ours, ref) is ok
    if not ok:
        with pytest.raises(AssertionError, match=r"^what: "):
            assert_close(ours, ref, "what")


def test_max_errors_are_absolute_and_relative() -> None:
    """max_errors gives the absolute error and that over max(1, max|ref|)."""
    assert max_errors(np.array([10.0, 1.0]), np.array([12.0, 1.0])) == (2.0, 2.0 / 12.0)
    assert max_errors(np.array([0.5]), np.array([0.25])) == (0.25, 0.25)
    with pytest.raises(ValueError, match="shape"):
        max_errors(np.zeros(2), np.zeros(3))


def test_case_ids_are_unique() -> None:
    """Every case has its own id."""
    assert len(CASES) == len(_CASES)
