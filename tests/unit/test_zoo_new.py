"""The zoo models for performance, operator breadth and control flow.

Each export must be valid ONNX that onnxruntime runs and that matches the torch
model; the quantized models made from an export must run and give finite outputs.
Then Ramiel checks each one: the models it compiles today must match onnxruntime,
and for the others the check is an expected failure naming the first thing Ramiel
refuses, so that it turns into a failure when support lands (or when Ramiel
refuses something else first).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from _pytest.mark import ParameterSet

from ramiel.api import check
from ramiel.api import compile as compile_model
from ramiel.errors import RamielError
from tests.models import zoo, zoo_control, zoo_ops, zoo_perf
from tests.models.export import (
    DERIVED,
    MODELS,
    OPSETS,
    Exporter,
    derived_model_path,
    export_model,
    input_names,
    model_spec,
    random_inputs,
    reference_inputs,
    run_onnxruntime,
)

NEW_MODELS = {**zoo_perf.ZOO, **zoo_ops.ZOO, **zoo_control.ZOO}

# What Ramiel reports first for the models it cannot compile yet (the start of
# its error message), keyed by model name for either exporter, or by model name
# and exporter.
REFUSED: dict[str | tuple[str, Exporter], str] = {
    "dynamic_sequence": "input 'input_0' has symbolic dimension 'sequence'",
}


def refusal(name: str, exporter: Exporter) -> str | None:
    """The start of Ramiel's error message for the export, None when it compiles."""
    return REFUSED.get((name, exporter), REFUSED.get(name))


# Operators each derived model must hold: proof that quantization happened.
QUANTIZED_OPS = {
    "small_cnn_qdq": {"QuantizeLinear", "DequantizeLinear"},
    "small_cnn_dynamic": {"DynamicQuantizeLinear", "ConvInteger", "MatMulInteger"},
}


def _cases(names: Sequence[str]) -> list[tuple[str, Exporter]]:
    return [(n, e) for n in names for e in model_spec(n).exporters]


EXPORTS = _cases(list(NEW_MODELS))
DERIVED_EXPORTS = _cases(list(DERIVED))


def _ramiel_params(cases: list[tuple[str, Exporter]]) -> list[ParameterSet]:
    return [
        pytest.param(
            name,
            exporter,
            id=f"{name}-{exporter}",
            marks=[pytest.mark.xfail(strict=True, raises=RamielError, reason=reason)]
            if (reason := refusal(name, exporter)) is not None
            else [],
        )
        for name, exporter in cases
    ]


def model_path(name: str, exporter: Exporter) -> Path:
    """The export of a torch zoo model, or the file of a derived model."""
    if name in DERIVED:
        return derived_model_path(name, exporter)
    return export_model(name, exporter)


@functools.cache
def built(name: str) -> torch.nn.Module:
    """The seeded torch model, built once per test run."""
    return MODELS[name].build()


