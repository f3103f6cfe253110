"""Cost models: predicted latency of each operation and of handing a tensor between streams.

A `CostModel` answers three questions, in seconds: `node_cost(op)` for one ONNX
operation run at batch 1, `edge_cost(nbytes)` for handing a tensor of `nbytes`
from one stream to another, and `call_cost(streams)` for what a call of code on
that many streams pays once, whatever its graph. Researchers can pass any
subclass to the compiler, or register a factory of one under a name
(`register_cost_model`, or an entry point in the `ramiel.cost_models` group) so
that the passes' `cost` option and the command line can name it.

`AnalyticCostModel` counts FLOPs and bytes moved per op (see `op_work`) and predicts

    time = max(flops / flop rate, bytes / memory bandwidth) + per-op overhead
    hand-off = handoff overhead + nbytes / handoff bandwidth

with machine constants from a dict with exactly these keys (all in SI units):

    gemm_flop_per_s     FLOP rate of Conv, ConvTranspose, MatMul and Gemm
    vector_flop_per_s   FLOP rate of every other op (element-wise, pooling, reductions)
    memory_bytes_per_s  memory bandwidth for reading inputs and writing outputs
    op_overhead_s       fixed cost of every op: Python and PyTorch dispatch
    handoff_overhead_s  fixed cost of a cross-stream hand-off: signalling and waking a thread
    handoff_bytes_per_s bandwidth of a hand-off: the consumer's core pulling the data in
    parallel_call_s     what a call of code on several streams pays once: the other cores
                        resuming after the idle time between calls
    intra_op_grain_s    the one-thread time from which an op gains from more intra-op threads
    intra_op_speedup    how much faster such an op runs on two threads than on one
    intra_op_overhead_s what such an op pays on several threads: starting and joining them
    intra_op_small_overhead_s what a smaller op pays on several threads (it runs on one,
                        and the others wake and wait)

and predicts an op of time t on n > 1 intra-op threads (`intra_op_cost`; the
profile model scales a profiled time by the ratio it predicts for its estimate) as

    t < grain:  t + small overhead
    otherwise:  t / min(n, 1 + (speedup - 1) * (n - 1)) + overhead

`StaticCostModel` uses the constants checked into `ramiel/cost_static.json`:
rounded calibrations of a 2-core AVX-512 x86 CPU running the generated code with
one thread per stream (100 GFLOP/s for convolutions and matrix products with
prepacked oneDNN weights, 6 GFLOP/s for vector work, 50 GB/s, 8 us of dispatch
per op, 30 us per hand-off, 3 ms per parallel call after an idle gap); the
intra-op constants were fitted to 17 models' one-stream code timed on one and on
two threads (docs/performance.md, "Transformers: fusions and the thread count").
They rank ops sensibly but were not measured on the machine at hand;
`load_cost_model` picks calibrated or profiled numbers when a cache has them:

    <cache_dir>/cost_analytic.json  the constants above, measured on this machine
    <cache_dir>/cost_profile.json   {op_signature(op): seconds} for profiled ops;
                                    ops missing from it use the analytic constants
                                    when cached, else the static ones
"""

from __future__ import annotations

import json
import math
import os
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ramiel.errors import RamielError
from ramiel.onnx_types import element_type_named
from ramiel.opview import OpView, Shape
from ramiel.registry import Registry

INTRA_OP_KEYS = ("intra_op_grain_s", "intra_op_speedup", "intra_op_overhead_s", "intra_op_small_overhead_s")
"""The constants of intra-op threading, which `calibrate` does not measure: it keeps the static ones."""

CONSTANT_KEYS = (
    "gemm_flop_per_s",
    "vector_flop_per_s",
    "memory_bytes_per_s",
    "op_overhead_s",
    "handoff_overhead_s",
    "handoff_bytes_per_s",
    "parallel_call_s",
    *INTRA_OP_KEYS,
)
ANALYTIC_CACHE_FILE = "cost_analytic.json"
PROFILE_CACHE_FILE = "cost_profile.json"
COST_MODELS = ("static", "analytic", "profile")
"""The built-in cost models (see `COST_MODEL_REGISTRY` for all)."""


def _dtype(name: str | None) -> tuple[str, int]:
    """Canonical name and byte size of a dtype; unknown or missing dtypes count as float32."""
    known = element_type_named(name) if name else None
    if known is not None:
        return known.name, known.size
    return (name, 4) if name else ("float32", 4)


