"""Tests of the exact scheduler: brute force on tiny graphs, known optima, bounds and determinism."""

from __future__ import annotations

import itertools
import math
import random
import signal
import sys
import threading
import time
from collections.abc import Iterator

import networkx as nx
import pytest

import ramiel.scheduling.exact as exact
from ramiel.scheduling.graphsets import known_optimum_graph
from ramiel.scheduling.registry import get_heuristic, run_heuristic
from ramiel.scheduling.simulate import simulate
from ramiel.scheduling.taskgraph import Schedule, TaskGraph
from ramiel.scheduling.validate import ScheduleError, validate
from tests.unit.budget import LONG


def tiny_graph(n: int, seed: int, *, integer: bool = True) -> TaskGraph:
    """A random DAG of `n` nodes with hand-off costs comparable to node costs."""
    rng = random.Random(seed)
    if integer:
        costs = [float(rng.randint(1, 9)) for _ in range(n)]
        hand_off = lambda: float(rng.randint(0, 8))  # noqa: E731
    else:
        costs = [rng.uniform(0.5, 9.5) for _ in range(n)]
        hand_off = lambda: rng.uniform(0.0, 9.0)  # noqa: E731
    edges = [
        (u, v, hand_off()) for v in range(n) for u in range(v) if rng.random() < 0.35
    ]
    return TaskGraph.from_lists(costs, edges)


def partitions(n: int, blocks: int) -> Iterator[list[int]]:
    """Every labelling of n items into at most `blocks` unlabelled blocks (restricted growth strings)."""

    def extend(prefix: list[int], top: int) -> Iterator[list[int]]:
        if len(prefix) == n:
            yield prefix
            return
        for label in range(min(top + 2, blocks)):
            yield from extend([*prefix, label], max(top, label))

    yield from extend([0], 0) if n else iter([[]])


def brute_force_makespan(graph: TaskGraph, workers: int) -> float:
    """The optimum by enumeration: every partition into streams, every order on each stream."""
    closure = nx.transitive_closure_dag(graph.to_networkx())
    best = math.inf
    for labels in partitions(len(graph), workers):
        blocks = [
            [v for v, b in enumerate(labels) if b == k] for k in range(max(labels) + 1)
        ]
        orders = [list(nx.all_topological_sorts(closure.subgraph(b))) for b in blocks]
        for streams in itertools.product(*orders):
            try:
                best = min(best, simulate(graph, Schedule(streams=streams)).makespan)
            except ScheduleError:  # stream orders that wait on each other
                continue
    return best


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force_on_tiny_graphs(seed: int, workers: int) -> None:
    g = tiny_graph(6, seed)
    result = exact.solve_optimal(g, workers)
    assert result.proven_optimal
    assert result.makespan == brute_force_makespan(g, workers)
    assert result.lower_bound == result.makespan
    assert result.gap == 0.0
    validate(g, result.schedule, workers)
    assert simulate(g, result.schedule).makespan == result.makespan


@pytest.mark.parametrize("seed", range(3))
def test_non_integer_costs_are_optimal_within_the_rounding(seed: int) -> None:
    g = tiny_graph(6, seed, integer=False)
    optimum = brute_force_makespan(g, 2)
    result = exact.solve_optimal(g, 2)
    assert not result.exact_costs
    assert result.status == "OPTIMAL"
    assert result.lower_bound <= optimum <= result.makespan
    # Rounding each of at most 2n - 1 costs on a path loses under one time unit.
    assert result.makespan - optimum <= (2 * len(g)) * result.time_unit
    assert result.gap <= 2 * len(g) / exact.RESOLUTION


def test_hand_computed_fork_join() -> None:
    # 0 -> {1, 2} -> 3, hand-offs of 1. With 2 on its own stream, node 3 starts at
    # max(1 + 4, 1 + 1 + 3 + 1) = 6 and ends at 7; one stream takes 1 + 4 + 3 + 1 = 9.
    g = TaskGraph.from_lists(
        [1.0, 4.0, 3.0, 1.0], [(0, 1, 1.0), (0, 2, 1.0), (1, 3, 1.0), (2, 3, 1.0)]
    )
    result = exact.solve_optimal(g, 2)
    assert result.makespan == 7.0
    assert result.proven_optimal
    assert result.schedule.streams == ((0, 1, 3), (2,))
    assert exact.solve_optimal(g, 1).makespan == 9.0


