"""The `pyemit` dialect: the Python program that the `python` target prints.

A `pyemit.module` is one generated file. Its weights (`pyemit.weight`) are the
tensors saved beside it; each `pyemit.stream` is one stream function, run on its
own thread (stream 0 on the caller's). Inside a stream, ops map one to one onto
statements, so a FileCheck test sees every kernel call and every hand-off:

    pyemit.module "tiny" inputs("x" : tensor<1x4xf32>) outputs("y") attributes {pipeline = "cleanup", torch_version = "2.13.0"} {
      %b = pyemit.weight "b" = dense<1.000000e+00> : tensor<4xf32>
      pyemit.stream 0 {
        %x = pyemit.input {index = 0} : tensor<1x4xf32>
        %r = pyemit.call "torch.relu({0})"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
        pyemit.send %r {slot = 0}
        %s = pyemit.recv {slot = 1} : tensor<1x4xf32>
        %y = pyemit.call "{0} + {1}"(%r, %s) : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
        pyemit.output %y {index = 0}
      }
      pyemit.stream 1 {
        %r = pyemit.recv {slot = 0} : tensor<1x4xf32>
        %s = pyemit.call "{0} * {1}"(%r, %b) : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
        pyemit.send %s {slot = 1}
      }
    }

Values never cross streams except through a `send`/`recv` pair of one slot;
weights are visible everywhere. The module verifier checks that, and that the
hand-offs cannot deadlock when every stream runs its ops in order.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from typing import ClassVar, cast

import numpy as np
from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    f64,
    i64,
)
from xdsl.ir import Attribute, Block, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import HasParent, NoTerminator
from xdsl.utils.exceptions import VerifyException

from ramiel.dialects.dfg import ConstantOp, ResourceAttr

PLACEHOLDER = re.compile(r"\{(\d+)\}")
"""An operand placeholder `{i}` in a `pyemit.call` expression template."""

WeightValue = DenseIntOrFPElementsAttr | ResourceAttr


def _split_attributes(
    op_type: type[IRDLOperation], attrs: dict[str, Attribute]
) -> tuple[dict[str, Attribute], dict[str, Attribute]]:
    """Split a parsed attribute dictionary into properties and discardable attributes."""
    names = op_type.get_irdl_definition().properties
    return (
        {k: v for k, v in attrs.items() if k in names},
        {k: v for k, v in attrs.items() if k not in names},
    )


@irdl_op_definition
class PyModuleOp(IRDLOperation):
    """One generated Python file: header, weights and stream functions.

        pyemit.module "model" inputs("data" : tensor<1x3xf32>) outputs("prob") attributes {pipeline = "cleanup", predicted_speedup = 1.5 : f64, torch_version = "2.13.0"} {
          ...
        }

    The graph inputs are the model's arguments in ONNX order, with their ONNX
    names; the output names are ONNX's too. `predicted_speedup` is absent when
    no schedule predicted one.
    """

    name = "pyemit.module"

    model_name = prop_def(StringAttr)
    """The model's name, for the header."""
    input_names = prop_def(ArrayAttr[StringAttr])
    """The ONNX names of the graph inputs, in order."""
    input_types = prop_def(ArrayAttr[TensorType])
    """The types of the graph inputs, in order."""
    output_names = prop_def(ArrayAttr[StringAttr])
    """The ONNX names of the graph outputs, in order."""
    pipeline = prop_def(StringAttr)
    """The pass pipeline that produced the program."""
    torch_version = prop_def(StringAttr)
    """The torch version the program was generated with."""
    predicted_speedup = opt_prop_def(FloatAttr)
    """The schedule's predicted speedup over one stream, if known."""
    cost_model = opt_prop_def(StringAttr)
    """The cost model that predicted it, if one did."""

    body = region_def("single_block")

    traits = traits_def(NoTerminator())

    _HEADER: ClassVar[tuple[str, ...]] = ("cost_model", "pipeline", "predicted_speedup", "torch_version")

    def __init__(
        self,
        model_name: str,
        inputs: Sequence[tuple[str, TensorType]],
        output_names: Sequence[str],
        pipeline: str,
        torch_version: str,
        predicted_speedup: float | None,
        body: Region | None = None,
        cost_model: str | None = None,
    ) -> None:
        properties = _signature(model_name, inputs, output_names) | {
            "pipeline": StringAttr(pipeline),
            "torch_version": StringAttr(torch_version),
        }
        if predicted_speedup is not None:
            properties["predicted_speedup"] = FloatAttr(predicted_speedup, f64)
        if cost_model is not None:
            properties["cost_model"] = StringAttr(cost_model)
        super().__init__(properties=properties, regions=[body or Region(Block())])

    @property
    def weights(self) -> Iterator[WeightOp]:
        """The weight ops, in order."""
        return (op for op in self.body.block.ops if isinstance(op, WeightOp))

    @property
    def streams(self) -> list[StreamOp]:
        """The stream ops, in stream order."""
        return [op for op in self.body.block.ops if isinstance(op, StreamOp)]

    def num_slots(self) -> int:
        """The number of hand-off slots."""
        return sum(isinstance(op, SendOp) for op in self.walk())

    @classmethod
    def parse(cls, parser: Parser) -> PyModuleOp:
        model_name = parser.parse_str_literal("model name expected")
        parser.parse_keyword("inputs")

        def parse_input() -> tuple[str, TensorType]:
            name = parser.parse_str_literal("input name expected")
            parser.parse_punctuation(":")
            pos = parser.pos
            t = parser.parse_type()
            if not isinstance(t, TensorType):
                parser.raise_error("graph inputs must be tensors", pos, parser.pos)
            return name, t

        inputs = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parse_input)
        parser.parse_keyword("outputs")
        outputs = parser.parse_comma_separated_list(
            parser.Delimiter.PAREN, lambda: parser.parse_str_literal("output name expected")
        )
        attrs = parser.parse_optional_attr_dict_with_keyword()
        props, discardable = _split_attributes(cls, dict(attrs.data) if attrs else {})
        body = parser.parse_region()
        return cls.create(
            properties=_signature(model_name, inputs, outputs) | props,
            attributes=discardable,
            regions=[body],
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.model_name.data)
        printer.print_string(" inputs(")
        pairs = zip(self.input_names, self.input_types, strict=True)
        printer.print_list(pairs, lambda p: _print_named_type(printer, p[0].data, p[1]))
        printer.print_string(") outputs(")
        printer.print_list(self.output_names, lambda n: printer.print_string_literal(n.data))
        printer.print_string(")")
        header = {k: v for k, v in self.properties.items() if k in self._HEADER}
        printer.print_op_attributes(header | dict(self.attributes), print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body)

    def verify_(self) -> None:
        if len(self.input_names) != len(self.input_types):
            raise VerifyException("input names and input types differ in number")
        for op in self.body.block.ops:
            if not isinstance(op, WeightOp | StreamOp):
                raise VerifyException(f"'{op.name}' cannot be a top-level op of pyemit.module")
        streams = self.streams
        if not streams:
            raise VerifyException("a pyemit.module needs at least one stream")
        for index, stream in enumerate(streams):
            if stream.index.value.data != index:
                raise VerifyException(
                    f"stream #{index} has index {stream.index.value.data}; streams must be "
                    "numbered 0, 1, ... in order"
                )
        names = [w.weight_name.data for w in self.weights]
        if len(set(names)) != len(names):
            duplicate = next(n for n in names if names.count(n) > 1)
            raise VerifyException(f"weight '{duplicate}' is defined twice")
        self._verify_inputs_and_outputs()
        self._verify_hand_offs(streams)

    def _verify_inputs_and_outputs(self) -> None:
        outputs: list[int] = []
        for op in self.walk():
            if isinstance(op, InputOp):
                index = op.index.value.data
                if not 0 <= index < len(self.input_types):
                    raise VerifyException(f"input index {index} is out of range")
                if op.result.type != self.input_types.data[index]:
                    raise VerifyException(
                        f"input {index} has type {self.input_types.data[index]}, "
                        f"not {op.result.type}"
                    )
            elif isinstance(op, OutputOp):
                outputs.append(op.index.value.data)
        if sorted(outputs) != list(range(len(self.output_names))):
            raise VerifyException(
                f"expected each of the {len(self.output_names)} outputs set exactly once, "
                f"got output indices {sorted(outputs)}"
            )

    def _verify_hand_offs(self, streams: Sequence[StreamOp]) -> None:
        """Slots are numbered densely, each sent once and received only elsewhere."""
        senders: dict[int, tuple[int, SendOp]] = {}
        received: dict[tuple[int, int], RecvOp] = {}
        for stream in streams:
            s = stream.index.value.data
            for op in stream.body.block.ops:
                slot = op.slot.value.data if isinstance(op, SendOp | RecvOp) else -1
                if isinstance(op, SendOp):
                    if slot in senders:
                        raise VerifyException(f"slot {slot} is sent twice")
                    senders[slot] = (s, op)
                elif isinstance(op, RecvOp):
                    if (s, slot) in received:
                        raise VerifyException(f"stream {s} receives slot {slot} twice")
                    received[(s, slot)] = op
        if sorted(senders) != list(range(len(senders))):
            raise VerifyException(f"slots must be numbered 0, 1, ...; got {sorted(senders)}")
        for (s, slot), recv in received.items():
            if slot not in senders:
                raise VerifyException(f"slot {slot} is received but never sent")
            sender_stream, send = senders[slot]
            if sender_stream == s:
                raise VerifyException(f"stream {s} receives slot {slot}, which it sends itself")
            if send.value.type != recv.result.type:
                raise VerifyException(
                    f"slot {slot} sends {send.value.type} but stream {s} receives "
                    f"{recv.result.type}"
                )
        _check_no_deadlock(streams)


