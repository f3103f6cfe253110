"""The `fuse-attention` pass: attention written as MatMul, Softmax and MatMul becomes one `dfg.attention`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, cast

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    DenseArrayBase,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    TensorType,
    f32,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from ramiel.dialects.dfg.activation import SoftmaxOp
from ramiel.dialects.dfg.attention import AttentionOp
from ramiel.dialects.dfg.constant import constant_array
from ramiel.dialects.dfg.elementwise import AddOp
from ramiel.dialects.dfg.linalg import MatMulOp
from ramiel.dialects.dfg.shape import TransposeOp
from ramiel.onnx_types import static_shape
from ramiel.rewrites.matching import (
    owner_if_read_once,
    same_type,
    scaled,
)

MASKED = -1e30
"""A mask entry at or below this hides its key: added to any finite score, the
softmax weight it leaves is exp(-1e30) = 0 in every float type, as for -inf."""

_SDPA_TYPES = ("f32", "f64")
"""Element types `dfg.attention` computes with `F.scaled_dot_product_attention`."""


class _Scores(NamedTuple):
    """Q @ K^T times `scale`, as a pattern found it."""

    q: SSAValue
    k: _Key
    transposed: SSAValue
    """K^T as the product read it."""
    scale: float


class _Key(NamedTuple):
    """K as a Transpose of `source` by `perm`, or `source` itself when `perm` is None."""

    source: SSAValue
    perm: tuple[int, ...] | None


def _transposed_key(value: SSAValue) -> _Key | None:
    """K, when `value` is a Transpose whose last two axes, swapped back, give K.

    A Transpose that only swaps them transposes K itself; one that also moves other
    axes (a head split and the swap in one, as torch's dynamo exporter writes) gives
    K as a Transpose of its input by the permutation with the last two swapped back.
    """
    transpose = value.owner
    if not isinstance(transpose, TransposeOp):
        return None
    rank = len(static_shape(transpose.operands[0].type))
    perm = transpose.python_attributes().get("perm")
    # Without `perm`, Transpose reverses the axes.
    given = list(range(rank))[::-1] if perm is None else list(perm)  # pyright: ignore[reportArgumentType]
    if rank < 2:
        return None
    key = (*given[:-2], given[-1], given[-2])
    return _Key(transpose.operands[0], None if key == tuple(range(rank)) else key)


def _scores(value: SSAValue) -> _Scores | None:
    """Q, K and the scale, when `value` is (Q * a) @ (K^T * b) * c, every inner value read once."""
    product, scale = scaled(value)
    matmul = owner_if_read_once(product, MatMulOp)
    if matmul is None:
        return None
    q, q_scale = scaled(matmul.operands[0])
    key, k_scale = scaled(matmul.operands[1])
    k = _transposed_key(key)
    return None if k is None else _Scores(q, k, key, scale * q_scale * k_scale)


def _key_value(scores: _Scores, rewriter: PatternRewriter, before: Operation) -> SSAValue:
    """K itself, or a Transpose giving it inserted before `before`."""
    if scores.k.perm is None:
        return scores.k.source
    shape = list(static_shape(scores.transposed.type))
    shape[-2:] = shape[-1], shape[-2]
    element = cast(TensorType, scores.transposed.type).get_element_type()
    properties = {"perm": DenseArrayBase.from_list(i64, scores.k.perm)}
    transpose = TransposeOp.build([scores.k.source], [TensorType(element, shape)], properties)
    transpose.results[0].name_hint = "key"
    rewriter.insert(transpose, InsertPoint.before(before))
    return transpose.results[0]


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


class _Masked(NamedTuple):
    """The scores before a mask was added, and the mask: causal, or a tensor Attention adds as `attn_mask`."""

    scores: SSAValue
    causal: bool = False
    mask: SSAValue | None = None


def _adds_as_attention(mask: SSAValue, scores: SSAValue) -> bool:
    """Whether Attention, given `mask` as `attn_mask`, adds it to `scores` as an Add does.

    The mask must cover every key (Attention pads a shorter one with -inf) and
    broadcast to the scores' 4-D heads as to the scores themselves.
    """
    shape, target = static_shape(mask.type), static_shape(scores.type)
    element = mask.type.get_element_type() if isinstance(mask.type, TensorType) else None
    return (
        isinstance(scores.type, TensorType)
        and element == scores.type.get_element_type()
        and 0 < len(shape) <= len(target)
        and shape[-1] == target[-1]
        and (len(target) == 4 or len(shape) < 3 or shape[0] == 1)
    )


def _unmasked(value: SSAValue) -> _Masked:
    """The scores before a mask added to them (a constant causal one, or a tensor Attention adds), if any."""
    add = owner_if_read_once(value, AddOp)
    if add is not None:
        for scores, mask in (add.operands, reversed(add.operands)):
            if same_type(scores, value) and _is_causal_mask(mask, scores):
                return _Masked(scores, causal=True)
        for scores, mask in (add.operands, reversed(add.operands)):
            if same_type(scores, value) and _adds_as_attention(mask, scores):
                return _Masked(scores, mask=mask)
    return _Masked(value)


def _shapes_fit(q: SSAValue, transposed: SSAValue, v: SSAValue) -> bool:
    """Whether Q, K (given as K^T) and V are 3-D or 4-D tensors of one batch (and heads), with Q and K of one width."""
    q_shape, kt_shape, v_shape = (tuple(static_shape(x.type)) for x in (q, transposed, v))
    k_shape = (*kt_shape[:-2], *kt_shape[-1:], *kt_shape[-2:-1])
    element = {str(t.get_element_type()) for t in (q.type, transposed.type, v.type) if isinstance(t, TensorType)}
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

    The match starts at the second MatMul. The scale, positive, may be a product or
    a division by a scalar constant, applied to the scores or to Q and K^T apart (as
    torch's exporter writes scaled_dot_product_attention); K^T must be a Transpose
    of K's last two axes, the softmax must run over the last axis; a constant mask
    that hides exactly the later keys becomes `is_causal`, and another mask added to
    the scores becomes `attn_mask` where Attention adds it alike (it covers every
    key, in the scores' type). Q, K and V are 3-D (one head)
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
        masked = _unmasked(softmax.operands[0])
        scores = _scores(masked.scores)
        v = op.operands[1]
        # Attention's scale is positive: a product by a negative number stays written out.
        if scores is None or scores.scale <= 0 or not _shapes_fit(scores.q, scores.transposed, v):
            return
        properties: dict[str, Attribute] = {"scale": FloatAttr(scores.scale, f32)}
        if masked.causal:
            properties["is_causal"] = IntegerAttr(1, i64)
        if rank == 3:
            properties |= {"q_num_heads": IntegerAttr(1, i64), "kv_num_heads": IntegerAttr(1, i64)}
        # Sorted, so that the op prints its properties in the order its text parses back in.
        ordered = dict(sorted(properties.items()))
        inputs = [scores.q, _key_value(scores, rewriter, op), v, masked.mask]
        attention = AttentionOp.build(inputs, [op.results[0].type], ordered, op.attributes)
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
