"""The `dfg` dialect: an ONNX graph as typed, statically shaped dataflow ops.

One op per ONNX operator, named by one rule: the ONNX name in snake case, with an
underscore before each capital that follows a lower-case letter or a digit
(`Conv` -> `dfg.conv`, `MaxPool` -> `dfg.max_pool`, `LRN` -> `dfg.lrn`).

Each op has the form of the newest ONNX version of its operator, read from the
operator's schema in the installed `onnx` package, so the dialect cannot drift
from ONNX: what ONNX passes as input tensors are operands (constant ones come from
`dfg.constant`), ONNX attributes are properties with ONNX's defaults, and the
operand, result and property names are ONNX's own. The importer normalises older
opsets to this form.

Custom syntax, shared by every op:

    %y = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    %z = dfg.clip %y, _, %hi : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>

Operands are listed in ONNX input order; an absent optional input that precedes a
present one is written `_`. Properties equal to their ONNX default are not printed.
Discardable attributes (`cluster`, `stream`) share the attribute dictionary.

Verification: every operand and result is a static tensor of a supported element
type; element types satisfy the schema's type constraints; ONNX's own shape
inference (`onnx.shape_inference.infer_node_outputs`, about 10 microseconds a
node) must agree with the result types, using the values of small constants for
data-dependent shapes such as Reshape's; and a few rules ONNX's inference does
not check (Conv channels and bias, normalisation parameter shapes, Gemm's C,
Reshape's element count) are checked here.

Weights: `dfg.constant` holds small tensors inline as `dense<...>`; a splat (every
element equal) stays inline as `dense<v>` with a one-element buffer whatever its
size. Other tensors hold a `#dfg.resource<key : type>` whose bytes live in the
dialect's resource store and print once, as hex, in the
`{-# dialect_resources: {dfg: ...} #-}` section at the end of the module, so the
op text stays readable.

The resource store is content-addressed: a key is the tensor's sanitised name, an
underscore, and the first 8 bytes of the BLAKE2b hash of its bytes in hex
(`conv1_w_0_5f0c2a9e1b7d3c4a`). Keys are never renamed. Equal keys mean equal
bytes, so parsing the same module twice in one process, or two models sharing a
tensor, is harmless, and a parsed blob whose bytes do not match its key is a
parse error. (xDSL's builtin store renames a key it already holds while the
attribute keeps the old one, silently losing the data.) The store is
process-wide and only grows; equal bytes under different names are kept once.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import ClassVar, TypeVar, cast

import numpy as np
import onnx
from onnx import defs, helper, numpy_helper, shape_inference
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects.builtin import (
    AnyDenseElement,
    ArrayAttr,
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
    i32,
)
from xdsl.interfaces import HasFolderInterface
from xdsl.ir import (
    Attribute,
    Dialect,
    Operation,
    OpResult,
    ParametrizedAttribute,
    SSAValue,
)
from xdsl.irdl import (
    AttrSizedOperandSegments,
    AttrSizedResultSegments,
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    opt_result_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.irdl.operations import IRDLOption
from xdsl.parser import AttrParser, Parser, UnresolvedOperand, attribute_parser
from xdsl.printer import Printer
from xdsl.traits import ConstantLike, Pure
from xdsl.utils.exceptions import VerifyException

from ramiel.onnx_types import (
    attribute_of_onnx,
    dense_attr,
    dense_to_numpy,
    element_types_of_constraint,
    is_supported_element_type,
    numpy_dtype,
    onnx_of_attribute,
    onnx_of_element_type,
    python_of_attribute,
    static_shape,
)

OPERATORS: tuple[str, ...] = (
    "Abs", "Add", "ArgMax", "AveragePool", "BatchNormalization", "Cast", "Clip",
    "Concat", "ConstantOfShape", "Conv", "ConvTranspose", "Div", "Dropout", "Equal",
    "Erf", "Exp", "Expand", "Flatten", "Gather", "Gelu", "Gemm", "GlobalAveragePool",
    "GlobalMaxPool", "Greater", "HardSigmoid", "HardSwish", "Identity",
    "InstanceNormalization", "LayerNormalization", "LeakyRelu", "Less", "Log",
    "LogSoftmax", "LRN", "MatMul", "Max", "MaxPool", "Min", "Mod", "Mul", "Neg", "Pad",
    "Pow", "Range", "Reciprocal", "ReduceMax", "ReduceMean", "ReduceSum", "Relu",
    "Reshape", "Resize", "Shape", "Sigmoid", "Slice", "Softmax", "Split", "Sqrt",
    "Squeeze", "Sub", "Sum", "Tanh", "Tile", "Transpose", "Unsqueeze", "Where",
)  # fmt: skip
"""The ONNX operators with a `dfg` op (`Constant` becomes `dfg.constant`)."""

INLINE_CONSTANT_LIMIT = 16
"""Constants with at most this many elements print inline as `dense<...>`."""

_SHAPE_DATA_LIMIT = 1024
"""Constants up to this size feed ONNX shape inference as values (shapes, scales)."""

_T = TypeVar("_T")
_Single = defs.OpSchema.FormalParameterOption.Single
_Variadic = defs.OpSchema.FormalParameterOption.Variadic
_Params = tuple[tuple[str, defs.OpSchema.FormalParameterOption], ...]


def dfg_name(op_type: str) -> str:
    """The `dfg` op name of an ONNX operator: `MaxPool` -> `dfg.max_pool`."""
    return "dfg." + re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", op_type).lower()


def sanitize_identifier(name: str) -> str:
    """`name` as an MLIR bare identifier: invalid characters become `_`.

    A name must start with a letter or `_`, and xDSL drops a `_<digits>` tail
    from SSA names as a uniquing suffix, so a name that is only underscores and
    digits (ONNX tensors named `0`, `1`, ...) gets a leading `v` to stay non-empty.
    """
    cleaned = re.sub(r"[^A-Za-z0-9_$.]", "_", name)
    if not re.match(r"[A-Za-z_]", cleaned) or re.fullmatch(r"[_\d]*", cleaned):
        return "v" + cleaned
    return cleaned


# Resources.


class ResourceStore(OpAsmDialectInterface):
    """The bytes of `#dfg.resource` constants, keyed by name and content digest.

    A key is `<name>_<digest>`, where the digest is the first 8 bytes of the
    BLAKE2b hash of the bytes, in hex. Keys name their content, so they are never
    renamed: seeing a key twice (the same module parsed twice, two models sharing
    a tensor) means seeing the same bytes, and parsing a blob whose key does not
    match its bytes is an error. Equal bytes under different names are stored once.
    The store lives as long as the process and only grows.
    """

    _blobs: dict[str, bytes]
    _by_digest: dict[str, bytes]

    def __init__(self) -> None:
        super().__init__()
        self._blobs = {}
        self._by_digest = {}

    def add(self, name_hint: str, data: bytes) -> str:
        """Store `data` and return its key."""
        digest = resource_digest(data)
        key = f"{sanitize_identifier(name_hint)}_{digest}"
        self._blobs[key] = self._by_digest.setdefault(digest, data)
        return key

    def get(self, key: str) -> bytes | None:
        """The bytes stored under `key`, or None."""
        return self._blobs.get(key)

    def declare_resource(self, key: str) -> str:
        return key

    def parse_resource(self, key: str, val: str) -> None:
        if not val.startswith("0x") or len(val) < 2 + 2 * _HEADER_BYTES:
            raise ValueError(f"resource '{key}' must be a hex blob with an alignment header")
        try:
            data = bytes.fromhex(val[2 + 2 * _HEADER_BYTES :])
        except ValueError:
            raise ValueError(f"resource '{key}' is not valid hex") from None
        digest = resource_digest(data)
        if not key.endswith("_" + digest):
            raise ValueError(
                f"resource key '{key}' does not name its content: keys end in '_{digest}', "
                "the BLAKE2b-64 digest of the bytes"
            )
        self._blobs[key] = self._by_digest.setdefault(digest, data)

    def lookup(self, key: str) -> str | None:
        data = self._blobs.get(key)
        return None if data is None else "0x" + _ALIGNMENT_HEADER + data.hex()

    def build_resources(self, keys: Iterable[str]) -> dict[str, str]:
        return {key: blob for key in sorted(keys) if (blob := self.lookup(key))}


def resource_digest(data: bytes) -> str:
    """The content part of a resource key: BLAKE2b with an 8-byte digest, in hex."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


