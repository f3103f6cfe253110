"""The base of every `dfg` operator op, and `onnx_op`, which declares one from its ONNX schema.

An op class is declared once, in the module of its family, and answers there for
everything the rest of Ramiel asks of it (its "row"):

    @onnx_op("Relu", kernel=template("torch.relu({0})"), inplace=template("torch.relu_({0})"), fresh=True)
    class ReluOp(DfgOp):
        '''ONNX `Relu`: max(x, 0).

            %y = dfg.relu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
        '''

- its form, from the newest ONNX schema of its operator (`onnx_op` reads it, so the
  dialect cannot drift from ONNX): ONNX inputs are operands, ONNX attributes are
  properties with ONNX's defaults, and the names are ONNX's own;
- `KERNEL`: the torch expression computing it (`ramiel.kernels`), which constant
  folding, op profiling and the generated code share; `INPLACE`, the form that
  writes over its first input, and `FRESH_RESULT`, whether its result shares
  storage with no other tensor;
- `FOLD`: how numpy folds it, when numpy is exact (`folding.NumpyFold`), else its
  kernel folds it; `FOLDABLE = False` for ops that never fold;
- `is_no_op()`: when it returns its first input unchanged (its fold then returns
  that input); `get_canonicalization_patterns()`: its rewrites;
- `verify_shapes()`: the shape rules ONNX's inference does not check;
- `ATTRIBUTE_VALUES`: the values its attributes may take, which the schema does not say
  (every op checks that its float attributes are finite, that the switches of
  `FLAG_ATTRIBUTES` are 0 or 1, and its `axis` against the rank of input 0,
  reaching `AXIS_SPAN` further);
- `WORK`: its cost class for the cost models (`ramiel.costmodel`).

Custom syntax, shared by every op:

    %y = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    %z = dfg.clip %y, _, %hi : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>

Operands are listed in ONNX input order; an absent optional input that precedes a
present one is written `_`. Properties equal to their ONNX default are not printed.
Discardable attributes (`cluster`, `stream`) share the attribute dictionary.

Every operator op is a `KernelOp`: what a target's lowering asks of an op (its kernel
call, the operands that call reads, a comment naming the node) is the one
interface, which the op's row implements; with the unit attribute `inplace`, an
op calls its in-place kernel. Extension ops (`EXTENSIONS`), which lowering
decisions make and no ONNX operator models, are declared with
`onnx_op(..., extension=...)` when they take an operator's form, else with
`extension_op`.

Verification: every operand and result is a static tensor of a supported element
type; element types satisfy the schema's type constraints; attributes take the
values the op allows; ONNX's own shape inference (`onnx.shape_inference.
infer_node_outputs`, about 10 microseconds a node) must agree with the result
types, using the values of small constants for data-dependent shapes such as
Reshape's; and the op's own `verify_shapes` holds.
"""

from __future__ import annotations

import inspect
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

import numpy as np
import onnx
from onnx import defs, helper, numpy_helper, shape_inference
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    NameLoc,
    StringAttr,
    TensorType,
    UnitAttr,
    UnrankedTensorType,
    i32,
)
from xdsl.interfaces import HasCanonicalizationPatternsInterface, HasFolderInterface
from xdsl.ir import Attribute, Operation, OpResult, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    AttrSizedResultSegments,
    IRDLOperation,
    ParsePropInAttrDict,
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
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.pattern_rewriter import RewritePattern
from xdsl.printer import Printer
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from ramiel import costmodel
from ramiel.dialects.dfg.constant import (
    ConstantOp,
    constant_array,
    constant_value,
    is_supported_tensor,
)
from ramiel.dialects.types import (
    OptionalType,
    SequenceType,
    ValueType,
    element_type_of,
    held_tensor,
    type_proto,
    value_shape,
)
from ramiel.onnx_types import (
    UNKNOWN,
    attribute_of_onnx,
    element_types_of_constraint,
    is_supported_element_type,
    onnx_of_attribute,
    onnx_of_element_type,
    python_of_attribute,
    static_shape,
)
from ramiel.opview import OpView

