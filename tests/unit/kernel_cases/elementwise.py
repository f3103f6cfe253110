"""Kernel cases of the elementwise operators."""

import numpy as np
import onnx

from tests.unit.kernel_cases.core import both, case, f32, i64, rand, scalar

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

# Every element type the schemas allow: uint16, uint32 and uint64 computed through
# int64 (with values that use the top bit, and results that wrap), int16, bfloat16
# (onnxruntime has no bfloat16 kernels, nor takes bfloat16 inputs: ONNX's reference
# evaluator computes those).
BF16 = np.dtype("bfloat16")
U64 = np.array([2**64 - 1, 2**63, 2**63 - 1, 12345678901234567890, 3, 0], dtype=np.uint64)
U64_OTHER = np.array([2**63 + 5, 2, 2**64 - 2, 987654321, 3, 7], dtype=np.uint64)
U32 = np.array([2**32 - 1, 2**31, 7, 3000000000, 3, 0], dtype=np.uint32)
U32_OTHER = np.array([2, 2**31 + 9, 2**32 - 2, 5, 3, 1], dtype=np.uint32)
U16 = np.array([65535, 32768, 7, 40000, 3, 0], dtype=np.uint16)
U16_OTHER = np.array([2, 32770, 65534, 5, 3, 1], dtype=np.uint16)
I16 = np.array([32767, -32768, -7, 20000, 3, 0], dtype=np.int16)
I16_OTHER = np.array([2, 3, -5, 20000, -3, 1], dtype=np.int16)
_UNSIGNED = ((U16, U16_OTHER), (U32, U32_OTHER), (U64, U64_OTHER))
_INTEGERS = ((I16, I16_OTHER), *_UNSIGNED)


def _bf16(*shape: int, low: float = -2.0, high: float = 2.0) -> np.ndarray:
    return rand(*shape, low=low, high=high).astype(BF16)


def _nonzero(values: np.ndarray) -> np.ndarray:
    """`values` with zeros made ones (divisors)."""
    return np.where(values == 0, 1, values).astype(values.dtype)


