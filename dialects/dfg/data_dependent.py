"""Ops whose result sizes the values decide: NonZero, Unique, NonMaxSuppression.

    %i = dfg.non_zero %x : (tensor<3x4xf32>) -> tensor<2x?xi64>
    %y, %first, %inverse, %counts = dfg.unique %x : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
    %s = dfg.non_max_suppression %boxes, %scores, %k, %iou : (tensor<1x8x4xf32>, tensor<1x2x8xf32>, tensor<1xi64>, tensor<1xf32>) -> tensor<?x3xi64>

Their results have a dimension of unknown size (`?`), which the ops downstream
take as it comes: their kernels read no size the values decide. None of them
folds: a folded value would have a static type where its users expect `?`.
"""

from __future__ import annotations

import math
from typing import ClassVar, cast

from ramiel.dialects.dfg.base import DfgOp, Shapes, expect, onnx_op, shape_text
from ramiel.kernels import KernelWriter, template
from ramiel.onnx_types import UNKNOWN, static_shape


def _unique(n: KernelWriter) -> str:
    """Unique: the `onnx_unique` helper's values, first indices, inverse indices and counts, as many as asked for."""
    axis = str(n.int_attr("axis")) if "axis" in n.node.attrs else "None"
    call = n.call("onnx_unique", n.arg(0), axis, str(bool(n.attr("sorted"))))
    count = len(n.node.output_types)
    return call if count == 4 else f"{call}[:{count}]" if count > 1 else f"{call}[0]"


def _non_max_suppression(n: KernelWriter) -> str:
    """NonMaxSuppression: the `onnx_non_max_suppression` helper, absent optional inputs as None."""
    optional = [n.arg(index) if n.has(index) else "None" for index in (2, 3, 4)]
    return n.call("onnx_non_max_suppression", n.arg(0), n.arg(1), *optional, str(n.int_attr("center_point_box")))


@onnx_op("NonZero", kernel=template("torch.nonzero({0}).t()"), foldable=False)
class NonZeroOp(DfgOp):
    """ONNX `NonZero`: the indices of the non-zero elements, one row per dimension, in row-major order.

        %i = dfg.non_zero %x : (tensor<3x4xf32>) -> tensor<2x?xi64>
    """


@onnx_op("Unique", kernel=_unique, foldable=False)
class UniqueOp(DfgOp):
    """ONNX `Unique`: the distinct values (or slices along `axis`), sorted or in order of first
    occurrence, with the index of each one's first occurrence, each element's index among them
    and their counts.

        %y, %first, %inverse, %counts = dfg.unique %x : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
    """

    SHAPE_RULES_TAKE_UNKNOWN: ClassVar[bool] = True

    def verify_shapes(self, shapes: Shapes) -> None:
        x = shapes[0]
        assert x is not None
        axis = self.python_attributes().get("axis")
        entries = (math.prod(x),) if axis is None or UNKNOWN in x else (x[cast(int, axis) % len(x)],)
        if len(self.results) > 2 and UNKNOWN not in x:
            inverse = static_shape(self.results[2].type)
            expect(inverse in (entries, (UNKNOWN,)), f"inverse indices of shape {shape_text(inverse)} must have one entry per input {'element' if axis is None else 'slice'} ({entries[0]})")


@onnx_op("NonMaxSuppression", kernel=_non_max_suppression, foldable=False)
class NonMaxSuppressionOp(DfgOp):
    """ONNX `NonMaxSuppression`: per batch and class, the boxes kept by greedy suppression of
    those that overlap a better-scored one, as (batch, class, box) rows.

        %s = dfg.non_max_suppression %boxes, %scores, %k, %iou : (tensor<1x8x4xf32>, tensor<1x2x8xf32>, tensor<1xi64>, tensor<1xf32>) -> tensor<?x3xi64>
    """
