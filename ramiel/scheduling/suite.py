"""Scoring heuristics on graph sets with known optima or lower bounds, locally or on a Dask cluster.

A set is a list of cases `(name, graph, bound)`, where `bound` is a lower bound on
the graph's optimal makespan at every worker count scored: its optimum when that is
known (as for `graphsets.known_optimum_graph`, whose optimum holds for every worker
count >= its processor count). Each run is compared with the best bound there is for
it: the case's bound, or `TaskGraph.lower_bound` (total work / workers and the
longest path of node costs, each counted at the best thread count where the graph
gives threaded costs), whichever is larger.

`run_suite` runs every (case, heuristic) pair at every worker count, each heuristic
validated as `compare` does, on a local process pool (by default), in this process
(`processes=1`), or on an existing Dask distributed scheduler (`address`). The rows
come back in the order of the sets, cases, heuristics and worker counts whatever ran
them, and the makespans do not depend on where they ran, since every registered
heuristic is deterministic (the exact solver stops on deterministic time, saga runs
with a fixed hash seed). Only `runtime`, a wall-clock measurement, does.

Heuristics are looked up by name in the local pool's processes, which are forked from
this one and so know every heuristic registered here, researchers' files included
(where the platform cannot fork, they know only what importing Ramiel registers). Dask
workers receive the heuristic functions themselves, pickled with cloudpickle, and need
Ramiel and the heuristics' own dependencies installed.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

from ramiel.extras import require
from ramiel.scheduling.graphsets import KnownOptimum
from ramiel.scheduling.registry import Heuristic, available_heuristics, get_heuristic
from ramiel.scheduling.simulate import simulate
from ramiel.scheduling.stg import StgGraph
from ramiel.scheduling.tables import markdown_table
from ramiel.scheduling.taskgraph import TaskGraph
from ramiel.scheduling.validate import validate

SUITE_WORKERS = (2, 4, 8)
"""Default worker counts of a suite."""

# Gaps below this are float rounding: the run reached the bound.
_OPTIMAL_GAP = 1e-9


class SuiteCase(NamedTuple):
    """One graph of a set, with a lower bound on its optimal makespan (its optimum, when known),
    and the summary lines an STG file of it carries."""

    name: str
    graph: TaskGraph
    bound: float
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuiteRow:
    """One heuristic on one case at one worker count.

    `bound` is the best lower bound for the run; `gap` is makespan / bound - 1;
    `optimal` tells whether the makespan reached the bound (then it is optimal);
    `runtime` is the heuristic's wall-clock time in seconds.
    """

    set: str
    case: str
    heuristic: str
    workers: int
    makespan: float
    bound: float
    gap: float
    optimal: bool
    runtime: float


@dataclass(frozen=True)
class SuiteSummary:
    """One heuristic on one set at one worker count: gaps to the bounds, how often optimal, mean run time."""

    set: str
    heuristic: str
    workers: int
    cases: int
    mean_gap: float
    worst_gap: float
    optimal_fraction: float
    mean_runtime: float


def known_optimum_cases(graphs: Iterable[KnownOptimum]) -> list[SuiteCase]:
    """Cases from generated graphs, their optimum as the bound."""
    return [SuiteCase(g.name, g.graph, g.optimum, tuple(g.stg_comments())) for g in graphs]


def sets_by_ccr(graphs: Iterable[KnownOptimum]) -> dict[str, list[SuiteCase]]:
    """Generated graphs grouped into sets by the communication-to-computation ratio asked for, e.g. "ccr 1"."""
    sets: dict[str, list[SuiteCase]] = {}
    for g in sorted(graphs, key=lambda g: g.target_ccr):
        sets.setdefault(f"ccr {g.target_ccr:g}", []).extend(known_optimum_cases([g]))
    return sets


_STATED_OPTIMUM = re.compile(r"optimal schedule length\s*:\s*([0-9.eE+-]+)")


def stg_case(stg: StgGraph, name: str) -> SuiteCase:
    """A case from an STG file: its stated optimal schedule length as the bound, when it has one.

    A length stated for p processors bounds every worker count from below (any
    schedule on fewer workers also runs on p), and is the optimum from p on.
    """
    stated = (_STATED_OPTIMUM.match(c) for c in stg.comments)
    length = next((float(m.group(1)) for m in stated if m), 0.0)
    return SuiteCase(name, stg.graph, length * stg.time_unit, stg.comments)


def score(
    set_name: str,
    case: SuiteCase,
    name: str,
    heuristic: Heuristic,
    workers: Sequence[int],
) -> list[SuiteRow]:
    """Run, validate and simulate one heuristic on one case at every worker count."""
    graph = case.graph
    rows = []
    for w in workers:
        t0 = time.perf_counter()
        schedule = heuristic(graph, w)
        runtime = time.perf_counter() - t0
        validate(graph, schedule, w, heuristic=name)
        makespan = simulate(graph, schedule).makespan
        bound = max(case.bound, graph.lower_bound(w))
        gap = makespan / bound - 1.0 if bound > 0.0 else 0.0
        rows.append(
            SuiteRow(
                set=set_name,
                case=case.name,
                heuristic=name,
                workers=w,
                makespan=makespan,
                bound=bound,
                gap=max(gap, 0.0),
                optimal=gap <= _OPTIMAL_GAP,
                runtime=runtime,
            )
        )
    return rows


def _score_by_name(
    set_name: str, case: SuiteCase, name: str, workers: Sequence[int]
) -> list[SuiteRow]:
    """`score` with the heuristic looked up in this process's registry."""
    return score(set_name, case, name, get_heuristic(name), workers)


