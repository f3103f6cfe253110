"""IOS: stage-by-stage scheduling by dynamic programming (Ding et al., MLSys 2021).

"IOS: Inter-Operator Scheduler for CNN Acceleration" runs a graph as a sequence of
stages separated by barriers. A stage is a set of operators split into groups: the
groups run concurrently, one stream each, and the operators of a group run one after
another. The schedule is found by dynamic programming over the sets of operators
still to run: the last stage of a set S is an "ending" of S (a subset that no other
operator of S depends on), so

    best(S) = min over endings E of S:  best(S - E) + latency(E).

The search is pruned as in IOS: a group is the set of operators of S that depend on
one chosen operator (itself included), groups are disjoint (so no operator depends on
another group of its stage), a group holds at most `max_group_size` operators (IOS's
s) and a stage at most `max_groups` groups (IOS's r, here also at most `workers`).
The graph is first cut at operators that every other operator depends on or feeds
(IOS's blocks), and blocks of more than `max_part_size` operators into consecutive
parts, each searched on its own. A part with more than `MAX_STATES` states, or whose
search would visit more than `TRANSITION_BUDGET` (state, ending) pairs, as a wide one
can, is halved instead, so any graph finishes, at the price of more barriers.

Where this differs from IOS, and from the simulator:

- IOS measures each stage's latency on the GPU. Here it is priced from the task
  graph: the first group runs on the main stream and costs its work; any other group
  runs on a side stream and also pays the largest hand-off into it and out of it,
  since its inputs may come from, and its outputs go to, other streams. The latency
  of a stage is that of its slowest group, with the main group chosen to minimise it.
- With `intra_op` (the `hybrid` heuristic), a single-group stage may also run each of
  its operators on all `workers` intra-op threads, at their threaded costs
  (`Node.threaded_costs`), whichever is faster: the choice between inter-op and
  intra-op parallelism is then made stage by stage. Such a stage holds every stream.
- IOS's other strategy, operator merge, fuses convolutions that share an input into
  one wider kernel; a task graph of fixed op costs cannot price a new kernel, so it has
  no counterpart here beyond a single-group stage (operators one after another on the
  main stream), which the search includes.
- The simulator has no barriers. The stages become stream orders: stage by stage,
  the main group is appended to stream 0 and each side group to a side stream (the one
  it receives most hand-off cost from, so fewer hand-offs are paid). A node may then
  start before its stage's barrier would have let it, never later: `IOSResult.stage_sum`,
  the sum of the stage latencies, bounds the simulated makespan from above.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ramiel.scheduling.registry import register_heuristic
from ramiel.scheduling.taskgraph import Schedule, TaskGraph

MAX_GROUP_SIZE = 3
"""IOS's s: the most operators in one group (the default of its implementation)."""

MAX_GROUPS = 8
"""IOS's r: the most groups in one stage (further capped by the number of workers)."""

MAX_PART_SIZE = 100
"""The most operators searched together; larger blocks are cut into consecutive parts."""

MAX_STATES = 4_000
"""The most sets of operators (down-closed subsets) a part may have; wider parts are halved."""

TRANSITION_BUDGET = 400_000
"""The most (state, ending) pairs one part's search may visit before the part is halved."""


class _BudgetExceeded(Exception):
    """A part's search visited more transitions than its budget allows."""


@dataclass(frozen=True)
class Stage:
    """One stage: its groups of node ids (each in run order), the main group first, its latency,
    and the intra-op threads each operator of a single-group stage runs on."""

    groups: tuple[tuple[int, ...], ...]
    latency: float
    threads: int = 1


@dataclass(frozen=True)
class IOSResult:
    """The stages found, their summed latency (an upper bound on the simulated makespan) and the schedule."""

    stages: tuple[Stage, ...]
    stage_sum: float
    schedule: Schedule


