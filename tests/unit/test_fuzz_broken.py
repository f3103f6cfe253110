"""Broken and hostile inputs end in the project's error form.

Short seeded runs of `python -m tests.harness.fuzz onnx ir cli strings nesting utf8
names attributes` (about a minute), the saved inputs of past findings
(tests/regressions/broken/), and a few runs of the installed commands as
subprocesses. Commands run in a sandbox process (`tests.harness.fuzz.sandbox`) so that
a hang fails a test instead of stopping the suite.

With `RAMIEL_LONG_TESTS=1` the hostile-input runs take the long budget,
`LONG_BUDGET` inputs of each kind.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import onnx
import pytest
from onnx import TensorProto, helper

from tests.harness.fuzz import broken
from tests.harness.fuzz import main as fuzz_main
from tests.harness.fuzz.broken import Finding, Report, problem_with
from tests.harness.fuzz.sandbox import CommandResult, Sandbox, run_command
from tests.unit.budget import LONG

REGRESSIONS = Path(__file__).resolve().parents[1] / "regressions" / "broken"
SEED = 0
TIMEOUT = 6.0
"""Seconds a command may take here before it counts as a hang."""


LONG_BUDGET = 2000
"""Inputs of each hostile kind in a long run."""


@dataclass(frozen=True)
class Known:
    """A known bug behind some broken inputs: its symptom, root cause and owner."""

    symptom: str
    """A regex matching the finding's line."""
    reason: str
    files: tuple[str, ...] = ()
    """Its saved inputs under tests/regressions/broken/."""


KNOWN: dict[str, Known] = {
}
"""Known bugs found by the fuzzers, each with a strict xfail test of its saved inputs."""


def _unexplained(report: Report) -> list[str]:
    return [
        f.line()
        for f in report.findings
        if not any(re.search(k.symptom, f.line()) for k in KNOWN.values())
    ]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(TIMEOUT) as box:
        yield box


def _ignore(finding: Finding) -> None:
    del finding


def test_damaged_models_end_in_the_error_form(sandbox: Sandbox) -> None:
    report = broken.fuzz_onnx(300, SEED, sandbox, _ignore)
    assert not _unexplained(report), "\n".join(_unexplained(report))
    # Both outcomes happened: the damage is neither always fatal nor always harmless.
    assert report.refused > 100
    assert report.accepted > 20


def test_damaged_ir_text_ends_in_the_error_form(sandbox: Sandbox) -> None:
    report = broken.fuzz_ir(200, SEED, sandbox, _ignore)
    assert not _unexplained(report), "\n".join(_unexplained(report))
    assert report.refused > 100
    assert report.accepted >= 5


def test_command_line_mistakes_end_in_the_error_form(sandbox: Sandbox) -> None:
    report = broken.fuzz_cli(60, SEED, sandbox, _ignore)
    assert not _unexplained(report), "\n".join(_unexplained(report))
    assert report.refused > 20


@pytest.mark.parametrize(
    ("kind", "budget", "accepted", "refused"),
    [
        # The fewest inputs accepted and refused: damage that is always fatal, or
        # always harmless, tests little. Hostile names are all accepted.
        ("strings", 40, 1, 20),
        ("nesting", 40, 3, 20),
        ("utf8", 40, 0, 30),
        ("names", 22, 20, 0),
        # Odd attribute values are mostly refused; the few the spec allows compile and run.
        ("attributes", 30, 1, 20),
    ],
)
def test_hostile_inputs_end_in_the_error_form(
    kind: str, budget: int, accepted: int, refused: int, sandbox: Sandbox
) -> None:
    report = broken.fuzz(kind, LONG_BUDGET if LONG else budget, SEED, sandbox, _ignore)
    assert not _unexplained(report), "\n".join(_unexplained(report))
    assert report.accepted >= accepted
    assert report.refused >= refused
    if LONG:
        print(
            f"\n{kind}: {report.inputs} runs, {report.accepted} accepted, {report.refused} "
            f"refused, {len(report.findings)} findings of known bugs"
        )


