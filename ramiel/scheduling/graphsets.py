"""Task graphs whose optimal makespan is known by construction, after Davidović and Crainic.

T. Davidović and T. G. Crainic, "Benchmark-problem instances for static scheduling of
task graphs with communication delays on homogeneous multiprocessor systems",
Computers & Operations Research 33 (2006), build each instance from its optimal
schedule: first a schedule of length L on p processors with no idle time, then the
dependencies, each added only if the schedule stays feasible with its communication
delay. No schedule on p processors can beat total work / p = L, so L is optimal.

This generator follows that construction, with integer costs:

1. The tasks are spread evenly over the p processors; each processor's busy span
   [0, L) is cut at distinct random points into as many positive integer durations as
   it has tasks (L is chosen so the mean duration is `mean_cost`).
2. Tasks are numbered by start time (ties: lower processor), a topological order for
   every dependency added below, since a task ends after it starts.
3. The tasks of processor 0 form a chain. This is not in the paper: it makes the
   longest path L as well, so L stays the optimum for any number of workers >= p,
   not only for exactly p. (With fewer workers w, total work / w is a lower bound.)
4. Each task draws a number of extra predecessors, uniform in
   0..2 * `mean_in_degree`, and for each a communication cost, uniform in
   0..2 * `ccr` * `mean_cost` (so the target communication-to-computation ratio is the
   mean edge cost over the mean task cost; chain edges draw their cost the same way).
   The predecessor is drawn uniformly among the tasks that end before the task starts
   and could send it data in time: those on the same processor (no delay) and those on
   other processors that end at least that cost before its start. A draw with no such
   task adds no edge. The paper instead keeps each admissible edge with a density
   probability; a count per task keeps the number of edges linear in the size.

The ratio reached (`KnownOptimum.ccr`) is measured on the edges made, chain included.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

from ramiel.scheduling.taskgraph import Edge, Node, Schedule, TaskGraph

MEAN_COST = 10
"""Default mean task duration, in integer time units."""

MEAN_IN_DEGREE = 2.0
"""Default mean number of extra predecessors drawn per task."""


@dataclass(frozen=True)
class KnownOptimum:
    """A generated graph with its optimal schedule.

    `optimum` is the makespan of `schedule` (`processors` streams, no idle time), which
    is optimal for every worker count >= `processors`. `ccr` is the reached ratio of
    mean edge cost to mean task cost, `target_ccr` the one asked for.
    """

    name: str
    graph: TaskGraph
    processors: int
    optimum: float
    ccr: float
    target_ccr: float
    schedule: Schedule


    def stg_comments(self) -> list[str]:
        """The summary lines an STG file of this graph carries: its name, optimum and ratio."""
        return [
            f"Graph Name : {self.name}",
            f"optimal schedule length : {self.optimum:g} on {self.processors} or more processors (known by construction)",
            f"communication-to-computation ratio : {self.ccr:.3f}",
        ]


def _busy_spans(
    rng: random.Random, tasks: int, processors: int, length: int
) -> list[tuple[int, int, int]]:
    """(start, processor, end) of every task: each processor's [0, length) cut into its share of tasks."""
    spans = []
    for q in range(processors):
        count = tasks // processors + (q < tasks % processors)
        cuts = sorted(rng.sample(range(1, length), count - 1))
        bounds = [0, *cuts, length]
        spans += [(bounds[k], q, bounds[k + 1]) for k in range(count)]
    return sorted(spans)


