"""Ramiel's Python API; the `ramiel` command is a thin layer over it.

    import ramiel

    compiled = ramiel.compile("model.onnx", workers=4, out_dir="out")
    print(compiled.summary.lines())
    with compiled.load() as model:
        outputs = model(*inputs)

    report = ramiel.check("model.onnx", workers=4)     # serial and parallel vs onnxruntime
    outputs = ramiel.run("out/model.py", {"data": array})

`compile` takes any pass pipeline (`pipeline=`, as `-p` text or as pass objects),
so pipelines can be scripted; the default is `ramiel.pipeline.default_pipeline`.
The passes make every decision; this module only assembles them, runs them and
writes their result. Errors are `RamielError`s.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ramiel.codegen import MARKER, WEIGHTS_SUFFIX
from ramiel.errors import RamielError
from ramiel.extras import require
from ramiel.limits import DEFAULT_MEMORY_BUDGET

if TYPE_CHECKING:
    import onnx
    from xdsl.dialects.builtin import ModuleOp
    from xdsl.passes import ModulePass

    from ramiel.dialects.pyemit import PyModuleOp
    from ramiel.scheduling import Simulation, TaskGraph

Progress = Callable[[str], None]
"""Receives a short message as each long step starts."""

Pipeline = str | Sequence["ModulePass"]
"""A pass pipeline: `-p` text, or pass objects."""


@dataclass(frozen=True)
class CompileSummary:
    """What a compilation did."""

    op_counts_before: Counter[str]
    """Operator ops (constants excluded) of each kind right after import."""
    op_counts_after: Counter[str]
    """Operator ops of each kind when the lowering started (after clean-up, and splits for parallel code)."""
    clusters: int
    """Distinct `cluster` values when the lowering started (0 if unclustered)."""
    streams: int
    """Streams of the generated code."""
    predicted_speedup: float | None
    """The schedule's predicted speedup, if a scheduling pass predicted one."""
    seconds: float
    """Wall-clock compile time."""
    workers: int = 1
    """The streams asked for."""
    parallel_speedup: float | None = None
    """The predicted speedup of the parallel schedule that `select-streams` turned down, if it did."""
    cost_model: str | None = None
    """The cost model that made the prediction."""
    threads: int | None = None
    """The intra-op threads the one-stream code runs on by default, when the pipeline chose them."""
    dim_bounds: str | None = None
    """What the costs assumed of the sizes the values decide, when the model has such sizes."""

    @property
    def ops_before(self) -> int:
        """Operator ops (constants excluded) right after import."""
        return self.op_counts_before.total()

    @property
    def ops_after(self) -> int:
        """Operator ops when the lowering started."""
        return self.op_counts_after.total()

    def op_count_table(self) -> list[str]:
        """Each kind of operator with its count after import and when the lowering started."""
        from ramiel.op_counts import op_count_table

        return op_count_table(self.op_counts_before, self.op_counts_after)

    def lines(self) -> list[str]:
        """The summary as the `ramiel compile` command prints it."""
        speedup = "unknown" if self.predicted_speedup is None else f"{self.predicted_speedup:.2f}x"
        by = f" ({self.cost_model} costs)" if self.cost_model else ""
        lines = [
            f"ops: {self.ops_before} imported, {self.ops_after} lowered (after clean-up and splits)",
            f"clusters: {self.clusters}, streams: {self.streams}",
            f"predicted speedup: {speedup}{by}",
            f"compile time: {self.seconds:.2f} s",
        ]
        if self.parallel_speedup is not None:
            lines.append(
                f"note: {self.workers} streams were predicted {self.parallel_speedup:.2f}x over one thread, counting the "
                "cost of waking the other cores on every call: too little to pay against one stream (on one "
                "intra-op thread or on all), so the code runs on one stream"
            )
        if self.dim_bounds is not None:
            lines.append(f"note: {self.dim_bounds}")
        if self.threads is not None:
            lines.append(
                f"note: {self.workers} intra-op threads are predicted slower than {self.threads} on this graph's "
                f"ops, so the code runs on {self.threads} by default (Model(num_threads=N) overrides it)"
            )
        return lines


