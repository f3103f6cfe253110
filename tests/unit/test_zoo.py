"""The test-model zoo: torch models, their ONNX exports, and the seeded light models."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import numpy_helper

from tests.models.export import (
    EXPORTERS,
    OPSETS,
    Exporter,
    cached_file,
    export_model,
    input_names,
    reference_inputs,
    run_onnxruntime,
)
from tests.models.light import (
    LIGHT_MODELS,
    light_model_path,
    light_reference_inputs,
    light_shipped_test_data,
    seeded_light_model,
)
from tests.models.zoo import ZOO
from tests.unit.budget import LARGEST_ZOO_MODELS, in_budget


@pytest.fixture(scope="module", params=in_budget(list(ZOO), LARGEST_ZOO_MODELS))
def name(request: pytest.FixtureRequest) -> str:
    """A zoo model name; module scope groups each model's tests together."""
    return request.param


@pytest.fixture(scope="module")
def model(name: str) -> torch.nn.Module:
    """The built zoo model, shared by that model's tests."""
    return ZOO[name].build()


@pytest.fixture(scope="module")
def torch_output(name: str, model: torch.nn.Module) -> np.ndarray:
    """The zoo model's torch output on its reference inputs."""
    with torch.no_grad():
        return model(*[torch.from_numpy(x) for x in reference_inputs(name)]).numpy()


def assert_informative(output: np.ndarray) -> None:
    """Finite, and at least half the values distinct: neither constant nor one-hot."""
    assert np.isfinite(output).all()
    assert np.unique(output).size > output.size // 2


class Test_zoo:
    def test_build_is_seeded(self, name: str, model: torch.nn.Module) -> None:
        first, second = model.state_dict(), ZOO[name].build().state_dict()
        assert first.keys() == second.keys()
        for key, value in first.items():
            assert torch.equal(value, second[key]), key

    def test_batchnorm_statistics_are_not_identity(
        self, model: torch.nn.Module
    ) -> None:
        norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        for bn in norms:
            mean, var = bn.running_mean, bn.running_var
            assert mean is not None
            assert var is not None
            assert not bn.training
            assert mean.abs().max() > 1e-2
            assert (var - 1).abs().max() > 1e-2

    def test_torch_output_is_informative(self, torch_output: np.ndarray) -> None:
        assert_informative(torch_output)

    def test_reference_inputs(self, name: str) -> None:
        inputs = reference_inputs(name)
        assert [x.shape for x in inputs] == ZOO[name].input_shapes
        assert all(x.dtype == np.float32 for x in inputs)
        np.testing.assert_array_equal(inputs[0], reference_inputs(name)[0])
        assert not np.array_equal(inputs[0], reference_inputs(name, seed=1)[0])

    @pytest.mark.parametrize("exporter", EXPORTERS)
    def test_export_matches_torch(
        self, name: str, exporter: Exporter, torch_output: np.ndarray
    ) -> None:
        path = export_model(name, exporter)
        onnx.checker.check_model(str(path), full_check=True)
        exported = onnx.load(path)
        assert [v.name for v in exported.graph.input] == input_names(name)
        opset = next(o.version for o in exported.opset_import if o.domain == "")
        assert opset == OPSETS[exporter]

        [actual] = run_onnxruntime(path, reference_inputs(name))
        assert actual.shape == torch_output.shape
        error = np.abs(actual - torch_output).max()
        assert error <= 1e-4 * max(1.0, np.abs(actual).max()), error


