"""Cases of the pool operators."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import Case, _runs, builds, make_model, prop, t, x
from tests.unit.op_cases.normalization import declared


@builds("AveragePool", "MaxPool", "LpPool")
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
    if op == "LpPool":
        # The p-norm of each window: (7 + 2 - 3) // 2 + 1 = 4.
        cubes = helper.make_node(op, ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], p=3)
        cases.append(Case(op, opset, make_model(opset, [cubes], [x(1, 2, 7, 7)], ["y"]), (t([1, 2, 4, 4]),)))
    if op == "AveragePool" and opset >= 19:
        # Dilated windows span 2 * (3 - 1) + 1 = 5: 9 - 5 + 1 = 5.
        dilated = helper.make_node(op, ["x"], ["y"], kernel_shape=[3, 3], dilations=[2, 2])
        cases.append(Case(op, opset, make_model(opset, [dilated], [x(1, 2, 9, 9)], ["y"]), (t([1, 2, 5, 5]),)))
    if op != "LpPool" and opset >= 10:
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
            op, ["x"], ["y", "i"], kernel_shape=[2, 2], strides=[2, 2], storage_order=1
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


@builds("GlobalLpPool")
def _global_lp_pool(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], p=3)
    # No runtime implements GlobalLpPool-22, which only added types: opset 21 computes the same.
    expected = _runs(make_model(21, [node], [x(1, 3, 5, 7)], ["y"])) if opset >= 22 else None
    model = make_model(opset, [node], [x(1, 3, 5, 7)], ["y"])
    return [Case(op, opset, model, (t([1, 3, 1, 1]),), expected=expected)]


@builds("MaxUnpool")
def _max_unpool(op: str, opset: int) -> list[Case]:
    # Indices of a 2x2, stride-2 MaxPool of a 1x2x4x4 input, over the whole input.
    indices = np.array([[[[0, 3], [9, 14]], [[17, 23], [24, 31]]]], np.int64)
    node = helper.make_node(op, ["x", "i"], ["y"], kernel_shape=[2, 2], strides=[2, 2])
    cases = [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(1, 2, 2, 2)], ["y"], {"i": indices}),
            (t([1, 2, 4, 4]),),
        )
    ]
    if opset >= 11:
        # A larger output pads the unpooled 4x4 at the end; shape inference leaves it to the graph.
        # onnxruntime reads the indices as flat over the output instead, which agrees
        # only for one channel grown by rows; the kernel cases check wider padding
        # against ONNX's reference.
        shaped = helper.make_node(op, ["x", "i", "s"], ["y"], kernel_shape=[2, 2], strides=[2, 2])
        params = {"i": indices[:, :1], "s": np.array([1, 1, 6, 4], np.int64)}
        model = declared(make_model(opset, [shaped], [x(1, 1, 2, 2)], ["y"], params), [1, 1, 6, 4])
        cases.append(Case(op, opset, model, (t([1, 1, 6, 4]),)))
    return cases


@builds("RoiAlign")
def _roi_align(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "r", "b"], ["y"], output_height=2, output_width=3, sampling_ratio=2, mode="max")
    params = {
        "r": np.array([[0.5, 1.0, 4.0, 3.5], [1.0, 0.0, 2.0, 5.0]], np.float32),
        "b": np.array([0, 0], np.int64),
    }

    def check(o: DfgOp) -> None:
        assert prop(o, "mode") == "max"
        # Opset 16 made half_pixel the default; older models keep output_half_pixel.
        expected = "output_half_pixel" if opset < 16 else "half_pixel"
        assert prop(o, "coordinate_transformation_mode") == expected

    return [
        Case(op, opset, make_model(opset, [node], [x(1, 3, 6, 5)], ["y"], params), (t([2, 3, 2, 3]),), check)
    ]
