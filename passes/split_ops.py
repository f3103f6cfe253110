"""The `split-ops` pass: heavy convolutions and LRNs that hold up a parallel schedule become parts on every stream."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    IntegerAttr,
    ModuleOp,
    NameLoc,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, Block, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from ramiel.costmodel import CostModel, StaticCostModel
from ramiel.dialects.dfg.activation import ClipOp, ReluOp
from ramiel.dialects.dfg.base import DfgOp
from ramiel.dialects.dfg.constant import ConstantOp, constant_array, materialize
from ramiel.dialects.dfg.conv import ConvOp
from ramiel.dialects.dfg.indexing import SliceOp
from ramiel.dialects.dfg.normalization import LRNOp
from ramiel.dialects.dfg.pool import (
    AveragePoolOp,
    GlobalAveragePoolOp,
    GlobalMaxPoolOp,
    MaxPoolOp,
)
from ramiel.dialects.dfg.shape import ConcatOp
from ramiel.ir_graph import (
    CLUSTER,
    STREAM,
    FunctionGraph,
    cost_model_name,
    load_named_cost_model,
    record_schedule,
)
from ramiel.opview import OpView, float32_view
from ramiel.scheduling import Edge, Node, TaskGraph, Timeline, list_schedule

_MIN_PART_CHANNELS = 16
"""Parts keep at least this many output channels: thinner convolutions waste the vector units."""

_CHANNEL_QUANTUM = 8
"""Part sizes are multiples of this where possible, matching oneDNN's channel blocks."""

_MAX_SPLITS = 64
"""At most this many ops are split, which bounds the pass's time on any graph."""


