"""Kernel cases of the Fourier transforms: DFT and STFT.

onnxruntime has them in float32 and float64; ONNX's reference (numpy's float64 transforms) serves
the half precisions.
"""

import numpy as np

from tests.unit.kernel_cases.core import case, i64, rand, scalar


def _axis(value: int) -> np.ndarray:
    return scalar(value, np.int64)


_REAL = rand(2, 8, 5, 1)
_COMPLEX = rand(2, 8, 5, 2)
for _x in (_REAL, _COMPLEX):
    # Axis and length constant, or read at run time.
    case("DFT", _x, None, _axis(1), const=(2,))
    case("DFT", _x, None, _axis(-3))
    case("DFT", _x, None, _axis(2), const=(2,), inverse=1)
    case("DFT", _x, scalar(12, np.int64), _axis(1), const=(1, 2))
    case("DFT", _x, scalar(6, np.int32), _axis(1))
case("DFT", rand(3, 10, 1))
# One-sided: the forward transform of a real signal (RFFT), the inverse giving one (IRFFT).
case("DFT", _REAL, None, _axis(1), const=(2,), onesided=1)
case("DFT", _REAL, scalar(7, np.int64), _axis(2), const=(1, 2), onesided=1)
case("DFT", rand(2, 5, 5, 2), None, _axis(1), const=(2,), inverse=1, onesided=1)
case("DFT", rand(2, 5, 5, 2), scalar(9, np.int64), _axis(1), const=(1, 2), inverse=1, onesided=1)
case("DFT", rand(4, 6, 2, dtype=np.float64), None, _axis(0), const=(2,))
case("DFT", rand(4, 6, 1, dtype=np.float16), None, None, reference="onnx")
case("DFT", rand(4, 6, 2, dtype=np.float16), scalar(8, np.int64), _axis(0), const=(1, 2), inverse=1, reference="onnx")

_SIGNAL = rand(2, 64, 1)
case("STFT", _SIGNAL, scalar(8, np.int64), rand(16), const=(1,))
case("STFT", _SIGNAL, scalar(8, np.int64), None, scalar(16, np.int64))
case("STFT", _SIGNAL, scalar(5, np.int32), rand(12), scalar(12, np.int32), const=(1, 3), onesided=0)
case("STFT", rand(1, 40, 2), scalar(7, np.int64), np.hanning(10).astype(np.float32), const=(1,), onesided=0)
case("STFT", rand(1, 30, 1, dtype=np.float64), scalar(10, np.int64), rand(10, dtype=np.float64), const=(1,))
case("STFT", rand(1, 9, 1), i64(3), None, i64(9), const=(1, 3))
