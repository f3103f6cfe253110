"""Graphviz DOT text of a task graph, nodes filled by stream, cross-stream edges dashed."""

from __future__ import annotations

from ramiel.scheduling.gantt import CROSS_STREAM_COLOUR, stream_colour
from ramiel.scheduling.taskgraph import Schedule, TaskGraph


def node_label(
    graph: TaskGraph, v: int, schedule: Schedule | None = None
) -> tuple[str, ...]:
    """The lines a picture labels node `v` with: its name, op type and cost, and its stream."""
    node = graph.nodes[v]
    lines = (node.name, f"{node.op_type}  {node.cost * 1e6:.1f} us")
    return lines if schedule is None else (*lines, f"stream {schedule.stream_of(v)}")


def _quoted(*lines: str) -> str:
    """A DOT string literal of `lines` separated by DOT line breaks."""
    return (
        '"'
        + "\\n".join(t.replace("\\", "\\\\").replace('"', '\\"') for t in lines)
        + '"'
    )


def to_dot(
    graph: TaskGraph, schedule: Schedule | None = None, title: str = "taskgraph"
) -> str:
    """DOT text for `graph`; with a schedule, nodes are coloured by stream and labelled with it.

    Nodes are `task<id>` (the task graph's node id) labelled with name, op type and
    cost; edges between streams are red and dashed. The text depends only on the
    arguments (ids in order, edges sorted).
    """
    lines = [
        f"digraph {_quoted(title)} {{",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fillcolor="#ffffff"];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    # Ids are positions, not names: names repeat (a cloned op keeps its original's
    # name) and, in models whose ops are named `n<k>`, would be mistaken for ids.
    for v in range(len(graph.nodes)):
        attrs = f"label={_quoted(*node_label(graph, v, schedule))}"
        if schedule is not None:
            attrs += f', fillcolor="{stream_colour(schedule.stream_of(v))}"'
        lines.append(f"  task{v} [{attrs}];")
    for e in graph.edges:
        crosses = schedule is not None and schedule.stream_of(
            e.src
        ) != schedule.stream_of(e.dst)
        style = f' [color="{CROSS_STREAM_COLOUR}", style=dashed]' if crosses else ""
        lines.append(f"  task{e.src} -> task{e.dst}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"
