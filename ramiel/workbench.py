"""The research workbench: every heuristic on the same graphs, and pictures of a schedule.

    ramiel compare models/*.onnx --workers 2,4        # one table, every heuristic
    ramiel compare --suite dc --plot gaps.svg         # gaps to known optima, by ratio
    ramiel show model.onnx --workers 2 -o out/        # graph SVG, DOT and a Gantt chart

Suites (`suite_sets`) score the heuristics on task graphs: generated sets with
known optima, STG files, and models' task graphs. The comparison table and the
pictures work on cleaned-up `dfg` modules and run the default pipeline's scheduling
passes (`ramiel.pipeline.clustering_passes`) with the heuristic asked for in
place of the default clustering: the registered heuristics (the built-ins,
`--load-heuristics FILE.py`, and installed `ramiel.heuristics` entry points) are
compared exactly as `ramiel compile` would use them, clone, split and all, and
the default heuristic's prediction is the one `ramiel compile` reports. The
schedule is kept even where `select-streams` would turn it down (below a
predicted 1.2x), so that every heuristic has a schedule to compare.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from xdsl.dialects.builtin import FloatAttr, ModuleOp
from xdsl.utils.exceptions import PassFailedException

from ramiel.api import write_text
from ramiel.errors import RamielError
from ramiel.frontend.onnx_import import import_file
from ramiel.ir_graph import SPEEDUP_ATTR, FunctionGraph, cost_model
from ramiel.pipeline import (
    apply_passes,
    clustering_passes,
    default_pipeline,
    graph_passes,
)
from ramiel.scheduling import (
    THREADED_HEURISTICS,
    CompareRow,
    Schedule,
    TaskGraph,
    compare,
    gantt_svg,
    graph_svg,
    simulate,
    to_dot,
)
from ramiel.scheduling.graphsets import GRAPH_SETS
from ramiel.scheduling.serial import serial_schedule
from ramiel.scheduling.stg import format_stg, read_stg
from ramiel.scheduling.suite import SuiteCase, sets_by_ccr, stg_case
from ramiel.scheduling.tables import markdown_table


def prepare(path: str | os.PathLike[str]) -> ModuleOp:
    """An ONNX file imported, cleaned up and fused, as the clustering passes see it."""
    module = import_file(path)
    apply_passes(module, graph_passes())
    return module


def task_graph(module: ModuleOp, cost: str = "auto", threads: int = 1) -> TaskGraph:
    """The task graph of a `dfg` module under the named cost model, with each op's cost on
    up to `threads` intra-op threads."""
    return FunctionGraph.of(module, cost_model(cost), threads).graph


def scheduled(module: ModuleOp, heuristic: str, workers: int, cost: str = "auto") -> tuple[ModuleOp, float]:
    """A copy of a cleaned-up `module` through the scheduling passes with `heuristic`, and their run time."""
    copy = module.clone()
    start = time.perf_counter()
    try:
        apply_passes(copy, clustering_passes(workers, cost, heuristic=heuristic, min_speedup=0.0))
    except PassFailedException as e:
        raise RamielError(str(e), f"heuristic {heuristic}") from None
    return copy, time.perf_counter() - start


def _schedule(graph: FunctionGraph) -> Schedule:
    """The schedule in the IR; one stream when there is none (one worker)."""
    try:
        return graph.schedule()
    except PassFailedException:
        return serial_schedule(graph.graph)


def _speedup(module: ModuleOp) -> float:
    recorded = module.attributes.get(SPEEDUP_ATTR)
    return recorded.value.data if isinstance(recorded, FloatAttr) else 1.0


def compare_modules(
    modules: Mapping[str, ModuleOp],
    heuristics: Sequence[str],
    workers: Sequence[int],
    cost: str = "auto",
    progress: Callable[[str], None] | None = None,
) -> list[CompareRow]:
    """Every heuristic at every worker count on every module; `progress` hears `scheduling (i/n)`.

    A row gives the simulated makespan of the schedule, the predicted speedup the
    passes recorded (over one stream, counting the cost model's per-call cost of
    parallel code), clusters, streams, cross-stream edges, and the scheduling
    passes' run time. The generated code cannot run the schedules of
    `THREADED_HEURISTICS` (ops on several intra-op threads), so their rows come from
    the task graph of `module` with its threaded costs: the heuristic's own
    prediction and run time, with no clone or split pass and no per-call cost.
    """
    rows: list[CompareRow] = []
    total = len(modules) * len(heuristics) * len(workers)
    for name, module in modules.items():
        for heuristic in heuristics:
            for count in workers:
                if progress is not None:
                    progress(f"scheduling ({len(rows) + 1}/{total})")
                if heuristic in THREADED_HEURISTICS:
                    graphs = {name: task_graph(module, cost, count)}
                    rows += compare(graphs, [heuristic], [count])
                    continue
                copy, runtime = scheduled(module, heuristic, count, cost)
                graph = FunctionGraph.of(copy, cost_model(cost))
                schedule = _schedule(graph)
                rows.append(
                    CompareRow(
                        graph=name,
                        heuristic=heuristic,
                        workers=count,
                        makespan=simulate(graph.graph, schedule).makespan,
                        speedup=_speedup(copy),
                        clusters=schedule.num_clusters,
                        streams=schedule.num_streams,
                        cross_edges=len(schedule.cross_stream_edges(graph.graph)),
                        runtime=runtime,
                    )
                )
    return rows


def show(
    module: ModuleOp,
    name: str,
    out_dir: Path,
    *,
    heuristic: str = "cp",
    workers: int = 2,
    cost: str = "auto",
) -> list[Path]:
    """Write the scheduled graph as DOT and as an SVG picture, and its Gantt chart.

    Returns the files written: `<name>.dot` (Graphviz text), `<name>.svg` (the graph
    drawn by `graph_svg`) and `<name>.gantt.svg`; no external program is run.
    """
    copy, _ = scheduled(module, heuristic, workers, cost)
    graph = FunctionGraph.of(copy, cost_model(cost))
    schedule = _schedule(graph)
    simulation = simulate(graph.graph, schedule)
    title = f"{name}: {heuristic}, {workers} workers, predicted {_speedup(copy):.2f}x"
    dot_path = out_dir / f"{name}.dot"
    write_text(dot_path, to_dot(graph.graph, schedule, title=name))
    svg_path = out_dir / f"{name}.svg"
    write_text(svg_path, graph_svg(graph.graph, schedule, title))
    gantt_path = out_dir / f"{name}.gantt.svg"
    write_text(gantt_path, gantt_svg(simulation, graph.graph, title))
    return [dot_path, svg_path, gantt_path]


MODELS_SET = "models"
"""The name of the suite set made of the models' task graphs."""


