"""A task graph drawn as self-contained SVG text, without Graphviz or any other program.

The picture shows what `to_dot` describes: one rounded box per node, labelled as
`to_dot` labels it and filled with its stream's colour (the Gantt chart's), one
arrow per edge, red and dashed where it crosses streams, and a legend.

Layout: a node's layer is the length of the longest path reaching it, so every
edge points down to a later layer. Within layers, a few barycentre sweeps order
each node near the mean position of its neighbours, which removes most crossings
of fork-join graphs. Layers wider than `_MAX_ROW` boxes wrap onto further rows and
label lines are cut at `_MAX_LABEL` characters, so the width stays bounded
however wide the graph; the height grows with the number of nodes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ramiel.scheduling.dot import node_label
from ramiel.scheduling.gantt import (
    CHAR_WIDTH,
    CROSS_STREAM_COLOUR,
    legend_svg,
    stream_colour,
    svg_text,
)
from ramiel.scheduling.taskgraph import Schedule, TaskGraph

_MAX_LABEL = 32  # characters per label line; a node's tooltip keeps its whole name
_MAX_ROW = 24  # boxes per row; wider layers wrap
_SWEEPS = 4  # barycentre sweeps, alternately down and up
_LINE = 13  # height of a label line
_PAD = 5
_MIN_BOX = 70
_HGAP = 16
_VGAP = 34  # between rows, where the edges run
_MARGIN = 12
_MIN_WIDTH = 360
_TITLE_CHAR = 8.5  # average width of a 15px bold character
_EDGE_COLOUR = "#555"


def _layers(graph: TaskGraph) -> list[list[int]]:
    """Node ids grouped by longest-path depth, each group ascending."""
    # Ids are a topological order, so one forward sweep finds every depth.
    depth = [0] * len(graph)
    for v in range(len(graph)):
        depth[v] = max((depth[u] + 1 for u in graph.preds(v)), default=0)
    layers: list[list[int]] = [[] for _ in range(max(depth, default=-1) + 1)]
    for v, d in enumerate(depth):
        layers[d].append(v)
    return layers


def _order(graph: TaskGraph, layers: list[list[int]]) -> None:
    """Reorder each layer in place so that nodes sit near their neighbours."""
    pos: dict[int, float] = {}

    def place(layer: list[int]) -> None:
        # Positions are fractions of the layer's width, so layers of different
        # sizes compare; neighbours may sit in any earlier (or later) layer.
        for i, v in enumerate(layer):
            pos[v] = (i + 0.5) / len(layer)

    def barycentre(neighbours: Sequence[int], v: int) -> float:
        return (
            sum(pos[u] for u in neighbours) / len(neighbours) if neighbours else pos[v]
        )

    for layer in layers:
        place(layer)
    for sweep in range(_SWEEPS):
        down = sweep % 2 == 0
        side = graph.preds if down else graph.succs
        for layer in layers[1:] if down else layers[-2::-1]:
            # Python's sort is stable: ties keep the previous order, so the
            # result depends on the graph alone.
            layer.sort(key=lambda v: barycentre(side(v), v))
            place(layer)


def _cut(text: str) -> str:
    """`text`, shortened to `_MAX_LABEL` characters with an ellipsis."""
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "\u2026"


def graph_svg(
    graph: TaskGraph, schedule: Schedule | None = None, title: str = "taskgraph"
) -> str:
    """An SVG drawing of `graph`: a rounded box per node, an arrow per edge, a title.

    Boxes are labelled with name, op type and cost (and stream) as `to_dot` labels
    them, with the whole name in a tooltip. With a schedule, boxes are filled with
    their stream's colour, edges between streams are red and dashed, and a legend
    names each stream's colour and the dashed edge. The text depends only on the
    arguments.
    """
    layers = _layers(graph)
    _order(graph, layers)
    rows = [
        layer[i : i + _MAX_ROW]
        for layer in layers
        for i in range(0, len(layer), _MAX_ROW)
    ]
    labels = [
        tuple(_cut(t) for t in node_label(graph, v, schedule))
        for v in range(len(graph))
    ]
    box_w = max(
        (len(t) * CHAR_WIDTH + 2 * _PAD for lines in labels for t in lines),
        default=_MIN_BOX,
    )
    box_w = max(box_w, _MIN_BOX)
    box_h = (3 if schedule is not None else 2) * _LINE + 2 * _PAD
    widest = max((len(row) for row in rows), default=0)
    # Whole pixels, so that the width the header declares is the one laid out.
    width = math.ceil(
        max(
            2 * _MARGIN + widest * box_w + max(widest - 1, 0) * _HGAP,
            2 * _MARGIN + len(title) * _TITLE_CHAR,
            _MIN_WIDTH,
        )
    )

    body = [
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{svg_text(title)}</text>'
    ]
    top = 34.0
    if schedule is not None:
        # The streams that run something, as the Gantt chart's legend lists them.
        streams = [i for i, nodes in enumerate(schedule.streams) if nodes]
        legend, legend_height = legend_svg(
            streams,
            _MARGIN,
            top,
            width - 2 * _MARGIN,
            cross_stream=True,
        )
        body.extend(legend)
        top += legend_height + 10

    at: dict[int, tuple[float, float]] = {}  # node -> top-left corner of its box
    for r, row in enumerate(rows):
        row_w = len(row) * box_w + (len(row) - 1) * _HGAP
        x0 = (width - row_w) / 2
        for i, v in enumerate(row):
            at[v] = (x0 + i * (box_w + _HGAP), top + r * (box_h + _VGAP))

    # Edges first, so that boxes cover the stretches of long edges passing behind them.
    cross = set(schedule.cross_stream_edges(graph)) if schedule is not None else set()
    body.append('<g class="edges">')
    for e in graph.edges:
        (sx, sy), (dx, dy) = at[e.src], at[e.dst]
        crosses = e in cross
        style = (
            f'stroke="{CROSS_STREAM_COLOUR}" stroke-dasharray="5,3" marker-end="url(#arrow-cross)"'
            if crosses
            else f'stroke="{_EDGE_COLOUR}" marker-end="url(#arrow)"'
        )
        tip = f"{graph.nodes[e.src].name} -> {graph.nodes[e.dst].name}"
        if e.nbytes:
            tip += f", {e.nbytes} bytes"
        if crosses:
            tip += ", across streams"
        body.append(
            f'<line x1="{sx + box_w / 2:.1f}" y1="{sy + box_h:.1f}" x2="{dx + box_w / 2:.1f}" '
            f'y2="{dy:.1f}" {style} stroke-width="1"><title>{svg_text(tip)}</title></line>'
        )
    body.append("</g>")

    body.append('<g class="nodes">')
    for v, node in enumerate(graph.nodes):
        x, y = at[v]
        fill = "#ffffff" if schedule is None else stream_colour(schedule.stream_of(v))
        tip = f"{node.name} ({node.op_type}), task {v}: {node.cost * 1e6:.1f} us"
        if schedule is not None:
            tip += f", stream {schedule.stream_of(v)}"
        body.append(
            f'<g class="node" id="task{v}"><title>{svg_text(tip)}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_w:.1f}" height="{box_h}" rx="6" '
            f'fill="{fill}" stroke="#444" stroke-width="0.8"/>'
        )
        for k, line in enumerate(labels[v]):
            body.append(
                f'<text x="{x + box_w / 2:.1f}" y="{y + _PAD + (k + 1) * _LINE - 3:.1f}" '
                f'text-anchor="middle">{svg_text(line)}</text>'
            )
        body.append("</g>")
    body.append("</g>")

    height = math.ceil(
        top + len(rows) * (box_h + _VGAP) - (_VGAP if rows else 0) + _MARGIN
    )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="11">'
    )
    defs = (
        "<defs>"
        + "".join(
            f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="{colour}"/></marker>'
            for name, colour in (
                ("arrow", _EDGE_COLOUR),
                ("arrow-cross", CROSS_STREAM_COLOUR),
            )
        )
        + "</defs>"
    )
    return (
        "\n".join([head, f"<title>{svg_text(title)}</title>", defs, *body, "</svg>"])
        + "\n"
    )
