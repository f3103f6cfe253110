"""`ramiel bench`: Ramiel's generated code against onnxruntime and PyTorch, measured in one run.

    report = ramiel.bench("model.onnx", workers=2, repeat=20)
    print("\\n".join(report.lines()))
    report.write_json("bench.json")
    report.write_svg("bench.svg")        # bar chart, then measured and predicted timelines

Every configuration runs once per round for `repeat` rounds, so drift in the
machine's load hits all of them alike; each round takes them in a new (seeded)
order, so that no configuration always follows the same one. The report gives
medians with their interquartile range, the process CPU time per run (over the
wall time, the cores a configuration kept busy) and the ratios between
configurations:

    Ramiel serial        the one-stream code on 1 intra-op thread
    Ramiel intra-op      the one-stream code on N intra-op threads
    Ramiel parallel      the N-stream code, given N threads to share out as it chooses
    ... baseline runtime the same code with another version of the stream runtime, when given
    onnxruntime 1 / N    onnxruntime's sequential executor on 1 and on N threads
    onnxruntime parallel onnxruntime's parallel executor on N threads
    PyTorch eager 1 / N  the torch module, when given, on 1 and on N threads

Generated models keep the thread count they were loaded with (their weights are
prepacked for it), so the serial code is loaded twice, on 1 and on N threads.
Each configuration is called from a thread of its own whose torch thread count
is set once: on one thread, alternating thread counts makes oneDNN rebuild its
kernels and reorder weights, slowing every configuration down. onnxruntime runs
with its default session options, as its users run it (only the thread counts
are set): its idle pool threads spin after a run (about 50 ms here), so each
of its timed calls is followed by a pause of `SPIN_SETTLE_SECONDS`, and their
spinning does not take a core from the configuration that runs next.

By default the timed calls follow each other closely (back to back, as in a
serving loop under load). With a gap (`ramiel bench --gap MS`), the thread of
each timed call first sleeps that long, as a model called now and then does:
cores left idle resume late on some machines, and a runtime that blocks loses
there what it gains back to back. The report then gives the process CPU time
spent during the gaps, as a share of one core: what the configuration keeps
running while it waits for calls.

A baseline runtime (`--baseline-runtime FILE`, another version of
`ramiel/runtime/streams.py`) times the parallel code once more with that
runtime pasted in instead of this one, so two runtimes are compared on the same
code in the same run.

The report also gives the cost model's view of the parallel code's graph: total
work W, the critical path CP (node costs only) and the bound min(N, W/CP) on the
speedup of any schedule of that graph, and the measured timeline of a typical
run of the parallel code, recorded with a line tracer (`trace_timeline`) so
that the generated code carries no instrumentation.

The suite that `make bench` runs over many models, writing docs/bench.md, is
`tests.harness.bench_suite`.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import queue
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import numpy as np

from ramiel.errors import RamielError
from ramiel.limits import DEFAULT_MEMORY_BUDGET
from ramiel.numerics import RELATIVE_TOLERANCE

if TYPE_CHECKING:
    import onnx
    import torch

    from ramiel.api import CompiledModel, Pipeline, Plan, Progress

SERIAL = "Ramiel serial"
INTRA_OP = "Ramiel intra-op"
PARALLEL = "Ramiel parallel"
PARALLEL_BASELINE = "Ramiel parallel, baseline runtime"
ORT_SEQUENTIAL = "onnxruntime"
ORT_PARALLEL = "onnxruntime parallel"
EAGER = "PyTorch eager"

PAUSE_SECONDS = 0.005
"""Pause after every timed call: OpenMP threads spin for about a millisecond after a parallel region,
and would otherwise take a core from the next configuration."""

SPIN_SETTLE_SECONDS = 0.08
"""Pause after every timed call of onnxruntime: its idle pool threads keep a core
busy for 50-60 ms after a run (measured on ResNet-18, 2 threads)."""

SPINNING = frozenset({ORT_SEQUENTIAL, ORT_PARALLEL})
"""The configurations whose idle threads spin after a call."""

MAX_GAP_SECONDS = 10.0
"""The longest idle gap `--gap` takes: a core is as idle after 10 s as after 10 minutes."""

TimelineRow = tuple[int, int, float, float]
"""`(stream, node, start, end)`: one op of a run, in seconds from the run's start."""


