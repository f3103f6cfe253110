"""Ops that change nothing disappear: their users read the input instead.

    %y = dfg.identity %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    %z = dfg.relu %y : (tensor<1x8xf32>) -> tensor<1x8xf32>

becomes

    %z = dfg.relu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>

Besides `Identity`: a Reshape, Flatten, Squeeze, Expand or Tile to the input's own
shape, a Cast to the input's own type, a Transpose whose permutation keeps every
axis in place, a Pad that adds nothing, a Slice that keeps every element in order,
and a Concat, Sum, Max or Min of one input. An inference `Dropout` (its
`training_mode` absent or a constant false) is removed too; its mask, when used,
becomes an all-true constant.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from ramiel.dialects.dfg import DfgOp
from ramiel.onnx_types import static_shape
from ramiel.rewrites.constants import constant_array, materialize, splat


def _same_type(op: DfgOp) -> bool:
    source = op.input_values()[0]
    return source is not None and source.type == op.results[0].type


def _keeps_axes(op: DfgOp) -> bool:
    rank = len(static_shape(op.results[0].type))
    perm = op.python_attributes().get("perm")
    return perm == list(range(rank)) if perm is not None else rank <= 1


def _pads_nothing(op: DfgOp) -> bool:
    pads = constant_array(op.input_values()[1])
    return _same_type(op) and pads is not None and not pads.any()


def _keeps_order(op: DfgOp) -> bool:
    # With positive steps, a slice that keeps the shape keeps every element.
    inputs = op.input_values()
    given = inputs[4] if len(inputs) > 4 else None
    steps = np.ones(1) if given is None else constant_array(given)
    return _same_type(op) and steps is not None and bool((steps > 0).all())


def _single_input(op: DfgOp) -> bool:
    return len(op.operands) == 1 and _same_type(op)


_NO_OP_WHEN: dict[str, Callable[[DfgOp], bool]] = {
    "Identity": lambda op: True,
    "Reshape": _same_type,
    "Flatten": _same_type,
    "Squeeze": _same_type,
    "Expand": _same_type,
    "Tile": _same_type,
    "Cast": _same_type,
    "Transpose": _keeps_axes,
    "Pad": _pads_nothing,
    "Slice": _keeps_order,
    "Concat": _single_input,
    "Sum": _single_input,
    "Max": _single_input,
    "Min": _single_input,
}
"""When each op returns its first input unchanged."""


class RemoveNoOp(RewritePattern):
    """An op that returns its first input unchanged is replaced by that input."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, DfgOp):
            return
        no_op = _NO_OP_WHEN.get(op.ONNX_OP_TYPE)
        if no_op is not None and no_op(op):
            rewriter.replace(op, [], [op.input_values()[0]])


class RemoveInferenceDropout(RewritePattern):
    """An inference `Dropout` passes its data through; a used mask is all true.

        %y, %mask = dfg.dropout %x : (tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<1x8xi1>)

    becomes `%x`, and `%mask = dfg.constant dense<true> : tensor<1x8xi1>`.
    """

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, DfgOp) or op.ONNX_OP_TYPE != "Dropout":
            return
        data, _, training = op.input_values()
        if training is not None:
            mode = constant_array(training)
            if mode is None or mode.any():
                return
        new_ops: list[Operation] = []
        new_results: list[SSAValue | None] = [data]
        if len(op.results) > 1:
            mask = op.results[1]
            if mask.uses:
                true = materialize(splat(np.True_, static_shape(mask.type)), mask)
                new_ops.append(true)
                new_results.append(true.output)
            else:
                new_results.append(None)
        rewriter.replace(op, new_ops, new_results)
