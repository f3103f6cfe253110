"""Write a small ONNX model for a frontend lit test: `make_model.py NAME OUT.onnx`.

Each model is built with `onnx.helper` only, so the lit tests check the importer
against models whose every name, shape and attribute is visible here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32 = TensorProto.FLOAT


def _model(
    graph: onnx.GraphProto, opset: int, ir_version: int | None = None
) -> onnx.ModelProto:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    if ir_version is not None:
        model.ir_version = ir_version
    return model


def names() -> onnx.ModelProto:
    """Tensor and node names that are not MLIR identifiers; a named and an unnamed node."""
    weight = numpy_helper.from_array(
        np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2), "features.0.weight"
    )
    nodes = [
        helper.make_node("Conv", ["input:0", "features.0.weight"], ["conv/out"], name="features/conv_1"),
        helper.make_node("Relu", ["conv/out"], ["1relu"]),
        helper.make_node("Identity", ["1relu"], ["output:0"], name="copy"),
    ]
    graph = helper.make_graph(
        nodes,
        "names",
        [helper.make_tensor_value_info("input:0", F32, [1, 3, 4, 4])],
        [helper.make_tensor_value_info("output:0", F32, [1, 2, 3, 3])],
        [weight],
    )
    return _model(graph, 17)


def initializer_inputs() -> onnx.ModelProto:
    """IR version 3: every initializer is listed as a graph input too."""
    bias = numpy_helper.from_array(np.array([1.0, 2.0, 3.0], np.float32), "bias")
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "bias"], ["y"])],
        "initializer_inputs",
        [
            helper.make_tensor_value_info("x", F32, [2, 3]),
            helper.make_tensor_value_info("bias", F32, [3]),
        ],
        [helper.make_tensor_value_info("y", F32, [2, 3])],
        [bias],
    )
    return _model(graph, 9, ir_version=3)


def old_forms() -> onnx.ModelProto:
    """Opset 9: attributes that later opsets made inputs."""
    nodes = [
        helper.make_node("Slice", ["x"], ["sliced"], starts=[1], ends=[3], axes=[-2]),
        helper.make_node("Split", ["sliced"], ["left", "right"], axis=2, split=[1, 3]),
        helper.make_node("Unsqueeze", ["left"], ["unsqueezed"], axes=[0]),
        helper.make_node("Squeeze", ["unsqueezed"], ["squeezed"], axes=[0]),
        helper.make_node("Clip", ["right"], ["clipped"], min=0.0, max=6.0),
        helper.make_node("Pad", ["clipped"], ["padded"], pads=[0, 0, 1, 0, 0, 2], value=0.5),
        helper.make_node("ReduceMean", ["padded"], ["mean"], axes=[2], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        "old_forms",
        [helper.make_tensor_value_info("x", F32, [2, 4, 4])],
        [
            helper.make_tensor_value_info("squeezed", F32, None),
            helper.make_tensor_value_info("mean", F32, None),
        ],
    )
    return _model(graph, 9)


def batch() -> onnx.ModelProto:
    """A symbolic batch dimension: the importer makes it 1 and says so."""
    graph = helper.make_graph(
        [helper.make_node("Relu", ["images"], ["y"])],
        "batch",
        [helper.make_tensor_value_info("images", F32, ["N", 3, 2, 2])],
        [helper.make_tensor_value_info("y", F32, ["N", 3, 2, 2])],
    )
    return _model(graph, 18)


MODELS: dict[str, Callable[[], onnx.ModelProto]] = {
    "names": names,
    "initializer_inputs": initializer_inputs,
    "old_forms": old_forms,
    "batch": batch,
}


def main() -> None:
    name, path = sys.argv[1:]
    onnx.save(MODELS[name](), path)


if __name__ == "__main__":
    main()