def _signature(
    model_name: str, inputs: Sequence[tuple[str, TensorType]], output_names: Sequence[str]
) -> dict[str, Attribute]:
    return {
        "model_name": StringAttr(model_name),
        "input_names": ArrayAttr([StringAttr(n) for n, _ in inputs]),
        "input_types": ArrayAttr([t for _, t in inputs]),
        "output_names": ArrayAttr([StringAttr(n) for n in output_names]),
    }


def _check_no_deadlock(streams: Sequence[StreamOp]) -> None:
    """Run the streams' hand-offs abstractly: every stream must reach its end.

    A stream advances past sends freely and past a recv once its slot was sent.
    """
    hand_offs = [
        [op for op in s.body.block.ops if isinstance(op, SendOp | RecvOp)] for s in streams
    ]
    positions = [0] * len(streams)
    sent: set[int] = set()
    progress = True
    while progress:
        progress = False
        for s, ops in enumerate(hand_offs):
            while positions[s] < len(ops):
                op = ops[positions[s]]
                if isinstance(op, RecvOp) and op.slot.value.data not in sent:
                    break
                if isinstance(op, SendOp):
                    sent.add(op.slot.value.data)
                positions[s] += 1
                progress = True
    for s, ops in enumerate(hand_offs):
        if positions[s] < len(ops):
            slot = cast(RecvOp, ops[positions[s]]).slot.value.data
            raise VerifyException(f"the hand-offs deadlock: stream {s} waits for slot {slot} forever")


