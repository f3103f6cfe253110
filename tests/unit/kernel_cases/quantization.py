"""Kernel cases of the quantization operators.

onnxruntime has no QuantizeLinear or DequantizeLinear at their newest opset, so
their cases take the ONNX reference implementation, except where it departs
from the specification (see `quantize_in_float16`). onnxruntime also lacks
per-row zero points of the left matrix, ConvInteger's per-channel weight zero
points, QLinearConv with an output type other than the input's, and int32
QuantizeLinear inputs; those cases take the reference implementation too.

So does every product of uint8 data and int8 weights: on x86 processors without
VNNI, onnxruntime multiplies them with an instruction that adds pairs of
products in int16 and saturates, so its result depends on the machine.
"""

import numpy as np
from onnx import TensorProto

from tests.unit.kernel_cases.core import case, f32, rand, scalar

# Inputs: uniform in a range that saturates some values, quarter steps that make
# exact ties for a scale of 0.5, and 8-bit data and zero points.
_X = rand(2, 3, 4, low=-40, high=40)
_TIES = np.arange(-4, 4, 0.25, dtype=np.float32).reshape(4, 8)
_HALF = scalar(0.5)


def u8(*shape: int) -> np.ndarray:
    """Uniform uint8 values."""
    return rand(*shape, dtype=np.uint8, low=0, high=256)


def i8(*shape: int) -> np.ndarray:
    """Uniform int8 values."""
    return rand(*shape, dtype=np.int8, low=-128, high=128)


def scales(*shape: int) -> np.ndarray:
    """Positive float32 scales."""
    return rand(*shape, low=0.01, high=0.05)


def quantize_in_float16(x: np.ndarray, scale: np.ndarray, zero_point: np.ndarray) -> np.ndarray:
    """QuantizeLinear with a float16 scale as the specification says: "the type of y_scale determines the
    precision of the division". onnxruntime divides so; the reference implementation divides in float32."""
    quotient = x.astype(np.float16) / scale
    info = np.iinfo(zero_point.dtype)
    return np.clip(np.rint(quotient).astype(np.int32) + zero_point, info.min, info.max).astype(zero_point.dtype)


# QuantizeLinear: per tensor, with and without (constant) zero points, ties, output types.
case("QuantizeLinear", _X, scalar(0.1), scalar(3, np.int8), reference="onnx")
case("QuantizeLinear", _X, scalar(0.1), scalar(3, np.int8), const=(1, 2), reference="onnx")
case("QuantizeLinear", _TIES, _HALF, scalar(3, np.uint8), const=(1, 2), reference="onnx")
case("QuantizeLinear", _TIES, _HALF, scalar(0, np.int8), const=(2,), reference="onnx")
case("QuantizeLinear", _X, scalar(0.3), reference="onnx")
case("QuantizeLinear", _X, scalar(0.3), output_dtype=TensorProto.INT8, reference="onnx")
# Saturation; the reference implementation casts infinities to int32 before it saturates.
_SATURATED = np.array([-128, -128, 127, 127, 127, -128], np.int8)
case("QuantizeLinear", f32(-1e30, -300, 1e30, 300, np.inf, -np.inf), f32(1.0), f32(1).astype(np.int8), reference=(_SATURATED,))
# Per axis and blocked.
case("QuantizeLinear", _X, scales(3), u8(3), reference="onnx")
case("QuantizeLinear", _X, scales(4), i8(4), axis=-1, const=(1, 2), reference="onnx")
case("QuantizeLinear", rand(3, 6, low=-1, high=1), scales(3, 3), i8(3, 3), axis=1, block_size=2, reference="onnx")
case("QuantizeLinear", rand(3, 5, low=-1, high=1), scales(3, 3), u8(3, 3), axis=1, block_size=2, reference="onnx")
case("QuantizeLinear", rand(7, 2, low=-1, high=1), scales(3, 2), axis=0, block_size=3, reference="onnx")
# Division precision: float16 data and scales, a float16 precision, int32 data.
case("QuantizeLinear", _X.astype(np.float16), scalar(0.1, np.float16), scalar(3, np.int8), reference="onnx")
case("QuantizeLinear", _X.astype(np.float16), scalar(0.1), scalar(3, np.int8), reference="onnx")
case("QuantizeLinear", _X, scalar(0.1), scalar(3, np.int8), precision=TensorProto.FLOAT16, reference="onnx")
case(
    "QuantizeLinear",
    _X,
    scalar(0.1, np.float16),
    scalar(3, np.int8),
    reference=(quantize_in_float16(_X, scalar(0.1, np.float16), scalar(3, np.int8)),),
)
case("QuantizeLinear", rand(2, 5, dtype=np.int32, low=-400, high=400), scalar(2.5), scalar(3, np.int8), reference="onnx")

