"""The Python API: compile, load, scripted pipelines, check; the light models end to end."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper

import ramiel
from ramiel import api
from ramiel.codegen import MARKER
from ramiel.errors import RamielError
from ramiel.numerics import assert_close
from ramiel.pipeline import lowering_passes, pipeline_text
from tests.models.light import LIGHT_MODELS, seeded_light_model_path
from tests.unit.budget import LONG, in_budget
from tests.unit.test_codegen import branches_model, diamond_model


def test_compile_writes_a_loadable_model(tmp_path: Path) -> None:
    model = diamond_model()
    compiled = ramiel.compile(model, out_dir=tmp_path, name="diamond")
    assert compiled.path == tmp_path / "diamond.py"
    assert compiled.weights == tmp_path / "diamond.weights.pt"
    assert compiled.path.read_text() == compiled.source
    assert compiled.source.startswith(MARKER)
    assert [name for name, _, _ in compiled.inputs] == ["x", "y"]
    assert compiled.outputs == ("p", "q", "d")
    assert compiled.summary.streams == 1
    assert compiled.summary.ops_before == 8
    feed = api.random_inputs(compiled.inputs)
    reference = api.onnxruntime_outputs(model, feed)
    with compiled.load() as m:
        outputs = m(*(torch.from_numpy(a) for a in feed.values()))
    for ours, ref, name in zip(outputs, reference, compiled.outputs, strict=True):
        assert_close(ours, ref, name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diamond.py", "diamond.weights.pt"]


def test_compile_without_out_dir_uses_a_fresh_folder() -> None:
    compiled = api.compile(diamond_model())
    assert compiled.path.is_file()
    assert compiled.weights.is_file()


def test_pipelines_can_be_scripted(tmp_path: Path) -> None:
    compiled = api.compile(diamond_model(), out_dir=tmp_path, pipeline="convert-dfg-to-pyemit")
    assert compiled.summary.ops_after == compiled.summary.ops_before
    assert "Pipeline: convert-dfg-to-pyemit" in compiled.source


def test_the_summary_counts_the_ops_that_reach_the_first_lowering_pass(tmp_path: Path) -> None:
    from ramiel.dialects.dfg import DfgOp

    model = branches_model()
    compiled = api.compile(model, out_dir=tmp_path)
    # The lowering fuses a convolution with its Relu: counted after it, there would be one op fewer.
    assert 'activation="relu"' in compiled.source
    cleaned = sum(isinstance(op, DfgOp) for op in api.cleaned_module(model).walk())
    assert compiled.summary.ops_after == cleaned


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [
        ("no-such-pass", "no-such-pass"),
        ("cleanup", "the pipeline must end with convert-dfg-to-pyemit"),
    ],
)
def test_bad_pipelines_are_user_errors(tmp_path: Path, pipeline: str, message: str) -> None:
    with pytest.raises(RamielError, match=message):
        api.compile(diamond_model(), out_dir=tmp_path, pipeline=pipeline)
    assert list(tmp_path.iterdir()) == []


def test_input_shapes_fix_symbolic_dimensions(tmp_path: Path) -> None:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", "c"])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", "c"])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    compiled = api.compile(model, out_dir=tmp_path, input_shapes={"x": [2, 5]})
    assert compiled.inputs == (("x", (2, 5), "float32"),)


def test_parallel_default_pipeline_matches_onnxruntime() -> None:
    report = api.check(diamond_model(), workers=2)
    assert report.ok, report.lines()


def test_two_streams_end_to_end(tmp_path: Path) -> None:
    lowering = pipeline_text(lowering_passes())
    pipeline = f"cleanup,cluster-cp{{cost=static}},merge-clusters{{workers=2 cost=static}},{lowering}"
    compiled = api.compile(branches_model(), workers=2, pipeline=pipeline, out_dir=tmp_path)
    assert compiled.summary.streams == 2
    # The prediction counts the static cost model's 3 ms per parallel call.
    plan = compiled.plan
    assert plan is not None
    assert compiled.summary.predicted_speedup == pytest.approx(
        plan.graph.total_work / (plan.simulation.makespan + 3e-3)
    )
    # One branch's result crosses to the stream that joins them.
    assert "_slot_left = 1" in compiled.source
    assert "call.send(_slot_left, left)" in compiled.source
    assert "= call.recv(_slot_left)" in compiled.source
    report = api.check(branches_model(), workers=2, pipeline=pipeline)
    assert report.ok, report.lines()


@pytest.mark.parametrize("backend", ["eager", "inductor"])
@pytest.mark.parametrize("streams", [1, 2])
def test_torch_compile_runs_the_model(tmp_path: Path, streams: int, backend: str) -> None:
    """Its convolutions' prepacked oneDNN weights run eagerly: dynamo cannot trace them; nor
    the streams' threads and hand-offs, which run as they do without it."""
    lowering = pipeline_text(lowering_passes())
    pipeline = f"cleanup,cluster-cp{{cost=static}},merge-clusters{{workers={streams} cost=static}},{lowering}"
    compiled = api.compile(branches_model(), workers=streams, pipeline=pipeline, out_dir=tmp_path)
    assert compiled.summary.streams == streams
    assert "prepack_conv2d(" in compiled.source
    x = torch.randn(1, 64, 56, 56)
    with api.load_model_class(compiled.path)() as model:
        expected = model(x)
        torch.compiler.reset()
        got = torch.compile(model, backend=backend)(x)
    torch.testing.assert_close(got, expected, rtol=0, atol=0)


