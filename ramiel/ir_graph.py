"""The bridge between `dfg` IR and the scheduling core's task graphs.

The clustering passes see a function as a `TaskGraph` whose nodes are its
non-constant `dfg` ops in block order (constants are weights: every stream reads
them, nothing hands them over), and write a schedule back as two discardable
attributes on every `dfg` op, `cluster` and `stream`, plus the block order: ops
are reordered so that each stream's ops appear in its execution order, which is
what the lowering to Python keeps.

    %0 = dfg.conv %x, %w {cluster = 0 : i64, stream = 0 : i64} : ...
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import cast

from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    f64,
    i64,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.utils.exceptions import PassFailedException

from ramiel.costmodel import (
    ANALYTIC_CACHE_FILE,
    PROFILE_CACHE_FILE,
    CostModel,
    available_cost_models,
    load_cost_model,
)
from ramiel.dialects.dfg import ConstantOp, DfgOp, sanitize_identifier
from ramiel.dialects.dfg.control_flow import IfOp, LoopOp
from ramiel.dialects.types import element_type_of, value_shape
from ramiel.errors import RamielError
from ramiel.onnx_types import UNKNOWN, bounded, dtype_name
from ramiel.opview import OpView
from ramiel.scheduling import Edge, Node, Schedule, TaskGraph

CLUSTER = "cluster"
"""The attribute holding an op's cluster id."""

STREAM = "stream"
"""The attribute holding an op's stream (0..workers-1)."""

COPY = "copy"
"""The unit attribute marking an op the `clone` pass copied onto another stream."""

AUTO_COST = "auto"
"""The passes' default `cost`: the best-predicting built-in model whose cache exists.

Against measured one-thread latency across the suite of `make bench` (see
docs/performance.md), `profile` predicts best, then `analytic`, then `static`
(which assumes no particular machine); `auto` takes them in that order.
"""


def check_workers(workers: int) -> None:
    """Refuse a `workers` pass option below 1."""
    if workers < 1:
        raise PassFailedException(f"workers must be at least 1, got {workers}")


