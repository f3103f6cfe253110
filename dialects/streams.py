"""The `streams` dialect: a program split into streams that hand values to each other.

A target-neutral form of a scheduled graph. Each `streams.stream` holds the ops
of one stream in execution order; a value crosses to another stream only through
a `streams.send` and the `streams.recv`s of one slot; the program's top level
holds what every stream may read (constants, and what loading computes from them):

    streams.program inputs("x" : tensor<1x4xf32>) outputs("y") {
      %b = dfg.constant dense<1.0> : tensor<4xf32>
      streams.stream 0 {
        %x = streams.input {index = 0} : tensor<1x4xf32>
        %r = dfg.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
        streams.send %r {slot = 0}
        %s = streams.recv {slot = 1} : tensor<1x4xf32>
        %y = dfg.add %r, %s : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
        streams.output %y {index = 0}
      }
      streams.stream 1 {
        %r = streams.recv {slot = 0} : tensor<1x4xf32>
        %s = dfg.mul %r, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
        streams.send %s {slot = 1}
      }
    }

A target's program op (`pyemit.module`) derives from `Program` and keeps these
stream ops. The verifier checks that values cross streams only through hand-offs,
and that the hand-offs cannot deadlock when every stream runs its ops in order.
`prune` removes what no output needs, hand-offs included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import ClassVar, cast

from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, Block, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import ConstantLike, HasParent, NoTerminator, OpTrait
from xdsl.transforms.dead_code_elimination import is_trivially_dead
from xdsl.utils.exceptions import VerifyException

from ramiel.dialects.types import SequenceType, ValueType


class LoadTime(OpTrait):
    """The op depends on its operands alone: when they are all top-level values (weights), it is computed once, when the model loads, instead of on every call."""


def split_attributes(
    op_type: type[IRDLOperation], attrs: dict[str, Attribute]
) -> tuple[dict[str, Attribute], dict[str, Attribute]]:
    """Split a parsed attribute dictionary into the op's properties and discardable attributes."""
    names = op_type.get_irdl_definition().properties
    return (
        {k: v for k, v in attrs.items() if k in names},
        {k: v for k, v in attrs.items() if k not in names},
    )