# DequantizeLinear.
case("DequantizeLinear", i8(2, 3, 4), scalar(0.1), scalar(3, np.int8), reference="onnx")
case("DequantizeLinear", u8(2, 3, 4), scalar(0.1), scalar(130, np.uint8), const=(1, 2), reference="onnx")
case("DequantizeLinear", u8(2, 3, 4), scalar(0.1), scalar(0, np.uint8), const=(2,), reference="onnx")
case("DequantizeLinear", rand(2, 5, dtype=np.int32, low=-100000, high=100000), scalar(0.001), reference="onnx")
case("DequantizeLinear", u8(3, 4), scales(3), u8(3), axis=0, reference="onnx")
case("DequantizeLinear", i8(2, 3, 4), scales(4), i8(4), axis=2, const=(1, 2), reference="onnx")
case("DequantizeLinear", i8(3, 5), scales(3, 3), i8(3, 3), axis=1, block_size=2, reference="onnx")
case("DequantizeLinear", i8(2, 3, 4), scalar(0.1, np.float16), scalar(3, np.int8), reference="onnx")
case("DequantizeLinear", u8(2, 3, 4), scalar(0.1), output_dtype=TensorProto.FLOAT16, reference="onnx")

# DynamicQuantizeLinear: both signs, one sign (the range widened to 0), all zero.
case("DynamicQuantizeLinear", rand(2, 3, 8), outputs=3)
case("DynamicQuantizeLinear", rand(3, 8, low=0.5, high=3), outputs=3)
case("DynamicQuantizeLinear", rand(3, 8, low=-3, high=-0.5), outputs=3)
case("DynamicQuantizeLinear", np.zeros((2, 4), np.float32), outputs=3)

# MatMulInteger: every pairing of signedness, zero points per tensor, column or row.
case("MatMulInteger", u8(3, 16), i8(16, 5), scalar(130, np.uint8), scalar(-3, np.int8), reference="onnx")
case("MatMulInteger", i8(3, 16), u8(16, 5), scalar(-3, np.int8), scalar(130, np.uint8), const=(2, 3))
case("MatMulInteger", u8(2, 3, 16), u8(16, 5))
case("MatMulInteger", i8(2, 3, 16), i8(2, 16, 5), const=(1,))
case("MatMulInteger", u8(3, 16), u8(16, 5), None, u8(5))
case("MatMulInteger", u8(3, 16), u8(16, 5), u8(3, 1), u8(5), reference="onnx")
_ROWS = (u8(3, 16), u8(16, 5), u8(3))
case("MatMulInteger", *_ROWS, reference=((_ROWS[0].astype(np.int32) - _ROWS[2][:, None]) @ _ROWS[1].astype(np.int32),))

# ConvInteger: pads, strides, groups, dilations, automatic pads, 1-D to 3-D.
case("ConvInteger", u8(1, 4, 7, 7), i8(6, 4, 3, 3), scalar(128, np.uint8), scalar(2, np.int8), pads=[1, 1, 1, 1], reference="onnx")
case("ConvInteger", u8(1, 4, 7, 7), u8(6, 2, 3, 3), scalar(128, np.uint8), const=(1, 2), strides=[2, 2], group=2)
case("ConvInteger", i8(1, 4, 9, 9), i8(6, 4, 3, 3), dilations=[2, 2], pads=[2, 1, 0, 2])
case("ConvInteger", u8(1, 4, 6, 6), i8(6, 4, 3, 3), scalar(3, np.uint8), auto_pad="SAME_UPPER", strides=[2, 2], reference="onnx")
case("ConvInteger", u8(2, 3, 9), i8(4, 3, 3), scalar(7, np.uint8), reference="onnx")
case("ConvInteger", u8(1, 2, 5, 5, 5), i8(3, 2, 3, 3, 3), scalar(7, np.uint8), scalar(-1, np.int8), pads=[1] * 6, reference="onnx")
case("ConvInteger", u8(1, 4, 7, 7), i8(6, 4, 3, 3), scalar(128, np.uint8), i8(6), reference="onnx")
# Sums past 2**24, which float32 does not hold exactly (odd multiples of 255 * 255):
# the extreme values over a reduction of 32 * 3 * 3, with the weight an input and a constant.
_FULL_X, _FULL_W = np.full((1, 32, 3, 3), 255, np.uint8), np.full((2, 32, 3, 3), -128, np.int8)
case("ConvInteger", _FULL_X, _FULL_W, scalar(0, np.uint8), scalar(127, np.int8), pads=[1, 1, 1, 1], reference="onnx")
case("ConvInteger", _FULL_X, _FULL_W, scalar(0, np.uint8), scalar(127, np.int8), const=(1, 3), pads=[1, 1, 1, 1], reference="onnx")

