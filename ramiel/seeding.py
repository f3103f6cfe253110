"""Seeded random weights for models whose shipped weights are placeholders.

The onnx wheel's "light" models (`onnx/backend/test/data/light/`: nine classic
CNNs at opset 9, IR version 3, so every initializer is also a graph input) keep
their files small by replacing large weights with `ConstantOfShape(value=0.02)`
nodes fed by int64 `<weight>__SHAPE` initializers; small tensors (some biases, a
few BatchNorm parameters) stay float initializers with trained values. With all
large weights equal, every output is a constant vector. `seed_weights` gives
such a model seeded random weights of a sensible scale in place of both kinds,
so that its outputs depend on its inputs and a wrong kernel shows up
numerically. The demo uses it, and so do the tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ramiel.extras import require

LIGHT_DIR = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
"""Where the onnx wheel keeps its light models."""

LIGHT_MODELS: list[str] = sorted(
    p.name.removeprefix("light_").removesuffix(".onnx") for p in LIGHT_DIR.glob("light_*.onnx")
)
"""The light models' names (`inception_v1` is GoogLeNet)."""


def light_model_path(name: str) -> Path:
    """The shipped `light_<name>.onnx` file."""
    if name not in LIGHT_MODELS:
        raise KeyError(f"unknown light model {name!r}; known: {LIGHT_MODELS}")
    return LIGHT_DIR / f"light_{name}.onnx"


Sampler = Callable[[np.random.Generator, tuple[int, ...], onnx.NodeProto], np.ndarray]


def _normal(rng: np.random.Generator, shape: tuple[int, ...], std: float) -> np.ndarray:
    return rng.standard_normal(shape, dtype=np.float32) * np.float32(std)


def _conv_weight(
    rng: np.random.Generator, shape: tuple[int, ...], _: onnx.NodeProto
) -> np.ndarray:
    return _normal(rng, shape, np.sqrt(2.0 / np.prod(shape[1:])))


def _gemm_weight(
    rng: np.random.Generator, shape: tuple[int, ...], node: onnx.NodeProto
) -> np.ndarray:
    # The shape may be the one before a Reshape, so count the reduced size from the end.
    trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
    fan_in = shape[-1] if trans_b else np.prod(shape[:-1])
    return _normal(rng, shape, np.sqrt(2.0 / fan_in))


def _bias(
    rng: np.random.Generator, shape: tuple[int, ...], _: onnx.NodeProto
) -> np.ndarray:
    return _normal(rng, shape, 0.01)


def _shift(
    rng: np.random.Generator, shape: tuple[int, ...], _: onnx.NodeProto
) -> np.ndarray:
    return _normal(rng, shape, 0.1)


def _scale(
    rng: np.random.Generator, shape: tuple[int, ...], _: onnx.NodeProto
) -> np.ndarray:
    return rng.uniform(0.5, 1.5, shape).astype(np.float32)


def _zeros(
    _: np.random.Generator, shape: tuple[int, ...], __: onnx.NodeProto
) -> np.ndarray:
    return np.zeros(shape, np.float32)


def _ones(
    _: np.random.Generator, shape: tuple[int, ...], __: onnx.NodeProto
) -> np.ndarray:
    return np.ones(shape, np.float32)


# How to draw a weight, by the (op type, input index) of the node that finally
# consumes it. Mul / Add are the per-channel scale and offset that densenet121 and
# inception_v2 apply after an Unsqueeze. BatchNorm statistics start as the identity
# and are then measured by `_calibrate_batchnorm`.
SAMPLERS: dict[tuple[str, int], Sampler] = {
    ("Conv", 1): _conv_weight,
    ("Conv", 2): _bias,
    ("Gemm", 1): _gemm_weight,
    ("Gemm", 2): _bias,
    ("BatchNormalization", 1): _scale,
    ("BatchNormalization", 2): _shift,
    ("BatchNormalization", 3): _zeros,
    ("BatchNormalization", 4): _ones,
    ("Mul", 0): _scale,
    ("Mul", 1): _scale,
    ("Add", 0): _shift,
    ("Add", 1): _shift,
}


def data_inputs(graph: onnx.GraphProto) -> list[onnx.ValueInfoProto]:
    """Graph inputs that are real inputs rather than initializers listed as inputs."""
    initializers = {i.name for i in graph.initializer}
    return [i for i in graph.input if i.name not in initializers]


def input_shape(value: onnx.ValueInfoProto) -> list[int]:
    """The static shape of a graph input."""
    return [d.dim_value for d in value.type.tensor_type.shape.dim]


def _consumers(graph: onnx.GraphProto) -> dict[str, list[tuple[onnx.NodeProto, int]]]:
    """For each value, the (node, input index) pairs that read it."""
    consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = defaultdict(list)
    for node in graph.node:
        for index, value in enumerate(node.input):
            consumers[value].append((node, index))
    return consumers


