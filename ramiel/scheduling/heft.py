"""HEFT: Heterogeneous Earliest Finish Time (Topcuoglu, Hariri and Wu, IEEE TPDS 2002).

With identical workers, the upward rank of a node is its distance to end. Nodes are
taken in decreasing rank (ties: lower id, which keeps the order topological) and each
goes to the worker where it finishes earliest, using the earliest idle gap long enough
for it after its inputs arrive (insertion policy); ties go to the lower worker.
Each stream runs its nodes in order of start time.
"""

from __future__ import annotations

import bisect

from ramiel.scheduling.registry import register_heuristic
from ramiel.scheduling.taskgraph import Schedule, TaskGraph


def _earliest_gap(
    starts: list[float], ends: list[float], ready: float, length: float
) -> tuple[float, int]:
    """Earliest start >= `ready` of an idle gap of `length` between sorted busy intervals, and its index."""
    i = bisect.bisect_right(ends, ready)
    t = ready
    while i < len(starts):
        if t + length <= starts[i]:
            return t, i
        t = max(t, ends[i])
        i += 1
    return t, i


@register_heuristic("heft")
def heft(graph: TaskGraph, workers: int) -> Schedule:
    """Insertion-based HEFT on `workers` identical streams."""
    rank = graph.distance_to_end
    costs = graph.costs
    starts: list[list[float]] = [[] for _ in range(workers)]
    ends: list[list[float]] = [[] for _ in range(workers)]
    nodes_at: list[list[int]] = [[] for _ in range(workers)]
    where = [0] * len(graph)
    finish = [0.0] * len(graph)
    for v in sorted(range(len(graph)), key=lambda v: (-rank[v], v)):
        best_w, best_start, best_index = 0, 0.0, 0
        for w in range(workers):
            ready = 0.0
            for p, c in zip(graph.preds(v), graph.pred_costs(v), strict=True):
                ready = max(ready, finish[p] + (c if where[p] != w else 0.0))
            t, i = _earliest_gap(starts[w], ends[w], ready, costs[v])
            if w == 0 or t < best_start:
                best_w, best_start, best_index = w, t, i
        i = best_index
        starts[best_w].insert(i, best_start)
        ends[best_w].insert(i, best_start + costs[v])
        nodes_at[best_w].insert(i, v)
        where[v] = best_w
        finish[v] = best_start + costs[v]
    return Schedule(streams=sorted((s for s in nodes_at if s), key=min))
