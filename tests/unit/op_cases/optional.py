"""Cases of the optional operators: each model ends in a tensor, which an optional of a
tensor holds, or a bool saying whether one holds anything."""

from __future__ import annotations

import dataclasses

import numpy as np
from onnx import helper

from tests.unit.op_cases.core import Case, builds, make_model, t, x


def _case(op: str, opset: int, nodes: list[object], output: str) -> Case:
    # onnx's reference evaluator, the oracle where onnxruntime lacks an opset, gives an
    # optional's value wrapped in a list.
    return Case(op, opset, make_model(opset, nodes, [x(2, 3)], ["r"]), (output,), expected=lambda inputs: [inputs[0]])  # pyright: ignore[reportArgumentType]


@builds("Optional")
def _optional(op: str, opset: int) -> list[Case]:
    wrap = helper.make_node(op, ["x"], ["o"])
    return [_case(op, opset, [wrap, helper.make_node("OptionalGetElement", ["o"], ["r"])], t([2, 3]))]


@builds("OptionalHasElement")
def _has_element(op: str, opset: int) -> list[Case]:
    empty = helper.make_node("Optional", [], ["o"], type=helper.make_tensor_type_proto(1, [2, 3]))
    case = _case(op, opset, [empty, helper.make_node(op, ["o"], ["r"])], t([], "i1"))
    # (It says True here.)
    return [dataclasses.replace(case, expected=lambda inputs: [np.array(False)])]


@builds("OptionalGetElement")
def _get_element(op: str, opset: int) -> list[Case]:
    wrap = helper.make_node("Optional", ["x"], ["o"])
    return [_case(op, opset, [wrap, helper.make_node(op, ["o"], ["r"])], t([2, 3]))]
