"""Tests of the suite runner: gaps against known optima, and the same rows in-process, on a pool and on Dask."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

# Importing these modules registers the "optimal" and "ios" heuristics.
import ramiel.scheduling.exact
import ramiel.scheduling.ios  # noqa: F401
from ramiel.scheduling import registry
from ramiel.scheduling.graphsets import known_optimum_set
from ramiel.scheduling.registry import load_heuristics_file
from ramiel.scheduling.suite import (
    SuiteCase,
    SuiteRow,
    format_suite,
    run_suite,
    sets_by_ccr,
    summarize,
)
from ramiel.scheduling.taskgraph import Schedule, TaskGraph
from ramiel.scheduling.validate import ScheduleError
from tests.unit.budget import LONG

HEURISTICS = ["cp", "heft", "serial", "ios"]


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A private copy of the heuristic registry, with entry points already loaded."""
    monkeypatch.setattr(registry.HEURISTICS, "entries", dict(registry.HEURISTICS.entries))
    monkeypatch.setattr(registry.HEURISTICS, "entry_points_loaded", True)


def without_runtime(rows: list[SuiteRow]) -> list[SuiteRow]:
    """Rows with the wall-clock field blanked: what must not depend on where a run happened."""
    return [replace(r, runtime=0.0) for r in rows]


def small_sets() -> dict[str, list[SuiteCase]]:
    """Known-optimum graphs at two ratios, two of each."""
    return sets_by_ccr(known_optimum_set([16], [2, 3], [0.5, 2.0], [0]))


def test_gaps_against_a_known_optimum() -> None:
    # Fork-join 0 -> {1, 2} -> 3 with free hand-offs: optimum 1 + 4 + 1 = 6 on 2 workers.
    g = TaskGraph.from_lists([1.0, 4.0, 4.0, 1.0], [(0, 1), (0, 2), (1, 3), (2, 3)])
    rows = run_suite(
        {"fork": [("diamond", g, 6.0)]}, ["serial", "optimal"], [2], processes=1
    )
    serial, optimal = rows
    assert (serial.heuristic, serial.makespan, serial.bound) == ("serial", 10.0, 6.0)
    assert serial.gap == pytest.approx(10.0 / 6.0 - 1.0)
    assert not serial.optimal
    assert (optimal.makespan, optimal.gap, optimal.optimal) == (6.0, 0.0, True)


def test_bound_is_raised_to_work_over_workers() -> None:
    # A stated bound below W / workers is replaced by W / workers.
    g = TaskGraph.from_lists([1.0] * 4, [])
    (row,) = run_suite({"s": [("four", g, 0.5)]}, ["serial"], [2], processes=1)
    assert row.bound == 2.0
    assert row.gap == 1.0


def test_rows_do_not_depend_on_where_they_ran() -> None:
    sets = small_sets()
    here = run_suite(sets, HEURISTICS, [2, 4], processes=1)
    assert [(r.set, r.case, r.heuristic, r.workers) for r in here[:3]] == [
        ("ccr 0.5", "dc-n16-p2-ccr0.5-s0", "cp", 2),
        ("ccr 0.5", "dc-n16-p2-ccr0.5-s0", "cp", 4),
        ("ccr 0.5", "dc-n16-p2-ccr0.5-s0", "heft", 2),
    ]
    assert len(here) == 4 * len(HEURISTICS) * 2
    pooled = run_suite(sets, HEURISTICS, [2, 4], processes=2)
    assert without_runtime(pooled) == without_runtime(here)
    distributed = pytest.importorskip(
        "distributed",
        reason="dask[distributed] is not installed: the Dask path is not tested",
    )
    with distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ) as cluster:
        remote = run_suite(sets, HEURISTICS, [2, 4], address=cluster.scheduler_address)
    assert without_runtime(remote) == without_runtime(here)


def test_a_researchers_file_heuristic_is_scored_everywhere(
    isolated_registry: None, tmp_path: Path
) -> None:
    path = tmp_path / "mine.py"
    path.write_text(
        textwrap.dedent(
            """
            from ramiel.scheduling import Schedule, register_heuristic

            @register_heuristic("all-on-one-stream")
            def mine(graph, workers):
                return Schedule(streams=[list(range(len(graph)))] if len(graph) else [])
            """
        )
    )
    assert load_heuristics_file(path) == ["all-on-one-stream"]
    sets = small_sets()
    pooled = run_suite(sets, None, [2], processes=2)
    assert "all-on-one-stream" in {r.heuristic for r in pooled}
    assert "optimal" in {r.heuristic for r in pooled}
    distributed = pytest.importorskip(
        "distributed",
        reason="dask[distributed] is not installed: the Dask path is not tested",
    )
    with distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        remote = run_suite(
            sets, ["all-on-one-stream"], [2], address=cluster.scheduler_address
        )
    mine = [r for r in pooled if r.heuristic == "all-on-one-stream"]
    assert without_runtime(remote) == without_runtime(mine)


def test_invalid_schedules_are_reported(isolated_registry: None) -> None:
    registry.register_heuristic("too-many-streams")(
        lambda g, w: Schedule(streams=[[v] for v in range(len(g))])
    )
    with pytest.raises(ScheduleError, match="too-many-streams"):
        run_suite(small_sets(), ["too-many-streams"], [2], processes=1)


def test_summary_by_hand() -> None:
    def row(case: str, gap: float, runtime: float) -> SuiteRow:
        return SuiteRow("s", case, "h", 2, 1.0 + gap, 1.0, gap, gap == 0.0, runtime)

    rows = [row("a", 0.0, 0.001), row("b", 0.1, 0.003), row("c", 0.2, 0.002)]
    rows.append(replace(rows[0], heuristic="other"))
    (h, other) = summarize(rows)
    assert (h.heuristic, h.cases) == ("h", 3)
    assert h.mean_gap == pytest.approx(0.1)
    assert h.worst_gap == 0.2
    assert h.optimal_fraction == pytest.approx(1 / 3)
    assert h.mean_runtime == pytest.approx(0.002)
    assert (other.cases, other.optimal_fraction) == (1, 1.0)
    table = format_suite([h, other]).splitlines()
    assert table[0].startswith("| set")
    assert "10.00" in table[2]
    assert len({len(line) for line in table}) == 1


def test_known_optimum_sets_at_three_ratios() -> None:
    # The target set: 200+ graphs of 50-500 tasks at three ratios (long runs only).
    sizes = [50, 100, 200, 300, 400, 500] if LONG else [50]
    graphs = known_optimum_set(
        sizes, [2, 4, 8], [0.1, 1.0, 5.0], range(4 if LONG else 1)
    )
    sets = sets_by_ccr(graphs)
    assert list(sets) == ["ccr 0.1", "ccr 1", "ccr 5"]
    rows = run_suite(sets, ["cp", "heft", "dsc"], [2, 4, 8])
    for r in rows:
        assert r.gap >= 0.0
        assert r.makespan >= r.bound * (1 - 1e-12)
    print(format_suite(summarize(rows)))


def test_progress_counts_every_case_and_heuristic() -> None:
    heard: list[str] = []
    run_suite(small_sets(), ["serial", "cp"], [2], processes=1, progress=heard.append)
    assert heard == [f"scoring ({i}/8)" for i in range(1, 9)]