# MLIR blobs start with their alignment as a little-endian 32-bit integer.
_HEADER_BYTES = 4
_ALIGNMENT_HEADER = (16).to_bytes(_HEADER_BYTES, "little").hex()

RESOURCES = ResourceStore()
"""The process-wide store of `#dfg.resource` bytes."""


@irdl_attr_definition
class ResourceAttr(ParametrizedAttribute):
    """A tensor whose bytes live in the resource store: `#dfg.resource<key : tensor<4xf32>>`."""

    name = "dfg.resource"

    key: StringAttr
    type: TensorType

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            key = parser.parse_identifier()
            parser.parse_punctuation(":")
            type = parser.parse_type()
        return (StringAttr(key), type)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_resource_handle("dfg", self.key.data)
            printer.print_string(" : ")
            printer.print_attribute(self.type)

    def verify(self) -> None:
        if RESOURCES.get(self.key.data) is not None:
            self.verify_data()
        # Otherwise the blob section, parsed after the ops, may still provide it.

    def verify_data(self) -> None:
        """Check that the store holds bytes for this key, as many as the type needs."""
        data = RESOURCES.get(self.key.data)
        if data is None:
            raise VerifyException(f"resource '{self.key.data}' has no data")
        expected = self.type.element_count() * _itemsize(self.type)
        if len(data) != expected:
            raise VerifyException(
                f"resource '{self.key.data}' holds {len(data)} bytes, "
                f"but {self.type} needs {expected}"
            )


