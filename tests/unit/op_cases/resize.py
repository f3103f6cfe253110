"""Cases of the resize operators."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import Case, builds, const_of, make_model, prop, t, x


@builds("Resize")
def _resize(op: str, opset: int) -> list[Case]:
    scales = np.array([1, 1, 2, 3], np.float32)
    if opset < 11:
        node = helper.make_node(op, ["x", "s"], ["y"], mode="nearest")
        inits = {"s": scales}
    elif opset < 13:
        node = helper.make_node(op, ["x", "r", "s"], ["y"], mode="nearest")
        inits = {"s": scales, "r": np.array([], np.float32)}
    else:
        node = helper.make_node(op, ["x", "", "s"], ["y"], mode="nearest")
        inits = {"s": scales}

    def check(o: DfgOp) -> None:
        assert const_of(o, 2).tolist() == [1, 1, 2, 3]
        assert prop(o, "mode") == "nearest"

    cases = [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(1, 2, 3, 4)], ["y"], inits),
            (t([1, 2, 6, 12]),),
            check,
        )
    ]
    if opset >= 11:
        if opset >= 13:
            sizes = helper.make_node(op, ["x", "", "", "z"], ["y"], mode="linear")
            inits = {"z": np.array([1, 2, 5, 7], np.int64)}
        else:  # roi and scales are required, scales empty when sizes is given
            sizes = helper.make_node(op, ["x", "r", "e", "z"], ["y"], mode="linear")
            empty = np.array([], np.float32)
            inits = {"z": np.array([1, 2, 5, 7], np.int64), "r": empty, "e": empty}
        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [sizes], [x(1, 2, 3, 4)], ["y"], inits),
                (t([1, 2, 5, 7]),),
            )
        )
    return cases
