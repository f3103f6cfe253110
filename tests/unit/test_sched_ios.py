"""Tests of the IOS stage dynamic program: hand-computed stages, invariants, scale and determinism."""

from __future__ import annotations

import random
import time

import pytest

import ramiel.scheduling.ios as ios
from ramiel.scheduling.graphsets import known_optimum_graph
from ramiel.scheduling.registry import run_heuristic
from ramiel.scheduling.simulate import simulate
from ramiel.scheduling.taskgraph import TaskGraph
from ramiel.scheduling.validate import validate

CONV_HAND_OFF = 4e-5


def inception_v3_like(seed: int = 0) -> TaskGraph:
    """A graph shaped like Inception-v3 (conv + relu units, 11 mixed blocks), about 215 nodes.

    Blocks as in the network: three with branches of 1, 2 and 3 convolutions and a pooled
    one; a reduction; four with branches of 1, 3 and 5 convolutions and a pooled one; a
    reduction; two whose branches end in pairs of convolutions. Costs are seconds.
    """
    rng = random.Random(seed)
    costs: list[float] = []
    edges: list[tuple[int, int, float]] = []

    def op(cost: float, preds: list[int]) -> int:
        costs.append(cost)
        edges.extend((u, len(costs) - 1, CONV_HAND_OFF) for u in preds)
        return len(costs) - 1

    def convs(x: int, count: int) -> int:
        for _ in range(count):
            x = op(1e-5, [op(rng.uniform(5e-5, 1e-3), [x])])  # conv, then relu
        return x

    def block(x: int, branches: list[int], pooled: bool = True, pairs: int = 0) -> int:
        ends = [convs(x, length) for length in branches]
        if pooled:
            ends.append(convs(op(5e-5, [x]), 1))
        for before in range(1, pairs + 1):
            split = convs(x, before)
            ends += [convs(split, 1), convs(split, 1)]
        return op(2e-5, ends)  # concat

    x = op(5e-5, [convs(op(1e-5, []), 5)])
    for _ in range(3):
        x = block(x, [1, 2, 3])
    x = block(x, [1, 3])
    for _ in range(4):
        x = block(x, [1, 3, 5])
    x = block(x, [2, 4])
    for _ in range(2):
        x = block(x, [1], pairs=2)
    op(2e-4, [op(5e-5, [x])])
    return TaskGraph.from_lists(costs, edges)


def random_dag(n: int, seed: int) -> TaskGraph:
    """A random DAG with integer costs and hand-offs."""
    rng = random.Random(seed)
    edges = [
        (u, v, float(rng.randint(0, 3)))
        for v in range(n)
        for u in range(max(0, v - 6), v)
        if rng.random() < 0.3
    ]
    return TaskGraph.from_lists([float(rng.randint(1, 9)) for _ in range(n)], edges)


def test_fork_join_runs_the_branches_concurrently() -> None:
    # Stages [0], [1 | 2], [3]: the side branch pays its hand-offs in and out,
    # 1 + max(5, 0.1 + 5 + 0.1) + 1 = 7.2, which is also the simulated makespan.
    g = TaskGraph.from_lists(
        [1.0, 5.0, 5.0, 1.0], [(0, 1, 0.1), (0, 2, 0.1), (1, 3, 0.1), (2, 3, 0.1)]
    )
    result = ios.ios_schedule(g, 2)
    assert [s.groups for s in result.stages] == [((0,),), ((1,), (2,)), ((3,),)]
    assert result.stage_sum == pytest.approx(7.2)
    assert result.schedule.streams == ((0, 1, 3), (2,))
    assert simulate(g, result.schedule).makespan == pytest.approx(7.2)


def test_costly_hand_offs_give_one_stream() -> None:
    # With hand-offs of 4, splitting costs 1 + max(5, 4 + 5 + 4) + 1 = 15, more than
    # one stream's 1 + 5 + 5 + 1 = 12.
    g = TaskGraph.from_lists(
        [1.0, 5.0, 5.0, 1.0], [(0, 1, 4.0), (0, 2, 4.0), (1, 3, 4.0), (2, 3, 4.0)]
    )
    result = ios.ios_schedule(g, 2)
    assert result.stage_sum == 12.0
    assert result.schedule.num_streams == 1


