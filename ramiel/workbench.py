"""The research workbench: every heuristic on the same graphs, and pictures of a schedule.

    ramiel compare models/*.onnx --workers 2,4        # one table, every heuristic
    ramiel show model.onnx --workers 2 -o out/        # graph SVG, DOT and a Gantt chart

Both work on cleaned-up `dfg` modules and run the default pipeline's scheduling
passes (`ramiel.pipeline.clustering_passes`) with the heuristic asked for in
place of the default clustering: the registered heuristics (the built-ins,
`--load-heuristics FILE.py`, and installed `ramiel.heuristics` entry points) are
compared exactly as `ramiel compile` would use them, clone, split and all, and
the default heuristic's prediction is the one `ramiel compile` reports. The
schedule is kept even where `select-streams` would turn it down (below a
predicted 1.2x), so that every heuristic has a schedule to compare.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from xdsl.dialects.builtin import FloatAttr, ModuleOp
from xdsl.utils.exceptions import PassFailedException

from ramiel.frontend.onnx_import import import_file
from ramiel.ir_graph import SPEEDUP_ATTR, FunctionGraph, cost_model
from ramiel.pipeline import apply_passes, clustering_passes, graph_passes
from ramiel.scheduling import (
    CompareRow,
    Schedule,
    TaskGraph,
    gantt_svg,
    graph_svg,
    simulate,
    to_dot,
)
from ramiel.scheduling.serial import serial_schedule


def prepare(path: str | os.PathLike[str]) -> ModuleOp:
    """An ONNX file imported, cleaned up and fused, as the clustering passes see it."""
    module = import_file(path)
    apply_passes(module, graph_passes())
    return module


def task_graph(module: ModuleOp, cost: str = "auto") -> TaskGraph:
    """The task graph of a `dfg` module under the named cost model."""
    return FunctionGraph.of(module, cost_model(cost)).graph


def scheduled(module: ModuleOp, heuristic: str, workers: int, cost: str = "auto") -> tuple[ModuleOp, float]:
    """A copy of a cleaned-up `module` through the scheduling passes with `heuristic`, and their run time."""
    copy = module.clone()
    start = time.perf_counter()
    apply_passes(copy, clustering_passes(workers, cost, heuristic=heuristic, min_speedup=0.0))
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
    passes' run time.
    """
    rows: list[CompareRow] = []
    total = len(modules) * len(heuristics) * len(workers)
    for name, module in modules.items():
        for heuristic in heuristics:
            for count in workers:
                if progress is not None:
                    progress(f"scheduling ({len(rows) + 1}/{total})")
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
    out_dir.mkdir(parents=True, exist_ok=True)
    title = f"{name}: {heuristic}, {workers} workers, predicted {_speedup(copy):.2f}x"
    dot_path = out_dir / f"{name}.dot"
    dot_path.write_text(to_dot(graph.graph, schedule, title=name), encoding="utf-8")
    svg_path = out_dir / f"{name}.svg"
    svg_path.write_text(graph_svg(graph.graph, schedule, title), encoding="utf-8")
    gantt_path = out_dir / f"{name}.gantt.svg"
    gantt_path.write_text(gantt_svg(simulation, graph.graph, title), encoding="utf-8")
    return [dot_path, svg_path, gantt_path]