def _print_named_type(printer: Printer, name: str, t: Attribute) -> None:
    printer.print_string_literal(name)
    printer.print_string(" : ")
    printer.print_attribute(t)


@irdl_op_definition
class WeightOp(IRDLOperation):
    """A tensor saved in the weights file under `weight_name`.

        %conv1_w = pyemit.weight "conv1_w" = #dfg.resource<conv1_w_5f0c2a9e1b7d3c4a : tensor<64x3x7x7xf32>>
        %scale = pyemit.weight "scale" = dense<2.000000e+00> : tensor<64xf32>
        %w = pyemit.weight "w" = dense<1.0> : tensor<8x4x3x3xf32> {prepare = "prepack_conv2d({0}, (1, 1), (1, 1), (1, 1), 1, (1, 4, 8, 8))", helpers = ["prepack_conv2d"]}

    `prepare`, when present, is an expression template over the loaded tensor
    (`{0}`) whose value replaces it once, at load; `helpers` names the helper
    functions it calls.
    """

    name = "pyemit.weight"

    weight_name = prop_def(StringAttr)
    """The key of the tensor in the weights file."""
    value = prop_def(WeightValue)
    """The tensor's value."""
    prepare = opt_prop_def(StringAttr)
    """What loading does to the tensor: an expression template over `{0}`."""
    helpers = opt_prop_def(ArrayAttr[StringAttr])
    """The helper functions `prepare` calls, if any."""
    result = result_def(TensorType)

    traits = traits_def(HasParent(PyModuleOp))

    def __init__(
        self, weight_name: str, value: WeightValue, prepare: str | None = None, helpers: Sequence[str] = ()
    ) -> None:
        properties: dict[str, Attribute] = {"weight_name": StringAttr(weight_name), "value": value}
        if prepare is not None:
            properties["prepare"] = StringAttr(prepare)
        if helpers:
            properties["helpers"] = ArrayAttr([StringAttr(h) for h in sorted(helpers)])
        super().__init__(properties=properties, result_types=[value.type])

    @classmethod
    def parse(cls, parser: Parser) -> WeightOp:
        weight_name = parser.parse_str_literal("weight name expected")
        parser.parse_punctuation("=")
        pos = parser.pos
        value = parser.parse_attribute()
        if not isinstance(value, WeightValue):
            parser.raise_error("expected a dense<...> or #dfg.resource<...> value", pos, parser.pos)
        props, discardable = _split_attributes(cls, parser.parse_optional_attr_dict())
        return cls.create(
            properties={"weight_name": StringAttr(weight_name), "value": value} | props,
            attributes=discardable,
            result_types=[value.type],
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.weight_name.data)
        printer.print_string(" = ")
        printer.print_attribute(self.value)
        shown = {k: v for k, v in self.properties.items() if k in ("prepare", "helpers")}
        printer.print_op_attributes(shown | dict(self.attributes))

    def numpy(self) -> np.ndarray:
        """The weight's value (read-only; a splat is a broadcast view of one element)."""
        return self._constant().numpy()

    def is_splat(self) -> bool:
        """Whether the weight is saved as one element that loading expands."""
        return self._constant().is_splat() and self.result.type.element_count() > 1

    def _constant(self) -> ConstantOp:
        # dfg.constant knows how to read both value kinds; a detached one costs nothing.
        return ConstantOp(self.value)

    def verify_(self) -> None:
        if not self.weight_name.data:
            raise VerifyException("a weight needs a non-empty name")
        if self.value.type != self.result.type:
            raise VerifyException(
                f"value type {self.value.type} does not match result type {self.result.type}"
            )
        helpers = self.helpers or ArrayAttr(())
        if self.prepare is not None:
            _verify_template(self.prepare.data, 1, helpers)
        elif helpers.data:
            raise VerifyException("helpers without a prepare expression")