def _itemsize(t: TensorType) -> int:
    element = t.get_element_type()
    return 1 if element == IntegerType(1) else numpy_dtype(element).itemsize


# Ops.


def _is_static_supported_tensor(t: Attribute) -> bool:
    return (
        isinstance(t, TensorType)
        and all(d >= 0 for d in t.get_shape())
        and is_supported_element_type(t.get_element_type())
    )


class DfgOp(IRDLOperation):
    """Base of every `dfg` operator op: custom syntax and verification from the ONNX schema."""

    ONNX_OP_TYPE: ClassVar[str]
    """The ONNX operator this op models."""

    ONNX_SCHEMA: ClassVar[defs.OpSchema]
    """The newest ONNX schema of that operator."""

    # Names of the ONNX inputs and outputs, in order, and their option.
    ONNX_INPUTS: ClassVar[_Params]
    ONNX_OUTPUTS: ClassVar[_Params]

    @classmethod
    def build(  # pyright: ignore[reportIncompatibleMethodOverride]
        cls,
        inputs: Sequence[SSAValue | None],
        result_types: Sequence[Attribute | None],
        properties: Mapping[str, Attribute] | None = None,
        attributes: Mapping[str, Attribute] | None = None,
    ) -> DfgOp:
        """The op with ONNX-ordered `inputs` and `result_types` (None for an absent optional one)."""
        operands, sizes = _group(cls.ONNX_INPUTS, list(inputs))
        props = dict(properties or {})
        if _needs_segments(cls.ONNX_INPUTS):
            props["operandSegmentSizes"] = DenseArrayBase.from_list(i32, sizes)
        results, result_sizes = _group(cls.ONNX_OUTPUTS, list(result_types))
        if _needs_segments(cls.ONNX_OUTPUTS):
            props["resultSegmentSizes"] = DenseArrayBase.from_list(i32, result_sizes)
        return cls.create(
            operands=[v for group in operands for v in group],
            result_types=[t for group in results for t in group],
            properties=props,
            attributes=dict(attributes or {}),
        )

    def input_values(self) -> list[SSAValue | None]:
        """The operands in ONNX input order, None for an absent optional input.

        A variadic input contributes all its values.
        """
        return _flatten_groups(self.ONNX_INPUTS, self._operand_groups())

    def output_values(self) -> list[SSAValue | None]:
        """The results in ONNX output order, None for an absent optional output.

        A variadic output contributes all its values.
        """
        return _flatten_groups(self.ONNX_OUTPUTS, self._result_groups())

    def _operand_groups(self) -> list[list[SSAValue]]:
        return [_as_group(getattr(self, name)) for name, _ in self.ONNX_INPUTS]

    def _result_groups(self) -> list[list[SSAValue]]:
        return [_as_group(getattr(self, name)) for name, _ in self.ONNX_OUTPUTS]

    def onnx_attributes(self) -> dict[str, Attribute]:
        """The ONNX attributes of this op, ONNX's defaults filled in."""
        attrs: dict[str, Attribute] = {}
        for name in self.ONNX_SCHEMA.attributes:
            value = self.properties.get(name)
            if value is None:
                value = _schema_default(self.ONNX_SCHEMA, name)
            if value is not None:
                attrs[name] = value
        return attrs

    def explicit_attributes(self) -> dict[str, Attribute]:
        """The ONNX attributes that differ from ONNX's defaults (what a node spells out)."""
        return {
            k: v
            for k, v in self.properties.items()
            if k in self.ONNX_SCHEMA.attributes and v != _schema_default(self.ONNX_SCHEMA, k)
        }

    def python_attributes(self) -> dict[str, object]:
        """The ONNX attributes as plain Python values (what the kernel table takes)."""
        return {k: python_of_attribute(v) for k, v in self.onnx_attributes().items()}

    # Syntax.

    @classmethod
    def parse(cls, parser: Parser) -> DfgOp:
        start = parser.pos
        slots = parser.parse_optional_undelimited_comma_separated_list(
            lambda: _parse_optional_slot(parser),
            lambda: parser.expect(lambda: _parse_optional_slot(parser), "operand or '_' expected"),
        ) or []
        operands_end = parser.pos
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        func_type = parser.parse_function_type()
        present = [s for s in slots if isinstance(s, UnresolvedOperand)]
        values = parser.resolve_operands(present, func_type.inputs.data, start)
        it = iter(values)
        inputs = [None if s is _ABSENT else next(it) for s in slots]
        props = {k: v for k, v in attrs.items() if k in cls.get_irdl_definition().properties}
        discardable = {k: v for k, v in attrs.items() if k not in props}
        try:
            return cls.build(inputs, func_type.outputs.data, props, discardable)
        except VerifyException as e:
            parser.raise_error(str(e), start, max(operands_end - 1, start + 1))

    def print(self, printer: Printer) -> None:
        slots = self.input_values()
        while slots and slots[-1] is None:
            slots.pop()
        if slots:
            printer.print_string(" ")
            printer.print_list(
                slots,
                lambda v: printer.print_string("_") if v is None else printer.print_operand(v),
            )
        printer.print_op_attributes(self.explicit_attributes() | dict(self.attributes))
        printer.print_string(" : ")
        # Not print_operation_type: with --print-debuginfo it prints the location,
        # which xDSL prints again after a custom-format op.
        printer.print_function_type(self.operand_types, self.result_types)

    # Verification.

    def verify_(self) -> None:
        for kind, values in (("operand", self.operands), ("result", self.results)):
            for i, v in enumerate(values):
                if not _is_static_supported_tensor(v.type):
                    raise VerifyException(
                        f"{kind} #{i} must be a statically shaped tensor of a supported "
                        f"element type, got {v.type}"
                    )
        self._verify_result_gaps()
        self._verify_type_constraints()
        self._verify_inferred_types()
        if (check := _SHAPE_CHECKS.get(self.ONNX_OP_TYPE)) is not None:
            check(self, [None if v is None else static_shape(v.type) for v in self.input_values()])

    def _verify_result_gaps(self) -> None:
        # The custom syntax lists result types in order, so an absent optional
        # result cannot be followed by a present one.
        results = self.output_values()
        while results and results[-1] is None:
            results.pop()
        if None in results:
            raise VerifyException("an absent optional result cannot precede a present one")

    def _verify_type_constraints(self) -> None:
        bound: dict[str, Attribute] = {}
        params = [
            (p.type_str, v)
            for p, vs in (
                *zip(self.ONNX_SCHEMA.inputs, self._operand_groups(), strict=True),
                *zip(self.ONNX_SCHEMA.outputs, self._result_groups(), strict=True),
            )
            for v in vs
        ]
        constraints = {c.type_param_str: c for c in self.ONNX_SCHEMA.type_constraints}
        for type_str, value in params:
            element = cast(TensorType, value.type).get_element_type()
            if type_str in constraints:
                allowed = element_types_of_constraint(constraints[type_str].allowed_type_strs)
                if element not in allowed:
                    raise VerifyException(
                        f"element type {element} is not allowed for '{type_str}' of "
                        f"{self.ONNX_OP_TYPE}"
                    )
                if bound.setdefault(type_str, element) != element:
                    raise VerifyException(
                        f"all values of type '{type_str}' must have one element type, "
                        f"got {bound[type_str]} and {element}"
                    )

    def _verify_inferred_types(self) -> None:
        input_names: list[str] = []
        input_types: dict[str, onnx.TypeProto] = {}
        input_data: dict[str, onnx.TensorProto] = {}
        for i, v in enumerate(self.input_values()):
            if v is None:
                input_names.append("")
                continue
            name = f"i{i}"
            input_names.append(name)
            t = cast(TensorType, v.type)
            input_types[name] = helper.make_tensor_type_proto(
                onnx_of_element_type(t.get_element_type()), static_shape(t)
            )
            if (value := _small_constant(v)) is not None:
                input_data[name] = numpy_helper.from_array(value, name)
        results = self.output_values()
        outputs = ["" if r is None else f"o{i}" for i, r in enumerate(results)]
        while input_names and not input_names[-1]:
            input_names.pop()
        while outputs and not outputs[-1]:
            outputs.pop()
        node = helper.make_node(self.ONNX_OP_TYPE, input_names, outputs)
        node.attribute.extend(
            onnx_of_attribute(k, v)
            for k, v in self.properties.items()
            if k in self.ONNX_SCHEMA.attributes
        )
        try:
            inferred = shape_inference.infer_node_outputs(
                self.ONNX_SCHEMA, node, input_types, input_data
            )
        except Exception as e:
            message = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
            raise VerifyException(f"invalid {self.ONNX_OP_TYPE}: {message}") from None
        for name, result in zip(outputs, results, strict=False):
            if not isinstance(result, OpResult):
                continue
            type_proto = inferred.get(name)
            if type_proto is None or not type_proto.tensor_type.HasField("shape"):
                continue
            t = cast(TensorType, result.type)
            expected_element = type_proto.tensor_type.elem_type
            if expected_element and expected_element != onnx_of_element_type(t.get_element_type()):
                name_of = helper.tensor_dtype_to_np_dtype(expected_element).name
                raise VerifyException(
                    f"result #{result.index} has element type {t.get_element_type()}, "
                    f"but {self.ONNX_OP_TYPE} gives {name_of}"
                )
            dims = type_proto.tensor_type.shape.dim
            shape = static_shape(t)
            if len(dims) != len(shape) or any(
                d.HasField("dim_value") and d.dim_value != s
                for d, s in zip(dims, shape, strict=False)
            ):
                inferred_shape = "x".join(
                    str(d.dim_value) if d.HasField("dim_value") else "?" for d in dims
                )
                raise VerifyException(
                    f"result #{result.index} has shape {'x'.join(map(str, shape)) or 'scalar'}, "
                    f"but {self.ONNX_OP_TYPE} gives {inferred_shape or 'scalar'}"
                )


