"""The `clone` pass: recompute cheap ops instead of handing their results over."""

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, UnitAttr, i64
from xdsl.passes import ModulePass

from ramiel.ir_graph import (
    COPY,
    STREAM,
    FunctionGraph,
    record_schedule,
    scheduled_graph,
)
from ramiel.scheduling.cp import should_clone


@dataclass(frozen=True)
class Clone(ModulePass):
    """Duplicates a cheap op whose result crosses streams into each consuming stream.

    A copy is made when recomputing the op on the consumer's stream (its cost
    plus handing over its own inputs) costs less than handing its result over.
    Each copy goes just before its stream's first consumer and serves all of
    that stream's consumers and is marked `copy` (one stream would not run it).
    The new prediction is recorded (`ramiel.predicted_speedup`).

        %s = dfg.shape %x {stream = 0 : i64} : ...        %s = dfg.shape %x {stream = 0 : i64} : ...
        %a = dfg.reshape %y, %s {stream = 0 : i64} : ...  %a = dfg.reshape %y, %s {stream = 0 : i64} : ...
                                                      ->  %s_1 = dfg.shape %x {stream = 1 : i64, copy} : ...
        %b = dfg.reshape %z, %s {stream = 1 : i64} : ...  %b = dfg.reshape %z, %s_1 {stream = 1 : i64} : ...
    """

    name = "clone"

    cost: str = "auto"
    """Cost model: static, analytic, profile, or auto (profile when cached, else analytic when calibrated, else static)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        graph, name = scheduled_graph(op, self.cost)
        schedule = graph.schedule()
        copies = [
            (node, should_clone(graph.graph, node, schedule))
            for node in range(len(graph.ops))
        ]
        position = {o: i for i, o in enumerate(graph.function.body.block.ops)}
        for node, streams in copies:
            original = graph.ops[node]
            for stream in streams:
                users = sorted(
                    {
                        u.operation
                        for r in original.results
                        for u in r.uses
                        if u.operation.attributes.get(STREAM)
                        == IntegerAttr(stream, i64)
                    },
                    key=position.__getitem__,
                )
                copy = original.clone()
                copy.attributes[STREAM] = IntegerAttr(stream, i64)
                copy.attributes[COPY] = UnitAttr()
                graph.function.body.block.insert_op_before(copy, users[0])
                for old, new in zip(original.results, copy.results, strict=True):
                    old.replace_uses_with_if(new, lambda use: use.operation in users)
        if any(streams for _, streams in copies):
            record_schedule(op, FunctionGraph.of(op, graph.model), name)