@dataclass(frozen=True)
class SplitOps(ModulePass):
    """Splits heavy convolutions and LRNs that hold up a parallel schedule into parts by channel, one per stream.

    Works on a scheduled module (every op has a `stream`). One at a time, of the
    ops on the critical chain of the simulated schedule, the one whose split
    shortens the predicted makespan most becomes one part per stream over slices
    of its output channels, joined by a Concat on its own stream: a Conv (group
    1, constant weights) with slices of its weights, an LRN with slices of its
    input that reach the neighbouring channels its window reads. The chain of
    per-channel ops that alone read the op (a Relu or constant Clip, then
    pooling) is split with it, so each part keeps its fused activation, the
    pooling runs in parallel too, and the Concat joins the smaller pooled parts;
    when a Concat on channels alone reads the result, the parts take its place
    among that Concat's operands. Each part runs on a stream of its own, the
    streams' orders are made again by list scheduling, and the new prediction
    is recorded (`ramiel.predicted_speedup`). A split is made only when it is
    predicted to save at least `min-gain` of the makespan; a module on one
    stream is left alone.

        %c = dfg.conv %x, %w, %b {stream = 0 : i64} : (tensor<1x64x56x56xf32>, tensor<192x64x3x3xf32>, tensor<192xf32>) -> tensor<1x192x56x56xf32>
        %r = dfg.relu %c {stream = 0 : i64} : ...

    becomes, on two streams,

        %c_part0 = dfg.conv %x, %w_part0, %b_part0 {stream = 0 : i64} : (..., tensor<96x64x3x3xf32>, tensor<96xf32>) -> tensor<1x96x56x56xf32>
        %r_part0 = dfg.relu %c_part0 {stream = 0 : i64} : ...
        %c_part1 = dfg.conv %x, %w_part1, %b_part1 {stream = 1 : i64} : ...
        %r_part1 = dfg.relu %c_part1 {stream = 1 : i64} : ...
        %r = dfg.concat %r_part0, %r_part1 {axis = 1 : i64, stream = 0 : i64} : ... -> tensor<1x192x56x56xf32>
    """

    name = "split-ops"

    cost: str = "auto"
    """Cost model: static, analytic, profile, or auto (profile when cached, else analytic when calibrated, else static)."""

    min_gain: float = 0.01
    """The least predicted shortening of the makespan, as a fraction of it, that a split must give."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        name = cost_model_name(self.cost)
        model = load_named_cost_model(name)
        static = StaticCostModel()
        graph = FunctionGraph.of(op, model)
        streams = graph.attribute(STREAM)
        if streams is None:
            raise PassFailedException("every dfg op needs a 'stream' attribute: run a clustering pass first")
        if len(set(streams)) < 2:
            return
        made: set[DfgOp] = set()
        for _ in range(_MAX_SPLITS):
            timeline = list_schedule(graph.graph, streams)
            best: tuple[float, DfgOp, list[int]] | None = None
            least = self.min_gain * timeline.makespan
            parts = len(set(streams))
            index = {o: i for i, o in enumerate(graph.ops)}
            # A part split again would share a stream with its sibling.
            candidates = [
                (sum(graph.graph.costs[index[o]] for o in (graph.ops[v], *_followers(graph.ops[v]))), v)
                for v in _critical_chain(graph.graph, streams, timeline)
                if graph.ops[v] not in made and _splittable(graph.ops[v], parts) is not None
            ]
            # Heaviest first: a split saves at most what its parts run beside each other,
            # so once that bound is below the best gain found, no lighter op can beat it.
            for work, v in sorted(candidates, key=lambda c: (-c[0], c[1])):
                if work * (1 - 1 / parts) < max(least, best[0] if best else 0.0):
                    break
                head = graph.ops[v]
                plan = _plan(graph, v, streams, model, static)
                if plan is None:
                    continue
                gain = timeline.makespan - list_schedule(plan.graph, plan.streams).makespan
                if gain >= least and (best is None or gain > best[0]):
                    best = (gain, head, plan.part_streams)
            if best is None:
                break
            _, head, part_streams = best
            made.update(_split(head, part_streams, _fresh_cluster(graph)))
            graph = FunctionGraph.of(op, model)
            streams = cast(list[int], graph.attribute(STREAM))
            graph.write_schedule(list_schedule(graph.graph, streams).schedule(graph.attribute(CLUSTER)))
            streams = cast(list[int], graph.attribute(STREAM))
        if made:
            record_schedule(op, graph, name)


def _critical_chain(tasks: TaskGraph, streams: Sequence[int], timeline: Timeline) -> list[int]:
    """The chain of nodes that makes the makespan, last first.

    It starts at the node that ends last and goes back, at each node, to what it
    waited for: its stream's previous node or the input that arrived last.
    """
    if not len(tasks):
        return []
    previous: dict[int, int] = {}
    for order in timeline.streams:
        for a, b in itertools.pairwise(order):
            previous[b] = a
    v = max(range(len(tasks)), key=lambda u: (timeline.end[u], -u))
    chain = [v]
    while True:
        start = timeline.start[v]
        waited = [
            p for p, c in zip(tasks.preds(v), tasks.pred_costs(v), strict=True)
            if math.isclose(timeline.end[p] + (c if streams[p] != streams[v] else 0.0), start, abs_tol=1e-12)
        ]  # fmt: skip
        before = previous.get(v)
        if before is not None and math.isclose(timeline.end[before], start, abs_tol=1e-12):
            waited.append(before)
        if not waited:
            return chain
        v = max(waited, key=lambda u: timeline.end[u])
        chain.append(v)


def _fresh_cluster(graph: FunctionGraph) -> int:
    """A cluster id no op has yet."""
    return max(graph.attribute(CLUSTER) or [-1]) + 1


def _part_sizes(channels: int, parts: int) -> list[int] | None:
    """Output channels per part: equal, in multiples of the quantum where possible; None if too thin."""
    if channels < parts * _MIN_PART_CHANNELS:
        return None
    quantum = _CHANNEL_QUANTUM if channels % _CHANNEL_QUANTUM == 0 else 1
    blocks = channels // quantum
    return [quantum * (blocks // parts + (i < blocks % parts)) for i in range(parts)]


_POOLS = (MaxPoolOp, AveragePoolOp, GlobalAveragePoolOp, GlobalMaxPoolOp)
"""Pooling ops, which compute each channel from that channel alone."""


def _followers(head: DfgOp) -> list[DfgOp]:
    """The chain of per-channel ops that alone read `head`: a Relu or constant Clip, then pooling ops.

    Only an activation that alone reads a Conv can be fused into it, so it
    must come first; a MaxPool with an indices result is left whole.
    """
    chain: list[DfgOp] = []
    last: DfgOp = head
    while last.results[0].has_one_use():
        user = last.results[0].get_user_of_unique_use()
        activation = not chain and (
            isinstance(user, ReluOp)
            or (isinstance(user, ClipOp) and all(isinstance(v.owner, ConstantOp) for v in user.operands[1:]))
        )
        pool = isinstance(user, _POOLS) and len(user.results) == 1
        if not (activation or pool):
            break
        last = cast(DfgOp, user)
        chain.append(last)
    return chain


def _with_channels(shape: tuple[int, ...], channels: int) -> tuple[int, ...]:
    """`shape` (N, C, ...) with `channels` in place of C."""
    return (shape[0], channels, *shape[2:])


def _splittable(op: DfgOp, parts: int) -> list[int] | None:
    """The part sizes of an op this pass can split, else None.

    A Conv (group 1, constant weights) is split by output channel, each part with
    its slice of the weights; an LRN by channel, each part reading its channels
    and the neighbours its window reaches.
    """
    if isinstance(op, ConvOp):
        if op.python_attributes().get("group", 1) != 1:
            return None
        if not all(isinstance(v.owner, ConstantOp) for v in op.operands[1:]):
            return None
    elif not isinstance(op, LRNOp):
        return None
    return _part_sizes(_shape(op.results[0])[1], parts)


def _halo(lrn: DfgOp) -> tuple[int, int]:
    """The channels below and above its own that an LRN output channel reads."""
    size = cast(int, lrn.python_attributes()["size"])
    return (size - 1) // 2, size // 2


def _input_channels(head: DfgOp, lo: int, hi: int) -> tuple[int, int]:
    """The input channels that output channels [lo, hi) of `head` read: all for a Conv."""
    channels = _shape(head.operands[0])[1]
    if not isinstance(head, LRNOp):
        return 0, channels
    below, above = _halo(head)
    return max(0, lo - below), min(channels, hi + above)


@dataclass(frozen=True)
class _Plan:
    """A split evaluated on the task graph alone, before the IR is touched."""

    graph: TaskGraph
    """The task graph with the split made."""
    streams: list[int]
    """Its stream per node."""
    part_streams: list[int]
    """The stream of each part: the op's own first."""


