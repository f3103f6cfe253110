"""ONNX import: every operator at every opset, opset normalisation, and bad models."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.capi.onnxruntime_pybind11_state import (
    NotImplemented as OrtNotImplemented,
)
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from ramiel.dialects.dfg import ConstantOp, DfgOp
from ramiel.errors import RamielError
from ramiel.frontend.onnx_import import (
    NAME_ATTR,
    import_bytes,
    import_file,
    import_model,
    load_model,
    parse_input_shape,
)
from ramiel.ir_text import parse_module as parse
from ramiel.ir_text import print_module
from tests.unit.dfg_eval import (
    evaluate_reference,
    random_inputs,
    run_dfg,
    run_model,
)
from tests.unit.op_cases import CASES, F32, I64, NEWEST, Case, make_model, x

# Helpers.


def main_function(module: ModuleOp) -> func.FuncOp:
    function = module.body.block.first_op
    assert isinstance(function, func.FuncOp)
    return function


def dfg_ops(module: ModuleOp, op_type: str | None = None) -> list[DfgOp]:
    return [
        op
        for op in main_function(module).body.walk()
        if isinstance(op, DfgOp) and (op_type is None or op.ONNX_OP_TYPE == op_type)
    ]


def result_types(module: ModuleOp) -> tuple[str, ...]:
    return tuple(str(t) for t in main_function(module).function_type.outputs.data)


def original_outputs(case: Case, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """What the original model computes: the case's own oracle, onnxruntime, or
    onnx's reference evaluator for old operator versions onnxruntime lacks."""
    if case.expected is not None:
        return case.expected(inputs)
    try:
        return run_model(case.model, inputs)
    except OrtNotImplemented:
        return evaluate_reference(case.model, inputs)


def graph(
    nodes: Sequence[onnx.NodeProto],
    inputs: Sequence[tuple[str, int, Sequence[int | str] | None]],
    outputs: Sequence[str],
    opset: int = 18,
    initializers: dict[str, np.ndarray] | None = None,
) -> onnx.ModelProto:
    """A model whose graph inputs may have symbolic dimensions or no shape."""
    model = helper.make_model(
        helper.make_graph(
            list(nodes),
            "g",
            [helper.make_tensor_value_info(n, t, None if s is None else list(s)) for n, t, s in inputs],
            [helper.make_empty_tensor_value_info(n) for n in outputs],
            [numpy_helper.from_array(v, k) for k, v in (initializers or {}).items()],
        ),
        opset_imports=[helper.make_opsetid("", opset)],
    )
    model.ir_version = 8
    return model


def relu_model(opset: int = 18, **shape: Sequence[int | str] | None) -> onnx.ModelProto:
    return graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        [("x", F32, shape.get("x", [1, 3]))],
        ["y"],
        opset,
    )


def import_error(model: onnx.ModelProto, **kwargs: object) -> RamielError:
    with pytest.raises(RamielError) as info:
        import_model(model, where="m.onnx", **kwargs)  # pyright: ignore[reportArgumentType]
    return info.value


# Every operator at every opset.


@pytest.mark.parametrize("case", CASES, ids=[f"{c.id}-{i}" for i, c in enumerate(CASES)])
def test_operator(case: Case) -> None:
    module = import_model(case.model)
    ops = dfg_ops(module, case.op)
    assert len(ops) == 1, [op.name for op in dfg_ops(module)]
    assert result_types(module) == case.outputs
    if case.check is not None:
        case.check(ops[0])
    inputs = random_inputs(case.model, seed=case.opset)
    expected = original_outputs(case, inputs)
    got = run_dfg(module, inputs)
    assert len(got) == len(expected)
    for e, g in zip(expected, got, strict=True):
        assert g.dtype == e.dtype
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    text = print_module(module)
    assert print_module(parse(text)) == text


def test_every_operator_has_cases_from_opset_6_to_the_newest() -> None:
    from ramiel.dialects.dfg import OPS
    from tests.unit.op_cases import opsets_of

    tested = {(c.op, c.opset) for c in CASES}
    for op in OPS:
        opsets = opsets_of(op)
        assert opsets[-1] == NEWEST
        assert all((op, o) in tested for o in opsets)
    assert ("Slice", 6) in tested  # opset-1 Slice, with attributes
    assert ("Gelu", 20) in tested  # first opset of Gelu


# Opset normalisation beyond the per-operator cases.