def test_compiling_twice_gives_identical_files(tmp_path: Path) -> None:
    first = api.compile(diamond_model(), workers=2, out_dir=tmp_path / "one", name="d")
    second = api.compile(diamond_model(), workers=2, out_dir=tmp_path / "two", name="d")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.weights.read_bytes() == second.weights.read_bytes()


def test_save_arrays_takes_any_name(tmp_path: Path) -> None:
    arrays = {"file": np.zeros(2), "allow_pickle": np.ones(3), "a b'c": np.arange(4)}
    api.save_arrays(tmp_path / "o.npz", arrays)
    with np.load(tmp_path / "o.npz") as saved:
        assert sorted(saved.files) == sorted(arrays)
        assert np.array_equal(saved["a b'c"], np.arange(4))
    assert [p.name for p in tmp_path.iterdir()] == ["o.npz"]


def test_import_ramiel_is_cheap() -> None:
    code = "import sys, ramiel; print(sorted(m for m in ('torch', 'xdsl', 'onnx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert ramiel.compile is api.compile


@pytest.mark.heavy
@pytest.mark.parametrize("name", in_budget(LIGHT_MODELS))
def test_light_models_match_onnxruntime(tmp_path: Path, name: str) -> None:
    model = onnx.load(seeded_light_model_path(name))
    feed = reference = None
    # Four streams on two cores is the most crowded case, and the slowest.
    for workers in (1, 2, 4) if LONG else (1, 2):
        compiled = api.compile(model, workers=workers, out_dir=tmp_path / str(workers), name=name)
        if feed is None:
            feed = api.random_inputs(compiled.inputs)
            reference = api.onnxruntime_outputs(model, feed)
        assert reference is not None
        errors = api.compare(api.run(compiled.path, feed), reference)
        assert all(e.ok for e in errors), (workers, errors)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_progress_rewrites_the_line_of_a_counted_loop() -> None:
    assert api.terminal_progress(io.StringIO()) is None  # not a terminal: nothing printed
    out = _Terminal()
    tell = api.terminal_progress(out)
    assert tell is not None
    for message in ("importing m.onnx", "timing ops (1/2)", "timing ops (2/2)", "running cleanup"):
        tell(message)
    assert out.getvalue() == (
        "ramiel: importing m.onnx...\n"
        "\r\x1b[Kramiel: timing ops (1/2)"
        "\r\x1b[Kramiel: timing ops (2/2)\n"
        "ramiel: running cleanup...\n"
    )


def test_profiling_tells_each_op_it_times(tmp_path: Path) -> None:
    from ramiel.profiling import profile_module

    heard: list[str] = []
    profile_module(api.cleaned_module(diamond_model()), tmp_path, heard.append)
    assert heard
    assert heard[-1] == f"timing ops ({len(heard)}/{len(heard)})"
    assert heard[0] == f"timing ops (1/{len(heard)})"