@dataclass(frozen=True)
class Measurement:
    """The times of one configuration, in seconds, one per round."""

    name: str
    threads: int
    """Intra-op threads of the caller (or of onnxruntime's session)."""
    times: tuple[float, ...]
    cpu_times: tuple[float, ...]
    """Process CPU time of each run, all threads together (spinning included)."""
    idle_cpu_times: tuple[float, ...] = ()
    """Process CPU time during the idle gap before each run (empty without gaps)."""

    @property
    def label(self) -> str:
        """The name with its thread count."""
        return f"{self.name} ({self.threads}T)"

    @property
    def median(self) -> float:
        """The median time."""
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        """The median CPU time per run."""
        return statistics.median(self.cpu_times)

    def idle_share(self, gap: float) -> float:
        """The median CPU time spent during gaps of `gap` seconds, as a share of one core."""
        return statistics.median(self.idle_cpu_times) / gap if self.idle_cpu_times and gap else 0.0

    @property
    def quartiles(self) -> tuple[float, float]:
        """The first and third quartiles: their gap is the spread the report gives."""
        q1, q3 = np.percentile(self.times, [25, 75])
        return float(q1), float(q3)


@dataclass(frozen=True)
class BenchReport:
    """What `bench` measured, and what the cost model predicted for the parallel code."""

    model: str
    workers: int
    repeat: int
    load_average: tuple[float, float, float]
    """The machine's load averages (1, 5, 15 minutes) when the measurement started."""
    measurements: tuple[Measurement, ...]
    plan: Plan
    """The parallel code's scheduled graph and its prediction."""
    streams: int
    """Streams of the parallel code."""
    timeline: tuple[TimelineRow, ...]
    """One measured run of the parallel code."""
    max_error: float
    """The largest relative error of any Ramiel output against onnxruntime (project tolerance 1e-4)."""
    versions: Mapping[str, str] = field(default_factory=dict)
    gap: float = 0.0
    """Seconds of idle time before each timed call (0: back to back)."""

    @property
    def within_tolerance(self) -> bool:
        """Whether every Ramiel output matched onnxruntime within the project tolerance."""
        return self.max_error <= RELATIVE_TOLERANCE

    def get(self, label: str) -> Measurement | None:
        """The measurement with this label (e.g. "onnxruntime (1T)"), if taken."""
        return next((m for m in self.measurements if m.label == label), None)

    @property
    def work(self) -> float:
        """W: the predicted time of all ops on one stream."""
        return self.plan.graph.total_work

    @property
    def critical_path(self) -> float:
        """CP: the predicted longest chain of ops, hand-offs left out."""
        return self.plan.graph.critical_path_without_edges

    @property
    def bound(self) -> float:
        """min(N, W/CP): no schedule of this graph on N streams can be predicted faster."""
        return min(float(self.workers), self.work / self.critical_path) if self.critical_path else 1.0

    def ratio(self, slower: str, faster: str) -> float | None:
        """Median of `slower` over median of `faster` (how many times faster `faster` is), if both were taken."""
        a, b = self.get(slower), self.get(faster)
        return None if a is None or b is None else a.median / b.median

    def ratios(self) -> dict[str, float]:
        """The ratios the report prints, by description."""
        n = self.workers
        serial, intra, parallel = f"{SERIAL} (1T)", f"{INTRA_OP} ({n}T)", f"{PARALLEL} ({n}T)"
        eager = min(
            (m for m in self.measurements if m.name == EAGER), key=lambda m: m.median, default=None
        )
        wanted = {
            "parallel speedup over serial": (serial, parallel),
            "intra-op speedup over serial": (serial, intra),
            "parallel over intra-op": (intra, parallel),
            "onnxruntime 1T over serial (serial slowdown)": (serial, f"{ORT_SEQUENTIAL} (1T)"),
            f"parallel over onnxruntime {n}T": (f"{ORT_SEQUENTIAL} ({n}T)", parallel),
            "parallel over onnxruntime parallel": (f"{ORT_PARALLEL} ({n}T)", parallel),
            "parallel over best PyTorch eager": ((eager.label if eager else ""), parallel),
            "runtime over baseline runtime": (f"{PARALLEL_BASELINE} ({n}T)", parallel),
        }
        ratios = {k: r for k, (a, b) in wanted.items() if (r := self.ratio(a, b)) is not None}
        speedup = ratios.get("parallel speedup over serial")
        if speedup is not None:
            ratios["scheduling quality (speedup / bound)"] = speedup / self.bound
        return ratios

    def lines(self) -> list[str]:
        """The report as `ramiel bench` prints it."""
        load = ", ".join(f"{x:.2f}" for x in self.load_average)
        pattern = f"each call after {self.gap * 1e3:g} ms idle" if self.gap else "calls back to back"
        lines = [
            f"{self.model}: {self.repeat} rounds, {self.workers} workers, {pattern}, load average {load}",
            f"cost model ({self.plan.cost_model}): W {self.work * 1e3:.2f} ms, "
            f"CP {self.critical_path * 1e3:.2f} ms, bound min({self.workers}, W/CP) = {self.bound:.2f}, "
            f"predicted {self.plan.simulation.speedup:.2f}x on {self.streams} streams",
            f"outputs against onnxruntime: max relative error {self.max_error:.2g} "
            f"({'within' if self.within_tolerance else 'OVER'} the tolerance {RELATIVE_TOLERANCE:g})",
            "",
            f"{'configuration':40} {'median ms':>10} {'IQR ms':>16} {'CPU ms':>8}"
            + (f" {'idle CPU':>9}" if self.gap else ""),
        ]
        for m in self.measurements:
            q1, q3 = m.quartiles
            idle = f" {m.idle_share(self.gap) * 100:8.1f}%" if self.gap else ""
            lines.append(
                f"{m.label:40} {m.median * 1e3:10.2f} {q1 * 1e3:7.2f} - {q3 * 1e3:6.2f} {m.cpu_median * 1e3:8.2f}{idle}"
            )
        lines.append("")
        lines += [f"{name}: {value:.2f}x" for name, value in self.ratios().items()]
        return lines

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (times in milliseconds)."""
        graph = self.plan.graph
        return {
            "model": self.model,
            "workers": self.workers,
            "repeat": self.repeat,
            "gap_ms": self.gap * 1e3,
            "load_average": list(self.load_average),
            "versions": dict(self.versions),
            "cost_model": self.plan.cost_model,
            "work_ms": self.work * 1e3,
            "critical_path_ms": self.critical_path * 1e3,
            "bound": self.bound,
            "predicted_speedup": self.plan.simulation.speedup,
            "streams": self.streams,
            "max_relative_error": self.max_error,
            "configurations": [
                {
                    "name": m.name,
                    "threads": m.threads,
                    "median_ms": m.median * 1e3,
                    "q1_ms": m.quartiles[0] * 1e3,
                    "q3_ms": m.quartiles[1] * 1e3,
                    "times_ms": [t * 1e3 for t in m.times],
                    "cpu_ms": [t * 1e3 for t in m.cpu_times],
                    "idle_cpu_ms": [t * 1e3 for t in m.idle_cpu_times],
                }
                for m in self.measurements
            ],
            "ratios": self.ratios(),
            "timeline": {
                kind: [
                    {"stream": s, "op": graph.nodes[v].name, "start_ms": a * 1e3, "end_ms": b * 1e3}
                    for s, v, a, b in rows
                ]
                for kind, rows in (("predicted", self.plan.simulation.rows()), ("measured", self.timeline))
            },
        }

    def write_json(self, path: str | os.PathLike[str]) -> None:
        """Write `to_json()` to `path`, all or nothing (`ramiel.api.write_text`)."""
        from ramiel import api

        api.write_text(Path(path), json.dumps(self.to_json(), indent=1) + "\n")

    def svg(self) -> str:
        """A bar chart of the medians (with IQR whiskers) above the predicted and measured timelines."""
        from ramiel.scheduling import gantt_svg

        pattern = f", each call after {self.gap * 1e3:g} ms idle" if self.gap else ""
        bars = bar_chart_svg(
            [(m.label, m.median, *m.quartiles) for m in self.measurements],
            f"{self.model}: median latency, {self.repeat} rounds{pattern}",
        )
        gantt = gantt_svg(
            self.plan.simulation,
            self.plan.graph,
            f"{self.model} on {self.streams} streams",
            measured=self.timeline,
        )
        return stack_svg([bars, gantt])

    def write_svg(self, path: str | os.PathLike[str]) -> None:
        """Write `svg()` to `path`, all or nothing (`ramiel.api.write_text`)."""
        from ramiel import api

        api.write_text(Path(path), self.svg())


def bench(
    model: str | os.PathLike[str] | onnx.ModelProto,
    *,
    workers: int = 2,
    repeat: int = 20,
    gap: float = 0.0,
    baseline_runtime: str | os.PathLike[str] | None = None,
    torch_module: torch.nn.Module | None = None,
    inputs: Mapping[str, np.ndarray] | None = None,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    pipeline: Pipeline | None = None,
    profile: bool = False,
    name: str | None = None,
    progress: Progress | None = None,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    dim_bounds: Mapping[str, int] | None = None,
    dynamic_dims: bool = False,
) -> BenchReport:
    """Compile `model` serial and for `workers` streams, and time every configuration (module docstring).

    `torch_module`, when given, takes the model's inputs as tensors in order and is
    timed in eager mode. `pipeline` is the pass pipeline of the parallel code (the
    serial code uses the default one-stream pipeline); `profile` schedules with
    the model's ops timed on this machine (`ramiel.api.compile`). `gap` is the
    idle time in seconds before each timed call; `baseline_runtime`, a version of
    `ramiel/runtime/streams.py` to time the parallel code with as well;
    `memory_budget`, `dim_bounds` and `dynamic_dims` are as for `ramiel.api.compile`.
    """
    import onnx
    import torch

    from ramiel import api
    from ramiel.onnx_types import torch_of_numpy

    if workers < 2:
        raise RamielError("bench compares serial and parallel code: --workers must be at least 2", str(workers))
    if repeat < 1:
        raise RamielError("--repeat must be at least 1", str(repeat))
    if not 0 <= gap <= MAX_GAP_SECONDS:
        raise RamielError(f"--gap must be between 0 and {MAX_GAP_SECONDS * 1e3:g} ms", f"{gap * 1e3:g}")
    baseline = _read_runtime(baseline_runtime) if baseline_runtime is not None else None
    tell = progress or (lambda _: None)
    proto = model if isinstance(model, onnx.ModelProto) else api._load(model, None, memory_budget)[0]
    stem = name or (Path(model).stem if not isinstance(model, onnx.ModelProto) else "model")
    load_average = os.getloadavg()
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(workers)
    try:
        with tempfile.TemporaryDirectory(prefix="ramiel-bench-") as folder:
            serial, parallel = (
                api.compile(
                    proto, workers=w, pipeline=p, input_shapes=input_shapes, profile=profile,
                    out_dir=Path(folder) / f"workers{w}", name=stem, progress=progress,
                    memory_budget=memory_budget, dim_bounds=dim_bounds, dynamic_dims=dynamic_dims,
                )
                for w, p in ((1, None), (workers, pipeline))
            )  # fmt: skip
            assert parallel.plan is not None
            feed = dict(inputs) if inputs is not None else api.random_inputs(serial.inputs, 0, dim_bounds)
            tensors = [torch_of_numpy(feed[n]) for n, _, _ in serial.inputs]
            tell("checking the outputs against onnxruntime")
            reference = api.onnxruntime_outputs(proto, feed)
            with contextlib.ExitStack() as stack:
                loaded = [
                    (stack.enter_context(serial.load(1)), serial),
                    (stack.enter_context(serial.load(workers)), serial),
                    (stack.enter_context(parallel.load()), parallel),
                ]
                if baseline is not None:
                    path = _with_runtime(parallel, baseline)
                    loaded.append((stack.enter_context(api.load_model_class(path)()), parallel))
                errors = [
                    e.relative
                    for model, c in loaded
                    for e in api.compare(api.call_model(model, tensors, c.outputs), reference)
                ]
                configurations = _configurations(
                    proto, feed, tensors, [model for model, _ in loaded], workers, torch_module
                )
                tell(f"timing {len(configurations)} configurations, {repeat} rounds after 2 of warm-up")
                measurements = time_configurations(configurations, repeat, gap, progress)
            tell("recording a timeline of the parallel code")
            timeline = trace_timeline(parallel, tensors)
    finally:
        torch.set_num_threads(previous_threads)
    import onnxruntime

    return BenchReport(
        stem, workers, repeat, load_average, tuple(measurements), parallel.plan,
        parallel.summary.streams, tuple(timeline), max(errors, default=0.0),
        {"torch": torch.__version__, "onnxruntime": onnxruntime.__version__, "cpus": str(os.cpu_count())},
        gap,
    )  # fmt: skip


def _read_runtime(path: str | os.PathLike[str]) -> str:
    """The text of a stream runtime file, refused with the project's error if it is none."""
    from ramiel.runtime import _MARKER

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise RamielError(f"cannot read the baseline runtime: {e.strerror or e}", str(path)) from None
    except UnicodeDecodeError:
        raise RamielError("the baseline runtime is not UTF-8 text", str(path)) from None
    if _MARKER not in text:
        raise RamielError("not a stream runtime (no generated-code marker line)", str(path))
    return text


