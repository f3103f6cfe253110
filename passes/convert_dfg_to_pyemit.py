"""Lowering of a scheduled `dfg` module to the `pyemit` program that prints as Python.

    func.func @main(%x: tensor<1x4xf32> {dfg.name = "x"}) -> (tensor<1x4xf32> {dfg.name = "y"}) {
      %b = dfg.constant dense<1.0> : tensor<4xf32>
      %r = dfg.relu %x {stream = 0 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
      %s = dfg.mul %r, %b {stream = 1 : i64} : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
      %y = dfg.add %r, %s {stream = 0 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
      func.return %y : tensor<1x4xf32>
    }

becomes

    pyemit.module "main" inputs("x" : tensor<1x4xf32>) outputs("y") attributes {...} {
      %b = pyemit.weight "b" = dense<1.000000e+00> : tensor<4xf32>
      pyemit.stream 0 {
        %x = pyemit.input {index = 0} : tensor<1x4xf32>
        %r = pyemit.call "torch.relu({0})"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
        pyemit.send %r {slot = 0}
        %s = pyemit.recv {slot = 1} : tensor<1x4xf32>
        %y = pyemit.call "{0} + {1}"(%r, %s) : ...
        pyemit.output %y {index = 0}
      }
      pyemit.stream 1 {
        %r = pyemit.recv {slot = 0} : tensor<1x4xf32>
        %s = pyemit.call "{0} * {1}"(%r, %b) : ...
        pyemit.send %s {slot = 1}
      }
    }

Each op keeps its stream (the `stream` attribute; a module without one is one
stream) and its place in that stream's order. A value needed by other streams is
sent once, right after the op that computes it; each stream that needs it
receives it once, right before its first use there. Graph inputs are read in any
stream that uses them. Constants become weights, except those a kernel folded
into its expression (such as Reshape's shape), and ops whose results only fed
such folded inputs are dropped. Graph outputs are set at the end of the stream
that computes them (stream 0 for inputs and weights).

Header facts come from the module's discardable attributes: `ramiel.model`,
`ramiel.pipeline` and `ramiel.predicted_speedup` (set by the compile driver;
absent ones give the defaults below, and one stream's speedup is 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import cast

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    NameLoc,
    StringAttr,
    TensorType,
)
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass

from ramiel.codegen.names import Namer
from ramiel.dialects.dfg import ConstantOp, DfgOp
from ramiel.dialects.pyemit import (
    PLACEHOLDER,
    CallOp,
    InputOp,
    OutputOp,
    PyModuleOp,
    RecvOp,
    SendOp,
    StreamOp,
    WeightOp,
)
from ramiel.errors import RamielError
from ramiel.frontend.onnx_import import NAME_ATTR

MODEL_ATTR = "ramiel.model"
"""Module attribute naming the model (default: `main`)."""
PIPELINE_ATTR = "ramiel.pipeline"
"""Module attribute holding the pass pipeline (default: empty)."""
SPEEDUP_ATTR = "ramiel.predicted_speedup"
"""Module attribute holding the schedule's predicted speedup (default: 1 for one stream, else unknown)."""
STREAM_ATTR = "stream"
"""The op attribute the scheduling passes set: the op's stream."""

# Kernel inputs are emitted as these atoms, then turned into `{i}` placeholders.
_ATOM = re.compile(r"\b_in(\d+)_\b")


@dataclass(frozen=True)
class ConvertDfgToPyemit(ModulePass):
    """Lower the scheduled `dfg` function `@main` to a `pyemit.module`, one stream function per stream."""

    name = "convert-dfg-to-pyemit"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        main = next(
            (f for f in op.ops if isinstance(f, func.FuncOp) and f.sym_name.data == "main"), None
        )
        if main is None:
            raise RamielError("no func.func @main to lower", "convert-dfg-to-pyemit")
        program = _Lowering(main, op).program()
        op.body.block.insert_op_after(program, main)
        op.body.block.erase_op(main)


def _torch_version() -> str:
    try:
        return version("torch")
    except PackageNotFoundError:
        return "unknown"


def _label(op: Operation) -> str:
    location = op.location
    return location.desc.data if isinstance(location, NameLoc) else op.name


