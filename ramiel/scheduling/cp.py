"""Critical-path-based linear clustering and cluster merging (Das and Rauchwerger, IPDPS 2024).

`cp` schedules a graph in three steps:

1. `linear_clusters` peels paths off the graph, longest first: it starts at the
   unclustered node with the largest distance to end and follows, at each step, the
   unclustered successor with the largest edge cost plus distance to end. Distances
   are computed once, on the whole graph: recomputing them after each peel would make
   clustering quadratic. Each path is a linear cluster: a serial chain that always
   stays on one stream.
2. `merge_clusters` maps clusters onto at most `workers` streams, keeping every
   cluster whole, and judging merges by the makespan that `list_schedule` predicts
   (which also fixes each stream's order by distance to end):

   a. pack: with every cluster on its own stream, clusters whose busy spans do not
      overlap are stacked onto one stream (earliest start first; preferring the
      stream that saves most hand-off cost, then the tightest fit). Run in that
      order, a stack starts no node later than before, so this needs no simulation.
   b. spread by load: if more stacks than workers remain, they go, largest first,
      each to the stream where the simulated makespan is lowest; once the simulation
      budget is spent, to the least-loaded stream.
   c. merge whole streams pairwise while that does not raise the simulated makespan.
   d. move single clusters, largest first, to another stream (or a fresh one while
      fewer streams than workers are used) when that lowers the simulated makespan.

   Simulations are bounded by a budget of node-plus-edge visits, so the merge costs
   about a fixed amount of time whatever the number of clusters.
3. If the best prediction is no faster than serial execution, the graph runs on
   one stream. (Whether a small predicted gain is worth the cost of parallel code is
   the compiler's choice, in the `select-streams` pass, not the heuristic's.)

`should_clone` decides, for a scheduled graph, where a cheap node with consumers on
several streams is worth recomputing instead of handing its output over.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

from ramiel.scheduling.registry import register_heuristic
from ramiel.scheduling.serial import serial_schedule
from ramiel.scheduling.simulate import Timeline, list_schedule
from ramiel.scheduling.taskgraph import Schedule, TaskGraph

SIMULATION_BUDGET = 100_000
"""Node-plus-edge visits that the simulations of one merge may spend (about 0.1 s in CPython)."""

# Even on very large graphs, the largest stacks are placed by simulated makespan.
_MIN_SIMULATIONS = 16
# Improvements smaller than this relative amount are float noise, not a better schedule.
_REL_EPS = 1e-9


def linear_clusters(graph: TaskGraph) -> list[list[int]]:
    """Partition the nodes into paths, longest first; ties go to the lower node id."""
    dte = graph.distance_to_end
    clustered = [False] * len(graph)
    clusters: list[list[int]] = []
    for head in sorted(range(len(graph)), key=lambda v: (-dte[v], v)):
        if clustered[head]:
            continue
        chain = [head]
        clustered[head] = True
        v = head
        while True:
            best, best_len = -1, 0.0
            for w, c in zip(graph.succs(v), graph.succ_costs(v), strict=True):
                if not clustered[w] and (best < 0 or c + dte[w] > best_len):
                    best, best_len = w, c + dte[w]
            if best < 0:
                break
            chain.append(best)
            clustered[best] = True
            v = best
        clusters.append(chain)
    return clusters


def cluster_ids(graph: TaskGraph, clusters: Sequence[Sequence[int]]) -> list[int]:
    """The cluster index of each node."""
    ids = [-1] * len(graph)
    for c, members in enumerate(clusters):
        for v in members:
            ids[v] = c
    return ids


class _Merger:
    """Evaluates cluster -> stream maps by list scheduling, within a simulation budget."""

    def __init__(
        self,
        graph: TaskGraph,
        clusters: Sequence[Sequence[int]],
        priority: Sequence[float],
    ) -> None:
        self.graph = graph
        self.clusters = clusters
        self.priority = priority
        self.cluster_of = cluster_ids(graph, clusters)
        self.work = [sum(graph.nodes[v].cost for v in members) for members in clusters]
        size = len(graph) + len(graph.edges)
        self.simulations_left = max(_MIN_SIMULATIONS, SIMULATION_BUDGET // max(size, 1))

    def evaluate(self, stream_of_cluster: Sequence[int]) -> Timeline:
        """List-schedule the graph with each cluster on its given stream."""
        self.simulations_left -= 1
        return list_schedule(
            self.graph, [stream_of_cluster[c] for c in self.cluster_of], self.priority
        )

    def pack(self, timeline: Timeline) -> list[int]:
        """Stack clusters whose busy spans in `timeline` do not overlap; return a stack per cluster."""
        spans = [
            (
                min(timeline.start[v] for v in members),
                max(timeline.end[v] for v in members),
            )
            for members in self.clusters
        ]
        stack = [-1] * len(self.clusters)
        free_at: list[float] = []
        # (free time, -stack) of every stack, sorted: the best fit for a cluster with
        # no input from a stack is the latest-free stack that is free by its start.
        by_free: list[tuple[float, int]] = []
        for c in sorted(range(len(self.clusters)), key=lambda c: (spans[c][0], c)):
            begin, finish = spans[c]
            saved: dict[int, float] = {}
            for v in self.clusters[c]:
                for p, cost in zip(
                    self.graph.preds(v), self.graph.pred_costs(v), strict=True
                ):
                    s = stack[self.cluster_of[p]]
                    if s >= 0:
                        saved[s] = saved.get(s, 0.0) + cost
            # Prefer the stack that saves most hand-off cost, then the tightest fit.
            best: tuple[float, float, int] | None = None
            i = bisect.bisect_right(by_free, (begin, math.inf)) - 1
            if i >= 0:
                best = (0.0, *by_free[i])
            for s, cost in saved.items():
                key = (cost, free_at[s], -s)
                if free_at[s] <= begin and (best is None or key > best):
                    best = key
            if best is None:
                target = len(free_at)
                free_at.append(finish)
            else:
                target = -best[2]
                by_free.remove((free_at[target], -target))
                free_at[target] = finish
            bisect.insort(by_free, (finish, -target))
            stack[c] = target
        return stack

    def spread(self, stack: Sequence[int], workers: int) -> list[int]:
        """Put stacks onto `workers` streams, largest first, where the predicted makespan is lowest."""
        num_stacks = max(stack) + 1
        if num_stacks <= workers:
            return list(stack)
        stack_work = [0.0] * num_stacks
        for c, s in enumerate(stack):
            stack_work[s] += self.work[c]
        # Stacks not yet placed keep a stream of their own, numbered after the workers.
        stream_of_stack = [workers + s for s in range(num_stacks)]
        load = [0.0] * workers
        for rank, s in enumerate(
            sorted(range(num_stacks), key=lambda s: (-stack_work[s], s))
        ):
            if rank < workers:
                target = rank
            elif self.simulations_left >= workers:
                target = min(
                    range(workers),
                    key=lambda w: (
                        self._makespan_with(stack, stream_of_stack, s, w),
                        load[w],
                        w,
                    ),
                )
            else:
                target = min(range(workers), key=lambda w: (load[w], w))
            stream_of_stack[s] = target
            load[target] += stack_work[s]
        return [stream_of_stack[s] for s in stack]

    def _makespan_with(
        self, stack: Sequence[int], stream_of_stack: Sequence[int], s: int, target: int
    ) -> float:
        trial = list(stream_of_stack)
        trial[s] = target
        return self.evaluate([trial[x] for x in stack]).makespan

    def merge_streams(
        self, assignment: list[int], best: Timeline
    ) -> tuple[list[int], Timeline]:
        """Merge the pair of streams that lowers the makespan most, until every merge raises it."""
        while self.simulations_left > 0:
            used = sorted(set(assignment))
            found: tuple[list[int], Timeline] | None = None
            for i, a in enumerate(used):
                for b in used[i + 1 :]:
                    if self.simulations_left <= 0:
                        break
                    trial = [a if s == b else s for s in assignment]
                    timeline = self.evaluate(trial)
                    # A merge that keeps the makespan still pays: one thread and
                    # its hand-offs fewer, which the cost model does not price.
                    if timeline.makespan <= best.makespan * (1.0 + _REL_EPS) and (
                        found is None or timeline.makespan < found[1].makespan
                    ):
                        found = (trial, timeline)
            if found is None:
                break
            assignment, best = found
        return assignment, best

    def move_clusters(
        self, assignment: list[int], best: Timeline, workers: int
    ) -> tuple[list[int], Timeline]:
        """Move single clusters, largest first, to the first stream where the makespan drops."""
        for c in sorted(range(len(self.clusters)), key=lambda c: (-self.work[c], c)):
            used = sorted(set(assignment))
            targets = [s for s in used if s != assignment[c]]
            if len(used) < workers:
                targets.append(used[-1] + 1)
            for target in targets:
                if self.simulations_left <= 0:
                    return assignment, best
                trial = list(assignment)
                trial[c] = target
                timeline = self.evaluate(trial)
                if timeline.makespan < best.makespan * (1.0 - _REL_EPS):
                    assignment, best = trial, timeline
                    break
        return assignment, best


def merge_clusters(
    graph: TaskGraph,
    clusters: Sequence[Sequence[int]],
    workers: int,
    priority: Sequence[float] | None = None,
) -> Timeline:
    """Map whole clusters onto at most `workers` streams (steps 2a-2d of the module docstring).

    Returns the list-scheduled timeline of the best mapping found; stream ids in it
    may have gaps (`Timeline.schedule` drops empty streams). `priority` orders nodes on
    a stream (default: distance to end).
    """
    merger = _Merger(
        graph, clusters, graph.distance_to_end if priority is None else priority
    )
    alone = merger.evaluate(range(len(clusters)))
    assignment = merger.spread(merger.pack(alone), workers)
    best = merger.evaluate(assignment)
    assignment, best = merger.merge_streams(assignment, best)
    return merger.move_clusters(assignment, best, workers)[1]


def schedule_clusters(graph: TaskGraph, clusters: Sequence[Sequence[int]], workers: int) -> Schedule:
    """Merge `clusters` onto `workers` streams, or run serially if that is predicted no faster."""
    ids = cluster_ids(graph, clusters)
    if workers < 2 or len(clusters) < 2:
        return serial_schedule(graph, ids)
    timeline = merge_clusters(graph, clusters, workers)
    if timeline.makespan >= graph.total_work * (1.0 - _REL_EPS):
        return serial_schedule(graph, ids)
    return timeline.schedule(ids)


@register_heuristic("cp")
def cp(graph: TaskGraph, workers: int) -> Schedule:
    """Critical-path linear clustering, then merging onto `workers` streams (the default heuristic)."""
    return schedule_clusters(graph, linear_clusters(graph), workers)


def should_clone(graph: TaskGraph, node: int, schedule: Schedule) -> tuple[int, ...]:
    """Streams, other than its own, that should run a private copy of `node`.

    A copy on stream s replaces the hand-off of `node`'s output to its consumers on s
    with the node's own cost plus the hand-offs of its inputs that are not on s. It is
    worth it when that is cheaper, as for shape computations on graph inputs.
    """
    home = schedule.stream_of(node)
    # One hand-off serves every consumer on a stream, so a copy saves the
    # largest of their edge costs, not the sum.
    saved: dict[int, float] = {}
    for w, c in zip(graph.succs(node), graph.succ_costs(node), strict=True):
        s = schedule.stream_of(w)
        if s != home:
            saved[s] = max(saved.get(s, 0.0), c)
    inputs = list(zip(graph.preds(node), graph.pred_costs(node), strict=True))
    return tuple(
        s
        for s in sorted(saved)
        if graph.nodes[node].cost
        + sum(c for p, c in inputs if schedule.stream_of(p) != s)
        < saved[s]
    )
