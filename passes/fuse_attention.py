"""The `fuse-attention` pass: attention written as MatMul, Softmax and MatMul becomes one `dfg.attention`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, ModuleOp, TensorType, f32, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ramiel.dialects.dfg.activation import SoftmaxOp
from ramiel.dialects.dfg.attention import AttentionOp
from ramiel.dialects.dfg.constant import constant_array
from ramiel.dialects.dfg.elementwise import AddOp, DivOp, MulOp
from ramiel.dialects.dfg.linalg import MatMulOp
from ramiel.dialects.dfg.shape import TransposeOp
from ramiel.onnx_types import static_shape
from ramiel.rewrites.matching import (
    factors,
    owner_if_read_once,
    same_type,
    scalar_constant,
)

MASKED = -1e30
"""A mask entry at or below this hides its key: added to any finite score, the
softmax weight it leaves is exp(-1e30) = 0 in every float type, as for -inf."""

_SDPA_TYPES = ("f32", "f64")
"""Element types `dfg.attention` computes with `F.scaled_dot_product_attention`."""


class _Scores(NamedTuple):
    """Q @ K^T times `scale`, as a pattern found it."""

    q: SSAValue
    k: SSAValue
    scale: float


def _scaled(value: SSAValue) -> tuple[SSAValue, float]:
    """`value` as `x * scale`: through a product or a division by a scalar constant read once."""
    division = owner_if_read_once(value, DivOp)
    if division is not None and (divisor := scalar_constant(division.operands[1])):
        return division.operands[0], 1.0 / divisor
    product = owner_if_read_once(value, MulOp)
    if product is not None:
        values, scale = factors(product)
        if len(values) == 1:
            return values[0], scale
    return value, 1.0


def _transposed_key(value: SSAValue) -> SSAValue | None:
    """K, when `value` is K with its last two axes swapped by a Transpose."""
    transpose = value.owner
    if not isinstance(transpose, TransposeOp):
        return None
    rank = len(static_shape(transpose.operands[0].type))
    perm = transpose.python_attributes().get("perm")
    # Without `perm`, Transpose reverses the axes.
    given = list(range(rank))[::-1] if perm is None else list(perm)  # pyright: ignore[reportArgumentType]
    if rank < 2 or given != [*range(rank - 2), rank - 1, rank - 2]:
        return None
    return transpose.operands[0]


def _scores(value: SSAValue) -> _Scores | None:
    """Q, K and the scale, when `value` is (Q * a) @ (K^T * b) * c, every inner value read once."""
    product, scale = _scaled(value)
    matmul = owner_if_read_once(product, MatMulOp)
    if matmul is None:
        return None
    q, q_scale = _scaled(matmul.operands[0])
    key, k_scale = _scaled(matmul.operands[1])
    k = _transposed_key(key)
    return None if k is None else _Scores(q, k, scale * q_scale * k_scale)


def _is_causal_mask(value: SSAValue, scores: SSAValue) -> bool:
    """Whether `value` is a constant that hides from each query the keys after it, and only those."""
    mask = constant_array(value)
    shape = static_shape(scores.type)
    if mask is None or mask.ndim > len(shape) or mask.ndim < 2 or any(d != 1 for d in mask.shape[:-2]):
        return False
    rows, columns = shape[-2:]
    if rows != columns or mask.shape[-2:] != (rows, columns) or mask.dtype.kind != "f":
        return False
    square = mask.reshape(rows, columns)
    above = np.triu(np.ones((rows, columns), dtype=bool), 1)
    return bool(np.all(square[~above] == 0) and np.all(square[above] <= MASKED))


def _unmasked(value: SSAValue) -> tuple[SSAValue, bool]:
    """The scores before a causal mask, and whether `value` added one."""
    add = owner_if_read_once(value, AddOp)
    if add is not None:
        for scores, mask in (add.operands, reversed(add.operands)):
            if same_type(scores, value) and _is_causal_mask(mask, scores):
                return scores, True
    return value, False


def _shapes_fit(q: SSAValue, k: SSAValue, v: SSAValue) -> bool:
    """Whether Q, K and V are 3-D or 4-D tensors of one batch (and heads), with Q and K of one width."""
    q_shape, k_shape, v_shape = (static_shape(x.type) for x in (q, k, v))
    element = {str(t.get_element_type()) for t in (q.type, k.type, v.type) if isinstance(t, TensorType)}
    return (
        len(q_shape) in (3, 4)
        and len(q_shape) == len(k_shape) == len(v_shape)
        and q_shape[:-2] == k_shape[:-2] == v_shape[:-2]
        and q_shape[-1] == k_shape[-1]
        and k_shape[-2] == v_shape[-2]
        and len(element) == 1
        and element <= set(_SDPA_TYPES)
    )


class AttentionFromMatMuls(RewritePattern):
    """softmax(Q @ K^T * scale [+ causal mask]) @ V becomes Attention with that scale.

    The match starts at the second MatMul. The scale may be a product or a division
    by a scalar constant, applied to the scores or to Q and K^T apart (as torch's
    exporter writes scaled_dot_product_attention), K^T must be a Transpose of K's
    last two axes, the softmax must run over the last axis, and a constant mask that
    hides exactly the later keys becomes `is_causal`. Q, K and V are 3-D (one head)
    or 4-D with equal leading dimensions, in float32 or float64, and every inner
    value has no other reader.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: MatMulOp, rewriter: PatternRewriter) -> None:
        softmax = owner_if_read_once(op.operands[0], SoftmaxOp)
        if softmax is None:
            return
        rank = len(static_shape(softmax.operands[0].type))
        if softmax.python_attributes().get("axis", -1) not in (-1, rank - 1):
            return
        unmasked, causal = _unmasked(softmax.operands[0])
        scores = _scores(unmasked)
        v = op.operands[1]
        if scores is None or not _shapes_fit(scores.q, scores.k, v):
            return
        properties: dict[str, Attribute] = {"scale": FloatAttr(scores.scale, f32)}
        if causal:
            properties["is_causal"] = IntegerAttr(1, i64)
        if rank == 3:
            properties |= {"q_num_heads": IntegerAttr(1, i64), "kv_num_heads": IntegerAttr(1, i64)}
        # Sorted, so that the op prints its properties in the order its text parses back in.
        ordered = dict(sorted(properties.items()))
        attention = AttentionOp.build([scores.q, scores.k, v], [op.results[0].type], ordered, op.attributes)
        attention.location = op.location
        attention.results[0].name_hint = op.results[0].name_hint
        rewriter.replace(op, attention)


@dataclass(frozen=True)
class FuseAttention(ModulePass):
    """Attention written as MatMul, Softmax and MatMul, as the exporters write it, becomes one `dfg.attention`.

        %kt = dfg.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x4x8x16xf32>) -> tensor<1x4x16x8xf32>
        %s = dfg.mat_mul %q, %kt : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
        %t = dfg.mul %s, %scale : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
        %p = dfg.softmax %t : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
        %y = dfg.mat_mul %p, %v : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>

    becomes

        %y = dfg.attention %q, %k, %v {scale = 2.500000e-01 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>

    which `F.scaled_dot_product_attention` computes in one call instead of five,
    without the score tensor passing through memory three times. The result
    differs from the written-out chain by float rounding only.
    """

    name = "fuse-attention"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        PatternRewriteWalker(GreedyRewritePatternApplier([AttentionFromMatMuls()])).rewrite_module(op)
