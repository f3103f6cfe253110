"""The default parallel pipeline: split convolutions, one stream when parallelism does not pay, and one thread for it when more do not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper

from ramiel import api
from ramiel.pipeline import default_pipeline
from tests.models.export import export_model


@pytest.fixture(autouse=True)
def static_costs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty cost cache: every schedule comes from the static cost model."""
    monkeypatch.setenv("RAMIEL_CACHE", str(tmp_path / "cache"))


def _model(nodes: list[onnx.NodeProto], inputs: list[onnx.ValueInfoProto], weights: dict[str, np.ndarray]) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes, "g", inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [onnx.numpy_helper.from_array(a, n) for n, a in weights.items()],
    )  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _image(name: str, shape: list[int]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def test_a_chain_of_convolutions_stays_on_one_stream(tmp_path: Path) -> None:
    # A chain has no branches for streams to run: its convolutions are left whole
    # for the one stream's intra-op threads (split onto two streams, ResNet-50 ran
    # 1.3x slower than on one stream at two threads).
    rng = np.random.default_rng(0)
    weights = {f"w{i}": (rng.standard_normal((128, 128, 3, 3)) * 0.03).astype(np.float32) for i in range(3)}
    nodes, x = [], "x"
    for i in range(3):
        nodes += [
            helper.make_node("Conv", [x, f"w{i}"], [f"c{i}"], name=f"conv{i}", pads=[1, 1, 1, 1]),
            helper.make_node("Relu", [f"c{i}"], ["y" if i == 2 else f"r{i}"], name=f"relu{i}"),
        ]
        x = f"r{i}"
    model = _model(nodes, [_image("x", [1, 128, 56, 56])], weights)
    compiled = api.compile(model, workers=2, out_dir=tmp_path, name="chain")
    assert compiled.summary.streams == 1
    assert "part" not in compiled.source
    feed = api.random_inputs(compiled.inputs, 0)
    errors = api.compare(api.run(compiled.path, feed), api.onnxruntime_outputs(model, feed))
    assert all(e.ok for e in errors), errors


@pytest.mark.parametrize("size", [3, 5, 9])
def test_a_split_lrn_and_its_pooling_match_onnxruntime(tmp_path: Path, size: int) -> None:
    # Each part's window reaches into the other part's channels (onnxruntime takes
    # odd sizes only).
    # A second stream with little to do beside it (a Neg) is what the split fills.
    nodes = [
        helper.make_node("LRN", ["x"], ["n"], name="lrn", size=size, alpha=0.5, bias=2.0),
        helper.make_node("MaxPool", ["n"], ["y"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Neg", ["x"], ["z"], name="side"),
    ]
    model = _model(nodes, [_image("x", [1, 64, 56, 56])], {})
    model.graph.output.append(helper.make_tensor_value_info("z", TensorProto.FLOAT, None))
    pipeline = default_pipeline(2, cost="static", min_speedup=0.0)
    compiled = api.compile(model, workers=2, out_dir=tmp_path, name="lrn", pipeline=pipeline)
    assert compiled.summary.streams == 2
    assert "LRN lrn/part1" in compiled.source
    feed = api.random_inputs(compiled.inputs, 0)
    errors = api.compare(api.run(compiled.path, feed), api.onnxruntime_outputs(model, feed))
    assert all(e.ok for e in errors), errors


def test_too_little_predicted_gain_gives_one_stream_and_says_so(tmp_path: Path) -> None:
    # A convolution by a weight known only at run time (so not split) beside a
    # cheap branch: two streams would be predicted barely faster than one.
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Mul", ["r", "k"], ["m"], name="scale"),
        helper.make_node("Add", ["c", "m"], ["y"], name="join"),
    ]
    model = _model(
        nodes,
        [_image("x", [1, 64, 56, 56]), _image("w", [64, 64, 3, 3])],
        {"k": np.full((1, 64, 1, 1), 0.5, np.float32)},
    )
    compiled = api.compile(model, workers=2, out_dir=tmp_path, name="lopsided")
    assert compiled.summary.streams == 1
    assert any("too little to pay" in line for line in compiled.summary.lines())
    assert compiled.source.splitlines()[3:6] == [
        "# Pipeline: cleanup,fuse-gelu,fuse-normalization,fuse-attention,cluster-cp,merge-clusters,",
        "#   select-streams,split-ops,clone,fuse-conv-activation,prepack-weights,channels-last,",
        "#   write-in-place,outline-streams,convert-dfg-to-pyemit",
    ]


def test_auto_takes_the_best_cached_cost_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ramiel.costmodel import ANALYTIC_CACHE_FILE, CONSTANT_KEYS, PROFILE_CACHE_FILE
    from ramiel.ir_graph import cost_model_name

    cache = tmp_path / "costs"
    cache.mkdir()
    monkeypatch.setenv("RAMIEL_CACHE", str(cache))
    assert cost_model_name("auto") == "static"
    (cache / ANALYTIC_CACHE_FILE).write_text("{" + ", ".join(f'"{k}": 1.0' for k in CONSTANT_KEYS) + "}")
    assert cost_model_name("auto") == "analytic"
    (cache / PROFILE_CACHE_FILE).write_text("{}")
    assert cost_model_name("auto") == "profile"
    assert cost_model_name("static") == "static"


def test_small_ops_run_on_one_thread_large_ones_on_the_callers(tmp_path: Path) -> None:
    # A transformer's one-stream code ran 1.53x slower on two intra-op threads than
    # on one (docs/performance.md): its ops are too small to share. A chain of
    # large convolutions keeps the caller's threads, which it gains from.
    small = export_model("vit_encoder", "legacy")
    compiled = api.compile(small, workers=2, out_dir=tmp_path, name="small")
    assert (compiled.summary.streams, compiled.summary.threads) == (1, 1)
    assert any("predicted slower than 1" in line for line in compiled.summary.lines())
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with compiled.load() as model:
            assert model._num_threads == 1
        with compiled.load(2) as model:
            assert model._num_threads == 2
    finally:
        torch.set_num_threads(previous)
    rng = np.random.default_rng(0)
    weights = {f"w{i}": (rng.standard_normal((128, 128, 3, 3)) * 0.03).astype(np.float32) for i in range(3)}
    nodes = [
        helper.make_node("Conv", ["x" if i == 0 else f"c{i - 1}", f"w{i}"], ["y" if i == 2 else f"c{i}"], pads=[1, 1, 1, 1])
        for i in range(3)
    ]
    large = api.compile(_model(nodes, [_image("x", [1, 128, 56, 56])], weights), workers=2, out_dir=tmp_path, name="large")
    assert large.summary.streams == 1
    assert large.summary.threads is None
    assert "num_threads or torch.get_num_threads()" in large.source
