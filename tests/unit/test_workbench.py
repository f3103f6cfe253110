"""The research workbench: comparison table and schedule pictures."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from xdsl.dialects.builtin import ModuleOp

from ramiel.ir_text import parse_module
from ramiel.scheduling import available_heuristics, format_table
from ramiel.workbench import compare_modules, show, task_graph

DIAMOND = """
func.func @main(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w1 = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %w2 = dfg.constant dense<0.02> : tensor<64x64x3x3xf32>
  %a = dfg.relu %x : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %b = dfg.conv %a, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %c = dfg.conv %a, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %d = dfg.add %b, %c : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %d : tensor<1x64x56x56xf32>
}
"""


def _diamond() -> ModuleOp:
    return parse_module(DIAMOND)


def test_task_graph_has_one_node_per_operator_op() -> None:
    graph = task_graph(_diamond(), "static")
    assert [n.op_type for n in graph.nodes] == ["Relu", "Conv", "Conv", "Add"]
    assert [(e.src, e.dst) for e in graph.edges] == [(0, 1), (0, 2), (1, 3), (2, 3)]
    # A 1x64x56x56 float tensor is 802,816 bytes.
    assert {e.nbytes for e in graph.edges} == {802_816}


def test_compare_runs_every_heuristic_on_every_model() -> None:
    heuristics = available_heuristics()
    assert {"cp", "dsc", "heft", "serial"} <= set(heuristics)
    rows = compare_modules({"diamond": _diamond()}, heuristics, [1, 2], "static")
    assert len(rows) == 2 * len(heuristics)
    two_cp = next(r for r in rows if r.heuristic == "cp" and r.workers == 2)
    serial = next(r for r in rows if r.heuristic == "serial" and r.workers == 2)
    # Hand-checked with the static model: conv 2,320.1 us, relu 41.45 us, add
    # 56.17 us, hand-off 70.14 us; so 4,737.8 us serial. On two streams the clone
    # pass recomputes the relu on stream 1 rather than hand it over, and the add
    # waits for conv c and its hand-off: 41.45 + 2,320.1 + 70.14 + 56.17 = 2,487.9 us.
    # The speedup counts the 3 ms a parallel call pays, and one stream runs no
    # copy: 4,737.8 / 5,487.9 = 0.86.
    assert round(serial.makespan * 1e6) == 4738
    assert round(two_cp.makespan * 1e6) == 2488
    assert two_cp.speedup == pytest.approx(4737.8 / 5487.9, abs=1e-3)
    assert two_cp.streams == 2
    table = format_table(rows)
    assert len(table.splitlines()) == len(rows) + 2  # header and rule


def test_show_writes_dot_and_gantt(tmp_path: Path) -> None:
    written = show(_diamond(), "diamond", tmp_path, workers=2, cost="static")
    names = [p.name for p in written]
    assert names == ["diamond.dot", "diamond.svg", "diamond.gantt.svg"]
    dot = (tmp_path / "diamond.dot").read_text()
    assert dot.startswith("digraph")
    assert dot.count("->") == 4
    gantt = ET.fromstring((tmp_path / "diamond.gantt.svg").read_text())
    assert gantt.tag.endswith("svg")
    assert "predicted 0.86x" in (tmp_path / "diamond.gantt.svg").read_text()


def test_compare_and_show_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ramiel.seeding import light_model_path
    from ramiel.tools.ramiel_cli import main

    model = str(light_model_path("squeezenet"))
    main(["compare", model, "--workers", "2", "--heuristics", "cp,serial", "--cost", "static"])
    table = capsys.readouterr().out.splitlines()
    assert len(table) == 2 + 2  # header, rule, one row per heuristic
    assert table[2].startswith("| light_squeezenet | cp ")
    main(["show", model, "-o", str(tmp_path), "--cost", "static"])
    assert (tmp_path / "light_squeezenet.gantt.svg").is_file()
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", model, "--heuristics", "nonesuch"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.strip() == (
        "ramiel: error: unknown heuristic 'nonesuch' (--heuristics)"
    )