def suite_sets(
    specs: Sequence[str],
    models: Mapping[str, ModuleOp],
    cost: str = "auto",
    threads: int = 1,
) -> dict[str, list[SuiteCase]]:
    """The graph sets `ramiel compare --suite` scores, in the order given.

    A spec names a generated set of `GRAPH_SETS` (one set per ratio, e.g. "dc ccr 1"),
    an STG file or a folder of them (one set, named after it), or "models". The
    `models` form the set "models" whenever there are any: their task graphs under
    `cost`, with op costs on up to `threads` intra-op threads, bounded by total
    work / workers and the longest path.
    """
    sets: dict[str, list[SuiteCase]] = {}
    for spec in specs:
        if spec == MODELS_SET:
            if not models:
                raise RamielError("the models set needs MODEL.onnx files", "--suite models")
        elif spec in GRAPH_SETS:
            for ratio, cases in sets_by_ccr(GRAPH_SETS[spec].graphs()).items():
                sets[f"{spec} {ratio}"] = cases
        else:
            sets[Path(spec).stem or spec] = _stg_set(Path(spec))
    if models:
        sets[MODELS_SET] = [
            SuiteCase(name, task_graph(module, cost, threads), 0.0, (f"Graph Name : {name}", f"costs : the {cost} cost model"))
            for name, module in models.items()
        ]
    return sets


def _stg_set(path: Path) -> list[SuiteCase]:
    """The cases of an STG file, or of the `.stg` files of a folder in name order."""
    known = ", ".join([*GRAPH_SETS, MODELS_SET])
    if not path.exists():
        raise RamielError(f"no such graph set: give {known}, an .stg file or a folder of them", str(path))
    files = sorted(path.glob("*.stg")) if path.is_dir() else [path]
    if not files:
        raise RamielError("the folder holds no .stg files", str(path))
    cases = []
    for file in files:
        try:
            cases.append(stg_case(read_stg(file), file.stem))
        except OSError as e:
            raise RamielError(f"cannot read the graph: {e.strerror}", str(file)) from None
        except (ValueError, UnicodeDecodeError) as e:
            raise RamielError(f"invalid STG file: {e}", str(file)) from None
    return cases


def export_stg(sets: Mapping[str, Sequence[SuiteCase]], out_dir: Path) -> list[Path]:
    """Write every case as `<out_dir>/<case>.stg` with its summary lines; the files written."""
    written = []
    for cases in sets.values():
        for case in cases:
            path = out_dir / f"{_file_name(case.name)}.stg"
            write_text(path, format_stg(case.graph, comments=case.comments))
            written.append(path)
    return written


