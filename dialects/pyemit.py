"""The `pyemit` dialect: the Python program that the `python` target prints.

A `pyemit.module` is one generated file: a `streams` program (`ramiel.dialects.
streams`) whose top level holds the weights (`pyemit.weight`), the tensors saved
beside the file, and whose streams are stream functions, each run on its own
thread (stream 0 on the caller's). Inside a stream, ops map one to one onto
statements, so a FileCheck test sees every kernel call and every hand-off:

    pyemit.module "tiny" inputs("x" : tensor<1x4xf32>) outputs("y") attributes {pipeline = "cleanup", torch_version = "2.13.0"} {
      %b = pyemit.weight "b" = dense<1.000000e+00> : tensor<4xf32>
      streams.stream 0 {
        %x = streams.input {index = 0} : tensor<1x4xf32>
        %r = pyemit.call "torch.relu({0})"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
        streams.send %r {slot = 0}
        %s = streams.recv {slot = 1} : tensor<1x4xf32>
        %y = pyemit.call "{0} + {1}"(%r, %s) : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
        streams.output %y {index = 0}
      }
      streams.stream 1 {
        %r = streams.recv {slot = 0} : tensor<1x4xf32>
        %s = pyemit.call "{0} * {1}"(%r, %b) : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
        streams.send %s {slot = 1}
      }
    }

Weights are visible in every stream; the program's verifier checks the streams
and their hand-offs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from typing import ClassVar, cast

import numpy as np
from xdsl.dialects.builtin import (
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
    AttrSizedOperandSegments,
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
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
from xdsl.traits import HasParent, Pure
from xdsl.utils.exceptions import VerifyException

from ramiel.codegen import MODEL_ATTRIBUTES
from ramiel.codegen.escape import identifier
from ramiel.dialects.dfg import ConstantOp, ResourceAttr
from ramiel.dialects.dfg.control_flow import (
    IfForm,
    LoopForm,
    YieldForm,
    parse_if,
    parse_loop,
)
from ramiel.dialects.streams import Program, StreamOp, split_attributes
from ramiel.dialects.types import ValueType

PLACEHOLDER = re.compile(r"\{(\d+)\}")
"""An operand placeholder `{i}` in a `pyemit.call` expression template."""

WeightValue = DenseIntOrFPElementsAttr | ResourceAttr


@irdl_op_definition
class PyModuleOp(Program):
    """One generated Python file: header, weights and stream functions.

        pyemit.module "model" inputs("data" : tensor<1x3xf32>) outputs("prob") attributes {pipeline = "cleanup", predicted_speedup = 1.5 : f64, torch_version = "2.13.0"} {
          ...
        }

    The graph inputs are the model's arguments in ONNX order, with their ONNX
    names; the output names are ONNX's too. `predicted_speedup` is absent when
    no schedule predicted one; `threads`, when one-stream code runs on a fixed
    count of intra-op threads instead of the caller's. The top level holds
    weights only.
    """

    name = "pyemit.module"

    model_name = prop_def(StringAttr)
    """The model's name, for the header."""
    pipeline = prop_def(StringAttr)
    """The pass pipeline that produced the program."""
    torch_version = prop_def(StringAttr)
    """The torch version the program was generated with."""
    predicted_speedup = opt_prop_def(FloatAttr)
    """The schedule's predicted speedup over one stream, if known."""
    cost_model = opt_prop_def(StringAttr)
    """The cost model that predicted it, if one did."""
    threads = opt_prop_def(IntegerAttr)
    """The intra-op threads one-stream code runs on by default, when the pipeline chose them (else the caller's)."""

    _HEADER: ClassVar[tuple[str, ...]] = ("cost_model", "pipeline", "predicted_speedup", "threads", "torch_version")

    def __init__(
        self,
        model_name: str,
        inputs: Sequence[tuple[str, ValueType]],
        output_names: Sequence[str],
        pipeline: str,
        torch_version: str,
        predicted_speedup: float | None,
        body: Region | None = None,
        cost_model: str | None = None,
        threads: int | None = None,
    ) -> None:
        properties = Program.signature(inputs, output_names) | {
            "model_name": StringAttr(model_name),
            "pipeline": StringAttr(pipeline),
            "torch_version": StringAttr(torch_version),
        }
        if predicted_speedup is not None:
            properties["predicted_speedup"] = FloatAttr(predicted_speedup, f64)
        if cost_model is not None:
            properties["cost_model"] = StringAttr(cost_model)
        if threads is not None:
            properties["threads"] = IntegerAttr(threads, i64)
        super().__init__(properties=properties, regions=[body or Region(Block())])

    @property
    def weights(self) -> Iterator[WeightOp]:
        """The weight ops, in order."""
        return (op for op in self.body.block.ops if isinstance(op, WeightOp))

    def check_top_level(self, op: Operation) -> None:
        if not isinstance(op, WeightOp):
            raise VerifyException(f"'{op.name}' cannot be a top-level op of pyemit.module")

    @classmethod
    def parse(cls, parser: Parser) -> PyModuleOp:
        model_name = parser.parse_str_literal("model name expected")
        signature = Program.parse_signature(parser)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        props, discardable = split_attributes(cls, dict(attrs.data) if attrs else {})
        body = parser.parse_region()
        return cls.create(
            properties=signature | {"model_name": StringAttr(model_name)} | props,
            attributes=discardable,
            regions=[body],
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.model_name.data)
        self.print_signature(printer)
        header = {k: v for k, v in self.properties.items() if k in self._HEADER}
        printer.print_op_attributes(header | dict(self.attributes), print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body)

    def verify_(self) -> None:
        super().verify_()
        names = [w.weight_name.data for w in self.weights]
        if len(set(names)) != len(names):
            duplicate = next(n for n in names if names.count(n) > 1)
            raise VerifyException(f"weight '{duplicate}' is defined twice")
        if self.threads is not None:
            if self.threads.value.data < 1:
                raise VerifyException(f"threads must be at least 1, not {self.threads.value.data}")
            if len(self.streams) > 1:
                raise VerifyException("threads is set for one-stream code only: each of several streams takes its share")


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

    traits = traits_def(Pure(), HasParent(PyModuleOp))

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
        props, discardable = split_attributes(cls, parser.parse_optional_attr_dict())
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
        name = self.weight_name.data
        if not name:
            raise VerifyException("a weight needs a non-empty name")
        # The generated Model registers each weight as a buffer of this name.
        if identifier(name) != name or name in MODEL_ATTRIBUTES:
            raise VerifyException(
                f"weight name {name!r} cannot name a buffer of the generated Model: it must be an "
                "identifier that does not start with '_' and is no torch.nn.Module attribute"
            )
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
class YieldOp(YieldForm):
    """The end of a branch of `pyemit.if` or of the body of `pyemit.loop`: the values it assigns.

        pyemit.yield %a : tensor<1x10xf32>
    """

    name = "pyemit.yield"

    @classmethod
    def parents(cls) -> tuple[type[IRDLOperation], ...]:
        return (IfOp, LoopOp)