def _plan(
    graph: FunctionGraph, v: int, streams: Sequence[int], model: CostModel, static: StaticCostModel
) -> _Plan | None:
    """Node `v` of `graph` split onto every stream, or None when it cannot be split.

    A profile times the whole op but not its parts: a part costs the whole's time
    in the proportion `static` gives them.
    """
    head = graph.ops[v]
    part_streams = [streams[v], *sorted(set(streams) - {streams[v]})]
    sizes = _splittable(head, len(part_streams))
    if sizes is None:
        return None
    tasks = graph.graph
    chain = [head, *_followers(head)]
    index = {op: i for i, op in enumerate(graph.ops)}
    removed = {index[op] for op in chain}
    last = index[chain[-1]]
    nodes: list[Node] = []
    new_streams: list[int] = []
    renumber: dict[int, int] = {}

    def keep(i: int) -> None:
        renumber[i] = len(nodes)
        nodes.append(tasks.nodes[i])
        new_streams.append(streams[i])

    def add(name: str, op_type: str, cost: float, stream: int) -> int:
        nodes.append(Node(name, op_type, cost))
        new_streams.append(stream)
        return len(nodes) - 1

    # Node ids stay topological: the new nodes take the place of the chain's last op.
    for i in range(last):
        if i not in removed:
            keep(i)
    edges: list[Edge] = []
    ends: list[tuple[int, int]] = []
    bounds = [0, *itertools.accumulate(sizes)]
    for part, ((lo, hi), stream) in enumerate(zip(itertools.pairwise(bounds), part_streams, strict=True)):
        previous: tuple[int, int] | None = None  # the node before and its result's bytes
        for op, info in _part_infos(chain, lo, hi):
            if op is None:  # a slice: dispatch only
                cost = model.node_cost(info)
            else:
                whole = op.view()
                cost = model.node_cost(whole) * static.node_cost(info) / static.node_cost(whole)
            node = add(f"{tasks.nodes[v].name}/part{part}", info.op_type, cost, stream)
            if previous is None:
                edges += [Edge(renumber[p], node, tasks.edge(p, v).nbytes, tasks.edge(p, v).cost) for p in tasks.preds(v)]
            else:
                edges.append(Edge(previous[0], node, previous[1], model.edge_cost(previous[1])))
            previous = (node, _nbytes(info.output_shapes[0]))
        assert previous is not None
        ends.append(previous)
    outer = _outer_concat(chain[-1])
    concat = None
    if outer is None:
        out = cast(tuple[int, ...], chain[-1].view().output_shapes[0])
        pieces = tuple(_with_channels(out, size) for size in sizes)
        info = float32_view("Concat", pieces, (out,), axis=1)
        concat = add(f"{tasks.nodes[last].name}/concat", "Concat", model.node_cost(info), streams[v])
    for i in range(last + 1, len(tasks)):
        keep(i)
    join = concat if outer is None else renumber[index[outer]]
    assert join is not None
    edges += [Edge(end, join, nbytes, model.edge_cost(nbytes)) for end, nbytes in ends]
    if concat is not None:
        edges += [Edge(concat, renumber[w], tasks.edge(last, w).nbytes, tasks.edge(last, w).cost) for w in tasks.succs(last)]
    edges += [
        Edge(renumber[e.src], renumber[e.dst], e.nbytes, e.cost)
        for e in tasks.edges
        if e.src not in removed and e.dst not in removed
    ]
    return _Plan(TaskGraph(nodes, edges), new_streams, part_streams)


