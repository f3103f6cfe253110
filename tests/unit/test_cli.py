"""The `ramiel` command: compile, check, run; overwriting, errors, npz keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper

from ramiel.codegen import MARKER
from ramiel.tools.ramiel_cli import main
from tests.unit.test_codegen import diamond_model


def _ramiel(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command in-process: exit status, stdout, stderr."""
    try:
        main([str(a) for a in args])
        status = 0
    except SystemExit as e:
        status = int(e.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "diamond.onnx"
    onnx.save(diamond_model(), path)
    return path


def test_compile_writes_the_model_and_a_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model_file: Path
) -> None:
    status, out, err = _ramiel(capsys, "compile", model_file, "-o", tmp_path / "out", "--workers", "1")
    assert status == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["diamond.py", "diamond.weights.pt"]
    assert "ops: 8 imported" in out
    assert "streams: 1" in out
    assert "compile time:" in out
    assert err == ""


def test_compile_prints_the_op_counts_when_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model_file: Path
) -> None:
    status, out, err = _ramiel(capsys, "compile", model_file, "-o", tmp_path / "out", "--workers", "1", "--op-counts")
    assert status == 0, err
    table = out.split("compile time:")[1].splitlines()[1:]
    # The diamond: Relu, two Convs, Sigmoid, Add, Split, Mul, Tanh; the lowering fuses nothing away.
    assert table == [
        "  op           before  after",
        "  dfg.add           1      1",
        "  dfg.conv          2      2",
        "  dfg.mul           1      1",
        "  dfg.relu          1      1",
        "  dfg.sigmoid       1      1",
        "  dfg.split         1      1",
        "  dfg.tanh          1      1",
        "  total             8      8",
    ]
    assert "op " not in _ramiel(capsys, "compile", model_file, "-o", tmp_path / "again", "--workers", "1")[1]


def test_more_streams_than_cores_get_a_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    status, _, err = _ramiel(capsys, "compile", model_file, "-o", tmp_path / "out", "--workers", "8")
    assert status == 0, err
    assert err == (
        "ramiel: note: 8 streams on 2 cores: they will take turns on the cores, "
        "which the predicted speedup does not count\n"
    )
    assert _ramiel(capsys, "compile", model_file, "-o", tmp_path / "two", "--workers", "2")[2] == ""


def test_compile_overwrites_only_generated_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model_file: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "diamond.py"
    mine.write_text("print('my own file')\n")
    status, _, err = _ramiel(capsys, "compile", model_file, "-o", out, "--workers", "1")
    assert status == 1
    assert err == f"ramiel: error: refusing to overwrite a file that Ramiel did not generate (use --force) ({mine})\n"
    assert mine.read_text() == "print('my own file')\n"
    assert sorted(p.name for p in out.iterdir()) == ["diamond.py"]

    status, _, err = _ramiel(capsys, "compile", model_file, "-o", out, "--workers", "1", "--force")
    assert status == 0, err
    assert mine.read_text().startswith(MARKER)
    status, _, err = _ramiel(capsys, "compile", model_file, "-o", out, "--workers", "1")
    assert status == 0, err


