"""`ramiel bench`: the structure of its report, JSON and charts on a small model (never its timings)."""

from __future__ import annotations

import json
import xml.dom.minidom
from pathlib import Path

import onnx
import pytest
import torch

from ramiel import api
from ramiel.bench import (
    EAGER,
    INTRA_OP,
    ORT_PARALLEL,
    ORT_SEQUENTIAL,
    PARALLEL,
    PARALLEL_BASELINE,
    SERIAL,
    BenchReport,
    bench,
)
from ramiel.errors import RamielError
from ramiel.pipeline import default_pipeline, pipeline_text
from ramiel.runtime import streams
from ramiel.tools.ramiel_cli import main
from tests.harness.bench_suite import (
    SuiteCase,
    cost_model_table,
    predicted_work,
    suite_table,
    write_suite_table,
)
from tests.unit.test_codegen import branches_model


class _Branches(torch.nn.Module):
    """The eager counterpart of `branches_model`, with its weights."""

    def __init__(self, model: onnx.ModelProto) -> None:
        super().__init__()
        weights = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
        self.left, self.right = weights["left.w"], weights["right.w"]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        stem = torch.relu(x)
        left = torch.conv2d(stem, self.left, padding=1)
        return left + torch.relu(torch.conv2d(stem, self.right, padding=1))


# The graph is too small for select-streams to keep two streams: lower its threshold.
TWO_STREAMS = default_pipeline(2, min_speedup=0.0)


@pytest.fixture(scope="module")
def report() -> BenchReport:
    model = branches_model()
    # This version of the stream runtime stands in for another: the baseline is timed as a configuration of its own.
    return bench(
        model, workers=2, repeat=2, gap=0.002, baseline_runtime=streams.__file__,
        torch_module=_Branches(model), name="branches", pipeline=TWO_STREAMS,
    )  # fmt: skip


def test_every_configuration_is_measured_each_round(report: BenchReport) -> None:
    labels = [m.label for m in report.measurements]
    assert labels == [
        f"{SERIAL} (1T)", f"{INTRA_OP} (2T)", f"{PARALLEL} (2T)", f"{PARALLEL_BASELINE} (2T)",
        f"{ORT_SEQUENTIAL} (1T)", f"{ORT_SEQUENTIAL} (2T)", f"{ORT_PARALLEL} (2T)",
        f"{EAGER} (1T)", f"{EAGER} (2T)",
    ]  # fmt: skip
    assert all(len(m.times) == 2 and m.median > 0 for m in report.measurements)
    assert report.max_error <= 1e-4


def test_calls_after_gaps_report_the_gap_and_the_cpu_time_spent_idle(report: BenchReport) -> None:
    assert report.gap == 0.002
    assert all(len(m.idle_cpu_times) == 2 for m in report.measurements)
    assert all(m.idle_share(report.gap) >= 0 for m in report.measurements)
    text = "\n".join(report.lines())
    assert "each call after 2 ms idle" in text
    assert "idle CPU" in text
    assert "runtime over baseline runtime" in report.ratios()


def test_the_report_gives_the_bound_and_the_ratios(report: BenchReport) -> None:
    assert report.streams == 2
    assert 1.0 <= report.bound <= 2.0
    assert report.work >= report.critical_path > 0
    ratios = report.ratios()
    assert {
        "parallel speedup over serial", "parallel over intra-op", "scheduling quality (speedup / bound)",
        "onnxruntime 1T over serial (serial slowdown)", "parallel over best PyTorch eager",
    } <= set(ratios)  # fmt: skip
    text = "\n".join(report.lines())
    assert "bound min(2, W/CP)" in text
    assert "load average" in text


def test_the_measured_timeline_covers_both_streams_and_names_ops(report: BenchReport) -> None:
    streams = {row[0] for row in report.timeline}
    assert streams == {0, 1}
    names = {report.plan.graph.nodes[v].name for _, v, _, _ in report.timeline}
    assert {"left/conv", "right/conv", "join"} <= names
    assert all(0 <= start <= end for _, _, start, end in report.timeline)


def test_json_and_svg(report: BenchReport, tmp_path: Path) -> None:
    report.write_json(tmp_path / "b.json")
    data = json.loads((tmp_path / "b.json").read_text())
    assert data["workers"] == 2
    assert data["repeat"] == 2
    assert data["gap_ms"] == 2.0
    assert all(len(c["idle_cpu_ms"]) == 2 for c in data["configurations"])
    assert len(data["configurations"]) == len(report.measurements)
    assert set(data["timeline"]) == {"predicted", "measured"}
    report.write_svg(tmp_path / "b.svg")
    document = xml.dom.minidom.parse(str(tmp_path / "b.svg"))
    assert len(document.getElementsByTagName("svg")) == 3  # the stack, the bars, the timelines


def test_suite_table_goes_between_the_markers(report: BenchReport, tmp_path: Path) -> None:
    case = SuiteCase("branches", "test", branches_model)
    path = tmp_path / "bench.md"
    path.write_text("# Results\n\nbefore\n")
    write_suite_table(path, suite_table([(case, report)]))
    write_suite_table(path, suite_table([(case, report)]))
    text = path.read_text()
    assert text.startswith("# Results\n\nbefore\n")
    assert text.count("| branches | test |") == 1