class Program(IRDLOperation):
    """Base of the ops that hold a program: its signature, its top-level values and its streams.

    The signature is written `inputs("name" : type, ...) outputs("name", ...)`; the
    inputs are the graph inputs in order, with their names, and the outputs are named
    likewise. A subclass decides which ops its top level may hold (`check_top_level`).
    """

    input_names = prop_def(ArrayAttr[StringAttr])
    """The names of the graph inputs, in order."""
    input_types = prop_def(ArrayAttr[ValueType])
    """The types of the graph inputs, in order."""
    output_names = prop_def(ArrayAttr[StringAttr])
    """The names of the graph outputs, in order."""

    body = region_def("single_block")

    traits = traits_def(NoTerminator())

    @staticmethod
    def signature(inputs: Sequence[tuple[str, ValueType]], output_names: Sequence[str]) -> dict[str, Attribute]:
        """The signature properties of a program with these inputs and outputs."""
        return {
            "input_names": ArrayAttr([StringAttr(n) for n, _ in inputs]),
            "input_types": ArrayAttr([t for _, t in inputs]),
            "output_names": ArrayAttr([StringAttr(n) for n in output_names]),
        }

    @property
    def streams(self) -> list[StreamOp]:
        """The stream ops, in order."""
        return [op for op in self.body.block.ops if isinstance(op, StreamOp)]

    def num_slots(self) -> int:
        """The number of hand-off slots."""
        return sum(isinstance(op, SendOp) for op in self.walk())

    def check_top_level(self, op: Operation) -> None:
        """Raise VerifyException unless `op` may be a top-level op (streams aside): a constant,
        or a load-time op of top-level values."""
        if op.has_trait(ConstantLike) or (op.has_trait(LoadTime) and self.reads_top_level_only(op)):
            return
        raise VerifyException(
            f"'{op.name}' cannot be a top-level op of {self.name}: only constants and "
            "load-time ops of top-level values can"
        )

    def reads_top_level_only(self, op: Operation) -> bool:
        """Whether every operand of `op` is a top-level value of this program."""
        return all(isinstance(v.owner, Operation) and v.owner.parent_op() is self for v in op.operands)

    @staticmethod
    def parse_signature(parser: Parser) -> dict[str, Attribute]:
        """The signature properties, parsed from `inputs(...) outputs(...)`."""
        parser.parse_keyword("inputs")

        def parse_input() -> tuple[str, ValueType]:
            name = parser.parse_str_literal("input name expected")
            parser.parse_punctuation(":")
            pos = parser.pos
            t = parser.parse_type()
            if not isinstance(t, TensorType | SequenceType):
                parser.raise_error("graph inputs must be tensors or sequences", pos, parser.pos)
            return name, cast(ValueType, t)

        inputs = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parse_input)
        parser.parse_keyword("outputs")
        outputs = parser.parse_comma_separated_list(
            parser.Delimiter.PAREN, lambda: parser.parse_str_literal("output name expected")
        )
        return Program.signature(inputs, outputs)

    def print_signature(self, printer: Printer) -> None:
        """Print ` inputs(...) outputs(...)`."""
        printer.print_string(" inputs(")
        pairs = zip(self.input_names, self.input_types, strict=True)

        def print_input(pair: tuple[StringAttr, ValueType]) -> None:
            printer.print_string_literal(pair[0].data)
            printer.print_string(" : ")
            printer.print_attribute(pair[1])

        printer.print_list(pairs, print_input)
        printer.print_string(") outputs(")
        printer.print_list(self.output_names, lambda n: printer.print_string_literal(n.data))
        printer.print_string(")")

    def verify_(self) -> None:
        if len(self.input_names) != len(self.input_types):
            raise VerifyException("input names and input types differ in number")
        for op in self.body.block.ops:
            if not isinstance(op, StreamOp):
                self.check_top_level(op)
        streams = self.streams
        if not streams:
            raise VerifyException(f"a {self.name} needs at least one stream")
        for index, stream in enumerate(streams):
            if stream.index.value.data != index:
                raise VerifyException(
                    f"stream #{index} has index {stream.index.value.data}; streams must be "
                    "numbered 0, 1, ... in order"
                )
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
                        f"input {index} has type {self.input_types.data[index]}, not {op.result.type}"
                    )
            elif isinstance(op, OutputOp):
                outputs.append(op.index.value.data)
        if sorted(outputs) != list(range(len(self.output_names))):
            raise VerifyException(
                f"expected each of the {len(self.output_names)} outputs set exactly once, "
                f"got output indices {sorted(outputs)}"
            )

    def _verify_hand_offs(self, streams: Sequence[StreamOp]) -> None:
        """Slots are numbered densely, each sent once and received only elsewhere, and nothing deadlocks."""
        senders: dict[int, tuple[int, SendOp]] = {}
        received: dict[tuple[int, int], RecvOp] = {}
        for stream in streams:
            s = stream.index.value.data
            for op in stream.body.block.ops:
                if isinstance(op, SendOp):
                    if op.slot.value.data in senders:
                        raise VerifyException(f"slot {op.slot.value.data} is sent twice")
                    senders[op.slot.value.data] = (s, op)
                elif isinstance(op, RecvOp):
                    if (s, op.slot.value.data) in received:
                        raise VerifyException(f"stream {s} receives slot {op.slot.value.data} twice")
                    received[(s, op.slot.value.data)] = op
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
                    f"slot {slot} sends {send.value.type} but stream {s} receives {recv.result.type}"
                )
        _check_no_deadlock(streams)


def _check_no_deadlock(streams: Sequence[StreamOp]) -> None:
    """The hand-off graph must be acyclic.

    Its nodes are the hand-offs at their positions in their streams; each follows the
    one before it in its stream, and a recv follows the send of its slot. A cycle is
    a set of streams each waiting for another; the error names its first recv.
    """
    import networkx as nx  # here, not at the top: every ramiel-opt run loads this dialect

    graph: nx.DiGraph[tuple[int, int]] = nx.DiGraph()
    sends: dict[int, tuple[int, int]] = {}
    recvs: list[tuple[tuple[int, int], int]] = []
    for s, stream in enumerate(streams):
        previous: tuple[int, int] | None = None
        for position, op in enumerate(stream.body.block.ops):
            if not isinstance(op, SendOp | RecvOp):
                continue
            node = (s, position)
            graph.add_node(node)
            if previous is not None:
                graph.add_edge(previous, node)
            previous = node
            if isinstance(op, SendOp):
                sends[op.slot.value.data] = node
            else:
                recvs.append((node, op.slot.value.data))
    for node, slot in recvs:
        graph.add_edge(sends[slot], node)
    waiting = {node for component in nx.strongly_connected_components(graph) if len(component) > 1 for node in component}
    stuck = sorted((node, slot) for node, slot in recvs if node in waiting)
    if stuck:
        (s, _), slot = stuck[0]
        raise VerifyException(f"the hand-offs deadlock: stream {s} waits for slot {slot} forever")


