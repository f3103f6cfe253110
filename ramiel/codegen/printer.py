"""The Python printer of `pyemit` modules: one op, one statement.

A module with one stream prints straight-line code in `Model.forward`:

    def forward(self, *inputs: torch.Tensor, **named: torch.Tensor) -> torch.Tensor:
        inputs = _bind_inputs(inputs, named, _INPUTS)
        with _intra_op_threads(self._num_threads):
            w = self._weights
            x = inputs[0]
            r = torch.relu(x)  # Relu relu1
            y = r * w["b"]
            return y

With several, each stream is a method that the pasted runtime runs on its own
thread, and `send`/`recv`/`output` become calls on the runtime's `_StreamCall`:

    def _stream_1(self, call: _StreamCall) -> None:
        w = self._weights
        r = call.recv(_slot_r)
        s = r * w["b"]
        call.send(_slot_s, s)

where `_slot_r = 0` names the slot through which stream 0 sends `r`.

The weights are the model's buffers, in ONNX's layout, so `state_dict()` holds
them; `_prepare` makes what calls read from them (oneDNN's reordered copies),
when the model loads and after `load_state_dict`. The printed text goes through
`ruff format` (`formatted`), so a generated file is as ruff leaves it.

Everything that comes from the model is escaped before it reaches the source, by
the one rule of `ramiel.codegen.escape`: names go through `Namer`, strings through
`literal`, comments through `comment`. The first two lines are fixed text, so
nothing from a model can stand where Python looks for a source encoding.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import subprocess
import sys
from collections.abc import Iterable
from functools import singledispatchmethod
from typing import IO, cast

from xdsl.dialects.builtin import StringAttr, TensorType
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.utils.base_printer import BasePrinter
from xdsl.utils.identity import identity

from ramiel.codegen import MARKER, WEIGHTS_SUFFIX
from ramiel.codegen.escape import Namer, comment, literal
from ramiel.dialects.dfg.base import shape_text
from ramiel.dialects.pyemit import (
    CallOp,
    IfOp,
    LoopOp,
    PyModuleOp,
    WeightOp,
    YieldOp,
    fill_template,
)
from ramiel.dialects.streams import InputOp, OutputOp, RecvOp, SendOp, StreamOp
from ramiel.dialects.types import SequenceType, element_type_of
from ramiel.errors import RamielError
from ramiel.onnx_types import UNKNOWN, dtype_name, onnx_dims, static_shape

# Names of the generated code's own locals and classes; model names avoid them.
_LOCALS = ("self", "inputs", "call", "w", "Model")


def _type_text(t: Attribute) -> str:
    """How the header describes an input's type: `1x3x8x8 float32`, `sequence of ?x3 float32`."""
    if isinstance(t, SequenceType):
        element = t.element
        shape = shape_text(element.get_shape()) if isinstance(element, TensorType) else "any shape"
        return f"sequence of {shape} {dtype_name(element_type_of(t))}"
    return f"{shape_text(static_shape(t))} {dtype_name(element_type_of(t))}"


