"""The serial baselines: one stream running the nodes in IR order, on one thread or on all."""

from __future__ import annotations

from collections.abc import Sequence

from ramiel.scheduling.registry import register_heuristic
from ramiel.scheduling.taskgraph import Schedule, TaskGraph


def serial_schedule(
    graph: TaskGraph, clusters: Sequence[int] | None = None
) -> Schedule:
    """All nodes on one stream in IR (topological) order, keeping `clusters` for reporting."""
    return Schedule(
        streams=[range(len(graph))] if len(graph) else [], clusters=clusters
    )


@register_heuristic("serial")
def serial(graph: TaskGraph, workers: int) -> Schedule:
    """One stream in topological order, whatever the number of workers."""
    return serial_schedule(graph)


@register_heuristic("intra")
def intra(graph: TaskGraph, workers: int) -> Schedule:
    """One stream in topological order with every node on all `workers` intra-op threads
    it has a cost for (listed on that many streams): one-stream code on every core."""
    order = range(len(graph))
    lanes = max((min(workers, graph.max_threads(v)) for v in order), default=0)
    return Schedule(
        streams=[[v for v in order if min(workers, graph.max_threads(v)) > lane] for lane in range(lanes)]
    )
