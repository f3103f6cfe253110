"""Cases of the reduction operators."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import Case, builds, const_of, make_model, prop, t, x


@builds("ArgMax")
def _argmax(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], axis=1, keepdims=0)
    keep = helper.make_node(op, ["x"], ["y"])
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3, 4)], ["y"]),
            (t([2, 4], "i64"),),
        ),
        Case(
            op,
            opset,
            make_model(opset, [keep], [x(2, 3, 4)], ["y"]),
            (t([1, 3, 4], "i64"),),
        ),
    ]


@builds("ReduceMax", "ReduceMean", "ReduceSum")
def _reduce(op: str, opset: int) -> list[Case]:
    axes_as_input = opset >= (13 if op == "ReduceSum" else 18)
    if axes_as_input:
        node = helper.make_node(op, ["x", "a"], ["y"], keepdims=0)
        inits = {"a": np.array([1], np.int64)}
    else:
        node = helper.make_node(op, ["x"], ["y"], axes=[1], keepdims=0)
        inits = {}

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == [1]
        assert prop(o, "keepdims") == 0

    all_axes = helper.make_node(op, ["x"], ["y"])
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3, 4)], ["y"], inits),
            (t([2, 4]),),
            check,
        ),
        Case(
            op,
            opset,
            make_model(opset, [all_axes], [x(2, 3, 4)], ["y"]),
            (t([1, 1, 1]),),
        ),
    ]
