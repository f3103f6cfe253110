"""Dominant Sequence Clustering (Yang and Gerasoulis, IEEE TPDS 1994), then the `cp` merge step.

DSC clusters for an unbounded number of streams. It examines nodes in decreasing
priority tlevel + blevel (blevel = distance to end; tlevel = start time if the node
got a cluster of its own). Each examined node is appended to the cluster of one of
its predecessors when that starts it no later than a cluster of its own would (the
cluster whose choice starts it earliest, ties to the lower cluster id), which zeroes the
edges from that cluster. The dominant sequence reduction warranty (DSRW) is kept in
a simple form: when a partially free node ny has a higher priority than the node
being placed, the node is not appended to a cluster that ny could later join if
that would push the cluster's finish past ny's earliest start in it.

The resulting clusters, which unlike linear clusters may hold independent nodes, are
mapped onto the workers by the same merge step as `cp` (`schedule_clusters`), so the
two heuristics differ only in how they cluster.
"""

from __future__ import annotations

import heapq

from ramiel.scheduling.cp import schedule_clusters
from ramiel.scheduling.registry import register_heuristic
from ramiel.scheduling.taskgraph import Schedule, TaskGraph


def dsc_clusters(graph: TaskGraph) -> list[list[int]]:
    """Cluster the graph by DSC; each cluster lists its nodes in execution order."""
    n = len(graph)
    blevel = graph.distance_to_end
    costs = graph.costs
    cluster = [-1] * n
    members: list[list[int]] = []
    cluster_finish: list[float] = []
    finish = [0.0] * n
    placed_preds = [0] * n
    tlevel = [0.0] * n  # start time if given a cluster of its own
    free = [(-blevel[v], v) for v in range(n) if not graph.preds(v)]
    heapq.heapify(free)
    partial: list[
        tuple[float, int, int]
    ] = []  # (-priority, node, placed preds when pushed)
    while free:
        _, x = heapq.heappop(free)
        while partial and (
            placed_preds[partial[0][1]] != partial[0][2] or cluster[partial[0][1]] >= 0
        ):
            heapq.heappop(partial)
        inputs = list(zip(graph.preds(x), graph.pred_costs(x), strict=True))
        best, best_start = -1, tlevel[x]
        for c in sorted({cluster[p] for p, _ in inputs}):
            start = max(
                [cluster_finish[c]]
                + [finish[p] + (0.0 if cluster[p] == c else w) for p, w in inputs]
            )
            # Joining a cluster that starts x no later than its own cluster saves hand-offs.
            if start < best_start or (best < 0 and start == best_start):
                best, best_start = c, start
        if best >= 0 and partial and -partial[0][0] > tlevel[x] + blevel[x]:
            y = partial[0][1]
            y_inputs = [
                (p, w)
                for p, w in zip(graph.preds(y), graph.pred_costs(y), strict=True)
                if cluster[p] >= 0
            ]
            if any(cluster[p] == best for p, _ in y_inputs):
                y_start = max(
                    finish[p] + (0.0 if cluster[p] == best else w) for p, w in y_inputs
                )
                if best_start + costs[x] > y_start:
                    best, best_start = -1, tlevel[x]
        if best < 0:
            best = len(members)
            members.append([])
            cluster_finish.append(0.0)
        cluster[x] = best
        members[best].append(x)
        finish[x] = cluster_finish[best] = best_start + costs[x]
        for y, w in zip(graph.succs(x), graph.succ_costs(x), strict=True):
            placed_preds[y] += 1
            tlevel[y] = max(tlevel[y], finish[x] + w)
            if placed_preds[y] == len(graph.preds(y)):
                heapq.heappush(free, (-(tlevel[y] + blevel[y]), y))
            else:
                heapq.heappush(partial, (-(tlevel[y] + blevel[y]), y, placed_preds[y]))
    return members


@register_heuristic("dsc")
def dsc(graph: TaskGraph, workers: int) -> Schedule:
    """DSC clustering, then the `cp` merge of clusters onto `workers` streams."""
    return schedule_clusters(graph, dsc_clusters(graph), workers)