@dataclass(frozen=True)
class Plan:
    """The task graph the lowering received, costed by a cost model, and its predicted run."""

    graph: TaskGraph
    """The graph's operations (in block order) and hand-offs."""
    simulation: Simulation
    """The schedule in the IR (one stream when unscheduled), simulated."""
    cost_model: str
    """The name of the cost model that priced the graph."""


InputSpec = tuple[str, tuple[int, ...] | None, str]
"""A graph input: ONNX name, shape (None for a sequence of tensors), numpy dtype name (of a
sequence's tensors)."""


@dataclass(frozen=True)
class CompiledModel:
    """A generated model: its source, where its files are, and how it was made."""

    source: str
    """The generated Python source."""
    path: Path
    """The generated `.py` file."""
    weights: Path
    """Its weights file, beside it."""
    inputs: tuple[InputSpec, ...]
    """The graph inputs the model takes, in order."""
    outputs: tuple[str, ...]
    """The ONNX names of its outputs, in order."""
    summary: CompileSummary
    plan: Plan | None = None
    """The scheduled graph and its prediction, when the pipeline reached the lowering."""

    def load(self, num_threads: int | None = None) -> Any:
        """A new instance of the generated `Model` (a `torch.nn.Module`)."""
        return load_model_class(self.path)(num_threads=num_threads)


def compile(
    model: str | os.PathLike[str] | onnx.ModelProto,
    *,
    workers: int = 1,
    pipeline: Pipeline | None = None,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    name: str | None = None,
    force: bool = False,
    profile: bool = False,
    progress: Progress | None = None,
    note: Progress | None = None,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    dim_bounds: Mapping[str, int] | None = None,
    dynamic_dims: bool = False,
) -> CompiledModel:
    """Compile an ONNX model (a path or a proto) into `out_dir/<name>.py` and its weights.

    The file's name is `name` made an importable module name
    (`ramiel.codegen.escape.module_name`: `googlenet-opset18` gives `googlenet_opset18.py`).

    `pipeline` defaults to `default_pipeline(workers)`. `profile` first times the
    ops the pipeline makes on this machine, into the cost cache that `cost=auto`
    passes read (see `ramiel.profiling.profile_pipeline`). `name` defaults to the
    file's stem (or the graph's name, for a proto); `out_dir` defaults to a new
    temporary folder. Existing files are overwritten only if Ramiel generated
    them, unless `force`. Nothing is left half-written: both files are written to
    temporary names in `out_dir` and renamed at the end. A model whose tensors would
    take more than `memory_budget` bytes to compile and load is refused before
    they are read (`ramiel.limits.check_memory_budget`). `dim_bounds` gives the
    sizes the cost models assume where the values decide them
    (`ramiel.ir_graph.set_dim_bounds`); `dynamic_dims` keeps the inputs' symbolic
    dimensions so (`ramiel.frontend.onnx_import.import_model`).
    """
    from ramiel.codegen.escape import module_name
    from ramiel.codegen.printer import print_to_string
    from ramiel.frontend.onnx_import import import_model
    from ramiel.ir_graph import set_dim_bounds
    from ramiel.pipeline import default_pipeline, parse_pipeline, run_pipeline

    start = time.perf_counter()
    passes = (
        default_pipeline(workers) if pipeline is None
        else parse_pipeline(pipeline) if isinstance(pipeline, str)
        else list(pipeline)
    )  # fmt: skip
    proto, where, stem = _load(model, name, memory_budget)
    folder = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="ramiel-"))
    importable = module_name(stem)
    path, weights = folder / f"{importable}.py", folder / f"{importable}{WEIGHTS_SUFFIX}"
    _refuse_nul(path)
    if not force:
        _refuse_to_overwrite(path, weights)
    tell = progress or (lambda _: None)
    tell(f"importing {where}")
    module = import_model(
        proto, input_shapes, where=where, note=note, name=stem, memory_budget=memory_budget, dynamic_dims=dynamic_dims
    )
    bounds_note = set_dim_bounds(module, dim_bounds or {}, where)
    if profile:
        from ramiel.ir_graph import cache_dir
        from ramiel.profiling import profile_pipeline

        tell("timing the model's ops on this machine")
        profile_pipeline(module, passes, cache_dir(), tell)
    observer = _Observer(_count_ops(module), tell)
    run_pipeline(module, passes, observer)
    program = _program(module)
    source = print_to_string(program)
    tell("writing the generated code and weights")
    _write_outputs(path, weights, source, program)
    summary = CompileSummary(
        op_counts_before=observer.ops_before,
        op_counts_after=observer.ops_after,
        clusters=observer.clusters,
        streams=len(program.streams),
        predicted_speedup=(
            program.predicted_speedup.value.data if program.predicted_speedup else None
        ),
        seconds=time.perf_counter() - start,
        workers=workers,
        parallel_speedup=observer.parallel_speedup,
        threads=observer.threads,
        cost_model=program.cost_model.data if program.cost_model else None,
        dim_bounds=bounds_note,
    )
    return CompiledModel(
        source, path, weights, _input_specs(program),
        tuple(n.data for n in program.output_names), summary, observer.plan,
    )  # fmt: skip