def _as_group(value: object) -> list[SSAValue]:
    """The values of one ONNX parameter's operand or result definition."""
    if value is None:
        return []
    if isinstance(value, SSAValue):
        return [value]
    return list(cast(Sequence[SSAValue], value))


def _flatten_groups(params: _Params, groups: list[list[SSAValue]]) -> list[SSAValue | None]:
    values: list[SSAValue | None] = []
    for (_, option), group in zip(params, groups, strict=True):
        if option == _Variadic:
            values.extend(group)
        else:
            values.append(group[0] if group else None)
    return values


class _Absent:
    """Marks an absent optional operand (`_`) while parsing."""


_ABSENT = _Absent()


def _parse_optional_slot(parser: Parser) -> UnresolvedOperand | _Absent | None:
    if parser.parse_optional_keyword("_"):
        return _ABSENT
    return parser.parse_optional_unresolved_operand()


def _needs_segments(params: _Params) -> bool:
    return sum(option != _Single for _, option in params) > 1


def _group(
    params: _Params,
    values: list[_T | None],
) -> tuple[list[list[_T]], list[int]]:
    """Split ONNX-ordered values into one group per ONNX parameter."""
    groups: list[list[_T]] = []
    rest = list(values)
    for index, (name, option) in enumerate(params):
        if option == _Variadic:
            # A variadic parameter is last in every supported schema.
            taken = [v for v in rest if v is not None]
            if index != len(params) - 1 or len(taken) != len(rest):
                raise VerifyException(f"malformed variadic '{name}'")
            groups.append(taken)
            rest = []
            continue
        value = rest.pop(0) if rest else None
        if value is None and option == _Single:
            raise VerifyException(f"missing required operand '{name}'")
        groups.append([] if value is None else [value])
    if rest:
        raise VerifyException(f"expected at most {len(params)} values, got {len(values)}")
    return groups, [len(g) for g in groups]


