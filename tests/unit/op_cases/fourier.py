"""Cases of the Fourier transforms."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import (
    Case,
    builds,
    const_of,
    make_model,
    prop,
    t,
    without,
    x,
)


@builds("DFT")
def _dft(op: str, opset: int) -> list[Case]:
    # Up to opset 19 the axis is an attribute (default 1), from opset 20 an input
    # (default -2): for a signal of rank 3 both defaults name the same axis.
    plain = helper.make_node(op, ["x"], ["y"])

    def default_axis(o: DfgOp) -> None:
        # Converted to opset 20, the attribute's default becomes an input.
        assert const_of(o, 2).tolist() == 1

    check_plain = without(2) if opset >= 20 else default_axis
    cases = [Case(op, opset, make_model(opset, [plain], [x(2, 8, 1)], ["y"]), (t([2, 8, 2]),), check_plain)]
    if opset >= 20:
        rfft = helper.make_node(op, ["x", "n", "a"], ["y"], onesided=1)
        inits = {"n": np.array(10, np.int64), "a": np.array(1, np.int64)}

        def check(o: DfgOp) -> None:
            assert const_of(o, 2).tolist() == 1
            assert prop(o, "onesided") == 1

        model = make_model(opset, [rfft], [x(2, 8, 3, 1)], ["y"], inits)
        cases.append(Case(op, opset, model, (t([2, 6, 3, 2]),), check))
    else:
        # The attribute becomes the input: the importer converts the model to opset 20.
        along = helper.make_node(op, ["x"], ["y"], axis=2, inverse=1)

        def check_axis(o: DfgOp) -> None:
            assert const_of(o, 2).tolist() == 2
            assert prop(o, "inverse") == 1

        cases.append(Case(op, opset, make_model(opset, [along], [x(2, 3, 8, 1)], ["y"]), (t([2, 3, 8, 2]),), check_axis))
    return cases


@builds("STFT")
def _stft(op: str, opset: int) -> list[Case]:
    # onesided is spelled out: ONNX's shape inference takes 0 for an absent one, against the schema's default 1.
    windowed = helper.make_node(op, ["x", "step", "w"], ["y"], onesided=1)
    full = helper.make_node(op, ["x", "step", "", "n"], ["y"], onesided=0)
    steps = {"step": np.array(4, np.int64)}
    return [
        Case(op, opset, make_model(opset, [windowed], [x(1, 32, 1), x(8, name="w")], ["y"], steps), (t([1, 7, 5, 2]),)),
        Case(op, opset, make_model(opset, [full], [x(2, 20, 2)], ["y"], {**steps, "n": np.array(6, np.int64)}), (t([2, 4, 6, 2]),)),
    ]