def cache_dir() -> Path:
    """Where calibrations and profiles are cached: `$RAMIEL_CACHE`, else `~/.cache/ramiel`."""
    configured = os.environ.get("RAMIEL_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "ramiel"


def cost_model_name(name: str) -> str:
    """The cost model a pass's `cost` option names, with `auto` resolved."""
    choices = [AUTO_COST, *available_cost_models()]
    if name not in choices:
        raise PassFailedException(f"unknown cost model '{name}': choose one of {', '.join(choices)}")
    if name == AUTO_COST:
        cached = (c for c, f in (("profile", PROFILE_CACHE_FILE), ("analytic", ANALYTIC_CACHE_FILE)) if (cache_dir() / f).is_file())
        return next(cached, "static")
    return name


def load_named_cost_model(name: str) -> CostModel:
    """The cost model `name` (not `auto`), from the cache directory."""
    return load_cost_model(name, cache_dir())


def cost_model(name: str) -> CostModel:
    """The cost model a pass's `cost` option names."""
    return load_named_cost_model(cost_model_name(name))


def scheduled_graph(module: ModuleOp, cost: str, threads: int = 1) -> tuple[FunctionGraph, str]:
    """The task graph of `module` under the cost model a pass's `cost` option names (with
    op costs on up to `threads` intra-op threads), and that model's name."""
    name = cost_model_name(cost)
    return FunctionGraph.of(module, load_named_cost_model(name), threads), name


DIM_BOUNDS = "dfg.dim_bounds"
"""The function attribute bounding, for the cost models, the sizes that the values decide:
with `{"*" = 64 : i64, boxes = 200 : i64}`, each unknown dimension (`?`) of the value named
`boxes` counts as 200 and every other one as 64. The generated code bounds nothing."""

DEFAULT_DIM_BOUND = 64
"""What an unknown dimension counts as when the function bounds none (`DIM_BOUNDS`'s "*")."""


def dim_bound(value: SSAValue) -> int:
    """What the cost models count each unknown dimension of `value` as (see `DIM_BOUNDS`)."""
    owner = value.owner
    scope = owner.parent_op() if isinstance(owner, Block) else owner
    while scope is not None and not isinstance(scope, func.FuncOp):
        scope = scope.parent_op()
    bounds = scope.attributes.get(DIM_BOUNDS) if scope is not None else None
    if not isinstance(bounds, DictionaryAttr):
        return DEFAULT_DIM_BOUND
    given = {name: b.value.data for name, b in bounds.data.items() if isinstance(b, IntegerAttr)}
    return named_bound(given, value.name_hint or "")


_LISTED = 8
"""How many tensors of unknown size an error about `--dim-bound` lists."""


def set_dim_bounds(module: ModuleOp, bounds: Mapping[str, int], where: str) -> str | None:
    """Bound the unknown dimensions of `module`'s function for the cost models (`DIM_BOUNDS`):
    `bounds` maps tensor names to bounds, "*" to the default. Returns what the report says of
    them, None when the function has no unknown dimension.

    Raises RamielError for a name that has no unknown dimension, naming those that do.
    """
    function = main_function(module)
    unknown = sorted({
        v.name_hint or "" for op in function.walk() for v in (*op.operands, *op.results)
        if UNKNOWN in value_shape(v.type)
    } - {""})  # fmt: skip
    # Values are named as xDSL keeps a name hint (it drops a `_<number>` ending).
    named = {n if n == "*" else SSAValue.extract_valid_name(sanitize_identifier(n)): b for n, b in bounds.items()}
    stray = next((given for given, n in zip(bounds, named, strict=True) if n != "*" and n not in unknown), None)
    if stray is not None:
        listed = ", ".join(f"'{n}'" for n in unknown[:_LISTED]) + (f" and {len(unknown) - _LISTED} more" if len(unknown) > _LISTED else "")
        raise RamielError(f"--dim-bound names no tensor of unknown size '{stray}' (those of unknown size: {listed or 'none'})", where)
    if named:
        function.attributes[DIM_BOUNDS] = DictionaryAttr({n: IntegerAttr(b, i64) for n, b in sorted(named.items())})
    if not unknown:
        return None
    default = named_bound(named, "*")
    others = "".join(f", {n} as {b}" for n, b in sorted(named.items()) if n != "*")
    return f"{len(unknown)} tensors have sizes that the values decide; the costs count each such size as {default}{others} (--dim-bound)"


def parse_dim_bound(spec: str) -> tuple[str, int]:
    """Parse `--dim-bound` text: `NAME=N` bounds tensor NAME's unknown sizes, `N` every other one."""
    name, sep, number = spec.rpartition("=")
    try:
        bound = int(number)
    except ValueError:
        bound = 0
    if bound <= 0 or (sep and not name):
        raise RamielError("expected N or NAME=N with a positive N", f"--dim-bound {spec}")
    return (name if sep else "*"), bound


def named_bound(bounds: Mapping[str, int], name: str) -> int:
    """The bound that `bounds` (`--dim-bound` as given) sets on the unknown sizes of tensor `name`."""
    return bounds.get(name, bounds.get("*", DEFAULT_DIM_BOUND))


def bounded_shape(value: SSAValue) -> tuple[int, ...]:
    """The shape of `value` (`value_shape`), each unknown dimension counted as its bound."""
    shape = value_shape(value.type)
    return bounded(shape, dim_bound(value)) if UNKNOWN in shape else shape


def cost_view(op: DfgOp) -> OpView:
    """The view of `op` that the cost models price: its unknown dimensions counted as their bounds."""
    view = op.view()
    if not op.has_unknown_dims():
        return view
    return view.with_shapes(
        tuple(None if v is None else bounded_shape(v) for v in op.input_values()),
        tuple(bounded_shape(r) for r in op.results),
    )


def task_cost(model: CostModel, op: DfgOp) -> float:
    """The predicted latency of `op`: an If costs its dearer branch, whichever runs, and a
    Loop its body times its iterations (see `loop_trips`)."""
    if isinstance(op, IfOp):
        return max(_region_cost(model, branch) for branch in op.branches)
    if isinstance(op, LoopOp):
        return loop_trips(op) * _region_cost(model, op.body)
    return model.node_cost(cost_view(op))


def _region_cost(model: CostModel, region: Region) -> float:
    return sum(task_cost(model, inner) for inner in region.block.ops if isinstance(inner, DfgOp))


DEFAULT_LOOP_TRIPS = 10
"""The iterations assumed of a loop whose trip count is not a constant and that declares none."""


def loop_trips(op: LoopOp) -> int:
    """The iterations the cost models assume of `op`: its declared `expected_trips`, else its
    constant trip count (an upper bound when a condition may end it), else `DEFAULT_LOOP_TRIPS`."""
    if op.expected_trips is not None:
        return op.expected_trips.value.data
    trips = op.constant_trips()
    return DEFAULT_LOOP_TRIPS if trips is None else trips


def _nbytes(value: SSAValue) -> int:
    size = 1
    for d in bounded_shape(value):
        size *= d
    element = dtype_name(element_type_of(value.type))
    return size * (
        1 if element in ("bool", "int8", "uint8") else int(element[-2:]) // 8
    )


@dataclass
class FunctionGraph:
    """A function's schedulable ops and their task graph (node i is `ops[i]`)."""

    function: func.FuncOp
    ops: list[DfgOp]
    graph: TaskGraph
    model: CostModel
    """The cost model that priced the graph."""

    @staticmethod
    def of(module: ModuleOp, model: CostModel, threads: int = 1) -> FunctionGraph:
        """The task graph of the module's one function, costed by `model`, with each op's
        cost on 2..`threads` intra-op threads (`Node.threaded_costs`) when `threads` > 1."""
        function = main_function(module)
        ops = [op for op in function.body.block.ops if isinstance(op, DfgOp)]
        index = {op: i for i, op in enumerate(ops)}
        edges: dict[tuple[int, int], int] = {}
        for dst, op in enumerate(ops):
            for value in op.operands:
                src = index.get(cast(DfgOp, value.owner))
                if src is not None:
                    edges[(src, dst)] = edges.get((src, dst), 0) + _nbytes(value)
        costs = [task_cost(model, op) for op in ops]
        graph = TaskGraph(
            (
                Node(
                    _label(op),
                    op.ONNX_OP_TYPE,
                    cost,
                    tuple(threaded_cost(model, op, cost, t) for t in range(2, threads + 1)),
                )
                for op, cost in zip(ops, costs, strict=True)
            ),
            (Edge(s, d, n, model.edge_cost(n)) for (s, d), n in sorted(edges.items())),
        )
        return FunctionGraph(function, ops, graph, model)

    def attribute(self, name: str) -> list[int] | None:
        """Each op's integer attribute `name`, or None when any op lacks it."""
        values: list[int] = []
        for op in self.ops:
            attr = op.attributes.get(name)
            if not isinstance(attr, IntegerAttr):
                return None
            values.append(cast(IntegerAttr, attr).value.data)
        return values

    def schedule(self) -> Schedule:
        """The schedule the IR holds: streams from `stream`, each in block order."""
        streams = self.attribute(STREAM)
        if streams is None:
            raise PassFailedException(
                "every dfg op needs a 'stream' attribute: run a clustering pass first"
            )
        by_stream: dict[int, list[int]] = {}
        for node, stream in enumerate(streams):
            by_stream.setdefault(stream, []).append(node)
        return Schedule(
            [by_stream[s] for s in sorted(by_stream)], self.attribute(CLUSTER)
        )

    def write_clusters(self, clusters: Sequence[int]) -> None:
        """Set `cluster` on every op (constants take their first user's)."""
        for op, cluster in zip(self.ops, clusters, strict=True):
            op.attributes[CLUSTER] = IntegerAttr(cluster, i64)
        self.annotate_constants(CLUSTER)

    def write_schedule(self, schedule: Schedule) -> None:
        """Set `stream` (and `cluster`, when the schedule has clusters) and reorder the block."""
        if schedule.clusters is not None:
            self.write_clusters(schedule.clusters)
        for stream, nodes in enumerate(schedule.streams):
            for node in nodes:
                self.ops[node].attributes[STREAM] = IntegerAttr(stream, i64)
        self.annotate_constants(STREAM)
        self._reorder(schedule)

    def annotate_constants(self, name: str) -> None:
        """Give each constant the attribute `name` of its first user."""
        index = {op: i for i, op in enumerate(self.ops)}
        for op in self.function.body.block.ops:
            if isinstance(op, ConstantOp):
                users = [
                    index[u.operation] for u in op.output.uses if isinstance(u.operation, DfgOp) and u.operation in index
                ]
                if users:
                    op.attributes[name] = self.ops[min(users)].attributes[name]

    def _reorder(self, schedule: Schedule) -> None:
        """Order the block as the streams run: dependencies and stream orders, lowest id first."""
        n = len(self.ops)
        waiting = [len(self.graph.preds(v)) for v in range(n)]
        after: list[list[int]] = [list(self.graph.succs(v)) for v in range(n)]
        for stream in schedule.streams:
            for a, b in pairwise(stream):
                after[a].append(b)
                waiting[b] += 1
        ready = [v for v in range(n) if waiting[v] == 0]
        heapq.heapify(ready)
        order: list[int] = []
        while ready:
            v = heapq.heappop(ready)
            order.append(v)
            for w in after[v]:
                waiting[w] -= 1
                if waiting[w] == 0:
                    heapq.heappush(ready, w)
        if len(order) != n:
            raise PassFailedException(
                "the schedule's stream orders deadlock against the data dependencies"
            )
        # Moving every scheduled op to the end, in order, leaves the constants first.
        block = self.function.body.block
        terminator = block.last_op
        assert terminator is not None
        for v in order:
            op = self.ops[v]
            op.detach()
            block.insert_op_before(op, terminator)


SPEEDUP_ATTR = "ramiel.predicted_speedup"
"""Module attribute: the predicted speedup of the schedule in the IR over one stream."""

COST_MODEL_ATTR = "ramiel.cost_model"
"""Module attribute: the cost model that made the prediction."""

THREADS_ATTR = "ramiel.threads"
"""Module attribute: the intra-op threads one-stream code runs on, when a pass chose them."""


def predicted_speedup(graph: FunctionGraph, schedule: Schedule) -> float:
    """One stream's time over the simulated makespan plus the cost model's per-call cost of that many streams.

    One stream runs no copies: the work of ops marked `copy` is left out of its time.
    """
    from ramiel.scheduling import simulate

    tasks = graph.graph
    serial = tasks.total_work - sum(cost for op, cost in zip(graph.ops, tasks.costs, strict=True) if COPY in op.attributes)
    time = simulate(tasks, schedule).makespan + graph.model.call_cost(schedule.num_streams)
    return serial / time if time > 0 else 1.0


def intra_op_slowdown(graph: FunctionGraph, threads: int) -> float:
    """The predicted time of the graph's ops, one after another, on `threads` intra-op threads over their time on one."""
    costs = graph.graph.costs
    serial = sum(costs)
    threaded = sum(
        threaded_cost(graph.model, op, cost, threads)
        for op, cost in zip(graph.ops, costs, strict=True)
    )
    return threaded / serial if serial > 0 else 1.0


def threaded_cost(model: CostModel, op: DfgOp, cost: float, threads: int) -> float:
    """The latency on `threads` intra-op threads of `op`, which takes `cost` on one.

    A control-flow op is counted unchanged: its body's ops are not priced one by one here.
    """
    if isinstance(op, IfOp | LoopOp):
        return cost
    return model.intra_op_cost(cost_view(op), cost, threads)


def record_prediction(module: ModuleOp, speedup: float, cost: str) -> None:
    """Record on `module`, for the generated file's header, its predicted speedup and the cost model's name."""
    module.attributes[SPEEDUP_ATTR] = FloatAttr(speedup, f64)
    module.attributes[COST_MODEL_ATTR] = StringAttr(cost)


def record_schedule(module: ModuleOp, graph: FunctionGraph, cost: str) -> None:
    """Record on `module` the predicted speedup of the schedule its ops now carry (see `record_prediction`)."""
    record_prediction(module, predicted_speedup(graph, graph.schedule()), cost)


def _label(op: Operation) -> str:
    loc = getattr(op.location, "desc", None)
    if loc is not None:
        return str(loc.data)
    hint = op.results[0].name_hint if op.results else None
    return hint or op.name


def main_function(module: ModuleOp) -> func.FuncOp:
    """The module's one function (the imported graph)."""
    functions = [op for op in module.ops if isinstance(op, func.FuncOp)]
    if len(functions) != 1:
        raise PassFailedException(
            f"expected one func.func in the module, found {len(functions)}"
        )
    return functions[0]