def _elements(shape: Shape | None) -> int:
    """Element count; an unknown shape counts as empty, a dynamic (negative) dim as 1."""
    return 0 if shape is None else math.prod(d if d >= 0 else 1 for d in shape)


def _nbytes(shapes: Sequence[Shape | None], dtypes: Sequence[str | None]) -> int:
    return sum(
        _elements(s) * _dtype(dtypes[i] if i < len(dtypes) else None)[1]
        for i, s in enumerate(shapes)
    )


def _ints(attrs: Mapping[str, object], name: str, default: list[int]) -> list[int]:
    value = attrs.get(name)
    return [int(x) for x in value] if isinstance(value, (list, tuple)) else default


def _int(attrs: Mapping[str, object], name: str, default: int) -> int:
    value = attrs.get(name, default)
    return int(value) if isinstance(value, (int, float)) else default


@dataclass(frozen=True)
class OpWork:
    """Work of one op: FLOPs, bytes read plus written, and which rate applies (gemm, vector or view)."""

    flops: float
    nbytes: float
    kind: str


WorkFunction = Callable[[OpView], OpWork]
"""An op's cost class: its FLOPs and bytes from its view."""


def _input(op: OpView, i: int) -> Shape | None:
    return op.input_shapes[i] if i < len(op.input_shapes) else None


def _output(op: OpView) -> Shape | None:
    return op.output_shapes[0] if op.output_shapes else None


def _bytes_moved(op: OpView) -> float:
    """All inputs (weights included) plus all outputs."""
    return float(_nbytes(op.input_shapes, op.input_dtypes) + _nbytes(op.output_shapes, op.output_dtypes))


