"""Tests of the bandwidth-contention simulation: hand-computed sharing, agreement with `simulate`, scaling curves."""

from __future__ import annotations

import math
import random

import pytest

from ramiel.scheduling.contention import (
    default_traffic,
    format_scaling,
    scaling_curve,
    simulate_contention,
)
from ramiel.scheduling.graphsets import known_optimum_graph
from ramiel.scheduling.heft import heft
from ramiel.scheduling.simulate import list_schedule, simulate
from ramiel.scheduling.taskgraph import Edge, Node, Schedule, TaskGraph
from ramiel.scheduling.validate import ScheduleError

GB = 1e9


def test_two_memory_bound_nodes_share_the_bandwidth() -> None:
    # Each asks for 0.75 GB/s for 1 s; together 1.5 GB/s of 1 GB/s: both run at 2/3 speed.
    g = TaskGraph.from_lists([1.0, 1.0], [])
    traffic = [0.75 * GB, 0.75 * GB]
    apart = simulate_contention(g, Schedule(streams=[[0], [1]]), GB, traffic)
    assert apart.end == pytest.approx((1.5, 1.5))
    together = simulate_contention(g, Schedule(streams=[[0, 1]]), GB, traffic)
    assert together.end == pytest.approx((1.0, 2.0))


def test_rates_change_when_a_node_finishes() -> None:
    # 0 (1 s) and 1 (2 s) both ask for 0.8 GB/s: shared at 0.625 until node 0 is done
    # at 1 / 0.625 = 1.6 s, when node 1 has 2 - 1 = 1 s of work left at full speed.
    g = TaskGraph.from_lists([1.0, 2.0], [])
    sim = simulate_contention(g, Schedule(streams=[[0], [1]]), GB, [0.8 * GB, 1.6 * GB])
    assert sim.end == pytest.approx((1.6, 2.6))
    assert sim.makespan == pytest.approx(2.6)


def test_compute_bound_nodes_are_not_slowed() -> None:
    g = TaskGraph.from_lists([1.0, 1.0, 1.0], [])
    sim = simulate_contention(g, Schedule(streams=[[0], [1], [2]]), GB, [0.0, GB, GB])
    assert sim.end == pytest.approx((1.0, 2.0, 2.0))


def test_hand_offs_and_zero_cost_nodes() -> None:
    # 0 -> 1 across streams with a 0.5 s hand-off; node 2 costs nothing.
    g = TaskGraph.from_lists([1.0, 1.0, 0.0], [(0, 1, 0.5), (1, 2, 0.25)])
    sim = simulate_contention(g, Schedule(streams=[[0], [1, 2]]), math.inf)
    assert sim.start == (0.0, 1.5, 2.5)
    assert sim.end == (1.0, 2.5, 2.5)


def test_unlimited_bandwidth_reproduces_simulate() -> None:
    rng = random.Random(3)
    for seed in range(5):
        case = known_optimum_graph(40, 3, 1.0, seed=seed)
        g = case.graph
        schedules = [
            case.schedule,
            heft(g, 4),
            list_schedule(g, [rng.randrange(3) for _ in range(len(g))]).schedule(),
        ]
        for s in schedules:
            expected = simulate(g, s)
            got = simulate_contention(g, s, math.inf)
            assert got.start == pytest.approx(expected.start)
            assert got.end == pytest.approx(expected.end)


def test_contention_only_lengthens_and_respects_the_bandwidth_bound() -> None:
    case = known_optimum_graph(60, 4, 1.0, seed=1)
    g = case.graph
    traffic = [c * 0.5 * GB for c in g.costs]  # every node asks for 0.5 GB/s
    sim = simulate_contention(g, case.schedule, GB, traffic)
    assert sim.makespan >= simulate(g, case.schedule).makespan
    assert sim.makespan >= math.fsum(traffic) / GB
    # Four streams asking 0.5 GB/s each from 1 GB/s: at best twice the uncontended time.
    assert sim.makespan == pytest.approx(2 * case.optimum, rel=0.05)


def test_default_traffic_counts_inputs_and_one_output() -> None:
    g = TaskGraph(
        [Node("a", "Op", 1.0), Node("b", "Op", 1.0), Node("c", "Op", 1.0)],
        [Edge(0, 1, 100, 0.0), Edge(0, 2, 100, 0.0), Edge(1, 2, 40, 0.0)],
    )
    assert default_traffic(g) == (100.0, 140.0, 140.0)


def test_errors() -> None:
    g = TaskGraph.from_lists([1.0] * 4, [(0, 1), (2, 3)])
    with pytest.raises(ScheduleError, match="deadlock"):
        simulate_contention(g, Schedule(streams=[[1, 2], [3, 0]]), GB)
    with pytest.raises(ValueError, match="bandwidth"):
        simulate_contention(g, Schedule(streams=[[0, 1, 2, 3]]), 0.0)
    with pytest.raises(ValueError, match="traffic"):
        simulate_contention(g, Schedule(streams=[[0, 1, 2, 3]]), GB, [1.0])


def test_scaling_curve_is_labelled_a_prediction() -> None:
    g = known_optimum_graph(64, 8, 0.5, seed=2).graph
    traffic = [c * 0.3 * GB for c in g.costs]
    points = scaling_curve(g, "heft", GB, traffic=traffic)
    assert [p.workers for p in points] == [2, 4, 8, 16, 32, 64]
    for p in points:
        assert p.contended >= p.makespan * (1 - 1e-12)
        assert p.streams <= p.workers
    # Memory caps the speed-up near 1 / 0.3 however many workers there are.
    assert max(p.speedup for p in points) <= 1 / 0.3 + 1e-9
    table = format_scaling(points, GB)
    assert table.startswith("Predicted, not measured")
    assert len(table.splitlines()) == 4 + len(points)
