"""ONNX backend conformance: every case of ONNX's backend tests passes or is refused at prepare.

The whole tally (`python -m tests.harness.conformance`) runs once per module under
RAMIEL_LONG_TESTS=1, in about 3 minutes on one core (2,033 cases, 200 with both worker
counts), and docs/conformance.md must be its current markdown; otherwise a third of the
node cases, every operator's first among them (`conformance.sample`), run in about a
minute. Each case compiles in tens of milliseconds, in process. Failures with a known root cause may be listed
in `KNOWN_FAILURES` (with a minimal reproduction below, marked as a strict
xfail); an entry that no longer explains any failure fails the test, so that
fixed bugs leave the list.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from ramiel.backend import RamielBackend
from ramiel.errors import RamielError
from ramiel.pipeline import default_pipeline
from tests.harness import conformance
from tests.harness.conformance import Case, Outcome, Tally
from tests.unit.budget import LONG

DOC = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"
DOC_COMMAND = "python -m tests.harness.conformance --markdown docs/conformance.md"


@dataclass(frozen=True)
class KnownFailure:
    """Failing cases with one known root cause, recognised by case name and symptom."""

    cases: str
    """A regex matching `suite/case`."""
    symptom: str
    """A regex the failure's detail must match."""
    reason: str
    """The root cause and the file that owns it."""

    def explains(self, outcome: Outcome) -> bool:
        """Whether `outcome` is one of these failures."""
        return (
            outcome.status == "failed"
            and re.search(self.cases, f"{outcome.suite}/{outcome.case}") is not None
            and re.search(self.symptom, outcome.detail) is not None
        )


KNOWN_FAILURES: dict[str, KnownFailure] = {
    "single-precision-expected-dft": KnownFailure(
        cases=r"^node/test_dft_inverse(_opset19)?$",
        symptom=r"Max absolute difference among violations: 1\.9\d*e-07",
        reason=(
            "the case's expected values are numpy's complex64 inverse FFT, whose own rounding "
            "(1.9e-7 on values near zero) exceeds the case's atol of 1e-7; Ramiel computes the "
            "transform in float64 and rounds once (ramiel/runtime_helpers/fourier.py), "
            "see test_the_inverse_dft_case_expects_single_precision_noise"
        ),
    ),
}
"""Failures with a known root cause (reported to the owner), by a short name."""


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    """Every case of every suite (loading them takes about 10 seconds)."""
    return conformance.collect()


@pytest.fixture(scope="module")
def tally(cases: list[Case]) -> Tally:
    """Every suite's outcomes, computed once.

    Each case alone compiles with 1 worker, and with 2 as well in the long run: a
    node case is one operator, on one stream whatever the count, and the check
    side by side compiles the passing ones onto 2 streams in every run. Either
    way the outcomes are those docs/conformance.md records (the long run checks
    that the second count changes none).
    """
    if LONG:
        return conformance.tally(cases)
    sampled = conformance.sample(cases, CI_SHARE)
    taken = {(c.suite, c.name) for c in sampled}
    # The known failures run too, so that a fix still shows.
    known = [
        c for c in cases
        if (c.suite, c.name) not in taken
        and any(re.search(k.cases, f"{c.suite}/{c.name}") for k in KNOWN_FAILURES.values())
    ]  # fmt: skip
    return conformance.tally([*sampled, *known], workers=(1,))


CI_SHARE = 3
"""Outside the long run, every third node case (and each operator's first) runs."""


def _failure_lines(outcomes: list[Outcome]) -> str:
    return "\n".join(f"{o.suite}/{o.case} ({o.operator}): {o.detail}" for o in outcomes)


def test_every_case_passes_or_is_refused_at_prepare(tally: Tally) -> None:
    known = KNOWN_FAILURES.values()
    unexplained = [o for o in tally.failures if not any(k.explains(o) for k in known)]
    assert not unexplained, (
        f"{len(unexplained)} cases failed:\n{_failure_lines(unexplained)}"
    )
    fixed = [
        n
        for n, k in KNOWN_FAILURES.items()
        if not any(k.explains(o) for o in tally.failures)
    ]
    assert not fixed, f"fixed: remove {fixed} from KNOWN_FAILURES"