def _replace_weights(graph: onnx.GraphProto, rng: np.random.Generator) -> None:
    """Swap every ConstantOfShape weight and read float initializer for a random one."""
    initializers = {i.name: i for i in graph.initializer}
    consumers = _consumers(graph)
    shapes: dict[str, tuple[int, ...]] = {}
    weight_of_shape: dict[str, str] = {}
    for node in graph.node:
        if node.op_type == "ConstantOfShape":
            weight_of_shape[node.input[0]] = node.output[0]
            shapes[node.output[0]] = tuple(
                int(d) for d in numpy_helper.to_array(initializers[node.input[0]])
            )
    for init in graph.initializer:
        if init.data_type == onnx.TensorProto.FLOAT and consumers[init.name]:
            shapes[init.name] = tuple(init.dims)

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
                    f"no sampler for weight {value!r}, input {user_index} of {user.op_type}"
                )
            weights[value] = numpy_helper.from_array(
                sampler(rng, shapes[value], user), value
            )

    nodes = [n for n in graph.node if n.op_type != "ConstantOfShape"]
    kept = [
        weights.get(i.name, i)
        for i in graph.initializer
        if i.name not in weight_of_shape
    ]
    # IR version 3 requires initializers to be graph inputs: each weight takes the
    # input slot of the shape initializer it replaces.
    inputs = [
        helper.make_tensor_value_info(
            weight_of_shape[v.name],
            onnx.TensorProto.FLOAT,
            shapes[weight_of_shape[v.name]],
        )
        if v.name in weight_of_shape
        else v
        for v in graph.input
    ]
    del graph.node[:], graph.initializer[:], graph.input[:]
    graph.node.extend(nodes)
    graph.initializer.extend(kept + [weights[w] for w in weight_of_shape.values()])
    graph.input.extend(inputs)


def _calibrate_batchnorm(model: onnx.ModelProto, inputs: list[np.ndarray]) -> None:
    """Set BatchNorm means and variances to those of their inputs on `inputs`.

    One onnxruntime pass over a copy in which each BatchNormalization becomes an
    InstanceNormalization (at batch 1, what training-mode BatchNorm computes) and
    the per-channel mean and variance of its input are extra graph outputs. With
    those statistics the eval-mode graph normalises exactly as the copy did, so
    deep stacks and residual sums keep activations at a useful scale.
    """
    if not any(n.op_type == "BatchNormalization" for n in model.graph.node):
        return
    calibration = onnx.ModelProto()
    calibration.CopyFrom(model)
    graph = calibration.graph
    norms = [n for n in graph.node if n.op_type == "BatchNormalization"]
    statistics = [(bn.input[3], bn.input[4]) for bn in norms]
    del graph.output[:]
    for i, bn in enumerate(norms):
        x = bn.input[0]
        epsilon = next((a.f for a in bn.attribute if a.name == "epsilon"), 1e-5)
        graph.node.extend(
            [
                helper.make_node("ReduceMean", [x], [f"mean{i}"], axes=[0, 2, 3]),
                helper.make_node("Sub", [x, f"mean{i}"], [f"centered{i}"]),
                helper.make_node("Mul", [f"centered{i}"] * 2, [f"squared{i}"]),
                helper.make_node(
                    "ReduceMean", [f"squared{i}"], [f"var{i}"], axes=[0, 2, 3]
                ),
            ]
        )
        bn.CopyFrom(
            helper.make_node(
                "InstanceNormalization", bn.input[:3], bn.output[:1], epsilon=epsilon
            )
        )
        graph.output.extend(
            helper.make_tensor_value_info(f"{stat}{i}", onnx.TensorProto.FLOAT, None)
            for stat in ("mean", "var")
        )
    ort = require("onnxruntime", "seeding BatchNormalization statistics")

    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(
        calibration.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    feeds = {v.name: x for v, x in zip(data_inputs(model.graph), inputs, strict=True)}
    outputs = session.run(None, feeds)
    initializers = {i.name: i for i in model.graph.initializer}
    for (mean_name, var_name), mean, var in zip(
        statistics, outputs[0::2], outputs[1::2], strict=True
    ):
        for name, value in ((mean_name, mean), (var_name, var)):
            initializers[name].CopyFrom(
                numpy_helper.from_array(np.asarray(value).reshape(-1), name)
            )


def seed_weights(model: onnx.ModelProto, seed: int = 0) -> onnx.ModelProto:
    """A copy of `model` with every weight replaced by a seeded random initializer.

    Weights are the outputs of `ConstantOfShape` nodes and the float initializers
    that nodes read. Each is drawn by the role of the node that finally consumes it
    (looking through Unsqueeze / Reshape): He-normal for Conv / Gemm weights, small
    normal values for biases and offsets, values in [0.5, 1.5] for scales. BatchNorm
    means and variances are measured on a seeded random input with onnxruntime (so
    they are far from the identity yet keep activations at a useful scale). The
    `ConstantOfShape` nodes and their shape initializers are removed; opset and IR
    version stay, so the new initializers are listed as graph inputs where the
    shape inputs were. Raises ValueError for a weight whose consumer has no sampler.
    """
    model = onnx.ModelProto.FromString(model.SerializeToString())
    rng = np.random.default_rng(seed)
    _replace_weights(model.graph, rng)
    shapes = [input_shape(v) for v in data_inputs(model.graph)]
    calibration = np.random.default_rng(int(rng.integers(2**31)))
    inputs = [calibration.standard_normal(tuple(s), dtype=np.float32) for s in shapes]
    _calibrate_batchnorm(model, inputs)
    onnx.checker.check_model(model)
    return model