def known_optimum_graph(
    tasks: int,
    processors: int,
    ccr: float,
    *,
    seed: int,
    mean_cost: int = MEAN_COST,
    mean_in_degree: float = MEAN_IN_DEGREE,
) -> KnownOptimum:
    """Generate one graph of `tasks` tasks whose optimum on `processors` streams is known.

    The same arguments always give the same graph.
    """
    if processors < 1 or tasks < processors:
        raise ValueError(
            f"need at least one task per processor, got {tasks} tasks for {processors}"
        )
    if ccr < 0.0 or mean_cost < 1 or mean_in_degree < 0.0:
        raise ValueError("ccr and mean_in_degree must be >= 0 and mean_cost >= 1")
    rng = random.Random(seed)
    per_processor = -(-tasks // processors)
    length = max(per_processor, round(tasks * mean_cost / processors))
    spans = _busy_spans(rng, tasks, processors, length)
    start = [s for s, _, _ in spans]
    proc = [q for _, q, _ in spans]
    end = [e for _, _, e in spans]
    max_edge_cost = round(2 * ccr * mean_cost)

    edges: dict[tuple[int, int], int] = {}
    on_first = [v for v in range(tasks) if proc[v] == 0]
    for a, b in itertools.pairwise(on_first):
        edges[(a, b)] = rng.randint(0, max_edge_cost)
    # Tasks ordered by end time, so those that end by a given start form a prefix.
    by_end = sorted(range(tasks), key=lambda v: (end[v], v))
    for v in range(tasks):
        ended = by_end[: bisect.bisect_right(by_end, start[v], key=lambda u: end[u])]
        for _ in range(rng.randint(0, round(2 * mean_in_degree))):
            cost = rng.randint(0, max_edge_cost)
            senders = [
                u
                for u in ended
                if (u, v) not in edges
                and (proc[u] == proc[v] or end[u] + cost <= start[v])
            ]
            if senders:
                edges[(rng.choice(senders), v)] = cost

    graph = TaskGraph(
        (Node(f"t{v}", "Task", float(end[v] - start[v])) for v in range(tasks)),
        (Edge(u, v, 0, float(c)) for (u, v), c in edges.items()),
    )
    streams = [[v for v in range(tasks) if proc[v] == q] for q in range(processors)]
    mean_edge = math.fsum(e.cost for e in graph.edges) / max(len(graph.edges), 1)
    return KnownOptimum(
        name=f"dc-n{tasks}-p{processors}-ccr{ccr:g}-s{seed}",
        graph=graph,
        processors=processors,
        optimum=float(length),
        ccr=mean_edge / (graph.total_work / tasks),
        target_ccr=ccr,
        schedule=Schedule(streams=streams),
    )


def known_optimum_set(
    sizes: Iterable[int],
    processors: Iterable[int],
    ccrs: Iterable[float],
    seeds: Iterable[int],
    *,
    mean_cost: int = MEAN_COST,
    mean_in_degree: float = MEAN_IN_DEGREE,
) -> list[KnownOptimum]:
    """One graph per combination of size, processor count, CCR and seed, in that nesting order."""
    processors, ccrs, seeds = list(processors), list(ccrs), list(seeds)
    return [
        known_optimum_graph(
            n, p, ccr, seed=seed, mean_cost=mean_cost, mean_in_degree=mean_in_degree
        )
        for n in sizes
        for p in processors
        for ccr in ccrs
        for seed in seeds
    ]


@dataclass(frozen=True)
class GraphSetSpec:
    """The combinations `known_optimum_set` makes for one named set."""

    sizes: tuple[int, ...]
    processors: tuple[int, ...]
    ccrs: tuple[float, ...]
    seeds: int

    def graphs(self) -> list[KnownOptimum]:
        """The set's graphs."""
        return known_optimum_set(self.sizes, self.processors, self.ccrs, range(self.seeds))


GRAPH_SETS: dict[str, GraphSetSpec] = {
    # 6 sizes x 3 processor counts x 3 ratios x 4 seeds = 216 graphs.
    "dc": GraphSetSpec((50, 100, 200, 300, 400, 500), (2, 4, 8), (0.1, 1.0, 5.0), 4),
    # Graphs small enough for the exact solver to prove: 3 x 2 x 3 x 4 = 72.
    "dc-small": GraphSetSpec((10, 20, 30), (2, 3), (0.1, 1.0, 5.0), 4),
}
"""The generated sets `ramiel compare --suite NAME` knows, by name."""
