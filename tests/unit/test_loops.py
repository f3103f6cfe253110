"""ONNX Loop and Scan as `dfg.loop`: import, cleanup, scheduling and the generated Python."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper
from onnx.backend.test.case.node import function_testcase_helper
from onnx.reference import ReferenceEvaluator
from xdsl.dialects.builtin import IntegerAttr, i64

from ramiel import api
from ramiel.costmodel import StaticCostModel
from ramiel.dialects.dfg import DfgOp
from ramiel.dialects.dfg.control_flow import LoopOp
from ramiel.errors import RamielError
from ramiel.frontend.onnx_import import import_model
from ramiel.ir_graph import DEFAULT_LOOP_TRIPS, FunctionGraph, main_function
from ramiel.pipeline import parse_pipeline, run_pipeline
from tests.models.export import run_onnxruntime

RNG = np.random.default_rng(11)
F32, I64, BOOL = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL


def _value(name: str, shape: list[int], element: int = F32) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, element, shape)


def _model(nodes: list[onnx.NodeProto], inputs: list[onnx.ValueInfoProto], outputs: list[onnx.ValueInfoProto],
           initializers: dict[str, np.ndarray] | None = None) -> onnx.ModelProto:  # fmt: skip
    graph = helper.make_graph(
        nodes, "loops", inputs, outputs, [numpy_helper.from_array(v, k) for k, v in (initializers or {}).items()]
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def _scan_model() -> onnx.ModelProto:
    """Two independent Scans over x: a running sum read backwards whose slices stack
    backwards along axis 1, and a running product and maximum read forwards."""
    sum_body = helper.make_graph(
        [helper.make_node("Add", ["s", "xi"], ["s2"]), helper.make_node("Relu", ["s2"], ["o"])],
        "sum_body",
        [_value("s", [3]), _value("xi", [3])],
        [_value("s2", [3]), _value("o", [3])],
    )
    product_body = helper.make_graph(
        [helper.make_node("Mul", ["p", "xj"], ["p2"]), helper.make_node("Max", ["m", "xj"], ["m2"])],
        "product_body",
        [_value("p", [3]), _value("m", [3]), _value("xj", [3])],
        [_value("p2", [3]), _value("m2", [3])],
    )
    nodes = [
        helper.make_node("Tanh", ["x"], ["t"]),
        helper.make_node(
            "Scan", ["s0", "t"], ["s_last", "s_all"], body=sum_body, num_scan_inputs=1,
            scan_input_directions=[1], scan_output_axes=[1], scan_output_directions=[1],
        ),
        helper.make_node("Scan", ["p0", "m0", "x"], ["p_last", "m_last"], body=product_body, num_scan_inputs=1),
    ]  # fmt: skip
    return _model(
        nodes,
        [_value("x", [5, 3]), _value("s0", [3]), _value("p0", [3]), _value("m0", [3])],
        [_value(n, s) for n, s in (("s_last", [3]), ("s_all", [3, 5]), ("p_last", [3]), ("m_last", [3]))],
    )


def _while_model() -> onnx.ModelProto:
    """v doubles until sum(v) reaches the input limit, at most 10 times; n counts the
    iterations and acc adds the iteration numbers and exp(relu(y)), which no iteration changes."""
    body = helper.make_graph(
        [
            helper.make_node("Mul", ["v", "two"], ["v2"]),
            helper.make_node("ReduceSum", ["v2"], ["total"], keepdims=0),
            helper.make_node("Less", ["total", "limit"], ["go"]),
            helper.make_node("Add", ["n", "one"], ["n2"]),
            helper.make_node("Cast", ["i"], ["fi"], to=F32),
            helper.make_node("Exp", ["w"], ["ew"]),
            helper.make_node("Add", ["acc", "fi"], ["acc2"]),
            helper.make_node("Add", ["acc2", "ew"], ["acc3"]),
        ],
        "while_body",
        [_value("i", [], I64), _value("c", [], BOOL), _value("v", [3]), _value("n", [], I64), _value("acc", [3])],
        [_value("go", [], BOOL), _value("v2", [3]), _value("n2", [], I64), _value("acc3", [3])],
        [numpy_helper.from_array(np.array(2, np.float32), "two"), numpy_helper.from_array(np.array(1, np.int64), "one")],
    )
    nodes = [
        helper.make_node("Relu", ["y"], ["w"]),
        helper.make_node("Loop", ["M", "c0", "x", "n0", "a0"], ["v_last", "n_last", "acc_last"], body=body),
    ]
    initializers = {"M": np.array(10, np.int64), "c0": np.array(True), "n0": np.array(0, np.int64),
                    "a0": np.zeros(3, np.float32)}  # fmt: skip
    return _model(
        nodes,
        [_value("x", [3]), _value("y", [3]), _value("limit", [])],
        [_value("v_last", [3]), _value("n_last", [], I64), _value("acc_last", [3])],
        initializers,
    )


def _matches(model: onnx.ModelProto, feeds_list: list[list[np.ndarray]], workers: int) -> None:
    compiled = api.compile(model, workers=workers, name="loops")
    generated = compiled.load()
    try:
        for feeds in feeds_list:
            expected = run_onnxruntime(model, feeds)
            actual = generated(*(torch.from_numpy(a) for a in feeds))
            actual = actual if isinstance(actual, tuple) else (actual,)
            for ours, theirs in zip(actual, expected, strict=True):
                error = np.abs(ours.numpy() - theirs).max()
                assert error <= 1e-4 * max(1.0, float(np.abs(theirs).max())), (feeds, error)
    finally:
        generated.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_scans_match_onnxruntime_in_every_direction(workers: int) -> None:
    feeds = [RNG.standard_normal(s).astype(np.float32) for s in ((5, 3), (3,), (3,), (3,))]
    _matches(_scan_model(), [feeds], workers)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_loop_stops_when_its_condition_fails(workers: int) -> None:
    x, y = np.array([0.5, 1.0, 0.25], np.float32), np.array([0.1, -1.0, 2.0], np.float32)
    # One iteration (the condition fails at once), some, and all ten.
    feeds = [[x, y, np.array(limit, np.float32)] for limit in (-1.0, 5.0, 100.0, 1e9)]
    counts = [int(run_onnxruntime(_while_model(), f)[1]) for f in feeds]
    assert counts == [1, 2, 6, 10]
    _matches(_while_model(), feeds, workers)


def test_scan_becomes_a_loop_that_gathers_its_slices() -> None:
    module = import_model(_scan_model())
    loops = [op for op in main_function(module).body.block.ops if isinstance(op, LoopOp)]
    assert [(op.constant_trips(), op.cond) for op in loops] == [(5, None), (5, None)]
    assert [len(op.v_initial) for op in loops] == [1, 2]
    # The backwards scan counts its index down from the end.
    assert {o.name for o in loops[0].body.walk()} >= {"dfg.sub", "dfg.gather"}
    assert "dfg.sub" not in {o.name for o in loops[1].body.walk()}


def test_work_no_iteration_changes_moves_out_of_the_loop() -> None:
    module = import_model(_while_model())
    run_pipeline(module, parse_pipeline("cleanup"))
    [loop] = [op for op in main_function(module).body.block.ops if isinstance(op, LoopOp)]
    inside = {o.name for o in loop.body.walk()}
    before = {o.name for o in main_function(module).body.block.ops}
    assert "dfg.exp" in before
    assert "dfg.exp" not in inside
    assert {"dfg.mul", "dfg.less", "dfg.cast"} <= inside
    source = api.compile(_while_model(), name="hoisted").source
    forward = source.split("def forward", 1)[1]
    assert forward.index("torch.exp(") < forward.index("for step in range(")


def _body_cost(model: StaticCostModel, loop: LoopOp) -> float:
    return sum(model.node_cost(o.view()) for o in loop.body.block.ops if isinstance(o, DfgOp))


def test_a_loop_is_one_task_priced_by_its_iterations() -> None:
    module = import_model(_while_model())
    model = StaticCostModel()
    graph = FunctionGraph.of(module, model)
    [index] = [i for i, op in enumerate(graph.ops) if isinstance(op, LoopOp)]
    loop = graph.ops[index]
    assert isinstance(loop, LoopOp)
    assert loop.cond is not None
    # The constant trip count bounds a loop that a condition may end earlier.
    assert graph.graph.nodes[index].cost == pytest.approx(10 * _body_cost(model, loop))
    assert {graph.ops[p].ONNX_OP_TYPE for p in graph.graph.preds(index)} == {"Relu"}
    loop.expected_trips = IntegerAttr(3, i64)
    assert FunctionGraph.of(module, model).graph.nodes[index].cost == pytest.approx(3 * _body_cost(model, loop))


def test_a_loop_without_a_known_trip_count_assumes_the_default() -> None:
    model = _while_model()
    model.graph.initializer.remove(next(t for t in model.graph.initializer if t.name == "M"))
    model.graph.input.append(_value("M", [], I64))
    module = import_model(model)
    cost = StaticCostModel()
    graph = FunctionGraph.of(module, cost)
    [index] = [i for i, op in enumerate(graph.ops) if isinstance(op, LoopOp)]
    loop = graph.ops[index]
    assert isinstance(loop, LoopOp)
    assert loop.constant_trips() is None
    assert graph.graph.nodes[index].cost == pytest.approx(DEFAULT_LOOP_TRIPS * _body_cost(cost, loop))


def _counting_loop(*, trips: str, cond: str, scan: bool = False, grow: bool = False) -> onnx.ModelProto:
    """A Loop adding 1 to v (or appending to it, with `grow`), its condition passed on."""
    step = helper.make_node("Concat", ["v", "v"], ["v2"], axis=0) if grow else helper.make_node("Add", ["v", "one"], ["v2"])
    body = helper.make_graph(
        [step, helper.make_node("Identity", ["c"], ["c2"]), helper.make_node("Neg", ["v"], ["slice"])],
        "body",
        [_value("i", [], I64), _value("c", [], BOOL), _value("v", [2])],
        [_value("c2", [], BOOL), _value("v2", [4] if grow else [2]), *([_value("slice", [2])] if scan else [])],
        [numpy_helper.from_array(np.array(1, np.float32), "one")],
    )
    outputs = ["v_last", *(["slices"] if scan else [])]
    loop = helper.make_node("Loop", [trips, cond, "x"], outputs, body=body)
    inputs = [_value("x", [2]), _value("m", [], I64), _value("go", [], BOOL)]
    return _model([loop], inputs, [helper.make_empty_tensor_value_info(n) for n in outputs])


@pytest.mark.parametrize("workers", [1, 2])
def test_a_scan_output_of_a_computed_trip_count_has_a_length_the_values_decide(workers: int) -> None:
    model = _counting_loop(trips="m", cond="", scan=True)
    [loop] = [op for op in main_function(import_model(model)).body.block.ops if isinstance(op, LoopOp)]
    assert str(loop.results[1].type) == "tensor<?x2xf32>"
    generated = api.compile(model, workers=workers, name="counting").load()
    try:
        for trips in (0, 1, 3):  # no slice to stack, one, several
            feeds = [np.array([0.5, -1.0], np.float32), np.array(trips, np.int64), np.array(True)]
            expected = run_onnxruntime(model, feeds)
            actual = generated(*(torch.from_numpy(a) for a in feeds))
            for a, e in zip(actual, expected, strict=True):
                assert a.shape == e.shape, trips
                assert np.array_equal(a.numpy(), e), (trips, a, e)
    finally:
        generated.close()


def _growing_sequence_model() -> onnx.ModelProto:
    """A Loop that appends x[:i + 1] to a sequence that starts empty; the sequence and its length."""
    body = helper.make_graph(
        [
            helper.make_node("Add", ["i", "one"], ["end"]),
            helper.make_node("Unsqueeze", ["end", "axes"], ["ends"]),
            helper.make_node("Slice", ["x", "zero", "ends"], ["part"]),
            helper.make_node("SequenceInsert", ["parts_in", "part"], ["parts_out"]),
            helper.make_node("Identity", ["c"], ["c_out"]),
        ],
        "body",
        [_value("i", [], I64), _value("c", [], BOOL), helper.make_tensor_sequence_value_info("parts_in", F32, None)],
        [_value("c_out", [], BOOL), helper.make_tensor_sequence_value_info("parts_out", F32, None)],
        [numpy_helper.from_array(np.array(v, np.int64), n) for n, v in (("one", 1), ("axes", [0]), ("zero", [0]))],
    )
    nodes = [
        helper.make_node("SequenceEmpty", [], ["none"]),
        helper.make_node("Loop", ["m", "go", "none"], ["parts"], body=body),
        helper.make_node("SequenceLength", ["parts"], ["n"]),
    ]
    inputs = [_value("x", [4]), _value("m", [], I64), _value("go", [], BOOL)]
    return _model(nodes, inputs, [helper.make_empty_tensor_value_info(n) for n in ("parts", "n")])


@pytest.mark.parametrize("workers", [1, 2])
def test_a_carried_sequence_takes_the_type_of_every_iteration(workers: int) -> None:
    model = _growing_sequence_model()
    [loop] = [op for op in main_function(import_model(model)).body.block.ops if isinstance(op, LoopOp)]
    # It starts with no tensor, of no known rank, and gains 1-D ones of growing lengths.
    assert str(loop.v_initial[0].type) == "!dfg.sequence<tensor<*xf32>>"
    assert str(loop.results[0].type) == "!dfg.sequence<tensor<*xf32>>"
    generated = api.compile(model, workers=workers, name="growing").load()
    try:
        for trips in (0, 1, 3):
            feeds = [np.array([0.5, -1.0, 2.0, 3.0], np.float32), np.array(trips, np.int64), np.array(True)]
            parts, n = generated(*(torch.from_numpy(a) for a in feeds))
            expected_parts, expected_n = run_onnxruntime(model, feeds)
            assert int(n) == int(expected_n) == len(parts) == len(expected_parts) == trips
            for ours, theirs in zip(parts, expected_parts, strict=True):
                assert np.array_equal(ours.numpy(), theirs)
    finally:
        generated.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_carried_tensor_that_grows_takes_sizes_the_values_decide(workers: int) -> None:
    model = _counting_loop(trips="m", cond="", grow=True)  # v doubles its length each time
    [loop] = [op for op in main_function(import_model(model)).body.block.ops if isinstance(op, LoopOp)]
    assert str(loop.results[0].type) == "tensor<?xf32>"
    generated = api.compile(model, workers=workers, name="growing").load()
    try:
        for trips in (0, 1, 3):
            feeds = [np.array([0.5, -1.0], np.float32), np.array(trips, np.int64), np.array(True)]
            [expected] = run_onnxruntime(model, feeds)
            actual = generated(*(torch.from_numpy(a) for a in feeds))
            assert np.array_equal(actual.numpy(), expected), (trips, actual, expected)
    finally:
        generated.close()


def test_loops_shapes_cannot_follow_are_refused() -> None:
    with pytest.raises(RamielError, match="never ends"):
        import_model(_counting_loop(trips="", cond=""))


def test_a_scan_over_a_dynamic_axis_is_refused() -> None:
    model = _scan_model()
    model.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "n"
    with pytest.raises(RamielError, match="unsupported Scan over an axis whose length only the values decide"):
        import_model(model, dynamic_dims=True)


def test_scan_before_opset_9_is_refused() -> None:
    # Scan-8 has a batch axis, which the version converter would drop from the inputs.
    model = _scan_model()
    model.opset_import[0].version = 8
    with pytest.raises(RamielError, match="unsupported operator Scan at opset 8"):
        import_model(model)


@pytest.mark.parametrize("workers", [1, 2])
def test_scan_bodies_that_onnx_inference_does_not_type_compile(workers: int) -> None:
    # LinearAttention's function body: ONNX's inference of the model types neither the
    # Scan body, whose inputs are undeclared, nor the Scan's outputs and what follows
    # them; the import infers the body with the types the loop gives it, then each
    # node after it alone. onnx's reference evaluator of the operator is the oracle.
    node = helper.make_node(
        "LinearAttention", ["query", "key", "value"], ["output", "state"],
        q_num_heads=4, kv_num_heads=4, update_rule="linear",
    )  # fmt: skip
    opsets = [helper.make_opsetid("", 27)]
    inputs = [_value(name, [2, 4, 32]) for name in node.input]
    outputs = [helper.make_tensor_value_info(name, F32, None) for name in node.output]
    ((expanded, _),), _ = function_testcase_helper(node, [i.type for i in inputs], "body", opsets)
    assert "Scan" in {n.op_type for n in expanded}
    model = helper.make_model(helper.make_graph(expanded, "expanded", inputs, outputs), opset_imports=opsets)
    feeds = [RNG.standard_normal((2, 4, 32)).astype(np.float32) for _ in node.input]
    plain = helper.make_model(helper.make_graph([node], "plain", inputs, outputs), opset_imports=opsets)
    expected = ReferenceEvaluator(plain).run(None, dict(zip(node.input, feeds, strict=True)))
    generated = api.compile(model, workers=workers, name="linear_attention").load()
    try:
        result = generated(*(torch.from_numpy(a) for a in feeds))
        for ours, theirs in zip(result, expected, strict=True):
            error = np.abs(ours.numpy() - theirs).max()
            assert error <= 1e-4 * max(1.0, float(np.abs(theirs).max())), error
    finally:
        generated.close()