def _names(attrs: ArrayAttr[DictionaryAttr] | None, count: int, prefix: str) -> list[str]:
    """The ONNX names of a function's arguments or results (`prefix<i>` if unnamed)."""
    names: list[str] = []
    for i in range(count):
        name = attrs.data[i].data.get(NAME_ATTR) if attrs is not None else None
        names.append(name.data if isinstance(name, StringAttr) else f"{prefix}{i}")
    return names


@dataclass
class _Kernel:
    """A live op's kernel call: the template and the ONNX inputs it reads."""

    expr: str
    helpers: frozenset[str]
    inputs: list[SSAValue]


class _Lowering:
    """Builds the `pyemit.module` of one `dfg` function."""

    def __init__(self, main: func.FuncOp, module: ModuleOp) -> None:
        self.main = main
        self.module = module
        self.block = main.body.block
        terminator = self.block.last_op
        assert isinstance(terminator, func.ReturnOp)
        self.returned: list[SSAValue] = list(terminator.arguments)
        self.kernels = self._kernels()
        self.stream_of = self._streams()

    # Analysis.

    def _kernels(self) -> dict[DfgOp, _Kernel]:
        """The kernel call of every live op: one whose results reach an output."""
        live: set[SSAValue] = set(self.returned)
        kernels: dict[DfgOp, _Kernel] = {}
        for op in reversed(list(self.block.ops)):
            if isinstance(op, ConstantOp | func.ReturnOp):
                continue
            if not isinstance(op, DfgOp):
                raise RamielError(f"cannot lower '{op.name}' to Python", _label(op))
            if not any(r in live for r in op.results):
                continue
            kernel = _emit(op)
            kernels[op] = kernel
            live.update(kernel.inputs)
        return kernels

    def _streams(self) -> dict[Operation, int]:
        """Each live op's stream, numbered densely from 0 in the order of the stream numbers."""
        marks = {op: op.attributes.get(STREAM_ATTR) for op in self.kernels}
        if all(m is None for m in marks.values()):
            return dict.fromkeys(self.kernels, 0)
        unmarked = next((op for op, m in marks.items() if not isinstance(m, IntegerAttr)), None)
        if unmarked is not None:
            raise RamielError(
                "some ops have a 'stream' attribute and others do not (or not an integer)",
                _label(unmarked),
            )
        numbers = {op: cast(IntegerAttr, m).value.data for op, m in marks.items()}
        dense = {s: i for i, s in enumerate(sorted(set(numbers.values())))}
        return {op: dense[s] for op, s in numbers.items()}

    def home(self, value: SSAValue) -> int:
        """The stream that computes `value` (stream 0 for inputs and weights)."""
        owner = value.owner
        return self.stream_of[owner] if isinstance(owner, DfgOp) else 0

    # Construction.

    def program(self) -> PyModuleOp:
        input_names = _names(self.main.arg_attrs, len(self.block.args), "input")
        output_names = _names(self.main.res_attrs, len(self.returned), "output")
        num_streams = max(self.stream_of.values(), default=0) + 1
        speedup = self.module.attributes.get(SPEEDUP_ATTR)
        model = self.module.attributes.get(MODEL_ATTR)
        pipeline = self.module.attributes.get(PIPELINE_ATTR)
        program = PyModuleOp(
            model.data if isinstance(model, StringAttr) else "main",
            [(n, cast(TensorType, a.type)) for n, a in zip(input_names, self.block.args, strict=True)],
            output_names,
            pipeline.data if isinstance(pipeline, StringAttr) else "",
            _torch_version(),
            speedup.value.data if isinstance(speedup, FloatAttr)
            else 1.0 if num_streams == 1 else None,
        )  # fmt: skip
        top = program.body.block
        streams = [StreamOp(s) for s in range(num_streams)]
        _Builder(self, top, [s.body.block for s in streams]).build()
        for stream in streams:
            top.add_op(stream)
        return program


