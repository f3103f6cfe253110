"""Sizes that the values decide: a model whose output size depends on its data, the bounds
the cost models assume for such sizes (`--dim-bound`), and inputs that keep their symbolic
dimensions (`--dynamic-dims`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from ramiel import api
from ramiel.costmodel import StaticCostModel
from ramiel.errors import RamielError
from ramiel.frontend.onnx_import import import_model
from ramiel.ir_graph import (
    DEFAULT_DIM_BOUND,
    FunctionGraph,
    parse_dim_bound,
    set_dim_bounds,
)
from ramiel.tools.ramiel_cli import main
from tests.models.export import run_onnxruntime

F32, I64 = TensorProto.FLOAT, TensorProto.INT64


def _positives_model() -> onnx.ModelProto:
    """y = exp(the positive elements of x), in row-major order; n = how many there are."""
    zero = numpy_helper.from_array(np.array(0.0, np.float32), "zero")
    graph = helper.make_graph(
        [
            helper.make_node("Greater", ["x", "zero"], ["mask"]),
            helper.make_node("NonZero", ["mask"], ["where"]),
            helper.make_node("Transpose", ["where"], ["at"]),
            helper.make_node("GatherND", ["x", "at"], ["picked"]),
            helper.make_node("Exp", ["picked"], ["y"]),
            helper.make_node("Shape", ["picked"], ["n"]),
        ],
        "positives",
        [helper.make_tensor_value_info("x", F32, [3, 4])],
        [helper.make_tensor_value_info("y", F32, None), helper.make_tensor_value_info("n", I64, None)],
        [zero],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


@pytest.mark.parametrize("workers", [1, 2])
def test_an_output_size_the_data_decides_matches_onnxruntime_for_every_count(workers: int) -> None:
    model = _positives_model()
    generated = api.compile(model, workers=workers, name="positives").load()
    rng = np.random.default_rng(3)
    try:
        # None, some and all of the elements positive.
        for x in (-np.ones((3, 4), np.float32), rng.standard_normal((3, 4)).astype(np.float32), np.ones((3, 4), np.float32)):
            y, n = generated(torch.from_numpy(x))
            expected_y, expected_n = run_onnxruntime(model, [x])
            assert y.shape == expected_y.shape
            np.testing.assert_allclose(y.numpy(), expected_y, rtol=1e-6)
            assert n.tolist() == expected_n.tolist()
    finally:
        generated.close()


def _cost_of(module_bounds: dict[str, int], op_type: str) -> float:
    module = import_model(_positives_model())
    set_dim_bounds(module, module_bounds, "m.onnx")
    graph = FunctionGraph.of(module, StaticCostModel())
    [index] = [i for i, op in enumerate(graph.ops) if op.ONNX_OP_TYPE == op_type]
    return graph.graph.nodes[index].cost


def test_the_costs_count_an_unknown_size_as_its_bound() -> None:
    default = _cost_of({}, "Exp")
    assert _cost_of({"*": DEFAULT_DIM_BOUND}, "Exp") == default
    large = 2**20
    assert _cost_of({"*": large}, "Exp") > 2 * default
    # A tensor's own bound leaves the others at the default: Exp reads `picked` and
    # writes `y`; Transpose reads neither.
    assert default < _cost_of({"picked": large}, "Exp") < _cost_of({"*": large}, "Exp")
    assert _cost_of({"y": large}, "Transpose") == _cost_of({}, "Transpose")


def test_the_compile_summary_says_what_the_costs_assumed() -> None:
    summary = api.compile(_positives_model(), name="positives", dim_bounds={"*": 10, "y": 3}).summary
    assert any(
        line.endswith("the costs count each such size as 10, y as 3 (--dim-bound)") for line in summary.lines()
    ), summary.lines()


def test_a_bound_for_a_tensor_of_known_size_is_refused() -> None:
    module = import_model(_positives_model())
    with pytest.raises(RamielError, match=r"--dim-bound names no tensor of unknown size 'x' \(those of unknown size: 'at', "):
        set_dim_bounds(module, {"x": 5}, "m.onnx")


@pytest.mark.parametrize("spec", ["0", "-3", "x=", "=4", "four", "x=1.5"])
def test_malformed_bounds_are_refused(spec: str) -> None:
    with pytest.raises(RamielError, match="expected N or NAME=N with a positive N"):
        parse_dim_bound(spec)


def test_a_bound_parses_with_or_without_a_name() -> None:
    assert parse_dim_bound("128") == ("*", 128)
    assert parse_dim_bound("a=b=7") == ("a=b", 7)


def test_the_command_line_refuses_a_bad_bound_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "positives.onnx"
    onnx.save(_positives_model(), path)
    with pytest.raises(SystemExit) as exit_info:
        main(["compile", str(path), "-o", str(tmp_path / "out"), "--dim-bound", "x=0"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "ramiel: error: expected N or NAME=N with a positive N (--dim-bound x=0)\n"
    assert not (tmp_path / "out").exists()


def _sequence_model(op: str) -> onnx.ModelProto:
    """A model over an input whose second dimension is symbolic ('length')."""
    nodes = {
        "Softmax": [helper.make_node("Softmax", ["x"], ["y"], axis=1)],
        "MaxPool": [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2], strides=[2])],
    }[op]
    graph = helper.make_graph(
        nodes, "sequence", [helper.make_tensor_value_info("x", F32, [1, "length", 8] if op == "Softmax" else [1, 8, "length"])],
        [helper.make_tensor_value_info("y", F32, None)],
    )  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def test_dynamic_dims_keep_a_symbolic_dimension_and_serve_every_size() -> None:
    model = _sequence_model("Softmax")
    with pytest.raises(RamielError, match="symbolic dimension 'length' at position 1"):
        api.compile(model, name="sequence")
    generated = api.compile(model, name="sequence", dynamic_dims=True).load()
    try:
        assert "inputs=[x: float32[1, ?, 8]]" in repr(generated)
        for length in (1, 5, 40):
            x = np.random.default_rng(length).standard_normal((1, length, 8)).astype(np.float32)
            [expected] = run_onnxruntime(model, [x])
            np.testing.assert_allclose(generated(torch.from_numpy(x)).numpy(), expected, rtol=1e-5, atol=1e-6)
        with pytest.raises(ValueError, match=r"input 'x' must have shape \[1, \?, 8\], got \[1, 5, 7\]"):
            generated(torch.zeros(1, 5, 7))
    finally:
        generated.close()


def test_an_op_whose_kernel_needs_a_dynamic_size_is_named() -> None:
    with pytest.raises(RamielError, match="MaxPool: the kernel needs the sizes of input 0, which only the values decide"):
        api.compile(_sequence_model("MaxPool"), name="sequence", dynamic_dims=True)
