"""anrg-saga's scheduling algorithms as Ramiel heuristics (`saga-heft`, `saga-cpop`, ...).

anrg-saga (import name `saga`, from USC's ANRG lab) collects classic list schedulers
for heterogeneous networks. A Ramiel task graph on `workers` identical
streams maps onto saga's model exactly: tasks of the node costs on `workers` network
nodes of speed 1, linked at speed 1, with each edge's hand-off cost as its data size
(saga's communication time is size / speed, and zero on one node). saga's schedule is
read back as streams, each ordered by saga's start times.

saga breaks ties by iterating over sets of names, whose order depends on Python's
per-process string hashing, and WBA draws random numbers. So that the same graph
always gives the same schedule, the algorithms run in one helper process started with
a fixed `PYTHONHASHSEED`, and each run is seeded; the helper is started on first use
and stopped at exit.

Registered, when saga is installed (`register_saga_heuristics`): the list schedulers
named in `SAGA_SCHEDULERS`. Left out: brute force and SMT (exponential), the hybrid
meta-scheduler, DPS (minutes on 200 tasks) and HBMCT (its schedules drop tasks).

saga's HEFT differs from Ramiel's `heft` in one point: its upward rank averages a
hand-off over every link of the network, the p zero-cost links of a node to itself
included, so hand-offs weigh (p - 1) / (p + 1) of what they weigh in Ramiel's rank
(the edge cost, as in the HEFT paper for identical processors). Where the two ranks
order the nodes alike, the two schedules are the same.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import IO

from ramiel.extras import missing
from ramiel.scheduling.registry import register_heuristic
from ramiel.scheduling.taskgraph import Schedule, TaskGraph

SAGA_SCHEDULERS: dict[str, str] = {
    "saga-bil": "BILScheduler",
    "saga-cpop": "CpopScheduler",
    "saga-duplex": "DuplexScheduler",
    "saga-etf": "ETFScheduler",
    "saga-fastest-node": "FastestNodeScheduler",
    "saga-fcp": "FCPScheduler",
    "saga-flb": "FLBScheduler",
    "saga-gdl": "GDLScheduler",
    "saga-heft": "HeftScheduler",
    "saga-maxmin": "MaxMinScheduler",
    "saga-mct": "MCTScheduler",
    "saga-met": "METScheduler",
    "saga-minmin": "MinMinScheduler",
    "saga-msbc": "MsbcScheduler",
    "saga-mst": "MSTScheduler",
    "saga-olb": "OLBScheduler",
    "saga-sufferage": "SufferageScheduler",
    "saga-wba": "WBAScheduler",
}
"""Ramiel heuristic name -> class name in `saga.schedulers`."""

HASH_SEED = "0"
"""The `PYTHONHASHSEED` of the helper process that runs saga."""

_HELPER_MAIN = "from ramiel.scheduling.saga_adapter import serve; serve()"

# Seconds the helper gets to finish once its input is closed.
_HELPER_EXIT_WAIT = 5.0


def saga_available() -> bool:
    """Whether anrg-saga can be imported (without importing it)."""
    return importlib.util.find_spec("saga") is not None


@dataclass(frozen=True)
class SagaRun:
    """saga's schedule as Ramiel streams, and the makespan saga itself computed for it."""

    schedule: Schedule
    saga_makespan: float


def schedule_with_saga(
    scheduler: str,
    costs: list[float],
    edges: list[tuple[int, int, float]],
    workers: int,
) -> tuple[list[list[int]], float]:
    """Run `saga.schedulers.<scheduler>` in this process; return stream orders and saga's makespan.

    Its tie-breaking follows this process's string hashing: call it through
    `run_saga` for reproducible results.
    """
    import random

    import numpy as np
    import saga  # pyright: ignore[reportMissingImports]  (an optional extra)
    import saga.schedulers  # pyright: ignore[reportMissingImports]

    task_graph = saga.TaskGraph.create(
        [(f"t{v}", c) for v, c in enumerate(costs)],
        [(f"t{src}", f"t{dst}", c) for src, dst, c in edges],
    )
    network = saga.Network.create(
        [(f"p{k}", 1.0) for k in range(workers)],
        [
            (f"p{a}", f"p{b}", 1.0)
            for a in range(workers)
            for b in range(a + 1, workers)
        ],
    )
    random.seed(0)
    np.random.seed(0)
    result = getattr(saga.schedulers, scheduler)().schedule(network, task_graph)
    ours = {f"t{v}": v for v in range(len(costs))}
    streams = []
    for processor in sorted(result.mapping):
        runs = sorted(
            # saga adds zero-cost super source and sink tasks to graphs with several.
            (t.start, t.end, ours[t.name])
            for t in result.mapping[processor]
            if t.name in ours
        )
        if runs:
            streams.append([v for *_, v in runs])
    return sorted(streams, key=min), float(result.makespan)


