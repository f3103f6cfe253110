"""The `cluster-cp` pass: critical-path linear clustering."""

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from ramiel.ir_graph import FunctionGraph, cost_model
from ramiel.scheduling.cp import cluster_ids, linear_clusters


@dataclass(frozen=True)
class ClusterCP(ModulePass):
    """Critical-path linear clustering: every dfg op gets a `cluster` attribute.

    Repeatedly peels the longest remaining path (node and hand-off costs, from
    the cost model) off the graph; each path is one cluster, a serial chain that
    later passes never split across streams. Constants take their first user's
    cluster.

        %a = dfg.relu %x : ...                      ->  %a = dfg.relu %x {cluster = 0 : i64} : ...
        %b = dfg.conv %a, %w : ...                  ->  %b = dfg.conv %a, %w {cluster = 0 : i64} : ...
        %c = dfg.sigmoid %a : ...                   ->  %c = dfg.sigmoid %a {cluster = 1 : i64} : ...
    """

    name = "cluster-cp"

    cost: str = "auto"
    """Cost model: static, analytic, profile, or auto (profile when cached, else analytic when calibrated, else static)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        graph = FunctionGraph.of(op, cost_model(self.cost))
        graph.write_clusters(cluster_ids(graph.graph, linear_clusters(graph.graph)))
