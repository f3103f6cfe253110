"""ONNX's optional values, `!dfg.optional`: a tensor or a sequence, or nothing (None in the
generated code).

    %o = dfg.optional %x : (tensor<5xf32>) -> !dfg.optional<tensor<5xf32>>
    %none = dfg.optional : () -> !dfg.optional<!dfg.sequence<tensor<5xf32>>>
    %has = dfg.optional_has_element %o : (!dfg.optional<tensor<5xf32>>) -> tensor<i1>

Optional's `type` attribute, which says what an empty one would hold, is its result
type; none of these ops folds.
"""

from __future__ import annotations

import onnx
from onnx import helper

from ramiel.costmodel import view_work
from ramiel.dialects.dfg.base import DfgOp, onnx_op
from ramiel.dialects.types import OptionalType, type_proto
from ramiel.kernels import KernelWriter, template


def _optional(n: KernelWriter) -> str:
    """Optional: its input, or None without one."""
    return n.arg(0) if n.has(0) else "None"


def _has_element(n: KernelWriter) -> str:
    """OptionalHasElement: whether the input holds a value (false without an input)."""
    return f"torch.tensor({n.arg(0)} is not None)" if n.has(0) else "torch.tensor(False)"


@onnx_op("Optional", kernel=_optional, foldable=False, work=view_work)
class OptionalOp(DfgOp):
    """ONNX `Optional`: an optional holding its input, or an empty one of its result type.

        %o = dfg.optional %x : (tensor<5xf32>) -> !dfg.optional<tensor<5xf32>>
    """

    def types_as_attributes(self) -> list[onnx.AttributeProto]:
        result = self.results[0].type
        if self.input_values()[0] is not None or not isinstance(result, OptionalType):
            return []
        return [helper.make_attribute("type", type_proto(result.element))]


@onnx_op("OptionalHasElement", kernel=_has_element, foldable=False, work=view_work)
class OptionalHasElementOp(DfgOp):
    """ONNX `OptionalHasElement`: whether the optional holds a value (a tensor or sequence always does).

        %has = dfg.optional_has_element %o : (!dfg.optional<tensor<5xf32>>) -> tensor<i1>
    """


@onnx_op("OptionalGetElement", kernel=template("{0}"), foldable=False, work=view_work)
class OptionalGetElementOp(DfgOp):
    """ONNX `OptionalGetElement`: the value an optional holds (a tensor or sequence itself).

        %x = dfg.optional_get_element %o : (!dfg.optional<tensor<5xf32>>) -> tensor<5xf32>
    """