@irdl_op_definition
class StreamOp(IRDLOperation):
    """The ops of one stream, in execution order.

        pyemit.stream 1 {
          %a = pyemit.recv {slot = 0} : tensor<4xf32>
          ...
        }
    """

    name = "pyemit.stream"

    index = prop_def(IntegerAttr[I64])
    """The stream's number; stream 0 runs on the caller's thread."""
    body = region_def("single_block")

    traits = traits_def(NoTerminator(), HasParent(PyModuleOp))

    def __init__(self, index: int, body: Region | None = None) -> None:
        super().__init__(
            properties={"index": IntegerAttr(index, i64)}, regions=[body or Region(Block())]
        )

    @classmethod
    def parse(cls, parser: Parser) -> StreamOp:
        index = parser.parse_integer(allow_boolean=False, allow_negative=False)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        op = cls(index, parser.parse_region())
        if attrs:
            op.attributes.update(attrs.data)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.index.value.data}")
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body)

    def verify_(self) -> None:
        parent = self.parent_op()
        weights = set(parent.weights) if isinstance(parent, PyModuleOp) else set[WeightOp]()
        for op in self.body.block.ops:
            for operand in op.operands:
                owner = operand.owner
                if owner in weights:
                    continue
                if not isinstance(owner, Operation) or owner.parent_op() is not self:
                    raise VerifyException(
                        f"stream {self.index.value.data} uses a value of another stream; "
                        "values cross streams only through pyemit.send and pyemit.recv"
                    )