class _Helper:
    """The helper process that runs saga with a fixed hash seed, one JSON request per line."""

    def __init__(self) -> None:
        """No process yet: it starts on the first request."""
        self.lock = threading.Lock()
        self.process: subprocess.Popen[str] | None = None
        self.owner = -1

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        # A forked child must not share its parent's helper: it starts its own.
        if (
            self.process is None
            or self.owner != os.getpid()
            or self.process.poll() is not None
        ):
            self.process = subprocess.Popen(
                [sys.executable, "-c", _HELPER_MAIN],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONHASHSEED": HASH_SEED},
            )
            self.owner = os.getpid()
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def request(self, message: dict[str, object]) -> dict[str, object]:
        """Send one request and wait for its answer."""
        with self.lock:
            to_helper, from_helper = self._pipes()
            to_helper.write(json.dumps(message) + "\n")
            to_helper.flush()
            answer = from_helper.readline()
        if not answer:
            raise RuntimeError(
                "the saga helper process exited; see its error output above"
            )
        return json.loads(answer)

    def close(self) -> None:
        """Stop the helper process, if this process started one."""
        if self.process is not None and self.owner == os.getpid():
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=_HELPER_EXIT_WAIT)
            except subprocess.TimeoutExpired:
                # A forked process still holds the helper's input open; do not hang.
                self.process.kill()
                self.process.wait()
        self.process = None


_HELPER = _Helper()
atexit.register(_HELPER.close)


def run_saga(scheduler: str, graph: TaskGraph, workers: int) -> SagaRun:
    """Schedule `graph` on `workers` streams with `saga.schedulers.<scheduler>`, reproducibly.

    Raises `MissingExtraError` when anrg-saga is not installed and RuntimeError
    carrying saga's error when the algorithm fails.
    """
    if not saga_available():
        # saga itself is imported only in the helper process (see `schedule_with_saga`).
        raise missing("saga", "the saga-* heuristics")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if len(graph) == 0:
        return SagaRun(Schedule(streams=[]), 0.0)
    answer = _HELPER.request(
        {
            "scheduler": scheduler,
            "costs": list(graph.costs),
            "edges": [(e.src, e.dst, e.cost) for e in graph.edges],
            "workers": workers,
        }
    )
    if "error" in answer:
        raise RuntimeError(f"saga's {scheduler} failed: {answer['error']}")
    streams = answer["streams"]
    makespan = answer["makespan"]
    assert isinstance(streams, list)
    assert isinstance(makespan, float | int)
    return SagaRun(Schedule(streams=streams), float(makespan))


@dataclass(frozen=True)
class SagaHeuristic:
    """A `(graph, workers) -> Schedule` heuristic running one saga scheduler (picklable by name)."""

    scheduler: str

    def __call__(self, graph: TaskGraph, workers: int) -> Schedule:
        """saga's schedule of `graph` on `workers` streams."""
        return run_saga(self.scheduler, graph, workers).schedule


SAGA_HEURISTICS: dict[str, SagaHeuristic] = {
    name: SagaHeuristic(scheduler) for name, scheduler in SAGA_SCHEDULERS.items()
}
"""The heuristic objects registered under the `saga-*` names."""


def register_saga_heuristics() -> list[str]:
    """Register the `saga-*` heuristics when anrg-saga is installed; return the names registered."""
    if not saga_available():
        return []
    for name, heuristic in SAGA_HEURISTICS.items():
        register_heuristic(name)(heuristic)
    return list(SAGA_HEURISTICS)


def serve() -> None:
    """The helper process's loop: one JSON request per input line, one JSON answer per output line."""
    import logging

    # saga warns on every graph with several sources or sinks; and anything a library
    # prints must not get into the answers.
    logging.disable(logging.WARNING)
    answers = sys.stdout
    sys.stdout = sys.stderr
    for line in sys.stdin:
        request = json.loads(line)
        try:
            streams, makespan = schedule_with_saga(
                request["scheduler"],
                request["costs"],
                [tuple(e) for e in request["edges"]],
                request["workers"],
            )
            answer: dict[str, object] = {"streams": streams, "makespan": makespan}
        except Exception as exc:  # reported to the caller, which raises it
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


register_saga_heuristics()
