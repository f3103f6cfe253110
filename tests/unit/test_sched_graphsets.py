"""Tests of the known-optimum graph generator: the construction's guarantees, ratios and determinism."""

from __future__ import annotations

import pytest

from ramiel.scheduling.graphsets import known_optimum_graph, known_optimum_set
from ramiel.scheduling.simulate import simulate
from ramiel.scheduling.validate import validate


@pytest.mark.parametrize("tasks", [50, 200, 500])
@pytest.mark.parametrize("processors", [2, 4, 8])
@pytest.mark.parametrize("ccr", [0.1, 1.0, 5.0])
def test_the_constructed_schedule_is_optimal(
    tasks: int, processors: int, ccr: float
) -> None:
    case = known_optimum_graph(tasks, processors, ccr, seed=7)
    g = case.graph
    assert len(g) == tasks
    assert all(c >= 1.0 and c.is_integer() for c in g.costs)
    validate(g, case.schedule, processors)
    sim = simulate(g, case.schedule)
    # No idle time on any stream: every hand-off fits in its slack, and the makespan
    # equals the lower bound total work / processors.
    assert sim.makespan == case.optimum == g.total_work / processors
    assert all(sim.end[s[-1]] == case.optimum for s in case.schedule.streams)
    # The chain through the first processor's tasks makes it a bound for more workers too.
    assert g.critical_path_without_edges == case.optimum
    assert case.target_ccr == ccr


@pytest.mark.parametrize("ccr", [0.1, 1.0, 5.0])
def test_the_ratio_reached_is_near_the_target(ccr: float) -> None:
    for case in known_optimum_set([200, 500], [2, 8], [ccr], [0, 1]):
        assert case.ccr == pytest.approx(ccr, rel=0.2), case.name
        assert len(case.graph.edges) >= len(case.graph)


def test_deterministic_and_seeded() -> None:
    first = known_optimum_graph(80, 3, 1.0, seed=11)
    again = known_optimum_graph(80, 3, 1.0, seed=11)
    assert first.graph.costs == again.graph.costs
    assert first.graph.edges == again.graph.edges
    assert first.schedule == again.schedule
    other = known_optimum_graph(80, 3, 1.0, seed=12)
    assert other.graph.edges != first.graph.edges
    assert first.name == "dc-n80-p3-ccr1-s11"


def test_set_order_and_errors() -> None:
    names = [c.name for c in known_optimum_set([10, 20], [2], [0.5, 2.0], [0])]
    assert names == [
        "dc-n10-p2-ccr0.5-s0",
        "dc-n10-p2-ccr2-s0",
        "dc-n20-p2-ccr0.5-s0",
        "dc-n20-p2-ccr2-s0",
    ]
    with pytest.raises(ValueError, match="one task per processor"):
        known_optimum_graph(3, 4, 1.0, seed=0)
    with pytest.raises(ValueError, match="ccr"):
        known_optimum_graph(10, 2, -1.0, seed=0)
