"""Random valid graphs compiled by Ramiel against onnxruntime, and the graphs saved from findings.

A short, seeded run of `python -m tests.harness.fuzz valid` (about 15 seconds): when a
graph fails, hypothesis has already shrunk it, and the failure message shows it
with the command that saves it under tests/regressions/valid/.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from hypothesis import given, settings
from hypothesis import seed as hypothesis_seed
from onnx import TensorProto, helper

from ramiel import api
from tests.harness.fuzz import ValidFinding, fuzz_valid
from tests.harness.fuzz.graphs import FuzzModel, check_model, fuzz_models, load_saved

REGRESSIONS = Path(__file__).resolve().parents[1] / "regressions" / "valid"

BUDGET = 300
SEED = 0

KNOWN_FAILURES: dict[str, tuple[str | None, str]] = {}
"""Saved graphs that still fail: the symptom (a regex on the problem) that the fuzz run sets
aside (None: too broad to set aside), the root cause and its owner."""


def test_random_graphs_match_onnxruntime() -> None:
    try:
        streams = fuzz_valid(
            BUDGET,
            SEED,
            tolerate=[symptom for symptom, _ in KNOWN_FAILURES.values() if symptom],
        )
    except ValidFinding as e:
        problem, case = e.args
        pytest.fail(
            f"{problem}\n{case!r}\nsave it with: python -m tests.harness.fuzz valid --budget {BUDGET} --seed {SEED}"
        )
    # The run must have exercised parallel code, not only one stream, and not only known bugs.
    assert sum(count for n, count in streams.items() if n > 1) >= BUDGET // 5, streams
    assert streams[-1] < BUDGET // 10, streams


def _saved() -> list[object]:
    return [
        pytest.param(
            path,
            id=path.name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[path.name][1])],
        )
        if path.name in KNOWN_FAILURES
        else pytest.param(path, id=path.name)
        for path in sorted(REGRESSIONS.glob("*.onnx"))
    ]


@pytest.mark.parametrize("path", _saved())
def test_saved_graph_matches_onnxruntime(path: Path) -> None:
    result = check_model(load_saved(path))
    assert result.problem is None, result.problem


def test_every_known_failure_has_its_graph() -> None:
    assert set(KNOWN_FAILURES) <= {p.name for p in REGRESSIONS.glob("*.onnx")}


def test_a_wrong_result_is_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "fuzz",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
    )
    case = FuzzModel(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), 2, "cp"
    )
    assert check_model(case).problem is None
    compare = api.compare
    monkeypatch.setattr(
        api,
        "compare",
        lambda ours, ref: compare({k: v + 1 for k, v in ours.items()}, ref),
    )
    problem = check_model(case).problem
    assert problem is not None
    assert problem.startswith("outputs differ from onnxruntime: y: abs 1")


def test_generated_models_are_valid_onnx() -> None:
    @hypothesis_seed(SEED)
    @settings(max_examples=50, deadline=None, database=None)
    @given(fuzz_models())
    def check(case: FuzzModel) -> None:
        onnx.checker.check_model(case.model, full_check=True)
        assert 1 <= case.workers <= 4

    check()
