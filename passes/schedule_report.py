"""The `schedule-report` pass: the schedule's predicted figures, as pass statistics."""

import sys
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from ramiel.ir_graph import FunctionGraph, cost_model
from ramiel.scheduling import simulate


@dataclass(frozen=True)
class ScheduleReport(ModulePass):
    """Prints W, CP, the bound min(N, W/CP), the predicted makespan and speedup.

    Reads the `cluster` and `stream` attributes the clustering passes wrote and
    prints, on stderr, in the style of MLIR's pass statistics: total work W and
    critical path CP from the cost model, the bound min(N, W/CP) for N streams,
    the simulated makespan and speedup over serial, clusters before merging,
    streams after, and cross-stream edges. The IR is left unchanged.

        ===-------------------------------------------------------------------------===
                                ... Pass statistics report ...
        ===-------------------------------------------------------------------------===
        schedule-report
          (S)  3 streams - streams after merging
          ...
    """

    name = "schedule-report"

    cost: str = "auto"
    """Cost model: static, analytic, profile, or auto (profile when cached, else analytic when calibrated, else static)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        graph = FunctionGraph.of(op, cost_model(self.cost))
        schedule = graph.schedule()
        simulation = simulate(graph.graph, schedule)
        work = graph.graph.total_work
        critical = graph.graph.critical_path_without_edges
        streams = schedule.num_streams
        bound = min(streams, work / critical) if critical > 0 else 1.0
        speedup = work / simulation.makespan if simulation.makespan > 0 else 1.0
        rows = [
            (f"{work * 1e6:.1f}", "total-work-us", "total work W (predicted)"),
            (
                f"{critical * 1e6:.1f}",
                "critical-path-us",
                "critical path CP (node costs)",
            ),
            (f"{bound:.2f}", "bound", "min(N, W/CP)"),
            (f"{simulation.makespan * 1e6:.1f}", "makespan-us", "predicted makespan"),
            (f"{speedup:.2f}", "speedup", "predicted speedup over serial"),
            (
                str(schedule.num_clusters or streams),
                "clusters",
                "clusters before merging",
            ),
            (str(streams), "streams", "streams after merging"),
            (
                str(len(schedule.cross_stream_edges(graph.graph))),
                "cross-stream-edges",
                "cross-stream edges",
            ),
        ]
        width = max(len(value) for value, _, _ in rows)
        rule = "===" + "-" * 73 + "==="
        lines = [
            rule,
            "... Pass statistics report ...".center(len(rule)).rstrip(),
            rule,
            self.name,
        ]
        lines += [f"  (S) {value:>{width}} {key} - {text}" for value, key, text in rows]
        print("\n".join(lines), file=sys.stderr)
