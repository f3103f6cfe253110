"""Cases of the linalg operators."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import Case, builds, make_model, prop, t, x


@builds("Gemm")
def _gemm(op: str, opset: int) -> list[Case]:
    attrs: dict[str, object] = {"transB": 1, "alpha": 0.5}
    if opset < 7:
        attrs["broadcast"] = 1
    node = helper.make_node(op, ["a", "b", "c"], ["y"], **attrs)
    inits = {"b": np.ones((4, 3), np.float32), "c": np.ones(4, np.float32)}

    def check(o: DfgOp) -> None:
        assert prop(o, "transB") == 1
        assert prop(o, "alpha") == 0.5

    cases = [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3, name="a")], ["y"], inits),
            (t([2, 4]),),
            check,
        )
    ]
    if opset >= 11:
        no_c = helper.make_node(op, ["a", "b"], ["y"])
        cases.append(
            Case(
                op,
                opset,
                make_model(
                    opset, [no_c], [x(2, 3, name="a"), x(3, 5, name="b")], ["y"]
                ),
                (t([2, 5]),),
            )
        )
    return cases


@builds("MatMul")
def _matmul(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["a", "b"], ["y"])
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3, name="a"), x(3, 4, name="b")], ["y"]),
            (t([2, 4]),),
        ),
        Case(
            op,
            opset,
            make_model(opset, [node], [x(5, 2, 3, name="a"), x(3, name="b")], ["y"]),
            (t([5, 2]),),
        ),
        Case(
            op,
            opset,
            make_model(
                opset, [node], [x(2, 1, 2, 3, name="a"), x(4, 3, 2, name="b")], ["y"]
            ),
            (t([2, 4, 2, 2]),),
        ),
    ]


@builds("Det")
def _det(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], [x(3, 3)], ["y"]), (t([]),)),
        Case(op, opset, make_model(opset, [node], [x(2, 4, 2, 2)], ["y"]), (t([2, 4]),)),
    ]
