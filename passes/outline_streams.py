"""The `outline-streams` pass: a scheduled function becomes a `streams.program` with explicit hand-offs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.ir import Block, BlockArgument, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import ConstantLike

from ramiel.dialects.dfg.base import op_label
from ramiel.dialects.streams import (
    InputOp,
    LoadTime,
    OutputOp,
    ProgramOp,
    RecvOp,
    SendOp,
    StreamOp,
)
from ramiel.errors import RamielError
from ramiel.frontend.onnx_import import NAME_ATTR
from ramiel.ir_graph import STREAM, main_function


@dataclass(frozen=True)
class OutlineStreams(ModulePass):
    """Outline the module's function into a `streams.program`: one `streams.stream` per stream, hand-offs explicit.

        func.func @main(%x: tensor<4xf32> {dfg.name = "x"}) -> (tensor<4xf32> {dfg.name = "y"}) {
          %r = dfg.relu %x {stream = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
          %e = dfg.exp %r {stream = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
          %y = dfg.add %r, %e {stream = 0 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
          func.return %y : tensor<4xf32>
        }

    becomes

        streams.program inputs("x" : tensor<4xf32>) outputs("y") {
          streams.stream 0 {
            %x = streams.input {index = 0} : tensor<4xf32>
            %r = dfg.relu %x : (tensor<4xf32>) -> tensor<4xf32>
            streams.send %r {slot = 0}
            %e = streams.recv {slot = 1} : tensor<4xf32>
            %y = dfg.add %r, %e : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
            streams.output %y {index = 0}
          }
          streams.stream 1 {
            %r_1 = streams.recv {slot = 0} : tensor<4xf32>
            %e_1 = dfg.exp %r_1 : (tensor<4xf32>) -> tensor<4xf32>
            streams.send %e_1 {slot = 1}
          }
        }

    Each op keeps its stream (the `stream` attribute; a function without any is one
    stream, and the numbers become 0, 1, ... in their order) and its place in that
    stream's order. Constants, and load-time ops of them, go to the top level,
    ordered by first use. A value other streams read is sent once, right after the
    op that computes it, and received once by each of them, right before its first
    use there; each stream reads the graph inputs it uses first. Graph outputs are
    set at the end of the stream that computes them (stream 0 for inputs and constants).
    """

    name = "outline-streams"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        main = main_function(op)
        program = _Outliner(main).program()
        op.body.block.insert_op_after(program, main)
        op.body.block.erase_op(main)


def _names(attrs: ArrayAttr[DictionaryAttr] | None, count: int, prefix: str) -> list[str]:
    """The ONNX names of a function's arguments or results (`prefix<i>` if unnamed)."""
    names: list[str] = []
    for i in range(count):
        name = attrs.data[i].data.get(NAME_ATTR) if attrs is not None else None
        names.append(name.data if isinstance(name, StringAttr) else f"{prefix}{i}")
    return names


class _Outliner:
    """Moves the ops of one function into the top level and the streams of a new program."""

    def __init__(self, main: func.FuncOp) -> None:
        self.main = main
        self.block = main.body.block
        ret = self.block.last_op
        assert isinstance(ret, func.ReturnOp)
        self.ret = ret
        ops = [op for op in self.block.ops if op is not ret]
        self.top = _top_level(ops)
        self.stream_of = _streams([op for op in ops if op not in self.top])

    def home(self, value: SSAValue) -> int:
        """The stream that computes `value` (stream 0 for inputs and top-level values)."""
        return self.stream_of.get(cast(Operation, value.owner), 0)

    def program(self) -> ProgramOp:
        returned = list(self.ret.arguments)
        inputs = _names(self.main.arg_attrs, len(self.block.args), "input")
        outputs = _names(self.main.res_attrs, len(returned), "output")
        program = ProgramOp([(n, cast(TensorType, a.type)) for n, a in zip(inputs, self.block.args, strict=True)], outputs)
        top = program.body.block
        streams = [StreamOp(s) for s in range(max(self.stream_of.values(), default=0) + 1)]
        blocks = [stream.body.block for stream in streams]
        local = self._read_inputs(blocks, returned)
        for op in _first_use_order(self.top, self.block):
            op.detach()
            op.attributes.pop(STREAM, None)
            top.add_op(op)
        self._move_ops(blocks, local)
        for index, value in enumerate(returned):
            s = self.home(value)
            blocks[s].add_op(OutputOp(local.get((s, value), value), index))
        self.block.erase_op(self.ret)
        top.add_ops(streams)
        return program

    def _read_inputs(self, streams: list[Block], returned: list[SSAValue]) -> dict[tuple[int, SSAValue], SSAValue]:
        """Read, at the top of each stream, the graph inputs it uses; the value of each in each stream."""
        used = {(self.stream_of[u.operation], arg) for arg in self.block.args for u in arg.uses if u.operation in self.stream_of}
        used |= {(self.home(v), v) for v in returned if isinstance(v, BlockArgument)}
        local: dict[tuple[int, SSAValue], SSAValue] = {}
        for s, block in enumerate(streams):
            for arg in self.block.args:
                if (s, arg) in used:
                    read = InputOp(arg.index, arg.type)
                    read.result.name_hint = arg.name_hint
                    block.add_op(read)
                    local[(s, arg)] = read.result
        return local

    def _move_ops(self, streams: list[Block], local: dict[tuple[int, SSAValue], SSAValue]) -> None:
        """Move each stream op into its stream, sending and receiving what crosses streams."""
        slots: dict[SSAValue, int] = {}
        for op in [op for op in self.block.ops if op in self.stream_of]:
            s = self.stream_of[op]
            for index, value in enumerate(op.operands):
                if isinstance(value, BlockArgument):
                    op.operands[index] = local[(s, value)]
                elif value.owner in self.stream_of and self.home(value) != s:
                    if (s, value) not in local:
                        recv = RecvOp(slots[value], value.type)
                        recv.result.name_hint = value.name_hint
                        streams[s].add_op(recv)
                        local[(s, value)] = recv.result
                    op.operands[index] = local[(s, value)]
            op.detach()
            op.attributes.pop(STREAM, None)
            streams[s].add_op(op)
            for result in op.results:
                if any(self.stream_of.get(u.operation, s) != s for u in result.uses):
                    slots[result] = len(slots)
                    streams[s].add_op(SendOp(result, slots[result]))


def _top_level(ops: list[Operation]) -> set[Operation]:
    """Constants, and load-time ops of top-level values: what the program's top level holds."""
    top: set[Operation] = set()
    for op in ops:
        if op.has_trait(ConstantLike) or (op.has_trait(LoadTime) and all(v.owner in top for v in op.operands)):
            top.add(op)
    return top


def _streams(ops: list[Operation]) -> dict[Operation, int]:
    """Each op's stream, numbered densely from 0 in the order of the stream numbers."""
    marks = {op: op.attributes.get(STREAM) for op in ops}
    if all(m is None for m in marks.values()):
        return dict.fromkeys(ops, 0)
    unmarked = next((op for op, m in marks.items() if not isinstance(m, IntegerAttr)), None)
    if unmarked is not None:
        raise RamielError(
            "some ops have a 'stream' attribute and others do not (or not an integer)", op_label(unmarked)
        )
    numbers = {op: cast(IntegerAttr, m).value.data for op, m in marks.items()}
    dense = {s: i for i, s in enumerate(sorted(set(numbers.values())))}
    return {op: dense[s] for op, s in numbers.items()}


def _first_use_order(top: set[Operation], block: Block) -> list[Operation]:
    """The top-level ops in the order the function first uses them (a use by a top-level op counts as that
    op's first use), unused ones last; ties in block order, which keeps definitions before uses."""
    ops = list(block.ops)
    position = {op: i for i, op in enumerate(ops)}
    unused = (len(ops) + 1, 0)
    first: dict[Operation, tuple[int, int]] = {}
    for op in reversed(ops):
        if op in top:
            # A use inside a branch counts as a use by the op holding the branch.
            users = ((cast(Operation, block.find_ancestor_op_in_block(u.operation)), u.index) for r in op.results for u in r.uses)
            first[op] = min(
                (first[user] if user in top else (position[user], index) for user, index in users),
                default=unused,
            )
    return sorted(top, key=lambda op: (first[op], position[op]))
