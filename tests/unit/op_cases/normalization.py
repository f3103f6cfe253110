"""Cases of the normalization operators."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import Case, builds, make_model, prop, t, without, x


@builds("BatchNormalization")
def _batch_norm(op: str, opset: int) -> list[Case]:
    extra: dict[str, object] = {"epsilon": 1e-3}
    if opset < 7:
        extra["is_test"] = 1
    if opset < 9:
        extra["spatial"] = 1
    node = helper.make_node(op, ["x", "s", "b", "m", "v"], ["y"], **extra)
    params = {k: np.full(3, i + 1.0, np.float32) for i, k in enumerate("sbmv")}

    def check(o: DfgOp) -> None:
        assert abs(float(str(prop(o, "epsilon"))) - 1e-3) < 1e-9
        assert len(o.results) == 1

    model = make_model(opset, [node], [x(1, 3, 4, 4)], ["y"], params)
    return [Case(op, opset, model, (t([1, 3, 4, 4]),), check)]


@builds("InstanceNormalization")
def _instance_norm(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s", "b"], ["y"])
    params = {"s": np.ones(3, np.float32), "b": np.zeros(3, np.float32)}
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(1, 3, 4, 4)], ["y"], params),
            (t([1, 3, 4, 4]),),
        )
    ]


@builds("LayerNormalization")
def _layer_norm(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s", "b"], ["y"], axis=-1, epsilon=1e-5)
    params = {"s": np.ones(4, np.float32), "b": np.zeros(4, np.float32)}
    no_bias = helper.make_node(op, ["x", "s"], ["y"])
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3, 4)], ["y"], params),
            (t([2, 3, 4]),),
        ),
        Case(
            op,
            opset,
            make_model(opset, [no_bias], [x(2, 3, 4)], ["y"], {"s": params["s"]}),
            (t([2, 3, 4]),),
            without(2),
        ),
    ]


@builds("LRN")
def _lrn(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], size=3, alpha=2e-4)

    def check(o: DfgOp) -> None:
        assert prop(o, "size") == 3

    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(1, 5, 4, 4)], ["y"]),
            (t([1, 5, 4, 4]),),
            check,
        )
    ]