@irdl_op_definition
class ProgramOp(Program):
    """A program of streams, before any target takes it over.

        streams.program inputs("data" : tensor<1x3xf32>) outputs("prob") {
          ...
        }
    """

    name = "streams.program"

    def __init__(
        self, inputs: Sequence[tuple[str, ValueType]], output_names: Sequence[str], body: Region | None = None
    ) -> None:
        super().__init__(properties=Program.signature(inputs, output_names), regions=[body or Region(Block())])

    @classmethod
    def parse(cls, parser: Parser) -> ProgramOp:
        properties = Program.parse_signature(parser)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        return cls.create(
            properties=properties, attributes=dict(attrs.data) if attrs else {}, regions=[parser.parse_region()]
        )

    def print(self, printer: Printer) -> None:
        self.print_signature(printer)
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body)


@irdl_op_definition
class StreamOp(IRDLOperation):
    """The ops of one stream, in execution order.

        streams.stream 1 {
          %a = streams.recv {slot = 0} : tensor<4xf32>
          ...
        }
    """

    name = "streams.stream"

    index = prop_def(IntegerAttr[I64])
    """The stream's number; stream 0 runs on the caller's thread."""
    body = region_def("single_block")

    traits = traits_def(NoTerminator())

    def __init__(self, index: int, body: Region | None = None) -> None:
        super().__init__(properties={"index": IntegerAttr(index, i64)}, regions=[body or Region(Block())])

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
        program = self.parent_op()
        if program is not None and not isinstance(program, Program):
            raise VerifyException(f"'{self.name}' expects a program as parent op, not '{program.name}'")
        for op in self.body.block.ops:
            for operand in op.operands:
                owner = operand.owner
                if not isinstance(owner, Operation) or owner.parent_op() not in (self, program):
                    raise VerifyException(
                        f"stream {self.index.value.data} uses a value of another stream; "
                        "values cross streams only through streams.send and streams.recv"
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

        %data = streams.input {index = 0} : tensor<1x3x224x224xf32>
    """

    name = "streams.input"
    KEY: ClassVar[str] = "index"

    index = prop_def(IntegerAttr[I64])
    """The input's position in the model's inputs."""
    result = result_def(ValueType)

    traits = traits_def(HasParent(StreamOp))

    def __init__(self, index: int, result_type: Attribute) -> None:
        super().__init__(properties={"index": IntegerAttr(index, i64)}, result_types=[result_type])


@irdl_op_definition
class OutputOp(_SlotOp):
    """Sets graph output `index`.

        streams.output %prob {index = 0}
    """

    name = "streams.output"
    KEY: ClassVar[str] = "index"

    value = operand_def(ValueType)
    index = prop_def(IntegerAttr[I64])
    """The output's position in the model's outputs."""

    traits = traits_def(HasParent(StreamOp))

    def __init__(self, value: SSAValue, index: int) -> None:
        super().__init__(operands=[value], properties={"index": IntegerAttr(index, i64)})


@irdl_op_definition
class SendOp(_SlotOp):
    """Hands a value to the other streams through `slot`.

        streams.send %conv2 {slot = 3}
    """

    name = "streams.send"
    KEY: ClassVar[str] = "slot"

    value = operand_def(ValueType)
    slot = prop_def(IntegerAttr[I64])
    """The hand-off slot."""

    traits = traits_def(HasParent(StreamOp))

    def __init__(self, value: SSAValue, slot: int) -> None:
        super().__init__(operands=[value], properties={"slot": IntegerAttr(slot, i64)})


@irdl_op_definition
class RecvOp(_SlotOp):
    """Waits for the value another stream sends through `slot`.

        %conv2 = streams.recv {slot = 3} : tensor<1x64x56x56xf32>
    """

    name = "streams.recv"
    KEY: ClassVar[str] = "slot"

    slot = prop_def(IntegerAttr[I64])
    """The hand-off slot."""
    result = result_def(ValueType)

    traits = traits_def(HasParent(StreamOp))

    def __init__(self, slot: int, result_type: Attribute) -> None:
        super().__init__(properties={"slot": IntegerAttr(slot, i64)}, result_types=[result_type])


# Pruning.


def prune(program: Program) -> None:
    """Remove from `program` what no output needs, and renumber what is left.

    Unused ops without side effects go, in the streams and at the top level, and so
    do unused inputs and recvs, and sends that no stream receives, until nothing
    more can go. Slots are then renumbered densely in their old order; a stream
    left holding only inputs and outputs is merged into a neighbour (the next one
    for stream 0, else the one before), and the streams are renumbered.
    """
    _remove_dead(program)
    _renumber_slots(program)
    streams = program.streams
    for position, stream in reversed(list(enumerate(streams))):
        if len(streams) > 1 and all(isinstance(op, InputOp | OutputOp) for op in stream.body.block.ops):
            neighbour = streams[position + 1] if position == 0 else streams[position - 1]
            _merge(stream, neighbour)
            streams.remove(stream)
    for index, stream in enumerate(streams):
        stream.index = IntegerAttr(index, i64)


def _remove_dead(program: Program) -> None:
    """Erase dead ops, following each erased op to its operands' owners and each erased recv to its send."""
    receivers: defaultdict[int, set[RecvOp]] = defaultdict(set)
    senders: dict[int, SendOp] = {}
    for op in program.walk():
        if isinstance(op, RecvOp):
            receivers[op.slot.value.data].add(op)
        elif isinstance(op, SendOp):
            senders[op.slot.value.data] = op
    top = program.body.block
    worklist = [op for op in top.ops if not isinstance(op, StreamOp)]
    worklist += [op for stream in program.streams for op in stream.body.block.ops]
    erased: set[Operation] = set()
    while worklist:
        op = worklist.pop()
        if op in erased or not _is_dead(op, receivers):
            continue
        if isinstance(op, RecvOp):
            receivers[op.slot.value.data].discard(op)
            if not receivers[op.slot.value.data] and op.slot.value.data in senders:
                worklist.append(senders[op.slot.value.data])
        owners = [v.owner for v in op.operands]
        op.detach()
        op.erase()
        erased.add(op)
        worklist.extend(o for o in owners if isinstance(o, Operation) and o not in erased)


def _is_dead(op: Operation, receivers: defaultdict[int, set[RecvOp]]) -> bool:
    if isinstance(op, SendOp):
        return not receivers[op.slot.value.data]
    if isinstance(op, InputOp | RecvOp):
        return op.result.first_use is None
    return not isinstance(op, OutputOp | StreamOp) and is_trivially_dead(op)


def _renumber_slots(program: Program) -> None:
    """Number the slots left 0, 1, ... in their old order."""
    hand_offs = [op for op in program.walk() if isinstance(op, SendOp | RecvOp)]
    slots = sorted({op.slot.value.data for op in hand_offs})
    dense = {slot: i for i, slot in enumerate(slots)}
    for op in hand_offs:
        op.slot = IntegerAttr(dense[op.slot.value.data], i64)


def _merge(stream: StreamOp, into: StreamOp) -> None:
    """Move the inputs and outputs of `stream` into `into`: inputs at its top, outputs at its end, in index order."""
    block = into.body.block
    reads = {op.index.value.data: op for op in block.ops if isinstance(op, InputOp)}
    for op in list(stream.body.block.ops):
        op.detach()
        if not isinstance(op, InputOp):
            block.add_op(op)
        elif (kept := reads.get(op.index.value.data)) is not None:
            op.result.replace_all_uses_with(kept.result)
            op.erase()
        else:
            reads[op.index.value.data] = op
    stream.detach()
    stream.erase()
    inputs = [reads[i] for i in sorted(reads)]
    outputs = sorted(_trailing_outputs(block), key=lambda o: o.index.value.data)
    for op in (*inputs, *outputs):
        if op.parent_block() is not None:
            op.detach()
    first = block.first_op
    for op in inputs:
        if first is None:
            block.add_op(op)
        else:
            block.insert_op_before(op, first)
    block.add_ops(outputs)


def _trailing_outputs(block: Block) -> list[OutputOp]:
    """The outputs that end `block`."""
    ops = list(block.ops)
    tail = len(ops)
    while tail > 0 and isinstance(ops[tail - 1], OutputOp):
        tail -= 1
    return cast(list[OutputOp], ops[tail:])


Streams = Dialect("streams", [ProgramOp, StreamOp, InputOp, OutputOp, SendOp, RecvOp])
