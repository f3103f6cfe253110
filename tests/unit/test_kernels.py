"""The op-to-kernel table checked against onnxruntime on single-node ONNX graphs.

The cases are in `tests.unit.kernel_cases`, a module per operator family.
"""

import ast
import functools
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from onnx import defs, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from ramiel import kernels
from ramiel.dialects.dfg import OPS
from ramiel.kernels import (
    TensorSig,
    UnsupportedKernel,
    emit,
    evaluate,
    helper_source,
    supported_ops,
)
from ramiel.numerics import assert_close, max_errors, within_tolerance
from ramiel.onnx_types import ELEMENT_TYPES, UNKNOWN, torch_of_numpy
from ramiel.opview import OpView
from tests.unit.kernel_cases import CASES, Case, f32, i64

_ONNX_TYPES = {np.dtype(t.name): t.onnx for t in ELEMENT_TYPES}


def _onnx_attr(value: Any) -> Any:
    """An attribute value as onnx.helper takes it (numpy arrays as TensorProto)."""
    return numpy_helper.from_array(value) if isinstance(value, np.ndarray) else value


def _attributes(c: Case) -> dict[str, Any]:
    """The node's attributes as the importer gives them: schema defaults filled in, strings as str."""
    attrs: dict[str, Any] = {}
    for name, schema_attr in defs.get_schema(c.op).attributes.items():
        if schema_attr.default_value.ListFields():
            value = helper.get_attribute_value(schema_attr.default_value)
            attrs[name] = value.decode() if isinstance(value, bytes) else value
    return attrs | dict(c.attrs)