def _file_name(name: str) -> str:
    """`name` with every character outside letters, digits, `.`, `_` and `-` replaced by `_`."""
    return re.sub(r"[^\w.-]", "_", name, flags=re.ASCII).lstrip(".") or "graph"


@dataclass(frozen=True)
class MeasuredRow:
    """One heuristic's generated code on one model: its predicted makespan against its measured latency.

    `predicted` is the simulated makespan of the schedule the code runs (as in the
    comparison table, without the per-call cost); `measured` is the median call,
    with its first and third quartiles.
    """

    graph: str
    heuristic: str
    workers: int
    streams: int
    predicted: float
    measured: float
    quartiles: tuple[float, float]


def measure_heuristics(
    path: str | os.PathLike[str],
    heuristics: Sequence[str],
    workers: Sequence[int],
    cost: str = "auto",
    repeat: int = 10,
    progress: Callable[[str], None] | None = None,
) -> list[MeasuredRow]:
    """Compile the model once per heuristic and worker count, and time every version in one run.

    Each heuristic's schedule goes through the default pipeline in place of the
    default clustering, kept even where `select-streams` would turn it down, as in
    `compare_modules`. `serial` is the one-stream code on one thread (one row) and
    `intra` the same code on each worker count's threads; `hybrid` has no code that
    runs it and is left out. The versions alternate round by round (`ramiel.bench.time_configurations`).
    """
    import tempfile

    from xdsl.passes import ModulePass

    from ramiel import api
    from ramiel.bench import Configuration, time_configurations
    from ramiel.onnx_types import torch_of_numpy
    from ramiel.pipeline import lowering_passes
    from ramiel.scheduling import run_heuristic

    name = Path(path).stem
    one_stream = default_pipeline(1, cost)
    # (heuristic, workers, threads to load the code on (None: its own), passes)
    versions: list[tuple[str, int, int | None, list[ModulePass]]] = [
        ("serial", 1, 1, one_stream)
    ] if "serial" in heuristics else []  # fmt: skip
    for h in heuristics:
        if h == "intra":
            versions += [(h, w, w, one_stream) for w in workers]
        elif h not in THREADED_HEURISTICS and h != "serial":
            versions += [
                (h, w, None, [*graph_passes(), *clustering_passes(w, cost, heuristic=h, min_speedup=0.0), *lowering_passes()])
                for w in workers
            ]
    rows: list[MeasuredRow] = []
    cleaned: ModuleOp | None = None
    with tempfile.TemporaryDirectory(prefix="ramiel-measure-") as folder, contextlib.ExitStack() as stack:
        configurations: list[Configuration] = []
        for index, (heuristic, count, threads, passes) in enumerate(versions):
            if progress is not None:
                progress(f"compiling ({index + 1}/{len(versions)})")
            compiled = api.compile(path, pipeline=passes, out_dir=Path(folder) / str(index), name=name)
            assert compiled.plan is not None
            model = stack.enter_context(compiled.load(threads))
            feed = api.random_inputs(compiled.inputs, 0)
            tensors = [torch_of_numpy(feed[n]) for n, _, _ in compiled.inputs]
            predicted = compiled.plan.simulation
            if passes is one_stream:
                # One-stream code has no schedule in its IR: price it as its heuristic runs it.
                cleaned = cleaned or prepare(path)
                graph = task_graph(cleaned, cost, count)
                predicted = simulate(graph, run_heuristic(heuristic, graph, count))
            configurations.append((heuristic, threads or count, lambda m=model, t=tensors: m(*t)))
            rows.append(MeasuredRow(name, heuristic, count, compiled.summary.streams, predicted.makespan, 0.0, (0.0, 0.0)))
        measurements = time_configurations(configurations, repeat, progress=progress)
    return [
        MeasuredRow(r.graph, r.heuristic, r.workers, r.streams, r.predicted, m.median, m.quartiles)
        for r, m in zip(rows, measurements, strict=True)
    ]


def format_measured(rows: Sequence[MeasuredRow], load: float) -> str:
    """A Markdown table of `rows`, headed by the load average the run began at."""
    headline = f"Measured: medians, configurations alternated round by round; load average {load:.2f} at the start.\n\n"
    header = ("graph", "heuristic", "workers", "streams", "predicted ms", "measured ms", "measured / predicted", "quartiles ms")
    return headline + markdown_table(
        header,
        [
            (
                r.graph, r.heuristic, str(r.workers), str(r.streams), f"{r.predicted * 1e3:.3f}",
                f"{r.measured * 1e3:.3f}", f"{r.measured / r.predicted if r.predicted > 0 else 0.0:.2f}",
                f"{r.quartiles[0] * 1e3:.3f}-{r.quartiles[1] * 1e3:.3f}",
            )
            for r in rows
        ],
        text_columns=2,
    )  # fmt: skip