def _sliding_output(op: OpView, x: Shape, kernel: list[int], channels: int) -> Shape:
    """Output shape of a convolution or pooling window over `x` when it is not given."""
    given = _output(op)
    if given is not None:
        return given
    spatial = x[2:]
    strides = _ints(op.attrs, "strides", [1] * len(spatial))
    dilations = _ints(op.attrs, "dilations", [1] * len(spatial))
    pads = _ints(op.attrs, "pads", [0] * (2 * len(spatial)))
    auto_pad = str(op.attrs.get("auto_pad", "NOTSET"))
    out = []
    for i, size in enumerate(spatial):
        if auto_pad.startswith("SAME"):
            out.append(-(-size // strides[i]))
        else:
            span = size + pads[i] + pads[i + len(spatial)] - dilations[i] * (kernel[i] - 1) - 1
            out.append(span // strides[i] + 1)
    return (x[0], channels, *out)


def elementwise_work(op: OpView) -> OpWork:
    """One FLOP per output element (element-wise ops, normalisation, reductions, copies)."""
    out = sum(_elements(s) for s in op.output_shapes)
    return OpWork(float(out or _elements(_input(op, 0))), _bytes_moved(op), "vector")


def view_work(op: OpView) -> OpWork:
    """A view of the input (or metadata only): no work, dispatch only."""
    del op
    return OpWork(0.0, 0.0, "view")


def _gemm(op: OpView, flops: Callable[[Shape, Shape], float]) -> OpWork:
    """A GEMM-like op's work, or element-wise work when the shapes needed are unknown."""
    x, w = _input(op, 0), _input(op, 1)
    if x is None or w is None:
        return elementwise_work(op)
    return OpWork(flops(x, w), _bytes_moved(op), "gemm")


def conv_work(op: OpView) -> OpWork:
    """2 * N * Cout * Hout * Wout * (Cin / group) * kh * kw (any number of spatial axes)."""

    def flops(x: Shape, w: Shape) -> float:
        kernel = list(w[2:])
        y = _sliding_output(op, x, kernel, w[0])
        return 2.0 * _elements(y) * (x[1] // _int(op.attrs, "group", 1)) * math.prod(kernel)

    return _gemm(op, flops)


def conv_transpose_work(op: OpView) -> OpWork:
    """Every input element is scattered through the kernel into Cout/group channels: two FLOPs each."""
    return _gemm(op, lambda x, w: 2.0 * _elements(x) * w[1] * math.prod(w[2:]))


def gemm_work(op: OpView) -> OpWork:
    """2 * M * N * K, with Gemm's transposes."""

    def flops(x: Shape, w: Shape) -> float:
        trans_a, trans_b = _int(op.attrs, "transA", 0), _int(op.attrs, "transB", 0)
        k = x[0] if trans_a else x[1]
        m = x[1] if trans_a else x[0]
        n = w[0] if trans_b else w[1]
        return 2.0 * m * n * k

    return _gemm(op, flops)


def matmul_work(op: OpView) -> OpWork:
    """MatMul with numpy semantics: every output element is a length-K dot product, two FLOPs a step."""

    def flops(x: Shape, w: Shape) -> float:
        k = x[-1] if x else 1
        y = _output(op)
        if y is None:
            batch = max(_elements(x[:-2]), _elements(w[:-2]))
            y = (batch, x[-2] if len(x) >= 2 else 1, w[-1] if len(w) >= 2 else 1)
        return 2.0 * _elements(y) * k

    return _gemm(op, flops)


def window_work(op: OpView) -> OpWork:
    """Pooling over windows: one FLOP per output element per window position."""
    x = _input(op, 0)
    if x is None:
        return elementwise_work(op)
    kernel = _ints(op.attrs, "kernel_shape", [1] * (len(x) - 2))
    flops = _elements(_sliding_output(op, x, kernel, x[1])) * math.prod(kernel)
    return OpWork(float(flops), _bytes_moved(op), "vector")


def full_reduction_work(op: OpView) -> OpWork:
    """A reduction over the whole of each channel (global pooling): one FLOP per input element."""
    return OpWork(float(_elements(_input(op, 0))), _bytes_moved(op), "vector")


def lrn_work(op: OpView) -> OpWork:
    """`size` + 20 FLOPs per element: the windowed sum of squares (no wider than twice the
    channels), then a power (about 20 simple operations)."""
    shape = _input(op, 0)
    channels = shape[1] if shape is not None and len(shape) > 1 else 1
    window = min(_int(op.attrs, "size", 1), 2 * channels - 1)
    return OpWork(float(_elements(shape) * (window + 20)), _bytes_moved(op), "vector")


_WORK: dict[str, WorkFunction] = {}


def register_work(op_type: str, work: WorkFunction) -> None:
    """Give ONNX op type `op_type` the cost class `work` (each `dfg` op class registers its own)."""
    _WORK[op_type] = work


def op_work(op: OpView) -> OpWork:
    """FLOPs and bytes moved by `op`, by its op type's cost class (element-wise for unknown types).

    Bytes are all inputs (weights included) plus all outputs, except for views.
    """
    if not _WORK:
        import ramiel.dialects.dfg  # noqa: F401  (the op classes register their cost classes)
    return _WORK.get(op.op_type, elementwise_work)(op)


def op_signature(op: OpView) -> str:
    """A deterministic text key for `op`: type, input and output shapes and dtypes, sorted attributes.

    Example: `Conv(1x3x224x224:float32,64x3x7x7:float32)->(1x64x112x112:float32){group=1,strides=[2,2]}`.
    Unknown shapes print as `?`; dtype aliases print in their canonical numpy spelling.
    """

    def tensor(shape: Shape | None, dtypes: tuple[str | None, ...], i: int) -> str:
        dims = "?" if shape is None else "x".join(str(d) for d in shape) or "scalar"
        return f"{dims}:{_dtype(dtypes[i] if i < len(dtypes) else None)[0]}"

    def value(v: object) -> str:
        if isinstance(v, bytes):
            return v.decode(errors="replace")
        if isinstance(v, (list, tuple)):
            return "[" + ",".join(value(x) for x in v) + "]"
        return repr(v) if isinstance(v, float) else str(v)

    inputs = ",".join(
        tensor(s, op.input_dtypes, i) for i, s in enumerate(op.input_shapes)
    )
    outputs = ",".join(
        tensor(s, op.output_dtypes, i) for i, s in enumerate(op.output_shapes)
    )
    attrs = ",".join(f"{k}={value(op.attrs[k])}" for k in sorted(op.attrs))
    return f"{op.op_type}({inputs})->({outputs}){{{attrs}}}"


class CostModel(ABC):
    """Predicts, in seconds, the latency of an op and of a cross-stream hand-off."""

    @abstractmethod
    def node_cost(self, op: OpView) -> float:
        """Latency of running `op` once at batch 1."""

    @abstractmethod
    def edge_cost(self, nbytes: int) -> float:
        """Latency added when a tensor of `nbytes` is handed to another stream."""

    def call_cost(self, streams: int) -> float:
        """Latency a call of code on `streams` streams pays once, beyond its ops and hand-offs."""
        del streams
        return 0.0

    def intra_op_cost(self, op: OpView, seconds: float, threads: int) -> float:
        """Latency on `threads` intra-op threads of `op`, which takes `seconds` on one (by default the same)."""
        del op, threads
        return seconds


class AnalyticCostModel(CostModel):
    """FLOP and byte counts (`op_work`) turned into time with machine constants (`CONSTANT_KEYS`)."""

    def __init__(self, constants: Mapping[str, float]) -> None:
        """Check that `constants` has exactly the `CONSTANT_KEYS`, rates positive and overheads >= 0."""
        missing = [k for k in CONSTANT_KEYS if k not in constants]
        unknown = sorted(set(constants) - set(CONSTANT_KEYS))
        if missing or unknown:
            raise ValueError(f"cost constants: missing {missing}, unknown {unknown}")
        for k in CONSTANT_KEYS:
            v = float(constants[k])
            if not math.isfinite(v) or v < 0 or (k.endswith("_per_s") and v == 0) or (k == "intra_op_speedup" and v < 1):
                raise ValueError(f"cost constant {k} = {v!r} is out of range")
        self.constants: dict[str, float] = {
            k: float(constants[k]) for k in CONSTANT_KEYS
        }

    def node_cost(self, op: OpView) -> float:
        """max(compute time, memory time) + per-op overhead."""
        work = op_work(op)
        c = self.constants
        rate = c["gemm_flop_per_s"] if work.kind == "gemm" else c["vector_flop_per_s"]
        return (
            max(work.flops / rate, work.nbytes / c["memory_bytes_per_s"])
            + c["op_overhead_s"]
        )

    def edge_cost(self, nbytes: int) -> float:
        """Hand-off overhead plus transfer time."""
        return (
            self.constants["handoff_overhead_s"]
            + nbytes / self.constants["handoff_bytes_per_s"]
        )

    def call_cost(self, streams: int) -> float:
        """`parallel_call_s` for code on several streams, nothing for one."""
        return self.constants["parallel_call_s"] if streams > 1 else 0.0

    def intra_op_cost(self, op: OpView, seconds: float, threads: int) -> float:
        """Small ops pay a wake-up on several threads; ops from the grain on run `intra_op_speedup` faster per added thread."""
        del op
        c = self.constants
        if threads < 2:
            return seconds
        if seconds < c["intra_op_grain_s"]:
            return seconds + c["intra_op_small_overhead_s"]
        speedup = min(float(threads), 1 + (c["intra_op_speedup"] - 1) * (threads - 1))
        return seconds / speedup + c["intra_op_overhead_s"]


def static_constants() -> dict[str, float]:
    """The constants checked into `ramiel/cost_static.json`."""
    return json.loads(
        resources.files("ramiel")
        .joinpath("cost_static.json")
        .read_text(encoding="utf-8")
    )


class StaticCostModel(AnalyticCostModel):
    """The analytic model with the checked-in constants of `cost_static.json`."""

    def __init__(self) -> None:
        """Load the checked-in constants."""
        super().__init__(static_constants())


class ProfileCostModel(CostModel):
    """Measured latencies looked up by `op_signature`; other ops and hand-offs use `fallback`."""

    def __init__(self, table: Mapping[str, float], fallback: CostModel) -> None:
        """`table` maps op signatures to seconds."""
        self.table = dict(table)
        self.fallback = fallback

    def node_cost(self, op: OpView) -> float:
        """The profiled time of ops with this signature, else the fallback's prediction."""
        measured = self.table.get(op_signature(op))
        return measured if measured is not None else self.fallback.node_cost(op)

    def edge_cost(self, nbytes: int) -> float:
        """The fallback's hand-off prediction."""
        return self.fallback.edge_cost(nbytes)

    def call_cost(self, streams: int) -> float:
        """The fallback's per-call prediction."""
        return self.fallback.call_cost(streams)

    def intra_op_cost(self, op: OpView, seconds: float, threads: int) -> float:
        """The profiled time scaled as the fallback predicts `op` to change on `threads` threads.

        The fallback judges from its own estimate whether an op is large enough to
        share (the intra-op constants were fitted to the static model's estimates);
        a profile, which times each op alone, overstates small matrix products.
        """
        estimate = self.fallback.node_cost(op)
        if estimate <= 0:
            return seconds
        return seconds * self.fallback.intra_op_cost(op, estimate, threads) / estimate


def _read_cache(path: Path) -> dict[str, float] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RamielError(f"cannot read the cost cache: {exc.strerror}; remove it or profile again", str(path)) from None
    except ValueError:  # not UTF-8, or not JSON
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, (int, float)) for v in data.values()):
        raise RamielError("the cost cache is not a JSON object of numbers; remove it or profile again", str(path))
    return {str(k): float(v) for k, v in data.items()}


COST_MODEL_ENTRY_POINT_GROUP = "ramiel.cost_models"
CostModelFactory = Callable[[Path | None], CostModel]
"""Builds a cost model from the cache directory (None when there is none)."""

COST_MODEL_REGISTRY: Registry[CostModelFactory] = Registry("cost model", COST_MODEL_ENTRY_POINT_GROUP)
"""Every cost model, by name: the built-ins, files run with `COST_MODEL_REGISTRY.load_file`,
and entry points of installed packages in the `ramiel.cost_models` group."""


def register_cost_model(name: str) -> Callable[[CostModelFactory], CostModelFactory]:
    """Decorator registering a `(cache_dir) -> CostModel` factory under `name`, as heuristics are::

    @register_cost_model("roofline")
    def roofline(cache_dir: Path | None) -> CostModel: ...
    """
    return COST_MODEL_REGISTRY.register(name)


def available_cost_models() -> list[str]:
    """The names of every registered cost model, sorted."""
    return COST_MODEL_REGISTRY.names()


def load_cost_model(name: str, cache_dir: str | os.PathLike[str] | None = None) -> CostModel:
    """The cost model registered as `name`, built from the cache in `cache_dir`."""
    try:
        factory = COST_MODEL_REGISTRY.get(name)
    except KeyError:
        raise ValueError(f"unknown cost model {name!r}; choose one of {', '.join(available_cost_models())}") from None
    return factory(Path(cache_dir) if cache_dir is not None else None)


@register_cost_model("static")
def _static(cache_dir: Path | None) -> CostModel:
    del cache_dir
    return StaticCostModel()


def _cached(name: str, file: str, directory: Path | None) -> dict[str, float] | None:
    """The cache `file` of cost model `name`; None, with a warning, when it is absent."""
    table = _read_cache(directory / file) if directory else None
    if table is None:
        where = directory / file if directory else f"{file} (no cache directory given)"
        warnings.warn(f"cost model {name!r}: {where} not found, using the static cost model", stacklevel=4)
    return table


@register_cost_model("analytic")
def _analytic(cache_dir: Path | None) -> CostModel:
    """The analytic model with this machine's calibrated constants; static without a calibration."""
    constants = _cached("analytic", ANALYTIC_CACHE_FILE, cache_dir)
    return _calibrated(constants) if constants is not None else StaticCostModel()


def with_intra_op_constants(constants: Mapping[str, float]) -> dict[str, float]:
    """`constants` with the static intra-op ones they lack: calibration does not measure those,
    and a calibration older than them has none."""
    static = static_constants()
    return {**{k: static[k] for k in INTRA_OP_KEYS}, **constants}


def _calibrated(constants: Mapping[str, float]) -> AnalyticCostModel:
    """The analytic model of calibrated `constants` (`with_intra_op_constants`)."""
    return AnalyticCostModel(with_intra_op_constants(constants))


@register_cost_model("profile")
def _profile(cache_dir: Path | None) -> CostModel:
    """Profiled op times over the analytic model (calibrated when cached); static without a profile."""
    table = _cached("profile", PROFILE_CACHE_FILE, cache_dir)
    if table is None:
        return StaticCostModel()
    analytic = _read_cache(cache_dir / ANALYTIC_CACHE_FILE) if cache_dir else None
    return ProfileCostModel(table, _calibrated(analytic) if analytic is not None else StaticCostModel())
