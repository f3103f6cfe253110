"""ramiel-opt behaves as mlir-opt users expect: version, targets, diagnostics on stderr, suggestions."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

from ramiel.ir_text import parse_module
from tests.unit.test_ramiel_opt import Run, run

IR = """\
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = dfg.relu %x : (tensor<2xf32>) -> tensor<2xf32>
  func.return %a : tensor<2xf32>
}
"""


@pytest.fixture
def ir_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.mlir"
    path.write_text(IR)
    return path


def test_version_names_ramiel_and_xdsl(capsys: pytest.CaptureFixture[str]) -> None:
    done = run(["--version"], capsys)
    assert done.code == 0
    assert done.out.strip() == f"ramiel-opt {version('ramiel')}, built on xdsl {version('xdsl')}"


@pytest.mark.parametrize("target", ["llvm", "wat", "wgsl", "x86-asm"])
def test_xdsl_targets_ramiel_cannot_feed_are_refused(target: str, ir_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = run([str(ir_file), "-t", target], capsys)
    assert (done.code, done.out) == (1, "")
    assert done.err == f"ramiel: error: argument -t/--target: invalid choice: '{target}' (choose from mlir, python) (command line)\n"


@pytest.mark.parametrize("flag", ["--time-passes", "--print-between-passes"])
def test_what_passes_print_goes_to_stderr(flag: str, ir_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done: Run = run([str(ir_file), "-p", "cleanup,cse", flag], capsys)
    assert done.code == 0
    parse_module(done.out, verify=True)  # stdout is the IR alone
    assert ("Pass cleanup took" if flag == "--time-passes" else "IR after cleanup:") in done.err


def test_a_misspelled_pass_gets_a_suggestion(ir_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = run([str(ir_file), "-p", "clenaup"], capsys)
    assert done.code == 1
    assert done.err.startswith("ramiel: error: unknown pass 'clenaup'; did you mean 'cleanup'? (passes: ")


def test_a_misspelled_option_gets_a_suggestion(ir_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = run([str(ir_file), "-p", "cluster{heuristc=heft}"], capsys)
    assert done.code == 1
    assert done.err == (
        "ramiel: error: pass 'cluster' has no option 'heuristc'; did you mean 'heuristic'? "
        "(options: heuristic, workers, cost) (-p cluster{heuristc=heft})\n"
    )


def test_no_suggestion_for_a_name_like_none(ir_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = run([str(ir_file), "-p", "zzzzzz"], capsys)
    assert "did you mean" not in done.err
    assert done.err.startswith("ramiel: error: unknown pass 'zzzzzz' (passes: ")


def test_workers_below_one_is_a_one_line_error(ir_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = run([str(ir_file), "-p", "cluster{workers=0}"], capsys)
    assert (done.code, done.err) == (1, "ramiel: error: workers must be at least 1, got 0 (pass pipeline)\n")