@irdl_op_definition
class IfOp(IfForm, IRDLOperation):
    """A Python `if` statement in a stream, lowered from `dfg.if` (same form, same checks).

        %y = pyemit.if %c, captures(%h) {comment = "If branch"} : (tensor<i1>, tensor<1x4xf32>) -> tensor<1x4xf32> then {
        ^bb0(%h_1 : tensor<1x4xf32>):
          %a = pyemit.call "torch.relu({0})"(%h_1) : (tensor<1x4xf32>) -> tensor<1x4xf32>
          pyemit.yield %a : tensor<1x4xf32>
        } else {
        ^bb0(%h_2 : tensor<1x4xf32>):
          pyemit.yield %h_2 : tensor<1x4xf32>
        }

    prints as

        if c:  # If branch
            a = torch.relu(h)
            y = a
        else:
            y = h

    A branch's arguments are the captured values under their own names; it reads
    the weights directly.
    """

    name = "pyemit.if"

    TERMINATOR: ClassVar[type[IRDLOperation]] = YieldOp
    READS_DIRECTLY: ClassVar[tuple[type[Operation], ...]] = (WeightOp,)

    comment = opt_prop_def(StringAttr)
    """Where the If comes from, for the reader."""
    cond = operand_def(TensorType)
    captured = var_operand_def(ValueType)
    then_branch = region_def("single_block")
    else_branch = region_def("single_block")
    outputs = var_result_def(ValueType)

    traits = traits_def(Pure())

    def __init__(
        self,
        cond: SSAValue,
        captured: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        then_branch: Region,
        else_branch: Region,
        comment: str | None = None,
    ) -> None:
        super().__init__(
            operands=[cond, list(captured)],
            result_types=[list(result_types)],
            regions=[then_branch, else_branch],
            properties={} if comment is None else {"comment": StringAttr(comment)},
        )

    @classmethod
    def parse(cls, parser: Parser) -> IfOp:
        return cast(IfOp, parse_if(cls, parser))

    def verify_(self) -> None:
        _verify_statement_parent(self)
        self.verify_branches()


