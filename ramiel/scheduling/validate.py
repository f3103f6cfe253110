"""Checks that a schedule is executable: the same rules for built-in and researchers' heuristics."""

from __future__ import annotations

from itertools import pairwise

from ramiel.scheduling.taskgraph import Schedule, TaskGraph


class ScheduleError(ValueError):
    """A schedule that cannot run as given; the message names the mistake."""


def _prefix(heuristic: str | None) -> str:
    return f"heuristic {heuristic!r} " if heuristic else "schedule "


def check_placement(
    graph: TaskGraph, schedule: Schedule, heuristic: str | None = None
) -> list[int]:
    """Return the home stream of each node, raising `ScheduleError` unless every node is placed.

    A node is placed on one stream, or on several (as many as its intra-op threads)
    when the graph gives its cost on that many threads; never twice on one stream.
    """
    n = len(graph)
    where = [-1] * n
    for i, stream in enumerate(schedule.streams):
        if not stream:
            raise ScheduleError(
                f"{_prefix(heuristic)}returned stream {i} empty; leave empty streams out"
            )
        for v in stream:
            if not 0 <= v < n:
                raise ScheduleError(
                    f"{_prefix(heuristic)}placed node {v} on stream {i}, but the graph has nodes 0..{n - 1}"
                )
            if where[v] < 0:
                where[v] = i
    for v in range(n):
        if where[v] < 0:
            continue
        on = schedule.streams_of(v)
        if len(set(on)) < len(on):
            raise ScheduleError(
                f"{_prefix(heuristic)}placed node {v} ({graph.nodes[v].name}) twice on stream {on[0]}"
            )
        if len(on) > graph.max_threads(v):
            raise ScheduleError(
                f"{_prefix(heuristic)}placed node {v} ({graph.nodes[v].name}) twice: on streams "
                f"{', '.join(map(str, on))}, but the graph gives its cost on at most "
                f"{graph.max_threads(v)} thread(s)"
            )
    missing = [v for v in range(n) if where[v] < 0]
    if missing:
        shown = ", ".join(f"{v} ({graph.nodes[v].name})" for v in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ScheduleError(f"{_prefix(heuristic)}left nodes unplaced: {shown}{more}")
    if schedule.clusters is not None and len(schedule.clusters) != n:
        raise ScheduleError(
            f"{_prefix(heuristic)}reported {len(schedule.clusters)} cluster ids for {n} nodes"
        )
    return where


def validate(
    graph: TaskGraph, schedule: Schedule, workers: int, heuristic: str | None = None
) -> None:
    """Raise `ScheduleError` unless `schedule` is a correct, deadlock-free schedule for `workers` workers.

    Checked: at most `workers` non-empty streams; every node placed once, or on as
    many streams as it has intra-op threads (see `check_placement`); each
    stream ordered so that dependencies inside it point forwards; and no deadlock, i.e.
    the dependencies together with the stream orders form an acyclic graph.
    `heuristic` names the culprit in the messages.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if schedule.num_streams > workers:
        raise ScheduleError(
            f"{_prefix(heuristic)}used {schedule.num_streams} streams for {workers} workers"
        )
    where = check_placement(graph, schedule, heuristic)
    positions = [{v: k for k, v in enumerate(stream)} for stream in schedule.streams]
    for e in graph.edges:
        for s in schedule.streams_of(e.src):
            position = positions[s]
            if e.dst in position and position[e.src] > position[e.dst]:
                raise ScheduleError(
                    f"{_prefix(heuristic)}ordered stream {s} against a dependency: node {e.dst} "
                    f"({graph.nodes[e.dst].name}) runs before its input {e.src} ({graph.nodes[e.src].name})"
                )
    import networkx as nx  # imported on use: it takes as long as a small compile

    waits = nx.DiGraph()
    waits.add_nodes_from(range(len(graph)))
    waits.add_edges_from((e.src, e.dst) for e in graph.edges)
    for stream in schedule.streams:
        waits.add_edges_from(pairwise(stream))
    try:
        cycle = nx.find_cycle(waits)
    except nx.NetworkXNoCycle:
        return
    path = " -> ".join(
        f"{u} ({graph.nodes[u].name}, stream {where[u]})" for u, _ in cycle
    )
    raise ScheduleError(
        f"{_prefix(heuristic)}produced a cross-stream deadlock: {path} -> {cycle[0][0]}"
    )