def _load(
    model: str | os.PathLike[str] | onnx.ModelProto, name: str | None, memory_budget: int
) -> tuple[onnx.ModelProto, str, str]:
    """The proto, where it came from (for errors) and the generated file's stem."""
    import onnx

    from ramiel.codegen.escape import identifier
    from ramiel.frontend.onnx_import import load_model

    if isinstance(model, onnx.ModelProto):
        return model, "model", name or identifier(model.graph.name or "model")
    return load_model(model, memory_budget=memory_budget), str(model), name or Path(model).stem


def _count_ops(module: ModuleOp) -> Counter[str]:
    """The module's operator ops (constants excluded) of each kind."""
    from ramiel.dialects.dfg import DfgOp
    from ramiel.op_counts import op_counts

    return op_counts(module, DfgOp)


class _Observer:
    """Reports each pass as it starts, and notes what reaches the lowering (it decides nothing)."""

    def __init__(self, ops_before: Counter[str], tell: Progress) -> None:
        self.ops_before = ops_before
        self.ops_after = ops_before
        self.clusters = 0
        self.tell = tell
        self.plan: Plan | None = None
        self.parallel_speedup: float | None = None
        self.threads: int | None = None

    def __call__(self, done: ModulePass | None, module: ModuleOp, upcoming: ModulePass | None) -> None:
        from ramiel.pipeline import is_lowering

        del done
        if upcoming is None:
            return
        self.tell(f"running {upcoming.name}")
        if is_lowering(upcoming) and self.plan is None:
            from xdsl.dialects.builtin import FloatAttr, IntegerAttr

            from ramiel.dialects.dfg import DfgOp
            from ramiel.ir_graph import THREADS_ATTR
            from ramiel.passes.select_streams import PARALLEL_SPEEDUP_ATTR

            self.ops_after = _count_ops(module)
            self.clusters = len(
                {str(op.attributes["cluster"]) for op in module.walk()
                 if isinstance(op, DfgOp) and "cluster" in op.attributes}
            )  # fmt: skip
            rejected = module.attributes.get(PARALLEL_SPEEDUP_ATTR)
            self.parallel_speedup = rejected.value.data if isinstance(rejected, FloatAttr) else None
            threads = module.attributes.get(THREADS_ATTR)
            self.threads = threads.value.data if isinstance(threads, IntegerAttr) else None
            self.plan = _plan(module)


def _plan(module: ModuleOp) -> Plan:
    """The module's schedule (one stream when unscheduled), priced by the cost model its passes used."""
    from xdsl.dialects.builtin import StringAttr
    from xdsl.utils.exceptions import PassFailedException

    from ramiel.ir_graph import (
        COST_MODEL_ATTR,
        FunctionGraph,
        cost_model_name,
        load_named_cost_model,
    )
    from ramiel.scheduling import simulate
    from ramiel.scheduling.serial import serial_schedule

    recorded = module.attributes.get(COST_MODEL_ATTR)
    name = recorded.data if isinstance(recorded, StringAttr) else cost_model_name("auto")
    graph = FunctionGraph.of(module, load_named_cost_model(name))
    try:
        schedule = graph.schedule()
    except PassFailedException:
        schedule = serial_schedule(graph.graph)  # not scheduled: one stream
    return Plan(graph.graph, simulate(graph.graph, schedule), name)


