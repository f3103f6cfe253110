"""Pictures of schedules drawn without Graphviz: the task graph SVG and the legends it shares with the Gantt chart."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ramiel.ir_text import parse_module
from ramiel.scheduling import (
    Edge,
    Node,
    Schedule,
    TaskGraph,
    gantt_svg,
    graph_svg,
    simulate,
    to_dot,
)
from ramiel.scheduling.dot import node_label
from ramiel.scheduling.gantt import CROSS_STREAM_COLOUR, stream_colour
from ramiel.workbench import show
from tests.unit.test_workbench import DIAMOND

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = ['<script>alert("x")</script>', "a & b", 'it\'s "quoted"', "ctl\x01\x1b]0;"]


def fork_join(names: list[str] | None = None) -> tuple[TaskGraph, Schedule]:
    """in -> {a, b, c} -> join, with a and join on stream 0, b on 1 and c on 2."""
    graph = TaskGraph.from_lists(
        [1e-4, 4e-4, 3e-4, 2e-4, 1e-4],
        [
            (0, 1, 1e-5),
            (0, 2, 1e-5),
            (0, 3, 1e-5),
            (1, 4, 1e-5),
            (2, 4, 1e-5),
            (3, 4, 1e-5),
        ],
        names=names,
        op_types=["Input", "Conv", "Conv", "Relu", "Concat"],
    )
    return graph, Schedule([[0, 1, 4], [2], [3]])


def boxes(root: ET.Element) -> dict[str, ET.Element]:
    """Each node group of a graph picture by its id."""
    nodes = root.find(f"{SVG}g[@class='nodes']")
    assert nodes is not None
    return {g.attrib["id"]: g for g in nodes.findall(f"{SVG}g[@class='node']")}


def edge_lines(root: ET.Element) -> list[ET.Element]:
    edges = root.find(f"{SVG}g[@class='edges']")
    assert edges is not None
    return edges.findall(f"{SVG}line")


def legend(root: ET.Element) -> dict[str, str]:
    """Legend label -> the fill of its swatch (or the stroke of its line sample)."""
    group = root.find(f".//{SVG}g[@class='legend']")
    assert group is not None
    entries: dict[str, str] = {}
    children = list(group)
    for sample, label in zip(children[::2], children[1::2], strict=True):
        assert label.tag == f"{SVG}text"
        assert label.text is not None
        entries[label.text] = sample.attrib.get("fill") or sample.attrib["stroke"]
    return entries


def test_graph_svg_has_a_labelled_box_per_node_and_a_line_per_edge() -> None:
    graph, schedule = fork_join()
    root = ET.fromstring(graph_svg(graph, schedule, title="fork"))
    assert root.tag == f"{SVG}svg"
    by_id = boxes(root)
    assert sorted(by_id) == sorted(f"task{v}" for v in range(len(graph)))
    assert len(root.findall(f".//{SVG}rect")) == len(
        graph
    )  # legend swatches are no rects
    corners: dict[int, tuple[float, float, float, float]] = {}
    for v in range(len(graph)):
        group = by_id[f"task{v}"]
        assert [t.text for t in group.findall(f"{SVG}text")] == list(
            node_label(graph, v, schedule)
        )
        rect = group.find(f"{SVG}rect")
        assert rect is not None
        assert rect.attrib["fill"] == stream_colour(schedule.stream_of(v))
        corners[v] = tuple(float(rect.attrib[k]) for k in ("x", "y", "width", "height"))  # type: ignore[assignment]
    lines = edge_lines(root)
    assert len(lines) == len(graph.edges)
    # Each line runs from the bottom middle of its source's box down to the top
    # middle of its destination's.
    for e, line in zip(graph.edges, lines, strict=True):
        x, y, w, h = corners[e.src]
        assert (float(line.attrib["x1"]), float(line.attrib["y1"])) == pytest.approx(
            (x + w / 2, y + h)
        )
        x, y, w, _ = corners[e.dst]
        assert (float(line.attrib["x2"]), float(line.attrib["y2"])) == pytest.approx(
            (x + w / 2, y)
        )
        assert float(line.attrib["y2"]) > float(line.attrib["y1"])
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "fork"


def test_cross_stream_edges_are_red_and_dashed() -> None:
    graph, schedule = fork_join()
    crossing = {(e.src, e.dst) for e in schedule.cross_stream_edges(graph)}
    assert crossing == {(0, 2), (0, 3), (2, 4), (3, 4)}
    lines = edge_lines(ET.fromstring(graph_svg(graph, schedule)))
    for e, line in zip(graph.edges, lines, strict=True):
        dashed = "stroke-dasharray" in line.attrib
        assert dashed == ((e.src, e.dst) in crossing)
        assert (line.attrib["stroke"] == CROSS_STREAM_COLOUR) == dashed
    # The DOT text dashes the same edges, in the same red.
    dot = to_dot(graph, schedule)
    assert dot.count(f'color="{CROSS_STREAM_COLOUR}", style=dashed') == len(crossing)


def test_legend_names_every_stream_in_the_gantt_charts_colours() -> None:
    graph, schedule = fork_join()
    picture = legend(ET.fromstring(graph_svg(graph, schedule)))
    chart_root = ET.fromstring(gantt_svg(simulate(graph, schedule), graph, "fork"))
    chart = legend(chart_root)
    streams = {f"stream {s}": stream_colour(s) for s in range(3)}
    assert len(set(streams.values())) == 3
    assert chart == streams
    assert picture == {**streams, "cross-stream edge": CROSS_STREAM_COLOUR}
    # The Gantt chart's rects are still exactly its timeline boxes.
    assert len(chart_root.findall(f".//{SVG}rect")) == len(graph)


def test_unscheduled_graph_is_white_without_legend_or_dashes() -> None:
    graph, _ = fork_join()
    text = graph_svg(graph)
    root = ET.fromstring(text)
    assert {r.attrib["fill"] for r in root.iter(f"{SVG}rect")} == {"#ffffff"}
    assert root.find(f".//{SVG}g[@class='legend']") is None
    assert "stroke-dasharray" not in text
    assert all(len(g.findall(f"{SVG}text")) == 2 for g in boxes(root).values())


def test_hostile_names_are_escaped() -> None:
    names = [*HOSTILE, "join"]
    graph, schedule = fork_join(names)
    title = '</title><script>alert(1)</script> & "x"'
    text = graph_svg(graph, schedule, title=title)
    assert "<script>" not in text
    assert "\x01" not in text
    assert "\x1b" not in text
    root = ET.fromstring(text)
    shown = {t.text for t in root.iter(f"{SVG}text")}
    assert set(names[:3]) <= shown
    assert "ctl\ufffd\ufffd]0;" in shown  # control characters XML cannot hold
    assert title in shown
    tips = [g.find(f"{SVG}title") for g in boxes(root).values()]
    assert any(
        t is not None and t.text is not None and t.text.startswith("a & b (Conv)")
        for t in tips
    )
    # The Gantt chart draws the same names.
    chart = gantt_svg(simulate(graph, schedule), graph, title)
    assert "<script>" not in chart
    assert "ctl\ufffd\ufffd]0;" in {
        t.text for t in ET.fromstring(chart).iter(f"{SVG}text")
    }


def test_same_graph_gives_the_same_bytes() -> None:
    graph, schedule = fork_join()
    first = graph_svg(graph, schedule, title="t")
    rebuilt = TaskGraph(
        [Node(n.name, n.op_type, n.cost) for n in graph.nodes],
        [Edge(e.src, e.dst, e.nbytes, e.cost) for e in reversed(graph.edges)],
    )
    assert graph_svg(rebuilt, Schedule([[0, 1, 4], [2], [3]]), title="t") == first
    assert graph_svg(graph, schedule, title="t") == first
    assert graph_svg(graph, schedule, title="u") != first


def test_layers_are_ordered_to_avoid_crossings() -> None:
    # 0 -> {1, 2}, 1 -> 4 and 2 -> 3: in id order 3 would sit under 1 and the two
    # edges would cross.
    graph = TaskGraph.from_lists([1.0] * 5, [(0, 1), (0, 2), (1, 4), (2, 3)])
    by_id = boxes(ET.fromstring(graph_svg(graph)))

    def x(v: int) -> float:
        rect = by_id[f"task{v}"].find(f"{SVG}rect")
        assert rect is not None
        return float(rect.attrib["x"])

    assert x(1) < x(2)
    assert x(4) < x(3)


def test_wide_layers_and_long_names_stay_bounded() -> None:
    n = 402
    long_name = "x" * 500
    graph = TaskGraph.from_lists(
        [1.0] * n,
        [(0, v) for v in range(1, n - 1)] + [(v, n - 1) for v in range(1, n - 1)],
        names=[f"{long_name}{v}" for v in range(n)],
    )
    schedule = Schedule([range(0, n, 2), range(1, n, 2)])
    root = ET.fromstring(graph_svg(graph, schedule))
    assert len(boxes(root)) == n
    assert len(edge_lines(root)) == len(graph.edges)
    # 400 boxes side by side would be some 90,000 pixels wide.
    assert int(root.attrib["width"]) < 6000
    labels = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert max(map(len, labels)) <= 32
    tips = [g.find(f"{SVG}title") for g in boxes(root).values()]
    assert all(t is not None and long_name in (t.text or "") for t in tips)


def test_show_draws_the_graph_without_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)

    def no_programs(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"show ran a program: {args}")

    monkeypatch.setattr(subprocess, "run", no_programs)
    monkeypatch.setattr(subprocess, "Popen", no_programs)
    out = tmp_path / "out"
    written = show(parse_module(DIAMOND), "diamond", out, workers=2, cost="static")
    assert [p.name for p in written] == [
        "diamond.dot",
        "diamond.svg",
        "diamond.gantt.svg",
    ]
    root = ET.fromstring((out / "diamond.svg").read_text(encoding="utf-8"))
    dot = (out / "diamond.dot").read_text(encoding="utf-8")
    # The picture draws the graph the DOT text describes: on two streams the clone
    # pass recomputes the relu, so 5 nodes and 4 edges.
    assert sorted(boxes(root)) == sorted(
        re.findall(r"^  (task\d+) \[", dot, re.MULTILINE)
    )
    assert len(boxes(root)) == 5
    assert len(edge_lines(root)) == dot.count("->") == 4
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text is not None
    assert title.text.startswith("diamond: cp, 2 workers")
