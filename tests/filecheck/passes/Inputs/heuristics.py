"""Researchers' heuristics for the `cluster` pass tests, loaded with --load-heuristics."""

from ramiel.scheduling import Schedule, TaskGraph, register_heuristic


@register_heuristic("round-robin")
def round_robin(graph: TaskGraph, workers: int) -> Schedule:
    """Deal the ops onto the streams in turn, each stream in topological order."""
    return Schedule([list(range(s, len(graph), workers)) for s in range(min(workers, len(graph)))])


@register_heuristic("backwards")
def backwards(graph: TaskGraph, workers: int) -> Schedule:
    """A broken heuristic: one stream, in reverse topological order."""
    return Schedule([list(reversed(range(len(graph))))])
