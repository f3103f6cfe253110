"""Task graphs and schedules: the plain-Python data the scheduling heuristics work on.

A `TaskGraph` is a weighted DAG whose nodes are numbered 0..n-1 in a topological
order (the order of the operations in the IR). Node costs are predicted latencies in
seconds; an edge cost is the hand-off latency paid when producer and consumer run on
different streams (nothing is paid when they share a stream).

A `Schedule` places every node on a stream and fixes the execution order on each
stream. Heuristics map a graph and a worker count to a schedule.

A node may also run on several intra-op threads, where the graph gives its cost on
them (`Node.threaded_costs`, filled from a cost model's intra-op prediction). A
schedule says so by listing the node on that many streams: the node then holds all
of them from its start to its end, and its first stream is its home, the one that
hands its inputs and outputs over. One stream whose nodes are also listed on every
other is one-stream code on all threads; stages that alternate between such nodes and
ordinary streams are the hybrid of intra-op and inter-op parallelism.

Build a graph by hand in a few lines::

    g = TaskGraph.from_lists(costs=[1.0, 3.0, 2.0, 1.0],
                             edges=[(0, 1), (0, 2, 0.5), (1, 3), (2, 3)])
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class Node:
    """One operation: its name, ONNX op type and predicted latency in seconds.

    `threaded_costs` are its predicted latencies on 2, 3, ... intra-op threads; a node
    without them runs on one thread only.
    """

    name: str
    op_type: str
    cost: float
    threaded_costs: tuple[float, ...] = ()


@dataclass(frozen=True)
class Edge:
    """A data dependency `src -> dst`: bytes handed over and the cross-stream hand-off cost."""

    src: int
    dst: int
    nbytes: int = 0
    cost: float = 0.0


class TaskGraph:
    """An immutable weighted DAG whose node ids are a topological numbering.

    Construction checks that costs are finite and non-negative, that every edge joins
    two existing, distinct nodes, that no edge appears twice, and that every edge goes
    from a lower to a higher id; a backwards edge is reported as a cycle when the edges
    form one, else as a numbering error.
    """

    def __init__(self, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
        """Check and index `nodes` (position = id) and `edges` (any order)."""
        self.nodes: tuple[Node, ...] = tuple(nodes)
        n = len(self.nodes)
        for i, node in enumerate(self.nodes):
            for cost in (node.cost, *node.threaded_costs):
                if not (math.isfinite(cost) and cost >= 0.0):
                    raise ValueError(
                        f"node {i} ({node.name!r}) has invalid cost {cost!r}; costs must be finite and >= 0"
                    )
        by_pair: dict[tuple[int, int], Edge] = {}
        for e in edges:
            if not (0 <= e.src < n and 0 <= e.dst < n):
                raise ValueError(
                    f"edge {e.src} -> {e.dst} names a node outside 0..{n - 1}"
                )
            if e.src == e.dst:
                raise ValueError(f"edge {e.src} -> {e.dst} is a self-loop")
            if not (math.isfinite(e.cost) and e.cost >= 0.0) or e.nbytes < 0:
                raise ValueError(
                    f"edge {e.src} -> {e.dst} has invalid cost {e.cost!r} or nbytes {e.nbytes!r}"
                )
            if (e.src, e.dst) in by_pair:
                raise ValueError(
                    f"edge {e.src} -> {e.dst} appears twice; combine the tensors it carries into one Edge"
                )
            by_pair[(e.src, e.dst)] = e
        self.edges: tuple[Edge, ...] = tuple(by_pair[k] for k in sorted(by_pair))
        backwards = [e for e in self.edges if e.src > e.dst]
        if backwards:
            self._raise_ordering_error(backwards[0])
        self._by_pair = by_pair
        preds: list[list[Edge]] = [[] for _ in range(n)]
        succs: list[list[Edge]] = [[] for _ in range(n)]
        for e in self.edges:  # sorted by (src, dst): succ lists come out sorted
            succs[e.src].append(e)
            preds[e.dst].append(e)
        for p in preds:
            p.sort(key=lambda e: e.src)
        self._preds = tuple(tuple(e.src for e in p) for p in preds)
        self._pred_costs = tuple(tuple(e.cost for e in p) for p in preds)
        self._succs = tuple(tuple(e.dst for e in s) for s in succs)
        self._succ_costs = tuple(tuple(e.cost for e in s) for s in succs)

    def _raise_ordering_error(self, edge: Edge) -> None:
        import networkx as nx  # imported on use: it takes as long as a small compile

        g = nx.DiGraph()
        g.add_nodes_from(range(len(self.nodes)))
        g.add_edges_from((e.src, e.dst) for e in self.edges)
        try:
            cycle = nx.find_cycle(g, source=edge.dst)
        except nx.NetworkXNoCycle:
            raise ValueError(
                f"edge {edge.src} -> {edge.dst} goes backwards: node ids must follow a topological order"
            ) from None
        path = " -> ".join(f"{u} ({self.nodes[u].name})" for u, _ in cycle)
        raise ValueError(f"graph has a cycle: {path} -> {cycle[0][0]}")

    @classmethod
    def from_lists(
        cls,
        costs: Sequence[float],
        edges: Iterable[tuple[int, int] | tuple[int, int, float]],
        *,
        names: Sequence[str] | None = None,
        op_types: Sequence[str] | None = None,
    ) -> TaskGraph:
        """Build a graph from node costs and `(src, dst)` or `(src, dst, cost)` edge tuples.

        Names default to `n<id>` and op types to `"Op"`; edges carry no byte count.
        """
        n = len(costs)
        names = names if names is not None else [f"n{i}" for i in range(n)]
        op_types = op_types if op_types is not None else ["Op"] * n
        if len(names) != n or len(op_types) != n:
            raise ValueError("names and op_types must have one entry per cost")
        return cls(
            (Node(names[i], op_types[i], float(costs[i])) for i in range(n)),
            (Edge(e[0], e[1], 0, float(e[2]) if len(e) == 3 else 0.0) for e in edges),
        )

    def __len__(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    def __repr__(self) -> str:
        """Size summary."""
        return f"TaskGraph(nodes={len(self.nodes)}, edges={len(self.edges)})"

    @cached_property
    def costs(self) -> tuple[float, ...]:
        """Node costs indexed by node id."""
        return tuple(n.cost for n in self.nodes)

    def max_threads(self, v: int) -> int:
        """The most intra-op threads node `v` has a cost for (1 when it has no threaded costs)."""
        return 1 + len(self.nodes[v].threaded_costs)

    def cost_on(self, v: int, threads: int) -> float:
        """The cost of node `v` on `threads` intra-op threads, 1 <= threads <= `max_threads(v)`."""
        if not 1 <= threads <= self.max_threads(v):
            raise ValueError(
                f"node {v} ({self.nodes[v].name!r}) has costs for 1..{self.max_threads(v)} threads, not {threads}"
            )
        node = self.nodes[v]
        return node.cost if threads == 1 else node.threaded_costs[threads - 2]

    def preds(self, v: int) -> tuple[int, ...]:
        """Predecessors of `v`, ascending."""
        return self._preds[v]

    def succs(self, v: int) -> tuple[int, ...]:
        """Successors of `v`, ascending."""
        return self._succs[v]

    def pred_costs(self, v: int) -> tuple[float, ...]:
        """Edge costs from each of `preds(v)` to `v`, aligned with `preds(v)`."""
        return self._pred_costs[v]

    def succ_costs(self, v: int) -> tuple[float, ...]:
        """Edge costs from `v` to each of `succs(v)`, aligned with `succs(v)`."""
        return self._succ_costs[v]

    @cached_property
    def successor_costs(self) -> tuple[tuple[tuple[int, float], ...], ...]:
        """Per node, its `(successor, edge cost)` pairs: the form simulators iterate fastest."""
        return tuple(
            tuple(zip(s, c, strict=True))
            for s, c in zip(self._succs, self._succ_costs, strict=True)
        )

    @cached_property
    def in_degrees(self) -> tuple[int, ...]:
        """Number of predecessors of each node."""
        return tuple(len(p) for p in self._preds)

    def edge(self, src: int, dst: int) -> Edge:
        """The edge `src -> dst` (KeyError if absent)."""
        return self._by_pair[(src, dst)]

    @cached_property
    def total_work(self) -> float:
        """W: the sum of node costs, i.e. the serial makespan."""
        return math.fsum(n.cost for n in self.nodes)

    def _bottom_levels(
        self, with_edges: bool, costs: Sequence[float] | None = None
    ) -> tuple[float, ...]:
        # Ids are topological, so one reverse sweep suffices; networkx's longest-path
        # routines only weigh edges and would need node costs folded in first.
        node_costs = self.costs if costs is None else costs
        level = [0.0] * len(self.nodes)
        for v in range(len(self.nodes) - 1, -1, -1):
            best = 0.0
            for w, c in zip(self._succs[v], self._succ_costs[v], strict=True):
                best = max(best, level[w] + (c if with_edges else 0.0))
            level[v] = node_costs[v] + best
        return tuple(level)

    def lower_bound(self, workers: int) -> float:
        """A lower bound on any makespan on `workers` workers: the larger of the least
        core time (each node's cost times its threads, at the best thread count) over
        `workers`, and the longest path of each node's least cost on up to `workers` threads.

        Without threaded costs this is max(total work / workers, the longest path of node costs).
        """
        fastest, core_time = [], []
        for v in range(len(self.nodes)):
            options = [(self.cost_on(v, t), t) for t in range(1, min(workers, self.max_threads(v)) + 1)]
            fastest.append(min(c for c, _ in options))
            core_time.append(min(c * t for c, t in options))
        longest = max(self._bottom_levels(with_edges=False, costs=fastest), default=0.0)
        return max(math.fsum(core_time) / workers, longest)

    @cached_property
    def distance_to_end(self) -> tuple[float, ...]:
        """Per node: its cost plus the longest path of node and edge costs to a sink."""
        return self._bottom_levels(with_edges=True)

    @cached_property
    def critical_path(self) -> float:
        """Longest path counting node and edge costs (the makespan if every edge crossed streams)."""
        return max(self.distance_to_end, default=0.0)

    @cached_property
    def critical_path_without_edges(self) -> float:
        """Longest path counting node costs only: a lower bound on any makespan."""
        return max(self._bottom_levels(with_edges=False), default=0.0)

    def to_networkx(self) -> nx.DiGraph:
        """A `networkx.DiGraph` with node attributes name/op_type/cost and edge attributes nbytes/cost."""
        import networkx as nx

        g = nx.DiGraph()
        for i, node in enumerate(self.nodes):
            g.add_node(i, name=node.name, op_type=node.op_type, cost=node.cost)
        for e in self.edges:
            g.add_edge(e.src, e.dst, nbytes=e.nbytes, cost=e.cost)
        return g


@dataclass(frozen=True)
class Schedule:
    """Streams of node ids, each in its execution order, and optional cluster ids.

    `streams` and `clusters` accept any sequences and are stored as tuples, so a
    schedule is immutable, hashable and prints the same way every time.
    `clusters[v]` is the cluster a heuristic put node `v` in before clusters were
    merged onto streams (None when the heuristic has no notion of clusters).
    A node listed on several streams runs on that many intra-op threads (see the
    module docstring).
    """

    streams: Sequence[Sequence[int]]
    clusters: Sequence[int] | None = None
    _streams_of: dict[int, tuple[int, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        """Freeze the sequences and index node -> the streams listing it, in stream order."""
        streams = tuple(tuple(int(v) for v in s) for s in self.streams)
        object.__setattr__(self, "streams", streams)
        if self.clusters is not None:
            object.__setattr__(self, "clusters", tuple(int(c) for c in self.clusters))
        lists: dict[int, list[int]] = {}
        for i, s in enumerate(streams):
            for v in s:
                lists.setdefault(v, []).append(i)
        object.__setattr__(
            self, "_streams_of", {v: tuple(on) for v, on in lists.items()}
        )

    @property
    def num_streams(self) -> int:
        """Number of streams."""
        return len(self.streams)

    @property
    def num_clusters(self) -> int | None:
        """Number of distinct clusters, or None when the heuristic reported none."""
        return None if self.clusters is None else len(set(self.clusters))

    def stream_of(self, node: int) -> int:
        """The home stream of `node`: the first that lists it (KeyError if unplaced)."""
        return self._streams_of[node][0]

    def streams_of(self, node: int) -> tuple[int, ...]:
        """Every stream that lists `node`, ascending: as many as its intra-op threads."""
        return self._streams_of[node]

    @property
    def threaded(self) -> bool:
        """Whether some node runs on several intra-op threads (is listed on several streams)."""
        return any(len(on) > 1 for on in self._streams_of.values())

    def cross_stream_edges(self, graph: TaskGraph) -> list[Edge]:
        """Edges of `graph` whose ends have different home streams, in (src, dst) order."""
        return [e for e in graph.edges if self.stream_of(e.src) != self.stream_of(e.dst)]