from .folding import (  # relative: the type checker then sees one DfgOp
    NumpyFold,
    fold_values,
)

if TYPE_CHECKING:
    from ramiel.kernels import Kernel, KernelCall

_SHAPE_DATA_LIMIT = 1024
"""Constants up to this size feed ONNX shape inference as values (shapes, scales)."""

_T = TypeVar("_T")
_Single = defs.OpSchema.FormalParameterOption.Single
_Variadic = defs.OpSchema.FormalParameterOption.Variadic
_Params = tuple[tuple[str, defs.OpSchema.FormalParameterOption], ...]

Shapes = list[tuple[int, ...] | None]
"""The shape of each ONNX input of an op, None for an absent one."""

AttributeCheck = Callable[[object], str | None]
"""Given an attribute's Python value, why it is not allowed, or None when it is."""


def dfg_name(op_type: str) -> str:
    """The `dfg` op name of an ONNX operator: `MaxPool` -> `dfg.max_pool`.

    One rule: the ONNX name in snake case, with an underscore before each capital
    that follows a lower-case letter or a digit (`LRN` -> `dfg.lrn`).
    """
    return "dfg." + re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", op_type).lower()


INPLACE_ATTR = "inplace"
"""The unit attribute that has an op write its result over its first input (its in-place kernel)."""

ATOM = re.compile(r"\b_in(\d+)_\b")
"""How `operand_atoms` spells operand i: `_in<i>_`."""


def operand_atoms(op: Operation) -> dict[SSAValue, str]:
    """A name for each distinct operand of `op`, in operand order (`_in0_`, `_in1_`, ...), that
    `ATOM` finds again in a kernel call spelled with them."""
    return {v: f"_in{i}_" for i, v in enumerate(dict.fromkeys(op.operands))}


def op_label(op: Operation) -> str:
    """How diagnostics name `op`: its node name when the model named it, else the op's name."""
    location = op.location
    return location.desc.data if isinstance(location, NameLoc) else op.name


class KernelOp(IRDLOperation, ABC):
    """An op that one kernel call computes: what a target's conversion pattern asks of it.

    `kernel_call` gives the call (`ramiel.kernels.KernelCall`) with the operands
    spelled as the target wants; `kernel_inputs` the operands it reads (a kernel may
    write a constant operand into its expression instead, as Reshape's does its
    shape); `comment` where the op comes from, for the reader of the generated code.
    """

    @abstractmethod
    def kernel_call(self, name: Callable[[SSAValue], str] | None = None) -> KernelCall:
        """The call computing the op, each operand spelled `name(operand)` (its SSA name by default).

        Raises `ramiel.kernels.UnsupportedKernel` when there is none.
        """

    @abstractmethod
    def kernel_inputs(self) -> list[SSAValue]:
        """The distinct operands the kernel call reads, in operand order."""

    def comment(self) -> str | None:
        """The model's node the op computes, when it named it."""
        return None


