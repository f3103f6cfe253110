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