def test_bench_refuses_one_worker() -> None:
    with pytest.raises(RamielError, match="at least 2"):
        bench(branches_model(), workers=1, repeat=2)


@pytest.mark.parametrize("gap", [-0.001, 10.001, float("nan")])
def test_bench_refuses_a_gap_out_of_range(gap: float) -> None:
    with pytest.raises(RamielError, match="--gap must be between 0 and 10000 ms"):
        bench(branches_model(), workers=2, repeat=2, gap=gap)


def test_bench_refuses_a_baseline_that_is_no_stream_runtime(tmp_path: Path) -> None:
    with pytest.raises(RamielError, match="cannot read the baseline runtime"):
        bench(branches_model(), workers=2, repeat=2, baseline_runtime=tmp_path / "missing.py")
    other = tmp_path / "other.py"
    other.write_text("import threading\n")
    with pytest.raises(RamielError, match="not a stream runtime"):
        bench(branches_model(), workers=2, repeat=2, baseline_runtime=other)


def test_a_baseline_runtime_needs_parallel_code(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # With the default pipeline this graph gets one stream, which has no stream runtime.
    path = tmp_path / "branches.onnx"
    onnx.save(branches_model(), path)
    with pytest.raises(SystemExit):
        main(["bench", str(path), "--workers", "2", "--repeat", "1", "--baseline-runtime", streams.__file__])
    assert capsys.readouterr().err.strip() == (
        "ramiel: error: the parallel code has one stream, so no stream runtime to compare (--baseline-runtime)"
    )


def test_the_command_writes_json_and_plot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "branches.onnx"
    onnx.save(branches_model(), path)
    main(["bench", str(path), "--workers", "2", "--repeat", "2",
          "--json", str(tmp_path / "b.json"), "--plot", str(tmp_path / "b.svg")])  # fmt: skip
    out = capsys.readouterr().out
    assert "Ramiel parallel (2T)" in out
    assert "calls back to back" in out
    assert "parallel speedup over serial" in out
    assert (tmp_path / "b.json").is_file()
    assert (tmp_path / "b.svg").is_file()


def test_the_command_times_after_gaps_against_a_baseline_runtime(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "branches.onnx"
    onnx.save(branches_model(), path)
    main(["bench", str(path), "--workers", "2", "--repeat", "1", "--gap", "1.5",
          "--pipeline", pipeline_text(TWO_STREAMS), "--baseline-runtime", streams.__file__])  # fmt: skip
    out = capsys.readouterr().out
    assert "each call after 1.5 ms idle" in out
    assert f"{PARALLEL_BASELINE} (2T)" in out
    assert "runtime over baseline runtime" in out


def test_the_command_refuses_a_gap_that_is_no_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "model.onnx", "--gap", "soon"])
    assert capsys.readouterr().err.strip() == (
        "ramiel: error: argument --gap: invalid float value: 'soon' (command line)"
    )


def test_predicted_work_under_every_cost_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAMIEL_CACHE", str(tmp_path))
    with pytest.warns(UserWarning, match="not found"):
        work = predicted_work(branches_model())
    assert set(work) == {"static", "analytic", "profile"}
    assert all(w > 0 for w in work.values())
    table = cost_model_table([("branches", work["static"], work)])
    assert table[2].startswith("| branches |")
    assert table[-1].startswith("| mean abs log error | | 0.000 |")


def test_the_command_fails_after_its_report_when_outputs_are_over_the_tolerance(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "branches.onnx"
    onnx.save(branches_model(), path)
    reference = api.onnxruntime_outputs
    monkeypatch.setattr(
        api, "onnxruntime_outputs", lambda model, feed: [y + 1.0 for y in reference(model, feed)]
    )
    with pytest.raises(SystemExit) as info:
        main(["bench", str(path), "--workers", "2", "--repeat", "1", "--json", str(tmp_path / "b.json")])
    assert info.value.code == 1
    out, err = capsys.readouterr()
    assert "OVER the tolerance" in out
    assert (tmp_path / "b.json").is_file()
    assert err == f"ramiel: error: outputs differ from onnxruntime beyond the tolerance ({path})\n"


def test_onnxruntime_runs_with_its_default_options() -> None:
    """The baseline is onnxruntime as its users run it: spinning allowed, only the thread counts set."""
    from onnx import TensorProto, helper

    from ramiel.bench import onnxruntime_session

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
    )  # fmt: skip
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    for parallel in (False, True):
        options = onnxruntime_session(proto, 2, parallel_executor=parallel).get_session_options()
        for entry in ("session.intra_op.allow_spinning", "session.inter_op.allow_spinning"):
            with pytest.raises(RuntimeError, match="does not have configuration"):
                options.get_session_config_entry(entry)
        assert (options.intra_op_num_threads, options.inter_op_num_threads) == ((1, 2) if parallel else (2, 0))
