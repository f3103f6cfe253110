"""Cases of the signal operators: windows and mel filter banks."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper

from tests.unit.op_cases.core import Case, builds, make_model, t


@builds("HannWindow", "HammingWindow", "BlackmanWindow")
def _window(op: str, opset: int) -> list[Case]:
    periodic = helper.make_node(op, ["n"], ["y"])
    symmetric = helper.make_node(op, ["n"], ["y"], periodic=0, output_datatype=TensorProto.DOUBLE)
    size = {"n": np.array(10, np.int32)}
    return [
        Case(op, opset, make_model(opset, [periodic], [], ["y"], size), (t([10]),)),
        Case(op, opset, make_model(opset, [symmetric], [], ["y"], size), (t([10], "f64"),)),
    ]


@builds("MelWeightMatrix")
def _mel_weight_matrix(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["bins", "n", "rate", "low", "high"], ["y"])
    inits = {
        "bins": np.array(8, np.int64),
        "n": np.array(16, np.int64),
        "rate": np.array(8000, np.int64),
        "low": np.array(0.0, np.float32),
        "high": np.array(4000.0, np.float32),
    }
    return [Case(op, opset, make_model(opset, [node], [], ["y"], inits), (t([9, 8]),))]