def _with_runtime(parallel: CompiledModel, runtime_text: str) -> Path:
    """A copy of the parallel code beside it, with `runtime_text` as its stream runtime, and its weights."""
    from ramiel.codegen import WEIGHTS_SUFFIX
    from ramiel.runtime import with_stream_runtime

    if parallel.summary.streams < 2:
        raise RamielError("the parallel code has one stream, so no stream runtime to compare", "--baseline-runtime")
    path = parallel.path.with_name(f"{parallel.path.stem}_baseline.py")
    try:
        path.write_text(with_stream_runtime(parallel.source, runtime_text), encoding="utf-8")
    except ValueError as e:
        raise RamielError(str(e), "--baseline-runtime") from None
    shutil.copyfile(parallel.weights, path.with_suffix(WEIGHTS_SUFFIX))
    return path


Configuration = tuple[str, int, Callable[[], object]]
"""A configuration to time: its name, the intra-op threads of the thread that calls it, and the call."""


def _configurations(
    proto: onnx.ModelProto,
    feed: Mapping[str, np.ndarray],
    tensors: Sequence[torch.Tensor],
    models: Sequence[Any],
    workers: int,
    torch_module: torch.nn.Module | None,
) -> list[Configuration]:
    """The configurations to time: name, intra-op threads (the caller's torch setting or the session's), and the call.

    `models` are the loaded serial code on 1 and on `workers` threads, the parallel
    code and, if given, the parallel code with the baseline runtime.
    """
    import torch

    arrays = dict(feed)
    serial, intra, parallel, *baseline = models
    configurations: list[Configuration] = [
        (SERIAL, 1, lambda: serial(*tensors)),
        (INTRA_OP, workers, lambda: intra(*tensors)),
        (PARALLEL, workers, lambda: parallel(*tensors)),
    ]
    configurations += [(PARALLEL_BASELINE, workers, lambda m=m: m(*tensors)) for m in baseline]
    for threads in (1, workers):
        ort = onnxruntime_session(proto, threads, parallel_executor=False)
        configurations.append((ORT_SEQUENTIAL, threads, lambda ort=ort: ort.run(None, arrays)))
    ort_parallel = onnxruntime_session(proto, workers, parallel_executor=True)
    configurations.append((ORT_PARALLEL, workers, lambda: ort_parallel.run(None, arrays)))
    if torch_module is not None:
        module = torch_module.eval()

        def eager() -> object:
            with torch.inference_mode():
                return module(*tensors)

        configurations += [(EAGER, threads, eager) for threads in (1, workers)]
    return configurations


