"""Cost models: predicted latency of each operation and of handing a tensor between streams.

A `CostModel` answers three questions, in seconds: `node_cost(op)` for one ONNX
operation run at batch 1, `edge_cost(nbytes)` for handing a tensor of `nbytes`
from one stream to another, and `call_cost(streams)` for what a call of code on
that many streams pays once, whatever its graph. Researchers can pass any
subclass to the compiler.

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

`StaticCostModel` uses the constants checked into `ramiel/cost_static.json`:
rounded calibrations of a 2-core AVX-512 x86 CPU running the generated code with
one thread per stream (100 GFLOP/s for convolutions and matrix products with
prepacked oneDNN weights, 2 GFLOP/s for vector work, 20 GB/s, 5 us of dispatch
per op, 30 us per hand-off, 3 ms per parallel call after an idle gap). They rank ops sensibly but were not measured on the
machine at hand; `load_cost_model` picks calibrated or profiled numbers when a
cache has them:

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

Shape = tuple[int, ...]

CONSTANT_KEYS = (
    "gemm_flop_per_s",
    "vector_flop_per_s",
    "memory_bytes_per_s",
    "op_overhead_s",
    "handoff_overhead_s",
    "handoff_bytes_per_s",
    "parallel_call_s",
)
ANALYTIC_CACHE_FILE = "cost_analytic.json"
PROFILE_CACHE_FILE = "cost_profile.json"
COST_MODELS = ("static", "analytic", "profile")


@dataclass(frozen=True)
class OpInfo:
    """What a cost model may know about one ONNX operation.

    Shapes are tuples of ints (None where unknown, e.g. an omitted optional input);
    dtypes are names such as "float32" or ONNX's "FLOAT"; attrs maps ONNX attribute
    names to ints, floats, strings or lists of them.
    """

    op_type: str
    input_shapes: tuple[Shape | None, ...] = ()
    input_dtypes: tuple[str | None, ...] = ()
    output_shapes: tuple[Shape | None, ...] = ()
    output_dtypes: tuple[str | None, ...] = ()
    attrs: Mapping[str, object] = field(default_factory=dict, hash=False)


# Canonical name and size in bytes for numpy, ONNX and MLIR spellings of element types.
_DTYPES: dict[str, tuple[str, int]] = {
    alias: (canonical, size)
    for canonical, size, aliases in (
        ("float32", 4, ("float", "f32")),
        ("float64", 8, ("double", "f64")),
        ("float16", 2, ("half", "f16")),
        ("bfloat16", 2, ("bf16",)),
        ("int8", 1, ("i8", "si8")),
        ("uint8", 1, ("ui8", "u8")),
        ("int16", 2, ("i16", "si16")),
        ("uint16", 2, ("ui16", "u16")),
        ("int32", 4, ("i32", "si32")),
        ("uint32", 4, ("ui32", "u32")),
        ("int64", 8, ("i64", "si64")),
        ("uint64", 8, ("ui64", "u64")),
        ("bool", 1, ("i1",)),
        ("complex64", 8, ()),
        ("complex128", 16, ()),
    )
    for alias in (canonical, *aliases)
}
_DEFAULT_DTYPE = ("float32", 4)


def _dtype(name: str | None) -> tuple[str, int]:
    """Canonical name and byte size of a dtype; unknown or missing dtypes count as float32."""
    return _DTYPES.get(name.lower(), (name, 4)) if name else _DEFAULT_DTYPE


def _elements(shape: Shape | None) -> int:
    """Element count; an unknown shape counts as empty, a dynamic (negative) dim as 1."""
    return 0 if shape is None else math.prod(d if d >= 0 else 1 for d in shape)


def _nbytes(shapes: tuple[Shape | None, ...], dtypes: tuple[str | None, ...]) -> int:
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


GEMM_OPS = frozenset({"Conv", "ConvTranspose", "MatMul", "Gemm"})
# Zero-copy in PyTorch: a view of the input (or metadata only), so only dispatch is paid.
VIEW_OPS = frozenset(
    {
        "Reshape",
        "Flatten",
        "Squeeze",
        "Unsqueeze",
        "Identity",
        "Dropout",
        "Shape",
        "Size",
        "Slice",
        "Split",
        "Expand",
    }
)
WINDOW_OPS = frozenset({"MaxPool", "AveragePool", "LpPool"})
FULL_REDUCTION_OPS = frozenset({"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"})


def _input(op: OpInfo, i: int) -> Shape | None:
    return op.input_shapes[i] if i < len(op.input_shapes) else None


def _output(op: OpInfo) -> Shape | None:
    return op.output_shapes[0] if op.output_shapes else None


def _sliding_output(op: OpInfo, x: Shape, kernel: list[int], channels: int) -> Shape:
    """Output shape of a convolution or pooling window over `x` when it is not given."""
    given = _output(op)
    if given is not None:
        return given
    spatial = x[2:]
    strides = _ints(op.attrs, "strides", [1] * len(spatial))
    dilations = _ints(op.attrs, "dilations", [1] * len(spatial))
    pads = _ints(op.attrs, "pads", [0] * (2 * len(spatial)))
    auto_pad = op.attrs.get("auto_pad", "NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else str(auto_pad)
    out = []
    for i, size in enumerate(spatial):
        if auto_pad.startswith("SAME"):
            out.append(-(-size // strides[i]))
        else:
            span = (
                size
                + pads[i]
                + pads[i + len(spatial)]
                - dilations[i] * (kernel[i] - 1)
                - 1
            )
            out.append(span // strides[i] + 1)
    return (x[0], channels, *out)


def _gemm_flops(op: OpInfo) -> float | None:
    """2 * multiply-accumulates of a GEMM-like op, or None when the shapes needed are unknown."""
    x, w = _input(op, 0), _input(op, 1)
    if x is None or w is None:
        return None
    if op.op_type == "Conv":
        group = _int(op.attrs, "group", 1)
        kernel = list(w[2:])
        y = _sliding_output(op, x, kernel, w[0])
        return 2.0 * _elements(y) * (x[1] // group) * math.prod(kernel)
    if op.op_type == "ConvTranspose":
        # Every input element is scattered through the kernel into Cout/group channels.
        return 2.0 * _elements(x) * w[1] * math.prod(w[2:])
    if op.op_type == "Gemm":
        trans_a, trans_b = _int(op.attrs, "transA", 0), _int(op.attrs, "transB", 0)
        k = x[0] if trans_a else x[1]
        m = x[1] if trans_a else x[0]
        n = w[0] if trans_b else w[1]
        return 2.0 * m * n * k
    # MatMul with numpy semantics: every output element is a length-K dot product.
    k = x[-1] if x else 1
    y = _output(op)
    if y is None:
        batch = max(_elements(x[:-2]), _elements(w[:-2]))
        m = x[-2] if len(x) >= 2 else 1
        n = w[-1] if len(w) >= 2 else 1
        y = (batch, m, n)
    return 2.0 * _elements(y) * k


def op_work(op: OpInfo) -> OpWork:
    """FLOPs and bytes moved by `op`.

    - Conv: 2 * N * Cout * Hout * Wout * (Cin / group) * kh * kw (any number of spatial
      dims); ConvTranspose, MatMul and Gemm likewise count two FLOPs per multiply-add.
    - MaxPool / AveragePool / LpPool: one FLOP per output element per window position.
    - Global pools: one FLOP per input element.
    - LRN: `size` + 20 FLOPs per element: the windowed sum of squares, then a power
      (which costs about 20 simple operations).
    - Views (reshape-like ops, slicing, splitting, expand): no work, dispatch only.
    - Everything else (element-wise, normalisation, reductions, copies such as
      Transpose, Concat, Gather, Pad): one FLOP per output element.
    Bytes are all inputs (weights included) plus all outputs, except for views.
    """
    if op.op_type in VIEW_OPS:
        return OpWork(0.0, 0.0, "view")
    nbytes = float(
        _nbytes(op.input_shapes, op.input_dtypes)
        + _nbytes(op.output_shapes, op.output_dtypes)
    )
    x = _input(op, 0)
    if op.op_type in GEMM_OPS:
        flops = _gemm_flops(op)
        if flops is not None:
            return OpWork(flops, nbytes, "gemm")
    if op.op_type in WINDOW_OPS and x is not None:
        kernel = _ints(op.attrs, "kernel_shape", [1] * (len(x) - 2))
        return OpWork(
            float(_elements(_sliding_output(op, x, kernel, x[1])) * math.prod(kernel)),
            nbytes,
            "vector",
        )
    if op.op_type in FULL_REDUCTION_OPS:
        return OpWork(float(_elements(x)), nbytes, "vector")
    if op.op_type == "LRN" and x is not None:
        return OpWork(float(_elements(x) * (_int(op.attrs, "size", 1) + 20)), nbytes, "vector")
    out = sum(_elements(s) for s in op.output_shapes)
    return OpWork(float(out or _elements(x)), nbytes, "vector")


def op_signature(op: OpInfo) -> str:
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
    def node_cost(self, op: OpInfo) -> float:
        """Latency of running `op` once at batch 1."""

    @abstractmethod
    def edge_cost(self, nbytes: int) -> float:
        """Latency added when a tensor of `nbytes` is handed to another stream."""

    def call_cost(self, streams: int) -> float:
        """Latency a call of code on `streams` streams pays once, beyond its ops and hand-offs."""
        del streams
        return 0.0


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
            if not math.isfinite(v) or v < 0 or (k.endswith("_per_s") and v == 0):
                raise ValueError(f"cost constant {k} = {v!r} is out of range")
        self.constants: dict[str, float] = {
            k: float(constants[k]) for k in CONSTANT_KEYS
        }

    def node_cost(self, op: OpInfo) -> float:
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

    def node_cost(self, op: OpInfo) -> float:
        """The profiled time of ops with this signature, else the fallback's prediction."""
        measured = self.table.get(op_signature(op))
        return measured if measured is not None else self.fallback.node_cost(op)

    def edge_cost(self, nbytes: int) -> float:
        """The fallback's hand-off prediction."""
        return self.fallback.edge_cost(nbytes)

    def call_cost(self, streams: int) -> float:
        """The fallback's per-call prediction."""
        return self.fallback.call_cost(streams)


