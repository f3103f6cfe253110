"""Optimal schedules for small task graphs, by constraint programming (OR-Tools CP-SAT).

The model is the execution model of `simulate`: at most `workers` streams, each
running one node at a time; a node starts after each predecessor has finished, plus
the edge's hand-off cost when the two run on different streams. CP-SAT decides each
node's stream and start time and minimises the makespan:

- a stream variable per node, with one optional interval per (node, stream) and one
  no-overlap constraint per stream;
- per edge with a cost, a Boolean "same stream" that is true exactly when both ends
  share a stream, and the hand-off delay, linear in it, paid when it is false;
- streams are interchangeable, so labels are fixed by the order of first use (node 0
  on stream 0, each node at most one stream above the highest label before it);
- redundant constraints for the lower bound: a cumulative constraint of capacity
  `workers` over all nodes, with CP-SAT's timetable edge finding and overload checker
  switched on for it (they prove most optima at the root), and each node's start
  bounded by the longest chain of node costs before it and after it;
- the better of the `heft` and `cp` schedules as a hint.

CP-SAT needs integer durations. Costs that are all integers are used as they are, and a
solve that finishes proves the optimum. Other costs are rounded down to multiples of a
power-of-two time unit near the serial time divided by `resolution`: every real
schedule is then at least as long as its rounded counterpart, so the solver's bound,
times the unit, stays a valid lower bound for the real graph, while the returned
schedule is judged by `simulate` on the real costs; `gap` then also holds the rounding
error, which is below about 2 * len(graph) / resolution. (A finer resolution makes the
proofs markedly slower.)

The search is deterministic: one search worker, a fixed seed, and a limit in CP-SAT's
deterministic time (a count of work), never in wall time, so the same graph gives the
same schedule, bound and gap on any machine. On a 2-core CI machine one unit took 5 to
9 s of wall time; the default limit of 1.5 units keeps a solve near 10 s there, and
proved every 30-task graph tried (most in well under a second).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from ramiel.extras import require
from ramiel.scheduling.cp import cp
from ramiel.scheduling.heft import heft
from ramiel.scheduling.registry import register_heuristic
from ramiel.scheduling.serial import serial_schedule
from ramiel.scheduling.simulate import simulate
from ramiel.scheduling.taskgraph import Schedule, TaskGraph

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

DETERMINISTIC_TIME_LIMIT = 1.5
"""Default limit of one solve, in CP-SAT deterministic time units."""

RESOLUTION = 100_000
"""Integer time steps that non-integer costs are resolved into, over the serial time."""


# Relative differences below this between makespans are float rounding, not a gap.
_FLOAT_NOISE = 1e-12

# Integer costs beyond this would overflow CP-SAT's 64-bit arithmetic in sums of them.
_MAX_EXACT_TOTAL = 2**40


@dataclass(frozen=True)
class OptimalResult:
    """A schedule from the exact solver, with the proof it reached.

    `makespan` is the simulated makespan of `schedule` on the real costs;
    `lower_bound` is a proven lower bound on every schedule's makespan (seconds);
    `gap` is `(makespan - lower_bound) / makespan` (0 for an empty or zero-cost graph).
    `status` is CP-SAT's: "OPTIMAL" when it closed the search on the costs it saw,
    "FEASIBLE" when the limit stopped it first, "UNKNOWN" when the limit came before
    its first solution (the schedule is then the hint). `exact_costs` tells whether
    the solver saw the real costs (all integers) or costs rounded down to multiples of
    `time_unit` seconds; `deterministic_time` is the work CP-SAT spent.
    """

    schedule: Schedule
    makespan: float
    lower_bound: float
    gap: float
    status: str
    exact_costs: bool
    time_unit: float
    deterministic_time: float

    @property
    def proven_optimal(self) -> bool:
        """True when the makespan equals the proven lower bound: `schedule` is optimal."""
        return self.gap == 0.0


@dataclass(frozen=True)
class _IntegerCosts:
    """Node and edge costs in integer time units, as CP-SAT sees them."""

    nodes: tuple[int, ...]
    edges: tuple[tuple[int, int, int], ...]
    unit: float
    exact: bool


def _integer_costs(graph: TaskGraph, resolution: int) -> _IntegerCosts:
    """The costs as CP-SAT integers: unchanged when all integral, else rounded down (module docstring)."""
    costs = [*graph.costs, *(e.cost for e in graph.edges)]
    if all(c.is_integer() for c in costs) and graph.total_work <= _MAX_EXACT_TOTAL:
        unit, exact = 1.0, True
    else:
        # A power of two makes cost / unit exact in floating point, so rounding down
        # never rounds up by accident and the lower bound stays valid.
        unit = 2.0 ** math.floor(math.log2(graph.total_work / resolution))
        exact = False
    horizon = sum(math.floor(c / unit) for c in graph.costs)
    return _IntegerCosts(
        nodes=tuple(math.floor(c / unit) for c in graph.costs),
        # A hand-off longer than the serial time is never worth paying: clip it there.
        edges=tuple(
            (e.src, e.dst, min(math.floor(e.cost / unit), horizon)) for e in graph.edges
        ),
        unit=unit,
        exact=exact,
    )


def _canonical(schedule: Schedule) -> Schedule:
    """The same streams, numbered by their smallest node, as the symmetry breaking expects."""
    return Schedule(streams=sorted((s for s in schedule.streams if s), key=min))


def _load_cp_model() -> ModuleType:
    """OR-Tools' CP-SAT module, imported only when a solve needs it."""
    return require("ortools.sat.python.cp_model", "the 'optimal' scheduler")