def onnxruntime_session(proto: onnx.ModelProto, threads: int, parallel_executor: bool) -> Any:
    """An onnxruntime session as its users make one: default options but the thread counts
    (the sequential executor on `threads` intra-op threads, or the parallel one on `threads` inter-op threads)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1 if parallel_executor else threads
    if parallel_executor:
        options.execution_mode = onnxruntime.ExecutionMode.ORT_PARALLEL
        options.inter_op_num_threads = threads
    return onnxruntime.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])


def time_configurations(
    configurations: Sequence[Configuration],
    repeat: int,
    gap: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> list[Measurement]:
    """Time every configuration once per round, in a shuffled order, after two untimed rounds of warm-up.

    Each configuration runs on its own thread, whose torch thread count is set
    once: a thread that runs the same convolutions under two thread counts makes
    oneDNN rebuild kernels and reorder weights on every call. Each timed call
    follows an untimed one of the same configuration, so that every call finds
    its weights in the caches as in a serving loop, not evicted by the others;
    with a `gap`, the thread sleeps that many seconds between the two.
    `progress` hears `round (i/n)` as each round starts.
    """
    runners = [_Runner(threads) for _, threads, _ in configurations]
    times: list[list[_Timing]] = [[] for _ in configurations]
    order = random.Random(0)
    try:
        for round_ in range(repeat + 2):
            if progress is not None:
                progress(f"round ({round_ + 1}/{repeat + 2})")
            for index in order.sample(range(len(configurations)), len(configurations)):
                runners[index].time(configurations[index][2])
                timed = runners[index].time(configurations[index][2], gap)
                if round_ >= 2:
                    times[index].append(timed)
                time.sleep(SPIN_SETTLE_SECONDS if configurations[index][0] in SPINNING else PAUSE_SECONDS)
    finally:
        for runner in runners:
            runner.close()
    return [
        Measurement(
            name, threads, tuple(t for t, _, _ in kept), tuple(c for _, c, _ in kept),
            tuple(i for _, _, i in kept) if gap else (),
        )
        for (name, threads, _), kept in zip(configurations, times, strict=True)
    ]


_Timing = tuple[float, float, float]
"""Wall and process CPU seconds of a call, and process CPU seconds of the idle gap before it."""


class _Runner:
    """A thread with a fixed torch thread count that times the calls given to it."""

    def __init__(self, threads: int) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], object], float] | None] = queue.SimpleQueue()
        self._results: queue.SimpleQueue[_Timing | BaseException] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, args=(threads,), daemon=True)
        self._thread.start()

    def _serve(self, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        while (job := self._jobs.get()) is not None:
            call, gap = job
            try:
                idle = time.process_time()
                if gap:
                    time.sleep(gap)
                start, cpu = time.perf_counter(), time.process_time()
                call()
                self._results.put((time.perf_counter() - start, time.process_time() - cpu, cpu - idle))
            except BaseException as e:
                self._results.put(e)

    def time(self, call: Callable[[], object], gap: float = 0.0) -> _Timing:
        """One `call` on this runner's thread after `gap` seconds of sleep: its wall and CPU seconds, and the gap's CPU."""
        self._jobs.put((call, gap))
        result = self._results.get()
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
        """Stop the thread."""
        self._jobs.put(None)
        self._thread.join()


# The measured timeline.


def trace_timeline(compiled: CompiledModel, tensors: Sequence[torch.Tensor], runs: int = 7) -> list[TimelineRow]:
    """The ops of a typical run of a fresh instance of `compiled`, as (stream, node, start, end).

    Of `runs` runs after one warm-up, the one with the median makespan is kept.

    A line tracer timestamps each statement of the generated stream functions
    (`forward` for one stream): a statement's span runs from its line event to
    the next event in the same function, and the op or ops its comment names
    map it to the plan's nodes (a fused statement's time goes to its first op).
    Statements without an op (hand-offs, inputs) are left out. The trace is
    installed only here, so the generated code pays nothing when not traced.
    """
    if compiled.plan is None:
        return []
    names_at = _op_names(compiled.source)
    graph = compiled.plan.graph
    nodes_by_name: dict[str, list[int]] = {}
    for v, node in enumerate(graph.nodes):
        nodes_by_name.setdefault(node.name, []).append(v)
    stream_of_node = compiled.plan.simulation.stream
    records: list[tuple[int, int, float, float]] = []
    lock = threading.Lock()
    origin = [0.0]
    from ramiel.api import load_model_class

    model_class = load_model_class(compiled.path)
    codes = _stream_codes(model_class)

    def tracer(stream: int) -> Callable[[FrameType, str, Any], Any]:
        pending: list[tuple[int, float]] = []

        def local(frame: FrameType, event: str, arg: Any) -> Any:
            now = time.perf_counter() - origin[0]
            if pending:
                line, start = pending.pop()
                with lock:
                    records.append((stream, line, start, now))
            if event == "line":
                pending.append((frame.f_lineno, now))
            return local

        return local

    def dispatch(frame: FrameType, event: str, arg: Any) -> Any:
        stream = codes.get(frame.f_code)
        return None if stream is None else tracer(stream)

    traced: list[list[tuple[int, int, float, float]]] = []
    threading.settrace(dispatch)
    sys.settrace(dispatch)
    model = model_class()  # its stream threads start traced
    try:
        for _ in range(runs + 1):
            with lock:
                records = []
            origin[0] = time.perf_counter()
            model(*tensors)
            traced.append(records)
    finally:
        sys.settrace(None)
        threading.settrace(None)  # pyright: ignore[reportArgumentType]
        model.close()
    by_makespan = sorted(traced[1:], key=lambda run: max((end for *_, end in run), default=0.0))
    rows: list[TimelineRow] = []
    for stream, line, start, end in by_makespan[len(by_makespan) // 2]:
        for name in names_at.get(line, []):
            candidates = nodes_by_name.get(name, [])
            node = next((v for v in candidates if stream_of_node[v] == stream), candidates[0] if candidates else None)
            if node is not None:
                rows.append((stream, node, start, end))
                break
    return sorted(rows)


def _stream_codes(cls: Any) -> dict[CodeType, int]:
    """The code objects of a generated `Model` class's stream functions, with their stream numbers."""
    codes = {
        getattr(cls, attr).__code__: int(attr.removeprefix("_stream_"))
        for attr in vars(cls)
        if attr.startswith("_stream_")
    }
    return codes or {cls.forward.__code__: 0}