class _SlotOp(IRDLOperation):
    """Base of the ops written `[%value] {key = N} [: type]`: input, output, send, recv."""

    KEY: ClassVar[str]
    """The name of the op's integer property."""

    @classmethod
    def parse(cls, parser: Parser) -> _SlotOp:
        definition = cls.get_irdl_definition()
        value = parser.parse_operand() if definition.operands else None
        pos = parser.pos
        attrs = parser.parse_optional_attr_dict()
        number = attrs.pop(cls.KEY, None)
        if not isinstance(number, IntegerAttr):
            parser.raise_error(f"expected {{{cls.KEY} = N}}", pos, parser.pos)
        result_type = None
        if definition.results:
            parser.parse_punctuation(":")
            result_type = parser.parse_type()
        return cls.create(
            operands=[value] if value is not None else [],
            result_types=[result_type] if result_type is not None else [],
            properties={cls.KEY: IntegerAttr(number.value.data, i64)},
            attributes=attrs,
        )

    def print(self, printer: Printer) -> None:
        for operand in self.operands:
            printer.print_string(" ")
            printer.print_operand(operand)
        number = self.properties[self.KEY]
        assert isinstance(number, IntegerAttr)
        printer.print_string(f" {{{self.KEY} = {number.value.data}")
        for name, attr in self.attributes.items():
            printer.print_string(", ")
            printer.print_identifier_or_string_literal(name)
            printer.print_string(" = ")
            printer.print_attribute(attr)
        printer.print_string("}")
        for result in self.results:
            printer.print_string(" : ")
            printer.print_attribute(result.type)


@irdl_op_definition
class InputOp(_SlotOp):
    """Graph input `index`, available in every stream.

        %data = pyemit.input {index = 0} : tensor<1x3x224x224xf32>
    """

    name = "pyemit.input"
    KEY: ClassVar[str] = "index"

    index = prop_def(IntegerAttr[I64])
    """The input's position in the model's inputs."""
    result = result_def(TensorType)

    traits = traits_def(HasParent(StreamOp))

    def __init__(self, index: int, result_type: TensorType) -> None:
        super().__init__(properties={"index": IntegerAttr(index, i64)}, result_types=[result_type])


@irdl_op_definition
class OutputOp(_SlotOp):
    """Sets graph output `index`.

        pyemit.output %prob {index = 0}
    """

    name = "pyemit.output"
    KEY: ClassVar[str] = "index"

    value = operand_def(TensorType)
    index = prop_def(IntegerAttr[I64])
    """The output's position in the model's outputs."""

    traits = traits_def(HasParent(StreamOp))

    def __init__(self, value: SSAValue, index: int) -> None:
        super().__init__(operands=[value], properties={"index": IntegerAttr(index, i64)})


@irdl_op_definition
class SendOp(_SlotOp):
    """Hands a value to the other streams through `slot`.

        pyemit.send %conv2 {slot = 3}
    """

    name = "pyemit.send"
    KEY: ClassVar[str] = "slot"

    value = operand_def(TensorType)
    slot = prop_def(IntegerAttr[I64])
    """The hand-off slot."""

    traits = traits_def(HasParent(StreamOp))

    def __init__(self, value: SSAValue, slot: int) -> None:
        super().__init__(operands=[value], properties={"slot": IntegerAttr(slot, i64)})


@irdl_op_definition
class RecvOp(_SlotOp):
    """Waits for the value another stream sends through `slot`.

        %conv2 = pyemit.recv {slot = 3} : tensor<1x64x56x56xf32>
    """

    name = "pyemit.recv"
    KEY: ClassVar[str] = "slot"

    slot = prop_def(IntegerAttr[I64])
    """The hand-off slot."""
    result = result_def(TensorType)

    traits = traits_def(HasParent(StreamOp))

    def __init__(self, slot: int, result_type: Attribute) -> None:
        super().__init__(properties={"slot": IntegerAttr(slot, i64)}, result_types=[result_type])