def test_group_size_limit_is_respected() -> None:
    # Chains a = 0 -> 2 -> 4 (costs 1, 1, 4) and b = 1 -> 3 -> 5 (costs 4, 1, 1).
    # Groups of 3 run both chains in one stage: max(6, 6) = 6. Groups of 2 cannot hold
    # a chain; the best is [0], [2, 4 | 1, 3], [5]: 1 + max(5, 5) + 1 = 7 (two stages
    # would put the two costs of 4 in different stages: 8).
    g = TaskGraph.from_lists(
        [1.0, 4.0, 1.0, 1.0, 4.0, 1.0], [(0, 2), (2, 4), (1, 3), (3, 5)]
    )
    assert ios.ios_schedule(g, 2, max_group_size=3).stage_sum == 6.0
    limited = ios.ios_schedule(g, 2, max_group_size=2)
    assert all(len(group) <= 2 for s in limited.stages for group in s.groups)
    assert limited.stage_sum == 7.0
    assert [sorted(s.groups) for s in limited.stages] == [
        [(0,)],
        [(1, 3), (2, 4)],
        [(5,)],
    ]


def test_one_worker_is_serial() -> None:
    g = random_dag(12, 0)
    result = ios.ios_schedule(g, 1)
    assert result.schedule.num_streams == 1
    assert result.stage_sum == pytest.approx(g.total_work)


@pytest.mark.parametrize("workers", [2, 3, 4])
@pytest.mark.parametrize("seed", range(8))
def test_stages_are_valid_and_bound_the_simulation(seed: int, workers: int) -> None:
    g = random_dag(25, seed)
    result = ios.ios_schedule(g, workers)
    validate(g, result.schedule, workers)
    seen = [v for s in result.stages for group in s.groups for v in group]
    assert sorted(seen) == list(range(len(g)))
    done: set[int] = set()
    for stage in result.stages:
        assert 1 <= len(stage.groups) <= workers
        members = [set(group) for group in stage.groups]
        for k, group in enumerate(stage.groups):
            assert len(group) <= ios.MAX_GROUP_SIZE
            for v in group:
                for u in g.preds(v):
                    # Inputs come from earlier stages or from the same group.
                    assert u in done or u in members[k]
        done.update(v for group in stage.groups for v in group)
    assert simulate(g, result.schedule).makespan <= result.stage_sum + 1e-9
    assert result.stage_sum <= g.total_work + 1e-9


def test_wide_graphs_are_split_and_finish() -> None:
    # 120 independent unit tasks: too many stage sets for one search, so the graph is
    # searched in parts. Each stage holds at most 4 one-task groups (a group is one
    # task and what depends on it), so 30 stages are the least; the part boundaries
    # cost a few more.
    g = TaskGraph.from_lists([1.0] * 120, [])
    t0 = time.perf_counter()
    result = ios.ios_schedule(g, 4)
    assert time.perf_counter() - t0 < 30.0
    assert all(len(s.groups) <= 4 for s in result.stages)
    assert 30.0 <= result.stage_sum < 40.0
    assert simulate(g, result.schedule).makespan == result.stage_sum


def test_inception_v3_sized_graph_in_seconds() -> None:
    g = inception_v3_like()
    assert 200 <= len(g) <= 320
    for workers in (2, 4):
        t0 = time.perf_counter()
        result = ios.ios_schedule(g, workers)
        elapsed = time.perf_counter() - t0
        print(f"IOS on {len(g)} nodes, {workers} workers: {elapsed:.2f} s")
        assert elapsed < 30.0  # a few seconds; the bound only catches a blow-up
        sim = simulate(g, result.schedule)
        assert sim.makespan <= result.stage_sum + 1e-12
        assert sim.makespan < 0.7 * g.total_work


def test_deterministic_and_registered() -> None:
    case = known_optimum_graph(60, 3, 1.0, seed=1)
    first = ios.ios_schedule(case.graph, 3)
    assert first == ios.ios_schedule(case.graph, 3)
    assert run_heuristic("ios", case.graph, 3) == first.schedule
    assert simulate(case.graph, first.schedule).makespan >= case.optimum
    assert run_heuristic("ios", TaskGraph.from_lists([], []), 2).streams == ()
