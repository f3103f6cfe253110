"""Cases of the normalization operators."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import F32, Case, builds, make_model, prop, t, without, x


def declared(model: onnx.ModelProto, shape: list[int]) -> onnx.ModelProto:
    """`model` with its float output's shape declared, for operators ONNX's shape inference does not type."""
    name = model.graph.output[0].name
    model.graph.output[0].CopyFrom(helper.make_tensor_value_info(name, F32, shape))
    return model


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
    cases = [Case(op, opset, model, (t([1, 3, 4, 4]),), check)]
    if opset >= 14:
        # Training mode: the batch's statistics, and the running ones updated.
        training = helper.make_node(
            op, ["x", "s", "b", "m", "v"], ["y", "rm", "rv"], training_mode=1, momentum=0.5
        )
        model = make_model(opset, [training], [x(2, 3, 4)], ["y", "rm", "rv"], params)
        cases.append(Case(op, opset, model, (t([2, 3, 4]), t([3]), t([3]))))
    return cases


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
    statistics = helper.make_node(op, ["x", "s", "b"], ["y", "mean", "inv"], axis=1)
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
        Case(
            op,
            opset,
            make_model(opset, [statistics], [x(2, 3, 4)], ["y", "mean", "inv"], params),
            (t([2, 3, 4]), t([2, 1, 1]), t([2, 1, 1])),
        ),
    ]


@builds("RMSNormalization")
def _rms_norm(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s"], ["y"], axis=1, epsilon=1e-3)

    def check(o: DfgOp) -> None:
        assert prop(o, "axis") == 1

    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3, 4)], ["y"], {"s": np.full((3, 4), 0.5, np.float32)}),
            (t([2, 3, 4]),),
            check,
        )
    ]


@builds("GroupNormalization")
def _group_norm(op: str, opset: int) -> list[Case]:
    # Opset 18 takes a scale and bias per group, opset 21 per channel; with a
    # group per channel the two forms agree, which the test oracle (opset 21) needs.
    # ONNX's shape inference does not type GroupNormalization: the graph declares it.
    groups = 4 if opset < 21 else 2
    node = helper.make_node(op, ["x", "s", "b"], ["y"], num_groups=groups, epsilon=1e-3)
    params = {"s": np.full(4, 1.5, np.float32), "b": np.full(4, 0.25, np.float32)}

    def check(o: DfgOp) -> None:
        assert prop(o, "num_groups") == groups

    return [
        Case(
            op,
            opset,
            declared(make_model(opset, [node], [x(2, 4, 3)], ["y"], params), [2, 4, 3]),
            (t([2, 4, 3]),),
            check,
        )
    ]


@builds("MeanVarianceNormalization")
def _mean_variance_norm(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], axes=[0, 2])
    return [Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"]), (t([2, 3, 4]),))]


@builds("LpNormalization")
def _lp_norm(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], axis=0, p=1)

    def check(o: DfgOp) -> None:
        assert prop(o, "p") == 1

    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3)], ["y"]),
            (t([2, 3]),),
            check,
        )
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
