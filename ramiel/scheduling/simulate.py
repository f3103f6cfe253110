"""Predicting the run of a schedule, and list scheduling for a fixed stream assignment.

Execution model (shared by `simulate` and `list_schedule`): each stream runs its nodes
one at a time; a node starts once its stream is free and every predecessor has
finished, plus the edge's hand-off cost when the predecessor ran on another stream.
A node listed on several streams (on that many intra-op threads) starts once all of
them are free, holds them until it ends, and hands off from its home stream, the
first; it takes its cost on that many threads.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from ramiel.scheduling.taskgraph import Schedule, TaskGraph
from ramiel.scheduling.validate import ScheduleError, check_placement


@dataclass(frozen=True)
class Simulation:
    """Predicted timeline of a schedule: per-node stream, start and end (seconds)."""

    makespan: float
    work: float
    stream: tuple[int, ...]
    start: tuple[float, ...]
    end: tuple[float, ...]

    @property
    def num_streams(self) -> int:
        """Number of streams in the simulated schedule."""
        return max(self.stream, default=-1) + 1

    @property
    def speedup(self) -> float:
        """Serial time W over the makespan (1.0 for a graph with no work)."""
        return self.work / self.makespan if self.makespan > 0.0 else 1.0

    def rows(self) -> list[tuple[int, int, float, float]]:
        """`(stream, node, start, end)` per node, sorted by stream then start."""
        return sorted(
            ((s, v, self.start[v], self.end[v]) for v, s in enumerate(self.stream)),
            key=lambda r: (r[0], r[2], r[1]),
        )


class StreamOrder(NamedTuple):
    """What the stream orders of a schedule add to the dependencies (see `stream_order`)."""

    waiting: list[int]
    followers: list[tuple[int, ...]]
    first: list[int]
    costs: list[float]


def stream_order(graph: TaskGraph, schedule: Schedule) -> StreamOrder:
    """Per node: its predecessors plus the nodes before it on its streams (`waiting`),
    the nodes after it on its streams (`followers`), and its cost on its threads;
    `first` holds the nodes that open a stream with nothing to wait for."""
    n = len(graph)
    waiting = list(graph.in_degrees)
    followers: list[list[int]] = [[] for _ in range(n)]
    for stream in schedule.streams:
        for a, b in pairwise(stream):
            followers[a].append(b)
            waiting[b] += 1
    costs = list(graph.costs)
    if schedule.threaded:
        costs = [graph.cost_on(v, len(schedule.streams_of(v))) for v in range(n)]
    first = list(dict.fromkeys(s[0] for s in schedule.streams if waiting[s[0]] == 0))
    return StreamOrder(waiting, [tuple(f) for f in followers], first, costs)


def deadlock_error(waiting: Sequence[int]) -> ScheduleError:
    """The error for stream orders that left the nodes still `waiting` > 0 unrun."""
    stuck = sorted(v for v in range(len(waiting)) if waiting[v] > 0)[:5]
    return ScheduleError(
        f"schedule deadlocks: nodes {stuck} wait on each other across streams"
    )


def simulate(graph: TaskGraph, schedule: Schedule) -> Simulation:
    """Run `schedule` in the execution model and return its timeline.

    Raises `ScheduleError` when a node is placed twice or not at all, or when the stream
    orders deadlock against the dependencies.
    """
    where = check_placement(graph, schedule)
    n = len(graph)
    order = stream_order(graph, schedule)
    waiting, costs = order.waiting, order.costs
    start = [0.0] * n
    end = [0.0] * n
    # Kahn's algorithm over dependencies plus "previous node on my streams" edges.
    ready = list(order.first)
    free = [0.0] * schedule.num_streams
    done = 0
    while ready:
        v = ready.pop()
        done += 1
        lanes = schedule.streams_of(v)
        t = max(free[s] for s in lanes)
        for p, c in zip(graph.preds(v), graph.pred_costs(v), strict=True):
            t = max(t, end[p] + (c if where[p] != where[v] else 0.0))
        start[v] = t
        end[v] = t + costs[v]
        for s in lanes:
            free[s] = end[v]
        for w in (*graph.succs(v), *order.followers[v]):
            waiting[w] -= 1
            if waiting[w] == 0:
                ready.append(w)
    if done < n:
        raise deadlock_error(waiting)
    return Simulation(
        makespan=max(end, default=0.0),
        work=graph.total_work,
        stream=tuple(where),
        start=tuple(start),
        end=tuple(end),
    )


@dataclass(frozen=True)
class Timeline:
    """Result of `list_schedule`: stream orders (indexed by stream id), node times and makespan."""

    streams: tuple[tuple[int, ...], ...]
    start: tuple[float, ...]
    end: tuple[float, ...]
    makespan: float

    def schedule(self, clusters: Sequence[int] | None = None) -> Schedule:
        """The non-empty streams as a `Schedule`, numbered by their smallest node id."""
        used = sorted((s for s in self.streams if s), key=min)
        return Schedule(streams=used, clusters=clusters)


_END, _ARRIVE = 0, 1


def list_schedule(
    graph: TaskGraph, stream_of: Sequence[int], priority: Sequence[float] | None = None
) -> Timeline:
    """Order each stream's nodes by event-driven list scheduling, for a fixed node -> stream map.

    Whenever a stream is idle it starts, among its nodes whose inputs have all arrived,
    the one with the highest `priority` (default: distance to end), ties going to the
    lower node id. Stream ids are any non-negative ints; unused ids give empty streams.
    The result is deadlock-free and `simulate` of its schedule reproduces its times.
    """
    n = len(graph)
    if len(stream_of) != n or (priority is not None and len(priority) != n):
        raise ValueError("stream_of and priority need one entry per node")
    prio = graph.distance_to_end if priority is None else priority
    costs = graph.costs
    num_streams = max(stream_of, default=-1) + 1
    orders: list[list[int]] = [[] for _ in range(num_streams)]
    ready: list[list[tuple[float, int]]] = [[] for _ in range(num_streams)]
    busy = [False] * num_streams
    waiting = list(graph.in_degrees)
    arrival = [0.0] * n
    start = [0.0] * n
    end = [0.0] * n
    events: list[tuple[float, int, int]] = [
        (0.0, _ARRIVE, v) for v in range(n) if waiting[v] == 0
    ]
    heapq.heapify(events)
    push, pop = heapq.heappush, heapq.heappop
    succs = graph.successor_costs
    while events:
        now = events[0][0]
        # Streams that may start a node now; dispatch order does not matter, since
        # starting a node on one stream cannot change another stream's choice at `now`.
        touched: list[int] = []
        while events and events[0][0] == now:
            _, kind, v = pop(events)
            s = stream_of[v]
            touched.append(s)
            if kind == _ARRIVE:
                push(ready[s], (-prio[v], v))
                continue
            busy[s] = False
            for w, c in succs[v]:
                sw = stream_of[w]
                t = now + c if sw != s else now
                if t > arrival[w]:
                    arrival[w] = t
                waiting[w] -= 1
                if waiting[w] == 0:
                    if arrival[w] <= now:
                        push(ready[sw], (-prio[w], w))
                        touched.append(sw)
                    else:
                        push(events, (arrival[w], _ARRIVE, w))
        for s in touched:
            if not busy[s] and ready[s]:
                v = pop(ready[s])[1]
                busy[s] = True
                orders[s].append(v)
                start[v] = now
                end[v] = t = now + costs[v]
                push(events, (t, _END, v))
    return Timeline(
        streams=tuple(tuple(o) for o in orders),
        start=tuple(start),
        end=tuple(end),
        makespan=max(end, default=0.0),
    )
