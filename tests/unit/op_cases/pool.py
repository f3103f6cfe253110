"""Cases of the pool operators."""

from __future__ import annotations

from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import Case, _runs, builds, make_model, prop, t, x


@builds("AveragePool", "MaxPool")
def _pool(op: str, opset: int) -> list[Case]:
    node = helper.make_node(
        op, ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]
    )

    def check(o: DfgOp) -> None:
        assert prop(o, "kernel_shape") == [3, 3]
        assert prop(o, "strides") == [2, 2]

    # (7 + 2 - 3) // 2 + 1 = 4
    model = make_model(opset, [node], [x(1, 2, 7, 7)], ["y"])
    expected = None
    if opset < 7:
        # No runtime implements AveragePool-1; opset 7 made its meaning explicit
        # as `count_include_pad=0`, which is what the opset-7 model computes.
        newer = make_model(7, [node], [x(1, 2, 7, 7)], ["y"])
        expected = _runs(newer)
    cases = [Case(op, opset, model, (t([1, 2, 4, 4]),), check, expected)]
    if opset >= 10:
        # ceil((6 + 0 - 3) / 2) + 1 = 3
        ceil = helper.make_node(
            op, ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1
        )
        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [ceil], [x(1, 2, 6, 6)], ["y"]),
                (t([1, 2, 3, 3]),),
            )
        )
    if op == "MaxPool" and opset >= 8:
        indices = helper.make_node(
            op, ["x"], ["y", "i"], kernel_shape=[2, 2], strides=[2, 2]
        )
        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [indices], [x(1, 2, 4, 4)], ["y", "i"]),
                (t([1, 2, 2, 2]), t([1, 2, 2, 2], "i64")),
            )
        )
    return cases


@builds("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(1, 3, 5, 7)], ["y"]),
            (t([1, 3, 1, 1]),),
        )
    ]
