"""Tests of the STG reader and writer: hand-written files, round trips and the shipped samples."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from ramiel.scheduling.graphsets import known_optimum_graph
from ramiel.scheduling.simulate import simulate
from ramiel.scheduling.stg import format_stg, parse_stg, read_stg, write_stg
from ramiel.scheduling.taskgraph import Edge, Node, TaskGraph

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "stg"

# Plain STG as the standard set writes it: 5 tasks, dummies 0 and 6, summary comments.
PLAIN = """\
     5
     0      0      0
     1      4      1      0
     2      3      1      1
     3      7      1      1
     4      2      2      2      3
     5      6      1      0
     6      0      2      4      5
#  a hand-made example
# Tasks : 5
"""


def edges_of(graph: TaskGraph) -> list[tuple[int, int, float]]:
    """Edges as (src, dst, cost) triples."""
    return [(e.src, e.dst, e.cost) for e in graph.edges]


def test_reads_plain_stg() -> None:
    stg = parse_stg(PLAIN)
    g = stg.graph
    assert g.costs == (4.0, 3.0, 7.0, 2.0, 6.0)
    assert edges_of(g) == [(0, 1, 0.0), (0, 2, 0.0), (1, 3, 0.0), (2, 3, 0.0)]
    assert [n.name for n in g.nodes] == ["t1", "t2", "t3", "t4", "t5"]
    assert stg.stg_ids == (1, 2, 3, 4, 5)
    assert stg.time_unit == 1.0
    assert stg.comments == ("a hand-made example", "Tasks : 5")
    assert g.critical_path == 4 + 7 + 2


def test_renumbers_predecessors_listed_after_their_task() -> None:
    # Task 1 depends on task 2: node ids must still be a topological order.
    text = "2\n0 0 0\n1 5 1 2\n2 1 1 0\n3 0 1 1\n"
    stg = parse_stg(text)
    assert stg.stg_ids == (2, 1)
    assert stg.graph.costs == (1.0, 5.0)
    assert edges_of(stg.graph) == [(0, 1, 0.0)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("2\n0 0 0\n1 5 1 0\n", "ends early"),
        ("1\n0 0 0\n2 5 1 0\n2 0 1 1\n", "expected task 1"),
        ("1\n0 0 0\n1 5 1 0\n2 0 1 1\n7\n", "after the last task"),
        ("1\n0 0 0\n1 5 1 9\n2 0 1 1\n", "bad predecessor"),
        ("1\n0 0 0\n1 x 1 0\n2 0 1 1\n", "line 3: expected an integer"),
        ("2\n0 0 0\n1 5 1 2\n2 1 1 1\n3 0 1 1\n", "cycle"),
        ("1\n0 0 0\n1 5 1 0\n2 0 1 1\n# time unit : 0 s\n", "positive"),
    ],
)
def test_rejects_malformed_text(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_stg(text)


def test_integer_graph_round_trips_exactly(tmp_path: Path) -> None:
    g = TaskGraph(
        [
            Node("conv 1", "Conv", 5.0),
            Node("relu", "Relu", 1.0),
            Node("add", "Add", 2.0),
        ],
        [Edge(0, 1, 0, 3.0), Edge(0, 2, 0, 0.0), Edge(1, 2, 0, 1.0)],
    )
    path = tmp_path / "g.stg"
    write_stg(g, path, comments=["two\nlines"])
    text = path.read_text()
    assert text.splitlines()[:5] == ["3", "0 0 0", "1 5 1 0", "2 1 1 1", "3 2 2 1 2"]
    assert "# two" in text
    assert "# lines" in text
    back = read_stg(path)
    assert back.graph.nodes == g.nodes
    assert edges_of(back.graph) == edges_of(g)
    assert back.comments[-2:] == ("two", "lines")


def test_seconds_are_scaled_to_integers_and_back() -> None:
    # Costs from a cost model, in seconds: written in units of a millionth of the largest.
    g = TaskGraph.from_lists(
        [2.5e-3, 8.1e-6, 1.234567e-4], [(0, 1, 4.5e-5), (1, 2, 3.3e-5)]
    )
    text = format_stg(g)
    found = re.search(r"# time unit : (\S+) s", text)
    assert found is not None
    unit = float(found.group(1))
    assert unit == pytest.approx(1e-9)
    assert text.splitlines()[2] == "1 2500000 1 0"
    back = parse_stg(text).graph
    for a, b in zip(g.costs, back.costs, strict=True):
        assert abs(a - b) <= unit / 2
    for (_, _, a), (_, _, b) in zip(edges_of(g), edges_of(back), strict=True):
        assert abs(a - b) <= unit / 2
    coarse = parse_stg(format_stg(g, time_unit=1e-6)).graph
    assert coarse.costs == pytest.approx((2.5e-3, 8e-6, 1.23e-4))


def test_empty_graph_round_trips() -> None:
    assert len(parse_stg(format_stg(TaskGraph.from_lists([], []))).graph) == 0


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.stg")), ids=lambda p: p.name)
def test_samples_are_the_generator_output_with_their_optimum(path: Path) -> None:
    stg = read_stg(path)
    named = re.fullmatch(r"dc-n(\d+)-p(\d+)-ccr([\d.]+)-s(\d+)\.stg", path.name)
    assert named is not None
    n, p, ccr, seed = named.groups()
    case = known_optimum_graph(int(n), int(p), float(ccr), seed=int(seed))
    assert stg.graph.costs == case.graph.costs
    assert edges_of(stg.graph) == edges_of(case.graph)
    stated = next(c for c in stg.comments if c.startswith("optimal schedule length"))
    optimum = float(stated.split(":")[1].split()[0])
    assert optimum == case.optimum == stg.graph.total_work / int(p)
    assert simulate(stg.graph, case.schedule).makespan == optimum
    assert math.isclose(float(stg.comments[-1].split(":")[1]), case.ccr, abs_tol=5e-4)


def test_samples_exist() -> None:
    assert len(list(SAMPLES.glob("*.stg"))) >= 2
