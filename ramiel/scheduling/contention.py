"""Predicted makespans when streams share memory bandwidth, for scaling curves up to 64 workers.

Everything here is a prediction of a model, not a measurement: it says how a schedule
would scale if the machine behaved as the model assumes, and papers should label the
curves so until they are measured on such a machine.

The model extends the execution model of `simulate` (stream order, dependencies,
hand-off costs) with one shared resource. Node v, run alone, takes its cost c_v and
moves `traffic[v]` bytes, so it asks for d_v = traffic[v] / c_v bytes per second.
While the nodes running at a moment ask for more than the machine's `bandwidth` B in
total (D = sum of their d_v), every one of them progresses at rate B / D instead of 1,
so together they get exactly B; otherwise all run at full speed. A node alone that
asks for more than B is slowed too. Zero-cost nodes take no time and no bandwidth.

By default a node's traffic is what its edges carry: the bytes of its inputs, plus
its output counted once (its largest outgoing edge). Weights and graph inputs are on no
edge, so this underestimates traffic; pass `traffic` from a better model when known.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

from ramiel.scheduling.registry import run_heuristic
from ramiel.scheduling.serial import serial_schedule
from ramiel.scheduling.simulate import (
    Simulation,
    deadlock_error,
    simulate,
    stream_order,
)
from ramiel.scheduling.tables import markdown_table
from ramiel.scheduling.taskgraph import Schedule, TaskGraph
from ramiel.scheduling.validate import check_placement

SCALING_WORKERS = (2, 4, 8, 16, 32, 64)
"""The worker counts of a default scaling curve."""

# Remaining work below this fraction of a node's cost is float residue: the node is done.
_DONE = 1e-12


def default_traffic(graph: TaskGraph) -> tuple[float, ...]:
    """Bytes each node moves: its inputs' bytes plus its output once (the largest outgoing edge)."""
    inputs = [0.0] * len(graph)
    output = [0.0] * len(graph)
    for e in graph.edges:
        inputs[e.dst] += e.nbytes
        output[e.src] = max(output[e.src], float(e.nbytes))
    return tuple(i + o for i, o in zip(inputs, output, strict=True))


def simulate_contention(
    graph: TaskGraph,
    schedule: Schedule,
    bandwidth: float,
    traffic: Sequence[float] | None = None,
) -> Simulation:
    """Predict the timeline of `schedule` when running nodes share `bandwidth` bytes/s (see the module docstring).

    With unlimited bandwidth it reproduces `simulate`. Raises `ScheduleError` for a
    schedule that places a node twice or not at all, or that deadlocks.
    """
    if not bandwidth > 0.0:
        raise ValueError(f"bandwidth must be positive, got {bandwidth}")
    where = check_placement(graph, schedule)
    n = len(graph)
    moved = default_traffic(graph) if traffic is None else tuple(traffic)
    if len(moved) != n or any(not (math.isfinite(t) and t >= 0.0) for t in moved):
        raise ValueError("traffic needs one finite, non-negative byte count per node")
    order = stream_order(graph, schedule)
    waiting, costs = order.waiting, order.costs
    demand = [moved[v] / costs[v] if costs[v] > 0.0 else 0.0 for v in range(n)]

    ready_at = [0.0] * n  # latest input arrival or stream release seen so far
    start = [0.0] * n
    end = [0.0] * n
    pending = [(0.0, v) for v in order.first]
    heapq.heapify(pending)
    remaining: dict[int, float] = {}
    now = 0.0
    finished = 0

    def release(v: int) -> None:
        """Node v has ended at `now`: hand its outputs on and free its stream."""
        nonlocal finished
        finished += 1
        end[v] = now
        for w, c in graph.successor_costs[v]:
            ready_at[w] = max(ready_at[w], now + (c if where[w] != where[v] else 0.0))
        for w in (*graph.succs(v), *order.followers[v]):
            ready_at[w] = max(ready_at[w], now)
            waiting[w] -= 1
            if waiting[w] == 0:
                heapq.heappush(pending, (ready_at[w], w))

    while pending or remaining:
        asked = sum(demand[v] for v in remaining)
        share = min(1.0, bandwidth / asked) if asked > 0.0 else 1.0
        rate = {v: share if demand[v] > 0.0 else 1.0 for v in remaining}
        first_end = min((remaining[v] / rate[v] for v in remaining), default=math.inf)
        first_start = pending[0][0] if pending else math.inf
        later = max(now, min(now + first_end, first_start))
        for v in remaining:
            remaining[v] -= rate[v] * (later - now)
        now = later
        for v in sorted(v for v, left in remaining.items() if left <= _DONE * costs[v]):
            del remaining[v]
            release(v)
        while pending and pending[0][0] <= now:
            _, v = heapq.heappop(pending)
            start[v] = now
            if costs[v] > 0.0:
                remaining[v] = costs[v]
            else:
                release(v)
    if finished < n:
        raise deadlock_error(waiting)
    return Simulation(
        makespan=max(end, default=0.0),
        work=graph.total_work,
        stream=tuple(where),
        start=tuple(start),
        end=tuple(end),
    )


@dataclass(frozen=True)
class ScalingPoint:
    """Predicted, not measured: one heuristic's schedule at one worker count.

    `makespan` ignores contention (`simulate`); `contended` includes it
    (`simulate_contention`); `speedup` is the contended serial time over `contended`.
    """

    workers: int
    streams: int
    makespan: float
    contended: float
    speedup: float


def scaling_curve(
    graph: TaskGraph,
    heuristic: str,
    bandwidth: float,
    workers: Sequence[int] = SCALING_WORKERS,
    traffic: Sequence[float] | None = None,
) -> list[ScalingPoint]:
    """Predicted makespans of the named heuristic's schedules at each worker count, with and without contention."""
    serial = serial_schedule(graph)
    serial_time = simulate_contention(graph, serial, bandwidth, traffic).makespan
    points = []
    for w in workers:
        schedule = run_heuristic(heuristic, graph, w)
        contended = simulate_contention(graph, schedule, bandwidth, traffic).makespan
        points.append(
            ScalingPoint(
                workers=w,
                streams=schedule.num_streams,
                makespan=simulate(graph, schedule).makespan,
                contended=contended,
                speedup=serial_time / contended if contended > 0.0 else 1.0,
            )
        )
    return points


def format_scaling(points: Sequence[ScalingPoint], bandwidth: float) -> str:
    """A Markdown table of a scaling curve, headed as the prediction it is."""
    headline = f"Predicted, not measured: memory bandwidth {bandwidth / 1e9:g} GB/s shared by all streams.\n\n"
    return headline + markdown_table(
        ("workers", "streams", "makespan ms", "with contention ms", "speedup"),
        [
            (str(p.workers), str(p.streams), f"{p.makespan * 1e3:.3f}", f"{p.contended * 1e3:.3f}", f"{p.speedup:.2f}")
            for p in points
        ],
        text_columns=0,
    )
