"""`ramiel compare --suite` and `--scaling`: sets, tables, plots, STG export, plug-ins and errors."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ramiel.ir_text import parse_module
from ramiel.scheduling import registry
from ramiel.scheduling.graphsets import GRAPH_SETS
from ramiel.scheduling.suite import SuiteSummary
from ramiel.scheduling.suite_svg import suite_svg
from ramiel.tools.ramiel_cli import main
from ramiel.workbench import suite_sets
from tests.unit.test_workbench import DIAMOND

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "stg"

PLUGIN = """
from ramiel.scheduling import Schedule, register_heuristic

@register_heuristic("all-on-one-stream")
def mine(graph, workers):
    return Schedule(streams=[list(range(len(graph)))] if len(graph) else [])
"""


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A researcher's heuristics file, loaded into a private copy of the registry."""
    monkeypatch.setattr(registry.HEURISTICS, "entries", dict(registry.HEURISTICS.entries))
    monkeypatch.setattr(registry.HEURISTICS, "entry_points_loaded", True)
    path = tmp_path / "mine.py"
    path.write_text(textwrap.dedent(PLUGIN))
    return str(path)


def table_rows(out: str) -> list[list[str]]:
    """The cells of a Markdown table's body lines."""
    lines = [line for line in out.splitlines() if line.startswith("| ")][1:]
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines]


def test_generated_sets_have_their_sizes_and_ratios() -> None:
    # The target: 200 graphs or more, of 50-500 tasks, at three ratios or more.
    dc = GRAPH_SETS["dc"]
    assert len(dc.sizes) * len(dc.processors) * len(dc.ccrs) * dc.seeds >= 200
    assert (min(dc.sizes), max(dc.sizes), len(dc.ccrs)) == (50, 500, 3)
    assert max(GRAPH_SETS["dc-small"].sizes) == 30
    sets = suite_sets(["dc-small"], {})
    assert list(sets) == ["dc-small ccr 0.1", "dc-small ccr 1", "dc-small ccr 5"]
    assert {len(cases) for cases in sets.values()} == {24}


def test_exported_generated_graphs_are_the_shipped_samples(tmp_path: Path) -> None:
    main(["compare", "--suite", "dc-small", "--heuristics", "serial", "--workers", "2",
          "--processes", "1", "--export-stg", str(tmp_path)])  # fmt: skip
    sample = SAMPLES / "dc-n20-p2-ccr1-s0.stg"
    assert (tmp_path / sample.name).read_text() == sample.read_text()
    assert len(list(tmp_path.glob("*.stg"))) == 72


def test_stg_folder_cases_take_their_stated_optimum(capsys: pytest.CaptureFixture[str]) -> None:
    main(["compare", "--suite", str(SAMPLES), "--heuristics", "serial", "--workers", "2", "--processes", "1"])
    rows = table_rows(capsys.readouterr().out)
    # The samples fill p = 2, 3 and 4 processors for their optimum L, so serial takes
    # W = p L. On 2 workers the bound is max(L, W / 2): L, 1.5 L and 2 L. Every gap is
    # W / bound - 1 = 100%.
    assert rows == [["stg", "serial", "2", "3", "100.00", "100.00", "0", rows[0][7]]]


