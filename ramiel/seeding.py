"""Seeded random weights for models whose shipped weights are placeholders.

The onnx wheel's "light" models (`onnx/backend/test/data/light/`) keep their files
small by replacing large weights with `ConstantOfShape(value=0.02)` nodes fed by
int64 shape initializers; with all weights equal, every output is a constant
vector. `seed_weights` gives such a model seeded random weights of a sensible
scale in place of both those nodes and the float initializers, so that its
outputs depend on its inputs and a wrong kernel shows up numerically.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import onnx
from onnx import helper, numpy_helper

Sampler = Callable[[np.random.Generator, tuple[int, ...], onnx.NodeProto], np.ndarray]


def light_model_path(name: str) -> str:
    """The path of the onnx wheel's `light_<name>.onnx` (e.g. `inception_v1`)."""
    return os.path.join(
        os.path.dirname(onnx.__file__), "backend", "test", "data", "light", f"light_{name}.onnx"
    )


def _he_normal(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)


def _conv_weight(rng: np.random.Generator, shape: tuple[int, ...], _: onnx.NodeProto) -> np.ndarray:
    return _he_normal(rng, shape, int(np.prod(shape[1:])))


def _gemm_weight(rng: np.random.Generator, shape: tuple[int, ...], node: onnx.NodeProto) -> np.ndarray:
    # The shape is read before any Reshape, so count the reduced dimension from the end.
    trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
    return _he_normal(rng, shape, shape[-1] if trans_b else int(np.prod(shape[:-1])))


def _bias(rng: np.random.Generator, shape: tuple[int, ...], _: onnx.NodeProto) -> np.ndarray:
    return rng.normal(0.0, 0.01, shape)


def _shift(rng: np.random.Generator, shape: tuple[int, ...], _: onnx.NodeProto) -> np.ndarray:
    return rng.normal(0.0, 0.1, shape)


def _positive(rng: np.random.Generator, shape: tuple[int, ...], _: onnx.NodeProto) -> np.ndarray:
    return rng.uniform(0.5, 1.5, shape)


SAMPLERS: dict[tuple[str, int], Sampler] = {
    ("Conv", 1): _conv_weight,
    ("Conv", 2): _bias,
    ("Gemm", 1): _gemm_weight,
    ("Gemm", 2): _bias,
    ("BatchNormalization", 1): _positive,
    ("BatchNormalization", 2): _shift,
    ("BatchNormalization", 3): _shift,
    ("BatchNormalization", 4): _positive,
    ("Mul", 0): _positive,
    ("Mul", 1): _positive,
    ("Add", 0): _shift,
    ("Add", 1): _shift,
}
"""How to draw a weight, by the (op type, input index) of the node that finally
consumes it (looking through Unsqueeze and Reshape). Mul and Add are the
per-channel scale and offset that some models apply after an Unsqueeze."""


def seed_weights(model: onnx.ModelProto, seed: int = 0) -> onnx.ModelProto:
    """A copy of `model` whose weights are seeded random initializers.

    Weights are the outputs of `ConstantOfShape` nodes fed by initializers, and
    the float initializers that nodes read. Each is drawn by `SAMPLERS` from the
    role of its final consumer: He-normal for Conv and Gemm weights, small normal
    values for biases and offsets, values in [0.5, 1.5] for scales and
    BatchNorm variances. The `ConstantOfShape` nodes and their shape
    initializers are removed; graph inputs that listed those shapes list the new
    weights instead (old IR versions list every initializer as an input).
    Raises ValueError for a weight whose consumer has no sampler.
    """
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = defaultdict(list)
    for node in graph.node:
        for index, value in enumerate(node.input):
            consumers[value].append((node, index))

    shapes: dict[str, tuple[int, ...]] = {}
    weight_of_shape: dict[str, str] = {}
    for node in graph.node:
        if node.op_type == "ConstantOfShape" and node.input[0] in initializers:
            weight_of_shape[node.input[0]] = node.output[0]
            shapes[node.output[0]] = tuple(
                int(d) for d in numpy_helper.to_array(initializers[node.input[0]])
            )
    for init in graph.initializer:
        if init.data_type == onnx.TensorProto.FLOAT and consumers[init.name]:
            shapes[init.name] = tuple(init.dims)

    rng = np.random.default_rng(seed)
    weights: dict[str, onnx.TensorProto] = {}
    for node in graph.node:
        for index, value in enumerate(node.input):
            if value not in shapes or value in weights:
                continue
            user, user_index = node, index
            while user.op_type in ("Unsqueeze", "Reshape") and user_index == 0:
                [(user, user_index)] = consumers[user.output[0]]
            sampler = SAMPLERS.get((user.op_type, user_index))
            if sampler is None:
                raise ValueError(
                    f"no sampler for weight {value!r} used as input {user_index} of {user.op_type}"
                )
            array = sampler(rng, shapes[value], user).astype(np.float32)
            weights[value] = numpy_helper.from_array(array, value)

    replaced = set(weight_of_shape.values())
    kept_nodes = [n for n in graph.node if not set(n.output) & replaced]
    kept_initializers = [
        weights.get(i.name, i) for i in graph.initializer if i.name not in weight_of_shape
    ]
    new_initializers = [weights[w] for w in weight_of_shape.values()]
    inputs = []
    for value in graph.input:
        if value.name in weight_of_shape:
            weight = weights[weight_of_shape[value.name]]
            value = helper.make_tensor_value_info(
                weight.name, onnx.TensorProto.FLOAT, list(weight.dims)
            )
        inputs.append(value)

    del graph.node[:], graph.initializer[:], graph.input[:]
    graph.node.extend(kept_nodes)
    graph.initializer.extend(kept_initializers + new_initializers)
    graph.input.extend(inputs)
    onnx.checker.check_model(model)
    return model
