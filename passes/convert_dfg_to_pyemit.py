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

Kernel fast paths (each a pass option, all on by default): a 2-D float32
convolution is computed by the `conv2d` helper, fused with the activation that
alone reads its result (`fuse`), with its weight reordered for oneDNN at load
(`prepack`: `pyemit.weight {prepare = ...}`); a graph with such convolutions keeps
its 4-D float tensors channels-last, converting inputs on entry and outputs on
exit (`channels_last`); an activation or arithmetic op whose first input nothing
else reads writes over it (`inplace`).

Header facts come from the module's discardable attributes: `ramiel.model` (set
on import), `ramiel.pipeline` (the pipeline the module went through),
`ramiel.predicted_speedup` and `ramiel.cost_model` (set by the scheduling
passes); absent ones give the defaults below, and one stream's speedup is 1.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, cast

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

from ramiel.codegen.escape import Namer
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
from ramiel.ir_graph import COST_MODEL_ATTR, SPEEDUP_ATTR
from ramiel.onnx_types import dtype_name
from ramiel.pipeline import PIPELINE_ATTR

if TYPE_CHECKING:
    from ramiel.kernels import KernelCall
    from ramiel.opview import OpView

# `ramiel.kernels` imports torch (seconds): it is imported when a module is lowered,
# not when the pass is registered.

MODEL_ATTR = "ramiel.model"
"""Module attribute naming the model (default: `main`)."""
STREAM_ATTR = "stream"
"""The op attribute the scheduling passes set: the op's stream."""

# Kernel inputs are emitted as these atoms, then turned into `{i}` placeholders.
_ATOM = re.compile(r"\b_in(\d+)_\b")

CHANNELS_LAST = "{0}.contiguous(memory_format=torch.channels_last)"
"""How a 4-D tensor is made channels-last."""
CONTIGUOUS = "{0}.contiguous()"
"""How a channels-last output is given back in the default layout."""


@dataclass(frozen=True)
class ConvertDfgToPyemit(ModulePass):
    """Lower the scheduled `dfg` function `@main` to a `pyemit.module`, one stream function per stream."""

    name = "convert-dfg-to-pyemit"

    channels_last: bool = True
    """Keep 4-D float tensors channels-last in graphs with 2-D float32 convolutions."""

    fuse: bool = True
    """Compute 2-D float32 convolutions with the `conv2d` helper, fused with their activation."""

    prepack: bool = True
    """Reorder the weights of `conv2d` convolutions for oneDNN once, at load (with `fuse`)."""

    inplace: bool = True
    """Let an op whose first input nothing else reads write its result over it."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        main = next(
            (f for f in op.ops if isinstance(f, func.FuncOp) and f.sym_name.data == "main"), None
        )
        if main is None:
            raise RamielError("no func.func @main to lower", "convert-dfg-to-pyemit")
        program = _Lowering(main, op, self).program()
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
    """A live op's kernel call: the template, the values it reads, and the weights it wants prepared."""

    expr: str
    helpers: frozenset[str]
    inputs: list[SSAValue]
    comment: str | None = None
    prepare: dict[SSAValue, tuple[str, frozenset[str]]] = field(default_factory=dict)
    """Load-time preparation (template over `{0}`, helpers) wanted for constant inputs."""
    conv2d: bool = False
    """Whether the op is a 2-D convolution that `conv2d` can compute (fast on channels-last tensors)."""


