"""Side-by-side comparison of heuristics on a set of graphs and worker counts."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ramiel.scheduling.registry import get_heuristic
from ramiel.scheduling.simulate import simulate
from ramiel.scheduling.tables import markdown_table
from ramiel.scheduling.taskgraph import TaskGraph
from ramiel.scheduling.validate import validate


@dataclass(frozen=True)
class CompareRow:
    """One heuristic on one graph with one worker count.

    `clusters` is the number of clusters the heuristic formed before merging (None if
    it reports none); `streams` is what remained after merging.
    """

    graph: str
    heuristic: str
    workers: int
    makespan: float
    speedup: float
    clusters: int | None
    streams: int
    cross_edges: int
    runtime: float


def compare(
    graphs: Mapping[str, TaskGraph], heuristics: Sequence[str], workers: Sequence[int]
) -> list[CompareRow]:
    """Run, validate and simulate every heuristic on every graph for every worker count.

    Rows follow the order graph, heuristic, workers. A heuristic that returns an
    invalid schedule raises `ScheduleError` naming it. `runtime` is the heuristic's
    own wall-clock time in seconds.
    """
    rows = []
    for graph_name, graph in graphs.items():
        for name in heuristics:
            heuristic = get_heuristic(name)
            for w in workers:
                t0 = time.perf_counter()
                schedule = heuristic(graph, w)
                runtime = time.perf_counter() - t0
                validate(graph, schedule, w, heuristic=name)
                sim = simulate(graph, schedule)
                rows.append(
                    CompareRow(
                        graph=graph_name,
                        heuristic=name,
                        workers=w,
                        makespan=sim.makespan,
                        speedup=sim.speedup,
                        clusters=schedule.num_clusters,
                        streams=schedule.num_streams,
                        cross_edges=len(schedule.cross_stream_edges(graph)),
                        runtime=runtime,
                    )
                )
    return rows


_HEADER = (
    "graph",
    "heuristic",
    "workers",
    "makespan ms",
    "speedup",
    "clusters",
    "streams",
    "cross edges",
    "time ms",
)


def format_table(rows: Sequence[CompareRow]) -> str:
    """A Markdown table of `rows`, one line per row, columns padded to line up."""
    return markdown_table(
        _HEADER,
        [
            (
                r.graph,
                r.heuristic,
                str(r.workers),
                f"{r.makespan * 1e3:.3f}",
                f"{r.speedup:.2f}",
                "-" if r.clusters is None else str(r.clusters),
                str(r.streams),
                str(r.cross_edges),
                f"{r.runtime * 1e3:.1f}",
            )
            for r in rows
        ],
        text_columns=2,
    )
