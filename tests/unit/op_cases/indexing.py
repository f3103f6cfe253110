"""Cases of the indexing operators."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import (
    Case,
    absent,
    builds,
    const_of,
    make_model,
    prop,
    t,
    x,
)


@builds("Gather")
def _gather(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "i"], ["y"], axis=1)
    indices = {"i": np.array([[0, 2], [1, 1]], np.int64)}
    scalar = helper.make_node(op, ["x", "j"], ["y"])
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(3, 4)], ["y"], indices),
            (t([3, 2, 2]),),
        ),
        Case(
            op,
            opset,
            make_model(opset, [scalar], [x(3, 4)], ["y"], {"j": np.array(1, np.int64)}),
            (t([4]),),
        ),
    ]


@builds("Pad")
def _pad(op: str, opset: int) -> list[Case]:
    pads = [0, 1, 2, 0]  # begin of dims 0 and 1, then their ends
    cases: list[Case] = []
    if opset < 11:
        node = helper.make_node(op, ["x"], ["y"], pads=pads, value=1.5)
        inits: dict[str, np.ndarray] = {}
    else:
        node = helper.make_node(op, ["x", "p", "v"], ["y"])
        inits = {"p": np.array(pads, np.int64), "v": np.array(1.5, np.float32)}

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == pads
        assert float(const_of(o, 2)) == 1.5

    cases.append(
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3)], ["y"], inits),
            (t([4, 4]),),
            check,
        )
    )
    if opset >= 18:
        axes = helper.make_node(op, ["x", "p", "", "a"], ["y"], mode="reflect")
        inits = {"p": np.array([1, 2], np.int64), "a": np.array([1], np.int64)}

        def check_axes(o: DfgOp) -> None:
            assert absent(o, 2)
            assert const_of(o, 3).tolist() == [1]
            assert prop(o, "mode") == "reflect"

        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [axes], [x(2, 4)], ["y"], inits),
                (t([2, 7]),),
                check_axes,
            )
        )
    return cases


@builds("Slice")
def _slice(op: str, opset: int) -> list[Case]:
    if opset < 10:
        node = helper.make_node(op, ["x"], ["y"], starts=[1], ends=[1000], axes=[1])
        inits: dict[str, np.ndarray] = {}
    else:
        node = helper.make_node(op, ["x", "s", "e", "a"], ["y"])
        inits = {
            "s": np.array([1], np.int64),
            "e": np.array([1000], np.int64),
            "a": np.array([1], np.int64),
        }

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == [1]
        assert const_of(o, 2).tolist() == [1000]
        assert const_of(o, 3).tolist() == [1]

    cases = [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 5)], ["y"], inits),
            (t([2, 4]),),
            check,
        )
    ]
    if opset >= 10:
        steps = helper.make_node(op, ["x", "s", "e", "", "t"], ["y"])
        inits = {
            "s": np.array([4, 0], np.int64),
            "e": np.array([0, 5], np.int64),
            "t": np.array([-1, 2], np.int64),
        }
        # dim 0: 4, 3, 2, 1 -> 4 (of 6); dim 1: 0, 2, 4 -> 3
        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [steps], [x(6, 5)], ["y"], inits),
                (t([4, 3]),),
            )
        )
    return cases
