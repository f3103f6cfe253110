"""Graphviz DOT text of a task graph, nodes filled by stream, cross-stream edges dashed."""

from __future__ import annotations

from ramiel.scheduling.gantt import stream_colour
from ramiel.scheduling.taskgraph import Schedule, TaskGraph


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

    Nodes are `n<id>` labelled with name, op type and cost; edges between streams are
    red and dashed. The text depends only on the arguments (ids in order, edges sorted).
    """
    lines = [
        f"digraph {_quoted(title)} {{",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fillcolor="#ffffff"];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for v, node in enumerate(graph.nodes):
        label = [node.name, f"{node.op_type}  {node.cost * 1e6:.1f} us"]
        attrs = f"label={_quoted(*label)}"
        if schedule is not None:
            s = schedule.stream_of(v)
            attrs = f'label={_quoted(*label, f"stream {s}")}, fillcolor="{stream_colour(s)}"'
        lines.append(f"  n{v} [{attrs}];")
    for e in graph.edges:
        crosses = schedule is not None and schedule.stream_of(
            e.src
        ) != schedule.stream_of(e.dst)
        style = ' [color="#d62728", style=dashed]' if crosses else ""
        lines.append(f"  n{e.src} -> n{e.dst}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"
