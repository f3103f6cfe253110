"""Gantt charts of simulated (and measured) timelines as self-contained SVG text.

Also the pieces every schedule picture shares: stream colours, the stream legend
and the escaping of model text (used by `dot` and `graph_svg` too).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from ramiel.scheduling.simulate import Simulation
from ramiel.scheduling.taskgraph import TaskGraph

# ColorBrewer Set3: light fills that keep black labels readable.
_PALETTE = (
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462",
    "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f",
)  # fmt: skip

_WIDTH = 1000
_LEFT = 80
_RIGHT = 20
_ROW = 26
_TITLE = 24
_AXIS = 30
CHAR_WIDTH = 6.2
"""Average width in pixels of an 11px sans-serif character, for fitting labels in boxes."""

CROSS_STREAM_COLOUR = "#d62728"
"""Stroke of edges whose ends run on different streams, in DOT graphs and SVG pictures."""

# Characters XML 1.0 forbids even when escaped; model names may hold any of them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LEGEND_ROW = 18
_SWATCH = 12

TimelineRows = Sequence[tuple[int, int, float, float]]
"""`(stream, node, start, end)` tuples, e.g. measured by a profiler."""


def stream_colour(stream: int) -> str:
    """Fill colour of a stream, shared by Gantt charts, DOT graphs and graph pictures."""
    return _PALETTE[stream % len(_PALETTE)]


def svg_text(text: str) -> str:
    """`text` as SVG character data: XML-escaped, with characters XML cannot hold as U+FFFD."""
    return escape(_NOT_XML.sub("\ufffd", text))


def legend_svg(
    streams: Sequence[int],
    left: float,
    top: float,
    width: float,
    *,
    cross_stream: bool = False,
) -> tuple[list[str], float]:
    """A legend whose first row sits at `top`: a swatch of each stream's colour named
    `stream <s>` and, with `cross_stream`, a red dashed line named `cross-stream edge`.

    Entries run left to right from `left` and wrap to a new row before `left + width`.
    Returns the elements (one `<g class="legend">`) and the height used, 0 when empty.
    """
    return swatch_legend(
        [(f"stream {s}", stream_colour(s)) for s in streams],
        left, top, width,
        line=("cross-stream edge", CROSS_STREAM_COLOUR) if cross_stream else None,
    )  # fmt: skip


def swatch_legend(
    swatches: Sequence[tuple[str, str]],
    left: float,
    top: float,
    width: float,
    *,
    line: tuple[str, str] | None = None,
) -> tuple[list[str], float]:
    """A legend of `(label, fill colour)` swatches and, if given, one `(label, colour)` dashed line.

    Laid out as `legend_svg` says; returns the elements and the height used.
    """
    entries = [*swatches, *([line] if line is not None else [])]
    if not entries:
        return [], 0.0
    out = ['<g class="legend">']
    x, y = left, top
    for i, (label, colour) in enumerate(entries):
        is_swatch = i < len(swatches)
        sample = _SWATCH if is_swatch else 2 * _SWATCH
        entry = sample + 6 + len(label) * CHAR_WIDTH + 16
        if x > left and x + entry > left + width:
            x, y = left, y + _LEGEND_ROW
        if is_swatch:
            # A path, not a rect, so that a picture's rects are exactly its boxes
            # (one per node or timeline entry) and can be counted as such.
            out.append(
                f'<path d="M{x:.1f} {y:.1f}h{_SWATCH}v{_SWATCH}h-{_SWATCH}z" '
                f'fill="{colour}" stroke="#444" stroke-width="0.5"/>'
            )
        else:
            mid = y + _SWATCH / 2
            out.append(
                f'<line x1="{x:.1f}" y1="{mid:.1f}" x2="{x + sample:.1f}" y2="{mid:.1f}" '
                f'stroke="{colour}" stroke-width="1.2" stroke-dasharray="5,3"/>'
            )
        out.append(
            f'<text x="{x + sample + 6:.1f}" y="{y + _SWATCH - 2:.1f}">{svg_text(label)}</text>'
        )
        x += entry
    out.append("</g>")
    return out, y - top + _LEGEND_ROW


def _tick_step(span: float) -> float:
    raw = span / 8.0
    base = 10.0 ** math.floor(math.log10(raw))
    return next(m * base for m in (1.0, 2.0, 5.0, 10.0) if m * base >= raw)


def _time_label(t: float, unit: float) -> str:
    return f"{t / unit:.6g}"


def _panel(
    rows: TimelineRows, graph: TaskGraph, label: str, top: float, scale: float
) -> tuple[list[str], float]:
    """SVG elements of one timeline whose title sits at `top`; returns them and the height used."""
    streams = sorted({r[0] for r in rows})
    row_of = {s: i for i, s in enumerate(streams)}
    out = [
        f'<text x="{_LEFT}" y="{top + 16:.1f}" font-size="13" font-weight="bold">{svg_text(label)}</text>'
    ]
    for s in streams:
        y = top + _TITLE + row_of[s] * _ROW
        out.append(
            f'<text x="{_LEFT - 8}" y="{y + _ROW / 2 + 4:.1f}" text-anchor="end">stream {s}</text>'
        )
    for s, v, t0, t1 in rows:
        x = _LEFT + t0 * scale
        w = max((t1 - t0) * scale, 0.5)
        y = top + _TITLE + row_of[s] * _ROW + 2
        node = graph.nodes[v]
        tip = f"{node.name} ({node.op_type}) on stream {s}: {t0 * 1e3:.4f} - {t1 * 1e3:.4f} ms"
        out.append(
            f'<g><title>{svg_text(tip)}</title><rect x="{x:.2f}" y="{y:.1f}" width="{w:.2f}" height="{_ROW - 4}" '
            f'fill="{stream_colour(s)}" stroke="#444" stroke-width="0.5"/>'
        )
        if len(node.name) * CHAR_WIDTH + 4 <= w:
            out.append(
                f'<text x="{x + w / 2:.2f}" y="{y + _ROW / 2 + 2:.1f}" text-anchor="middle">{svg_text(node.name)}</text>'
            )
        out.append("</g>")
    return out, _TITLE + len(streams) * _ROW


def gantt_svg(
    simulation: Simulation,
    graph: TaskGraph,
    title: str = "",
    *,
    measured: Simulation | TimelineRows | None = None,
    labels: tuple[str, str] = ("predicted", "measured"),
) -> str:
    """An SVG Gantt chart: one row per stream, one box per node, a time axis and a
    legend of the streams' colours (the colours `graph_svg` and `to_dot` fill nodes with).

    Boxes carry the op name where it fits and a tooltip with name, type and times.
    With `measured` (another simulation or `(stream, node, start, end)` rows), a second
    chart on the same time scale is drawn below the first; `labels` names the two.
    """
    panels: list[tuple[str, TimelineRows]] = [(labels[0], simulation.rows())]
    if measured is not None:
        panels.append(
            (
                labels[1],
                measured.rows()
                if isinstance(measured, Simulation)
                else sorted(measured),
            )
        )
    span = max((r[3] for _, rows in panels for r in rows), default=0.0) or 1e-3
    scale = (_WIDTH - _LEFT - _RIGHT) / span
    body: list[str] = []
    top = 8.0
    if title:
        body.append(
            f'<text x="{_WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{svg_text(title)}</text>'
        )
        top = 32.0
    for label, rows in panels:
        elements, height = _panel(rows, graph, label, top, scale)
        body.extend(elements)
        top += height + 8
    unit, unit_name = (1e-3, "ms") if span >= 1e-3 else (1e-6, "us")
    step = _tick_step(span)
    body.append(
        f'<line x1="{_LEFT}" y1="{top:.1f}" x2="{_WIDTH - _RIGHT}" y2="{top:.1f}" stroke="#000"/>'
    )
    for k in range(int(span / step + 1e-9) + 1):
        x = _LEFT + k * step * scale
        body.append(
            f'<line x1="{x:.2f}" y1="{top:.1f}" x2="{x:.2f}" y2="{top + 5:.1f}" stroke="#000"/>'
        )
        body.append(
            f'<text x="{x:.2f}" y="{top + 17:.1f}" text-anchor="middle">{_time_label(k * step, unit)}</text>'
        )
    body.append(
        f'<text x="{_WIDTH - _RIGHT}" y="{top + 28:.1f}" text-anchor="end">time ({unit_name})</text>'
    )
    top += _AXIS + 8  # below the axis's unit label
    streams = sorted({r[0] for _, rows in panels for r in rows})
    legend, legend_height = legend_svg(streams, _LEFT, top, _WIDTH - _LEFT - _RIGHT)
    body.extend(legend)
    height = top + legend_height + (4 if legend else 0)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {_WIDTH} {height:.0f}" font-family="sans-serif" font-size="11">'
    )
    return (
        "\n".join(
            [head, f"<title>{svg_text(title or 'schedule')}</title>", *body, "</svg>"]
        )
        + "\n"
    )
