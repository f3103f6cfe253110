"""Kernel cases of the linalg operators."""

import numpy as np

from tests.unit.kernel_cases.core import case, rand

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

case("Det", rand(3, 3))
case("Det", rand(4, 2, 2))
case("Det", rand(2, 3, 4, 4))
case("Det", rand(1, 1))
case("Det", np.array([[1.0, 2.0], [2.0, 4.0]], dtype=np.float32))
# onnxruntime has Det in float32 alone; small integers in half precision have exact determinants.
case("Det", rand(3, 5, 5, dtype=np.float64), reference="onnx")
_SMALL = rand(2, 3, 3, dtype=np.int8, low=-3, high=4)
case("Det", _SMALL.astype(np.float16), reference=(np.round(np.linalg.det(_SMALL)).astype(np.float16),))

# torch has no unsigned matrix products: wrapping int64 ones keep the low bits (onnxruntime has none either).
case("MatMul", rand(3, 4, dtype=np.int64, high=2**32).astype(np.uint32), rand(4, 2, dtype=np.int64, high=2**32).astype(np.uint32), reference="onnx")
case("MatMul", rand(2, 3, dtype=np.int64, high=2**62).astype(np.uint64) * 3, rand(3, 4, dtype=np.int64, high=2**40).astype(np.uint64), reference="onnx")
# ONNX's reference Gemm computes in float64: products below 2**53 stay exact.
case("Gemm", rand(2, 3, dtype=np.int64, high=2**20).astype(np.uint64), rand(3, 4, dtype=np.int64, high=2**20).astype(np.uint64), reference="onnx")