class _Lowering:
    """Builds the `pyemit.module` of one `dfg` function."""

    def __init__(self, main: func.FuncOp, module: ModuleOp, options: ConvertDfgToPyemit) -> None:
        self.main = main
        self.module = module
        self.options = options
        self.block = main.body.block
        terminator = self.block.last_op
        assert isinstance(terminator, func.ReturnOp)
        self.returned: list[SSAValue] = list(terminator.arguments)
        self.kernels = self._kernels()
        self.stream_of = self._streams()
        if options.inplace:
            self._write_in_place()
        self.channels_last = options.channels_last and any(k.conv2d for k in self.kernels.values())
        if not self.channels_last:
            for kernel in self.kernels.values():
                kernel.prepare = {w: p for w, p in kernel.prepare.items() if p[0] != CHANNELS_LAST}

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
            kernel = self._fused(op) or self._conv2d(op) or _emit(op)
            kernels[op] = kernel
            live.update(kernel.inputs)
        return kernels

    def _fused(self, op: DfgOp) -> _Kernel | None:
        """`op` as an activation fused into the 2-D convolution that alone feeds it, if it is one."""
        source = op.operands[0].owner if op.operands else None
        if (
            not self.options.fuse
            or not isinstance(source, DfgOp)
            or source.ONNX_OP_TYPE != "Conv"
            or not op.operands[0].has_one_use()
            or source.attributes.get(STREAM_ATTR) != op.attributes.get(STREAM_ATTR)
        ):
            return None
        from ramiel.dialects.dfg.conv import conv2d_call

        activation = op.view()
        kernel = self._conv2d(source, lambda node: conv2d_call(node, activation))
        if kernel is not None:
            kernel.comment = ", ".join(c for c in (kernel.comment, _comment(op)) if c) or None
        return kernel

    def _conv2d(
        self, op: DfgOp, make: Callable[[OpView], KernelCall | None] | None = None
    ) -> _Kernel | None:
        """`op` as a 2-D convolution `conv2d` can compute, with its weight's preparation.

        The `conv2d` helper computes it (`make` gives the call) when fusing, the
        plain kernel otherwise; None when `conv2d` cannot compute it.
        """
        from ramiel.dialects.dfg.conv import conv2d_call, prepack_conv2d_call
        from ramiel.kernels import emit

        prepare = _template(op, prepack_conv2d_call) if op.ONNX_OP_TYPE == "Conv" else None
        if prepare is None:
            return None
        kernel = _template(op, (make or conv2d_call) if self.options.fuse else emit)
        if kernel is None:
            return None
        kernel.conv2d = True
        weight = op.operands[1]
        if isinstance(weight.owner, ConstantOp):
            kernel.prepare[weight] = (
                (prepare.expr, prepare.helpers)
                if self.options.fuse and self.options.prepack
                else (CHANNELS_LAST, frozenset())
            )
        return kernel

    def _write_in_place(self) -> None:
        """Switch ops to their in-place kernels where their first input is theirs alone.

        A tensor is theirs alone when this op is its only reader (graph outputs
        count as readers) and no other tensor shares its storage: it was made by
        an op that allocates its result, or written in place over such a tensor.
        """
        from ramiel.kernels import inplace_call

        readers = Counter(v for k in self.kernels.values() for v in k.inputs)
        readers.update(self.returned)
        owned: set[SSAValue] = set()
        for op in self.block.ops:
            if not isinstance(op, DfgOp) or (kernel := self.kernels.get(op)) is None:
                continue
            first = op.operands[0] if op.operands else None
            if first is not None and first in owned and readers[first] == 1 and self.home(first) == self.stream_of[op]:
                replacement = _template(op, inplace_call)
                if replacement is not None:
                    replacement.comment = kernel.comment
                    self.kernels[op] = kernel = replacement
                    owned.update(op.results)
                    continue
            if op.FRESH_RESULT and kernel.expr != "{0}":
                owned.update(op.results)

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
        cost = self.module.attributes.get(COST_MODEL_ATTR)
        program = PyModuleOp(
            model.data if isinstance(model, StringAttr) else "main",
            [(n, cast(TensorType, a.type)) for n, a in zip(input_names, self.block.args, strict=True)],
            output_names,
            pipeline.data if isinstance(pipeline, StringAttr) else "",
            _torch_version(),
            speedup.value.data if isinstance(speedup, FloatAttr)
            else 1.0 if num_streams == 1 else None,
            cost_model=cost.data if isinstance(cost, StringAttr) else None,
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
        self.prepares = self._prepares()

    def _readers(self) -> dict[SSAValue, set[int]]:
        """The streams, other than its own, that read each computed value."""
        readers: dict[SSAValue, set[int]] = {}
        for op, kernel in self.lowering.kernels.items():
            s = self.lowering.stream_of[op]
            for value in kernel.inputs:
                if isinstance(value.owner, DfgOp) and self.lowering.stream_of[value.owner] != s:
                    readers.setdefault(value, set()).add(s)
        return readers

    def _prepares(self) -> dict[SSAValue, tuple[str, frozenset[str]]]:
        """The load-time preparation of each weight whose every reader wants the same one."""
        wanted: dict[SSAValue, set[tuple[str, frozenset[str]] | None]] = {}
        for kernel in self.lowering.kernels.values():
            for value in kernel.inputs:
                wanted.setdefault(value, set()).add(kernel.prepare.get(value))
        return {
            value: prepare
            for value, options in wanted.items()
            if len(options) == 1 and (prepare := next(iter(options))) is not None
        }  # fmt: skip

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
                kernel.comment,
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
            result = self._value(s, value)
            if lowering.channels_last and _is_image(value):
                result = self._convert(s, result, CONTIGUOUS)
            self.streams[s].add_op(OutputOp(result, index))

    def _convert(self, s: int, value: SSAValue, template: str) -> SSAValue:
        """`value` converted to another memory layout by a call at the end of stream `s`."""
        call = CallOp(template, [value], [value.type])
        if value.name_hint:
            call.results[0].name_hint = value.name_hint
        self.streams[s].add_op(call)
        return call.results[0]

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
                    value = read.result
                    if lowering.channels_last and _is_image(arg):
                        value = self._convert(s, value, CHANNELS_LAST)
                    self.local[(s, arg)] = value

    def _value(self, s: int, value: SSAValue) -> SSAValue:
        """The pyemit value holding `value` in stream `s`, adding a weight or a recv if needed."""
        owner = value.owner
        if isinstance(owner, ConstantOp):
            if value not in self.weights:
                prepare, helpers = self.prepares.get(value, (None, frozenset[str]()))
                weight = WeightOp(self.weight_names.fresh(value.name_hint), owner.value, prepare, sorted(helpers))
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


def _is_image(value: SSAValue) -> bool:
    """Whether `value` is a 4-D float tensor, which a channels-last graph keeps channels-last."""
    t = cast(TensorType, value.type)
    return len(t.get_shape()) == 4 and dtype_name(t.get_element_type()) in ("float16", "bfloat16", "float32", "float64")


def _emit(op: DfgOp) -> _Kernel:
    """The plain kernel call of `op` (see `_template`)."""
    from ramiel.kernels import emit

    kernel = _template(op, emit)
    assert kernel is not None
    return kernel


def _template(op: DfgOp, make: Callable[[OpView], KernelCall | None]) -> _Kernel | None:
    """The call `make` gives for `op`, as a `pyemit.call` template over the values it reads.

    Inputs are named by atoms while emitting (a repeated value gets one atom),
    then the atoms the expression reads become `{0}`, `{1}`, ... in that order.
    None when `make` gives None.
    """
    distinct = list(dict.fromkeys(v for v in op.input_values() if v is not None))
    atoms = {v: f"_in{i}_" for i, v in enumerate(distinct)}
    from ramiel.kernels import UnsupportedKernel

    try:
        call = make(op.view(atoms.__getitem__))
    except UnsupportedKernel as e:
        raise RamielError(f"no kernel: {e}", f"node '{_label(op)}'") from None
    if call is None:
        return None
    if PLACEHOLDER.search(call.expr):
        raise RamielError(
            f"the kernel expression of {op.ONNX_OP_TYPE} contains a placeholder-like "
            f"'{{n}}': {call.expr}",
            f"node '{_label(op)}'",
        )
    read = sorted({int(i) for i in _ATOM.findall(call.expr)})
    position = {i: j for j, i in enumerate(read)}
    expr = _ATOM.sub(lambda m: f"{{{position[int(m.group(1))]}}}", call.expr)
    return _Kernel(expr, call.helpers, [distinct[i] for i in read], _comment(op))


def _comment(op: DfgOp) -> str | None:
    """The ONNX operator and node name of `op`, when the model named the node."""
    return f"{op.ONNX_OP_TYPE} {_label(op)}" if isinstance(op.location, NameLoc) else None