class _Builder:
    """Fills the weights block and the stream blocks, op by op in block order."""

    def __init__(self, lowering: _Lowering, top: Block, streams: list[Block]) -> None:
        self.lowering = lowering
        self.top = top
        self.streams = streams
        self.weights: dict[SSAValue, SSAValue] = {}
        self.weight_names = Namer()
        # (stream, dfg value) -> the pyemit value that holds it in that stream.
        self.local: dict[tuple[int, SSAValue], SSAValue] = {}
        self.slots: dict[SSAValue, int] = {}
        self.readers = self._readers()

    def _readers(self) -> dict[SSAValue, set[int]]:
        """The streams, other than its own, that read each computed value."""
        readers: dict[SSAValue, set[int]] = {}
        for op, kernel in self.lowering.kernels.items():
            s = self.lowering.stream_of[op]
            for value in kernel.inputs:
                if isinstance(value.owner, DfgOp) and self.lowering.stream_of[value.owner] != s:
                    readers.setdefault(value, set()).add(s)
        return readers

    def build(self) -> None:
        lowering = self.lowering
        self._read_inputs()
        for op in lowering.block.ops:
            kernel = lowering.kernels.get(op) if isinstance(op, DfgOp) else None
            if kernel is None:
                continue
            s = lowering.stream_of[op]
            call = CallOp(
                kernel.expr,
                [self._value(s, v) for v in kernel.inputs],
                [r.type for r in op.results],
                sorted(kernel.helpers),
                f"{op.ONNX_OP_TYPE} {_label(op)}" if isinstance(op.location, NameLoc) else None,
            )
            self.streams[s].add_op(call)
            for old, new in zip(op.results, call.results, strict=True):
                new.name_hint = old.name_hint
                self.local[(s, old)] = new
                if old in self.readers:
                    self.slots[old] = len(self.slots)
                    self.streams[s].add_op(SendOp(new, self.slots[old]))
        for index, value in enumerate(lowering.returned):
            s = lowering.home(value)
            self.streams[s].add_op(OutputOp(self._value(s, value), index))

    def _read_inputs(self) -> None:
        """Read, at the top of each stream, the graph inputs it uses."""
        lowering = self.lowering
        used: set[tuple[int, SSAValue]] = {
            (lowering.stream_of[op], v) for op, k in lowering.kernels.items() for v in k.inputs
        }
        used |= {(lowering.home(v), v) for v in lowering.returned}
        for s, block in enumerate(self.streams):
            for arg in lowering.block.args:
                if (s, arg) in used:
                    read = InputOp(arg.index, cast(TensorType, arg.type))
                    read.result.name_hint = arg.name_hint
                    block.add_op(read)
                    self.local[(s, arg)] = read.result

    def _value(self, s: int, value: SSAValue) -> SSAValue:
        """The pyemit value holding `value` in stream `s`, adding a weight or a recv if needed."""
        owner = value.owner
        if isinstance(owner, ConstantOp):
            if value not in self.weights:
                weight = WeightOp(self.weight_names.fresh(value.name_hint), owner.value)
                weight.result.name_hint = value.name_hint
                self.top.add_op(weight)
                self.weights[value] = weight.result
            return self.weights[value]
        if (s, value) not in self.local:
            recv = RecvOp(self.slots[value], value.type)
            recv.result.name_hint = value.name_hint
            self.streams[s].add_op(recv)
            self.local[(s, value)] = recv.result
        return self.local[(s, value)]


def _emit(op: DfgOp) -> _Kernel:
    """The kernel call of `op` as a `pyemit.call` template over the values it reads.

    Inputs are named by atoms while emitting (a repeated value gets one atom),
    then the atoms the expression reads become `{0}`, `{1}`, ... in that order.
    """
    from ramiel import kernels
    from ramiel.kernel_view import kernel_node

    distinct = list(dict.fromkeys(v for v in op.input_values() if v is not None))
    atoms = {v: f"_in{i}_" for i, v in enumerate(distinct)}
    try:
        call = kernels.emit(kernel_node(op, atoms.__getitem__))
    except kernels.UnsupportedKernel as e:
        raise RamielError(f"no kernel: {e}", f"node '{_label(op)}'") from None
    if PLACEHOLDER.search(call.expr):
        raise RamielError(
            f"the kernel expression of {op.ONNX_OP_TYPE} contains a placeholder-like "
            f"'{{n}}': {call.expr}",
            f"node '{_label(op)}'",
        )
    read = sorted({int(i) for i in _ATOM.findall(call.expr)})
    position = {i: j for j, i in enumerate(read)}
    expr = _ATOM.sub(lambda m: f"{{{position[int(m.group(1))]}}}", call.expr)
    return _Kernel(expr, call.helpers, [distinct[i] for i in read])
