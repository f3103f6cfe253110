"""The `fuse-normalization` pass: LayerNorm and RMSNorm written out with reductions become one op each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, cast

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
from xdsl.rewriter import InsertPoint

from ramiel.dialects.dfg.base import DfgOp
from ramiel.dialects.dfg.constant import ConstantOp, constant_array
from ramiel.dialects.dfg.elementwise import (
    AddOp,
    DivOp,
    MulOp,
    PowOp,
    ReciprocalOp,
    SqrtOp,
    SubOp,
)
from ramiel.dialects.dfg.normalization import LayerNormalizationOp, RMSNormalizationOp
from ramiel.dialects.dfg.reduction import ReduceMeanOp
from ramiel.onnx_types import numpy_dtype, static_shape
from ramiel.rewrites.matching import (
    is_close,
    owner_if_read_once,
    same_type,
    scalar_constant,
)


class _Spread(NamedTuple):
    """sqrt(mean(d^2 over the last `axes` axes) + epsilon), as a pattern found it."""

    axes: int
    epsilon: float


def _trailing_mean(value: SSAValue) -> tuple[SSAValue, int] | None:
    """The input and the number of reduced axes, when `value` is a ReduceMean read once
    that keeps its dimensions and reduces the trailing axes."""
    mean = owner_if_read_once(value, ReduceMeanOp)
    if mean is None or mean.python_attributes().get("keepdims", 1) != 1:
        return None
    rank = len(static_shape(mean.operands[0].type))
    axes = constant_array(mean.operands[1]) if len(mean.operands) > 1 else None
    if axes is None or rank == 0:
        return None
    reduced = sorted(int(a) % rank for a in axes.reshape(-1))
    if not reduced or reduced != list(range(rank - len(reduced), rank)):
        return None
    return mean.operands[0], len(reduced)


def _squared(value: SSAValue, d: SSAValue) -> bool:
    """Whether `value` is d^2, as `Pow(d, 2)` or `d * d`, read once."""
    power = owner_if_read_once(value, PowOp)
    if power is not None:
        return power.operands[0] is d and is_close(scalar_constant(power.operands[1]), 2.0)
    product = owner_if_read_once(value, MulOp)
    return product is not None and product.operands[0] is d and product.operands[1] is d


def _spread(value: SSAValue, d: SSAValue) -> _Spread | None:
    """The reduced axes and epsilon, when `value` is sqrt(mean(d^2) + epsilon), each inner value read once."""
    root = owner_if_read_once(value, SqrtOp)
    total = owner_if_read_once(root.operands[0], AddOp) if root is not None else None
    if total is None:
        return None
    for variance, epsilon in (total.operands, reversed(total.operands)):
        mean = _trailing_mean(variance)
        number = scalar_constant(epsilon)
        if mean is not None and number is not None and number >= 0 and _squared(mean[0], d):
            return _Spread(mean[1], number)
    return None


def _reciprocal_of(value: SSAValue) -> SSAValue | None:
    """s, when `value` is 1 / s, as a Reciprocal or a division of one, read once."""
    reciprocal = owner_if_read_once(value, ReciprocalOp)
    if reciprocal is not None:
        return reciprocal.operands[0]
    division = owner_if_read_once(value, DivOp)
    if division is not None and is_close(scalar_constant(division.operands[0]), 1.0):
        return division.operands[1]
    return None


def _normalized_by(op: DivOp | MulOp) -> tuple[SSAValue, SSAValue] | None:
    """(d, s) when `op` computes d / s, as a division or as d * (1 / s)."""
    if isinstance(op, DivOp):
        return op.operands[0], op.operands[1]
    for d, other in (op.operands, reversed(op.operands)):
        s = _reciprocal_of(other)
        if s is not None:
            return d, s
    return None


class _Normalization(NamedTuple):
    """What a normalization pattern found: the input, the kind, the reduced axes and epsilon."""

    x: SSAValue
    kind: type[LayerNormalizationOp] | type[RMSNormalizationOp]
    spread: _Spread


def _match(op: DivOp | MulOp) -> _Normalization | None:
    """The normalization `op` ends: (x - mean(x)) / spread(x - mean(x)) is LayerNorm, x / spread(x) RMSNorm."""
    parts = _normalized_by(op)
    if parts is None:
        return None
    d, s = parts
    centred = d.owner if isinstance(d.owner, SubOp) else None
    if centred is not None and (mean := _trailing_mean(centred.operands[1])) is not None and mean[0] is centred.operands[0]:
        spread = _spread(s, d)
        # d is read by the division and by the square `_spread` found: by nothing outside the chain.
        others = {use.operation for use in d.uses} - {op}
        if spread is not None and spread.axes == mean[1] and len(others) == 1:
            return _Normalization(centred.operands[0], LayerNormalizationOp, spread)
        return None
    spread = _spread(s, d)
    return None if spread is None else _Normalization(d, RMSNormalizationOp, spread)


def _affine_step(value: SSAValue, kind: type[MulOp] | type[AddOp], normalized: tuple[int, ...]) -> tuple[DfgOp, SSAValue] | None:
    """The op and its other operand when `value`, read once, is multiplied (or added) by a tensor of the
    normalized shape (or of fewer axes), keeping its shape."""
    if not value.has_one_use():
        return None
    user = next(iter(value.uses)).operation
    if not isinstance(user, kind) or not same_type(user.results[0], value):
        return None
    other = user.operands[1] if user.operands[0] is value else user.operands[0]
    shape = static_shape(other.type)
    if other is value or len(shape) > len(normalized) or tuple(shape) != normalized[len(normalized) - len(shape) :]:
        return None
    return user, other


class NormalizationFromReductions(RewritePattern):
    """(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) [* scale] [+ bias] becomes
    LayerNormalization; x / sqrt(mean(x^2) + eps) [* scale] becomes RMSNormalization.

    The means reduce the same trailing axes and keep them; the square may be a Pow
    or a product, the division a product with a Reciprocal or with 1 / s; the scale and bias are
    tensors of the normalized axes' shape (the last ones of it). Every inner value
    has no reader outside the chain. Without a scale, the fused op gets a constant
    one, which ONNX requires.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: DivOp | MulOp, rewriter: PatternRewriter) -> None:
        found = _match(op)
        if found is None or not same_type(found.x, op.results[0]):
            return
        shape = tuple(static_shape(found.x.type))
        normalized = shape[len(shape) - found.spread.axes :]
        last: DfgOp = op
        inputs: list[SSAValue | None] = [found.x, None, None]
        steps = [(MulOp, 1), (AddOp, 2)] if found.kind is LayerNormalizationOp else [(MulOp, 1)]
        for kind, index in steps:
            step = _affine_step(last.results[0], kind, normalized)
            if step is None:
                break
            last, inputs[index] = step
        if inputs[1] is None:
            dtype = numpy_dtype(cast(TensorType, found.x.type).get_element_type())
            ones = ConstantOp.of_array(np.ones(normalized, dtype), "ones")
            ones.results[0].name_hint = "ones"
            rewriter.insert(ones, InsertPoint.before(op))
            inputs[1] = ones.results[0]
        properties: dict[str, Attribute] = {
            "axis": IntegerAttr(-found.spread.axes, i64),
            "epsilon": FloatAttr(found.spread.epsilon, f32),
        }
        present = inputs if inputs[2] is not None else inputs[:2]
        fused = found.kind.build(present, [last.results[0].type], properties, last.attributes)
        fused.location = last.location
        fused.results[0].name_hint = last.results[0].name_hint
        rewriter.replace(last, fused)


@dataclass(frozen=True)
class FuseNormalization(ModulePass):
    """LayerNorm and RMSNorm written out with reductions, as exporters write them below
    opset 17 and for RMSNorm, become `dfg.layer_normalization` and `dfg.rmsnormalization`.

        %m = dfg.reduce_mean %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
        %d = dfg.sub %x, %m : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
        %p = dfg.pow %d, %two : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
        %v = dfg.reduce_mean %p, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
        %e = dfg.add %v, %eps : (tensor<1x4x1xf32>, tensor<f32>) -> tensor<1x4x1xf32>
        %s = dfg.sqrt %e : (tensor<1x4x1xf32>) -> tensor<1x4x1xf32>
        %n = dfg.div %d, %s : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
        %g = dfg.mul %n, %scale : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
        %y = dfg.add %g, %bias : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>

    becomes

        %y = dfg.layer_normalization %x, %scale, %bias : (tensor<1x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>

    one `F.layer_norm` (or `F.rms_norm`) call instead of seven to nine kernels. The
    result differs from the written-out chain by float rounding only.
    """

    name = "fuse-normalization"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        PatternRewriteWalker(GreedyRewritePatternApplier([NormalizationFromReductions()])).rewrite_module(op)
