"""The `cluster` pass: any registered scheduling heuristic."""

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from ramiel.ir_graph import check_workers, record_schedule, scheduled_graph
from ramiel.scheduling import (
    DEFAULT_HEURISTIC,
    ScheduleError,
    available_heuristics,
    run_heuristic,
)


@dataclass(frozen=True)
class Cluster(ModulePass):
    """Runs a registered heuristic and sets `cluster` and `stream` on every dfg op.

    `cluster{heuristic=cp}` equals `cluster-cp,merge-clusters`. A heuristic from
    a file (`ramiel-opt --load-heuristics FILE.py`) or an installed package is
    validated (every op placed once, streams in dependency order, at most
    `workers` streams) before its schedule is written, and its prediction is
    recorded (`ramiel.predicted_speedup`). The heuristic sees each op's cost on up
    to `workers` intra-op threads, but a schedule that runs an op on several
    (`intra`, `hybrid`) is refused: the generated code cannot run it.

        %a = dfg.relu %x : ...   ->  %a = dfg.relu %x {cluster = 0 : i64, stream = 0 : i64} : ...
    """

    name = "cluster"

    heuristic: str = DEFAULT_HEURISTIC
    """The heuristic's registered name: cp, dsc, heft, serial, or a researcher's."""

    workers: int = 2
    """The most streams that run at once (the command lines default to the machine's cores)."""

    cost: str = "auto"
    """Cost model: static, analytic, profile, or auto (profile when cached, else analytic when calibrated, else static)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        check_workers(self.workers)
        if self.heuristic not in available_heuristics():
            known = ", ".join(available_heuristics())
            raise PassFailedException(
                f"unknown heuristic '{self.heuristic}': choose one of {known}"
            )
        graph, name = scheduled_graph(op, self.cost, self.workers)
        try:
            schedule = run_heuristic(self.heuristic, graph.graph, self.workers)
        except ScheduleError as e:
            raise PassFailedException(str(e)) from None
        threaded = [v for v in range(len(graph.graph)) if len(schedule.streams_of(v)) > 1]
        if threaded:
            v = threaded[0]
            raise PassFailedException(
                f"heuristic '{self.heuristic}' runs node {v} ({graph.graph.nodes[v].name}) on "
                f"{len(schedule.streams_of(v))} intra-op threads, which generated code cannot do: "
                "each op runs on its stream's thread. Such schedules are predictions: "
                "score them with ramiel compare --suite"
            )
        graph.write_schedule(schedule)
        record_schedule(op, graph, name)