def torch_outputs(name: str, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """The torch model's outputs on `inputs`, as arrays."""
    with torch.no_grad():
        result = built(name)(*[torch.from_numpy(x) for x in inputs])
    outputs = [result] if isinstance(result, torch.Tensor) else list(result)
    return [output.numpy() for output in outputs]


def assert_matches(actual: list[np.ndarray], expected: list[np.ndarray]) -> None:
    """Every output has the expected shape and dtype, and is within the zoo's
    tolerance: max |actual - expected| <= 1e-4 * max(1, max |actual|)."""
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        assert a.shape == e.shape
        assert a.dtype == e.dtype
        if a.size:
            error = np.abs(a.astype(np.float64) - e).max()
            assert error <= 1e-4 * max(1.0, np.abs(a).max()), error


def comparison_inputs(name: str) -> list[list[np.ndarray]]:
    """The inputs an export is compared with torch on: the reference inputs, and
    for models whose path through the graph or whose shapes depend on the input,
    inputs that take the other paths or have other sizes."""
    inputs = reference_inputs(name)
    if name == "branch_on_data":
        return [inputs, [-inputs[0]]]
    if name == "greedy_decoder":
        return [reference_inputs(name, seed) for seed in range(6)]
    if name == "dynamic_sequence":
        return [inputs, *(random_inputs([(1, n, 32)], n) for n in (1, 17, 64))]
    if name == "ssd_detector":  # 35, 31, 30, 33 and 19 detections kept (no ties in score)
        return [*(reference_inputs(name, seed) for seed in range(4)), [(0.2 * inputs[0]).astype(np.float32)]]
    return [inputs]


class Test_models:
    def test_registry_holds_every_zoo(self) -> None:
        assert MODELS.keys() == zoo.ZOO.keys() | NEW_MODELS.keys()
        assert len(MODELS) == len(zoo.ZOO) + len(NEW_MODELS)
        assert all(spec.base in NEW_MODELS for spec in DERIVED.values())
        names = {key if isinstance(key, str) else key[0] for key in REFUSED}
        assert names <= NEW_MODELS.keys() | DERIVED.keys()
        assert all(key[1] in model_spec(key[0]).exporters for key in REFUSED if isinstance(key, tuple))

    @pytest.mark.parametrize("name", list(NEW_MODELS))
    def test_build_is_seeded(self, name: str) -> None:
        first, second = built(name).state_dict(), MODELS[name].build().state_dict()
        assert first.keys() == second.keys()
        for key, value in first.items():
            assert torch.equal(value, second[key]), key
        for bn in built(name).modules():
            if isinstance(bn, torch.nn.BatchNorm2d):
                assert bn.running_mean is not None
                assert bn.running_var is not None
                assert bn.running_mean.abs().max() > 1e-2
                assert (bn.running_var - 1).abs().max() > 1e-2

    @pytest.mark.parametrize(("name", "exporter"), EXPORTS)
    def test_export_matches_torch(self, name: str, exporter: Exporter) -> None:
        path = export_model(name, exporter)
        onnx.checker.check_model(str(path), full_check=True)
        exported = onnx.load(path, load_external_data=False)
        assert [v.name for v in exported.graph.input] == input_names(name)
        assert [v.name for v in exported.graph.output] == list(
            MODELS[name].output_names
        )
        opset = next(o.version for o in exported.opset_import if o.domain == "")
        assert opset == OPSETS[exporter]
        for inputs in comparison_inputs(name):
            assert_matches(run_onnxruntime(path, inputs), torch_outputs(name, inputs))

    def test_detector_keeps_some_and_suppresses_some(self) -> None:
        detector = built("ssd_detector")
        assert isinstance(detector, zoo_control.SSDDetector)
        boxes, scores, labels = torch_outputs(
            "ssd_detector", reference_inputs("ssd_detector")
        )
        # Fewer than the limit: NMS, not the limit, decided how many are left.
        assert 0 < len(scores) < detector.detections < detector.topk
        assert np.all(np.diff(scores) <= 0)
        assert set(labels.tolist()) <= set(range(1, detector.classes))
        assert np.all((boxes >= 0) & (boxes <= 1))

    def test_decoder_stops_at_the_end_token_or_the_length_limit(self) -> None:
        decoder = built("greedy_decoder")
        assert isinstance(decoder, zoo_control.GreedyDecoder)
        lengths = set()
        for inputs in comparison_inputs("greedy_decoder"):
            tokens, length = torch_outputs("greedy_decoder", inputs)
            n = int(length)
            lengths.add(n)
            assert np.all(tokens[:n][:-1] != decoder.eos)
            assert np.all(tokens[n:] == decoder.eos)
            assert n == decoder.max_len or tokens[n - 1] == decoder.eos
        assert decoder.max_len in lengths
        assert min(lengths) < decoder.max_len

    @pytest.mark.parametrize("exporter", model_spec("dynamic_sequence").exporters)
    def test_sequence_axis_is_symbolic(self, exporter: Exporter) -> None:
        graph = onnx.load(
            export_model("dynamic_sequence", exporter), load_external_data=False
        ).graph
        for value in (graph.input[0], graph.output[0]):
            dims = value.type.tensor_type.shape.dim
            assert [d.dim_value for d in dims[::2]] == [1, 32]
            assert dims[1].dim_param
            assert not dims[1].dim_value

    @pytest.mark.parametrize(("name", "exporter"), DERIVED_EXPORTS)
    def test_quantized_runs_in_onnxruntime(self, name: str, exporter: Exporter) -> None:
        path = derived_model_path(name, exporter)
        onnx.checker.check_model(str(path), full_check=True)
        ops = {n.op_type for n in onnx.load(path).graph.node}
        assert QUANTIZED_OPS[name] <= ops
        base = DERIVED[name].base
        [output] = run_onnxruntime(path, reference_inputs(name))
        [expected] = torch_outputs(base, reference_inputs(base))
        assert output.shape == expected.shape
        assert np.isfinite(output).all()


class Test_ramiel:
    @pytest.mark.parametrize(
        ("name", "exporter"), _ramiel_params(EXPORTS + DERIVED_EXPORTS)
    )
    def test_check_matches_onnxruntime(self, name: str, exporter: Exporter) -> None:
        feeds = dict(zip(input_names(name), reference_inputs(name), strict=True))
        try:
            report = check(model_path(name, exporter), workers=2, inputs=feeds)
        except RamielError as error:
            # Any other refusal than the expected one fails the test outright.
            if not str(error).startswith(refusal(name, exporter) or "\0"):
                raise AssertionError(f"unexpected refusal: {error}") from error
            raise
        assert report.ok, report.lines()

    @pytest.mark.parametrize("workers", [1, 2])
    @pytest.mark.parametrize(("name", "exporter"), _cases(["branch_on_data", "greedy_decoder", "ssd_detector"]))
    def test_every_path_matches_onnxruntime(self, name: str, exporter: Exporter, workers: int) -> None:
        # The inputs take both branches, stop the decoding loop early and at its limit, or
        # keep different numbers of detections.
        path = model_path(name, exporter)
        generated = compile_model(path, workers=workers, name=name).load()
        try:
            for inputs in comparison_inputs(name):
                result = generated(*(torch.from_numpy(x) for x in inputs))
                outputs = [result] if isinstance(result, torch.Tensor) else list(result)
                assert_matches([o.numpy() for o in outputs], run_onnxruntime(path, inputs))
        finally:
            generated.close()

    @pytest.mark.parametrize("workers", [1, 2])
    @pytest.mark.parametrize("exporter", model_spec("dynamic_sequence").exporters)
    def test_dynamic_sequence_compiled_once_runs_every_length(self, exporter: Exporter, workers: int) -> None:
        path = model_path("dynamic_sequence", exporter)
        compiled = compile_model(path, workers=workers, dynamic_dims=True, dim_bounds={"input_0": 24})
        assert compiled.inputs[0][1][1] < 0  # the sequence axis: a size the values decide
        generated = compiled.load()
        try:
            for inputs in comparison_inputs("dynamic_sequence"):
                output = generated(*(torch.from_numpy(x) for x in inputs))
                assert_matches([output.numpy()], run_onnxruntime(path, inputs))
        finally:
            generated.close()

    @pytest.mark.parametrize("exporter", model_spec("dynamic_sequence").exporters)
    def test_dynamic_sequence_with_a_given_length(self, exporter: Exporter) -> None:
        [inputs] = random_inputs([(1, 17, 32)], 17)
        report = check(
            export_model("dynamic_sequence", exporter),
            workers=2,
            inputs={"input_0": inputs},
            input_shapes={"input_0": inputs.shape},
        )
        assert report.ok, report.lines()
