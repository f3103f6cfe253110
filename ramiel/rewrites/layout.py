"""Reshapes and transposes: chains compose into one op, computed shapes become constants.

Reshape-like ops (Reshape, Flatten, Squeeze, Unsqueeze) only change a shape, so a
chain of them is one Reshape to the last shape, or nothing when that is the first
shape (a Squeeze that undoes an Unsqueeze):

    %a = dfg.flatten %x {axis = 1 : i64} : (tensor<1x64x1x1xf32>) -> tensor<1x64xf32>
    %b = dfg.unsqueeze %a, %axes : (tensor<1x64xf32>, tensor<1xi64>) -> tensor<1x1x64xf32>

becomes

    %b_shape = dfg.constant dense<[1, 1, 64]> : tensor<3xi64>
    %b = dfg.reshape %x, %b_shape : (tensor<1x64x1x1xf32>, tensor<3xi64>) -> tensor<1x1x64xf32>

One Reshape with a constant shape is the form the code printer writes best
(`x.reshape(1, 1, 64)`), whatever ops the chain held. Two Transposes compose into
one, or into nothing when the second undoes the first. A Reshape or Expand whose
shape operand is computed (the exporters' `Shape -> Gather -> Unsqueeze -> Concat`
chains) takes its static result shape as a constant, so the chain dies.
"""

from __future__ import annotations

from typing import cast

import numpy as np
from xdsl.dialects.builtin import DenseArrayBase, i64
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern
from xdsl.rewriter import InsertPoint

from ramiel.dialects.dfg import ConstantOp, DfgOp, op_class
from ramiel.onnx_types import static_shape
from ramiel.rewrites.constants import constant_array

RESHAPES = ("Reshape", "Flatten", "Squeeze", "Unsqueeze")
"""The ops that only change their input's shape."""


def _shape_constant(dims: tuple[int, ...], result: SSAValue) -> ConstantOp:
    constant = ConstantOp.of_array(np.array(dims, dtype=np.int64))
    constant.output.name_hint = f"{result.name_hint or 'v'}_shape"
    return constant


def _data(op: DfgOp) -> SSAValue:
    """The first input of `op`, which every op here requires."""
    data = op.input_values()[0]
    assert data is not None
    return data


def _producer(op: DfgOp, *op_types: str) -> DfgOp | None:
    """The op that defines `op`'s first input, when it is one of `op_types`."""
    owner = _data(op).owner
    return owner if isinstance(owner, DfgOp) and owner.ONNX_OP_TYPE in op_types else None


class ComposeReshapes(RewritePattern):
    """A reshape-like op of a reshape-like op becomes one Reshape, or nothing."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, DfgOp) or op.ONNX_OP_TYPE not in RESHAPES:
            return
        if (inner := _producer(op, *RESHAPES)) is None:
            return
        source = _data(inner)
        result = op.results[0]
        if source.type == result.type:
            rewriter.replace(op, [], [source])
            return
        dims = static_shape(result.type)
        if 0 in dims:
            return  # Reshape would read a 0 as "keep the input's dimension".
        shape = _shape_constant(dims, result)
        reshape = op_class("Reshape").build([source, shape.output], [result.type])
        reshape.location = shape.location = op.location
        rewriter.replace(op, [shape, reshape])


class ConstantShapeOperand(RewritePattern):
    """A Reshape or Expand whose shape is computed takes its result shape as a constant.

        %s = dfg.concat %n, %c {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
        %y = dfg.reshape %x, %s : (tensor<1x4x4xf32>, tensor<2xi64>) -> tensor<1x16xf32>

    becomes `%y = dfg.reshape %x, %y_shape`, with `%y_shape = dfg.constant dense<[1, 16]>`.
    """

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, DfgOp) or op.ONNX_OP_TYPE not in ("Reshape", "Expand"):
            return
        shape = op.input_values()[1]
        dims = static_shape(op.results[0].type)
        if shape is None or constant_array(shape) is not None or 0 in dims:
            return
        constant = _shape_constant(dims, op.results[0])
        constant.location = op.location
        rewriter.insert(constant, InsertPoint.before(op))
        rewriter.replace_uses_with_if(shape, constant.output, lambda use: use.operation is op)


def _perm(op: DfgOp) -> list[int]:
    perm = op.python_attributes().get("perm")
    rank = len(static_shape(op.results[0].type))
    return cast(list[int], perm) if perm is not None else list(reversed(range(rank)))


class ComposeTransposes(RewritePattern):
    """A Transpose of a Transpose becomes one Transpose, or nothing when they cancel.

        %a = dfg.transpose %x {perm = array<i64: 0, 2, 1>} : ...
        %b = dfg.transpose %a {perm = array<i64: 1, 0, 2>} : ...

    becomes `%b = dfg.transpose %x {perm = array<i64: 2, 0, 1>}`.
    """

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, DfgOp) or op.ONNX_OP_TYPE != "Transpose":
            return
        if (inner := _producer(op, "Transpose")) is None:
            return
        first, second = _perm(inner), _perm(op)
        perm = [first[axis] for axis in second]
        if perm == list(range(len(perm))):
            rewriter.replace(op, [], [_data(inner)])
            return
        transpose = op_class("Transpose").build(
            [_data(inner)], [op.results[0].type], {"perm": DenseArrayBase.from_list(i64, perm)}
        )
        transpose.location = op.location
        rewriter.replace(op, transpose)