def _part_infos(chain: Sequence[DfgOp], lo: int, hi: int) -> list[tuple[DfgOp | None, OpView]]:
    """The ops of the part of `chain` computing output channels [lo, hi), in order, as the cost model sees them.

    Each comes with the op of the chain it is a part of, or None for the channel
    slices an LRN part reads and keeps.
    """
    head = chain[0]
    channels = hi - lo
    infos: list[tuple[DfgOp | None, OpView]] = []
    whole = head.view()
    x = cast(tuple[int, ...], whole.input_shapes[0])
    if isinstance(head, LRNOp):
        first, end = _input_channels(head, lo, hi)
        window = _with_channels(x, end - first)
        infos.append((None, _slice_info(x, window)))
        infos.append((head, whole.with_shapes((window,), (window,))))
        infos.append((None, _slice_info(window, _with_channels(x, channels))))
    else:  # the weight and the bias, if any, lose output channels
        weights = tuple(None if s is None else (channels, *s[1:]) for s in whole.input_shapes[1:])
        out = cast(tuple[int, ...], whole.output_shapes[0])
        infos.append((head, whole.with_shapes((x, *weights), (_with_channels(out, channels),))))
    for op in chain[1:]:
        info = op.view()
        shapes = list(info.input_shapes)
        shapes[0] = _with_channels(cast(tuple[int, ...], shapes[0]), channels)
        out = cast(tuple[int, ...], info.output_shapes[0])
        infos.append((op, info.with_shapes(tuple(shapes), (_with_channels(out, channels),))))
    return infos


def _slice_info(source: tuple[int, ...], result: tuple[int, ...]) -> OpView:
    """A Slice of channels, as the cost model sees it."""
    return float32_view("Slice", (source,), (result,))


def _nbytes(shape: tuple[int, ...] | None) -> int:
    """The bytes of a float32 tensor of `shape`."""
    return 4 * math.prod(shape or ())


def _split(head: DfgOp, part_streams: Sequence[int], cluster: int) -> list[DfgOp]:
    """Replace `head` and its followers by a part per stream and a Concat; return the new heads.

    Part i runs on `part_streams[i]`, in cluster `cluster + i`; the Concat runs where
    `head` did, in its cluster.
    """
    sizes = _splittable(head, len(part_streams))
    assert sizes is not None
    chain = [head, *_followers(head)]
    last = chain[-1]
    block = head.parent_block()
    assert block is not None
    bounds = [0, *itertools.accumulate(sizes)]
    weights = [cast(np.ndarray, constant_array(v)) for v in head.operands[1:]] if isinstance(head, ConvOp) else []
    pieces: list[SSAValue] = []
    heads: list[DfgOp] = []
    for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        placement = _placement(part_streams[i], cluster + i)
        sliced = [materialize(array[lo:hi], value) for array, value in zip(weights, head.operands[1:], strict=True)]
        for constant, value in zip(sliced, head.operands[1:], strict=True):
            constant.output.name_hint = f"{value.name_hint or 'w'}_part{i}"
            block.insert_op_before(constant, head)
        piece = head.operands[0]
        first, end = _input_channels(head, lo, hi)
        if isinstance(head, LRNOp):
            piece = _channel_slice(head, last, piece, (first, end), f"window{i}", placement)
        for op in chain:
            channels = end - first if op is head and isinstance(head, LRNOp) else hi - lo
            part_type = _channel_type(op.results[0], channels)
            operands = [piece, *(c.output for c in sliced)] if op is head else [piece, *op.operands[1:]]
            part = type(op).build(operands, [part_type], op.properties, placement)
            _name(part, op, f"part{i}")
            block.insert_op_before(part, last)
            piece = part.results[0]
            if op is head:
                heads.append(part)
                if isinstance(head, LRNOp):
                    piece = _channel_slice(head, last, piece, (lo - first, hi - first), f"own{i}", placement)
        pieces.append(piece)
    _join(pieces, last, {k: v for k, v in head.attributes.items() if k in (STREAM, CLUSTER)})
    originals = [v.owner for v in head.operands[1:]] if weights else []
    for op in reversed(chain):
        block.erase_op(op)
    for constant in dict.fromkeys(originals):
        if isinstance(constant, ConstantOp) and not constant.output.uses:
            block.erase_op(constant)
    return heads