def cleaned_module(
    model: str | os.PathLike[str] | onnx.ModelProto, input_shapes: Mapping[str, Sequence[int]] | None = None
) -> ModuleOp:
    """The model imported into the `dfg` dialect, cleaned up and fused, as the scheduling passes see it."""
    from ramiel.frontend.onnx_import import import_model
    from ramiel.pipeline import graph_passes, run_pipeline

    proto, where, _ = _load(model, None, DEFAULT_MEMORY_BUDGET)
    module = import_model(proto, input_shapes, where=where)
    run_pipeline(module, graph_passes())
    return module


def _program(module: ModuleOp) -> PyModuleOp:
    from ramiel.dialects.pyemit import PyModuleOp

    programs = [op for op in module.ops if isinstance(op, PyModuleOp)]
    if len(programs) != 1:
        raise RamielError("the pipeline must end with convert-dfg-to-pyemit", "--pipeline")
    return programs[0]


def _input_specs(program: PyModuleOp) -> tuple[InputSpec, ...]:
    from ramiel.dialects.types import SequenceType, element_type_of
    from ramiel.onnx_types import dtype_name, static_shape

    return tuple(
        (n.data, None if isinstance(t, SequenceType) else static_shape(t), dtype_name(element_type_of(t)))
        for n, t in zip(program.input_names, program.input_types, strict=True)
    )