def _local_pool(processes: int | None) -> Executor:
    """A pool of `processes` worker processes (default: one per CPU), forked where the platform can."""
    methods = multiprocessing.get_all_start_methods()
    # Forked workers inherit the registry, heuristics loaded from files included.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        max_workers=processes or os.cpu_count(), mp_context=context
    )


def run_suite(
    sets: Mapping[str, Sequence[SuiteCase | tuple[str, TaskGraph, float]]],
    heuristics: Sequence[str] | None = None,
    workers: Sequence[int] = SUITE_WORKERS,
    *,
    address: str | None = None,
    processes: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[SuiteRow]:
    """Score every heuristic (default: every registered one) on every case of every set.

    Runs on the Dask scheduler at `address` when given, else on a local pool of
    `processes` processes (default: one per CPU), or in this process when
    `processes` is 1; `progress` hears `scoring (i/n)` as each (case, heuristic)
    pair is collected. A heuristic returning an invalid schedule raises `ScheduleError`.
    """
    names = list(available_heuristics() if heuristics is None else heuristics)
    jobs = [
        (set_name, case if isinstance(case, SuiteCase) else SuiteCase(*case), name)
        for set_name, cases in sets.items()
        for case in cases
        for name in names
    ]
    tell = progress or (lambda _: None)

    def collected(results: Iterable[list[SuiteRow]]) -> list[SuiteRow]:
        rows: list[SuiteRow] = []
        for done, result in enumerate(results, 1):
            tell(f"scoring ({done}/{len(jobs)})")
            rows += result
        return rows

    if address is not None:
        return _run_on_dask(address, jobs, workers, collected)
    if processes == 1:
        return collected(_score_by_name(s, c, n, workers) for s, c, n in jobs)
    with _local_pool(processes) as pool:
        futures = [pool.submit(_score_by_name, s, c, n, workers) for s, c, n in jobs]
        return collected(f.result() for f in futures)


def _run_on_dask(
    address: str,
    jobs: Sequence[tuple[str, SuiteCase, str]],
    workers: Sequence[int],
    collected: Callable[[Iterable[list[SuiteRow]]], list[SuiteRow]],
) -> list[SuiteRow]:
    """Score the jobs on the Dask distributed scheduler at `address`, `collected` in job order."""
    Client = require("dask.distributed", "running a suite on Dask").Client
    heuristics: dict[str, Heuristic] = {
        name: get_heuristic(name) for name in dict.fromkeys(n for _, _, n in jobs)
    }
    with Client(address) as client:
        futures = [
            # pure=False: equal arguments are separate runs, each timed on its own.
            client.submit(score, s, c, n, heuristics[n], workers, pure=False)
            for s, c, n in jobs
        ]
        return collected(future.result() for future in futures)


def summarize(rows: Iterable[SuiteRow]) -> list[SuiteSummary]:
    """Per set, heuristic and worker count, in order of first appearance: gaps, fraction optimal, mean run time."""
    groups: dict[tuple[str, str, int], list[SuiteRow]] = {}
    for row in rows:
        groups.setdefault((row.set, row.heuristic, row.workers), []).append(row)
    return [
        SuiteSummary(
            set=set_name,
            heuristic=heuristic,
            workers=workers,
            cases=len(group),
            mean_gap=math.fsum(r.gap for r in group) / len(group),
            worst_gap=max(r.gap for r in group),
            optimal_fraction=sum(r.optimal for r in group) / len(group),
            mean_runtime=math.fsum(r.runtime for r in group) / len(group),
        )
        for (set_name, heuristic, workers), group in groups.items()
    ]


_HEADER = (
    "set",
    "heuristic",
    "workers",
    "cases",
    "mean gap %",
    "worst gap %",
    "optimal %",
    "time ms",
)


def format_suite(summaries: Sequence[SuiteSummary]) -> str:
    """A Markdown table of `summaries`, one line each, columns padded to line up."""
    return markdown_table(
        _HEADER,
        [
            (
                s.set,
                s.heuristic,
                str(s.workers),
                str(s.cases),
                f"{100 * s.mean_gap:.2f}",
                f"{100 * s.worst_gap:.2f}",
                f"{100 * s.optimal_fraction:.0f}",
                f"{1e3 * s.mean_runtime:.1f}",
            )
            for s in summaries
        ],
        text_columns=2,
    )