def _tuple(items: Iterable[str]) -> str:
    items = list(items)
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _after_commas(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` characters where it has commas to break after.

    Lines after the first start with two spaces. A pipeline stays as `-p` takes it
    once the lines are joined without them.
    """
    lines = [""]
    for piece in re.split(r"(?<=,)", text):
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("  " + piece.lstrip())
        else:
            lines[-1] += piece
    return lines


def _sorted_imports(lines: Iterable[str]) -> list[str]:
    """Import lines grouped and ordered as isort does: stdlib, then torch."""

    def key(line: str) -> tuple[bool, bool, str]:
        module = line.split()[1]
        third_party = module.split(".")[0] not in sys.stdlib_module_names
        return (third_party, line.startswith("from "), module)

    ordered = sorted(dict.fromkeys(lines), key=key)
    grouped: list[str] = []
    for previous, line in zip([None, *ordered], ordered, strict=False):
        if previous is not None and key(previous)[0] != key(line)[0]:
            grouped.append("")
        grouped.append(line)
    return grouped


def _top_level_names(source: str) -> set[str]:
    """The names a module's source defines or imports at its top level."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _mentions(source: str, name: str) -> bool:
    """Whether Python `source` refers to `name`."""
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(ast.parse(source)))


LINE_LENGTH = 100
"""The line length generated files are formatted to."""

HEADER_LINE_2 = "Readable, executable PyTorch code for batch-1 inference of the model below."
"""The generated file's fixed second line: Python reads a source encoding only from
the first two lines, which hold nothing from the model."""


class PythonPrinter(BasePrinter[str]):
    """Prints a `pyemit.module` as a Python file (see the module docstring)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream, encode=identity, indent_num_spaces=4)
        self._reserved: set[str] = set(_LOCALS)
        self._namer = Namer()
        self._names: dict[SSAValue, str] = {}
        self._slots: dict[int, str] = {}
        self._slices: dict[SSAValue, str] = {}
        """The list collecting each scan output's slices, by the loop's result."""
        self._parallel = False

    def line(self, text: str = "") -> None:
        """Print one line at the current indentation (an empty line has none)."""
        indent = " " * (self._indent * self.indent_num_spaces) if text else ""
        self.print_string(f"{indent}{text}\n", indent=0)

    def value(self, value: SSAValue) -> str:
        """The Python expression of a value: its name, or the weights lookup."""
        owner = value.owner
        if isinstance(owner, WeightOp):
            return f"w[{literal(owner.weight_name.data)}]"
        return self._names[value]

    def define(self, value: SSAValue) -> str:
        """A fresh name for a value defined in the current function."""
        name = self._namer.fresh(value.name_hint)
        self._names[value] = name
        return name

    @singledispatchmethod
    def print(self, op: Operation) -> None:
        raise NotImplementedError(f"Printing of '{op.name}' as Python is not implemented.")

    @print.register
    def _(self, op: PyModuleOp) -> None:
        from ramiel import runtime
        from ramiel.kernels import helper_source

        streams = op.streams
        self._parallel = len(streams) > 1
        calls = [c for c in op.walk() if isinstance(c, CallOp)]
        prepared = [w for w in op.weights if w.prepare is not None]
        helpers = sorted(
            {h.data for c in calls for h in c.helpers} | {h.data for w in prepared for h in w.helpers or ()}
        )
        code = "\n\n\n".join(
            part
            for part in (runtime.source(self._parallel), helper_source(helpers).strip())
            if part
        )
        imports = [*runtime.imports(self._parallel), "from pathlib import Path", "import torch"]
        expressions = [fill_template(c.expr.data, ["v"] * len(c.args)) for c in calls] + [
            fill_template(w.prepare.data, ["v"]) for w in prepared if w.prepare is not None
        ]
        if any(_mentions(text, "F") for text in (code, *expressions)):
            imports.append("import torch.nn.functional as F")
        imports = ["from __future__ import annotations", "", *_sorted_imports(imports)]
        self._reserved |= _top_level_names("\n".join((*imports, code)))
        self._print_header(op)
        for text in ("", *imports, "", "", *code.rstrip("\n").split("\n"), "", ""):
            self.line(text)
        self._print_tables(op)
        self._print_model(op, streams)

    def _print_header(self, op: PyModuleOp) -> None:
        streams = len(op.streams)
        speedup = op.predicted_speedup
        inputs = ", ".join(
            f"{n.data} ({_type_text(t)})" for n, t in zip(op.input_names, op.input_types, strict=True)
        )
        lines = [
            f"Model: {op.model_name.data}",
            f"Pipeline: {op.pipeline.data or '(none)'}",
            f"Streams: {streams}" + ("" if op.threads is None else _on_threads(op.threads.value.data)),
            "Predicted speedup: "
            + ("unknown" if speedup is None else f"{speedup.value.data:.2f}x")
            + (f" ({op.cost_model.data} costs)" if op.cost_model is not None else ""),
            f"Generated with torch {op.torch_version.data}",
            f"Inputs: {inputs or '(none)'}",
            f"Outputs: {', '.join(n.data for n in op.output_names)}",
        ]
        self.line(f"{MARKER}; do not edit.")
        self.line(f"# {HEADER_LINE_2}")
        for text in lines:
            for part in _after_commas(comment(text), LINE_LENGTH - 2):
                self.line(f"# {part}")
        self.line("#")
        self.line(f"# Model() loads the weights from the {WEIGHTS_SUFFIX} file of the same name")
        self.line("# beside this file; Model()(*inputs) runs it on torch tensors given in the")
        self.line("# order above, or by name; its state dict holds the weights in ONNX's layout.")

    def _print_tables(self, op: PyModuleOp) -> None:
        specs = [
            _tuple(
                [
                    literal(n.data),
                    # None for a size the values decide: any size will do; for a sequence,
                    # which is a list of tensors of any sizes.
                    "None" if isinstance(t, SequenceType)
                    else _tuple(map(str, onnx_dims(static_shape(t)))) if static_shape(t)
                    else "()",
                    f"torch.{dtype_name(element_type_of(t))}",
                ]
            )
            for n, t in zip(op.input_names, op.input_types, strict=True)
        ]
        self.line(f"_INPUTS = {_tuple(specs) if specs else '()'}")
        self.line(f"_OUTPUTS = {_tuple(literal(n.data) for n in op.output_names)}")
        splats = [
            f"{literal(w.weight_name.data)}: "
            + (_tuple(map(str, static_shape(w.result.type))) if static_shape(w.result.type) else "()")
            for w in op.weights
            if w.is_splat()
        ]
        self.line(f"_SPLATS: dict[str, tuple[int, ...]] = {{{', '.join(splats)}}}")
        self._print_slots(op)
        self.line()
        self.line()

    def _print_slots(self, op: PyModuleOp) -> None:
        """A named constant per hand-off slot, after the value sent through it: `_slot_conv2 = 3`."""
        sends = sorted((s for s in op.walk() if isinstance(s, SendOp)), key=lambda s: s.slot.value.data)
        if not sends:
            return
        namer = Namer(self._reserved)
        self.line("# Hand-offs between streams: the slot of each value one stream sends to others.")
        for send in sends:
            name = "_slot_" + namer.fresh(send.value.name_hint)
            self._slots[send.slot.value.data] = name
            self.line(f"{name} = {send.slot.value.data}")

    def _print_model(self, op: PyModuleOp, streams: list[StreamOp]) -> None:
        outputs = len(op.output_names)
        result = "torch.Tensor" if outputs == 1 else "tuple[torch.Tensor, ...]"
        self.line("class Model(torch.nn.Module):")
        with self.indented():
            self.line(f'"""The compiled model, on {len(streams)} stream{"s" if self._parallel else ""}."""')
            self.line()
            self.line(
                "def __init__(self, num_threads: int | None = None, *, keep_freed_memory: bool = True)"
                " -> None:"
            )
            with self.indented():
                self.line("super().__init__()")
                self.line("if keep_freed_memory:")
                with self.indented():
                    self.line("_keep_freed_memory()")
                if self._parallel:
                    self.line("# Each stream's intra-op threads: by default, its share of the caller's.")
                    self.line(f"self._num_threads = num_threads or max(1, torch.get_num_threads() // {len(streams)})")
                elif op.threads is not None:
                    count = op.threads.value.data
                    self.line(f"# The intra-op threads every call runs on: by default {count}, as the pipeline chose.")
                    self.line(f"self._num_threads = num_threads or {count}")
                else:
                    self.line("# The intra-op threads every call runs on: by default, the caller's now.")
                    self.line("self._num_threads = num_threads or torch.get_num_threads()")
                self.line("# The weights, in ONNX's layout, are the buffers of the state dict.")
                self.line("path = Path(__file__).with_suffix(" + literal(WEIGHTS_SUFFIX) + ")")
                self.line("for name, tensor in _load_weights(str(path), _SPLATS).items():")
                with self.indented():
                    self.line("self.register_buffer(name, tensor)")
                self.line("self._prepare()")
                self.line("self.register_load_state_dict_post_hook(Model._prepare)")
                if self._parallel:
                    functions = ", ".join(f"Model._stream_{s.index.value.data}" for s in streams)
                    self.line("# The runtime's threads hold no reference to the model: dropping it stops them.")
                    self.line("self._runtime = _StreamRuntime(")
                    with self.indented():
                        self.line("self,")
                        self.line(f"[{functions}],")
                        self.line(f"num_slots={op.num_slots()},")
                        self.line(f"num_outputs={outputs},")
                        self.line("num_threads=self._num_threads,")
                    self.line(")")
            self.line()
            self._print_preparations(op)
            self.line()
            self.line(f"def forward(self, *inputs: torch.Tensor, **named: torch.Tensor) -> {result}:")
            with self.indented():
                self.line('"""Run the model on its inputs, given in the order of `_INPUTS` or by name."""')
                self.line("inputs = _bind_inputs(inputs, named, _INPUTS)")
                if self._parallel:
                    self.line("outputs = self._runtime.run(self, inputs)")
                    self.line("return outputs[0]" if outputs == 1 else "return tuple(outputs)")
                else:
                    self.line("with _intra_op_threads(self._num_threads):")
                    with self.indented():
                        self._print_body(streams[0])
            self.line()
            self.line("def extra_repr(self) -> str:")
            with self.indented():
                self.line(f"return _describe(_INPUTS, _OUTPUTS, {len(streams)})")
            self.line()
            self.line("def __prepare_scriptable__(self) -> Model:")
            with self.indented():
                self.line("raise TypeError(")
                with self.indented():
                    self.line('"torch.jit.script cannot compile the generated Model: its forward takes "')
                    self.line('"any number of inputs; torch.compile(Model()) works"')
                self.line(")")
            self.line()
            self.line("def close(self) -> None:")
            with self.indented():
                if self._parallel:
                    self.line('"""Stop the stream threads; the model cannot run afterwards."""')
                    self.line("self._runtime.close()")
                else:
                    self.line('"""Nothing to stop: the model runs on the caller\'s thread."""')
            self.line()
            self.line("def __enter__(self) -> Model:")
            with self.indented():
                self.line("return self")
            self.line()
            self.line("def __exit__(self, *exc_info: object) -> None:")
            with self.indented():
                self.line("self.close()")
            if self._parallel:
                for stream in streams:
                    self.line()
                    self.print(stream)

    def _print_preparations(self, op: PyModuleOp) -> None:
        """`_prepare`: the weights calls read, made from the buffers at load and after `load_state_dict`.

        One statement per weight that loading prepares, e.g. reorders for oneDNN.
        """
        prepared = [w for w in op.weights if w.prepare is not None]
        self.line("def _prepare(self, *_: object) -> None:")
        with self.indented():
            self.line('"""What calls read: the buffers, some prepared here once for the threads calls run on."""')
            if not prepared:
                self.line("self._weights = dict(self.named_buffers())")
                return
            self.line("w = dict(self.named_buffers())")
            self.line("with _intra_op_threads(self._num_threads):")
            with self.indented():
                for weight in prepared:
                    assert weight.prepare is not None
                    key = f"w[{literal(weight.weight_name.data)}]"
                    self.line(f"{key} = {fill_template(weight.prepare.data, [key])}")
            self.line("self._weights = w")

    @print.register
    def _(self, op: StreamOp) -> None:
        self.line(f"def _stream_{op.index.value.data}(self, call: _StreamCall) -> None:")
        with self.indented():
            self._print_body(op)

    def _print_body(self, stream: StreamOp) -> None:
        """The statements of one stream, in a fresh naming scope."""
        self._namer = Namer(self._reserved)
        self._names = {}
        ops = list(stream.body.block.ops)
        if any(isinstance(o.owner, WeightOp) for op in stream.walk() for o in op.operands):
            self.line("w = self._weights")
        for op in ops:
            self.print(op)
        if not self._parallel:
            returned = sorted(
                (op for op in ops if isinstance(op, OutputOp)), key=lambda o: o.index.value.data
            )
            self.line("return " + ", ".join(self.value(o.value) for o in returned))
        elif not ops:
            self.line("pass")

    @print.register
    def _(self, op: InputOp) -> None:
        source = "call.inputs" if self._parallel else "inputs"
        self.line(f"{self.define(op.result)} = {source}[{op.index.value.data}]")

    @print.register
    def _(self, op: CallOp) -> None:
        args = [self.value(a) for a in op.args]
        # Unused results of a multi-result call (Split's, MaxPool's indices) are `_`.
        several = len(op.outputs) > 1
        targets = ", ".join(
            "_" if several and not r.uses else self.define(r) for r in op.outputs
        )
        self._commented(f"{targets} = {fill_template(op.expr.data, args)}", op.comment)

    def _commented(self, statement: str, note: StringAttr | None) -> None:
        """`statement`, with the comment `note` beside it, or above it where the line would be too long."""
        if note is None:
            self.line(statement)
            return
        text = f"# {comment(note.data)}"
        # A comment that would push the statement over the line length goes above it.
        if self._indent * self.indent_num_spaces + len(statement) + 2 + len(text) > LINE_LENGTH:
            self.line(text)
            self.line(statement)
        else:
            self.line(f"{statement}  {text}")

    @print.register
    def _(self, op: IfOp) -> None:
        # The results are named first: each branch ends by assigning them.
        for result in op.outputs:
            self.define(result)
        self._commented(f"if {self.value(op.cond)}:", op.comment)
        for keyword, region in (("", op.then_branch), ("else:", op.else_branch)):
            if keyword:
                self.line(keyword)
            for arg, value in zip(region.block.args, op.captured, strict=True):
                self._names[arg] = self.value(value)
            with self.indented():
                for inner in region.block.ops:
                    self.print(inner)

    @print.register
    def _(self, op: LoopOp) -> None:
        # The carried values live under the names of the loop's results.
        carried = [self.define(r) for r in op.carried_results]
        if carried:
            self.line(f"{', '.join(carried)} = {', '.join(self.value(v) for v in op.v_initial)}")
        for arg, name in zip(op.carried_args, carried, strict=True):
            self._names[arg] = name
        for arg, value in zip(op.captured_args(op.body), op.captured, strict=True):
            self._names[arg] = self.value(value)
        cond = None
        if op.cond is not None and op.cond_arg is not None:
            cond = self.define(op.cond_arg)
            self.line(f"{cond} = {self.value(op.cond)}")
        scans = [(self.define(r), r) for r in op.scan_results]
        for name, result in scans:
            self._slices[result] = self._namer.fresh(f"{name}_slices")
            self.line(f"{self._slices[result]} = []")
        iteration = op.iteration_arg
        step = self._namer.fresh("step") if iteration.uses else "_"
        if op.M is not None:
            self._commented(f"for {step} in range(int({self.value(op.M)})):", op.comment)
        else:
            if iteration.uses:
                self.line(f"{step} = 0")
            self._commented(f"while {cond}:", op.comment)
        with self.indented():
            if op.M is not None and cond is not None:
                self.line(f"if not {cond}:")
                with self.indented():
                    self.line("break")
            if iteration.uses:
                number = f"[{step}]" if static_shape(iteration.type) else step
                self.line(f"{self.define(iteration)} = torch.tensor({number})")
            for inner in op.body.block.ops:
                self.print(inner)
            if op.M is None and iteration.uses:
                self.line(f"{step} += 1")
        for name, result in scans:
            length, *part = static_shape(result.type)
            slices = self._slices[result]
            element = dtype_name(cast(TensorType, result.type).get_element_type())
            # With no slice to stack, the output is empty.
            empty = f"torch.empty({_tuple(map(str, (0, *part)))}, dtype=torch.{element})"
            if length == UNKNOWN:
                self.line(f"{name} = torch.stack({slices}) if {slices} else {empty}")
            else:
                self.line(f"{name} = torch.stack({slices})" if length else f"{name} = {empty}")

    @print.register
    def _(self, op: YieldOp) -> None:
        parent = op.parent_op()
        values = [self.value(v) for v in op.values]
        if isinstance(parent, IfOp):
            targets = [self._names[r] for r in parent.outputs]
        else:
            assert isinstance(parent, LoopOp)
            fixed = len(values) - len(parent.scan_results)
            # The slices first: one of them may be a carried value of this iteration.
            for result, value in zip(parent.scan_results, values[fixed:], strict=True):
                self.line(f"{self._slices[result]}.append({value})")
            state = [parent.cond_arg] if parent.cond_arg is not None else []
            targets = [self._names[a] for a in (*state, *parent.carried_args)]
            values = values[:fixed]
        # A value that stays as it is (a condition the body passes on) needs no assignment.
        pairs = [(t, v) for t, v in zip(targets, values, strict=True) if t != v]
        if pairs:
            self.line(f"{', '.join(t for t, _ in pairs)} = {', '.join(v for _, v in pairs)}")

    @print.register
    def _(self, op: SendOp) -> None:
        self.line(f"call.send({self._slots[op.slot.value.data]}, {self.value(op.value)})")

    @print.register
    def _(self, op: RecvOp) -> None:
        self.line(f"{self.define(op.result)} = call.recv({self._slots[op.slot.value.data]})")

    @print.register
    def _(self, op: OutputOp) -> None:
        if self._parallel:
            self.line(f"call.output({op.index.value.data}, {self.value(op.value)})")


@functools.cache
def _ruff() -> str:
    """The ruff binary, looked up once per process rather than on every file."""
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


def formatted(source: str) -> str:
    """Python `source` as `ruff format` leaves it, at `LINE_LENGTH`, whatever configuration is around.

    Ruff is the formatter users run on their code; calling it (about 10 ms a file)
    keeps generated files unchanged by it, where a formatter of our own would have
    to follow its rules one by one.
    """
    command = [
        _ruff(), "format", "--isolated", "--line-length", str(LINE_LENGTH),
        "--target-version", "py310", "-",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, input=source, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RamielError(f"cannot run ruff to format the generated code: {error}", "ruff") from None
    if done.returncode != 0:
        raise RamielError(f"ruff cannot format the generated code: {done.stderr.strip()}", "ruff")
    return done.stdout


def print_to_string(program: PyModuleOp) -> str:
    """`program` as the text of a Python file."""
    output = io.StringIO()
    PythonPrinter(output).print(program)
    return formatted(output.getvalue())


def print_python(program: PyModuleOp, output: IO[str]) -> None:
    """Print `program` as a Python file to `output`."""
    output.write(print_to_string(program))


def _on_threads(count: int) -> str:
    """The header's note on the intra-op threads one-stream code runs on."""
    return f", on {count} intra-op thread{'s' if count > 1 else ''}"