def _is_generated(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            return f.readline().startswith(MARKER)
    except OSError:
        return False


def _refuse_to_overwrite(path: Path, weights: Path) -> None:
    """Refuse to replace files that Ramiel did not generate.

    The weights file has no marker: it belongs to the `.py` beside it.
    """
    for target in (path, weights):
        if target.exists() and not _is_generated(path):
            raise RamielError(
                "refusing to overwrite a file that Ramiel did not generate (use --force)",
                str(target),
            )


def _refuse_nul(path: Path) -> None:
    """Refuse an output path holding a NUL character, on which os functions raise ValueError."""
    if "\0" in str(path):
        raise RamielError(
            "cannot write the output: the path holds a NUL character",
            str(path).replace("\0", "\\0"),
        )


def write_generated(path: Path, source: str, program: PyModuleOp) -> None:
    """Write a generated file's `source` to `path` and its weights beside it, all or nothing.

    Only a file Ramiel generated is replaced (see `_refuse_to_overwrite`).
    """
    weights = path.with_suffix(WEIGHTS_SUFFIX)
    _refuse_nul(path)
    _refuse_to_overwrite(path, weights)
    _write_outputs(path, weights, source, program)


def check_writable(path: str | os.PathLike[str]) -> None:
    """Refuse an output file whose folder does not exist or takes no new file, before any
    work is done for it; a typo in a folder name must not create folders."""
    target = Path(path)
    _refuse_nul(target)
    if not target.parent.is_dir():
        raise RamielError("the output file's folder does not exist", str(target))
    if not os.access(target.parent, os.W_OK):
        raise RamielError("cannot write the output: its folder is not writable", str(target))


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path`, all or nothing: a temporary file beside it renamed into place.

    An OSError (an unwritable folder, say) becomes a RamielError about writing the output.
    """
    _refuse_nul(path)
    with _temporary(path.parent, path.name, (".txt",)) as (temp,):
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)


def _write_outputs(path: Path, weights: Path, source: str, program: PyModuleOp) -> None:
    """Write the source to `path` and the weights to `weights`, all or nothing."""
    from ramiel.codegen.weights import write_weights

    with _temporary(path.parent, path.stem, (".py", WEIGHTS_SUFFIX)) as (temp_path, temp_weights):
        temp_path.write_text(source, encoding="utf-8")
        write_weights(program, temp_weights)
        # The `.py` last: it is what makes the pair count as generated.
        os.replace(temp_weights, weights)
        os.replace(temp_path, path)


@contextmanager
def _temporary(folder: Path, stem: str, suffixes: Sequence[str]) -> Iterator[list[Path]]:
    """Fresh temporary files in `folder`, one per suffix, removed on exit unless renamed away.

    Any OSError inside becomes a RamielError about writing the output.
    """
    paths: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for suffix in suffixes:
            path = folder / f".{stem}.{secrets.token_hex(6)}{suffix}.tmp"
            # Created like any new file (umask permissions), unlike mkstemp's 0600.
            path.open("x").close()
            paths.append(path)
        yield paths
    except OSError as e:
        raise RamielError(f"cannot write the output: {e.strerror}", str(folder)) from None
    finally:
        for p in paths:
            p.unlink(missing_ok=True)


# Running generated code.


def load_model_class(path: str | os.PathLike[str]) -> Any:
    """The `Model` class of a generated file."""
    module = _load_generated(Path(path))
    return module.Model


def _load_generated(path: Path) -> Any:
    if not path.is_file():
        raise RamielError("no such file", str(path))
    if not _is_generated(path):
        raise RamielError("not a file generated by Ramiel", str(path))
    # A distinct module name per load: two generated files may share a stem.
    spec = importlib.util.spec_from_file_location(f"ramiel_generated_{next(_LOADS)}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_LOADS = itertools.count()


def run(
    path: str | os.PathLike[str],
    inputs: Mapping[str, np.ndarray],
    num_threads: int | None = None,
) -> dict[str, np.ndarray]:
    """Run a generated model on inputs keyed by ONNX input name; outputs keyed likewise."""
    from ramiel.onnx_types import UNKNOWN

    module = _load_generated(Path(path))
    # The generated table names torch dtypes (`torch.float32`), specs numpy's; it has None
    # for a size that the values decide.
    specs = [
        (name, None if shape is None else tuple(UNKNOWN if d is None else d for d in shape), str(dtype).removeprefix("torch."))
        for name, shape, dtype in module._INPUTS
    ]
    names = [name for name, _, _ in specs]
    check_inputs(specs, inputs, str(path))
    tensors = [torch_value(inputs[n]) for n in names]
    with module.Model(num_threads=num_threads) as model:
        try:
            return call_model(model, tensors, module._OUTPUTS)
        except (TypeError, ValueError) as e:
            raise RamielError(str(e), str(path)) from None


def save_arrays(path: str | os.PathLike[str], arrays: Mapping[str, np.ndarray]) -> None:
    """Save arrays to an `.npz` keyed by name; the file appears whole or not at all.

    Unlike `np.savez(path, **arrays)`, any name works as a key (even `file`); a
    name with a NUL character comes back whole only through `load_arrays`.
    """
    target = Path(path)
    check_writable(target)
    with _temporary(target.parent, target.name, (".npz",)) as (temp,):
        with zipfile.ZipFile(temp, "w") as archive:
            for name, array in arrays.items():
                member = zipfile.ZipInfo(f"{name}.npy")
                member.filename = member.orig_filename  # ZipInfo cuts a name at a NUL
                with archive.open(member, "w") as entry:
                    np.lib.format.write_array(entry, np.asanyarray(array), allow_pickle=False)
        os.replace(temp, target)


def load_arrays(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """The arrays of an `.npz` keyed by name, as `save_arrays` writes them.

    Unlike `np.load`, whose keys end at a NUL character as zip member names do, a
    name comes back whole.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return {
                info.orig_filename.removesuffix(".npy"): _read_member(archive, info)
                for info in archive.infolist()
            }
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise RamielError(f"cannot read the arrays: {e}", str(path)) from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    with archive.open(info) as entry:
        return np.lib.format.read_array(entry, allow_pickle=False)


def check_inputs(specs: Sequence[InputSpec], inputs: Mapping[str, object], where: str) -> None:
    """Refuse inputs whose keys are not exactly the model's input names, or whose shapes or element types differ."""
    names = [name for name, _, _ in specs]
    missing = [repr(n) for n in names if n not in inputs]
    extra = [repr(n) for n in sorted(set(inputs) - set(names))]
    problems = [f"missing {', '.join(missing)}"] * bool(missing) + [
        f"unknown {', '.join(extra)}"
    ] * bool(extra)
    if problems:
        expected = ", ".join(map(repr, names))
        raise RamielError(f"the inputs do not match the model's ({expected}): {'; '.join(problems)}", where)
    from ramiel.dialects.dfg.base import shape_text
    from ramiel.onnx_types import UNKNOWN

    for name, shape, dtype in specs:
        if shape is None:
            given = inputs[name]
            if not isinstance(given, list | tuple) or any(np.asarray(t).dtype.name != dtype for t in given):
                raise RamielError(f"input {name!r} is a sequence: give a list of {dtype} arrays", where)
            continue
        value = np.asarray(inputs[name])
        sized = len(value.shape) == len(shape) and all(d in (UNKNOWN, v) for d, v in zip(shape, value.shape, strict=True))
        if not sized or value.dtype.name != dtype:
            given = shape_text(value.shape)
            raise RamielError(f"input {name!r} is {given} {value.dtype.name}; the model takes {shape_text(shape)} {dtype}", where)


def torch_value(value: object) -> object:
    """An input as the generated code takes it: a tensor, or a list of them for a sequence."""
    from ramiel.onnx_types import torch_of_numpy

    if isinstance(value, list | tuple):
        return [torch_of_numpy(np.asarray(v)) for v in value]
    return torch_of_numpy(np.asarray(value))


def call_model(model: Any, tensors: Sequence[Any], output_names: Sequence[str]) -> dict[str, Any]:
    """Call a loaded generated model; its outputs as arrays (lists of them for sequences) keyed by ONNX name."""

    from ramiel.onnx_types import numpy_of_torch

    result = model(*tensors)
    # One output comes as itself, which may be a sequence: a list of tensors.
    outputs = (result,) if len(output_names) == 1 else result
    return {
        n: [numpy_of_torch(e) for e in t] if isinstance(t, list) else numpy_of_torch(t)
        for n, t in zip(output_names, outputs, strict=True)
    }


def random_inputs(
    specs: Sequence[InputSpec], seed: int = 0, dim_bounds: Mapping[str, int] | None = None
) -> dict[str, np.ndarray]:
    """Seeded inputs: standard normal floats, small non-negative integers, random bools; a size
    that the values decide is the bound `dim_bounds` gives it (as for `compile`)."""
    from ramiel.ir_graph import named_bound
    from ramiel.onnx_types import bounded

    rng = np.random.default_rng(seed)
    arrays: dict[str, np.ndarray] = {}
    for name, dims, dtype in specs:
        if dims is None:
            raise RamielError(f"input {name!r} is a sequence, which has no random value: give the inputs", name)
        shape = bounded(dims, named_bound(dim_bounds or {}, name))
        if np.issubdtype(np.dtype(dtype), np.floating) or dtype == "bfloat16":  # ml_dtypes' is no numpy float
            arrays[name] = rng.standard_normal(shape).astype(dtype)
        elif dtype == "bool":
            arrays[name] = rng.integers(0, 2, shape).astype(bool)
        else:
            arrays[name] = rng.integers(0, 4, shape).astype(dtype)
    return arrays


def onnxruntime_outputs(model: onnx.ModelProto, inputs: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """The model's outputs computed by onnxruntime on the CPU, in graph order."""
    return onnxruntime_runs(model, [inputs])[0]


def onnxruntime_runs(model: onnx.ModelProto, feeds: Sequence[Mapping[str, np.ndarray]]) -> list[list[np.ndarray]]:
    """`onnxruntime_outputs` for each of `feeds`, from one session."""
    onnxruntime = require("onnxruntime", "checking against onnxruntime")
    from onnx import TensorProto

    graph = model.graph
    if any(v.type.tensor_type.elem_type == TensorProto.BFLOAT16 for v in (*graph.input, *graph.output)):
        # It has no numpy type for them (numpy has no bfloat16 of its own).
        raise RamielError("onnxruntime takes and gives no bfloat16 arrays in Python", "reference")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # its errors come back as the one-line error, not logged too
    try:
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
        return [[np.asarray(output) for output in session.run(None, dict(feed))] for feed in feeds]
    except Exception as e:  # onnxruntime raises its own exception types
        raise RamielError(f"onnxruntime failed: {' '.join(str(e).split())}", "reference") from None


@dataclass(frozen=True)
class OutputError:
    """How far one output of the generated code is from the reference."""

    name: str
    absolute: float
    relative: float
    ok: bool


@dataclass(frozen=True)
class CheckReport:
    """Serial and parallel generated code against onnxruntime, per output."""

    workers: int
    serial: tuple[OutputError, ...]
    parallel: tuple[OutputError, ...]
    notes: tuple[str, ...] = ()
    """What the reference cannot decide (`ramiel.conditioning.reference_notes`)."""

    @property
    def ok(self) -> bool:
        """Whether every output of both versions is within the project tolerance."""
        return all(e.ok for e in (*self.serial, *self.parallel))

    def lines(self) -> list[str]:
        """The report as the `ramiel check` command prints it."""
        lines: list[str] = []
        for label, errors in (("serial", self.serial), (f"{self.workers} workers", self.parallel)):
            worst_abs = max((e.absolute for e in errors), default=0.0)
            worst_rel = max((e.relative for e in errors), default=0.0)
            verdict = "ok" if all(e.ok for e in errors) else "MISMATCH"
            lines.append(
                f"{label}: max abs error {worst_abs:.3g}, max rel error {worst_rel:.3g} ({verdict})"
            )
            lines += [
                f"  output {e.name!r}: abs {e.absolute:.3g}, rel {e.relative:.3g}"
                for e in errors
                if not e.ok
            ]
        return lines + [f"note: {note}" for note in self.notes]


def compare(
    outputs: Mapping[str, np.ndarray], reference: Sequence[np.ndarray]
) -> tuple[OutputError, ...]:
    """Each output against the reference, in order, under the project tolerance."""
    from ramiel.numerics import max_errors, within_tolerance

    errors: list[OutputError] = []
    for (name, ours), ref in zip(outputs.items(), reference, strict=True):
        try:
            absolute, relative = max_errors(ours, ref)
        except ValueError:
            absolute = relative = float("inf")
        errors.append(OutputError(name, absolute, relative, within_tolerance(ours, ref)))
    return tuple(errors)


def check(
    model: str | os.PathLike[str] | onnx.ModelProto,
    *,
    workers: int = 2,
    inputs: Mapping[str, np.ndarray] | None = None,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    pipeline: Pipeline | None = None,
    profile: bool = False,
    seed: int = 0,
    progress: Progress | None = None,
    note: Progress | None = None,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    dim_bounds: Mapping[str, int] | None = None,
    dynamic_dims: bool = False,
) -> CheckReport:
    """Compile serial and `workers`-stream code in a temporary folder, run both, compare with onnxruntime.

    `inputs` defaults to `random_inputs` of the model's inputs with `seed`;
    `memory_budget`, `dim_bounds` and `dynamic_dims` are as for `compile`.
    """
    tell = progress or (lambda _: None)
    proto, where, stem = _load(model, None, memory_budget)
    with tempfile.TemporaryDirectory(prefix="ramiel-check-") as folder:
        compiled = [
            compile(
                proto, workers=w, pipeline=pipeline, input_shapes=input_shapes, profile=profile,
                out_dir=Path(folder) / f"workers{w}", name=stem, progress=progress, note=note,
                memory_budget=memory_budget, dim_bounds=dim_bounds, dynamic_dims=dynamic_dims,
            )
            for w in dict.fromkeys((1, workers))
        ]  # fmt: skip
        if inputs is not None:
            check_inputs(compiled[0].inputs, inputs, "--inputs")
        feed = dict(inputs) if inputs is not None else random_inputs(compiled[0].inputs, seed, dim_bounds)
        tell(f"running onnxruntime on {where}")
        # A second draw of inputs tells whether the inputs move the outputs at all.
        reference, other = onnxruntime_runs(proto, [feed, random_inputs(compiled[0].inputs, seed + 1, dim_bounds)])
        results = []
        for c in compiled:
            tell(f"running the code for {c.summary.streams} stream(s)")
            results.append(compare(run(c.path, feed), reference))
    from ramiel.conditioning import reference_notes

    mismatch = not all(e.ok for errors in results for e in errors)
    notes = reference_notes(proto, feed, reference, other, mismatch, onnxruntime_outputs)
    return CheckReport(workers, results[0], results[-1], tuple(notes))


# The demo.

DEMO_MODEL = "inception_v1"
"""The onnx wheel's light model the demo compiles (GoogLeNet)."""


@dataclass(frozen=True)
class DemoReport:
    """The demo's outcome."""

    check: CheckReport
    serial_times: tuple[float, ...]
    """Seconds of each serial run, in the order run (alternating with the parallel ones)."""
    parallel_times: tuple[float, ...]
    summary: CompileSummary
    load_average: float | None = None
    """The machine's one-minute load average before the demo started, where the system gives it."""

    @property
    def serial_seconds(self) -> float:
        """The median serial run."""
        return statistics.median(self.serial_times)

    @property
    def parallel_seconds(self) -> float:
        """The median parallel run."""
        return statistics.median(self.parallel_times)

    @property
    def speedup(self) -> float:
        """Median serial time over median parallel time."""
        return self.serial_seconds / self.parallel_seconds

    def timing_lines(self) -> list[str]:
        """The timings as `ramiel demo` prints them: medians, their spread, and the load."""
        ratios = [s / p for s, p in zip(self.serial_times, self.parallel_times, strict=True)]

        def spread(times: Sequence[float]) -> str:
            return f"{min(times) * 1e3:.1f}-{max(times) * 1e3:.1f} ms"

        lines = [
            f"median of {len(self.serial_times)} alternating runs: serial {self.serial_seconds * 1e3:.1f} ms, "
            f"parallel {self.parallel_seconds * 1e3:.1f} ms: speedup {self.speedup:.2f}x",
            f"spread: serial {spread(self.serial_times)}, parallel {spread(self.parallel_times)}, "
            f"speedup per run {min(ratios):.2f}x-{max(ratios):.2f}x",
        ]
        if self.load_average is not None:
            lines.append(
                f"load average before the demo: {self.load_average:.2f} on {os.cpu_count() or 1} cores "
                "(other work on the machine slows the parallel code first)"
            )
        return lines


def demo(
    *, workers: int | None = None, runs: int = 7, seed: int = 0, progress: Progress | None = None
) -> DemoReport:
    """Compile GoogLeNet with seeded weights, check it, and time serial (one thread) against parallel code."""
    import onnx
    import torch

    from ramiel.seeding import light_model_path, seed_weights

    tell = progress or (lambda _: None)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    workers = workers or max(2, os.cpu_count() or 2)
    tell(f"seeding the weights of {DEMO_MODEL}")
    proto = seed_weights(onnx.load(light_model_path(DEMO_MODEL)), seed)
    with tempfile.TemporaryDirectory(prefix="ramiel-demo-") as folder:
        serial, parallel = (
            compile(proto, workers=w, out_dir=Path(folder) / f"workers{w}", name="googlenet",
                    progress=progress)
            for w in (1, workers)
        )  # fmt: skip
        feed = random_inputs(serial.inputs, seed)
        tell("running onnxruntime")
        reference = onnxruntime_outputs(proto, feed)
        tensors = [torch.from_numpy(feed[name]) for name, _, _ in serial.inputs]
        with serial.load(1) as one, parallel.load() as many:
            results = [
                compare(call_model(loaded, tensors, c.outputs), reference)
                for loaded, c in ((one, serial), (many, parallel))
            ]
            tell(f"timing {runs} alternating runs")
            times: tuple[list[float], list[float]] = ([], [])
            for _ in range(runs):
                for loaded, timing in ((one, times[0]), (many, times[1])):
                    begin = time.perf_counter()
                    loaded(*tensors)
                    timing.append(time.perf_counter() - begin)
    return DemoReport(
        CheckReport(workers, results[0], results[1]), tuple(times[0]), tuple(times[1]), parallel.summary, load
    )


_COUNTED = re.compile(r".* \((\d+)/(\d+)\)")
"""A step of a long loop: `timing ops (3/40)`."""


def terminal_progress(stream: Any = None) -> Progress | None:
    """A progress callback printing to stderr when it is a terminal, else None.

    A counted message (`timing ops (3/40)`) overwrites the line of the one before
    it, and the last of its loop ends the line; other messages get a line each.
    """
    out = stream or sys.stderr
    if not out.isatty():
        return None

    def tell(message: str) -> None:
        counted = _COUNTED.fullmatch(message)
        if counted is None:
            out.write(f"ramiel: {message}...\n")
        else:
            last = counted[1] == counted[2]
            out.write(f"\r\x1b[Kramiel: {message}" + ("\n" if last else ""))
        out.flush()

    return tell