for _a, _b in _INTEGERS:
    for _op in ("Add", "Sub", "Mul", "Max", "Min", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"):
        case(_op, _a, _b, reference="onnx")
    case("Div", _a, _nonzero(_b), reference="onnx")
    case("Mod", _a, _nonzero(_b), reference="onnx")
    case("Mod", _a, _nonzero(_b), fmod=1, reference="onnx")
    case("Abs", _a, reference="onnx")
    case("Sign", _a, reference="onnx")
    case("Max", _a, _b, _b[::-1].copy(), reference="onnx")
    case("Where", _a > _b, _a, _b[:1], reference="onnx")
    case("Clip", _a, _b[4:5].reshape(()), _a[2:3].reshape(()), const=(1, 2), reference="onnx")
    case("Clip", _a, _b[4:5].reshape(()), _a[2:3].reshape(()), reference="onnx")
    case("Clip", _a, None, _b[1:2].reshape(()), const=(2,), reference="onnx")
case("Div", U64, np.array([2**63 + 1, 2**63, 1, 3, 2**64 - 1, 5], dtype=np.uint64), reference="onnx")
case("Div", U64.reshape(2, 3), np.array([7], dtype=np.uint64), reference="onnx")
case("Add", U32.reshape(2, 3), np.array(4000000000, dtype=np.uint32), const=(1,), reference="onnx")
case("Sub", U64, np.array([5], dtype=np.uint64), const=(1,), reference="onnx")
case("Neg", I16, reference="onnx")
case("Add", rand(2, 3, dtype=np.int8, low=100, high=127), rand(3, dtype=np.int8, low=50, high=127))
case("Mul", rand(2, 3, dtype=np.int16, low=200, high=900), rand(3, dtype=np.int16, low=100, high=900))
case("Mod", rand(6, dtype=np.int16, low=-20, high=20), rand(6, dtype=np.int16, low=1, high=7) * np.array([1, -1] * 3, np.int16))
case("Pow", rand(2, 3, dtype=np.int32, low=-3, high=4), U32[4:5] - U32[5:6], reference="onnx")
case("Pow", rand(2, 3, dtype=np.int64, low=-3, high=4), np.array([2], dtype=np.uint16), const=(1,), reference="onnx")
case("Pow", rand(2, 2, low=0.5, high=2.0), U64[4:], reference="onnx")
case("Pow", rand(2, 3, low=0.5, high=2.0), np.array([3, 2, 0], dtype=np.uint32), reference="onnx")
case("Pow", rand(3).astype(np.float16), rand(3, dtype=np.uint8, low=0, high=4), reference="onnx")
for _op in ("Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "Pow"):
    case(_op, _bf16(2, 3, low=0.5), _bf16(3, low=0.5), reference="onnx")
    case(_op, rand(2, 3, low=0.5).astype(np.float16), rand(3, low=0.5).astype(np.float16), reference="onnx")
    case(_op, rand(2, 3, low=0.5).astype(np.float64), rand(3, low=0.5).astype(np.float64), reference="onnx")
for _op in ("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"):
    case(_op, np.round(_bf16(3, 4)), np.round(_bf16(4)), reference="onnx")
    case(_op, np.round(rand(3, 4)).astype(np.float16), np.round(rand(4)).astype(np.float16))
    case(_op, np.round(rand(3, 4)), np.round(rand(3, 1)))
    case(_op, rand(3, 4, dtype=np.int8, low=-2, high=2), rand(4, dtype=np.int8, low=-2, high=2))
case("Mod", _bf16(6, low=-5, high=5), _bf16(6, low=0.5) * np.array([1, -1] * 3, BF16), fmod=1, reference="onnx")
case("Mod", rand(6, low=-5, high=5).astype(np.float16), rand(6, low=0.5, high=2).astype(np.float16), fmod=1)
case("Mod", rand(6, low=-5, high=5).astype(np.float64), rand(6, low=0.5, high=2).astype(np.float64) * np.array([1, -1] * 3))
case("Equal", rand(3, dtype=np.uint8, low=0, high=3), rand(3, dtype=np.uint8, low=0, high=3))
for _x in (_bf16(3, 4), rand(3, 4, dtype=np.int16, low=-9, high=9), np.array([True, False, True])):
    case("Where", rand(*_x.shape) > 0, _x, _x[::-1].copy(), reference="onnx")
for _x in (_bf16(2, 3), rand(2, 3).astype(np.float16), rand(2, 3).astype(np.float64)):
    case("Abs", _x, reference="onnx")
    case("Neg", _x, reference="onnx")
    case("Relu", _x, reference="onnx")
    case("Clip", _x, np.array(-0.5, _x.dtype), np.array(1.0, _x.dtype), const=(1, 2), reference="onnx")
    case("Sum", _x, _x[:1], _x, reference="onnx")
case("Relu", I16, reference="onnx")
case("Mean", rand(2, 3))
case("Mean", rand(2, 3), rand(3), rand(2, 1))
case("Mean", rand(4).astype(np.float16), rand(4).astype(np.float16), reference="onnx")

# Unary math, rounding and floating-point classes.
_SPECIAL = f32(np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.5)
for _op in ("Sin", "Cos", "Tan", "Atan", "Sinh", "Cosh", "Asinh", "Ceil", "Floor", "Round", "Sign", "IsNaN", "IsInf"):
    case(_op, rand(2, 3, 4, low=-3, high=3))
    case(_op, rand(2, 3, low=-3, high=3).astype(np.float16))
    case(_op, rand(2, 3, low=-3, high=3).astype(np.float64), reference="onnx")
    case(_op, _bf16(2, 3, low=-3, high=3), reference="onnx")
for _op in ("Atan", "Sinh", "Cosh", "Asinh", "Ceil", "Floor", "Round", "Sign"):
    case(_op, _SPECIAL)
for _op in ("Asin", "Acos", "Atanh"):
    case(_op, rand(2, 3, 4, low=-0.99, high=0.99))
    case(_op, f32(-1.0, -0.5, 0.0, 1.0))
    case(_op, rand(2, 3, low=-0.99, high=0.99).astype(np.float64), reference="onnx")
    case(_op, _bf16(2, 3, low=-0.99, high=0.99), reference="onnx")
case("Acosh", rand(2, 3, 4, low=1.0, high=4.0))
case("Acosh", f32(1.0, 2.0, np.inf))
case("Acosh", _bf16(2, 3, low=1.0, high=4.0), reference="onnx")
case("IsNaN", _SPECIAL)
case("Round", f32(0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49, -3.51, 1e30))
case("Round", np.array([0.5, 1.5, 2.5, -2.5], np.float16))
case("Sign", rand(6, dtype=np.int8, low=-3, high=3))
case("Sign", rand(6, dtype=np.uint8, low=0, high=3))
case("Sign", rand(6, dtype=np.int64, low=-3, high=3))
for _negative, _positive in ((1, 1), (1, 0), (0, 1), (0, 0)):
    case("IsInf", _SPECIAL, detect_negative=_negative, detect_positive=_positive)
    case("IsInf", _SPECIAL.astype(np.float64), detect_negative=_negative, detect_positive=_positive)

# Logic and bits.
_BOOLS = (rand(2, 3, 4) > 0, rand(3, 4) > 0, rand(4) > 0)
for _op in ("And", "Or", "Xor"):
    case(_op, _BOOLS[0], _BOOLS[0][::-1].copy())
    case(_op, _BOOLS[0], _BOOLS[1])
    case(_op, _BOOLS[2], _BOOLS[0])
case("Not", _BOOLS[0])
_BITS = (
    (rand(2, 3, dtype=np.int8, low=-128, high=127), rand(3, dtype=np.int8, low=-128, high=127)),
    (rand(2, 3, dtype=np.uint8, low=0, high=255), rand(3, dtype=np.uint8, low=0, high=255)),
    (rand(2, 3, dtype=np.int32, low=-(2**31), high=2**31 - 1), rand(3, dtype=np.int32, low=-(2**31), high=2**31 - 1)),
    (rand(2, 3, dtype=np.int64, low=-(2**62), high=2**62), rand(3, dtype=np.int64, low=-(2**62), high=2**62)),
    *_INTEGERS,
)
for _a, _b in _BITS:
    for _op in ("BitwiseAnd", "BitwiseOr", "BitwiseXor"):
        case(_op, _a, _b)
    case("BitwiseNot", _a)
# Shifts by 0 to 70 bits and by negative amounts (the sign fill, ONNX opset 28).
for _dtype in (np.uint8, np.uint16, np.uint32, np.uint64, np.int8, np.int16, np.int32, np.int64):
    _bits = np.dtype(_dtype).itemsize * 8
    _x = np.array([1, 5, 3, 2**_bits - 1, 2 ** (_bits - 1), 2 ** (_bits - 2) + 1, 0, 7], dtype=np.uint64).astype(_dtype)
    _amounts = np.array([0, 1, 3, _bits - 1, _bits, _bits + 6, 2, 1], dtype=_dtype)
    if np.issubdtype(_dtype, np.signedinteger):
        _amounts[-1] = -1
    for _direction in ("LEFT", "RIGHT"):
        case("BitShift", _x, _amounts, direction=_direction, reference="onnx")
        case("BitShift", _x.reshape(2, 4), _amounts[1:2], direction=_direction, reference="onnx")

# Cast between every two element types, with values each type holds (conversions
# out of range are undefined) and integer conversions that wrap.
_TYPES = ("float32", "float16", "bfloat16", "float64", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool")
_FRACTIONS = np.array([0.0, 1.0, 2.5, 7.75, 100.0, 0.3, 126.9, 1e-3])
_WRAPPING = np.array([-300, 300, 70000, -1, 2**40 + 3, -(2**35), 127, 0], dtype=np.int64)
for _source in _TYPES:
    _values = (_FRACTIONS > 0.5) if _source == "bool" else _FRACTIONS.astype(_source)
    for _target in _TYPES:
        _to = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(_target))
        case("Cast", _values, to=_to, reference="onnx" if "bfloat16" in (_source, _target) else "onnxruntime")
    if _source not in ("bool", "bfloat16") and _source != "int64":
        case("Cast", _WRAPPING, to=onnx.helper.np_dtype_to_tensor_dtype(np.dtype(_source)))
case("Cast", f32(np.nan, np.inf, -np.inf, 0.0, -0.0), to=onnx.TensorProto.BOOL)
case("Cast", U64, to=onnx.TensorProto.FLOAT)
case("Cast", U64, to=onnx.TensorProto.INT64)
case("Cast", rand(8).astype(np.float64) * 1000, to=onnx.TensorProto.FLOAT16)
case("Cast", rand(8) * 1000, to=onnx.TensorProto.BFLOAT16, reference="onnx")
case("CastLike", rand(3, 4, low=-5, high=5), i64(0), reference="onnx")
case("CastLike", rand(3, 4), np.zeros(2, np.float16), reference="onnx")
case("CastLike", rand(3, 4), np.zeros(2, BF16), reference="onnx")
case("CastLike", U32, np.zeros((), np.float64), reference="onnx")
case("CastLike", rand(3, 4), f32(0.0), reference="onnx")

# BitCast between every two element types of one width, of the bits of floats
# (NaN and infinities included) or of any bytes; booleans from bytes that are 0
# or 1 (onnxruntime has no bool BitCast).
_WIDTHS = {
    8: ("int8", "uint8"),
    16: ("float16", "bfloat16", "int16", "uint16"),
    32: ("float32", "int32", "uint32"),
    64: ("float64", "int64", "uint64"),
}
_BITS_OF_WIDTH = {
    8: np.array([0, 1, 127, 128, 255], np.uint8),
    16: np.concatenate([rand(6, low=-100, high=100), f32(np.nan, np.inf, -np.inf, -0.0)]).astype(np.float16),
    32: f32(np.nan, np.inf, -0.0, 1.5, -3e38, 1e-40, 7.0),
    64: np.concatenate([rand(6, low=-1e10, high=1e10), f32(np.nan, -np.inf)]).astype(np.float64),
}
for _width, _names in _WIDTHS.items():
    for _source in _names:
        for _target in _names:
            _to = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(_target))
            _reference = "onnx" if "bfloat16" in (_source, _target) else "onnxruntime"
            case("BitCast", _BITS_OF_WIDTH[_width].view(_source), to=_to, reference=_reference)
for _bytes in (np.array([0, 1, 1, 0], np.uint8), np.array([0, 1], np.int8)):
    case("BitCast", _bytes, to=onnx.TensorProto.BOOL, reference="onnx")
case("BitCast", np.array([True, False, True]), to=onnx.TensorProto.UINT8, reference="onnx")
case("BitCast", np.array([True, False, True]), to=onnx.TensorProto.BOOL, reference="onnx")
