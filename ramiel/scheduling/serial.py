"""The serial baseline: one stream running the nodes in IR order."""

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
