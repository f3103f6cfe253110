"""A suite's gaps to the optimum as a self-contained SVG bar chart.

One row of bars per set and worker count, one bar per heuristic: its length is the
mean gap to the best bound (in percent), and a black tick marks the worst gap. The
heuristics keep one colour throughout, named in the legend.
"""

from __future__ import annotations

from collections.abc import Sequence

from ramiel.scheduling.gantt import CHAR_WIDTH, stream_colour, svg_text, swatch_legend
from ramiel.scheduling.suite import SuiteSummary

_WIDTH = 900
_LABEL = 150
_RIGHT = 60
_BAR = 11
_GROUP_GAP = 14
_TITLE = 26
_AXIS = 34


def _scale_top(largest: float) -> float:
    """The axis end: the smallest of 1, 2, 5 x 10^k percent (from 1) at or above `largest`."""
    top = 1.0
    while top < largest:
        top *= 2.5 if f"{top:g}"[0] == "2" else 2.0
    return top


def suite_svg(summaries: Sequence[SuiteSummary], title: str) -> str:
    """The bar chart of `summaries` (from `summarize`), headed by `title`."""
    heuristics = list(dict.fromkeys(s.heuristic for s in summaries))
    groups: dict[tuple[str, int], list[SuiteSummary]] = {}
    for s in summaries:
        groups.setdefault((s.set, s.workers), []).append(s)
    legend, legend_height = swatch_legend(
        [(h, stream_colour(i)) for i, h in enumerate(heuristics)],
        _LABEL, _TITLE, _WIDTH - _LABEL - _RIGHT,
    )  # fmt: skip
    top = _TITLE + legend_height + 8
    plot = _WIDTH - _LABEL - _RIGHT
    end = _scale_top(max((100 * s.worst_gap for s in summaries), default=0.0))
    out: list[str] = []
    y = top
    for (set_name, workers), rows in groups.items():
        label = f"{set_name}, {workers} workers"
        height = len(rows) * _BAR
        out.append(
            f'<text x="{_LABEL - 8}" y="{y + height / 2 + 4:.1f}" text-anchor="end">{svg_text(label)}</text>'
        )
        for row in rows:
            colour = stream_colour(heuristics.index(row.heuristic))
            mean = plot * min(100 * row.mean_gap / end, 1.0)
            worst = _LABEL + plot * min(100 * row.worst_gap / end, 1.0)
            out.append(
                f'<rect x="{_LABEL}" y="{y:.1f}" width="{mean:.1f}" height="{_BAR - 2}" '
                f'fill="{colour}" stroke="#444" stroke-width="0.5">'
                f"<title>{svg_text(f'{row.heuristic}: mean gap {100 * row.mean_gap:.2f}%, worst {100 * row.worst_gap:.2f}%, optimal {100 * row.optimal_fraction:.0f}% of {row.cases}')}</title></rect>"
            )
            out.append(
                f'<line x1="{worst:.1f}" y1="{y:.1f}" x2="{worst:.1f}" y2="{y + _BAR - 2:.1f}" stroke="#000" stroke-width="1.5"/>'
            )
            y += _BAR
        y += _GROUP_GAP
    axis = y
    grid: list[str] = []
    for t in (end * k / 5 for k in range(6)):
        x = _LABEL + plot * t / end
        grid.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{axis + 14:.1f}" text-anchor="middle">{t:g}%</text>')
    caption = "gap to the optimum or lower bound: bar = mean, tick = worst"
    out.append(
        f'<text x="{_LABEL + plot / 2 - len(caption) * CHAR_WIDTH / 2:.1f}" y="{axis + _AXIS - 4:.1f}">{caption}</text>'
    )
    height = axis + _AXIS + 6
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height:.0f}" '
            f'viewBox="0 0 {_WIDTH} {height:.0f}" font-family="sans-serif" font-size="11">',
            f'<rect x="0" y="0" width="{_WIDTH}" height="{height:.0f}" fill="#ffffff"/>',
            f'<text x="{_WIDTH / 2}" y="17" text-anchor="middle" font-size="14">{svg_text(title)}</text>',
            *legend,
            *grid,
            *out,
            "</svg>",
        ]
    ) + "\n"
