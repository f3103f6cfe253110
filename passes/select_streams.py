"""The `select-streams` pass: the parallel schedule where it pays, one stream where it does not."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, ModuleOp, f64, i64
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from ramiel.ir_graph import (
    STREAM,
    THREADS_ATTR,
    FunctionGraph,
    check_workers,
    cost_model_name,
    intra_op_slowdown,
    load_named_cost_model,
    predicted_speedup,
    record_prediction,
)
from ramiel.passes.split_ops import SplitOps

PARALLEL_SPEEDUP_ATTR = "ramiel.parallel_speedup"
"""Module attribute: the predicted speedup of the parallel schedule that was turned down."""

MIN_SPEEDUP = 1.2
"""The default least predicted speedup over the faster one-stream code for which parallel code is kept.

Measured, parallel code spends 3-10% more CPU time than serial code (hand-offs,
the Concats of split ops, cores sharing caches and memory) and waits whenever the
other core is busy: DenseNet-121, predicted 1.18x, measured 0.92-0.99x of serial
(docs/performance.md). The faster one-stream code may be that on `workers`
intra-op threads: two streams of light ResNet-50, predicted 1.41x over one
thread, ran at 0.74x of its one-stream code on two (docs/bench.md).
"""


THREAD_SLOWDOWN = 1.17
"""The least predicted slowdown of one stream on `workers` intra-op threads for which it runs on one.

Small graphs lose on several intra-op threads: each op wakes the other threads and
waits for them. Measured on 17 models' one-stream code (docs/performance.md,
"Transformers: fusions and the thread count"), two threads took 1.16-2.05x the
time of one on the transformers, ShuffleNet, MobileNet and a small CNN, which the
intra-op cost model predicts at 1.17-1.69x with static costs and 1.24-1.70x with
profiled ones, and 0.64-0.95x on the convolutional nets, predicted at 0.63-1.10x
and 0.63-1.16x: the margin lies between the two groups under both cost models.
"""


@dataclass(frozen=True)
class SelectStreams(ModulePass):
    """Keeps a scheduled module's streams when they are predicted `min-speedup` faster than one stream.

    The prediction is the cost model's: the time of the faster one-stream code (on
    one intra-op thread, W, or on `workers`, W times the cost model's intra-op
    slowdown) over the simulated makespan of the schedule, each on several cores
    paying the cost model's per-call cost of parallel code (the other cores
    resuming after the idle time between calls). With `splits`, the
    schedule judged is the one `split-ops` makes of the schedule in the IR (tried
    on a copy), since the default pipeline runs it next; a schedule on one stream
    is never split, so the splits cannot make one-stream code slower. Kept or
    not, the module records it for the generated file's header: the predicted
    speedup (`ramiel.predicted_speedup`, 1 for one stream) and the cost model
    that priced it (`ramiel.cost_model`). Otherwise every op moves to stream 0,
    in block order, and the turned-down prediction is kept as
    `ramiel.parallel_speedup`. One-stream code that `workers` intra-op threads
    would run `thread-slowdown` slower (the cost model's `intra_op_cost`) is
    marked to run on one thread (`ramiel.threads = 1`):

        %a = dfg.relu %x {cluster = 0 : i64, stream = 0 : i64} : ...     ->  ... {cluster = 0 : i64, stream = 0 : i64}
        %b = dfg.sigmoid %x {cluster = 1 : i64, stream = 1 : i64} : ...  ->  ... {cluster = 1 : i64, stream = 0 : i64}
    """

    name = "select-streams"

    workers: int = 2
    """The streams the schedule was made for (the worker count of the clustering passes)."""

    cost: str = "auto"
    """Cost model: static, analytic, profile, or auto (profile when cached, else analytic when calibrated, else static)."""

    min_speedup: float = MIN_SPEEDUP
    """The least predicted speedup over the faster one-stream code for which the streams are kept."""

    splits: bool = True
    """Judge the schedule with the splits `split-ops` would make (run it next)."""

    thread_slowdown: float = THREAD_SLOWDOWN
    """One-stream code runs on one intra-op thread when `workers` threads are predicted this much slower."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        check_workers(self.workers)
        name = cost_model_name(self.cost)
        model = load_named_cost_model(name)
        graph = FunctionGraph.of(op, model)
        schedule = graph.schedule()
        if schedule.num_streams > self.workers:
            raise PassFailedException(
                f"the schedule has {schedule.num_streams} streams, more than workers={self.workers}"
            )
        judged = graph
        if schedule.num_streams > 1 and self.splits:
            trial = op.clone()
            SplitOps(cost=name).apply(ctx, trial)
            judged = FunctionGraph.of(trial, model)
        speedup = predicted_speedup(judged, judged.schedule())
        slowdown = intra_op_slowdown(graph, self.workers)
        # The streams must beat the faster one-stream code: on one thread, or on `workers`,
        # which also wakes the other cores on every call.
        work = graph.graph.total_work
        threaded = slowdown + model.call_cost(self.workers) / work if work > 0 else 1.0
        parallel = schedule.num_streams > 1 and speedup * min(1.0, threaded) >= self.min_speedup
        if schedule.num_streams > 1 and not parallel:
            for dfg_op in graph.ops:
                dfg_op.attributes[STREAM] = IntegerAttr(0, i64)
            graph.annotate_constants(STREAM)
            op.attributes[PARALLEL_SPEEDUP_ATTR] = FloatAttr(speedup, f64)
            speedup = 1.0
        if not parallel and slowdown >= self.thread_slowdown:
            op.attributes[THREADS_ATTR] = IntegerAttr(1, i64)
        else:
            op.attributes.pop(THREADS_ATTR, None)
        record_prediction(op, speedup, name)
