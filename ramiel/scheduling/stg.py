"""Kasahara's Standard Task Graph (STG) text format: reading and writing task graphs.

An STG file lists integers separated by white space: first the number of tasks n,
not counting two dummy tasks, then one entry per task, ids 0 to n + 1:

    id  cost  number-of-predecessors  predecessor-ids...

Task 0 is a zero-cost dummy entry and task n + 1 a zero-cost dummy exit; every other
task without predecessors lists 0, and the exit lists every task without successors.
Lines from `#` to their end are comments (the STG set puts a summary there).

The format has no communication costs, no time unit and no names. Ramiel keeps them
in comment lines, which other STG readers skip, so a file written here is a valid STG
file that reads back to the same graph:

    # time unit : 1e-09 s           integer costs times this are seconds
    # comm 3 7 4500                 edge 3 -> 7 (STG ids) costs 4500 units
    # op 3 Conv conv1/7x7_s2        task 3 is a Conv named conv1/7x7_s2

(white space in a name is collapsed to single spaces, in an op type to `_`).

Costs are written as integers: unchanged when every node and edge cost is already an
integer (time unit 1), otherwise rounded to a power-of-ten time unit a millionth of
the largest cost or finer, so each cost is off by at most half a unit.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

from ramiel.scheduling.taskgraph import Edge, Node, TaskGraph

UNITS_PER_LARGEST_COST = 10**6
"""When costs are not integers, the largest one is written as at least this many units."""

_TIME_UNIT = re.compile(r"time unit\s*:\s*(\S+)\s*s\s*$", re.IGNORECASE)
_COMM = re.compile(r"comm\s+(\d+)\s+(\d+)\s+(\d+)\s*$")
_OP = re.compile(r"op\s+(\d+)\s+(\S+)\s+(.+?)\s*$")


@dataclass(frozen=True)
class StgGraph:
    """A task graph read from STG text, with the file's time unit (seconds per cost unit) and comments.

    `stg_ids[v]` is the STG id of node `v`; `comments` are the comment lines, without
    their `#`, that are not Ramiel's own (time unit, comm and op lines).
    """

    graph: TaskGraph
    time_unit: float
    stg_ids: tuple[int, ...]
    comments: tuple[str, ...]


def parse_stg(text: str) -> StgGraph:
    """Parse STG text (see the module docstring); raises ValueError naming the line at fault."""
    tokens: list[tuple[int, int]] = []  # (value, line number)
    comments: list[str] = []
    time_unit = 1.0
    comm: dict[tuple[int, int], int] = {}
    ops: dict[int, tuple[str, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        body, hash_sign, comment = line.partition("#")
        if hash_sign:
            comment = comment.strip()
            if m := _TIME_UNIT.fullmatch(comment):
                time_unit = float(m.group(1))
            elif m := _COMM.fullmatch(comment):
                comm[(int(m.group(1)), int(m.group(2)))] = int(m.group(3))
            elif m := _OP.fullmatch(comment):
                ops[int(m.group(1))] = (m.group(2), m.group(3))
            else:
                comments.append(comment)
        for word in body.split():
            try:
                tokens.append((int(word), number))
            except ValueError:
                raise ValueError(
                    f"line {number}: expected an integer, got {word!r}"
                ) from None
    if not (math.isfinite(time_unit) and time_unit > 0.0):
        raise ValueError(
            f"time unit must be a positive number of seconds, got {time_unit}"
        )
    tasks = _read_tasks(tokens)
    return _to_graph(tasks, time_unit, comm, ops, tuple(comments))


def _read_tasks(tokens: list[tuple[int, int]]) -> list[tuple[int, list[int]]]:
    """(cost, predecessor ids) of tasks 0..n+1, checked against the STG layout."""
    if not tokens:
        raise ValueError("empty STG text: expected the number of tasks")
    count, _ = tokens[0]
    if count < 0:
        raise ValueError(f"line {tokens[0][1]}: negative number of tasks {count}")
    position = 1

    def take(what: str) -> int:
        nonlocal position
        if position >= len(tokens):
            raise ValueError(f"STG text ends early: expected {what}")
        value, _ = tokens[position]
        position += 1
        return value

    tasks: list[tuple[int, list[int]]] = []
    for expected in range(count + 2):
        line = tokens[min(position, len(tokens) - 1)][1]
        task_id = take(f"task {expected}")
        if task_id != expected:
            raise ValueError(f"line {line}: expected task {expected}, got {task_id}")
        cost = take(f"the cost of task {task_id}")
        preds = [
            take(f"a predecessor of task {task_id}")
            for _ in range(take(f"the predecessor count of task {task_id}"))
        ]
        if cost < 0 or any(not 0 <= p <= count + 1 or p == task_id for p in preds):
            raise ValueError(
                f"line {line}: task {task_id} has a negative cost or a bad predecessor"
            )
        tasks.append((cost, preds))
    if position != len(tokens):
        raise ValueError(f"line {tokens[position][1]}: numbers after the last task")
    return tasks


def _to_graph(
    tasks: list[tuple[int, list[int]]],
    time_unit: float,
    comm: dict[tuple[int, int], int],
    ops: dict[int, tuple[str, str]],
    comments: tuple[str, ...],
) -> StgGraph:
    """Drop the zero-cost dummies and number the rest in a topological order."""
    exit_id = len(tasks) - 1
    dummies = {t for t in (0, exit_id) if tasks[t][0] == 0}
    import networkx as nx  # imported on use: it takes as long as a small compile

    dag = nx.DiGraph()
    dag.add_nodes_from(t for t in range(len(tasks)) if t not in dummies)
    dag.add_edges_from(
        (p, t)
        for t, (_, preds) in enumerate(tasks)
        for p in preds
        if not {p, t} & dummies
    )
    try:
        order = list(nx.lexicographical_topological_sort(dag))
    except nx.NetworkXUnfeasible:
        raise ValueError("the STG predecessor lists form a cycle") from None
    index = {t: v for v, t in enumerate(order)}
    nodes = []
    for t in order:
        op_type, name = ops.get(t, ("Task", f"t{t}"))
        nodes.append(Node(name, op_type, tasks[t][0] * time_unit))
    edges = [
        Edge(index[p], index[t], 0, comm.get((p, t), 0) * time_unit)
        for p, t in dag.edges
    ]
    return StgGraph(TaskGraph(nodes, edges), time_unit, tuple(order), comments)


def read_stg(path: str | os.PathLike[str]) -> StgGraph:
    """Read an STG file (see `parse_stg`)."""
    with open(path, encoding="utf-8") as f:
        return parse_stg(f.read())


def _time_unit_for(graph: TaskGraph) -> float:
    """1 when every cost is an integer, else a power of ten a millionth of the largest cost or finer."""
    costs = [*graph.costs, *(e.cost for e in graph.edges)]
    if all(c.is_integer() for c in costs):
        return 1.0
    largest = max(costs)
    return 10.0 ** math.floor(math.log10(largest / UNITS_PER_LARGEST_COST))


def _word(text: str, default: str) -> str:
    """`text` as one word (white space becomes `_`), or `default` when empty."""
    return "_".join(text.split()) or default


def format_stg(
    graph: TaskGraph,
    *,
    time_unit: float | None = None,
    comments: tuple[str, ...] | list[str] = (),
) -> str:
    """STG text for `graph`: node v is task v + 1, with the dummies, costs, names and `comments`.

    `time_unit` (seconds per integer unit) defaults as the module docstring says.
    """
    unit = _time_unit_for(graph) if time_unit is None else time_unit
    if not (math.isfinite(unit) and unit > 0.0):
        raise ValueError(f"time unit must be a positive number of seconds, got {unit}")
    n = len(graph)
    exit_id = n + 1
    lines = [str(n), "0 0 0"]
    for v in range(n):
        preds = [p + 1 for p in graph.preds(v)] or [0]
        lines.append(
            " ".join(
                map(str, [v + 1, round(graph.costs[v] / unit), len(preds), *preds])
            )
        )
    sinks = [v + 1 for v in range(n) if not graph.succs(v)] or [0]
    lines.append(" ".join(map(str, [exit_id, 0, len(sinks), *sinks])))
    dummy_edges = sum(1 for v in range(n) if not graph.preds(v)) + len(sinks)
    lines += [
        "# Standard Task Graph Set format",
        f"# Tasks : {n} (+dummy tasks : 2)",
        f"# Edges : {len(graph.edges)} (+dummy edges : {dummy_edges})",
        f"# time unit : {unit!r} s",
        *(f"# {line}" for c in comments for line in c.splitlines()),
        *(
            f"# comm {e.src + 1} {e.dst + 1} {round(e.cost / unit)}"
            for e in graph.edges
            if e.cost
        ),
        *(
            f"# op {v + 1} {_word(node.op_type, 'Op')} {' '.join(node.name.split()) or f't{v + 1}'}"
            for v, node in enumerate(graph.nodes)
        ),
    ]
    return "\n".join(lines) + "\n"


def write_stg(
    graph: TaskGraph,
    path: str | os.PathLike[str],
    *,
    time_unit: float | None = None,
    comments: tuple[str, ...] | list[str] = (),
) -> None:
    """Write `graph` to an STG file (see `format_stg`)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(format_stg(graph, time_unit=time_unit, comments=comments))
