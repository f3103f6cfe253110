"""Cases of the conv operators."""

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


@builds("Conv")
def _conv(op: str, opset: int) -> list[Case]:
    w = np.arange(4 * 3 * 3 * 3, dtype=np.float32).reshape(4, 3, 3, 3) / 100
    b = np.arange(4, dtype=np.float32)
    node = helper.make_node(
        op, ["x", "w", "b"], ["y"], pads=[1, 1, 1, 1], strides=[2, 2]
    )
    # (9 + 2 - 3) // 2 + 1 = 5
    grouped = helper.make_node(op, ["x", "g"], ["y"], group=3, dilations=[2, 2])
    # 9 - 2 * (3 - 1) = 5
    g = np.ones((6, 1, 3, 3), np.float32)

    def check(o: DfgOp) -> None:
        assert np.array_equal(const_of(o, 1), w)
        assert np.array_equal(const_of(o, 2), b)
        assert prop(o, "pads") == [1, 1, 1, 1]

    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(1, 3, 9, 9)], ["y"], {"w": w, "b": b}),
            (t([1, 4, 5, 5]),),
            check,
        ),
        Case(
            op,
            opset,
            make_model(opset, [grouped], [x(1, 3, 9, 9)], ["y"], {"g": g}),
            (t([1, 6, 5, 5]),),
            without(2),
        ),
    ]


@builds("ConvTranspose")
def _conv_transpose(op: str, opset: int) -> list[Case]:
    w = np.ones((3, 2, 3, 3), np.float32)
    node = helper.make_node(
        op, ["x", "w"], ["y"], strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1]
    )
    # (4 - 1) * 2 - 2 + 3 + 1 = 8
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(1, 3, 4, 4)], ["y"], {"w": w}),
            (t([1, 2, 8, 8]),),
        )
    ]