class Test_normalisation:
    def test_upsample_becomes_resize(self) -> None:
        for opset, node, inits in [
            (7, helper.make_node("Upsample", ["x"], ["y"], scales=[1.0, 1.0, 2.0, 3.0]), {}),
            (9, helper.make_node("Upsample", ["x", "s"], ["y"]), {"s": np.array([1, 1, 2, 3], np.float32)}),
        ]:
            model = make_model(opset, [node], [x(1, 2, 3, 4)], ["y"], inits)
            module = import_model(model)
            assert len(dfg_ops(module, "Resize")) == 1
            assert result_types(module) == ("tensor<1x2x6x12xf32>",)
            inputs = random_inputs(model)
            np.testing.assert_allclose(run_dfg(module, inputs)[0], run_model(model, inputs)[0])

    def test_upsample_is_unsupported_from_opset_10(self) -> None:
        node = helper.make_node("Upsample", ["x", "s"], ["y"], name="up")
        model = make_model(10, [node], [x(1, 2, 3, 4)], ["y"], {"s": np.ones(4, np.float32)})
        error = import_error(model)
        assert error.what == "unsupported operator Upsample at opset 10"
        assert error.where == "m.onnx, node 'up'"

    @pytest.mark.parametrize("opset", [7, 10])
    def test_used_old_dropout_mask_is_refused(self, opset: int) -> None:
        nodes = [
            helper.make_node("Dropout", ["x"], ["y", "mask"], name="drop"),
            helper.make_node("Identity", ["mask"], ["m"]),
        ]
        error = import_error(make_model(opset, nodes, [x(2, 3)], ["y", "m"]))
        assert error.what.startswith(f"the mask output of Dropout at opset {opset} is not supported")
        assert error.where == "m.onnx, node 'drop'"

    def test_unused_old_dropout_mask_is_dropped(self) -> None:
        node = helper.make_node("Dropout", ["x"], ["y", "mask"])
        module = import_model(make_model(10, [node], [x(2, 3)], ["y"]))
        [dropout] = dfg_ops(module, "Dropout")
        assert len(dropout.results) == 1

    def test_legacy_broadcast_needs_known_ranks(self) -> None:
        # `b` comes from a node whose output shape inference cannot know.
        nodes = [
            helper.make_node("Reshape", ["b0", "shape"], ["b"]),
            helper.make_node("Add", ["a", "b"], ["c"], broadcast=1, axis=1, name="add"),
        ]
        model = graph(
            nodes,
            [("a", F32, [2, 3, 4]), ("b0", F32, [3]), ("shape", I64, [1])],
            ["c"],
            opset=6,
        )
        error = import_error(model)
        assert error.what == (
            "cannot normalise the legacy broadcasting of Add: the rank of 'b' is unknown"
        )
        assert error.where == "m.onnx, node 'add'"

    def test_large_weights_survive_conversion(self) -> None:
        # Initializers over 1024 elements skip the converter and shape inference.
        w = np.random.default_rng(1).standard_normal((40, 50)).astype(np.float32)
        b = np.arange(50, dtype=np.float32)
        for opset in (6, 9, 17, 18):
            legacy = {"broadcast": 1} if opset < 7 else {}
            nodes = [
                helper.make_node("MatMul", ["x", "w"], ["h"]),
                helper.make_node("Add", ["h", "b"], ["y"], **legacy),
            ]
            model = make_model(opset, nodes, [x(3, 40)], ["y"], {"w": w, "b": b})
            module = import_model(model)
            [matmul] = dfg_ops(module, "MatMul")
            weight = matmul.input_values()[1]
            assert weight is not None
            assert isinstance(weight.owner, ConstantOp)
            assert np.array_equal(weight.owner.numpy(), w)
            inputs = random_inputs(model)
            np.testing.assert_allclose(run_dfg(module, inputs)[0], inputs[0] @ w + b, rtol=1e-5)

    def test_large_initializer_listed_as_input(self) -> None:
        # IR version 3 lists initializers among the inputs.
        w = np.arange(2000, dtype=np.float32).reshape(40, 50)
        model = make_model(9, [helper.make_node("MatMul", ["x", "w"], ["y"])], [x(1, 40), x(40, 50, name="w")], ["y"], {"w": w})
        model.ir_version = 3
        module = import_model(model)
        assert [str(a.type) for a in main_function(module).args] == ["tensor<1x40xf32>"]
        inputs = [np.ones((1, 40), np.float32)]
        np.testing.assert_allclose(run_dfg(module, inputs)[0], inputs[0] @ w)

    @pytest.mark.parametrize("opset", [11, 17, 21])
    def test_shape_arithmetic_beyond_onnx_data_propagation(self, opset: int) -> None:
        # The TorchScript exporter's channel split: ONNX's data propagation stops
        # at Div, so the Slice's output shape needs the values evaluated.
        def const(name: str, value: list[int]) -> onnx.NodeProto:
            tensor = numpy_helper.from_array(np.array(value, np.int64))
            return helper.make_node("Constant", [], [name], value=tensor)

        nodes = [
            helper.make_node("Shape", ["x"], ["shape"]),
            const("one", [1]),
            const("two", [2]),
            const("zero", [0]),
            helper.make_node("Gather", ["shape", "one"], ["channels"], axis=0),
            helper.make_node("Add", ["channels", "one"], ["plus"]),
            helper.make_node("Div", ["plus", "two"], ["half"]),
            helper.make_node("Mul", ["half", "one"], ["end"]),
            helper.make_node("Slice", ["x", "zero", "end", "one"], ["y"], name="split"),
        ]
        model = make_model(opset, nodes, [x(1, 6, 4)], ["y"])
        module = import_model(model)
        # (6 + 1) / 2 = 3 channels.
        assert result_types(module) == ("tensor<1x3x4xf32>",)
        assert [op.ONNX_OP_TYPE for op in dfg_ops(module)] == ["Shape", "Gather", "Add", "Div", "Mul", "Slice"]
        inputs = random_inputs(model)
        np.testing.assert_array_equal(run_dfg(module, inputs)[0], inputs[0][:, :3])

    def test_input_model_is_not_changed(self) -> None:
        model = graph(
            [helper.make_node("Relu", ["b"], ["y"]), helper.make_node("Relu", ["x"], ["b"])],
            [("x", F32, ["N", 3])],
            ["y"],
            opset=9,
        )
        before = model.SerializeToString()
        import_model(model)
        assert model.SerializeToString() == before

    def test_skipped_optional_output(self) -> None:
        # Mean is skipped but InvStdDev used: the dfg op gets all three results.
        node = helper.make_node("LayerNormalization", ["x", "s"], ["y", "", "inv"], name="ln")
        model = make_model(18, [node], [x(2, 4)], ["y", "inv"], {"s": np.ones(4, np.float32)})
        module = import_model(model)
        [op] = dfg_ops(module, "LayerNormalization")
        assert [str(r.type) for r in op.results] == ["tensor<2x4xf32>", "tensor<2x1xf32>", "tensor<2x1xf32>"]
        assert result_types(module) == ("tensor<2x4xf32>", "tensor<2x1xf32>")
        inputs = random_inputs(model)
        for got, expected in zip(run_dfg(module, inputs), run_model(model, inputs), strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
        text = print_module(module)
        assert print_module(parse(text)) == text

    def test_unsorted_graph(self) -> None:
        model = graph(
            [
                helper.make_node("Relu", ["b"], ["y"], name="second"),
                helper.make_node("Neg", ["x"], ["b"], name="first"),
            ],
            [("x", F32, [2])],
            ["y"],
        )
        module = import_model(model)
        assert [op.ONNX_OP_TYPE for op in dfg_ops(module)] == ["Neg", "Relu"]

    @pytest.mark.parametrize(
        ("attribute", "value", "expected"),
        [
            ("value", numpy_helper.from_array(np.array([1.5, 2.5], np.float32)), [1.5, 2.5]),
            ("value_float", 0.5, 0.5),
            ("value_floats", [1.0, 2.0], [1.0, 2.0]),
            ("value_int", 7, 7),
            ("value_ints", [3, 4, 5], [3, 4, 5]),
        ],
    )
    def test_constant_nodes(self, attribute: str, value: object, expected: object) -> None:
        node = helper.make_node("Constant", [], ["c"], **{attribute: value})
        module = import_model(graph([node, helper.make_node("Identity", ["c"], ["y"])], [], ["y"]))
        constant = main_function(module).body.block.first_op
        assert isinstance(constant, ConstantOp)
        assert constant.numpy().tolist() == expected


# Names, arguments and shapes.


class Test_names_and_shapes:
    def test_names(self) -> None:
        w = np.ones((4, 3), np.float32) * np.arange(3, dtype=np.float32)
        nodes = [
            helper.make_node("MatMul", ["in:0", "fc.weight"], ["fc/out"], name="fc"),
            helper.make_node("Relu", ["fc/out"], ["out:0"]),
        ]
        module = import_model(make_model(18, nodes, [x(1, 4, name="in:0")], ["out:0"], {"fc.weight": w}))
        function = main_function(module)
        assert function.arg_attrs is not None
        assert function.res_attrs is not None
        assert [a.data[NAME_ATTR].data for a in function.arg_attrs] == ["in:0"]  # pyright: ignore
        assert [a.data[NAME_ATTR].data for a in function.res_attrs] == ["out:0"]  # pyright: ignore
        text = print_module(module)
        assert '%in: tensor<1x4xf32> {dfg.name = "in:0"}' in text
        assert "%fc_out = dfg.mat_mul %in, %fc.weight" in text
        assert "%out = dfg.relu %fc_out" in text
        [matmul] = dfg_ops(module, "MatMul")
        assert str(matmul.location) == 'loc("fc")'

    def test_initializers_are_not_arguments(self) -> None:
        model = make_model(9, [helper.make_node("Add", ["x", "b"], ["y"])], [x(3), x(3, name="b")], ["y"], {"b": np.ones(3, np.float32)})
        model.ir_version = 3
        function = main_function(import_model(model))
        assert len(function.args) == 1

    def test_batch_dimension_becomes_one(self) -> None:
        notes: list[str] = []
        module = import_model(relu_model(x=["batch", 3]), note=notes.append)
        assert result_types(module) == ("tensor<1x3xf32>",)
        assert notes == ["input 'x': batch dimension 'batch' set to 1"]

    def test_input_shapes(self) -> None:
        module = import_model(relu_model(x=["N", "C"]), {"x": [2, 5]})
        assert result_types(module) == ("tensor<2x5xf32>",)

    def test_input_shape_for_a_shapeless_input(self) -> None:
        module = import_model(relu_model(x=None), {"x": [4, 1, 2]})
        assert result_types(module) == ("tensor<4x1x2xf32>",)

    def test_symbolic_dimension_needs_a_shape(self) -> None:
        error = import_error(relu_model(x=[1, "C"]))
        assert error.what == (
            "input 'x' has symbolic dimension 'C' at position 1; give its shape with "
            "--input-shape x=D0x...xDn"
        )

    def test_shapeless_input_needs_a_shape(self) -> None:
        error = import_error(relu_model(x=None))
        assert "cannot infer a static shape for graph input 'x'" in error.what

    def test_input_shape_errors(self) -> None:
        assert import_error(relu_model(), input_shapes={"y": [1]}).what == (
            "--input-shape names no graph input 'y' (inputs: 'x')"
        )
        assert import_error(relu_model(), input_shapes={"x": [1, 3, 1]}).what == (
            "--input-shape gives 3 dimensions for input 'x' of rank 2"
        )
        assert import_error(relu_model(), input_shapes={"x": [1, 4]}).what == (
            "--input-shape gives size 4 to dimension 1 of input 'x', which is 3"
        )

    @pytest.mark.parametrize(
        ("spec", "name", "shape"),
        [
            ("data=1x3x224x224", "data", [1, 3, 224, 224]),
            ("in=put:0=2x5", "in=put:0", [2, 5]),
            ("a:b=7", "a:b", [7]),
        ],
    )
    def test_parse_input_shape(self, spec: str, name: str, shape: list[int]) -> None:
        assert parse_input_shape(spec) == (name, shape)

    @pytest.mark.parametrize("spec", ["data", "=1x2", "x=", "x=1xa", "x=0x3", "x=-1", "x=1x"])
    def test_bad_input_shape(self, spec: str) -> None:
        with pytest.raises(RamielError) as info:
            parse_input_shape(spec)
        assert info.value.where == f"--input-shape {spec}"


def test_opset_older_than_6_without_operator_changes() -> None:
    """An opset-1 Not is the opset-6 one: it imports as such."""
    model = make_model(1, [helper.make_node("Not", ["x"], ["y"])], [x(2, 3, type=TensorProto.BOOL)], ["y"])
    module = import_model(model)
    assert [op.name for op in dfg_ops(module)] == ["dfg.not"]
    inputs = random_inputs(model)
    np.testing.assert_array_equal(run_dfg(module, inputs)[0], ~inputs[0])


# Models Ramiel refuses.


class Test_errors:
    def test_unsupported_operator_names_node_and_opset(self) -> None:
        # A string operator, out of scope (it also takes integer n-grams).
        node = helper.make_node(
            "TfIdfVectorizer",
            ["x"],
            ["y"],
            name="tfidf",
            mode="TF",
            min_gram_length=1,
            max_gram_length=1,
            max_skip_count=0,
            ngram_counts=[0],
            ngram_indexes=[0],
            pool_int64s=[1],
        )
        error = import_error(make_model(9, [node], [x(5, type=I64)], ["y"]))
        assert error.what == "unsupported operator TfIdfVectorizer at opset 9"
        assert error.where == "m.onnx, node 'tfidf'"

    def test_conversion_failure_names_the_node(self) -> None:
        # Per-activation BatchNormalization (spatial=0) has no newer form.
        params = {k: np.full((3, 4, 4), i + 1.0, np.float32) for i, k in enumerate("sbmv")}
        nodes = [
            helper.make_node("Relu", ["x"], ["r"]),
            helper.make_node("BatchNormalization", ["r", *"sbmv"], ["y"], spatial=0, name="bn"),
        ]
        error = import_error(make_model(7, nodes, [x(1, 3, 4, 4)], ["y"], params))
        assert error.what == (
            "cannot convert BatchNormalization from opset 7 to 18: Attribute spatial must have value 1"
        )
        assert error.where == "m.onnx, node 'bn'"

    def test_unsupported_domain(self) -> None:
        node = helper.make_node("Gelu", ["x"], ["y"], domain="com.microsoft", name="g")
        model = relu_model()
        model.graph.node[0].CopyFrom(node)
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
        assert import_error(model).what == "unsupported operator com.microsoft.Gelu (opset 18)"

    def test_unnamed_node_is_known_by_its_output(self) -> None:
        node = helper.make_node("NonMaxSuppression", ["x"], ["boxes"])
        error = import_error(make_model(18, [node], [x(1)], ["boxes"]))
        assert error.where == "m.onnx, node 'boxes'"

    @pytest.mark.parametrize(("opset", "message"), [(5, "unsupported opset 5"), (NEWEST + 1, f"unsupported opset {NEWEST + 1}")])
    def test_opset_range(self, opset: int, message: str) -> None:
        model = relu_model()
        model.opset_import[0].version = opset
        assert import_error(model).what.startswith(message)

    def test_opset_older_than_an_operator_change(self) -> None:
        # Relu's opset-1 form has consumed_inputs, which opset 6 dropped.
        error = import_error(relu_model(opset=5))
        assert error.what == (
            "unsupported opset 5: Ramiel imports opsets 6 to "
            f"{NEWEST}, and older ones only where no operator changed before opset 6, as Relu did"
        )
        assert error.where == "m.onnx, node 'relu'"

    def test_no_default_opset(self) -> None:
        model = relu_model()
        model.opset_import[0].domain = "ai.onnx.ml"
        assert import_error(model).what == "the model imports no default-domain (ai.onnx) opset"

    @pytest.mark.parametrize(("data_type", "name"), [(TensorProto.FLOAT8E4M3FN, "float8e4m3fn"), (TensorProto.STRING, "string"), (TensorProto.COMPLEX64, "complex64")])
    def test_unsupported_input_type(self, data_type: int, name: str) -> None:
        model = graph([helper.make_node("Identity", ["x"], ["y"])], [("x", data_type, [2])], ["y"])
        assert import_error(model).what == f"unsupported element type {name} of graph input 'x'"

    def test_unsupported_initializer_type(self) -> None:
        model = make_model(18, [helper.make_node("Identity", ["w"], ["y"])], [], ["y"])
        model.graph.initializer.append(helper.make_tensor("w", TensorProto.FLOAT8E4M3FN, [2], [1, 2]))
        assert import_error(model).what == "unsupported element type float8e4m3fn of tensor 'w'"

    def test_unsupported_intermediate_type(self) -> None:
        node = helper.make_node("Cast", ["x"], ["y"], to=TensorProto.FLOAT8E4M3FN, name="cast")
        error = import_error(make_model(19, [node], [x(2)], ["y"]))
        assert error.what == "unsupported element type float8e4m3fn of tensor 'y'"
        assert error.where == "m.onnx, node 'cast'"

    def test_string_constant(self) -> None:
        node = helper.make_node("Constant", [], ["s"], value_string="hi", name="text")
        error = import_error(graph([node, helper.make_node("Identity", ["s"], ["y"])], [], ["y"]))
        assert error.what == "unsupported element type string of tensor 's'"

    def test_cycle(self) -> None:
        nodes = [
            helper.make_node("Relu", ["b"], ["a"], name="r1"),
            helper.make_node("Relu", ["a"], ["b"], name="r2"),
            helper.make_node("Add", ["x", "a"], ["y"], name="add"),
        ]
        error = import_error(make_model(18, nodes, [x(3)], ["y"]))
        assert error.what == "the graph has a cycle through add, r1, r2"

    def test_undefined_input(self) -> None:
        node = helper.make_node("Add", ["x", "nope"], ["y"], name="add")
        error = import_error(make_model(18, [node], [x(3)], ["y"]))
        assert error.what == "input 'nope' is never defined"
        assert error.where == "m.onnx, node 'add'"

    def test_tensor_defined_twice(self) -> None:
        nodes = [helper.make_node("Relu", ["x"], ["y"], name="a"), helper.make_node("Neg", ["x"], ["y"], name="b")]
        error = import_error(make_model(18, nodes, [x(3)], ["y"]))
        assert error.what == "tensor 'y' is defined twice"
        assert error.where == "m.onnx, node 'b'"

    def test_output_never_computed(self) -> None:
        model = make_model(18, [helper.make_node("Relu", ["x"], ["y"])], [x(3)], ["y", "z"])
        assert import_error(model).what == "graph output 'z' is never computed"

    def test_unsupported_attribute(self) -> None:
        node = helper.make_node("Relu", ["x"], ["y"], name="relu", alpha=0.5)
        error = import_error(make_model(18, [node], [x(3)], ["y"]))
        assert error.what == "unsupported attribute 'alpha' of Relu"

    def test_tensor_attribute_without_a_tensor(self) -> None:
        node = helper.make_node("LeakyRelu", ["x"], ["y"], name="leaky", alpha=TensorProto())
        error = import_error(make_model(18, [node], [x(3)], ["y"]))
        assert error.what == "unsupported element type 0 of attribute 'alpha'"
        assert error.where == "m.onnx, node 'leaky'"

    # Both make ONNX's shape inference abort the process.
    def test_negative_input_dimension(self) -> None:
        error = import_error(relu_model(x=[1, -3]))
        assert error.what == "dimension 1 of tensor 'x' has negative size -3"

    def test_split_outputs_disagree_with_num_outputs(self) -> None:
        node = helper.make_node("Split", ["x"], ["a", "b", "c"], name="split", num_outputs=2)
        error = import_error(make_model(18, [node], [x(2, 2)], ["a", "b", "c"]))
        assert error.what == "Split has 3 outputs, but num_outputs is 2"
        assert error.where == "m.onnx, node 'split'"

    def test_inconsistent_shapes(self) -> None:
        node = helper.make_node("Add", ["a", "b"], ["y"], name="add")
        error = import_error(make_model(18, [node], [x(2, 3, name="a"), x(4, name="b")], ["y"]))
        assert error.what.startswith("shape inference failed")


# Files.


class Test_files:
    def test_external_data(self, tmp_path: Path) -> None:
        w = np.arange(60, dtype=np.float32).reshape(4, 15)
        model = make_model(18, [helper.make_node("MatMul", ["x", "w"], ["y"])], [x(1, 4)], ["y"], {"w": w})
        folder = tmp_path / "model"
        folder.mkdir()
        onnx.save(model, folder / "m.onnx", save_as_external_data=True, location="m.data", size_threshold=0)
        assert (folder / "m.data").stat().st_size == w.nbytes
        module = import_file(folder / "m.onnx")
        inputs = [np.ones((1, 4), np.float32)]
        np.testing.assert_allclose(run_dfg(module, inputs)[0], inputs[0] @ w)
        module = import_bytes((folder / "m.onnx").read_bytes(), "piped", folder)
        np.testing.assert_allclose(run_dfg(module, inputs)[0], inputs[0] @ w)

    def test_external_data_errors(self, tmp_path: Path) -> None:
        w = np.arange(60, dtype=np.float32).reshape(4, 15)
        model = make_model(18, [helper.make_node("MatMul", ["x", "w"], ["y"])], [x(1, 4)], ["y"], {"w": w})
        onnx.save(model, tmp_path / "m.onnx", save_as_external_data=True, location="m.data", size_threshold=0)
        proto = onnx.load(tmp_path / "m.onnx", load_external_data=False)
        for location, what, where in [
            ("gone.data", "missing external data file for tensor 'w'", str(tmp_path / "gone.data")),
            ("../m.data", "external data of tensor 'w' points outside the model's folder", "../m.data"),
            (str(tmp_path / "m.data"), "external data of tensor 'w' points outside the model's folder", str(tmp_path / "m.data")),
        ]:
            for entry in proto.graph.initializer[0].external_data:
                if entry.key == "location":
                    entry.value = location
            onnx.save(proto, tmp_path / "bad.onnx")
            with pytest.raises(RamielError) as info:
                load_model(tmp_path / "bad.onnx")
            assert (info.value.what, info.value.where) == (what, where)

    def test_not_onnx(self, tmp_path: Path) -> None:
        (tmp_path / "a.onnx").write_text("hello\n")
        with pytest.raises(RamielError, match="not an ONNX model"):
            load_model(tmp_path / "a.onnx")

    def test_truncated(self, tmp_path: Path) -> None:
        data = relu_model().SerializeToString()
        (tmp_path / "a.onnx").write_bytes(data[: len(data) // 2])
        with pytest.raises(RamielError, match="not an ONNX model, or a truncated one"):
            load_model(tmp_path / "a.onnx")

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(RamielError) as info:
            load_model(tmp_path / "none.onnx")
        assert info.value.what == "cannot read the model: No such file or directory"


def test_an_imported_file_is_named_after_it(tmp_path: Path) -> None:
    from xdsl.dialects.builtin import StringAttr

    from ramiel.pipeline import MODEL_ATTR

    relu = helper.make_node("Relu", ["x"], ["y"])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
    path = tmp_path / "my-net.onnx"
    onnx.save(helper.make_model(helper.make_graph([relu], "g", [x], [y])), path)
    assert import_file(path).attributes[MODEL_ATTR] == StringAttr("my-net")
    assert import_model(onnx.load(path), name="other").attributes[MODEL_ATTR] == StringAttr("other")
    assert MODEL_ATTR not in import_model(onnx.load(path)).attributes


@pytest.mark.parametrize("op", ["Conv", "MaxPool"])
def test_a_window_larger_than_its_input_is_refused_before_inference_aborts(op: str) -> None:
    """ONNX infers a negative size for it; Slice's inference would then abort the process."""
    window = helper.make_node(op, ["x", "w"][: 2 if op == "Conv" else 1], ["c"], kernel_shape=[6, 1])
    model = make_model(
        18,
        [window, helper.make_node("Slice", ["c", "s", "e", "a"], ["y"])],
        [x(1, 1, 4, 4)],
        ["y"],
        {
            "w": np.ones((1, 1, 6, 1), np.float32),
            **{k: np.array([v], np.int64) for k, v in (("s", 0), ("e", 1), ("a", 2))},
        },
    )
    error = import_error(model)
    assert f"{op} gives output 'c' the negative size -1 in dimension 2" in error.what


def test_an_attribute_outside_the_spec_is_refused_naming_the_node() -> None:
    """ONNX's inference reads any transB but 0 as 1."""
    node = helper.make_node("Gemm", ["x", "w"], ["y"], name="dense", transB=2)
    model = make_model(18, [node], [x(2, 3)], ["y"], {"w": np.ones((4, 3), np.float32)})
    error = import_error(model)
    assert error.where == "m.onnx, node 'dense'"
    assert error.what == "the model is inconsistent: attribute 'transB' of Gemm must be 0 or 1, not 2"


def test_an_axis_past_any_rank_is_refused_before_inference_crashes() -> None:
    """ONNX's LayerNormalization inference crashes the process on an axis of 2**31."""
    node = helper.make_node("LayerNormalization", ["x", "scale"], ["y"], name="norm", axis=2**31)
    model = make_model(18, [node], [x(2, 3)], ["y"], {"scale": np.ones(3, np.float32)})
    error = import_error(model)
    assert error.where == "m.onnx, node 'norm'"
    assert error.what == f"attribute 'axis' of LayerNormalization is {2**31}, past any tensor's axes (at most 64)"