@irdl_op_definition
class CallOp(IRDLOperation):
    """One kernel call: a Python expression template applied to the operands.

        %y = pyemit.call "F.conv2d({0}, {1}, stride=(2, 2))"(%x, %w) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
        %a, %b = pyemit.call "torch.split({0}, 2, dim=1)"(%x) {comment = "Split split1"} : (tensor<1x4xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>)

    `{i}` in `expr` stands for operand i; every operand appears at least once.
    `helpers` names the helper functions the expression calls; `comment` (the
    ONNX operator and node) is printed beside the statement. An op with several
    results is tuple-unpacked.
    """

    name = "pyemit.call"

    expr = prop_def(StringAttr)
    """The expression template."""
    helpers = prop_def(ArrayAttr[StringAttr], default_value=ArrayAttr(()))
    """The helper functions the expression needs."""
    comment = opt_prop_def(StringAttr)
    """Where the call comes from, for the reader."""
    args = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)

    traits = traits_def(HasParent(StreamOp))

    def __init__(
        self,
        expr: str,
        args: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        helpers: Sequence[str] = (),
        comment: str | None = None,
    ) -> None:
        properties: dict[str, Attribute] = {
            "expr": StringAttr(expr),
            "helpers": ArrayAttr([StringAttr(h) for h in sorted(helpers)]),
        }
        if comment is not None:
            properties["comment"] = StringAttr(comment)
        super().__init__(operands=[args], result_types=[result_types], properties=properties)

    @classmethod
    def parse(cls, parser: Parser) -> CallOp:
        start = parser.pos
        expr = parser.parse_str_literal("expression template expected")
        operands = parser.parse_op_args_list()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        func_type = parser.parse_function_type()
        args = parser.resolve_operands(operands, func_type.inputs.data, start)
        props, discardable = _split_attributes(cls, attrs)
        props["expr"] = StringAttr(expr)
        return cls.create(
            operands=args,
            result_types=func_type.outputs.data,
            properties=props,
            attributes=discardable,
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.expr.data)
        printer.print_operands(self.args)
        shown = {k: v for k, v in self.properties.items() if k != "expr"}
        if not self.helpers.data:
            del shown["helpers"]
        printer.print_op_attributes(shown | dict(self.attributes))
        printer.print_string(" : ")
        printer.print_operation_type(self)

    def verify_(self) -> None:
        if not self.outputs:
            raise VerifyException("a call has at least one result")
        _verify_template(self.expr.data, len(self.args), self.helpers)


def _verify_template(expr: str, arity: int, helpers: ArrayAttr[StringAttr]) -> None:
    """An expression template uses each of its `arity` operands, parses, and names helpers properly."""
    used = {int(i) for i in PLACEHOLDER.findall(expr)}
    if any(i >= arity for i in used):
        raise VerifyException(f"expression refers to operand {max(used)}, but the call has {arity}")
    if len(used) != arity:
        unused = min(set(range(arity)) - used)
        raise VerifyException(f"operand {unused} does not appear in the expression")
    try:
        ast.parse(fill_template(expr, [f"v{i}" for i in range(arity)]), mode="eval")
    except SyntaxError as e:
        raise VerifyException(f"the expression is not a Python expression: {e.msg}") from None
    for helper in helpers:
        if not helper.data.isidentifier():
            raise VerifyException(f"helper name '{helper.data}' is not an identifier")


def fill_template(expr: str, args: Sequence[str]) -> str:
    """`expr` with each placeholder `{i}` replaced by `args[i]`."""
    return PLACEHOLDER.sub(lambda m: args[int(m.group(1))], expr)


PyEmit = Dialect(
    "pyemit",
    [PyModuleOp, WeightOp, StreamOp, InputOp, OutputOp, SendOp, RecvOp, CallOp],
)