def test_a_failed_compile_leaves_nothing_behind(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    x = helper.make_tensor_value_info("x", onnx.TensorProto.INT64, [5])
    y = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])
    # Valid ONNX that Ramiel refuses: TfIdfVectorizer works on token ids.
    node = helper.make_node(
        "TfIdfVectorizer", ["x"], ["y"], mode="TF", min_gram_length=1, max_gram_length=1,
        max_skip_count=0, ngram_counts=[0], ngram_indexes=[0], pool_int64s=[1],
    )
    graph = helper.make_graph([node], "g", [x], [y])
    path = tmp_path / "bad.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), path)
    out = tmp_path / "out"
    out.mkdir()
    status, _, err = _ramiel(capsys, "compile", path, "-o", out)
    assert status == 1
    assert err.startswith("ramiel: error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


def test_missing_model_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = _ramiel(capsys, "compile", tmp_path / "nope.onnx", "-o", tmp_path / "out")
    assert status == 1
    assert err.startswith("ramiel: error: cannot read the model")
    assert not (tmp_path / "out").exists()


def test_check_compares_with_onnxruntime(capsys: pytest.CaptureFixture[str], model_file: Path) -> None:
    status, out, err = _ramiel(capsys, "check", model_file, "--workers", "2")
    assert status == 0, err
    assert out.startswith("serial: max abs error ")
    assert "2 workers: max abs error " in out


def test_check_reads_inputs_from_npz(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model_file: Path
) -> None:
    rng = np.random.default_rng(1)
    inputs = tmp_path / "in.npz"
    np.savez(inputs, x=rng.standard_normal((1, 3, 6, 6), dtype=np.float32), y=np.ones((1, 2, 6, 6), np.float32))
    status, _, err = _ramiel(capsys, "check", model_file, "--workers", "2", "--inputs", inputs)
    assert status == 0, err

    np.savez(inputs, x=np.ones((1, 3, 6, 6), np.float64), y=np.ones((1, 2, 6, 6), np.float32))
    status, _, err = _ramiel(capsys, "check", model_file, "--workers", "2", "--inputs", inputs)
    # Refused before onnxruntime sees it, in the project's words.
    assert (status, err) == (1, "ramiel: error: input 'x' is 1x3x6x6 float64; the model takes 1x3x6x6 float32 (--inputs)\n")


def test_run_reads_and_writes_npz_by_onnx_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model_file: Path
) -> None:
    _ramiel(capsys, "compile", model_file, "-o", tmp_path / "out", "--workers", "1")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 3, 6, 6), dtype=np.float32)
    y = rng.standard_normal((1, 2, 6, 6), dtype=np.float32)
    np.savez(tmp_path / "in.npz", x=x, y=y)
    status, out, err = _ramiel(
        capsys, "run", tmp_path / "out" / "diamond.py", "--inputs", tmp_path / "in.npz", "-o", tmp_path / "o.npz"
    )
    assert status == 0, err
    assert out == f"wrote p, q, d to {tmp_path / 'o.npz'}\n"
    with np.load(tmp_path / "o.npz") as result:
        assert sorted(result.files) == ["d", "p", "q"]
        assert result["p"].shape == (1, 2, 6, 6)

    np.savez(tmp_path / "bad.npz", x=x, z=y)
    status, _, err = _ramiel(
        capsys, "run", tmp_path / "out" / "diamond.py", "--inputs", tmp_path / "bad.npz", "-o", tmp_path / "o2.npz"
    )
    assert status == 1
    assert "missing 'y'; unknown 'z'" in err
    assert err.count("\n") == 1
    assert not (tmp_path / "o2.npz").exists()

    np.savez(tmp_path / "wrong.npz", x=x[:, :, :3], y=y)
    status, _, err = _ramiel(
        capsys, "run", tmp_path / "out" / "diamond.py", "--inputs", tmp_path / "wrong.npz", "-o", tmp_path / "o3.npz"
    )
    assert (status, err) == (
        1, f"ramiel: error: input 'x' is 1x3x3x6 float32; the model takes 1x3x6x6 float32 ({tmp_path / 'out' / 'diamond.py'})\n"
    )  # fmt: skip

    missing_folder = tmp_path / "no_such_folder" / "o.npz"
    status, _, err = _ramiel(
        capsys, "run", tmp_path / "out" / "diamond.py", "--inputs", tmp_path / "in.npz", "-o", missing_folder
    )
    assert (status, err) == (1, f"ramiel: error: the output file's folder does not exist ({missing_folder})\n")
    assert not missing_folder.parent.exists()


def test_run_refuses_files_it_did_not_generate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    other = tmp_path / "other.py"
    other.write_text("import os\n")
    np.savez(tmp_path / "in.npz", x=np.zeros(1))
    status, _, err = _ramiel(capsys, "run", other, "--inputs", tmp_path / "in.npz", "-o", tmp_path / "o.npz")
    assert status == 1
    assert err == f"ramiel: error: not a file generated by Ramiel ({other})\n"


