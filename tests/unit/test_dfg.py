"""The `dfg` dialect: op definitions, building, constants and their resource store."""

from __future__ import annotations

import hashlib
import importlib
import re
import time
from pathlib import Path

import numpy as np
import pytest
from onnx import defs
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    TensorType,
    f32,
    i64,
)
from xdsl.ir import Block, Region
from xdsl.utils.exceptions import ParseError, VerifyException
from xdsl.utils.test_value import create_ssa_value

from ramiel.dialects.dfg import (
    EXTENSIONS,
    INLINE_CONSTANT_LIMIT,
    OPS,
    RESOURCES,
    ConstantOp,
    Dfg,
    ResourceAttr,
    dfg_name,
    op_class,
    sanitize_identifier,
)
from ramiel.dialects.dfg.activation import ReluOp, SigmoidOp
from ramiel.dialects.dfg.constant import resource_digest
from ramiel.ir_text import parse_module as parse
from ramiel.ir_text import print_module

DFG_LIT = Path(__file__).parents[1] / "filecheck" / "dialects" / "dfg"


def tensor(*shape: int, element: object = f32) -> TensorType:
    return TensorType(element, list(shape))  # pyright: ignore[reportArgumentType]


def blake2b64(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


class Test_definitions:
    def test_one_op_per_operator_the_extensions_and_the_constant(self) -> None:
        operators = {cls.name for cls in OPS.values()}
        extensions = {cls.name for cls in EXTENSIONS.values()}
        assert {op.name for op in Dfg.operations} == operators | extensions | {"dfg.constant", "dfg.yield"}
        assert not operators & extensions
        assert len(OPS) >= 65

    def test_op_classes_are_named_and_importable_from_their_family(self) -> None:
        for op_type, cls in OPS.items():
            assert cls.__name__ == f"{op_type}Op"
            module = importlib.import_module(cls.__module__)
            assert getattr(module, cls.__name__) is cls
            assert f"{cls.name} " in (cls.__doc__ or ""), f"{cls.__name__} shows no IR"

    @pytest.mark.parametrize(
        ("op_type", "name"),
        [
            ("Conv", "dfg.conv"),
            ("MaxPool", "dfg.max_pool"),
            ("LRN", "dfg.lrn"),
            ("ConvTranspose", "dfg.conv_transpose"),
            ("GlobalAveragePool", "dfg.global_average_pool"),
            ("ArgMax", "dfg.arg_max"),
            ("HardSwish", "dfg.hard_swish"),
            ("ReduceMean", "dfg.reduce_mean"),
            ("MatMul", "dfg.mat_mul"),
        ],
    )
    def test_names(self, op_type: str, name: str) -> None:
        assert dfg_name(op_type) == name
        assert op_class(op_type).name == name

    def test_newest_schema(self) -> None:
        for op_type, cls in OPS.items():
            assert cls.ONNX_SCHEMA.since_version == defs.get_schema(op_type).since_version

    def test_operands_and_properties_are_onnx_inputs_and_attributes(self) -> None:
        conv = op_class("Conv")
        assert [name for name, _ in conv.ONNX_INPUTS] == ["X", "W", "B"]
        definition = conv.get_irdl_definition()
        assert {"pads", "strides", "group", "kernel_shape", "auto_pad", "dilations"} <= set(
            definition.properties
        )

    def test_every_op_has_a_round_trip_test(self) -> None:
        # ops.mlir, or a family's own round-trip file beside it.
        texts = [f.read_text() for f in sorted(DFG_LIT.glob("*.mlir")) if not f.name.startswith("invalid")]
        # An op with results follows `=`; one without (dfg.yield) starts its line.
        used = {name for text in texts for name in re.findall(r"(?:= |^ *)(dfg\.[a-z0-9_]+) ", text, re.M)}
        assert used == {op.name for op in Dfg.operations}

    def test_unsupported_operator(self) -> None:
        with pytest.raises(KeyError):
            op_class("StringNormalizer")

    def test_sanitize_identifier(self) -> None:
        assert sanitize_identifier("gpu_0/conv1_w:0") == "gpu_0_conv1_w_0"
        assert sanitize_identifier("1relu") == "v1relu"
        # Only digits and underscores would print as an empty SSA name.
        assert sanitize_identifier("0") == "v0"
        assert sanitize_identifier("_1") == "v_1"
        assert sanitize_identifier("a.b$c") == "a.b$c"


class Test_build:
    def test_absent_optional_operand_in_the_middle(self) -> None:
        x, hi = create_ssa_value(tensor(2, 3)), create_ssa_value(tensor())
        clip = op_class("Clip").build([x, None, hi], [tensor(2, 3)])
        clip.verify()
        assert clip.input_values() == [x, None, hi]
        assert list(clip.operands) == [x, hi]
        segments = clip.properties["operandSegmentSizes"]
        assert segments.get_values() == (1, 0, 1)  # pyright: ignore[reportAttributeAccessIssue]

    def test_variadic(self) -> None:
        values = [create_ssa_value(tensor(2)) for _ in range(3)]
        op = op_class("Sum").build(values, [tensor(2)])
        op.verify()
        assert op.input_values() == values

    def test_missing_required_operand(self) -> None:
        with pytest.raises(VerifyException, match="missing required operand 'B'"):
            op_class("Add").build([create_ssa_value(tensor(2))], [tensor(2)])

    def test_multiple_results(self) -> None:
        x = create_ssa_value(tensor(1, 2, 4, 4))
        op = op_class("MaxPool").build(
            [x],
            [tensor(1, 2, 2, 2), tensor(1, 2, 2, 2, element=i64)],
            {"kernel_shape": _ints(2, 2), "strides": _ints(2, 2)},
        )
        op.verify()
        values = op.output_values()
        assert [str(v.type) for v in values if v is not None] == [
            "tensor<1x2x2x2xf32>",
            "tensor<1x2x2x2xi64>",
        ]

    def test_absent_result_before_present_one_is_rejected(self) -> None:
        x, scale = create_ssa_value(tensor(2, 4)), create_ssa_value(tensor(4))
        op = op_class("LayerNormalization").build(
            [x, scale], [tensor(2, 4), None, tensor(2, 1)]
        )
        assert op.output_values()[1] is None
        with pytest.raises(VerifyException, match="absent optional result cannot precede"):
            op.verify()

    def test_attributes(self) -> None:
        x = create_ssa_value(tensor(2, 3))
        op = op_class("LeakyRelu").build([x], [tensor(2, 3)], {"alpha": FloatAttr(0.5, f32)})
        assert op.python_attributes() == {"alpha": 0.5}
        assert op.explicit_attributes() == {"alpha": FloatAttr(0.5, f32)}
        default = op_class("LeakyRelu").build([x], [tensor(2, 3)])
        # ONNX's default, 0.01, filled in but not explicit.
        assert default.python_attributes()["alpha"] == pytest.approx(0.01)
        assert default.explicit_attributes() == {}

    def test_ops_are_told_apart_by_class(self) -> None:
        x = create_ssa_value(tensor(2))
        relu = op_class("Relu").build([x], [tensor(2)])
        assert isinstance(relu, ReluOp)
        assert not isinstance(relu, SigmoidOp)


def _ints(*values: int) -> object:
    from xdsl.dialects.builtin import DenseArrayBase

    return DenseArrayBase.from_list(i64, list(values))


class Test_verify:
    def test_shape_inference_checks_results(self) -> None:
        x = create_ssa_value(tensor(2, 3))
        with pytest.raises(VerifyException, match=r"result #0 has shape 3x2, but Relu gives 2x3"):
            op_class("Relu").build([x], [tensor(3, 2)]).verify()

    def test_data_dependent_shape_uses_small_constants(self) -> None:
        x = create_ssa_value(tensor(2, 3, 4))
        shape = ConstantOp.of_array(np.array([4, -1], np.int64))
        good = op_class("Reshape").build([x, shape.output], [tensor(4, 6)])
        good.verify()
        bad = op_class("Reshape").build([x, shape.output], [tensor(6, 4)])
        with pytest.raises(VerifyException, match="but Reshape gives 4x6"):
            bad.verify()

    def test_float_constants_feed_shape_inference(self) -> None:
        x = create_ssa_value(tensor(1, 1, 2, 2))
        scales = ConstantOp.of_array(np.array([1, 1, 3, 2], np.float32))
        with pytest.raises(VerifyException, match="but Resize gives 1x1x6x4"):
            op_class("Resize").build([x, None, scales.output], [tensor(1, 1, 4, 4)]).verify()

    def test_conv_channels(self) -> None:
        x, w = create_ssa_value(tensor(1, 4, 5, 5)), create_ssa_value(tensor(6, 2, 3, 3))
        conv = op_class("Conv").build([x, w], [tensor(1, 6, 3, 3)], {"group": IntegerAttr(2, i64)})
        conv.verify()
        single = op_class("Conv").build([x, w], [tensor(1, 6, 3, 3)])
        with pytest.raises(VerifyException, match="input has 4 channels"):
            single.verify()

    def test_unsupported_element_type(self) -> None:
        from xdsl.dialects.builtin import Float8E4M3FNType

        x = create_ssa_value(tensor(2, element=Float8E4M3FNType()))
        with pytest.raises(VerifyException, match="supported element type"):
            op_class("Relu").build([x], [tensor(2, element=Float8E4M3FNType())]).verify()


class Test_constant:
    def test_small_inline(self) -> None:
        values = np.arange(INLINE_CONSTANT_LIMIT, dtype=np.float32)
        op = ConstantOp.of_array(values, "w")
        assert isinstance(op.value, DenseIntOrFPElementsAttr)
        assert np.array_equal(op.numpy(), values)

    def test_large_is_a_content_addressed_resource(self) -> None:
        values = np.arange(INLINE_CONSTANT_LIMIT + 1, dtype=np.float32).reshape(1, -1)
        op = ConstantOp.of_array(values, "layer.weight")
        assert isinstance(op.value, ResourceAttr)
        assert op.value.key.data == "layer.weight_" + blake2b64(values.tobytes())
        assert op.output.type == tensor(1, INLINE_CONSTANT_LIMIT + 1)
        assert np.array_equal(op.numpy(), values)
        op.verify()

    def test_splat_keeps_one_element(self) -> None:
        op = ConstantOp.of_array(np.full((64, 3, 7, 7), 0.02, np.float32))
        assert isinstance(op.value, DenseIntOrFPElementsAttr)
        assert len(op.value.data.data) == 4
        assert op.is_splat()
        assert op.numpy().shape == (64, 3, 7, 7)
        assert float(op.numpy()[5, 2, 6, 6]) == pytest.approx(0.02)

    def test_signed_zeros_are_not_a_splat(self) -> None:
        op = ConstantOp.of_array(np.array([0.0, -0.0] * 10, np.float32))
        assert not op.is_splat()
        assert np.signbit(op.numpy()).tolist() == [False, True] * 10

    def test_equal_values_are_equal_attributes_after_parsing(self) -> None:
        for values, text in [
            (np.array([True, False, True]), "dense<[true, false, true]> : tensor<3xi1>"),
            (np.ones(4, np.float32), "dense<1.0> : tensor<4xf32>"),
            (np.array([1, 2], np.int64), "dense<[1, 2]> : tensor<2xi64>"),
        ]:
            built = ConstantOp.of_array(values)
            parsed = parse(f"%c = dfg.constant {text}").body.block.first_op
            assert isinstance(parsed, ConstantOp)
            assert built.value == parsed.value, text
            assert np.array_equal(parsed.numpy(), values)

    def test_numpy_is_read_only(self) -> None:
        op = ConstantOp.of_array(np.arange(40, dtype=np.int64))
        with pytest.raises(ValueError, match="read-only"):
            op.numpy()[0] = 1

    def test_element_types(self) -> None:
        for dtype in ("float32", "float16", "float64", "int64", "int32", "int8", "uint8", "bool"):
            values = (np.arange(20) % 3).astype(dtype)
            op = ConstantOp.of_array(values, "t")
            assert op.numpy().dtype == np.dtype(dtype)
            assert np.array_equal(op.numpy(), values)


class Test_resources:
    def test_same_bytes_stored_once(self) -> None:
        data = np.arange(100, dtype=np.float32)
        a = ConstantOp.of_array(data, "a").value
        b = ConstantOp.of_array(data.copy(), "b").value
        assert isinstance(a, ResourceAttr)
        assert isinstance(b, ResourceAttr)
        assert a.key != b.key
        assert RESOURCES.get(a.key.data) is RESOURCES.get(b.key.data)

    def test_printed_once_at_the_end_and_parsed_back(self) -> None:
        values = np.arange(30, dtype=np.float32) / 7
        module = _module_returning(ConstantOp.of_array(values, "w"))
        text = print_module(module)
        key = "w_" + blake2b64(values.tobytes())
        assert f"#dfg.resource<{key} : tensor<30xf32>>" in text
        # An alignment of 16 as a little-endian 32-bit integer, then the bytes.
        assert f'{key}: "0x10000000{values.tobytes().hex()}"' in text
        assert text.count(values.tobytes().hex()) == 1
        reparsed = parse(text)
        assert print_module(reparsed) == text
        constant = reparsed.body.block.first_op.body.block.first_op  # pyright: ignore
        assert np.array_equal(constant.numpy(), values)

    def test_parsing_the_same_text_twice_keeps_the_data(self) -> None:
        # xDSL's builtin store renames a key it already holds and loses the data;
        # a content-addressed key can be parsed any number of times.
        values = np.arange(20, dtype=np.int64) * 3
        text = print_module(_module_returning(ConstantOp.of_array(values, "k")))
        for _ in range(2):
            module = parse(text)
            module.verify()
            constant = module.body.block.first_op.body.block.first_op  # pyright: ignore
            assert np.array_equal(constant.numpy(), values)

    def test_key_must_name_its_content(self) -> None:
        data = np.arange(4, dtype=np.float32).tobytes()
        text = (
            "%w = dfg.constant #dfg.resource<w_0011223344556677 : tensor<4xf32>>\n"
            '{-#\n  dialect_resources: {\n    dfg: {\n      w_0011223344556677: "0x10000000'
            + data.hex()
            + '"\n    }\n  }\n#-}\n'
        )
        with pytest.raises(ParseError, match=f"does not name its content: keys end in '_{blake2b64(data)}'"):
            parse(text)
        assert RESOURCES.get("w_0011223344556677") is None

    def test_digest(self) -> None:
        assert resource_digest(b"") == hashlib.blake2b(b"", digest_size=8).hexdigest()

    def test_missing_data(self) -> None:
        module = parse(
            "func.func @f() -> tensor<4xf32> {\n"
            "  %w = dfg.constant #dfg.resource<gone_0123456789abcdef : tensor<4xf32>>\n"
            "  func.return %w : tensor<4xf32>\n}"
        )
        with pytest.raises(VerifyException, match="'gone_0123456789abcdef' has no data"):
            module.verify()


def _module_returning(constant: ConstantOp) -> ModuleOp:
    block = Block()
    block.add_ops([constant, func.ReturnOp(constant.output)])
    function = func.FuncOp("main", ([], [constant.output.type]), Region(block))
    return ModuleOp([function])


class Test_performance:
    def test_large_weights_print_and_parse_in_seconds(self) -> None:
        # 8M float parameters (a third of Inception-v3): printing is a hex dump
        # and parsing a hex decode, both linear in the bytes.
        rng = np.random.default_rng(0)
        constants = [
            ConstantOp.of_array(rng.standard_normal((1000, 1000), dtype=np.float32), f"w{i}")
            for i in range(8)
        ]
        block = Block()
        block.add_ops([*constants, func.ReturnOp(*(c.output for c in constants))])
        types = [c.output.type for c in constants]
        module = ModuleOp([func.FuncOp("main", ([], types), Region(block))])
        start = time.perf_counter()
        text = print_module(module)
        printed = time.perf_counter() - start
        start = time.perf_counter()
        reparsed = parse(text)
        reparsed.verify()
        parsed = time.perf_counter() - start
        assert len(text) > 64_000_000
        # About 0.5 s each on a quiet machine; the bound leaves room for a busy one.
        assert printed < 15, printed
        assert parsed < 15, parsed

    def test_name_of_a_dense_literal_constraint_is_built_once(self) -> None:
        from xdsl.parser import attribute_parser

        assert getattr(attribute_parser.base, "__wrapped__", None) is not None


def test_string_attr_property() -> None:
    x = create_ssa_value(tensor(1, 1, 2, 2))
    sizes = ConstantOp.of_array(np.array([1, 1, 4, 4], np.int64))
    op = op_class("Resize").build(
        [x, None, None, sizes.output], [tensor(1, 1, 4, 4)], {"mode": StringAttr("linear")}
    )
    op.verify()
    assert op.python_attributes()["mode"] == "linear"
