"""Tests of the scheduling core: task graphs, heuristics, validation, simulation and reports."""

from __future__ import annotations

import importlib.metadata
import math
import os
import random
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ramiel.scheduling import (
    Edge,
    HeuristicLoadError,
    Node,
    Schedule,
    ScheduleError,
    Simulation,
    TaskGraph,
    available_heuristics,
    compare,
    format_table,
    gantt_svg,
    get_heuristic,
    list_schedule,
    load_entry_points,
    load_heuristics_file,
    register_heuristic,
    registry,
    run_heuristic,
    simulate,
    to_dot,
    validate,
)
from ramiel.scheduling.cp import cp, linear_clusters, should_clone
from ramiel.scheduling.dsc import dsc_clusters

BUILTINS = ("cp", "dsc", "heft", "serial")
EPS = 1e-9

# ----------------------------------------------------------------------------- graphs


def chain(n: int, cost: float = 1.0, edge: float = 0.1) -> TaskGraph:
    """A path 0 -> 1 -> ... -> n-1."""
    return TaskGraph.from_lists([cost] * n, [(i, i + 1, edge) for i in range(n - 1)])


def diamond(left: float, right: float, edge: float) -> TaskGraph:
    """Fork 0 -> {1, 2} -> join 3, ends costing 1."""
    return TaskGraph.from_lists(
        [1.0, left, right, 1.0],
        [(0, 1, edge), (0, 2, edge), (1, 3, edge), (2, 3, edge)],
    )


def inception(branches: list[list[float]], edge: float = 0.05) -> TaskGraph:
    """Input (cost 1), parallel chains of the given costs, then a concat (cost 0.2)."""
    costs = [1.0]
    edges: list[tuple[int, int, float]] = []
    ends = []
    for branch in branches:
        prev = 0
        for c in branch:
            costs.append(c)
            edges.append((prev, len(costs) - 1, edge))
            prev = len(costs) - 1
        ends.append(prev)
    costs.append(0.2)
    edges += [(e, len(costs) - 1, edge) for e in ends]
    return TaskGraph.from_lists(costs, edges)


def interleaved_towers(length: int, edge: float = 0.05) -> TaskGraph:
    """Two equal chains from one input to one join, numbered alternately a0, b0, a1, b1, ..."""
    costs = [0.1] + [1.0] * (2 * length) + [0.1]
    join = 2 * length + 1
    edges = [(0, 1, edge), (0, 2, edge)]
    edges += [(i, i + 2, edge) for i in range(1, 2 * length - 1)]
    edges += [(2 * length - 1, join, edge), (2 * length, join, edge)]
    return TaskGraph.from_lists(costs, edges)


def random_graph(n: int, seed: int, window: int = 40) -> TaskGraph:
    """A layered-looking random DAG with ML-like op costs (seconds) and 30-90 us hand-offs."""
    rng = random.Random(seed)
    costs = [
        rng.choice([8e-6, 2e-5, 1e-4, 5e-4, 2e-3]) * rng.uniform(0.5, 1.5)
        for _ in range(n)
    ]
    edges = sorted(
        {
            (rng.randint(max(0, v - window), v - 1), v)
            for v in range(1, n)
            for _ in range(rng.randint(1, 3))
        }
    )
    return TaskGraph.from_lists(
        costs,
        [(u, v, 3e-5 * rng.uniform(1, 3)) for u, v in edges],
        names=[f"op_{i}" for i in range(n)],
    )