def test_bad_arguments_are_one_line_errors(capsys: pytest.CaptureFixture[str], model_file: Path) -> None:
    status, _, err = _ramiel(capsys, "compile", model_file, "-o", "x", "--workers", "0")
    assert status == 1
    assert err == (
        "ramiel: error: argument --workers: expected a positive integer, got '0' (command line)\n"
    )


@pytest.mark.parametrize("command", ["compile", "check", "bench"])
def test_max_memory_sets_the_budget_of_every_command_that_reads_a_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model_file: Path, command: str
) -> None:
    """The diamond's tensors take more than 1 KiB: 1K refuses it before anything runs, 1M does not."""
    output = ["-o", tmp_path / "out"] if command == "compile" else []
    status, _, err = _ramiel(capsys, command, model_file, *output, "--max-memory", "1K")
    assert status == 1
    assert err.startswith("ramiel: error: compiling needs about ")
    assert "more than the memory budget of 1.0 KiB" in err
    assert err.count("\n") == 1
    if command == "compile":
        status, _, err = _ramiel(capsys, command, model_file, *output, "--max-memory", "1M")
        assert status == 0, err


def test_max_memory_takes_a_size(capsys: pytest.CaptureFixture[str], model_file: Path) -> None:
    status, _, err = _ramiel(capsys, "check", model_file, "--max-memory", "0.5 lots")
    assert status == 1
    assert err == (
        "ramiel: error: argument --max-memory: expected a size such as 4G or 512M, "
        "got '0.5 lots' (command line)\n"
    )


@pytest.mark.heavy
def test_demo_checks_and_times_googlenet(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _ramiel(capsys, "demo", "--workers", "2", "--runs", "1")
    assert status == 0, err
    assert out.startswith("GoogLeNet (inception_v1, seeded weights) on 2 workers:")
    assert "streams: 2" in out
    assert "(ok)" in out
    timing = out.split("(ok)\n")[-1].splitlines()
    assert timing[0].startswith("  median of 1 alternating runs: serial ")
    assert timing[1].startswith("  spread: serial ")
    assert "speedup per run" in timing[1]
    assert timing[2].startswith("  load average before the demo: ")


def test_demo_timings_give_medians_spread_and_load() -> None:
    from collections import Counter

    from ramiel.api import CheckReport, CompileSummary, DemoReport

    summary = CompileSummary(Counter(), Counter(), clusters=0, streams=2, predicted_speedup=None, seconds=0.0)
    report = DemoReport(CheckReport(2, (), ()), (0.030, 0.020, 0.040), (0.010, 0.020, 0.016), summary, 1.5)
    lines = report.timing_lines()
    assert lines[0] == "median of 3 alternating runs: serial 30.0 ms, parallel 16.0 ms: speedup 1.88x"
    assert lines[1] == "spread: serial 20.0-40.0 ms, parallel 10.0-20.0 ms, speedup per run 1.00x-3.00x"
    assert lines[2].startswith("load average before the demo: 1.50 on ")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    status, out, err = _ramiel(capsys, "--version")
    assert (status, out, err) == (0, f"ramiel {version('ramiel')}\n", "")
    # The README shows what the command prints.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"$ ramiel --version\n{out}" in readme


@pytest.mark.parametrize("option", ["--json", "--plot"])
def test_bench_refuses_an_unwritable_output_before_it_runs(
    model_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    missing = tmp_path / "no such folder" / "bench.out"
    status, out, err = _ramiel(capsys, "bench", model_file, option, missing)
    assert status == 1
    assert out == ""  # no timing table: the benchmark never ran
    assert err == f"ramiel: error: the output file's folder does not exist ({missing})\n"


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8", b"[1, 2]", b'{"conv": "fast"}'])
def test_a_corrupt_cost_cache_is_one_line(
    model_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "cost_profile.json").write_bytes(content)
    monkeypatch.setenv("RAMIEL_CACHE", str(cache))
    status, _, err = _ramiel(capsys, "compile", model_file, "-o", tmp_path / "out")
    assert status == 1
    assert err == (
        "ramiel: error: the cost cache is not a JSON object of numbers; remove it or profile again "
        f"({cache / 'cost_profile.json'})\n"
    )