# QLinearConv: bias, per-channel weights, ties, both signednesses, 1-D to 3-D.
def qlinear_conv(x: np.ndarray, w: np.ndarray, y_zero_point: np.ndarray, *rest: np.ndarray, w_scale: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """QLinearConv inputs with zero points of x's and w's types and scales that spread y over its range."""
    x_zero = scalar(3, x.dtype)
    w_zero = scalar(-2 if w.dtype == np.int8 else 120, w.dtype)
    return (x, scalar(0.02), x_zero, w, scalar(0.01) if w_scale is None else w_scale, w_zero, scalar(0.05), y_zero_point, *rest)


case("QLinearConv", *qlinear_conv(u8(1, 4, 7, 7), i8(6, 4, 3, 3), scalar(100, np.uint8), rand(6, dtype=np.int32, low=-5000, high=5000)), pads=[1, 1, 1, 1], reference="onnx")
case("QLinearConv", *qlinear_conv(u8(1, 4, 7, 7), u8(6, 2, 3, 3), scalar(100, np.uint8)), const=(1, 2, 4, 5, 6, 7), strides=[2, 2], group=2)
case("QLinearConv", *qlinear_conv(i8(1, 4, 9, 9), i8(6, 4, 3, 3), scalar(-5, np.int8), w_scale=scales(6)), dilations=[2, 2], pads=[2, 1, 0, 2])
case("QLinearConv", *qlinear_conv(i8(2, 3, 9), i8(4, 3, 3), scalar(0, np.int8), rand(4, dtype=np.int32, low=-500, high=500)), auto_pad="SAME_LOWER")
case("QLinearConv", *qlinear_conv(u8(1, 2, 5, 5, 5), i8(3, 2, 3, 3, 3), scalar(9, np.uint8)), pads=[1] * 6, reference="onnx")
case("QLinearConv", u8(1, 4, 7, 7), scalar(0.02), scalar(3, np.uint8), i8(6, 4, 3, 3), scales(6), i8(6), scalar(0.05), scalar(100, np.uint8), reference="onnx")
# Scales of powers of two make exact ties (accumulator * 1/8), which round to even before the zero point is added.
case("QLinearConv", u8(1, 2, 5, 5), scalar(0.5), scalar(3, np.uint8), u8(2, 2, 1, 1), scalar(0.25), scalar(1, np.uint8), scalar(1.0), scalar(101, np.uint8))
case("QLinearConv", *qlinear_conv(i8(1, 4, 7, 7), i8(6, 4, 3, 3), scalar(100, np.uint8)), reference="onnx")

# QLinearMatMul: signednesses, batches, float16 scales, per-column b, ties.
def qlinear_matmul(a: np.ndarray, b: np.ndarray, y_zero_point: np.ndarray, dtype: type = np.float32) -> tuple[np.ndarray, ...]:
    """QLinearMatMul inputs with zero points of a's and b's types and scales that spread y over its range."""
    a_zero, b_zero = scalar(3, a.dtype), scalar(-2 if b.dtype == np.int8 else 120, b.dtype)
    return (a, scalar(0.02, dtype), a_zero, b, scalar(0.01, dtype), b_zero, scalar(0.05, dtype), y_zero_point)


case("QLinearMatMul", *qlinear_matmul(u8(3, 16), i8(16, 5), scalar(100, np.uint8)), reference="onnx")
case("QLinearMatMul", *qlinear_matmul(i8(2, 3, 16), i8(16, 5), scalar(-5, np.int8)), const=(1, 2, 4, 5, 6, 7))
case("QLinearMatMul", *qlinear_matmul(u8(2, 3, 16), u8(2, 16, 5), scalar(100, np.uint8), np.float16))
case("QLinearMatMul", u8(3, 16), scalar(0.02), scalar(3, np.uint8), u8(16, 5), scales(5), u8(5), scalar(0.05), scalar(100, np.uint8))
case("QLinearMatMul", u8(3, 8), scalar(0.5), scalar(3, np.uint8), u8(8, 4), scalar(0.25), scalar(1, np.uint8), scalar(1.0), scalar(101, np.uint8))
case("QLinearMatMul", u8(3, 16), scales(3, 1), u8(3, 1), u8(16, 5), scalar(0.01), scalar(120, np.uint8), scalar(0.05), scalar(100, np.uint8), reference="onnx")