class DfgOp(KernelOp, HasFolderInterface, HasCanonicalizationPatternsInterface):
    """Base of every `dfg` operator op: custom syntax, verification and folding from the ONNX schema and the op's row."""

    ONNX_OP_TYPE: ClassVar[str]
    """The ONNX operator this op models."""

    ONNX_SCHEMA: ClassVar[defs.OpSchema]
    """The newest ONNX schema of that operator."""

    # Names of the ONNX inputs and outputs, in order, and their option.
    ONNX_INPUTS: ClassVar[_Params]
    ONNX_OUTPUTS: ClassVar[_Params]

    # The op's row (see the module docstring); `onnx_op` sets what an op declares.
    KERNEL: ClassVar[Kernel | None] = None
    """The torch expression computing the op, None when there is none."""
    INPLACE: ClassVar[Kernel | None] = None
    """The kernel writing the result over input 0 (of the same type), if there is one."""
    FRESH_RESULT: ClassVar[bool] = False
    """Whether the kernel's result shares storage with no other tensor (unless it is just an input)."""
    FOLD: ClassVar[NumpyFold | None] = None
    """How numpy folds the op, when numpy is exact for it; otherwise its kernel folds it."""
    FOLDABLE: ClassVar[bool] = True
    """Whether the op may fold at all."""
    ATTRIBUTE_VALUES: ClassVar[Mapping[str, AttributeCheck]] = {}
    """The checks of attribute values beyond the schema's types (besides `FLAG_ATTRIBUTES`)."""
    AXIS_SPAN: ClassVar[int | None] = 0
    """How far an `axis` attribute reaches past the rank r of input 0: it must lie in
    [-r - span, r - 1 + span] (1 for OneHot, whose output has one axis more); None
    where `verify_shapes` checks it."""
    WORK: ClassVar[costmodel.WorkFunction] = staticmethod(costmodel.elementwise_work)
    """The op's cost class: its FLOPs and bytes for the cost models."""
    EXTENSION_PROPERTIES: ClassVar[tuple[str, ...]] = ()
    """The properties an extension op has besides its ONNX operator's attributes."""
    SHAPE_RULES_TAKE_UNKNOWN: ClassVar[bool] = False
    """Whether `verify_shapes` is written for sizes that the values decide (`UNKNOWN`) as well;
    otherwise it runs only when every size is known."""

    @classmethod
    def skipped_output_type(
        cls, index: int, inputs: Sequence[TensorType | None], properties: Mapping[str, Attribute]
    ) -> TensorType | None:
        """The type of optional output `index`, which the model skips and ONNX's inference
        does not type, for the op of ONNX-ordered `inputs` types; None where it is unknown."""
        del index, inputs, properties
        return None

    def is_no_op(self) -> bool:
        """Whether the op returns its first input unchanged."""
        return False

    def types_as_attributes(self) -> list[onnx.AttributeProto]:
        """The ONNX attributes of type TYPE_PROTO the node had, which the op's types hold
        (properties hold no types); ONNX's inference reads them."""
        return []

    def verify_shapes(self, shapes: Shapes) -> None:
        """Raise VerifyException when the input shapes break a rule ONNX's shape inference does not check."""
        del shapes

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return ()

    def fold(self) -> tuple[SSAValue | Attribute, ...] | None:
        """The op's first input when it is a no-op, else its results' values when they are known."""
        if len(self.results) == 1 and self.is_no_op():
            return (cast(SSAValue, self.input_values()[0]),)
        values = fold_values(self)
        if values is None:
            return None
        return tuple(constant_value(v, r.name_hint or "const") for v, r in zip(values, self.results, strict=True))

    def view(self, name: Callable[[SSAValue], str] | None = None) -> OpView:
        """The op's IR-free view; `name` gives each input's expression (its SSA name by default)."""
        inputs = self.input_values()
        spell = name or (lambda v: v.name_hint or "x")
        return OpView(
            op_type=self.ONNX_OP_TYPE,
            inputs=tuple(None if v is None else spell(v) for v in inputs),
            input_types=tuple(None if v is None else tensor_sig(v) for v in inputs),
            output_types=tuple(tensor_sig(r) for r in self.results),
            attrs=self.python_attributes(),  # pyright: ignore[reportArgumentType]
            input_values=tuple(constant_array(v) for v in inputs),
        )

    def kernel_call(self, name: Callable[[SSAValue], str] | None = None) -> KernelCall:
        """The op's KERNEL on its view, or its in-place kernel when it is marked `inplace`."""
        from ramiel.kernels import UnsupportedKernel, emit, inplace_call

        view = self.view(name)
        if INPLACE_ATTR in self.attributes:
            call = inplace_call(view)
            if call is None:
                raise UnsupportedKernel(f"{self.ONNX_OP_TYPE}: no in-place kernel for these types")
            return call
        kernel = type(self).KERNEL
        if kernel is None:
            raise UnsupportedKernel(f"{self.ONNX_OP_TYPE}: no kernel for this op")
        return emit(view, kernel)

    def kernel_inputs(self) -> list[SSAValue]:
        inputs = self.input_values()
        used = sorted(self.kernel_call().inputs_used)
        return list(dict.fromkeys(v for i in used if (v := inputs[i]) is not None))

    def comment(self) -> str | None:
        """The ONNX operator and node name, when the model named the node."""
        return f"{self.ONNX_OP_TYPE} {op_label(self)}" if isinstance(self.location, NameLoc) else None

    def extension_properties(self) -> dict[str, Attribute]:
        """The extension properties that differ from their defaults (what the op's text spells out)."""
        definitions = self.get_irdl_definition().properties
        return {
            k: v
            for k in self.EXTENSION_PROPERTIES
            if (v := self.properties.get(k)) is not None and v != definitions[k].default_value
        }

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
        """The ONNX attributes as plain Python values (what the kernel table takes), an extension op's properties too."""
        extension = {k: cast(Attribute, getattr(self, k)) for k in self.EXTENSION_PROPERTIES}
        return {k: python_of_attribute(v) for k, v in (self.onnx_attributes() | extension).items()}

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
        printer.print_op_attributes(self.explicit_attributes() | self.extension_properties() | dict(self.attributes))
        printer.print_string(" : ")
        # Not print_operation_type: with --print-debuginfo it prints the location,
        # which xDSL prints again after a custom-format op.
        printer.print_function_type(self.operand_types, self.result_types)

    # Verification.

    def verify_(self) -> None:
        self.verify_tensors()
        self._verify_result_gaps()
        self._verify_type_constraints()
        self._verify_attribute_values()
        shapes = [None if v is None else value_shape(v.type) for v in self.input_values()]
        self._verify_axis(shapes)
        self._verify_inferred_types()
        unknown = self.has_unknown_dims()
        if unknown:
            # Rules over sizes that only the values decide are the kernel's to meet
            # when it runs; what the verifier can hold is that the kernel needs none.
            self._verify_kernel_without_sizes()
        if self.SHAPE_RULES_TAKE_UNKNOWN or not unknown:
            self.verify_shapes(shapes)
        self._verify_inplace()

    def verify_tensors(self) -> None:
        """Every operand and result is a ranked tensor of a supported element type, its sizes
        static or unknown (`?`)."""
        for kind, values in (("operand", self.operands), ("result", self.results)):
            for i, v in enumerate(values):
                t = held_tensor(v.type)
                # A sequence may leave its tensors' rank open (the types allow that nowhere else).
                unranked = isinstance(t, UnrankedTensorType) and is_supported_element_type(t.element_type)
                if not (is_supported_tensor(t) or unranked):
                    raise VerifyException(
                        f"{kind} #{i} must be a ranked tensor, or a sequence of tensors, of a "
                        f"supported element type, got {v.type}"
                    )

    def has_unknown_dims(self) -> bool:
        """Whether an operand or result has a dimension of unknown size (a sequence's length is one)."""
        return any(UNKNOWN in value_shape(v.type) for v in (*self.operands, *self.results))

    def _verify_kernel_without_sizes(self) -> None:
        from ramiel.kernels import UnsupportedKernel

        try:
            self.kernel_call()
        except UnsupportedKernel as e:
            raise VerifyException(str(e)) from None

    def _verify_inplace(self) -> None:
        from ramiel.kernels import inplace_call

        mark = self.attributes.get(INPLACE_ATTR)
        if mark is None:
            return
        if not isinstance(mark, UnitAttr):
            raise VerifyException(f"'{INPLACE_ATTR}' is a unit attribute")
        if inplace_call(self.view()) is None:
            raise VerifyException(f"'{INPLACE_ATTR}' on {self.name}, which has no in-place kernel for these types")

    def _verify_attribute_values(self) -> None:
        attributes = self.python_attributes()
        schema = self.ONNX_SCHEMA.attributes
        checks = [
            *((name, _finite) for name, attribute in schema.items() if attribute.type in _FLOAT_TYPES),
            *((name, _flag) for name in sorted(FLAG_ATTRIBUTES & schema.keys())),
            *self.ATTRIBUTE_VALUES.items(),
        ]
        for name, check in checks:
            if name in attributes and (problem := check(attributes[name])) is not None:
                raise VerifyException(f"attribute '{name}' of {self.ONNX_OP_TYPE} {problem}")

    def _verify_axis(self, shapes: Shapes) -> None:
        axis = self.python_attributes().get("axis")
        if self.AXIS_SPAN is None or not isinstance(axis, int) or not shapes or shapes[0] is None:
            return
        rank = len(shapes[0]) + self.AXIS_SPAN
        if not -rank <= axis < rank:
            raise VerifyException(
                f"attribute 'axis' of {self.ONNX_OP_TYPE} must lie in [{-rank}, {rank - 1}] "
                f"for an input of rank {len(shapes[0])}, not {axis}"
            )

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
            element = element_type_of(value.type)
            if type_str in constraints:
                allowed = element_types_of_constraint(
                    [_unsequenced(s) for s in constraints[type_str].allowed_type_strs]
                )
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
            input_types[name] = type_proto(v.type)
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
        node.attribute.extend(self.types_as_attributes())
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
            inferred_type = inferred.get(name)
            t = result.type
            if isinstance(t, OptionalType) and inferred_type is not None:
                inferred_type, t = inferred_type.optional_type.elem_type, t.element
            if isinstance(t, SequenceType) and inferred_type is not None:
                # A sequence's element type; its sizes may be merged more loosely than ONNX's.
                inferred_type, t = inferred_type.sequence_type.elem_type, t.element
            if inferred_type is None or not inferred_type.tensor_type.HasField("shape"):
                continue
            if not isinstance(t, TensorType):
                continue
            expected_element = inferred_type.tensor_type.elem_type
            if expected_element and expected_element != onnx_of_element_type(t.get_element_type()):
                name_of = helper.tensor_dtype_to_np_dtype(expected_element).name
                raise VerifyException(
                    f"result #{result.index} has element type {t.get_element_type()}, "
                    f"but {self.ONNX_OP_TYPE} gives {name_of}"
                )
            dims = inferred_type.tensor_type.shape.dim
            shape = static_shape(t)
            if len(dims) != len(shape) or any(
                d.HasField("dim_value") and s != UNKNOWN and d.dim_value != s
                for d, s in zip(dims, shape, strict=False)
            ):
                inferred_shape = "x".join(
                    str(d.dim_value) if d.HasField("dim_value") else "?" for d in dims
                )
                raise VerifyException(
                    f"result #{result.index} has shape {shape_text(shape)}, "
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



# For the ops' own rules.


def shape_text(shape: Sequence[int] | None) -> str:
    """A shape as diagnostics write it: `1x3x8x8`, `scalar` or `absent`."""
    return "absent" if shape is None else "x".join("?" if d == UNKNOWN else str(d) for d in shape) or "scalar"


def expect(condition: bool, message: str) -> None:
    """Raise VerifyException with `message` unless `condition` holds."""
    if not condition:
        raise VerifyException(message)


def broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether `shape` broadcasts to `target` one way (numpy rules)."""
    if len(shape) > len(target):
        return False
    return all(s in (1, t) for s, t in zip(reversed(shape), reversed(target), strict=False))


def int_attribute(op: DfgOp, name: str, default: int) -> int:
    """An INT attribute of `op`, ONNX's default filled in, else `default`."""
    value = op.onnx_attributes().get(name)
    return value.value.data if isinstance(value, IntegerAttr) else default


def tensor_sig(value: SSAValue) -> tuple[tuple[int, ...], str]:
    """The shape (`value_shape`: a sequence's has its length first) and element type name of a value."""
    from ramiel.onnx_types import dtype_name

    return value_shape(value.type), dtype_name(element_type_of(value.type))


FLAG_ATTRIBUTES = frozenset((
    "align_corners", "allowzero", "antialias", "batch_axis", "ceil_mode", "count_include_pad",
    "detect_negative", "detect_positive", "exclude_outside", "exclusive", "fmod",
    "input_forget", "interleaved", "inverse", "is_causal", "keepdims", "largest",
    "layout", "linear_before_reset", "noop_with_empty_axes", "onesided", "periodic",
    "reverse", "saturate", "select_last_index", "sorted", "storage_order",
    "time_axis", "training_mode", "transA", "transB", "upper",
))  # fmt: skip
"""INT attributes that ONNX allows only 0 or 1 for, in every operator that has one:
switches, and ReverseSequence's two axes."""


def _flag(value: object) -> str | None:
    return None if value in (0, 1) else f"must be 0 or 1, not {value!r}"


def _finite(value: object) -> str | None:
    values = value if isinstance(value, list) else [value]
    return None if all(isinstance(v, float) and math.isfinite(v) for v in values) else f"must be finite, not {value!r}"


_FLOAT_TYPES = (defs.OpSchema.AttrType.FLOAT, defs.OpSchema.AttrType.FLOATS)


def one_of(*allowed: str) -> AttributeCheck:
    """A check that a STRING attribute is one of `allowed`."""
    return lambda value: None if value in allowed else f"must be one of {', '.join(map(repr, allowed))}, not {value!r}"


def at_least(low: float) -> AttributeCheck:
    """A check that a number attribute, or every element of a list one, is at least `low`."""

    def check(value: object) -> str | None:
        values = value if isinstance(value, list) else [value]
        return None if all(isinstance(v, int | float) and v >= low for v in values) else f"must be at least {low}, not {value!r}"

    return check


WINDOW_CHECKS: Mapping[str, AttributeCheck] = {
    "auto_pad": one_of("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"),
    "strides": at_least(1),
    "dilations": at_least(1),
    "kernel_shape": at_least(1),
}
"""The attribute checks every op sliding a window has (convolutions and pooling)."""


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


OPS: dict[str, type[DfgOp]] = {}
"""The `dfg` op class of each supported ONNX operator, as `onnx_op` declares them."""

EXTENSIONS: dict[str, type[KernelOp]] = {}
"""The `dfg` ops that are no ONNX operator, by op name: what lowering decisions make
(a convolution fused with its activation, a layout change), declared with
`onnx_op(..., extension=...)` or `extension_op`. They are not in `OPS` and the cost
models do not know them."""

SEGMENT_SIZES = frozenset({"operandSegmentSizes", "resultSegmentSizes"})

_ROW_NAMES = {
    "kernel": "KERNEL",
    "inplace": "INPLACE",
    "fresh": "FRESH_RESULT",
    "fold": "FOLD",
    "foldable": "FOLDABLE",
    "attribute_values": "ATTRIBUTE_VALUES",
    "axis_span": "AXIS_SPAN",
    "work": "WORK",
}


def _value_kind(schema: defs.OpSchema, param: defs.OpSchema.FormalParameter) -> object:
    """The type of an ONNX input or output: a tensor or a sequence, or either, as its constraint allows."""
    allowed = next((c.allowed_type_strs for c in schema.type_constraints if c.type_param_str == param.type_str), ())
    if allowed and all(s.startswith("optional(") for s in allowed):
        return OptionalType
    sequences = [s.startswith("seq(") for s in allowed]
    return SequenceType if sequences and all(sequences) else ValueType if any(sequences) else TensorType


def _unsequenced(type_str: str) -> str:
    """The tensor type of an ONNX type string: a sequence's element for `seq(...)`, what an
    `optional(...)` holds."""
    for wrapper in ("optional(", "seq("):
        if type_str.startswith(wrapper):
            return _unsequenced(type_str.removeprefix(wrapper).removesuffix(")"))
    return type_str


def onnx_op(op_type: str, extension: str | None = None, **row: object) -> Callable[[type[_T]], type[_T]]:
    """Declare the decorated class as the `dfg` op of ONNX operator `op_type`.

    The operands, results and properties come from the operator's newest schema;
    `row` gives the class's row by keyword (`kernel`, `inplace`, `fresh`, `fold`,
    `foldable`, `attribute_values`, `axis_span`, `work`: see the module docstring). The class
    is then an IRDL op, registered in `OPS` and with the cost models.

    With `extension`, the class is instead the extension op of that name
    (`extension="FusedConv"` is `dfg.fused_conv`): it has the form of `op_type`
    and the properties its body declares besides, and is registered in `EXTENSIONS`.
    """
    unknown = sorted(set(row) - set(_ROW_NAMES))
    if unknown:
        raise TypeError(f"onnx_op got unknown row entries {unknown}")

    def declare(cls: type[_T]) -> type[_T]:
        schema = defs.get_schema(op_type)
        fields: dict[str, object] = {
            "name": dfg_name(extension or op_type),
            "ONNX_OP_TYPE": op_type,
            "ONNX_SCHEMA": schema,
            "ONNX_INPUTS": _params(schema.inputs),
            "ONNX_OUTPUTS": _params(schema.outputs),
            "traits": traits_def(Pure()),
            # Functions stay functions when read from an instance (`op.KERNEL(writer)`).
            **{_ROW_NAMES[k]: staticmethod(v) if inspect.isfunction(v) else v for k, v in row.items()},
        }
        defining = {_Single: operand_def, _Variadic: var_operand_def}
        for p in schema.inputs:
            fields[p.name] = defining.get(p.option, opt_operand_def)(_value_kind(schema, p))
        results = {_Single: result_def, _Variadic: var_result_def}
        for p in schema.outputs:
            fields[p.name] = results.get(p.option, opt_result_def)(_value_kind(schema, p))
        for name, attr in schema.attributes.items():
            base = _PROPERTY_BASES.get(attr.type)
            if base is None:
                continue  # Only Constant has such attributes, and it has its own op.
            default = _schema_default(schema, name)
            fields[name] = opt_prop_def(base) if default is None else prop_def(base, default_value=default)
        options: list[IRDLOption] = [ParsePropInAttrDict()]
        if _needs_segments(_params(schema.inputs)):
            options.append(AttrSizedOperandSegments(as_property=True))
        if _needs_segments(_params(schema.outputs)):
            options.append(AttrSizedResultSegments(as_property=True))
        fields["irdl_options"] = tuple(options)
        for key, value in fields.items():
            setattr(cls, key, value)
        # irdl_op_definition accepts plain class attributes only as ClassVars.
        cls.__annotations__ = {
            **inspect.get_annotations(cls),
            **dict.fromkeys(("ONNX_OP_TYPE", "ONNX_SCHEMA", "ONNX_INPUTS", "ONNX_OUTPUTS"), ClassVar[object]),
            **dict.fromkeys((_ROW_NAMES[k] for k in row), ClassVar[object]),
        }
        op = cast(type[DfgOp], irdl_op_definition(cast(type[IRDLOperation], cls)))
        if extension is not None:
            own = set(op.get_irdl_definition().properties) - set(schema.attributes) - SEGMENT_SIZES
            op.EXTENSION_PROPERTIES = tuple(sorted(own))
            EXTENSIONS[op.name] = op
        else:
            OPS[op_type] = op
            costmodel.register_work(op_type, op.WORK)
        return cast(type[_T], op)

    return declare


def extension_op(cls: type[_T]) -> type[_T]:
    """Declare the decorated `KernelOp` class, an op no ONNX operator models, as a `dfg` extension op (see `EXTENSIONS`)."""
    op = cast(type[KernelOp], irdl_op_definition(cast(type[IRDLOperation], cls)))
    EXTENSIONS[op.name] = op
    return cast(type[_T], op)