class _SchedulingModel:
    """The CP-SAT model of one graph on `streams` streams, and its variables."""

    def __init__(
        self, sat: ModuleType, graph: TaskGraph, costs: _IntegerCosts, streams: int
    ) -> None:
        """Build the variables and constraints described in the module docstring."""
        n = len(graph)
        p = costs.nodes
        horizon = sum(p)
        # head[v]: longest chain of node costs before v; tail[v]: from v's start to the end.
        head = [0] * n
        for v in range(n):
            head[v] = max((head[u] + p[u] for u in graph.preds(v)), default=0)
        tail = [0] * n
        for v in range(n - 1, -1, -1):
            tail[v] = p[v] + max((tail[w] for w in graph.succs(v)), default=0)
        self.trivial_bound = max(max(tail), -(-horizon // streams))
        self.costs = costs

        model = self.model = sat.CpModel()
        self.start = [
            model.new_int_var(head[v], horizon - tail[v], f"start{v}") for v in range(n)
        ]
        self.stream = [
            model.new_int_var(0, streams - 1, f"stream{v}") for v in range(n)
        ]
        self.on = [
            [model.new_bool_var(f"on{v}_{k}") for k in range(streams)] for v in range(n)
        ]
        for v in range(n):
            model.add_exactly_one(self.on[v])
            model.add(self.stream[v] == sum(k * self.on[v][k] for k in range(streams)))
        for k in range(streams):
            model.add_no_overlap(
                [
                    model.new_optional_fixed_size_interval_var(
                        self.start[v], p[v], self.on[v][k], f"run{v}_{k}"
                    )
                    for v in range(n)
                ]
            )
        model.add_cumulative(
            [
                model.new_fixed_size_interval_var(self.start[v], p[v], f"task{v}")
                for v in range(n)
            ],
            [1] * n,
            streams,
        )

        self.same: dict[tuple[int, int], cp_model.IntVar] = {}
        for src, dst, c in costs.edges:
            model.add(self.start[dst] >= self.start[src] + p[src])
            if c > 0:
                together = model.new_bool_var(f"same{src}_{dst}")
                model.add(self.stream[src] == self.stream[dst]).only_enforce_if(
                    together
                )
                model.add(self.stream[src] != self.stream[dst]).only_enforce_if(
                    ~together
                )
                # Linear rather than reified, so the LP relaxation sees the delay too.
                model.add(
                    self.start[dst] >= self.start[src] + p[src] + c - c * together
                )
                self.same[(src, dst)] = together

        # Node v's stream is at most one above the highest label of nodes 0..v-1, so
        # each partition into streams has exactly one labelling.
        model.add(self.stream[0] == 0)
        self.highest = [self.stream[0]]
        for v in range(1, n):
            model.add(self.stream[v] <= self.highest[-1] + 1)
            top = model.new_int_var(0, streams - 1, f"highest{v}")
            model.add_max_equality(top, [self.highest[-1], self.stream[v]])
            self.highest.append(top)

        self.makespan = model.new_int_var(self.trivial_bound, horizon, "makespan")
        for v in range(n):
            model.add(self.makespan >= self.start[v] + tail[v])
        model.minimize(self.makespan)

    def add_hint(self, hint: Schedule) -> None:
        """Hint every variable with `hint` timed on the integer costs: a full starting solution."""
        integer_graph = TaskGraph.from_lists(self.costs.nodes, self.costs.edges)
        timeline = simulate(integer_graph, hint)
        where = timeline.stream
        for v, start in enumerate(self.start):
            self.model.add_hint(start, round(timeline.start[v]))
            self.model.add_hint(self.stream[v], where[v])
            for k, var in enumerate(self.on[v]):
                self.model.add_hint(var, k == where[v])
        # highest[0] is stream[0] itself, already hinted.
        for v in range(1, len(self.highest)):
            self.model.add_hint(self.highest[v], max(where[: v + 1]))
        for (src, dst), var in self.same.items():
            self.model.add_hint(var, where[src] == where[dst])
        self.model.add_hint(self.makespan, round(timeline.makespan))

    def solution(self, solver: cp_model.CpSolver) -> Schedule:
        """The solver's streams, each ordered by (start, end, id).

        CP-SAT's no-overlap admits an order with each end <= the next start, zero-length
        intervals included; sorting by (start, end) gives such an order, and the id
        breaks ties between zero-length nodes consistently with the dependencies.
        """
        by_stream: dict[int, list[tuple[int, int, int]]] = {}
        for v, (s, k) in enumerate(zip(self.start, self.stream, strict=True)):
            t = solver.value(s)
            by_stream.setdefault(solver.value(k), []).append(
                (t, t + self.costs.nodes[v], v)
            )
        return _canonical(
            Schedule(
                streams=[[v for *_, v in sorted(runs)] for runs in by_stream.values()]
            )
        )


def solve_optimal(
    graph: TaskGraph,
    workers: int,
    *,
    time_limit: float = DETERMINISTIC_TIME_LIMIT,
    seed: int = 0,
    resolution: int = RESOLUTION,
) -> OptimalResult:
    """Search for a makespan-optimal schedule of `graph` on at most `workers` streams.

    `time_limit` is in CP-SAT deterministic time; `seed` fixes CP-SAT's random choices;
    `resolution` is how many integer steps non-integer costs are resolved into.
    Returns the best schedule found with its proven lower bound and gap (see
    `OptimalResult`); it is never longer than the `heft` and `cp` schedules. Raises
    `MissingExtraError` naming the `ramiel[workbench]` extra when OR-Tools is not installed.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    sat = _load_cp_model()
    if graph.total_work == 0.0:
        return OptimalResult(
            serial_schedule(graph), 0.0, 0.0, 0.0, "OPTIMAL", True, 1.0, 0.0
        )
    streams = min(workers, len(graph))
    costs = _integer_costs(graph, resolution)
    problem = _SchedulingModel(sat, graph, costs, streams)
    hint = _best_heuristic_schedule(graph, workers)
    problem.add_hint(hint)

    solver = sat.CpSolver()
    solver.parameters.num_workers = 1
    # CP-SAT would otherwise take over SIGINT for the solve and leave Ctrl-C to the
    # process's default action (exit) afterwards.
    solver.parameters.catch_sigint_signal = False
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = time_limit
    # The cumulative relaxation carries the lower bound (load against precedence);
    # these two propagators, off by default, often prove it at the root.
    solver.parameters.use_timetable_edge_finding_in_cumulative = True
    solver.parameters.use_overload_checker_in_cumulative = True
    status = solver.solve(problem.model)
    if status in (sat.OPTIMAL, sat.FEASIBLE):
        # On rounded costs the solver's best can be a hair longer than the hint for real.
        found = min(
            (problem.solution(solver), hint), key=lambda s: simulate(graph, s).makespan
        )
        bound = solver.best_objective_bound
    elif status == sat.UNKNOWN:
        found, bound = hint, problem.trivial_bound
    else:
        raise RuntimeError(
            f"CP-SAT rejected the scheduling model: {solver.status_name(status)}"
        )
    makespan = simulate(graph, found).makespan
    lower = max(
        bound * costs.unit,
        graph.total_work / streams,
        graph.critical_path_without_edges,
    )
    # Float sums of the same costs in another order can differ in the last bits.
    if lower >= makespan * (1.0 - _FLOAT_NOISE):
        lower = makespan
    return OptimalResult(
        schedule=found,
        makespan=makespan,
        lower_bound=lower,
        gap=(makespan - lower) / makespan if makespan > 0.0 else 0.0,
        status=solver.status_name(status),
        exact_costs=costs.exact,
        time_unit=costs.unit,
        deterministic_time=solver.deterministic_time,
    )


def _best_heuristic_schedule(graph: TaskGraph, workers: int) -> Schedule:
    """The shorter of the `heft` and `cp` schedules, streams numbered by smallest node."""
    candidates = [_canonical(heft(graph, workers)), _canonical(cp(graph, workers))]
    return min(candidates, key=lambda s: simulate(graph, s).makespan)


@register_heuristic("optimal")
def optimal(graph: TaskGraph, workers: int) -> Schedule:
    """The exact solver's best schedule within the default deterministic time limit."""
    return solve_optimal(graph, workers).schedule