def _bits(mask: int) -> Iterator[int]:
    """Indices of the set bits of `mask`, ascending."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _separators(graph: TaskGraph) -> list[int]:
    """Nodes that every other node depends on or feeds, ascending (IOS's block boundaries)."""
    n = len(graph)
    ancestors = [0] * n
    for v in range(n):
        for u in graph.preds(v):
            ancestors[v] |= ancestors[u] | (1 << u)
    descendants = [0] * n
    for v in range(n - 1, -1, -1):
        for w in graph.succs(v):
            descendants[v] |= descendants[w] | (1 << w)
    return [v for v in range(n) if (ancestors[v] | descendants[v]).bit_count() == n - 1]


def _parts(graph: TaskGraph, max_part_size: int) -> list[range]:
    """Consecutive id ranges to search one after another.

    Ids are topological, so the nodes strictly between two separators depend on the
    first and feed the second: a separator is a part of its own, the nodes between
    two separators form a block, and blocks are cut every `max_part_size` ids.
    """
    parts: list[range] = []
    begin = 0
    for cut in [*_separators(graph), len(graph)]:
        for low in range(begin, cut, max_part_size):
            parts.append(range(low, min(low + max_part_size, cut)))
        if cut < len(graph):
            parts.append(range(cut, cut + 1))
        begin = cut + 1
    return parts


class _PartSearch:
    """The dynamic program over the down-closed subsets of one part (as bit masks of local indices)."""

    def __init__(
        self,
        graph: TaskGraph,
        part: range,
        max_groups: int,
        max_group_size: int,
        threads: int,
    ) -> None:
        """Index the part's nodes and their descendants within it; single-group stages may use `threads`."""
        self.graph = graph
        self.part = part
        self.max_groups = max_groups
        self.max_group_size = max_group_size
        self.threads = threads
        size = len(part)
        self.below = [0] * size  # local descendants of each local node
        for i in range(size - 1, -1, -1):
            for w in graph.succs(part.start + i):
                if w < part.stop:
                    j = w - part.start
                    self.below[i] |= self.below[j] | (1 << j)
        self.transitions_left = TRANSITION_BUDGET
        self.best: dict[int, tuple[float, tuple[int, ...]]] = {0: (0.0, ())}
        self.group_cost: dict[int, tuple[float, float]] = {}
        self.stage_cost: dict[tuple[int, ...], tuple[float, int, int]] = {}

    def too_wide(self) -> bool:
        """Whether the part has more than `MAX_STATES` down-closed subsets (the states of the search).

        Every down-closed subset is reached from the whole part by removing nodes
        without successors in it one at a time, so a walk doing that counts them all.
        """
        full = (1 << len(self.part)) - 1
        seen = {full}
        todo = [full]
        while todo:
            state = todo.pop()
            for i in _bits(state):
                if self.below[i] & state == 0 and state & ~(1 << i) not in seen:
                    if len(seen) == MAX_STATES:
                        return True
                    seen.add(state & ~(1 << i))
                    todo.append(state & ~(1 << i))
        return False

    def endings(self, state: int) -> Iterator[tuple[int, ...]]:
        """Every admissible last stage of `state`, as a tuple of disjoint group masks."""
        heads = []
        for i in _bits(state):
            group = (self.below[i] & state) | (1 << i)
            if group.bit_count() <= self.max_group_size:
                heads.append(group)

        def extend(
            start: int, used: int, chosen: tuple[int, ...]
        ) -> Iterator[tuple[int, ...]]:
            for k in range(start, len(heads)):
                if heads[k] & used == 0:
                    groups = (*chosen, heads[k])
                    yield groups
                    if len(groups) < self.max_groups:
                        yield from extend(k + 1, used | heads[k], groups)

        yield from extend(0, 0, ())

    def group_stats(self, group: int) -> tuple[float, float]:
        """(work, work plus the largest hand-off into and out of the group) of a group mask."""
        if group not in self.group_cost:
            members = {self.part.start + i for i in _bits(group)}
            work = sum(self.graph.costs[v] for v in members)
            into = max(
                (
                    c
                    for v in members
                    for u, c in zip(
                        self.graph.preds(v), self.graph.pred_costs(v), strict=True
                    )
                    if u not in members
                ),
                default=0.0,
            )
            out = max(
                (
                    c
                    for v in members
                    for w, c in zip(
                        self.graph.succs(v), self.graph.succ_costs(v), strict=True
                    )
                    if w not in members
                ),
                default=0.0,
            )
            self.group_cost[group] = (work, into + work + out)
        return self.group_cost[group]

    def latency(self, groups: tuple[int, ...]) -> tuple[float, int, int]:
        """The stage's latency, the index of its main group and its threads (see the module docstring)."""
        if groups not in self.stage_cost:
            stats = [self.group_stats(g) for g in groups]
            if len(groups) == 1:
                self.stage_cost[groups] = min(
                    (stats[0][0], 0, 1), self.threaded(groups[0])
                )
            else:
                self.stage_cost[groups] = min(
                    (
                        max(
                            stats[m][0],
                            max(side for j, (_, side) in enumerate(stats) if j != m),
                        ),
                        m,
                        1,
                    )
                    for m in range(len(groups))
                )
        return self.stage_cost[groups]

    def threaded(self, group: int) -> tuple[float, int, int]:
        """The latency of a group run on stream 0 with every member on all the threads it may use."""
        members = [self.part.start + i for i in _bits(group)]
        threads = min(self.threads, *(self.graph.max_threads(v) for v in members))
        return (sum(self.graph.cost_on(v, threads) for v in members), 0, threads)

    def solve(self, state: int) -> float:
        """The least summed latency of running the nodes of `state` in stages."""
        if state not in self.best:
            choice: tuple[float, tuple[int, ...]] | None = None
            for groups in self.endings(state):
                self.transitions_left -= 1
                if self.transitions_left < 0:
                    raise _BudgetExceeded
                ending = 0
                for g in groups:
                    ending |= g
                total = self.solve(state & ~ending) + self.latency(groups)[0]
                if choice is None or total < choice[0]:
                    choice = (total, groups)
            assert choice is not None, "every non-empty state has an ending"
            self.best[state] = choice
        return self.best[state][0]

    def stages(self) -> list[Stage]:
        """The stages of the best schedule of the whole part, first to last."""
        state = (1 << len(self.part)) - 1
        self.solve(state)
        found: list[Stage] = []
        while state:
            _, groups = self.best[state]
            latency, main, threads = self.latency(groups)
            ordered = [groups[main], *(g for j, g in enumerate(groups) if j != main)]
            found.append(
                Stage(
                    groups=tuple(
                        tuple(self.part.start + i for i in _bits(g)) for g in ordered
                    ),
                    latency=latency,
                    threads=threads,
                )
            )
            for g in groups:
                state &= ~g
        return found[::-1]


def _streams(graph: TaskGraph, stages: Sequence[Stage], side_streams: int) -> Schedule:
    """Stream orders from stages: main groups on stream 0 (and, run on several threads, on
    as many streams), side groups where their inputs are."""
    lanes = max([side_streams + 1, *(stage.threads for stage in stages)])
    streams: list[list[int]] = [[] for _ in range(lanes)]
    where = [-1] * len(graph)
    for stage in stages:
        main, *sides = stage.groups
        placed = [0]
        # Larger groups choose first: their hand-offs weigh most.
        for group in sorted(sides, key=lambda g: (-sum(graph.costs[v] for v in g), g)):
            received = [0.0] * (side_streams + 1)
            for v in group:
                for u, c in zip(graph.preds(v), graph.pred_costs(v), strict=True):
                    if where[u] >= 0:
                        received[where[u]] += c
            free = [s for s in range(1, side_streams + 1) if s not in placed]
            target = max(free, key=lambda s: (received[s], -s))
            placed.append(target)
            for v in group:
                where[v] = target
            streams[target].extend(group)
        for v in main:
            where[v] = 0
        for lane in range(stage.threads):
            streams[lane].extend(main)
    return Schedule(streams=sorted((s for s in streams if s), key=min))


def ios_schedule(
    graph: TaskGraph,
    workers: int,
    *,
    max_groups: int = MAX_GROUPS,
    max_group_size: int = MAX_GROUP_SIZE,
    max_part_size: int = MAX_PART_SIZE,
    intra_op: bool = False,
) -> IOSResult:
    """Search stage schedules of `graph` on at most `workers` streams (see the module docstring).

    With `intra_op`, single-group stages may run their operators on `workers` threads.
    """
    if workers < 1 or max_groups < 1 or max_group_size < 1 or max_part_size < 1:
        raise ValueError("workers and the search limits must be >= 1")
    groups = min(workers, max_groups)
    stages: list[Stage] = []
    pending = _parts(graph, max_part_size)[::-1]
    while pending:
        part = pending.pop()
        search = _PartSearch(
            graph, part, groups, max_group_size, workers if intra_op else 1
        )
        try:
            if search.too_wide():
                raise _BudgetExceeded
            stages += search.stages()
        except _BudgetExceeded:
            # A wide part has too many stage sets to search: search its halves in turn.
            middle = part.start + len(part) // 2
            pending += [range(middle, part.stop), range(part.start, middle)]
    return IOSResult(
        stages=tuple(stages),
        stage_sum=sum(s.latency for s in stages),
        schedule=_streams(graph, stages, groups - 1),
    )


@register_heuristic("ios")
def ios(graph: TaskGraph, workers: int) -> Schedule:
    """IOS's stage dynamic program with its default pruning (r = 8 groups of s = 3)."""
    return ios_schedule(graph, workers).schedule


@register_heuristic("hybrid")
def hybrid(graph: TaskGraph, workers: int) -> Schedule:
    """IOS's stages, each run either inter-op (groups on streams) or intra-op (one group,
    every operator on all threads): the same as `ios` on a graph without threaded costs."""
    return ios_schedule(graph, workers, intra_op=True).schedule
