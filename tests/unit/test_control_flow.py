"""ONNX If as `dfg.if`: import with captured values, cleanup, scheduling and the generated Python."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from ramiel import api
from ramiel.costmodel import StaticCostModel
from ramiel.dialects.dfg import DfgOp
from ramiel.dialects.dfg.control_flow import IfOp
from ramiel.errors import RamielError
from ramiel.frontend.onnx_import import import_model
from ramiel.ir_graph import FunctionGraph, main_function
from ramiel.pipeline import parse_pipeline, run_pipeline
from tests.models.export import run_onnxruntime

RNG = np.random.default_rng(7)
W_THEN = RNG.standard_normal((1, 8)).astype(np.float32)


def _value(name: str, shape: list[int], element: int = TensorProto.FLOAT) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, element, shape)


def _branchy_model(*, then_width: int = 8, constant_condition: bool | None = None) -> onnx.ModelProto:
    """y = If(c) then (h * W, or 0.5 * h when sum(g) > 4) else (g + 1); z = y + h.

    The then branch holds its own initializer and a nested If whose condition it
    computes; the else branch a Constant node; both read h or g from outside.
    """
    inner_then = helper.make_graph(
        [helper.make_node("Mul", ["h", "W"], ["inner_y"])], "inner_then", [], [_value("inner_y", [1, 8])]
    )
    inner_else = helper.make_graph(
        [helper.make_node("Mul", ["h", "half"], ["inner_z"])], "inner_else", [], [_value("inner_z", [1, 8])]
    )
    then_branch = helper.make_graph(
        [
            helper.make_node("ReduceSum", ["g"], ["total"], keepdims=0),
            helper.make_node("Greater", ["total", "four"], ["big"]),
            helper.make_node("If", ["big"], ["then_y"], then_branch=inner_then, else_branch=inner_else),
            helper.make_node("Slice", ["then_y", "start", "stop", "axis"], ["then_out"]),
        ],
        "then",
        [],
        [_value("then_out", [1, then_width])],
        [
            numpy_helper.from_array(W_THEN, "W"),
            numpy_helper.from_array(np.array([0], np.int64), "start"),
            numpy_helper.from_array(np.array([then_width], np.int64), "stop"),
            numpy_helper.from_array(np.array([1], np.int64), "axis"),
        ],
    )
    one = numpy_helper.from_array(np.ones((1, 8), np.float32))
    else_branch = helper.make_graph(
        [
            helper.make_node("Constant", [], ["one"], value=one),
            helper.make_node("Add", ["g", "one"], ["else_y"]),
        ],
        "else",
        [],
        [_value("else_y", [1, 8])],
    )
    initializers = [
        numpy_helper.from_array(np.array(4.0, np.float32), "four"),
        numpy_helper.from_array(np.array(0.5, np.float32), "half"),
    ]
    inputs = [_value("x", [1, 8])]
    if constant_condition is None:
        inputs.insert(0, _value("c", [], TensorProto.BOOL))
    else:
        initializers.append(numpy_helper.from_array(np.array(constant_condition), "c"))
    graph = helper.make_graph(
        [
            helper.make_node("Relu", ["x"], ["h"]),
            helper.make_node("Sigmoid", ["x"], ["g"]),
            helper.make_node("If", ["c"], ["y"], then_branch=then_branch, else_branch=else_branch),
            helper.make_node("Add", ["y", "h"], ["z"]),
        ],
        "branchy",
        inputs,
        [_value("z", [1, 8])],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def _feeds(condition: bool, scale: float) -> list[np.ndarray]:
    return [np.array(condition), (scale * RNG.standard_normal((1, 8))).astype(np.float32)]


@pytest.mark.parametrize("workers", [1, 2])
def test_every_path_through_the_branches_matches_onnxruntime(workers: int) -> None:
    model = _branchy_model()
    compiled = api.compile(model, workers=workers, name="branchy")
    generated = compiled.load()
    try:
        # Both branches, and both sides of the nested If (sum(sigmoid(x)) > 4 or not).
        for condition, scale in ((True, 10.0), (True, -10.0), (False, 1.0)):
            feeds = _feeds(condition, scale)
            [expected] = run_onnxruntime(model, feeds)
            actual = generated(*(torch.from_numpy(a) for a in feeds)).numpy()
            error = np.abs(actual - expected).max()
            assert error <= 1e-4 * max(1.0, float(np.abs(expected).max())), (condition, scale, error)
    finally:
        generated.close()


def test_a_branch_captures_what_it_reads_except_constants() -> None:
    module = import_model(_branchy_model())
    [outer] = [op for op in main_function(module).body.block.ops if isinstance(op, IfOp)]
    # h and g are computed; four, half and the branch's own W are constants read directly.
    assert [v.name_hint for v in outer.captured] == ["g", "h"]
    [inner] = [op for op in outer.then_branch.walk() if isinstance(op, IfOp)]
    assert [v.name_hint for v in inner.captured] == ["h"]


def test_an_if_on_a_constant_condition_is_its_branch() -> None:
    # The then branch keeps its nested If, whose condition depends on the input.
    for condition, kept, ifs in ((True, "dfg.reduce_sum", 1), (False, "dfg.add", 0)):
        module = import_model(_branchy_model(constant_condition=condition))
        run_pipeline(module, parse_pipeline("cleanup"))
        names = [op.name for op in module.walk()]
        assert names.count("dfg.if") == ifs
        assert kept in names
    compiled = api.compile(_branchy_model(constant_condition=False), name="folded")
    assert "if " not in compiled.source.split("def forward", 1)[1].split("def extra_repr")[0]


def test_an_if_is_one_task_priced_by_its_dearer_branch() -> None:
    module = import_model(_branchy_model())
    model = StaticCostModel()
    graph = FunctionGraph.of(module, model)
    [index] = [i for i, op in enumerate(graph.ops) if isinstance(op, IfOp)]
    outer = graph.ops[index]
    assert isinstance(outer, IfOp)

    def branch_cost(region_ops: list[object]) -> float:
        total = 0.0
        for op in region_ops:
            if isinstance(op, IfOp):
                total += max(branch_cost(list(b.block.ops)) for b in op.branches)
            elif isinstance(op, DfgOp):
                total += model.node_cost(op.view())
        return total

    then_cost, else_cost = (branch_cost(list(b.block.ops)) for b in outer.branches)
    assert then_cost != else_cost
    assert graph.graph.nodes[index].cost == pytest.approx(max(then_cost, else_cost))
    # The If waits for what it captures: Relu and Sigmoid are its predecessors.
    assert {graph.ops[p].ONNX_OP_TYPE for p in graph.graph.preds(index)} == {"Relu", "Sigmoid"}


def test_branches_of_different_shapes_give_a_size_the_values_decide() -> None:
    model = _branchy_model(then_width=4)
    [branch] = [op for op in main_function(import_model(model)).body.block.ops if isinstance(op, IfOp)]
    assert str(branch.results[0].type) == "tensor<1x?xf32>"
    generated = api.compile(model, workers=2, name="branchy").load()
    try:
        feeds = _feeds(False, 1.0)  # the else branch: as wide as h, which it is added to
        [expected] = run_onnxruntime(model, feeds)
        actual = generated(*(torch.from_numpy(a) for a in feeds)).numpy()
        assert np.abs(actual - expected).max() <= 1e-4 * max(1.0, float(np.abs(expected).max()))
        # The then branch's 1x4 does not broadcast with h's 1x8: torch says so when it runs.
        with pytest.raises(RuntimeError, match="size of tensor"):
            generated(*(torch.from_numpy(a) for a in _feeds(True, 1.0)))
    finally:
        generated.close()


def test_a_tensor_bomb_in_a_branch_is_refused_before_it_is_built() -> None:
    # 2**16 x 2**16 floats (16 GiB) made by ConstantOfShape in the branch not taken.
    bomb = helper.make_graph(
        [
            helper.make_node("ConstantOfShape", ["dims"], ["filled"]),
            helper.make_node("ReduceSum", ["filled"], ["then_y"], keepdims=0),
        ],
        "bomb",
        [],
        [_value("then_y", [])],
        [numpy_helper.from_array(np.array([2**16, 2**16], np.int64), "dims")],
    )
    fine = helper.make_graph(
        [helper.make_node("ReduceSum", ["x"], ["else_y"], keepdims=0)], "fine", [], [_value("else_y", [])]
    )
    graph = helper.make_graph(
        [helper.make_node("If", ["c"], ["y"], then_branch=bomb, else_branch=fine)],
        "bomb_in_branch",
        [_value("c", [], TensorProto.BOOL), _value("x", [1, 8])],
        [_value("y", [])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    with pytest.raises(RamielError, match="memory budget") as refused:
        import_model(model)
    assert "ConstantOfShape" in str(refused.value) or "filled" in str(refused.value)
