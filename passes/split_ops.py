"""The `split-ops` pass: heavy convolutions and LRNs on the critical path become parallel parts."""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass, replace
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
from xdsl.ir import Block, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from ramiel.costmodel import CostModel, OpInfo, StaticCostModel
from ramiel.dialects.dfg import ConstantOp, DfgOp, is_op, op_class
from ramiel.ir_graph import FunctionGraph, cost_model, op_info
from ramiel.rewrites.constants import constant_array, materialize
from ramiel.scheduling import TaskGraph

_MIN_PART_CHANNELS = 16
"""Parts keep at least this many output channels: thinner convolutions waste the vector units."""

_CHANNEL_QUANTUM = 8
"""Part sizes are multiples of this where possible, matching oneDNN's channel blocks."""

_MAX_SPLITS = 64
"""At most this many ops are split, which bounds the pass's time on any graph."""


@dataclass(frozen=True)
class SplitOps(ModulePass):
    """Splits heavy convolutions and LRNs on the critical path into `workers` parts by channel.

    One at a time, the op on the predicted critical path (node costs) whose
    split saves most becomes `workers` parts over slices of its output
    channels, joined by a Concat, provided the ops that may run beside it
    (neither before nor after it) are predicted to take less than the other
    streams' time while it runs: otherwise the streams have work enough
    already. A Conv (group 1, constant weights) is split with slices of its
    weights; an LRN with slices of its input that reach the neighbouring
    channels its window reads. The chain of per-channel ops that alone read
    the op (a Relu or constant Clip, then pooling) is split with it, so each
    part keeps its fused activation, the pooling runs in parallel too, and the
    Concat joins the smaller pooled parts. Weights no other op reads are
    replaced by their slices. A split is made only when the parts, the
    hand-off and the Concat are predicted to save at least `min-gain` of the
    critical path; splitting goes on while some op qualifies (W/CP reaching
    `workers` is not enough: the ops around a join may still leave a stream
    idle). The clustering passes then put the parts on different streams.

        %c = dfg.conv %x, %w, %b : (tensor<1x64x56x56xf32>, tensor<192x64x3x3xf32>, tensor<192xf32>) -> tensor<1x192x56x56xf32>
        %r = dfg.relu %c : ...

    becomes

        %c_part0 = dfg.conv %x, %w_part0, %b_part0 : (..., tensor<96x64x3x3xf32>, tensor<96xf32>) -> tensor<1x96x56x56xf32>
        %r_part0 = dfg.relu %c_part0 : ...
        %c_part1 = dfg.conv %x, %w_part1, %b_part1 : ...
        %r_part1 = dfg.relu %c_part1 : ...
        %r = dfg.concat %r_part0, %r_part1 {axis = 1 : i64} : ... -> tensor<1x192x56x56xf32>
    """

    name = "split-ops"

    workers: int = os.cpu_count() or 1
    """Parts per split op: the streams that will run them."""

    cost: str = "auto"
    """Cost model: static, analytic, profile, or auto (profile when cached, else analytic when calibrated, else static)."""

    min_gain: float = 0.01
    """The least predicted shortening of the critical path, as a fraction of it, that a split must give."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.workers < 1:
            raise PassFailedException(f"workers must be at least 1, got {self.workers}")
        if self.workers == 1:
            return
        model = cost_model(self.cost)
        static = StaticCostModel()
        made: set[DfgOp] = set()
        for _ in range(_MAX_SPLITS):
            graph = FunctionGraph.of(op, model)
            tasks = graph.graph
            critical = tasks.critical_path_without_edges
            if critical <= 0:
                return
            candidates: list[tuple[float, int]] = []
            for v in _critical_nodes(graph):
                # A part split again would share a stream with its sibling: no gain on `workers` streams.
                gain = None if graph.ops[v] in made else _gain(graph.ops[v], self.workers, model, static)
                if gain is not None and gain >= self.min_gain * critical:
                    candidates.append((-gain, v))
            chosen = next(
                (
                    v
                    for _, v in sorted(candidates)
                    if _independent_work(tasks, v) < (self.workers - 1) * tasks.costs[v]
                ),
                None,
            )
            if chosen is None:
                return
            made.update(_split(graph.ops[chosen], self.workers))


def _critical_nodes(graph: FunctionGraph) -> list[int]:
    """The nodes on a longest path of node costs, in node order."""
    tasks = graph.graph
    n = len(tasks)
    costs = tasks.costs
    top = [0.0] * n
    for v in range(n):
        for w in tasks.succs(v):
            top[w] = max(top[w], top[v] + costs[v])
    bottom = [0.0] * n
    for v in range(n - 1, -1, -1):
        bottom[v] = costs[v] + max((bottom[w] for w in tasks.succs(v)), default=0.0)
    critical = tasks.critical_path_without_edges
    return [v for v in range(n) if math.isclose(top[v] + bottom[v], critical, rel_tol=1e-9)]


def _independent_work(tasks: TaskGraph, node: int) -> float:
    """The cost of the nodes that are neither ancestors nor descendants of `node`: what may run beside it."""
    related = {node}
    for step in (tasks.succs, tasks.preds):
        frontier = [node]
        while frontier:
            for w in step(frontier.pop()):
                if w not in related:
                    related.add(w)
                    frontier.append(w)
    return tasks.total_work - sum(tasks.costs[v] for v in related)


def _part_sizes(channels: int, parts: int) -> list[int] | None:
    """Output channels per part: equal, in multiples of the quantum where possible; None if too thin."""
    if channels < parts * _MIN_PART_CHANNELS:
        return None
    quantum = _CHANNEL_QUANTUM if channels % _CHANNEL_QUANTUM == 0 else 1
    blocks = channels // quantum
    return [quantum * (blocks // parts + (i < blocks % parts)) for i in range(parts)]


_POOLS = ("MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool")
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
            is_op(user, "Relu")
            or (is_op(user, "Clip") and all(isinstance(v.owner, ConstantOp) for v in user.operands[1:]))
        )
        pool = any(is_op(user, pool) for pool in _POOLS) and len(user.results) == 1
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
    if is_op(op, "Conv"):
        if op.python_attributes().get("group", 1) != 1:
            return None
        if not all(isinstance(v.owner, ConstantOp) for v in op.operands[1:]):
            return None
    elif not is_op(op, "LRN"):
        return None
    return _part_sizes(_shape(op.results[0])[1], parts)


def _halo(lrn: DfgOp) -> tuple[int, int]:
    """The channels below and above its own that an LRN output channel reads."""
    size = cast(int, lrn.python_attributes()["size"])
    return (size - 1) // 2, size // 2


def _input_channels(head: DfgOp, lo: int, hi: int) -> tuple[int, int]:
    """The input channels that output channels [lo, hi) of `head` read: all for a Conv."""
    channels = _shape(head.operands[0])[1]
    if not is_op(head, "LRN"):
        return 0, channels
    below, above = _halo(head)
    return max(0, lo - below), min(channels, hi + above)


def _gain(head: DfgOp, parts: int, model: CostModel, static: StaticCostModel) -> float | None:
    """How much splitting `head` and its followers shortens a critical path through them (predicted), or None if it cannot be split.

    A profile times the whole op but not its parts: a part costs the whole's time
    in the proportion `static` gives them.
    """
    sizes = _splittable(head, parts)
    if sizes is None:
        return None
    # The largest part, with its halo when it sits in the middle.
    lo, hi = _input_channels(head, sizes[0], 2 * sizes[0])
    saved = 0.0
    for op in (head, *_followers(head)):
        whole = op_info(op)
        shapes = list(whole.input_shapes)
        if op is not head:
            shapes[0] = _with_channels(cast(tuple[int, ...], shapes[0]), max(sizes))
        elif is_op(head, "LRN"):
            shapes[0] = _with_channels(cast(tuple[int, ...], shapes[0]), hi - lo)
        else:  # the weight and the bias, if any, lose output channels
            shapes[1:] = [None if s is None else (max(sizes), *s[1:]) for s in shapes[1:]]
        out = cast(tuple[int, ...], whole.output_shapes[0])
        part = replace(whole, input_shapes=tuple(shapes), output_shapes=(_with_channels(out, max(sizes)),))
        saved += model.node_cost(whole) * (1 - static.node_cost(part) / static.node_cost(whole))
    part_out = _with_channels(out, max(sizes))
    concat = OpInfo("Concat", (part_out,) * parts, ("float32",) * parts, (out,), ("float32",), {"axis": 1})
    return saved - model.edge_cost(math.prod(part_out) * 4) - model.node_cost(concat)


def _split(head: DfgOp, parts: int) -> list[DfgOp]:
    """Replace `head` and its followers by `parts` parts and a Concat; return the new heads."""
    sizes = _splittable(head, parts)
    assert sizes is not None
    chain = [head, *_followers(head)]
    last = chain[-1]
    block = head.parent_block()
    assert block is not None
    bounds = [0, *itertools.accumulate(sizes)]
    weights = [cast(np.ndarray, constant_array(v)) for v in head.operands[1:]] if is_op(head, "Conv") else []
    pieces: list[SSAValue] = []
    heads: list[DfgOp] = []
    for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        sliced = [materialize(array[lo:hi], value) for array, value in zip(weights, head.operands[1:], strict=True)]
        for constant, value in zip(sliced, head.operands[1:], strict=True):
            constant.output.name_hint = f"{value.name_hint or 'w'}_part{i}"
            block.insert_op_before(constant, head)
        piece = head.operands[0]
        first, end = _input_channels(head, lo, hi)
        if is_op(head, "LRN"):
            piece = _channel_slice(head, last, piece, (first, end), f"window{i}")
        for op in chain:
            channels = end - first if op is head and is_op(head, "LRN") else hi - lo
            part_type = _channel_type(op.results[0], channels)
            operands = [piece, *(c.output for c in sliced)] if op is head else [piece, *op.operands[1:]]
            part = type(op).build(operands, [part_type], op.properties)
            _name(part, op, f"part{i}")
            block.insert_op_before(part, last)
            piece = part.results[0]
            if op is head:
                heads.append(part)
                if is_op(head, "LRN"):
                    piece = _channel_slice(head, last, piece, (lo - first, hi - first), f"own{i}")
        pieces.append(piece)
    _join(pieces, last)
    originals = [v.owner for v in head.operands[1:]] if weights else []
    for op in reversed(chain):
        block.erase_op(op)
    for constant in dict.fromkeys(originals):
        if isinstance(constant, ConstantOp) and not constant.output.uses:
            block.erase_op(constant)
    return heads


def _join(pieces: list[SSAValue], last: DfgOp) -> None:
    """Replace `last`'s result by the concatenation of `pieces` on channels.

    When a Concat on channels alone reads the result, the pieces take its place
    among that Concat's operands, which saves copying the channels twice.
    """
    block = cast(Block, last.parent_block())
    result = last.results[0]
    outer = result.get_user_of_unique_use() if result.has_one_use() else None
    if isinstance(outer, DfgOp) and is_op(outer, "Concat") and outer.python_attributes()["axis"] % len(_shape(result)) == 1:
        operands = [p for v in outer.operands for p in (pieces if v is result else [v])]
        joined = type(outer).build(operands, [outer.results[0].type], outer.properties, outer.attributes)
        joined.results[0].name_hint = outer.results[0].name_hint
        joined.location = outer.location
        block.insert_op_before(joined, outer)
        outer.results[0].replace_all_uses_with(joined.results[0])
        block.erase_op(outer)
        return
    concat = op_class("Concat").build(pieces, [result.type], {"axis": IntegerAttr(1, i64)})
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


def _channel_slice(head: DfgOp, last: DfgOp, value: SSAValue, bounds: tuple[int, int], label: str) -> SSAValue:
    """Channels [lo, hi) of `value`: a Slice before `last`, its bounds before `head`, named `label` after `head`."""
    block = cast(Block, head.parent_block())
    constants = [ConstantOp.of_array(np.array([b], dtype=np.int64), "slice") for b in (*bounds, 1)]
    for constant, role in zip(constants, ("starts", "ends", "axes"), strict=True):
        constant.output.name_hint = f"{head.results[0].name_hint or 'slice'}_{label}_{role}"
        block.insert_op_before(constant, head)
    sliced_type = _channel_type(value, bounds[1] - bounds[0])
    sliced = op_class("Slice").build([value, *(c.output for c in constants), None], [sliced_type])
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