@pytest.mark.parametrize(("processors", "ccr"), [(2, 1.0), (3, 0.5), (4, 2.0)])
def test_finds_optima_known_by_construction(processors: int, ccr: float) -> None:
    case = known_optimum_graph(24, processors, ccr, seed=5)
    result = exact.solve_optimal(case.graph, processors)
    assert result.proven_optimal
    assert result.makespan == case.optimum


def test_early_stop_reports_a_valid_bound_and_is_deterministic() -> None:
    case = known_optimum_graph(40, 3, 5.0, seed=0)
    first = exact.solve_optimal(case.graph, 3, time_limit=0.02)
    assert first.status == "FEASIBLE"
    assert not first.proven_optimal
    assert first.lower_bound <= case.optimum < first.makespan
    assert first.gap == pytest.approx(
        (first.makespan - first.lower_bound) / first.makespan
    )
    assert first == exact.solve_optimal(case.graph, 3, time_limit=0.02)


def test_never_worse_than_its_hints() -> None:
    g = tiny_graph(14, 9, integer=False)
    result = exact.solve_optimal(g, 3, time_limit=0.01)
    for name in ("heft", "cp"):
        assert result.makespan <= simulate(g, get_heuristic(name)(g, 3)).makespan


def test_registered_and_validated() -> None:
    g = tiny_graph(7, 4)
    schedule = run_heuristic("optimal", g, 2)
    assert simulate(g, schedule).makespan == brute_force_makespan(g, 2)
    assert run_heuristic("optimal", TaskGraph.from_lists([], []), 2).streams == ()
    assert (
        exact.solve_optimal(TaskGraph.from_lists([0.0, 0.0], [(0, 1, 5.0)]), 2).makespan
        == 0.0
    )


def test_missing_ortools_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (
        "ortools",
        "ortools.sat",
        "ortools.sat.python",
        "ortools.sat.python.cp_model",
    ):
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=r"ramiel\[workbench\]"):
        exact.solve_optimal(tiny_graph(3, 0), 2)


def thirty_task_graphs() -> list[tuple[str, TaskGraph, int]]:
    """Random 30-task graphs at three communication ratios (more seeds and worker counts in long runs)."""
    cases = []
    for ccr in (0.2, 1.0, 3.0):
        for seed in range(3 if LONG else 1):
            rng = random.Random(seed)
            costs = [float(rng.randint(1, 20)) for _ in range(30)]
            edges = {
                (rng.randint(max(0, v - 8), v - 1), v)
                for v in range(1, 30)
                for _ in range(2)
            }
            g = TaskGraph.from_lists(
                costs,
                [
                    (u, v, float(rng.randint(0, round(20 * ccr))))
                    for u, v in sorted(edges)
                ],
            )
            cases += [
                (f"random-{ccr}-{seed}", g, w) for w in ((2, 3, 4) if LONG else (2,))
            ]
    return cases


def test_proves_thirty_task_graphs_within_the_default_limit() -> None:
    for name, g, workers in thirty_task_graphs():
        t0 = time.perf_counter()
        result = exact.solve_optimal(g, workers)
        elapsed = time.perf_counter() - t0
        assert result.proven_optimal, (name, workers, result)
        print(
            f"{name} on {workers}: {elapsed:.2f} s, deterministic {result.deterministic_time:.3f}"
        )


def test_ctrl_c_still_interrupts_after_a_solve() -> None:
    # CP-SAT takes over SIGINT unless told not to; afterwards Ctrl-C killed the process.
    g = TaskGraph.from_lists([1.0, 4.0, 4.0, 1.0], [(0, 1), (0, 2), (1, 3), (2, 3)])
    exact.solve_optimal(g, 2)
    def interrupt_and_wait() -> None:
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
        time.sleep(1)

    with pytest.raises(KeyboardInterrupt):
        interrupt_and_wait()