def test_the_suites_are_all_there(cases: list[Case]) -> None:
    counts = {s: sum(c.suite == s for c in cases) for s in conformance.SUITES}
    # ONNX 1.23's generated node cases, and every shipped data set.
    assert counts["node"] > 1800
    assert counts["real"] == 9
    assert all(counts.values()), counts
    sampled = conformance.sample(cases, CI_SHARE)
    assert {c.operator for c in sampled} == {c.operator for c in cases if c.suite == "node"}
    assert len(sampled) < counts["node"] / 2


def test_the_tally_passes_cases_of_every_kind(tally: Tally) -> None:
    assert tally.count("passed") > (1400 if LONG else 450)


@pytest.mark.skipif(not LONG, reason="RAMIEL_LONG_TESTS=1 runs the whole tally that docs/conformance.md records")
def test_the_documented_tally_is_current(tally: Tally) -> None:
    expected = tally.markdown(DOC_COMMAND)
    assert DOC.read_text(encoding="utf-8") == expected, f"regenerate it: {DOC_COMMAND}"


def _relu_model(
    input_name: str = "x", output_name: str = "y", shape: tuple[int, ...] = (2, 3)
) -> onnx.ModelProto:
    graph = helper.make_graph(
        [helper.make_node("Relu", [input_name], [output_name])],
        "relu",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, shape)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def _case(
    model: onnx.ModelProto, inputs: list[np.ndarray], expected: list[np.ndarray]
) -> Case:
    return Case(
        "test_case", "node", "Relu", model, lambda: [(inputs, expected)], 1e-3, 1e-7
    )


# Regressions: bugs the tally found, fixed.


def test_tensor_names_made_of_digits_compile() -> None:
    # PyTorch exports tensors named "0", "1", ...; their SSA names "_0" once lost the name.
    x = np.array([[-1.0, 2.0, 0.0], [1.0, -2.0, 3.0]], np.float32)
    with RamielBackend.prepare(_relu_model("0", "1")) as rep:
        (y,) = rep.run([x])
    np.testing.assert_array_equal(y, np.maximum(x, 0))


def test_a_zero_size_dimension_is_kept_or_refused() -> None:
    # A dimension of size 0 was once taken for a symbolic one and set to 1.
    model = _relu_model(shape=(0, 3))
    model.graph.output[0].type.tensor_type.ClearField("shape")
    try:
        rep = RamielBackend.prepare(model)
    except RamielError:
        return  # refusing an empty tensor is fine; compiling it as another shape is not
    with rep:
        (y,) = rep.run([np.zeros((0, 3), np.float32)])
    assert y.shape == (0, 3)