def _saved_inputs() -> list[object]:
    owner = {name: key for key, known in KNOWN.items() for name in known.files}
    params = []
    for path in sorted(REGRESSIONS.iterdir()):
        marks = []
        if path.name in owner:
            marks.append(
                pytest.mark.xfail(strict=True, reason=KNOWN[owner[path.name]].reason)
            )
        params.append(pytest.param(path, id=path.name, marks=marks))
    return params


@pytest.mark.parametrize("path", _saved_inputs())
def test_a_saved_input_ends_in_the_error_form(
    path: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    session = broken.Session(sandbox, Report(), _ignore)
    source = tmp_path / path.name
    if path.suffix == ".mlir":
        first, _, text = path.read_bytes().partition(b"\n")
        assert first.startswith(broken.ARGS_PREFIX.encode())
        options = shlex.split(first.decode().removeprefix(broken.ARGS_PREFIX))
        broken.give_ir(session, "saved", text, options, source)
    else:
        session.give("saved", "ramiel-opt", [str(path)], None, command="ramiel-opt")
        source.write_bytes(path.read_bytes())
        broken.give_model(session, "saved", source, run=True)
    assert session.report.findings == []
    assert session.report.inputs >= 1


def test_every_saved_input_belongs_to_a_known_bug_or_passes() -> None:
    named = {name for known in KNOWN.values() for name in known.files}
    assert named <= {p.name for p in REGRESSIONS.iterdir()}


# Command-line errors, each once a bug the fuzzers found.


@pytest.mark.parametrize(
    ("tool", "argv"),
    [
        ("ramiel-opt", ["--bogus"]),
        ("ramiel", ["compile", "model.onnx"]),
        ("ramiel", ["bogus"]),
    ],
)
def test_a_usage_error_is_one_line_and_status_1(tool: str, argv: list[str]) -> None:
    assert problem_with(run_command(tool, argv), ir_text=False) is None


def test_a_missing_heuristics_file_is_one_line(tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    onnx.save(_relu(), model)
    result = run_command(
        "ramiel-opt", [str(model), "--load-heuristics", str(tmp_path / "missing.py")]
    )
    assert problem_with(result, ir_text=False) is None


def test_a_nul_in_the_output_folder_is_one_line(tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    onnx.save(_relu(), model)
    result = run_command("ramiel", ["compile", str(model), "-o", f"{tmp_path}/a\x00b"])
    assert problem_with(result, ir_text=False) is None


def _relu() -> onnx.ModelProto:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


# What counts as the error form.


@pytest.mark.parametrize(
    ("result", "ir_text", "expected"),
    [
        (CommandResult(1, "", "ramiel: error: bad thing (model.onnx)\n"), False, None),
        (
            CommandResult(
                1, "", "ramiel: note: batch set to 1\nramiel: error: bad (x)\n"
            ),
            False,
            None,
        ),
        (CommandResult(0, "module\n", ""), False, None),
        (
            CommandResult(
                1,
                "",
                "in.mlir:3:18\n    %a = dfg.rel %x\n         ^^\n  not registered\n",
            ),
            True,
            None,
        ),
        (
            CommandResult(1, "", "in.mlir:3:18\n  %a\n  ^\n  not registered\n"),
            False,
            "not the error form",
        ),
        (
            CommandResult(1, "", "ramiel: error: no where\n"),
            False,
            "not the error form",
        ),
        (
            CommandResult(1, "", "ramiel: error: a (b)\nramiel: error: c (d)\n"),
            False,
            "not the error form",
        ),
        (CommandResult(2, "", "usage: ramiel\n"), False, "exit status 2"),
        (
            CommandResult(1, "partial", "ramiel: error: a (b)\n"),
            False,
            "failed, but wrote to stdout",
        ),
        (
            CommandResult(0, "", "UserWarning: careful\n"),
            False,
            "success, but stderr says",
        ),
        (
            CommandResult(None, "", "", crash="KeyError: 0"),
            False,
            "traceback: KeyError: 0",
        ),
        (
            CommandResult(1, "", "Traceback (most recent call last):\nValueError: x\n"),
            False,
            "traceback on stderr",
        ),
        (CommandResult(None, "", "", hung=True), True, "no result in time"),
    ],
)
def test_the_error_form(
    result: CommandResult, ir_text: bool, expected: str | None
) -> None:
    problem = problem_with(result, ir_text=ir_text)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None
        assert problem.startswith(expected)


def test_files_left_behind_are_a_problem(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text("partial")
    result = CommandResult(1, "", "ramiel: error: a (b)\n")
    assert (
        problem_with(result, ir_text=False, written=tmp_path)
        == f"failed, but left files in {tmp_path.name}"
    )


# The sandbox.


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("while True:\n    pass\n", CommandResult(None, "", "", hung=True)),
        (
            "import os\nos._exit(3)\n",
            CommandResult(None, "", "", crash="the process died (exit code 3)"),
        ),
    ],
)
def test_the_sandbox_survives_a_hang_and_a_death(
    code: str, expected: CommandResult, tmp_path: Path
) -> None:
    heuristics = tmp_path / "heuristics.py"
    heuristics.write_text(code)
    model = tmp_path / "model.onnx"
    onnx.save(_relu(), model)
    with Sandbox(timeout=3.0) as box:
        assert (
            box.run("ramiel-opt", [str(model), "--load-heuristics", str(heuristics)])
            == expected
        )
        # A fresh child takes over.
        assert box.run("ramiel-opt", [str(model)]).status == 0


def test_the_sandbox_limits_memory(tmp_path: Path) -> None:
    heuristics = tmp_path / "heuristics.py"
    heuristics.write_text("data = bytearray(16 << 30)\n")
    model = tmp_path / "model.onnx"
    onnx.save(_relu(), model)
    with Sandbox(timeout=30.0) as box:
        result = box.run(
            "ramiel-opt", [str(model), "--load-heuristics", str(heuristics)]
        )
    assert "MemoryError" in result.crash + result.stderr


# The installed commands, as a user runs them.


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_truncated_model_through_the_command(tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(_relu().SerializeToString()[:25])
    done = _run("ramiel.tools.ramiel_opt", str(model))
    assert (done.returncode, done.stdout) == (1, "")
    assert (
        done.stderr
        == f"ramiel: error: not an ONNX model, or a truncated one ({model})\n"
    )


def test_damaged_ir_through_the_command(tmp_path: Path) -> None:
    source = tmp_path / "in.mlir"
    source.write_text('builtin.module {\n  %a = "dfg.rel"() : () -> tensor<2xf32>\n}\n')
    done = _run("ramiel.tools.ramiel_opt", str(source))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines()[0] == f"{source}:2:17"


def test_the_fuzz_command_prints_a_summary(tmp_path: Path) -> None:
    done = _run("tests.harness.fuzz", "cli", "--budget", "3", "--save", str(tmp_path))
    assert (done.returncode, done.stderr) == (0, "")
    assert re.fullmatch(
        r"cli: 3 inputs, 0 accepted, 3 refused, 0 findings \(0 distinct\); \d+ s\n",
        done.stdout,
    )


def test_the_fuzz_command_fails_on_findings_and_reports_each_cause_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def findings(budget: int, seed: int, box: Sandbox, found: broken.Found) -> Report:
        report = Report()
        for data in (b"first", b"second"):  # one cause, two inputs
            problem = f"traceback: KeyError: {len(data)}"
            report.find(Finding("onnx/bytes", "ramiel-opt", problem, data), found)
        return report

    monkeypatch.setattr(broken, "fuzz_onnx", findings)
    with pytest.raises(SystemExit) as exit_info:
        fuzz_main(["onnx", "--budget", "2", "--save", str(tmp_path)])
    assert exit_info.value.code == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "FINDING onnx/bytes (ramiel-opt): traceback: KeyError: 5 [saved as "
    )
    assert lines[1].startswith(
        "onnx: 0 inputs, 0 accepted, 0 refused, 2 findings (1 distinct)"
    )
    assert len(lines) == 2
    assert [p.read_bytes() for p in (tmp_path / "broken").iterdir()] == [b"first"]
