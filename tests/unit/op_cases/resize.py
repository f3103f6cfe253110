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


@builds("GridSample")
def _grid_sample(op: str, opset: int) -> list[Case]:
    # Opset 20 renamed bilinear and bicubic to linear and cubic; nearest is the same at every opset.
    node = helper.make_node(op, ["x", "g"], ["y"], mode="nearest", padding_mode="border", align_corners=1)
    grid = np.linspace(-1.2, 1.2, 24, dtype=np.float32).reshape(1, 3, 4, 2)

    def check(o: DfgOp) -> None:
        assert prop(o, "padding_mode") == "border"
        assert prop(o, "align_corners") == 1

    return [
        Case(op, opset, make_model(opset, [node], [x(1, 2, 5, 6)], ["y"], {"g": grid}), (t([1, 2, 3, 4]),), check)
    ]


@builds("AffineGrid")
def _affine_grid(op: str, opset: int) -> list[Case]:
    # The size's batch and spatial sizes give the grid (2, 4, 5, 2); its channels do not matter.
    planar = helper.make_node(op, ["t", "s"], ["y"], align_corners=1)
    spatial = helper.make_node(op, ["t3", "s3"], ["y"])
    sizes = {"s": np.array([2, 7, 4, 5], np.int64), "s3": np.array([1, 1, 2, 3, 4], np.int64)}

    def check(o: DfgOp) -> None:
        assert prop(o, "align_corners") == 1

    return [
        Case(op, opset, make_model(opset, [planar], [x(2, 2, 3, name="t")], ["y"], {"s": sizes["s"]}), (t([2, 4, 5, 2]),), check),
        Case(op, opset, make_model(opset, [spatial], [x(1, 3, 4, name="t3")], ["y"], {"s3": sizes["s3"]}), (t([1, 2, 3, 4, 3]),)),
    ]