def test_the_inverse_dft_case_expects_single_precision_noise() -> None:
    # What test_dft_inverse expects, against the exact transform rounded once.
    x = np.arange(0, 100, dtype=np.complex64).reshape(10, 10)
    exact = np.fft.ifft(x.astype(np.complex128), axis=0).astype(np.complex64)
    expected = np.fft.ifft(x, axis=0)
    assert np.abs(expected - exact).max() > 1e-7  # the case's atol
    signal = np.stack((x.real, x.imag), axis=2).astype(np.float32).reshape(1, 10, 10, 2)
    node = helper.make_node("DFT", ["x", "", "axis"], ["y"], inverse=1)
    graph = helper.make_graph(
        [node], "dft", [helper.make_tensor_value_info("x", TensorProto.FLOAT, signal.shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, signal.shape)],
        [helper.make_tensor("axis", TensorProto.INT64, [], [1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    [ours] = RamielBackend.prepare(model).run([signal])
    np.testing.assert_allclose(ours[0, ..., 0] + 1j * ours[0, ..., 1], exact, rtol=0, atol=1e-9)


# The tally itself.


def test_a_correct_result_passes() -> None:
    x = np.array([[-1.0, 0.5, 2.0], [3.0, -4.0, 0.0]], np.float32)
    outcome = conformance.run_case(_case(_relu_model(), [x], [np.maximum(x, 0)]))
    assert (outcome.status, outcome.detail) == ("passed", "")


def test_a_wrong_result_fails() -> None:
    x = np.ones((2, 3), np.float32)
    outcome = conformance.run_case(_case(_relu_model(), [x], [x + 1]))
    assert outcome.status == "failed"
    assert outcome.detail.startswith("workers 1: data set 0: Not equal to tolerance")


def test_a_wrong_element_type_fails() -> None:
    x = np.ones((2, 3), np.float32)
    outcome = conformance.run_case(_case(_relu_model(), [x], [x.astype(np.float64)]))
    assert outcome.status == "failed"


def test_an_unsupported_operator_is_unsupported() -> None:
    model = _relu_model()
    model.graph.node[0].op_type = "Bernoulli"  # random: outside what Ramiel compiles
    outcome = conformance.run_case(_case(model, [], []))
    assert outcome.status == "unsupported"
    assert outcome.detail == "unsupported operator Bernoulli at opset 18"
    assert not outcome.dfg_operators


def test_a_crash_at_prepare_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(conformance.RamielBackend, "prepare", crash)
    outcome = conformance.run_case(_case(_relu_model(), [], []))
    assert (outcome.status, outcome.detail) == (
        "failed",
        "workers 1: compiling raised KeyError: 'boom'",
    )


def test_a_hung_call_fails() -> None:
    x = np.ones((2, 3), np.float32)
    case = _case(_relu_model(), [x], [x])
    with RamielBackend.prepare(case.model) as rep:
        rep.model.forward = lambda *inputs: __import__("time").sleep(5)
        problem = conformance._run_data_sets(rep, case.data(), case, timeout=0.2)
    assert problem == "data set 0: the call did not finish within 0.2 s"


def _passed(case: Case) -> Outcome:
    return Outcome(case.name, case.suite, case.operator, "passed", "", 0.0, True)


def _node_case(name: str, op: str, scale: float = 1.0) -> Case:
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    model = _relu_model()
    model.graph.node[0].op_type = op
    expected = {"Relu": np.maximum(x, 0), "Abs": np.abs(x), "Bernoulli": x}[op] * scale
    return Case(name, "node", op, model, lambda: [([x], [expected])], 1e-3, 1e-7)


def test_cases_side_by_side_pass_on_several_streams() -> None:
    cases = [_node_case(f"case{i}", ("Relu", "Abs")[i % 2]) for i in range(6)]
    merged = conformance.merge_models([c.model for c in cases])
    assert len(merged.graph.node) == 6
    assert len({i.name for i in merged.graph.input}) == 6
    with RamielBackend.prepare(merged, workers=2, pipeline=default_pipeline(2, min_speedup=0.0)) as rep:
        assert rep.compiled.summary.streams == 2
    outcomes = [_passed(c) for c in cases]
    assert conformance.parallel_check(cases, outcomes) == outcomes


def test_a_case_wrong_side_by_side_fails() -> None:
    cases = [_node_case("good", "Relu"), _node_case("wrong", "Abs", scale=2.0)]
    checked = conformance.parallel_check(cases, [_passed(c) for c in cases])
    assert [o.status for o in checked] == ["passed", "failed"]
    assert checked[1].detail.startswith(
        "workers 2, compiled with other cases: Not equal to tolerance"
    )


def test_a_batch_that_does_not_compile_is_halved_down_to_the_culprit() -> None:
    cases = [_node_case(f"case{i}", "Bernoulli" if i == 3 else "Relu") for i in range(5)]
    checked = conformance.parallel_check(cases, [_passed(c) for c in cases])
    assert [o.status for o in checked] == ["passed"] * 3 + ["failed", "passed"]
    assert "unsupported operator Bernoulli" in checked[3].detail


def test_the_tally_counts_per_suite_and_operator() -> None:
    outcomes = (
        Outcome("a", "node", "Relu", "passed", "", 0.1, True),
        Outcome("b", "node", "Relu", "failed", "wrong", 0.1, True),
        Outcome(
            "c",
            "simple",
            "Selu",
            "unsupported",
            "unsupported operator Bernoulli at opset 6",
            0.1,
            False,
        ),
    )
    tally = Tally(outcomes)
    lines = tally.lines()
    assert lines[0] == "3 cases: 2 supported (1 passed, 1 failed), 1 unsupported"
    assert any(re.match(r"Relu +2 +1 +1 +0", line) for line in lines)
    assert "  unsupported simple/c: unsupported operator Bernoulli at opset 6" in lines
    assert "  node/b (Relu): wrong" in lines
    markdown = tally.markdown("cmd")
    assert "| simple | 1 | 0 | 0 | 1 |" in markdown
    assert "| node/b | Relu | wrong |" in markdown
    assert "| Relu | 2 | 1 | 1 | 0 |  |" in markdown
    assert (
        "| simple/c | unsupported | unsupported operator Bernoulli at opset 6 |" in markdown
    )
    assert "| 1 | unsupported operator Bernoulli at opset 6 |" in markdown


def test_reasons_group_without_the_models_names() -> None:
    assert conformance.reason("unsupported element type int16 of graph input 'x'") == (
        "unsupported element type int16 of graph input '…'"
    )


def test_the_command_prints_the_tally_and_fails_on_failures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    markdown = tmp_path / "conformance.md"
    conformance.main(
        ["--suite", "node", "-k", "^test_relu$", "--markdown", str(markdown)]
    )
    out = capsys.readouterr().out
    assert out.startswith("1 cases: 1 supported (1 passed, 0 failed), 0 unsupported")
    assert markdown.read_text().startswith("# ONNX backend conformance")


# The backend adapter.


def test_onnx_runs_its_own_backend_tests_on_ramiel() -> None:
    # ONNX's unittest runner, as other backends use it, on a few supported cases.
    import unittest

    import onnx.backend.test

    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", RuntimeWarning
        )  # generators overflow on purpose
        backend_test = onnx.backend.test.BackendTest(RamielBackend, __name__)
    backend_test.include(
        r"^test_(relu|add_bcast|conv_with_strides_padding|single_relu_model|AvgPool2d)_cpu$"
    )
    suite = unittest.TestSuite(
        unittest.defaultTestLoader.loadTestsFromTestCase(case)
        for case in backend_test.test_cases.values()
    )
    result = unittest.TextTestRunner(stream=io.StringIO()).run(suite)
    assert result.wasSuccessful(), result.failures + result.errors
    assert result.testsRun - len(result.skipped) == 5


def test_the_backend_runs_on_the_cpu_only() -> None:
    assert RamielBackend.supports_device("CPU")
    assert not RamielBackend.supports_device("CUDA")
    with pytest.raises(RamielError, match="CPU only"):
        RamielBackend.prepare(_relu_model(), "CUDA")


def test_the_backend_takes_inputs_in_order_or_by_name() -> None:
    x = np.array([[-1.0, 2.0, -3.0], [4.0, -5.0, 6.0]], np.float32)
    with RamielBackend.prepare(_relu_model(), workers=2) as rep:
        (by_order,) = rep.run([x])
        (by_name,) = rep.run({"x": x})
        (single,) = rep.run(x)
        with pytest.raises(RamielError, match="takes 1 inputs"):
            rep.run([x, x])
        with pytest.raises(RamielError, match="unknown 'z'"):
            rep.run({"x": x, "z": x})
    for result in (by_order, by_name, single):
        np.testing.assert_array_equal(result, np.maximum(x, 0))


def test_the_backend_runs_a_node_and_a_model() -> None:
    x = np.array([1.0, -2.0], np.float32)
    y = np.array([3.0, 4.0], np.float32)
    (total,) = RamielBackend.run_node(
        helper.make_node("Add", ["a", "b"], ["c"]), [x, y]
    )
    np.testing.assert_array_equal(total, x + y)
    (relu,) = RamielBackend.run_model(_relu_model(shape=(2,)), [x])
    np.testing.assert_array_equal(relu, np.maximum(x, 0))


def test_the_backend_refuses_what_ramiel_does_not_support() -> None:
    model = _relu_model()
    model.graph.node[0].op_type = "Bernoulli"  # random: outside what Ramiel compiles
    with pytest.raises(RamielError, match="unsupported operator Bernoulli"):
        RamielBackend.prepare(model)