def test_models_and_a_plugin_appear_in_every_table(
    plugin: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "diamond.mlir"
    model.write_text(DIAMOND)
    from ramiel.seeding import light_model_path

    onnx_model = str(light_model_path("squeezenet"))
    common = ["--load-heuristics", plugin, "--cost", "static", "--heuristics", "cp,hybrid,all-on-one-stream"]
    main(["compare", onnx_model, "--workers", "2", *common[:4], "--heuristics", "cp,all-on-one-stream"])
    assert [r[1] for r in table_rows(capsys.readouterr().out)] == ["cp", "all-on-one-stream"]
    plot = tmp_path / "gaps.svg"
    # The file is loaded: later commands in this process know its heuristic.
    main(["compare", onnx_model, "--suite", str(SAMPLES), "--workers", "2", "--processes", "1",
          "--plot", str(plot), *common[2:]])  # fmt: skip
    out = capsys.readouterr().out
    rows = table_rows(out)
    assert {(r[0], r[1]) for r in rows} == {
        (s, h) for s in ("stg", "models") for h in ("cp", "hybrid", "all-on-one-stream")
    }
    assert f"wrote {plot}" in out
    picture = plot.read_text()
    assert "all-on-one-stream" in picture
    main(["compare", onnx_model, "--scaling", "--workers", "2,64", *common[2:]])
    scaling = capsys.readouterr().out
    assert "light_squeezenet, all-on-one-stream:" in scaling
    assert scaling.count("Predicted, not measured") == 3


def test_models_set_prices_threads() -> None:
    (case,) = suite_sets([], {"diamond": parse_module(DIAMOND)}, "static", 2)["models"]
    assert [len(n.threaded_costs) for n in case.graph.nodes] == [1, 1, 1, 1]
    # The static model's convolutions are large enough to share: faster on two threads.
    conv = case.graph.nodes[1]
    assert conv.threaded_costs[0] < conv.cost


def test_threaded_heuristics_are_left_to_suites(capsys: pytest.CaptureFixture[str]) -> None:
    from ramiel.seeding import light_model_path

    main(["compare", str(light_model_path("squeezenet")), "--workers", "2", "--cost", "static"])
    names = {r[1] for r in table_rows(capsys.readouterr().out)}
    assert "cp" in names
    assert not names & {"hybrid", "intra"}


def test_suite_plot_draws_a_bar_per_summary() -> None:
    summaries = [
        SuiteSummary("dc ccr 1", h, w, 10, gap, 2 * gap, 0.5, 0.001)
        for h, gap in (("cp", 0.02), ("<b>&", 0.3))
        for w in (2, 4)
    ]
    root = ET.fromstring(suite_svg(summaries, "gaps & <bounds>"))
    rects = [e for e in root.iter() if e.tag.endswith("rect")]
    assert len(rects) == 1 + len(summaries)  # the background and one bar each
    texts = [e.text for e in root.iter() if e.tag.endswith("text")]
    assert "gaps & <bounds>" in texts
    assert "<b>&" in texts
    # The worst gap, 60%, sets the axis: 0 to 100% in fifths.
    assert [t for t in texts if t and t.endswith("%")] == ["0%", "20%", "40%", "60%", "80%", "100%"]


def cli_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare"], "give MODEL.onnx files or a graph set to score (--suite SET) (compare)"),
        (["compare", "--suite", "nonesuch"], "no such graph set: give dc, dc-small, models, an .stg file or a folder of them (nonesuch)"),
        (["compare", "--suite", "models"], "the models set needs MODEL.onnx files (--suite models)"),
        (["compare", "m.onnx", "--plot", "p.svg"], "this option scores a suite: add --suite SET (--plot)"),
        (["compare", "m.onnx", "--bandwidth", "9"], "the bandwidth is for scaling curves: add --scaling (--bandwidth)"),
        (["compare", "--suite", "dc", "--scaling"], "scaling curves are predicted for models, not suites (--scaling)"),
        (["compare", "--suite", "dc", "--processes", "0"], "expected a positive number of processes (--processes 0)"),
        (["compare", "--suite", "dc", "--workers", "2,x"], "expected comma-separated positive integers (--workers 2,x)"),
        (["compare", "m.onnx", "--repeat", "3"], "the rounds are for measurements: add --measure (--repeat)"),
        (["compare", "--suite", "dc", "--measure"], "measurements time models' generated code, not suites or scaling curves (--measure)"),
        (["compare", "m.onnx", "--measure", "--repeat", "0"], "expected a positive number of rounds (--repeat 0)"),
    ],
)
def test_command_line_mistakes(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_error(argv, capsys) == f"ramiel: error: {message}"


def test_bad_stg_files_and_unwritable_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli_error(["compare", "--suite", str(empty)], capsys).endswith(
        f"the folder holds no .stg files ({empty})"
    )
    broken = tmp_path / "broken.stg"
    broken.write_text("3\n0 0 0\n1 x\n")
    assert cli_error(["compare", "--suite", str(broken)], capsys).startswith(
        "ramiel: error: invalid STG file: "
    )
    # A plot in a "folder" that is a file: no user may write there, root included.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    err = cli_error(["compare", "--suite", str(SAMPLES), "--heuristics", "serial", "--workers", "2",
                     "--processes", "1", "--plot", str(blocker / "p.svg")], capsys)  # fmt: skip
    assert err == f"ramiel: error: cannot write the output: File exists ({blocker})"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "broken.stg", "empty"]


def test_show_refuses_a_schedule_generated_code_cannot_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ramiel.seeding import light_model_path

    argv = ["show", str(light_model_path("squeezenet")), "-o", str(tmp_path), "--heuristic", "intra", "--cost", "static"]
    err = cli_error(argv, capsys)
    assert err.startswith("ramiel: error: heuristic 'intra' runs node 0 ")
    assert err.endswith("score them with ramiel compare --suite (heuristic intra)")
    assert list(tmp_path.iterdir()) == []


def test_measured_rows_carry_the_predictions_of_the_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    from ramiel.seeding import light_model_path

    model = str(light_model_path("squeezenet"))
    main(["compare", model, "--workers", "2", "--cost", "static", "--heuristics", "cp,serial"])
    compared, serial = table_rows(capsys.readouterr().out)
    main(["compare", model, "--measure", "--repeat", "1", "--workers", "2", "--cost", "static",
          "--heuristics", "serial,intra,cp,hybrid"])  # fmt: skip
    out = capsys.readouterr().out
    assert out.startswith("Measured: medians, configurations alternated round by round; load average ")
    rows = table_rows(out)
    # hybrid has no code that runs it; serial runs once, on one thread.
    assert [(r[1], r[2]) for r in rows] == [("serial", "1"), ("intra", "2"), ("cp", "2")]
    # The same predicted makespans as the comparison table.
    assert (rows[0][4], rows[2][4]) == (serial[3], compared[3])
    for r in rows:
        assert float(r[5]) > 0.0
        assert float(r[6]) == pytest.approx(float(r[5]) / float(r[4]), abs=0.01)
