"""Matrix products and determinants: one row per op.

    %y = dfg.gemm %a, %w, %b {transB = 1 : i64} : (tensor<1x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    %d = dfg.det %m : (tensor<4x3x3xf32>) -> tensor<4xf32>
"""

from __future__ import annotations

import math

from ramiel.costmodel import OpWork, elementwise_work, gemm_work, matmul_work
from ramiel.dialects.dfg.base import (
    DfgOp,
    Shapes,
    broadcasts_to,
    expect,
    onnx_op,
    shape_text,
)
from ramiel.dialects.dfg.elementwise import through_int64
from ramiel.kernels import KernelWriter, float_literal, keyword_args, template
from ramiel.onnx_types import static_shape
from ramiel.opview import OpView


# torch has no uint32 or uint64 matrix products; wrapping int64 ones keep their low bits.
@onnx_op("MatMul", kernel=through_int64(template("{0} @ {1}")), fresh=True, work=matmul_work)
class MatMulOp(DfgOp):
    """ONNX `MatMul`, with numpy's broadcasting of batch dimensions.

        %y = dfg.mat_mul %a, %b : (tensor<2x4x8xf32>, tensor<8x3xf32>) -> tensor<2x4x3xf32>
    """


def _gemm(n: KernelWriter) -> str:
    """Gemm: alpha * A' @ B' + beta * C, as `F.linear` when it is a plain linear layer."""
    alpha, beta = n.float_attr("alpha"), n.float_attr("beta")
    a, b = n.arg(0), n.arg(1)
    if n.attr("transA"):
        a = f"{a}.t()"
    with_c = n.has(2) and beta != 0.0
    if n.attr("transB") and alpha == 1.0 and (not with_c or (beta == 1.0 and n.shape(2) == n.out_shape[1:])):
        return f"F.linear({a}, {b}{', ' + n.arg(2) if with_c else ''})"
    if n.attr("transB"):
        b = f"{b}.t()"
    if with_c:
        keywords = {name: float_literal(value) for name, value in (("beta", beta), ("alpha", alpha)) if value != 1.0}
        return f"torch.addmm({n.arg(2)}, {a}, {b}{keyword_args(**keywords)})"
    return f"{a} @ {b}" if alpha == 1.0 else f"({a} @ {b}) * {float_literal(alpha)}"


@onnx_op("Gemm", kernel=through_int64(_gemm), fresh=True, work=gemm_work)
class GemmOp(DfgOp):
    """ONNX `Gemm`: alpha * A' @ B' + beta * C; `F.linear` when it is a plain linear layer.

        %y = dfg.gemm %a, %w, %b {transB = 1 : i64} : (tensor<1x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        c = shapes[2] if len(shapes) > 2 else None
        if c is None:
            return
        result = static_shape(self.results[0].type)
        expect(broadcasts_to(c, result), f"C of shape {shape_text(c)} does not broadcast to {shape_text(result)}")


def _det(n: KernelWriter) -> str:
    """Det: `torch.linalg.det`, float16 and bfloat16 matrices in float32 (torch has no half-precision LU)."""
    x, dtype = n.arg(0), n.dtype(0)
    if dtype in ("float16", "bfloat16"):
        return f"torch.linalg.det({x}.float()).to(torch.{dtype})"
    return f"torch.linalg.det({x})"


def _det_work(op: OpView) -> OpWork:
    """An LU factorisation per matrix: 2/3 * M^3 FLOPs each, as vector work (it is too small to run at GEMM rates)."""
    x = op.input_shapes[0]
    if x is None or len(x) < 2:
        return elementwise_work(op)
    count = math.prod(x[:-2])
    return OpWork(2.0 / 3.0 * count * x[-1] ** 3, elementwise_work(op).nbytes, "vector")


@onnx_op("Det", kernel=_det, fresh=True, work=_det_work)
class DetOp(DfgOp):
    """ONNX `Det`: the determinant of each square matrix of the last two dims.

        %d = dfg.det %m : (tensor<4x3x3xf32>) -> tensor<4xf32>
    """