def _placement(stream: int, cluster: int) -> dict[str, Attribute]:
    """The `stream` and `cluster` attributes of an op placed on `stream` in `cluster`."""
    return {CLUSTER: IntegerAttr(cluster, i64), STREAM: IntegerAttr(stream, i64)}


def _outer_concat(last: DfgOp) -> DfgOp | None:
    """The Concat on channels that alone reads `last`'s result, if there is one."""
    result = last.results[0]
    outer = result.get_user_of_unique_use() if result.has_one_use() else None
    if isinstance(outer, ConcatOp) and cast(int, outer.python_attributes()["axis"]) % len(_shape(result)) == 1:
        return outer
    return None


def _join(pieces: list[SSAValue], last: DfgOp, placement: Mapping[str, Attribute]) -> None:
    """Replace `last`'s result by the concatenation of `pieces` on channels, placed as given.

    When a Concat on channels alone reads the result, the pieces take its place
    among that Concat's operands, which saves copying the channels twice.
    """
    block = cast(Block, last.parent_block())
    result = last.results[0]
    outer = _outer_concat(last)
    if outer is not None:
        operands = [p for v in outer.operands for p in (pieces if v is result else [v])]
        joined = type(outer).build(operands, [outer.results[0].type], outer.properties, outer.attributes)
        joined.results[0].name_hint = outer.results[0].name_hint
        joined.location = outer.location
        block.insert_op_before(joined, outer)
        outer.results[0].replace_all_uses_with(joined.results[0])
        block.erase_op(outer)
        return
    concat = ConcatOp.build(pieces, [result.type], {"axis": IntegerAttr(1, i64)}, placement)
    concat.results[0].name_hint = result.name_hint
    if isinstance(last.location, NameLoc):
        concat.location = NameLoc(StringAttr(f"{last.location.desc.data}/concat"), last.location.location)
    block.insert_op_before(concat, last)
    result.replace_all_uses_with(concat.results[0])


def _shape(value: SSAValue) -> tuple[int, ...]:
    """The static shape of a tensor value."""
    return tuple(cast(TensorType, value.type).get_shape())


def _channel_type(value: SSAValue, channels: int) -> TensorType:
    """The type of `value` with `channels` in place of its channel count."""
    return TensorType(cast(TensorType, value.type).get_element_type(), _with_channels(_shape(value), channels))


def _channel_slice(
    head: DfgOp, last: DfgOp, value: SSAValue, bounds: tuple[int, int], label: str, placement: Mapping[str, Attribute]
) -> SSAValue:
    """Channels [lo, hi) of `value`: a Slice placed as given before `last`, its bounds before `head`, named `label` after `head`."""
    block = cast(Block, head.parent_block())
    constants = [ConstantOp.of_array(np.array([b], dtype=np.int64), "slice") for b in (*bounds, 1)]
    for constant, role in zip(constants, ("starts", "ends", "axes"), strict=True):
        constant.output.name_hint = f"{head.results[0].name_hint or 'slice'}_{label}_{role}"
        block.insert_op_before(constant, head)
    sliced_type = _channel_type(value, bounds[1] - bounds[0])
    sliced = SliceOp.build([value, *(c.output for c in constants), None], [sliced_type], None, placement)
    _name(sliced, head, label)
    block.insert_op_before(sliced, last)
    return sliced.results[0]


def _name(part: DfgOp, original: DfgOp, label: str) -> None:
    """Name a part after the op it replaces: `<name>/<label>`."""
    hint = original.results[0].name_hint
    if hint:
        part.results[0].name_hint = f"{hint}_{label}"
    if isinstance(original.location, NameLoc):
        part.location = NameLoc(StringAttr(f"{original.location.desc.data}/{label}"), original.location.location)
