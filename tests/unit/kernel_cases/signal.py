"""Kernel cases of the signal operators.

Their integer inputs fix the output shape, so they are constants. onnxruntime
has no bfloat16 windows, and ONNX's reference computes those in bfloat16 from
the start: their expected values are onnxruntime's float64 ones rounded once
(it sums the cosines in float64, with the coefficients as float32 constants).
onnxruntime computes MelWeightMatrix for float32 edges only, ONNX's reference
(which it agrees with) for the others.
"""

import numpy as np
import onnx

from tests.unit.kernel_cases.core import case, scalar

BF16 = np.dtype("bfloat16")
_OUTPUT_TYPES = ("float16", "float64", "int32", "uint8", "uint64")

_F32 = np.float32
_COEFFICIENTS = {
    "HannWindow": (0.5, 0.5, 0.0),
    "HammingWindow": (_F32(25 / 46), 1 - _F32(25 / 46), 0.0),
    "BlackmanWindow": ((1 - _F32(0.16)) / 2, 0.5, _F32(0.16) / 2),
}
"""a0, a1, a2 of a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N), as onnxruntime's float32 constants."""


def _window(op: str, size: int, periodic: int) -> np.ndarray:
    a0, a1, a2 = (float(_F32(a)) for a in _COEFFICIENTS[op])
    angles = 2 * np.pi / np.float64(size if periodic else size - 1) * np.arange(size)
    return a0 - a1 * np.cos(angles) + a2 * np.cos(2 * angles)


for _op in _COEFFICIENTS:
    for _size in (1, 2, 7, 8, 10):
        for _periodic in (0, 1):
            # A symmetric window of size 1 divides by zero.
            if _size > 1 or _periodic:
                case(_op, scalar(_size, np.int64), const=(0,), periodic=_periodic)
    # The Blackman window's centre is 1, as the sum of its coefficients.
    for _dtype in _OUTPUT_TYPES:
        _datatype = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(_dtype))
        case(_op, scalar(8, np.int32), const=(0,), output_datatype=_datatype)
    _expected = (_window(_op, 8, 1).astype(BF16),)
    case(_op, scalar(8, np.int32), const=(0,), output_datatype=onnx.TensorProto.BFLOAT16, reference=_expected)
with np.errstate(invalid="ignore", divide="ignore"):
    case("HannWindow", scalar(1, np.int64), const=(0,), periodic=0, reference=(_window("HannWindow", 1, 0).astype(np.float32),))

_MEL = (
    (8, 64, 8000, 0.0, 4000.0),
    (5, 31, 16000, 100.0, 7000.0),
    (12, 256, 22050, 20.0, 11025.0),
    (3, 16, 8000, 300.0, 3400.0),
)
for _bins, _length, _rate, _low, _high in _MEL:
    _integers = [scalar(v, np.int64) for v in (_bins, _length, _rate)]
    _edges = [scalar(_low), scalar(_high)]
    case("MelWeightMatrix", *_integers, *_edges, const=(0, 1, 2, 3, 4))
    # Edges known only at run time, and in the other float types.
    case("MelWeightMatrix", *_integers, *_edges, const=(0, 1, 2))
    for _dtype in (np.float64, np.float16, BF16):
        _typed = [edge.astype(_dtype) for edge in _edges]
        case("MelWeightMatrix", *_integers, *_typed, const=(0, 1, 2), reference="onnx")
for _dtype in (*_OUTPUT_TYPES, "bfloat16"):
    _datatype = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(_dtype))
    _inputs = (scalar(6, np.int32), scalar(40, np.int32), scalar(16000, np.int32), scalar(50.0), scalar(8000.0))
    case("MelWeightMatrix", *_inputs, const=(0, 1, 2), output_datatype=_datatype, reference="onnx")
