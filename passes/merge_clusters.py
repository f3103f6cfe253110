"""The `merge-clusters` pass: clusters onto at most `workers` streams."""

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from ramiel.ir_graph import CLUSTER, check_workers, record_schedule, scheduled_graph
from ramiel.scheduling.cp import schedule_clusters


@dataclass(frozen=True)
class MergeClusters(ModulePass):
    """Merges clusters onto at most `workers` streams: every dfg op gets a `stream`.

    Clusters stay whole (a serial chain is never split across streams only to
    wait); merges are chosen by the makespan the cost model predicts, and each
    stream's ops are reordered by list scheduling on distance-to-end. When no
    parallel schedule is predicted faster than one stream, everything goes on
    stream 0. The prediction is recorded (`ramiel.predicted_speedup`).

        %a = dfg.relu %x {cluster = 0 : i64} : ...    ->  ... {cluster = 0 : i64, stream = 0 : i64}
        %c = dfg.sigmoid %a {cluster = 1 : i64} : ... ->  ... {cluster = 1 : i64, stream = 1 : i64}
    """

    name = "merge-clusters"

    workers: int = 2
    """The most streams that run at once (the command lines default to the machine's cores)."""

    cost: str = "auto"
    """Cost model: static, analytic, profile, or auto (profile when cached, else analytic when calibrated, else static)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        check_workers(self.workers)
        graph, name = scheduled_graph(op, self.cost)
        ids = graph.attribute(CLUSTER)
        if ids is None:
            raise PassFailedException(
                "every dfg op needs a 'cluster' attribute: run cluster-cp first"
            )
        members: dict[int, list[int]] = {}
        for node, cluster in enumerate(ids):
            members.setdefault(cluster, []).append(node)
        clusters = [members[c] for c in sorted(members, key=lambda c: members[c][0])]
        graph.write_schedule(schedule_clusters(graph.graph, clusters, self.workers))
        record_schedule(op, graph, name)
