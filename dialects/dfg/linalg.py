"""Matrix products: one row per op.

    %y = dfg.gemm %a, %w, %b {transB = 1 : i64} : (tensor<1x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<1x10xf32>
"""

from __future__ import annotations

from ramiel.costmodel import gemm_work, matmul_work
from ramiel.dialects.dfg.base import (
    DfgOp,
    Shapes,
    broadcasts_to,
    expect,
    onnx_op,
    shape_text,
)
from ramiel.kernels import KernelWriter, float_literal, keyword_args, template
from ramiel.onnx_types import static_shape


@onnx_op("MatMul", kernel=template("{0} @ {1}"), fresh=True, work=matmul_work)
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


@onnx_op("Gemm", kernel=_gemm, fresh=True, work=gemm_work)
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
