"""Ops on several intra-op threads in the task-graph model: placement, simulation, `intra` and `hybrid`."""

from __future__ import annotations

import math
import re

import pytest

from ramiel.scheduling import (
    Schedule,
    ScheduleError,
    TaskGraph,
    run_heuristic,
    simulate,
    validate,
)
from ramiel.scheduling.contention import simulate_contention
from ramiel.scheduling.ios import ios_schedule
from ramiel.scheduling.taskgraph import Edge, Node


def graph(costs: list[tuple[float, ...]], edges: list[tuple[int, int]]) -> TaskGraph:
    """Nodes with (cost on one thread, cost on two, ...) and free hand-offs."""
    return TaskGraph(
        (Node(f"n{i}", "Op", c[0], tuple(c[1:])) for i, c in enumerate(costs)),
        (Edge(a, b) for a, b in edges),
    )


def test_a_node_on_two_streams_waits_for_both_and_holds_both() -> None:
    # x (2) on stream 0, y (2) on stream 1, and w (6 alone, 3.5 on two threads) between
    # them on both: w starts when stream 0 frees at 2, ends at 5.5; y then runs to 7.5.
    g = graph([(2.0,), (6.0, 3.5), (2.0,)], [])
    schedule = Schedule([[0, 1], [1, 2]])
    validate(g, schedule, 2)
    sim = simulate(g, schedule)
    assert (sim.start, sim.end) == ((0.0, 2.0, 5.5), (2.0, 5.5, 7.5))
    assert sim.stream == (0, 0, 1)
    assert schedule.threaded
    assert schedule.streams_of(1) == (0, 1)
    # Unlimited bandwidth: the contention model predicts the same timeline.
    same = simulate_contention(g, schedule, math.inf, [0.0, 0.0, 0.0])
    assert (same.start, same.end) == (sim.start, sim.end)


def test_hand_offs_leave_from_the_home_stream() -> None:
    # a on stream 1 feeds w on streams 0 and 1 (home 0): the 1.0 hand-off is paid.
    g = TaskGraph(
        [Node("a", "Op", 1.0), Node("w", "Op", 4.0, (3.0,))], [Edge(0, 1, 0, 1.0)]
    )
    assert simulate(g, Schedule([[1], [0, 1]])).end[1] == 1.0 + 1.0 + 3.0
    # Homed on stream 1 with a, it is not.
    assert simulate(g, Schedule([[0, 1], [1]])).end[1] == 1.0 + 3.0


@pytest.mark.parametrize(
    ("streams", "message"),
    [
        ([[0, 1], [1, 2]], "placed node 1 (n1) twice: on streams 0, 1, but the graph gives its cost on at most 1 thread"),
        ([[0, 0, 1, 2]], "placed node 0 (n0) twice on stream 0"),
    ],
)
def test_placements_the_costs_do_not_allow(streams: list[list[int]], message: str) -> None:
    g = graph([(2.0,), (6.0,), (2.0,)], [])
    with pytest.raises(ScheduleError, match=re.escape(message)):
        validate(g, Schedule(streams), 2)


def test_a_threaded_node_ordered_against_a_dependency_on_its_second_stream() -> None:
    g = graph([(1.0, 0.5), (1.0, 0.5)], [(0, 1)])
    with pytest.raises(ScheduleError, match="ordered stream 1 against a dependency"):
        validate(g, Schedule([[0, 1], [1, 0]]), 2)


def test_more_threads_than_the_graph_has_costs_for() -> None:
    g = graph([(4.0, 2.5)], [])
    with pytest.raises(ScheduleError, match="at most 2 thread"):
        validate(g, Schedule([[0], [0], [0]]), 3)
    with pytest.raises(ValueError, match=re.escape("costs for 1..2 threads, not 3")):
        g.cost_on(0, 3)


def fork_join() -> TaskGraph:
    """a -> {b, c} -> d: a and d gain on two threads (10 -> 6), b and c do not (4)."""
    return graph(
        [(10.0, 6.0), (4.0, 4.0), (4.0, 4.0), (10.0, 6.0)], [(0, 1), (0, 2), (1, 3), (2, 3)]
    )


def test_intra_runs_every_node_on_every_thread() -> None:
    schedule = run_heuristic("intra", fork_join(), 2)
    assert schedule.streams == ((0, 1, 2, 3), (0, 1, 2, 3))
    assert simulate(fork_join(), schedule).makespan == 6 + 4 + 4 + 6


def test_hybrid_chooses_threads_or_streams_stage_by_stage() -> None:
    g = fork_join()
    inter = simulate(g, run_heuristic("ios", g, 2)).makespan
    intra = simulate(g, run_heuristic("intra", g, 2)).makespan
    result = ios_schedule(g, 2, intra_op=True)
    validate(g, result.schedule, 2)
    # a and d on both threads, b beside c: 6 + 4 + 6.
    assert (inter, intra) == (24.0, 20.0)
    assert simulate(g, result.schedule).makespan == result.stage_sum == 16.0
    assert [s.threads for s in result.stages] == [2, 1, 2]
    assert result.schedule == run_heuristic("hybrid", g, 2)


def test_without_threaded_costs_hybrid_is_ios_and_intra_is_serial() -> None:
    g = graph([(10.0,), (4.0,), (4.0,), (10.0,)], [(0, 1), (0, 2), (1, 3), (2, 3)])
    assert run_heuristic("hybrid", g, 2) == run_heuristic("ios", g, 2)
    assert run_heuristic("intra", g, 4) == Schedule([[0, 1, 2, 3]])


def test_threaded_costs_are_checked() -> None:
    with pytest.raises(ValueError, match=re.escape("invalid cost -1.0")):
        graph([(1.0, -1.0)], [])


def test_lower_bounds_count_threads() -> None:
    # Without threads: max(W / w, longest path) = max(28 / 2, 10 + 4 + 10).
    g = fork_join()
    plain = TaskGraph.from_lists([10.0, 4.0, 4.0, 10.0], [(0, 1), (0, 2), (1, 3), (2, 3)])
    assert plain.lower_bound(2) == 24.0
    # With them, a and d may take 6 on two threads (12 core-time, more than their 10):
    # the path gives 6 + 4 + 6 = 16 and the core time (10 + 4 + 4 + 10) / 2 = 14.
    assert g.lower_bound(2) == 16.0
    assert g.lower_bound(1) == 28.0  # one worker: all the work, one thread
    # hybrid reaches it: its schedule is optimal here.
    assert simulate(g, run_heuristic("hybrid", g, 2)).makespan == g.lower_bound(2)
