"""Cases of the operators whose result sizes the values decide: their results import with
those sizes unknown (`?`)."""

from __future__ import annotations

import numpy as np
from onnx import helper

from tests.unit.op_cases.core import Case, builds, make_model, t, x


@builds("NonZero")
def _non_zero(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    return [Case(op, opset, make_model(opset, [node], [x(3, 4)], ["y"]), (t([2, "?"], "i64"),))]


@builds("Unique")
def _unique(op: str, opset: int) -> list[Case]:
    flat = helper.make_node(op, ["x"], ["y", "first", "inverse", "counts"])
    rows = helper.make_node(op, ["x"], ["y", "first", "inverse"], axis=1, sorted=0)
    return [
        Case(op, opset, make_model(opset, [flat], [x(3, 4)], ["y", "first", "inverse", "counts"]), (t(["?"]), t(["?"], "i64"), t(["?"], "i64"), t(["?"], "i64"))),
        Case(op, opset, make_model(opset, [rows], [x(3, 4)], ["y", "first", "inverse"]), (t([3, "?"]), t(["?"], "i64"), t(["?"], "i64"))),
    ]


@builds("NonMaxSuppression")
def _non_max_suppression(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["boxes", "scores", "k", "iou"], ["y"], center_point_box=1)
    limits = {"k": np.array([2], np.int64), "iou": np.array([0.5], np.float32)}
    model = make_model(opset, [node], [x(1, 6, 4, name="boxes"), x(1, 2, 6, name="scores")], ["y"], limits)
    return [Case(op, opset, model, (t(["?", 3], "i64"),))]