def _schema_default(schema: defs.OpSchema, name: str) -> Attribute | None:
    attr = schema.attributes.get(name)
    if attr is None or not attr.default_value.name:
        return None
    return _DEFAULTS.setdefault(
        (schema.name, name), attribute_of_onnx(attr.default_value)
    )


_DEFAULTS: dict[tuple[str, str], Attribute] = {}

_PROPERTY_BASES: dict[defs.OpSchema.AttrType, type[Attribute]] = {
    defs.OpSchema.AttrType.INT: IntegerAttr,
    defs.OpSchema.AttrType.FLOAT: FloatAttr,
    defs.OpSchema.AttrType.STRING: StringAttr,
    defs.OpSchema.AttrType.INTS: DenseArrayBase,
    defs.OpSchema.AttrType.FLOATS: DenseArrayBase,
    defs.OpSchema.AttrType.STRINGS: ArrayAttr,
    defs.OpSchema.AttrType.TENSOR: DenseIntOrFPElementsAttr,
}


# Shape rules that ONNX's shape inference does not check.

_Shapes = list[tuple[int, ...] | None]


def _shape_text(shape: Sequence[int] | None) -> str:
    return "absent" if shape is None else "x".join(map(str, shape)) or "scalar"


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise VerifyException(message)


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether `shape` broadcasts to `target` one way (numpy rules)."""
    if len(shape) > len(target):
        return False
    return all(s in (1, t) for s, t in zip(reversed(shape), reversed(target), strict=False))


def _int_property(op: DfgOp, name: str, default: int) -> int:
    value = op.onnx_attributes().get(name)
    return value.value.data if isinstance(value, IntegerAttr) else default


def _check_conv(op: DfgOp, shapes: _Shapes) -> None:
    x, w, *rest = shapes
    assert x is not None
    assert w is not None
    group = _int_property(op, "group", 1)
    _expect(
        x[1] == w[1] * group,
        f"input has {x[1]} channels, but the weight expects {w[1]} x {group} (group)",
    )
    _expect(w[0] % group == 0, f"{w[0]} output channels do not split into {group} groups")
    bias = rest[0] if rest else None
    _expect(bias is None or bias == (w[0],), f"bias has shape {_shape_text(bias)}, not {w[0]}")


def _check_conv_transpose(op: DfgOp, shapes: _Shapes) -> None:
    x, w, *rest = shapes
    assert x is not None
    assert w is not None
    group = _int_property(op, "group", 1)
    _expect(x[1] == w[0], f"input has {x[1]} channels, but the weight expects {w[0]}")
    bias = rest[0] if rest else None
    channels = w[1] * group
    _expect(
        bias is None or bias == (channels,), f"bias has shape {_shape_text(bias)}, not {channels}"
    )


def _check_instance_norm(op: DfgOp, shapes: _Shapes) -> None:
    x, scale, bias = shapes
    assert x is not None
    for name, shape in (("scale", scale), ("bias", bias)):
        _expect(shape == (x[1],), f"{name} has shape {_shape_text(shape)}, not {x[1]}")


def _check_layer_norm(op: DfgOp, shapes: _Shapes) -> None:
    x, scale, *rest = shapes
    assert x is not None
    assert scale is not None
    axis = _int_property(op, "axis", -1)
    normalised = x[axis % len(x) :] if x else ()
    for name, shape in (("scale", scale), ("bias", rest[0] if rest else None)):
        _expect(
            shape is None or _broadcasts_to(shape, normalised),
            f"{name} of shape {_shape_text(shape)} does not broadcast to the normalised "
            f"shape {_shape_text(normalised)}",
        )


def _check_gemm(op: DfgOp, shapes: _Shapes) -> None:
    c = shapes[2] if len(shapes) > 2 else None
    if c is None:
        return
    result = static_shape(op.results[0].type)
    _expect(
        _broadcasts_to(c, result),
        f"C of shape {_shape_text(c)} does not broadcast to {_shape_text(result)}",
    )


def _check_element_count(op: DfgOp, shapes: _Shapes) -> None:
    source = shapes[0]
    assert source is not None
    result = static_shape(op.results[0].type)
    _expect(
        int(np.prod(source)) == int(np.prod(result)),
        f"{op.ONNX_OP_TYPE} of {int(np.prod(source))} elements cannot give "
        f"{int(np.prod(result))}",
    )


_SHAPE_CHECKS: dict[str, Callable[[DfgOp, _Shapes], None]] = {
    "Conv": _check_conv,
    "ConvTranspose": _check_conv_transpose,
    "InstanceNormalization": _check_instance_norm,
    "LayerNormalization": _check_layer_norm,
    "Gemm": _check_gemm,
    "Reshape": _check_element_count,
    "Flatten": _check_element_count,
}


def _compact_splat(value: DenseIntOrFPElementsAttr) -> DenseIntOrFPElementsAttr:
    """`value` with one element if all are equal (xDSL parses `dense<v>` into all of them).

    A value of an unsupported type is left as it is, for verification to report.
    """
    if len(value) <= 1 or not _is_static_supported_tensor(value.type):
        return value
    flat = dense_to_numpy(value).reshape(-1)
    if not _all_bytes_equal(flat):
        return value
    itemsize = len(value.data.data) // len(value)
    return DenseIntOrFPElementsAttr(value.type, BytesAttr(value.data.data[:itemsize]))


def _all_bytes_equal(flat: np.ndarray) -> bool:
    """Whether every element of a 1-D array has the same bytes (so -0.0 != 0.0)."""
    raw = np.ascontiguousarray(flat).view(f"u{flat.dtype.itemsize}")
    return bool((raw == raw[0]).all())


def _small_constant(value: SSAValue) -> np.ndarray | None:
    """The value of a small constant operand, for data-dependent shape inference."""
    owner = value.owner
    if not isinstance(owner, ConstantOp):
        return None
    t = cast(TensorType, value.type)
    if t.element_count() > _SHAPE_DATA_LIMIT:
        return None
    try:
        return owner.numpy()
    except VerifyException:  # a resource without data: the constant reports it
        return None


def _params(formal: Sequence[defs.OpSchema.FormalParameter]) -> _Params:
    return tuple((p.name, p.option) for p in formal)


def _define_op(op_type: str) -> type[DfgOp]:
    """The `dfg` op class of an ONNX operator, from its newest schema."""
    schema = defs.get_schema(op_type)
    fields: dict[str, object] = {
        "name": dfg_name(op_type),
        "ONNX_OP_TYPE": op_type,
        "ONNX_SCHEMA": schema,
        "ONNX_INPUTS": _params(schema.inputs),
        "ONNX_OUTPUTS": _params(schema.outputs),
        "traits": traits_def(Pure()),
        # irdl_op_definition accepts plain class attributes only as ClassVars.
        "__annotations__": dict.fromkeys(
            ("ONNX_OP_TYPE", "ONNX_SCHEMA", "ONNX_INPUTS", "ONNX_OUTPUTS"), ClassVar[object]
        ),
        "__doc__": f"ONNX `{op_type}` (opset {schema.since_version}).\n\n"
        + (schema.doc or "").strip().split("\n\n")[0],
    }
    defining = {_Single: operand_def, _Variadic: var_operand_def}
    for p in schema.inputs:
        fields[p.name] = defining.get(p.option, opt_operand_def)(TensorType)
    results = {_Single: result_def, _Variadic: var_result_def}
    for p in schema.outputs:
        fields[p.name] = results.get(p.option, opt_result_def)(TensorType)
    for name, attr in schema.attributes.items():
        base = _PROPERTY_BASES.get(attr.type)
        if base is None:
            continue  # Only Constant has such attributes, and it has its own op.
        default = _schema_default(schema, name)
        fields[name] = (
            opt_prop_def(base) if default is None else prop_def(base, default_value=default)
        )
    options: list[IRDLOption] = [ParsePropInAttrDict()]
    if _needs_segments(_params(schema.inputs)):
        options.append(AttrSizedOperandSegments(as_property=True))
    if _needs_segments(_params(schema.outputs)):
        options.append(AttrSizedResultSegments(as_property=True))
    fields["irdl_options"] = tuple(options)
    class_name = op_type + "Op"
    return irdl_op_definition(type(class_name, (DfgOp,), fields))


@irdl_op_definition
class ConstantOp(IRDLOperation, HasFolderInterface):
    """A constant tensor; ONNX initializers and `Constant` nodes become this op.

        %shape = dfg.constant dense<[1, -1]> : tensor<2xi64>
        %w = dfg.constant #dfg.resource<conv1_w_5f0c2a9e1b7d3c4a : tensor<64x3x7x7xf32>>
    """

    name = "dfg.constant"

    value = prop_def(DenseIntOrFPElementsAttr | ResourceAttr)
    output = result_def(TensorType)

    traits = traits_def(Pure(), ConstantLike())

    def __init__(self, value: DenseIntOrFPElementsAttr | ResourceAttr) -> None:
        super().__init__(properties={"value": value}, result_types=[value.type])

    @staticmethod
    def of_array(array: np.ndarray, name_hint: str = "const") -> ConstantOp:
        """The constant holding `array`: inline when small or a splat, else a resource."""
        flat = array.reshape(-1)
        if array.size > 1 and _all_bytes_equal(flat):
            # Stored as one element, as xDSL parses `dense<v>`, so that equal
            # values are equal attributes.
            splat = dense_attr(flat[:1])
            value: DenseIntOrFPElementsAttr | ResourceAttr = DenseIntOrFPElementsAttr(
                TensorType(splat.get_element_type(), list(array.shape)), splat.data
            )
        elif array.size <= INLINE_CONSTANT_LIMIT:
            value = dense_attr(array)
        else:
            stored = dense_attr(array)
            key = RESOURCES.add(name_hint, stored.data.data)
            value = ResourceAttr(StringAttr(key), cast(TensorType, stored.type))
        return ConstantOp(value)

    def numpy(self) -> np.ndarray:
        """The constant's value (read-only, without copying the bytes).

        A splat is a broadcast view of its one element.
        """
        value = self.value
        if isinstance(value, DenseIntOrFPElementsAttr):
            return dense_to_numpy(value)
        data = RESOURCES.get(value.key.data)
        if data is None:
            raise VerifyException(f"resource '{value.key.data}' has no data")
        return dense_to_numpy(
            DenseIntOrFPElementsAttr(cast(TensorType[AnyDenseElement], value.type), BytesAttr(data))
        )

    def is_splat(self) -> bool:
        """Whether the value is stored as one repeated element."""
        value = self.value
        return isinstance(value, DenseIntOrFPElementsAttr) and len(value) == 1

    def fold(self) -> tuple[Attribute]:
        return (self.value,)

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        start = parser.pos
        value = parser.parse_attribute()
        if not isinstance(value, DenseIntOrFPElementsAttr | ResourceAttr):
            parser.raise_error("expected a dense<...> or #dfg.resource<...> value", start, parser.pos)
        attrs = parser.parse_optional_attr_dict()
        op = ConstantOp(_compact_splat(value) if isinstance(value, DenseIntOrFPElementsAttr) else value)
        op.attributes.update(attrs)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attribute(self.value)
        printer.print_op_attributes(self.attributes)

    def verify_(self) -> None:
        if not _is_static_supported_tensor(self.output.type):
            raise VerifyException(
                f"constant must be a statically shaped tensor of a supported element "
                f"type, got {self.output.type}"
            )
        if self.value.type != self.output.type:
            raise VerifyException(
                f"value type {self.value.type} does not match result type {self.output.type}"
            )
        if isinstance(self.value, ResourceAttr):
            self.value.verify_data()
        elif len(self.value) not in (1, self.output.type.element_count()):
            raise VerifyException(
                f"dense value holds {len(self.value)} elements, but "
                f"{self.output.type} needs {self.output.type.element_count()} (or 1, a splat)"
            )


def _memoise_dense_literal_constraint() -> None:
    """Make xDSL's parser build the type constraint of `dense<...>` literals once.

    xDSL 0.75 rebuilds `base(RankedStructure[...])` for every dense literal it
    parses, about a millisecond each: most of the time of parsing a module with a
    few thousand inline constants. The constraint depends only on its (hashable)
    argument, so the `base` that the attribute parser calls is memoised.
    """
    if hasattr(attribute_parser.base, "__wrapped__"):  # pyright: ignore[reportPrivateImportUsage]
        return
    memoised = functools.cache(attribute_parser.base)  # pyright: ignore[reportPrivateImportUsage]
    attribute_parser.base = memoised  # pyright: ignore[reportPrivateImportUsage]


_memoise_dense_literal_constraint()

OPS: dict[str, type[DfgOp]] = {op_type: _define_op(op_type) for op_type in OPERATORS}
"""The `dfg` op class of each supported ONNX operator."""


def op_class(op_type: str) -> type[DfgOp]:
    """The `dfg` op class of an ONNX operator (KeyError if unsupported)."""
    return OPS[op_type]


def is_op(op: Operation, *op_types: str) -> bool:
    """Whether `op` is the `dfg` op of one of the ONNX operators `op_types`."""
    return isinstance(op, DfgOp) and op.ONNX_OP_TYPE in op_types


Dfg = Dialect(
    "dfg",
    [ConstantOp, *OPS.values()],
    [ResourceAttr],
    [RESOURCES],
)
