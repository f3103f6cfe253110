"""The "light" model-zoo graphs that ship inside the onnx wheel, with seeded weights.

The weights themselves are drawn by `ramiel.seeding` (the demo uses the same
function); this module caches the seeded files and gives tests their inputs and
the outputs the wheel ships.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from onnx.backend.test.runner import Runner

import ramiel.seeding
from ramiel.seeding import (
    LIGHT_DIR,
    LIGHT_MODELS,
    data_inputs,
    input_shape,
    light_model_path,
    seed_weights,
)
from tests.models.export import cache_dir, cached_file, content_hash, random_inputs

__all__ = [
    "LIGHT_MODELS",
    "light_model_path",
    "light_reference_inputs",
    "light_shipped_test_data",
    "seeded_light_model",
    "seeded_light_model_path",
]


def seeded_light_model(name: str, seed: int = 0) -> onnx.ModelProto:
    """Light model `name` with seeded random weights (see `ramiel.seeding.seed_weights`)."""
    return seed_weights(onnx.load(light_model_path(name)), seed)


def seeded_light_model_path(name: str, seed: int = 0) -> Path:
    """The cached file of `seeded_light_model(name, seed)`, written on first use."""
    tag = content_hash(Path(__file__), Path(ramiel.seeding.__file__), light_model_path(name), np.__version__)
    path = cache_dir() / f"light_{name}-seed{seed}-{tag}.onnx"
    return cached_file(
        path, lambda target: onnx.save(seeded_light_model(name, seed), target)
    )


def light_reference_inputs(name: str, seed: int = 0) -> list[np.ndarray]:
    """Seeded standard-normal inputs for light model `name`, one per real graph input."""
    graph = onnx.load(light_model_path(name)).graph
    return random_inputs([input_shape(v) for v in data_inputs(graph)], seed)


def light_shipped_test_data(
    name: str,
) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    """The (inputs, expected outputs) pairs the onnx backend tests use for `name`.

    Only the model and `light_<name>_output_<i>.pb` ship; there is no input file and
    no `test_data_set_*` folder. onnx's backend test runner (`Runner._add_model_test`)
    makes the input with `Runner.generate_dummy_data(x, random=False)`, i.e.
    `arange(n).reshape(shape) / n` as float32, writes it to a `test_data_set_0` under
    `$ONNX_HOME/models/light/<name>`, copies the shipped output files next to it
    (computing them with `onnx.reference.ReferenceEvaluator` only if they are
    missing) and compares with rtol 1e-3 (2e-3 for densenet121) and atol 1e-7. Since
    every large weight is 0.02, those outputs are constant vectors (softmax 0.001
    everywhere; densenet121's un-normalised scores all equal), so they check little
    beyond shapes and plumbing.
    """
    path = light_model_path(name)
    graph = onnx.load(path).graph
    inputs = [
        Runner.generate_dummy_data(value, name=name, random=False)
        for value in data_inputs(graph)
    ]
    outputs = [
        numpy_helper.to_array(
            onnx.load_tensor(str(LIGHT_DIR / f"light_{name}_output_{i}.pb"))
        )
        for i in range(len(graph.output))
    ]
    return [(inputs, outputs)]