def _read_cache(path: Path) -> dict[str, float] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cost cache {path} is unreadable: {exc}") from exc
    if not isinstance(data, dict) or not all(
        isinstance(v, (int, float)) for v in data.values()
    ):
        raise ValueError(f"cost cache {path} must be a JSON object of numbers")
    return {str(k): float(v) for k, v in data.items()}


def load_cost_model(
    name: str, cache_dir: str | os.PathLike[str] | None = None
) -> CostModel:
    """The cost model called `name` ("static", "analytic" or "profile").

    "analytic" and "profile" read their cache file from `cache_dir` (see the module
    docstring); when it is absent they fall back to "static" with a warning.
    """
    if name not in COST_MODELS:
        raise ValueError(
            f"unknown cost model {name!r}; choose one of {', '.join(COST_MODELS)}"
        )
    if name == "static":
        return StaticCostModel()
    directory = Path(cache_dir) if cache_dir is not None else None
    analytic = _read_cache(directory / ANALYTIC_CACHE_FILE) if directory else None
    fallback: CostModel = (
        AnalyticCostModel(analytic) if analytic is not None else StaticCostModel()
    )
    wanted = (
        analytic
        if name == "analytic"
        else (_read_cache(directory / PROFILE_CACHE_FILE) if directory else None)
    )
    if wanted is None:
        file = ANALYTIC_CACHE_FILE if name == "analytic" else PROFILE_CACHE_FILE
        where = directory / file if directory else f"{file} (no cache directory given)"
        warnings.warn(
            f"cost model {name!r}: {where} not found, using the static cost model",
            stacklevel=2,
        )
        return StaticCostModel()
    return fallback if name == "analytic" else ProfileCostModel(wanted, fallback)
