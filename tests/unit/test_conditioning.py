"""What the reference cannot decide (`ramiel.conditioning`), with models built to be so."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ramiel.api import onnxruntime_outputs, onnxruntime_runs, random_inputs
from ramiel.conditioning import reference_notes


def _model(nodes: list[onnx.NodeProto], weights: dict[str, np.ndarray]) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])],
        [numpy_helper.from_array(a, n) for n, a in weights.items()],
    )  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


_W = np.random.default_rng(0).standard_normal((8, 8)).astype(np.float32)


def _notes(model: onnx.ModelProto, mismatch: bool) -> list[str]:
    specs = [("x", (1, 8), "float32")]
    feed = random_inputs(specs, 0)
    reference, other = onnxruntime_runs(model, [feed, random_inputs(specs, 1)])
    return reference_notes(model, feed, reference, other, mismatch, onnxruntime_outputs)


def test_a_well_conditioned_model_gets_no_note() -> None:
    model = _model([helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Softmax", ["m"], ["y"])], {"w": _W})
    assert _notes(model, mismatch=True) == []


def test_outputs_the_inputs_do_not_move_are_named() -> None:
    nodes = [helper.make_node("Mul", ["x", "zero"], ["m"]), helper.make_node("Add", ["m", "w"], ["y"])]
    model = _model(nodes, {"zero": np.zeros((1, 8), np.float32), "w": _W[:1]})
    notes = _notes(model, mismatch=False)
    assert len(notes) == 1
    assert notes[0].startswith("the outputs are the same for two random inputs")


def test_outputs_that_a_tiny_change_of_the_weights_moves_are_ill_conditioned() -> None:
    # Eight equal logits of size 1e4: a softmax of a tie, which one part in a million
    # of the weights breaks by about 1e-2.
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Softmax", ["m"], ["y"])]
    model = _model(nodes, {"w": np.tile(_W[:, :1], (1, 8)) * 1e4})
    notes = _notes(model, mismatch=True)
    assert len(notes) == 2
    assert notes[0].startswith("the outputs are the same for two random inputs")  # the tie stays a tie
    assert notes[1].startswith("the reference is ill-conditioned: changing every weight by about one part")
    assert "output 'y'" in notes[1]
    assert "tensor 'm'" in notes[1]
    # Without a mismatch there is nothing to explain.
    assert len(_notes(model, mismatch=False)) == 1


def test_values_past_float32_integers_are_named_even_when_no_weight_reaches_them() -> None:
    # A constant fill of 1e10, as the light models' ConstantOfShape weights give: equal
    # logits, a uniform softmax, and no initializer to perturb.
    fill = helper.make_tensor("v", TensorProto.FLOAT, [1], [1e10])
    nodes = [
        helper.make_node("ConstantOfShape", ["shape"], ["c"], value=fill),
        helper.make_node("Mul", ["x", "zero"], ["m"]),
        helper.make_node("Add", ["m", "c"], ["big"]),
        helper.make_node("Softmax", ["big"], ["y"]),
    ]
    model = _model(nodes, {"shape": np.array([1, 8], np.int64), "zero": np.zeros((1, 8), np.float32)})
    notes = _notes(model, mismatch=True)
    assert notes[0].startswith("the outputs are the same for two random inputs")
    assert notes[1] == (
        "the reference may be ill-conditioned: the model's values reach 1e+10 (tensor 'c'), where "
        "float32 values are 1.02e+03 apart; a softmax or exponential of such values turns a difference "
        "of a few steps into a large one"
    )