def _verify_statement_parent(op: Operation) -> None:
    """`op`, a statement, is in a stream or in a region of an `if` or a loop there."""
    if not isinstance(op.parent_op(), StreamOp | IfOp | LoopOp):
        raise VerifyException(
            f"'{op.name}' expects parent op 'streams.stream', 'pyemit.if' or 'pyemit.loop'"
        )


@irdl_op_definition
class LoopOp(LoopForm, IRDLOperation):
    """A Python loop in a stream, lowered from `dfg.loop` (same form, same checks).

        %v, %s = pyemit.loop trips(%m) carried(%v0) captures(%x) {comment = "Loop"} : (tensor<i64>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) body {
        ^bb0(%i : tensor<i64>, %v_in : tensor<2xf32>, %x_in : tensor<2xf32>):
          %next = pyemit.call "{0} + {1}"(%v_in, %x_in) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
          pyemit.yield %next, %v_in : tensor<2xf32>, tensor<2xf32>
        }

    prints as

        v = v0
        s_slices = []
        for _ in range(int(m)):  # Loop
            next_ = v + x
            s_slices.append(v)
            v = next_
        s = torch.stack(s_slices)

    A loop with a condition checks it before every iteration (`while` when it has
    no trip count); the carried values live under the names of the loop's results,
    and a slice is appended before they change.
    """

    name = "pyemit.loop"

    TERMINATOR: ClassVar[type[IRDLOperation]] = YieldOp
    READS_DIRECTLY: ClassVar[tuple[type[Operation], ...]] = (WeightOp,)

    comment = opt_prop_def(StringAttr)
    """Where the loop comes from, for the reader."""
    M = opt_operand_def(TensorType)
    cond = opt_operand_def(TensorType)
    v_initial = var_operand_def(ValueType)
    captured = var_operand_def(ValueType)
    body = region_def("single_block")
    v_final_and_scan_outputs = var_result_def(ValueType)

    traits = traits_def(Pure())
    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(
        self,
        trips: SSAValue | None,
        cond: SSAValue | None,
        inits: Sequence[SSAValue],
        captured: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        body: Region,
        comment: str | None = None,
    ) -> None:
        super().__init__(
            operands=[trips, cond, list(inits), list(captured)],
            result_types=[list(result_types)],
            regions=[body],
            properties={} if comment is None else {"comment": StringAttr(comment)},
        )

    @classmethod
    def parse(cls, parser: Parser) -> LoopOp:
        return cast(LoopOp, parse_loop(cls, parser))

    def verify_(self) -> None:
        _verify_statement_parent(self)
        self.verify_body()


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
    args = var_operand_def(ValueType)
    outputs = var_result_def(ValueType)

    traits = traits_def(Pure(), HasParent(StreamOp, IfOp, LoopOp))

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
        props, discardable = split_attributes(cls, attrs)
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


PyEmit = Dialect("pyemit", [PyModuleOp, WeightOp, CallOp, IfOp, LoopOp, YieldOp])