def _op_names(source: str) -> dict[int, list[str]]:
    """The node names each generated assignment's comment gives, by the statement's first line.

    The comment `# Conv c1, Relu r1` gives ["c1", "r1"]; it ends the statement's last
    line, or stands on the line above when the statement would be too long with it.
    """
    lines = source.splitlines()
    names: dict[int, list[str]] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assign):
            continue
        _, sep, comment = lines[(node.end_lineno or node.lineno) - 1].partition("  # ")
        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        if not sep and above.startswith("# "):
            comment = above.removeprefix("# ")
        elif not sep:
            continue
        names[node.lineno] = [part.split(" ", 1)[1] for part in comment.split(", ") if " " in part]
    return names


# Charts.


def bar_chart_svg(bars: Sequence[tuple[str, float, float, float]], title: str) -> str:
    """A horizontal bar chart of `(label, median, q1, q3)` seconds, with IQR whiskers, as SVG text."""
    width, left, right, row, top = 1000, 260, 70, 24, 34
    span = max((q3 for _, _, _, q3 in bars), default=0.0) or 1e-3
    scale = (width - left - right) / span
    height = top + row * len(bars) + 10
    body = [f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>']
    for i, (label, median, q1, q3) in enumerate(bars):
        y = top + i * row
        body += [
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>',
            f'<rect x="{left}" y="{y + 3}" width="{median * scale:.1f}" height="{row - 8}" fill="#80b1d3"/>',
            f'<line x1="{left + q1 * scale:.1f}" y1="{y + row / 2}" x2="{left + q3 * scale:.1f}" '
            f'y2="{y + row / 2}" stroke="#333" stroke-width="1.5"/>',
            f'<text x="{left + q3 * scale + 6:.1f}" y="{y + 15}">{median * 1e3:.2f} ms</text>',
        ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">\n'
        + "\n".join(body)
        + "\n</svg>\n"
    )


def stack_svg(documents: Sequence[str]) -> str:
    """SVG documents (as `bar_chart_svg` and `gantt_svg` write them) stacked top to bottom in one."""
    import re

    parts: list[str] = []
    top = 0.0
    width = 0.0
    for document in documents:
        head = re.search(r'width="([\d.]+)" height="([\d.]+)"', document)
        assert head is not None
        w, h = float(head.group(1)), float(head.group(2))
        parts.append(document.replace("<svg ", f'<svg y="{top:.0f}" ', 1))
        top += h
        width = max(width, w)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{top:.0f}">\n'
        + "".join(parts)
        + "</svg>\n"
    )


# The suite of `make bench`.
