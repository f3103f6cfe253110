"""How far onnxruntime's outputs can decide a check: constant outputs and ill-conditioned ones.

`ramiel check` compares the generated code with onnxruntime under one tolerance.
Two kinds of model make that comparison say little, and `reference_notes` names
them instead of letting a MISMATCH read as a wrong compile:

- outputs that the inputs do not move (the same for two random inputs), as with
  the onnx wheel's light models, whose weights are all one value: any code that
  gets the constant right passes;
- ill-conditioned outputs, which rounding alone moves beyond the tolerance:
  perturbing every float weight by about one part in a million moves them that
  far, or the model's values grow so large that float32 keeps no digit below 1
  (2**24 and up). The light SqueezeNet's logits reach 9e9, where float32 values
  are 1024 apart, and its softmax turns differences of a few steps into 0.12;
  its weights are ConstantOfShape fills, which no perturbation of initializers
  reaches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import onnx
from onnx import numpy_helper

from ramiel.errors import RamielError
from ramiel.numerics import max_errors, within_tolerance

Reference = Callable[[onnx.ModelProto, Mapping[str, np.ndarray]], list[np.ndarray]]
"""What computes a model's outputs on inputs: `ramiel.api.onnxruntime_outputs`."""

PERTURBATION = 1e-6
"""The relative size of the random change to every float weight."""


def perturbed(model: onnx.ModelProto, seed: int = 0) -> onnx.ModelProto:
    """`model` with each float initializer multiplied by 1 + PERTURBATION * a standard normal draw."""
    rng = np.random.default_rng(seed)
    changed = onnx.ModelProto()
    changed.CopyFrom(model)
    for tensor in changed.graph.initializer:
        array = numpy_helper.to_array(tensor)
        if array.dtype.kind == "f" and array.size:
            noise = 1 + PERTURBATION * rng.standard_normal(array.shape)
            tensor.CopyFrom(numpy_helper.from_array((array * noise).astype(array.dtype), tensor.name))
    return changed


def largest_value(model: onnx.ModelProto, feed: Mapping[str, np.ndarray], run: Reference) -> tuple[str, float]:
    """The float tensor the model computes with the largest magnitude on `feed`, and that magnitude.

    The first in graph order wins a tie; ("", 0.0) if the intermediate values cannot be had.
    """
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    except (onnx.shape_inference.InferenceError, ValueError):
        return "", 0.0
    outputs = {o.name for o in inferred.graph.output}
    exposed = onnx.ModelProto()
    exposed.CopyFrom(inferred)
    floats = (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16)
    extra = [v for v in inferred.graph.value_info if v.type.tensor_type.elem_type in floats and v.name not in outputs]
    exposed.graph.output.extend(extra)
    names = [o.name for o in exposed.graph.output]
    try:
        values = run(exposed, feed)
    except RamielError:
        return "", 0.0
    magnitudes = [
        (float(np.abs(v[np.isfinite(v)]).max()) if np.isfinite(v).any() else 0.0, -index, name)
        for index, (name, v) in enumerate(zip(names, values, strict=True))
        if v.dtype.kind == "f" and v.size
    ]
    magnitude, _, name = max(magnitudes, default=(0.0, 0, ""))
    return name, magnitude


def reference_notes(
    model: onnx.ModelProto,
    feed: Mapping[str, np.ndarray],
    reference: Sequence[np.ndarray],
    other: Sequence[np.ndarray],
    mismatch: bool,
    run: Reference,
) -> list[str]:
    """What the reference cannot decide: constant outputs, and (after a mismatch) ill-conditioning.

    `reference` holds the outputs on `feed`, `other` those on a second draw of inputs;
    `run` computes more (on a perturbed model) after a mismatch.
    """
    notes: list[str] = []
    if feed and all(np.array_equal(a, b, equal_nan=True) for a, b in zip(reference, other, strict=True)):
        notes.append(
            "the outputs are the same for two random inputs, so this check says little; a model whose "
            "weights are all one value (as the onnx wheel's light models ship) needs seeded weights "
            "(ramiel.seeding.seed_weights)"
        )
    if not mismatch:
        return notes
    names = [o.name for o in model.graph.output]
    moved = [
        (max_errors(changed, original)[1], name)
        for name, original, changed in zip(names, reference, run(perturbed(model), feed), strict=True)
        if not within_tolerance(changed, original)
    ]
    tensor, magnitude = largest_value(model, feed, run)
    step = float(np.spacing(np.float32(magnitude)))
    reach = (
        f"the model's values reach {magnitude:.3g} (tensor {tensor!r}), where float32 values are {step:.3g} apart"
        if tensor else "its intermediate values could not be had"
    )
    if moved:
        gap, output = max(moved)
        notes.append(
            f"the reference is ill-conditioned: changing every weight by about one part in a million "
            f"moves output {output!r} by {gap:.3g} (relative), beyond the tolerance; {reach}; rounding "
            "alone makes differences like these, and they do not show a wrong compile"
        )
    elif step >= 1:
        notes.append(
            f"the reference may be ill-conditioned: {reach}; a softmax or exponential of such values "
            "turns a difference of a few steps into a large one"
        )
    return notes