@st.composite
def dags(draw: st.DrawFn) -> TaskGraph:
    """Random DAGs of up to 24 nodes, zero costs included."""
    n = draw(st.integers(1, 24))
    costs = draw(
        st.lists(
            st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.7, 10.0]), min_size=n, max_size=n
        )
    )
    pairs = [(u, v) for v in range(n) for u in range(v)]
    chosen = (
        draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3 * n))
        if pairs
        else []
    )
    edge_costs = draw(
        st.lists(
            st.sampled_from([0.0, 0.1, 1.0, 4.0]),
            min_size=len(chosen),
            max_size=len(chosen),
        )
    )
    return TaskGraph.from_lists(
        costs, [(u, v, c) for (u, v), c in zip(chosen, edge_costs, strict=True)]
    )


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A private copy of the heuristic registry, with entry points already loaded."""
    monkeypatch.setattr(registry.HEURISTICS, "entries", dict(registry.HEURISTICS.entries))
    monkeypatch.setattr(registry.HEURISTICS, "entry_points_loaded", True)


# ----------------------------------------------------------------------------- task graph


def test_taskgraph_basics() -> None:
    g = diamond(3.0, 2.0, 0.5)
    assert len(g) == 4
    assert g.preds(3) == (1, 2)
    assert g.succs(0) == (1, 2)
    assert g.pred_costs(3) == (0.5, 0.5)
    assert g.edge(0, 2) == Edge(0, 2, 0, 0.5)
    assert g.total_work == 7.0
    assert g.critical_path_without_edges == 5.0
    assert g.critical_path == 6.0
    assert g.distance_to_end == (6.0, 4.5, 3.5, 1.0)
    nxg = g.to_networkx()
    assert nxg.nodes[1]["cost"] == 3.0
    assert nxg.edges[1, 3]["cost"] == 0.5
    assert sorted(nxg.edges) == [(0, 1), (0, 2), (1, 3), (2, 3)]


def test_taskgraph_from_nodes_and_edges() -> None:
    g = TaskGraph(
        [Node("a", "Conv", 1.0), Node("b", "Relu", 0.5)],
        [Edge(0, 1, nbytes=64, cost=0.1)],
    )
    assert g.nodes[1].op_type == "Relu"
    assert g.edge(0, 1).nbytes == 64


@pytest.mark.parametrize(
    ("costs", "edges", "message"),
    [
        ([1.0, 1.0], [(1, 0)], "goes backwards"),
        ([1.0, 1.0, 1.0], [(0, 1), (1, 2), (2, 0)], "cycle"),
        ([1.0, 1.0], [(0, 1), (0, 1)], "appears twice"),
        ([1.0], [(0, 0)], "self-loop"),
        ([1.0], [(0, 3)], "outside"),
        ([-1.0], [], "invalid cost"),
        ([math.nan], [], "invalid cost"),
    ],
)
def test_taskgraph_rejects(
    costs: list[float], edges: list[tuple[int, int]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        TaskGraph.from_lists(costs, edges)


def test_schedule_helpers() -> None:
    g = diamond(3.0, 2.0, 0.5)
    s = Schedule(streams=[[0, 1, 3], [2]], clusters=[0, 0, 1, 0])
    assert s.streams == ((0, 1, 3), (2,))
    assert s.stream_of(2) == 1
    assert s.num_streams == 2
    assert s.num_clusters == 2
    assert s.cross_stream_edges(g) == [g.edge(0, 2), g.edge(2, 3)]
    assert hash(s) == hash(Schedule(streams=((0, 1, 3), (2,)), clusters=(0, 0, 1, 0)))


# ----------------------------------------------------------------------------- known answers


def test_chain_is_one_cluster_and_one_stream() -> None:
    g = chain(6)
    assert linear_clusters(g) == [[0, 1, 2, 3, 4, 5]]
    for name in BUILTINS:
        assert run_heuristic(name, g, 4).streams == ((0, 1, 2, 3, 4, 5),)


def test_empty_graph() -> None:
    g = TaskGraph.from_lists([], [])
    for name in BUILTINS:
        s = run_heuristic(name, g, 2)
        assert s.streams == ()
        assert simulate(g, s).speedup == 1.0


def test_fork_join_diamond_gives_two_clusters() -> None:
    g = diamond(5.0, 4.0, 0.1)
    assert linear_clusters(g) == [[0, 1, 3], [2]]
    s = cp(g, 2)
    assert s.streams == ((0, 1, 3), (2,))
    assert s.num_clusters == 2
    assert simulate(g, s).makespan == pytest.approx(1.0 + 5.0 + 1.0)


def test_inception_block_with_four_and_two_workers() -> None:
    g = inception([[4.0], [1.5, 1.5], [1.0, 1.0], [1.0]])
    assert len(linear_clusters(g)) == 4
    four = cp(g, 4)
    # Branches 1 and 3 share a stream: a fourth would not shorten the makespan.
    assert four.num_streams == 3
    # The critical path (input, longest branch, concat) on one stream sets the pace.
    assert simulate(g, four).makespan == pytest.approx(1.0 + 4.0 + 0.2)
    two = cp(g, 2)
    assert two.num_streams == 2
    # Best split of the branches {4, 1} | {3, 2}: both streams busy for 5 after the input.
    assert simulate(g, two).makespan == pytest.approx(1.0 + 0.05 + 5.0 + 0.05 + 0.2)
    assert {frozenset(s) for s in two.streams} == {
        frozenset({0, 1, 6, 7}),
        frozenset({2, 3, 4, 5}),
    }


def test_two_equal_towers_reach_nearly_twice_the_speed() -> None:
    g = interleaved_towers(20)
    s = cp(g, 2)
    assert s.num_streams == 2
    # Each stream runs one whole tower, whatever the interleaved IR numbering.
    assert sorted(len(x) for x in s.streams) == [20, 22]
    assert all(len({v % 2 for v in x if 0 < v < 41}) == 1 for x in s.streams)
    assert simulate(g, s).speedup > 1.95


def test_parallelism_that_does_not_pay_gives_one_stream() -> None:
    g = diamond(0.5, 0.4, 2.0)
    for name in ("cp", "dsc"):
        assert get_heuristic(name)(g, 4).num_streams == 1
    # Any predicted gain, however small, is kept: select-streams judges whether it pays.
    g = diamond(5.0, 0.15, 0.0)
    assert cp(g, 2).num_streams == 2


def test_one_worker_is_serial_but_keeps_clusters() -> None:
    g = diamond(5.0, 4.0, 0.1)
    s = cp(g, 1)
    assert s.streams == ((0, 1, 2, 3),)
    assert s.clusters == (0, 0, 1, 0)


def test_stream_order_follows_priority_not_ir_order() -> None:
    # Node 1 is a cheap tail; node 2 starts the long path that node 4 on the other
    # stream waits for, so the stream that holds 1 and 2 must run 2 first.
    g = TaskGraph.from_lists(
        [1.0, 1.0, 1.0, 3.0, 1.0], [(0, 1), (0, 2), (2, 3), (2, 4)]
    )
    t = list_schedule(g, [0, 0, 0, 0, 1])
    assert t.streams[0] == (0, 2, 3, 1)
    assert t.start[4] == 2.0
    assert simulate(g, t.schedule()).end == t.end


def test_dsc_clusters_diamond() -> None:
    assert dsc_clusters(diamond(5.0, 4.0, 1.0)) == [[0, 1, 3], [2]]


def test_heft_fork_join() -> None:
    g = diamond(5.0, 4.0, 0.1)
    s = get_heuristic("heft")(g, 2)
    assert s.streams == ((0, 1, 3), (2,))
    assert simulate(g, s).makespan == pytest.approx(7.0)


def test_should_clone_cheap_shared_input() -> None:
    # A cheap source (a shape computation) feeding consumers on two streams.
    g = TaskGraph.from_lists(
        [0.01, 5.0, 5.0, 1.0], [(0, 1, 0.1), (0, 2, 0.1), (1, 3, 0.1), (2, 3, 0.1)]
    )
    s = Schedule(streams=[[0, 1, 3], [2]])
    assert should_clone(g, 0, s) == (1,)
    heavy = TaskGraph.from_lists(
        [1.0, 5.0, 5.0, 1.0], [(0, 1, 0.1), (0, 2, 0.1), (1, 3, 0.1), (2, 3, 0.1)]
    )
    assert should_clone(heavy, 0, s) == ()


# ----------------------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(graph=dags(), workers=st.integers(1, 4))
def test_every_heuristic_gives_valid_schedules_within_bounds(
    graph: TaskGraph, workers: int
) -> None:
    for name in BUILTINS:
        s = get_heuristic(name)(graph, workers)
        validate(graph, s, workers, heuristic=name)
        sim = simulate(graph, s)
        cross = math.fsum(e.cost for e in s.cross_stream_edges(graph))
        lower = max(graph.critical_path_without_edges, graph.total_work / workers)
        assert lower - EPS <= sim.makespan <= graph.total_work + cross + EPS, name
        if name in ("cp", "dsc"):
            assert sim.makespan <= graph.total_work + EPS
            assert s.clusters is not None
            # Clusters are never split across streams.
            assert (
                len({(c, s.stream_of(v)) for v, c in enumerate(s.clusters)})
                == s.num_clusters
            )


@settings(max_examples=100, deadline=None)
@given(graph=dags(), data=st.data())
def test_list_schedule_is_valid_and_matches_simulation(
    graph: TaskGraph, data: st.DataObject
) -> None:
    stream_of = data.draw(
        st.lists(st.integers(0, 3), min_size=len(graph), max_size=len(graph))
    )
    t = list_schedule(graph, stream_of)
    s = t.schedule()
    validate(graph, s, 4)
    sim = simulate(graph, s)
    assert sim.makespan == t.makespan
    assert sim.start == t.start


@pytest.mark.parametrize("name", BUILTINS)
def test_heuristics_are_deterministic(name: str) -> None:
    g = random_graph(300, seed=7)
    first = get_heuristic(name)(g, 3)
    assert repr(first) == repr(get_heuristic(name)(g, 3))
    assert repr(first) == repr(get_heuristic(name)(random_graph(300, seed=7), 3))


def test_schedules_do_not_depend_on_hash_seed() -> None:
    script = textwrap.dedent(
        """
        from tests.unit.test_scheduling import random_graph
        from ramiel.scheduling import get_heuristic
        g = random_graph(200, seed=3)
        print([get_heuristic(h)(g, 2) for h in ("cp", "dsc", "heft")])
        """
    )
    root = Path(__file__).resolve().parents[2]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_cp_is_fast_on_a_thousand_nodes() -> None:
    g = random_graph(1000, seed=1)
    t0 = time.perf_counter()
    s = cp(g, 4)
    elapsed = time.perf_counter() - t0
    validate(g, s, 4)
    # About 0.1 s on a laptop; the bound only catches a blow-up such as a quadratic merge.
    assert elapsed < 2.0


# ----------------------------------------------------------------------------- validation and simulation


@pytest.mark.parametrize(
    ("streams", "message"),
    [
        ([[0, 1], [2], [3]], "used 3 streams for 2 workers"),
        ([[0, 1, 3], [2, 1]], "twice"),
        ([[0, 1, 3]], "unplaced: 2"),
        ([[0, 1, 2, 3], []], "empty"),
        ([[0, 3, 1], [2]], "against a dependency"),
        ([[0, 1, 2, 7]], "nodes 0..3"),
    ],
)
def test_validate_names_the_mistake(streams: list[list[int]], message: str) -> None:
    with pytest.raises(ScheduleError, match=message) as err:
        validate(diamond(1.0, 1.0, 0.0), Schedule(streams=streams), 2, heuristic="mine")
    assert "heuristic 'mine'" in str(err.value)


def test_validate_and_simulate_detect_deadlock() -> None:
    g = TaskGraph.from_lists([1.0] * 4, [(0, 1), (2, 3)])
    s = Schedule(streams=[[1, 2], [3, 0]])
    with pytest.raises(ScheduleError, match="deadlock"):
        validate(g, s, 2)
    with pytest.raises(ScheduleError, match="deadlock"):
        simulate(g, s)


def test_simulate_timeline_by_hand() -> None:
    g = diamond(3.0, 2.0, 0.5)
    sim = simulate(g, Schedule(streams=[[0, 1, 3], [2]]))
    assert sim.start == (0.0, 1.0, 1.5, 4.0)
    assert sim.end == (1.0, 4.0, 3.5, 5.0)
    assert sim.makespan == 5.0
    assert sim.speedup == pytest.approx(7.0 / 5.0)
    assert sim.rows()[0] == (0, 0, 0.0, 1.0)
    assert sim.num_streams == 2


# ----------------------------------------------------------------------------- registry


def test_register_and_duplicate(isolated_registry: None) -> None:
    @register_heuristic("all-on-one")
    def all_on_one(graph: TaskGraph, workers: int) -> Schedule:
        return Schedule(streams=[range(len(graph))])

    assert "all-on-one" in available_heuristics()
    assert get_heuristic("all-on-one") is all_on_one
    assert available_heuristics() == sorted(available_heuristics())
    with pytest.raises(ValueError, match="already registered"):
        register_heuristic("all-on-one")(lambda g, w: Schedule(streams=[]))
    with pytest.raises(KeyError, match="available: "):
        get_heuristic("nope")


def test_invalid_researcher_schedule_is_caught(isolated_registry: None) -> None:
    register_heuristic("greedy-bug")(
        lambda g, w: Schedule(streams=[[v] for v in range(len(g))])
    )
    with pytest.raises(
        ScheduleError, match="heuristic 'greedy-bug' used 4 streams for 2 workers"
    ):
        run_heuristic("greedy-bug", diamond(1.0, 1.0, 0.0), 2)
    with pytest.raises(ScheduleError, match="greedy-bug"):
        compare({"d": diamond(1.0, 1.0, 0.0)}, ["greedy-bug"], [2])


def test_load_heuristics_file(isolated_registry: None, tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text(
        textwrap.dedent(
            """
            from ramiel.scheduling import Schedule, register_heuristic

            @register_heuristic("reverse-streams")
            def reverse_streams(graph, workers):
                return Schedule(streams=[list(range(len(graph)))])
            """
        )
    )
    assert load_heuristics_file(path) == ["reverse-streams"]
    assert run_heuristic("reverse-streams", chain(3), 2).streams == ((0, 1, 2),)
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n")
    with pytest.raises(HeuristicLoadError, match=r"broken\.py.*boom"):
        load_heuristics_file(broken)


def test_entry_point_discovery(
    isolated_registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = registry.ENTRY_POINT_GROUP
    fake = [
        importlib.metadata.EntryPoint(
            "plugin-serial", "ramiel.scheduling.serial:serial", group
        )
    ]
    calls = []

    def entry_points(*, group: str) -> list[importlib.metadata.EntryPoint]:
        calls.append(group)
        return fake

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    monkeypatch.setattr(registry.HEURISTICS, "entry_points_loaded", False)
    assert "plugin-serial" in available_heuristics()
    assert calls == [group]
    assert get_heuristic("plugin-serial") is get_heuristic("serial")
    fake[:] = [
        importlib.metadata.EntryPoint(
            "bad", "ramiel.scheduling.no_such_module:x", group
        )
    ]
    with pytest.raises(HeuristicLoadError, match="entry point 'bad'"):
        load_entry_points()


# ----------------------------------------------------------------------------- reports


def test_gantt_svg_is_well_formed() -> None:
    g = inception([[4.0], [1.5, 1.5], [1.0]])
    g = TaskGraph(
        [Node(f"conv<{i}>&", "Conv", n.cost) for i, n in enumerate(g.nodes)], g.edges
    )
    sim = simulate(g, cp(g, 3))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    root = ET.fromstring(gantt_svg(sim, g, title="inception & co"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall(".//svg:rect", ns)) == len(g)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "conv<1>&" in texts
    assert "stream 2" in texts
    measured = [(s, v, t0 * 1.1, t1 * 1.1) for s, v, t0, t1 in sim.rows()]
    both = ET.fromstring(gantt_svg(sim, g, measured=measured))
    assert len(both.findall(".//svg:rect", ns)) == 2 * len(g)
    serial = simulate(g, get_heuristic("serial")(g, 1))
    assert isinstance(serial, Simulation)
    assert len(
        ET.fromstring(gantt_svg(sim, g, measured=serial)).findall(".//svg:rect", ns)
    ) == 2 * len(g)


def test_dot_is_coloured_by_stream_and_deterministic() -> None:
    g = diamond(5.0, 4.0, 0.1)
    g = TaskGraph(
        [Node(f'op "{i}"', "Add", n.cost) for i, n in enumerate(g.nodes)], g.edges
    )
    s = cp(g, 2)
    text = to_dot(g, s, title="d")
    assert text == to_dot(g, s, title="d")
    assert text.startswith('digraph "d" {')
    assert text.rstrip().endswith("}")
    assert text.count("fillcolor=") == len(g) + 1  # one per node plus the default
    assert text.count("style=dashed") == len(s.cross_stream_edges(g)) == 2
    assert 'label="op \\"2\\"\\nAdd  4000000.0 us\\nstream 1"' in text
    assert "stream" not in to_dot(g)


def test_compare_and_table() -> None:
    graphs = {"chain": chain(5), "inception": inception([[4.0], [3.0], [2.0], [1.0]])}
    rows = compare(graphs, ["serial", "cp"], [1, 2, 4])
    assert len(rows) == 12
    row = next(
        r
        for r in rows
        if r.graph == "inception" and r.heuristic == "cp" and r.workers == 4
    )
    assert row.clusters == 4
    # Branches 3 and 1 share a stream, which keeps the makespan of four streams.
    assert row.streams == 3
    assert row.cross_edges == 6
    assert row.speedup > 1.5
    assert next(r for r in rows if r.heuristic == "serial").clusters is None
    table = format_table(rows)
    lines = table.splitlines()
    assert len(lines) == 14
    assert lines[0].startswith("| graph")
    assert "speedup" in lines[0]
    assert len({len(line) for line in lines}) == 1