class Test_cache:
    def test_cached_file_moves_side_files_first_and_reuses(
        self, tmp_path: Path
    ) -> None:
        calls: list[Path] = []

        def write(target: Path) -> None:
            calls.append(target)
            target.with_name(target.name + ".data").write_text("weights")
            assert not (tmp_path / target.name).exists()
            target.write_text("model")

        path = tmp_path / "m.onnx"
        assert cached_file(path, write) == path
        assert cached_file(path, write) == path
        assert len(calls) == 1
        assert path.read_text() == "model"
        assert (tmp_path / "m.onnx.data").read_text() == "weights"
        assert sorted(p.name for p in tmp_path.iterdir()) == [".m.onnx.lock", "m.onnx", "m.onnx.data"]

    def test_processes_wanting_one_file_make_it_once(self, tmp_path: Path) -> None:
        calls: list[int] = []

        def write(target: Path) -> None:
            calls.append(1)
            time.sleep(0.3)  # long enough for the other thread to be waiting
            target.write_text("model")

        path = tmp_path / "m.onnx"
        threads = [threading.Thread(target=cached_file, args=(path, write)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert calls == [1]
        assert path.read_text() == "model"

    def test_a_new_version_removes_the_other_versions_of_its_model(self, tmp_path: Path) -> None:
        kept = ["resnet-dynamo-0123456789ab.onnx", "resnet-legacy-small-0123456789ab.onnx", "notes.txt"]
        stale = ["resnet-legacy-0123456789ab.onnx", "resnet-legacy-0123456789ab.onnx.data"]
        for name in kept + stale:
            (tmp_path / name).write_text("old")

        def write(target: Path) -> None:
            target.with_name(target.name + ".data").write_text("weights")
            target.write_text("model")

        cached_file(tmp_path / "resnet-legacy-abcdefabcdef.onnx", write)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [*kept, ".resnet-legacy-abcdefabcdef.onnx.lock", "resnet-legacy-abcdefabcdef.onnx",
             "resnet-legacy-abcdefabcdef.onnx.data"]
        )


class Test_light:
    """The light models and their seeded copies; the copies are made in memory here,
    not through the model cache, which would hold 1.2 GB for the three largest
    (only the long run compiles those)."""

    def test_models_found(self) -> None:
        assert LIGHT_MODELS == [
            "bvlc_alexnet",
            "densenet121",
            "inception_v1",
            "inception_v2",
            "resnet50",
            "shufflenet",
            "squeezenet",
            "vgg19",
            "zfnet512",
        ]

    @pytest.mark.parametrize("light", LIGHT_MODELS)
    def test_shipped_test_data_reproduced(self, light: str) -> None:
        [(inputs, expected)] = light_shipped_test_data(light)
        actual = run_onnxruntime(light_model_path(light), inputs)
        for a, e in zip(actual, expected, strict=True):
            np.testing.assert_allclose(a, e, rtol=2e-3, atol=1e-7)

    @pytest.mark.parametrize("light", in_budget(LIGHT_MODELS))
    def test_seeded_weights_replace_constants(self, light: str) -> None:
        original = onnx.load(light_model_path(light)).graph
        seeded = seeded_light_model(light).graph
        constants = [n for n in original.node if n.op_type == "ConstantOfShape"]
        assert constants
        assert Counter(n.op_type for n in seeded.node) == Counter(
            n.op_type for n in original.node if n.op_type != "ConstantOfShape"
        )

        old = {i.name: numpy_helper.to_array(i) for i in original.initializer}
        new = {i.name: numpy_helper.to_array(i) for i in seeded.initializer}
        read = {value for node in seeded.node for value in node.input}
        weights = {n.output[0] for n in constants} | {
            k for k, v in old.items() if v.dtype == np.float32 and k in read
        }
        assert {
            k for k, v in new.items() if v.dtype == np.float32 and k in read
        } == weights
        assert not {n.input[0] for n in constants} & new.keys()
        for key in weights & old.keys():
            assert not np.array_equal(new[key], old[key]), key
        assert {v.name for v in seeded.input} >= new.keys()

    @pytest.mark.parametrize("light", in_budget(LIGHT_MODELS))
    def test_seeded_outputs_are_informative(self, light: str) -> None:
        for output in run_onnxruntime(seeded_light_model(light), light_reference_inputs(light)):
            assert_informative(output)

    def test_seeding_is_deterministic(self) -> None:
        def weights(seed: int) -> dict[str, np.ndarray]:
            graph = seeded_light_model("squeezenet", seed).graph
            return {i.name: numpy_helper.to_array(i) for i in graph.initializer}

        first, again, other = weights(0), weights(0), weights(1)
        assert first.keys() == again.keys() == other.keys()
        for key, value in first.items():
            np.testing.assert_array_equal(value, again[key])
        assert any(not np.array_equal(v, other[k]) for k, v in first.items())