@functools.cache
def _reference(name: str) -> list[np.ndarray]:
    """The case's expected outputs, from onnxruntime with optimizations off unless the case names another reference."""
    c = CASES[name]
    names = [f"in{i}" if value is not None else "" for i, value in enumerate(c.inputs)]
    while names and not names[-1]:
        names.pop()
    outputs = [f"out{i}" for i in range(c.outputs)]
    node = helper.make_node(c.op, names, outputs, **{k: _onnx_attr(v) for k, v in c.attrs.items()})
    graph_inputs = [
        helper.make_tensor_sequence_value_info(f"in{i}", _ONNX_TYPES[value[0].dtype], None)
        if isinstance(value, list)
        else helper.make_tensor_value_info(f"in{i}", _ONNX_TYPES[value.dtype], value.shape)
        for i, value in enumerate(c.inputs)
        if value is not None
    ]
    graph = helper.make_graph(
        [node], "case", graph_inputs, [helper.make_empty_tensor_value_info(out) for out in outputs]
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", defs.get_schema(c.op).since_version)])
    model.ir_version = 10
    feeds = {f"in{i}": value for i, value in enumerate(c.inputs) if value is not None}
    if isinstance(c.reference, tuple):
        onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        return list(c.reference)
    if c.reference == "onnx":
        return [np.asarray(out) for out in ReferenceEvaluator(model).run(None, feeds)]
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return [out if isinstance(out, list) else np.asarray(out) for out in session.run(None, feeds)]


@functools.cache
def _kernel_node(name: str) -> OpView:
    """The case as the kernel table sees it, with the output types onnxruntime produced."""
    c = CASES[name]
    return OpView(
        op_type=c.op,
        inputs=tuple(None if value is None else f"x{i}" for i, value in enumerate(c.inputs)),
        input_types=tuple(None if value is None else _sig(value) for value in c.inputs),
        output_types=tuple(_sig(out) for out in _reference(name)),
        attrs=_attributes(c),
        input_values=tuple(value if i in c.const else None for i, value in enumerate(c.inputs)),
    )


def _sig(value: np.ndarray | torch.Tensor | list[Any]) -> TensorSig:
    """A value's type as kernels see it: a sequence (a list) as a tensor of one more, unknown,
    leading dimension, its sizes unknown too."""
    if isinstance(value, list):
        first = value[0] if value else np.zeros((), np.float32)
        return (UNKNOWN, *(UNKNOWN,) * len(first.shape)), str(first.dtype).removeprefix("torch.")
    return tuple(value.shape), str(value.dtype).removeprefix("torch.")


def _values(name: str) -> list[torch.Tensor | list[torch.Tensor] | None]:
    """The case's inputs as tensors (a sequence as a list of them)."""
    return [
        None if value is None else [torch_of_numpy(v) for v in value] if isinstance(value, list) else torch_of_numpy(value)
        for value in CASES[name].inputs
    ]


def _assert_close(ours: Any, ref: Any, what: str) -> None:
    """`assert_close`, element by element for sequences."""
    if isinstance(ref, list):
        assert isinstance(ours, list), what
        assert len(ours) == len(ref), what
        for ours_element, ref_element in zip(ours, ref, strict=True):
            assert_close(ours_element, ref_element, what)
    else:
        assert_close(ours, ref, what)


@pytest.mark.parametrize("name", CASES)
def test_matches_onnxruntime(name: str) -> None:
    """Inputs the expression does not read are left out, as folding leaves out unknown values."""
    node = _kernel_node(name)
    call = emit(node)
    got = evaluate(node, [value if index in call.inputs_used else None for index, value in enumerate(_values(name))])
    expected = _reference(name)
    assert len(got) == len(expected)
    for index, (ours, ref) in enumerate(zip(got, expected, strict=True)):
        _assert_close(ours, ref, f"{name} output {index}: {call.expr}")


@pytest.mark.parametrize("name", CASES)
def test_outputs_have_declared_types(name: str) -> None:
    """evaluate() gives exactly the shapes and element types in output_types."""
    node = _kernel_node(name)
    got = evaluate(node, _values(name))
    assert [_sig(t) for t in got] == list(node.output_types)


@pytest.mark.parametrize("name", CASES)
def test_generated_source_computes_the_same(name: str) -> None:
    """The expression pasted into a module with its helpers' source gives exactly what `evaluate` gives (NaN where it does)."""
    node = _kernel_node(name)
    call = emit(node)
    names = [name for name in node.inputs if name is not None]
    source = (
        "import torch\nimport torch.nn.functional as F\n\n\n"
        + helper_source(call.helpers)
        + f"\n\ndef kernel({', '.join(names)}):\n    return {call.expr}\n"
    )
    namespace: dict[str, object] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    values = _values(name)
    result = namespace["kernel"](*(value for value in values if value is not None))  # type: ignore[operator]
    generated = [result] if len(node.output_types) == 1 else list(result)
    for ours, theirs in zip(generated, evaluate(node, values), strict=True):
        torch.testing.assert_close(ours, theirs, rtol=0, atol=0, equal_nan=True)


def test_input_expressions_are_bracketed_where_needed() -> None:
    """Input expressions that are not atoms get brackets before use as operands."""
    node = OpView(
        op_type="Reshape",
        inputs=("a + b", "shape"),
        input_types=(((2, 3), "float32"), ((1,), "int64")),
        output_types=(((6,), "float32"),),
        input_values=(None, i64(6)),
    )
    assert emit(node).expr == "(a + b).reshape(6)"
    assert emit(replace(node, op_type="Relu", inputs=("w[0]",), output_types=(((2, 3), "float32"),))).expr == (
        "torch.relu(w[0])"
    )


def test_evaluate_compiles_each_expression_once() -> None:
    """Nodes that differ only in input names share one compiled expression."""
    node = _kernel_node("Relu-0")
    evaluate(node, _values("Relu-0"))
    before = kernels._compiled.cache_info()
    renamed = replace(node, inputs=("activation",))
    assert emit(renamed).expr == "torch.relu(activation)"
    evaluate(renamed, _values("Relu-0"))
    after = kernels._compiled.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def test_constant_operands_become_literals() -> None:
    """Static shapes and constant operands are folded in, leaving readable expressions."""
    expectations = {
        "Reshape-0": "x0.reshape(4, 6)",
        "Conv-1": "F.conv2d(x0, x1, stride=(2, 2), padding=(1, 1))",
        "Conv-3": "F.conv2d(F.pad(x0, (1, 1, 0, 2)), x1, groups=4)",
        "Slice-2": "x0[1:, :, ::2].flip(0, 2)",
        "Gather-0": "x0[[0, 4, 2]]",
        "Gather-4": "x0[:, 1:4]",
        "Concat-0": "torch.cat((x0, x1), dim=1)",
        "Relu-0": "torch.relu(x0)",
        "Resize-0": "F.interpolate(x0, scale_factor=(2.0, 2.0), mode='nearest')",
        "Shape-0": "torch.tensor([2, 3, 4], dtype=torch.int64)",
    }
    got = {name: emit(_kernel_node(name)).expr for name in expectations}
    assert got == expectations
    assert emit(_kernel_node("Reshape-0")).inputs_used == frozenset({0})
    assert emit(_kernel_node("Shape-0")).inputs_used == frozenset()


def _node(
    op: str,
    inputs: Sequence[TensorSig | None],
    outputs: Sequence[TensorSig],
    values: Sequence[np.ndarray | None] = (),
    **attrs: Any,
) -> OpView:
    """A node built by hand, for combinations that should be refused."""
    return OpView(
        op_type=op,
        inputs=tuple(None if sig is None else f"x{i}" for i, sig in enumerate(inputs)),
        input_types=tuple(inputs),
        output_types=tuple(outputs),
        attrs=_attributes(Case(op, (), attrs)),
        input_values=tuple(values) or (None,) * len(inputs),
    )


_IMG = ((1, 2, 4, 4), "float32")


@pytest.mark.parametrize(
    ("node", "message"),
    [
        pytest.param(_node("ImageDecoder", [_IMG], [_IMG]), "no kernel", id="unknown-op"),
        pytest.param(
            _node("MaxPool", [((1, 1, 2, 2, 2, 2), "float32")], [((1, 1, 1, 1, 1, 1), "float32")], kernel_shape=[2, 2, 2, 2]),
            "4-D pooling",
            id="maxpool-4d",
        ),
        pytest.param(
            _node(
                "Conv",
                [((1, 1, 2, 2, 2, 2), "float32"), ((1, 1, 1, 1, 1, 1), "float32")],
                [((1, 1, 2, 2, 2, 2), "float32")],
            ),
            "4-D convolution",
            id="conv-4d",
        ),
        pytest.param(
            _node(
                "LSTM",
                [((0, 1, 2), "float32"), ((1, 12, 2), "float32"), ((1, 12, 3), "float32")],
                [((0, 1, 1, 3), "float32")],
                hidden_size=3,
            ),
            "empty sequence",
            id="lstm-empty-sequence",
        ),
        pytest.param(
            _node(
                "GridSample",
                [((1, 1, 2, 2, 2), "float32"), ((1, 2, 2, 2, 3), "float32")],
                [((1, 1, 2, 2, 2), "float32")],
                mode="cubic",
            ),
            "3-D cubic sampling",
            id="gridsample-cubic-3d",
        ),
        pytest.param(
            _node("Resize", [_IMG], [((1, 2, 8, 8), "float32")]),
            "needs scales or sizes",
            id="resize-without-scales",
        ),
        pytest.param(
            _node(
                "Resize",
                [_IMG, None, ((4,), "float32")],
                [((1, 2, 8, 8), "float32")],
                [None, None, f32(1, 1, 2, 2)],
                mode="linear",
                coordinate_transformation_mode="tf_crop_and_resize",
            ),
            "needs a roi",
            id="resize-crop-without-roi",
        ),
        pytest.param(
            _node("Dropout", [_IMG, ((), "float32"), ((), "bool")], [_IMG]),
            "training",
            id="dropout-runtime-training",
        ),
        pytest.param(_node("Relu", [((3,), "string")], [((3,), "string")]), "element type", id="string"),
        pytest.param(
            _node("AveragePool", [((1, 1, 4, 4), "int8")], [((1, 1, 2, 2), "int8")], kernel_shape=[2, 2], strides=[2, 2]),
            "int8",
            id="avgpool-int8",
        ),
        pytest.param(
            _node(
                "Resize",
                [((1, 1, 2, 2), "uint8"), None, ((4,), "float32")],
                [((1, 1, 4, 4), "uint8")],
                [None, None, f32(1, 1, 2, 2)],
                mode="linear",
            ),
            "linear",
            id="resize-linear-uint8",
        ),
    ],
)
def test_unsupported_combinations_raise(node: OpView, message: str) -> None:
    """Combinations without an exact torch kernel raise UnsupportedKernel saying why."""
    with pytest.raises(UnsupportedKernel, match=message):
        emit(node)


def test_every_op_has_a_kernel_and_cases() -> None:
    """Every dfg op computes through the table, and every one is checked here, but for
    those with regions (If, Loop), which lower to statements around their regions' kernels."""
    straight = {t for t, cls in OPS.items() if not cls.get_irdl_definition().regions}
    assert straight == set(OPS) - {"If", "Loop"}
    assert supported_ops() == straight
    assert {c.op for c in CASES.values()} == straight


def test_helper_source_compiles_and_defines_the_helpers() -> None:
    """All helpers paste into a module that imports nothing but torch and F."""
    names = sorted(kernels._helper_functions())
    source = helper_source(names)
    assert "import" not in source
    namespace: dict[str, object] = {"torch": torch, "F": torch.nn.functional}
    exec(compile(source, "<helpers>", "exec"), namespace)
    assert all(callable(namespace[name]) for name in names)
    assert helper_source(reversed(names)) == source


def test_helper_source_includes_dependencies_in_a_stable_order() -> None:
    """A helper brings the helpers it calls, in definition order."""
    source = helper_source(["onnx_resize"])
    defined = [line.split("(")[0].removeprefix("def ") for line in source.splitlines() if line.startswith("def ")]
    order = list(kernels._helper_functions())
    assert "onnx_resize" in defined
    assert len(defined) > 1
    assert defined == sorted(defined, key=order.index)
    # Every helper the pasted ones call is pasted too.
    called = {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
    assert called & set(order) <= set(defined)
    assert helper_source(["onnx_resize", "onnx_resize"]) == source
    with pytest.raises(KeyError):
        helper_source(["no_such_helper"])


@pytest.mark.parametrize(
    ("ours", "ref", "ok"),
    [
        (np.array([1.0, 2.0], dtype=np.float32), np.array([1.0, 2.0001], dtype=np.float32), True),
        (torch.tensor([100.0, 0.0]), np.array([100.02, 0.0], dtype=np.float32), False),
        (torch.tensor([100.0, 0.0]), np.array([100.005, 0.0], dtype=np.float32), True),
        (np.array([np.nan, np.inf], dtype=np.float32), np.array([np.nan, np.inf], dtype=np.float32), True),
        (np.array([np.nan, 1.0], dtype=np.float32), np.array([1.0, 1.0], dtype=np.float32), False),
        (np.array([np.inf], dtype=np.float32), np.array([-np.inf], dtype=np.float32), False),
        (torch.tensor([1, 2]), np.array([1, 2], dtype=np.int64), True),
        (torch.tensor([1, 3]), np.array([1, 2], dtype=np.int64), False),
        (torch.tensor([True]), np.array([True]), True),
        (torch.tensor([1.0]), np.array([1.0], dtype=np.float64), False),
        (torch.tensor([1.0, 2.0]), np.array([[1.0, 2.0]], dtype=np.float32), False),
    ],
)
def test_tolerance(ours: np.ndarray | torch.Tensor, ref: np.ndarray | torch.Tensor, ok: bool) -> None:
    """The tolerance: relative to max(1, max|ref|), exact for integers, strict on NaN, types and shapes."""
    assert within_tolerance(ours, ref) is ok
    if not ok:
        with pytest.raises(AssertionError, match=r"^what: "):
            assert_close(ours, ref, "what")


def test_max_errors_are_absolute_and_relative() -> None:
    """max_errors gives the absolute error and that over max(1, max|ref|)."""
    assert max_errors(np.array([10.0, 1.0]), np.array([12.0, 1.0])) == (2.0, 2.0 / 12.0)
    assert max_errors(np.array([0.5]), np.array([0.25])) == (0.25, 0.25)
    with pytest.raises(ValueError, match="shape"):
        max_errors(np.zeros(2), np.zeros(3))
