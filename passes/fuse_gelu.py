"""The `fuse-gelu` pass: GELU written out in elementary ops becomes one `dfg.gelu`."""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ramiel.dialects.dfg.activation import GeluOp
from ramiel.dialects.dfg.elementwise import AddOp, ErfOp, MulOp, PowOp, TanhOp
from ramiel.rewrites.matching import (
    factors,
    is_close,
    owner_if_read_once,
    same_type,
    scalar_constant,
    scaled,
)

SQRT_2 = math.sqrt(2.0)
TANH_SCALE = math.sqrt(2.0 / math.pi)
TANH_CUBIC = 0.044715
"""The constants of GELU's tanh approximation: tanh(TANH_SCALE * (x + TANH_CUBIC * x^3))."""


def _one_plus(value: SSAValue, kind: type[ErfOp] | type[TanhOp]) -> SSAValue | None:
    """The argument of `kind` when `value` is 1 + kind(argument), each read once, else None."""
    add = owner_if_read_once(value, AddOp)
    if add is None:
        return None
    for term, one in (add.operands, reversed(add.operands)):
        inner = owner_if_read_once(term, kind)
        if inner is not None and is_close(scalar_constant(one), 1.0):
            return inner.operands[0]
    return None


def _is_scaled(value: SSAValue, x: SSAValue, scale: float) -> bool:
    """Whether `value` is `x * scale`, written as a product or as a division by 1 / scale."""
    found, factor = scaled(value)
    return found is x and is_close(factor, scale)


def _cubed(values: list[SSAValue], x: SSAValue) -> bool:
    """Whether the product of `values` is x^3: `Pow(x, 3)`, or x three times."""
    if values == [x, x, x]:
        return True
    power = owner_if_read_once(values[0], PowOp) if len(values) == 1 else None
    return power is not None and power.operands[0] is x and is_close(scalar_constant(power.operands[1]), 3.0)


def _tanh_argument(value: SSAValue, x: SSAValue) -> bool:
    """Whether `value` is TANH_SCALE * (x + TANH_CUBIC * x^3), each inner value read once."""
    total, scale = scaled(value)
    inner = owner_if_read_once(total, AddOp) if is_close(scale, TANH_SCALE) else None
    if inner is None:
        return False
    for linear, cubic in (inner.operands, reversed(inner.operands)):
        term = owner_if_read_once(cubic, MulOp)
        if linear is x and term is not None:
            cubed, coefficient = factors(term)
            if is_close(coefficient, TANH_CUBIC) and _cubed(cubed, x):
                return True
    return False


def _gelu_input(values: list[SSAValue], approximate: str) -> SSAValue | None:
    """x, when the two `values` are x and 1 + erf(x / sqrt(2)) (or its tanh form), in either order."""
    if len(values) != 2:
        return None
    for x, other in (values, reversed(values)):
        if approximate == "none":
            argument = _one_plus(other, ErfOp)
            if argument is not None and _is_scaled(argument, x, 1.0 / SQRT_2):
                return x
        else:
            argument = _one_plus(other, TanhOp)
            if argument is not None and _tanh_argument(argument, x):
                return x
    return None


class GeluFromProducts(RewritePattern):
    """x * 0.5 * (1 + erf(x / sqrt(2))) becomes Gelu; x * 0.5 * (1 + tanh(sqrt(2 / pi) * (x +
    0.044715 * x^3))) becomes Gelu with the tanh approximation.

    The pattern matches on the last product, whatever the order and grouping of its
    factors (so the exporters' `(x * s) * 0.5` and `x * (0.5 * s)` both match);
    x / sqrt(2) may be a division or a product by 1 / sqrt(2), and x^3 a Pow or two
    products. Every value inside the chain must have no other reader.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: MulOp, rewriter: PatternRewriter) -> None:
        values, scale = factors(op)
        if not is_close(scale, 0.5):
            return
        for approximate in ("none", "tanh"):
            x = _gelu_input(values, approximate)
            if x is not None and same_type(x, op.results[0]):
                properties = {} if approximate == "none" else {"approximate": StringAttr(approximate)}
                gelu = GeluOp.build([x], [op.results[0].type], properties, op.attributes)
                gelu.location = op.location
                gelu.results[0].name_hint = op.results[0].name_hint
                rewriter.replace(op, gelu)
                return


@dataclass(frozen=True)
class FuseGelu(ModulePass):
    """GELU written out in elementary ops, as the exporters write it, becomes one `dfg.gelu`.

        %d = dfg.div %x, %sqrt2 : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
        %e = dfg.erf %d : (tensor<1x8xf32>) -> tensor<1x8xf32>
        %a = dfg.add %e, %one : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
        %m = dfg.mul %x, %a : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
        %y = dfg.mul %m, %half : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>

    becomes

        %y = dfg.gelu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>

    and the tanh approximation becomes `dfg.gelu %x {approximate = "tanh"}`. One
    `F.gelu` call replaces five to eight kernels, each a pass over the tensor; the
    result differs from the written-out chain by float rounding only.
    """

    name = "fuse-gelu"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        PatternRewriteWalker(GreedyRewritePatternApplier([GeluFromProducts()])).rewrite_module(op)
