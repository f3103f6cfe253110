"""Optional dependencies: a missing one is the one-line error naming the extra that brings it."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from ramiel.errors import RamielError
from ramiel.extras import EXTRAS, MissingExtraError, require

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())


@pytest.mark.parametrize("module", sorted(EXTRAS))
def test_a_missing_module_names_its_extra(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # importing it raises ImportError
    distribution, extra = EXTRAS[module]
    with pytest.raises(MissingExtraError) as caught:
        require(module, "the thing")
    assert isinstance(caught.value, RamielError)
    assert isinstance(caught.value, ImportError)
    assert str(caught.value) == (
        f"the thing needs {distribution}, which is not installed; "
        f"install it with: pip install 'ramiel[{extra}]' ({module})"
    )


@pytest.mark.parametrize("module", sorted(EXTRAS))
def test_each_extra_brings_its_module(module: str) -> None:
    distribution, extra = EXTRAS[module]
    requirements = PYPROJECT["project"]["optional-dependencies"][extra]
    assert distribution in {re.split(r"[=<>\[ ]", r)[0] for r in requirements}, (extra, requirements)


def test_checking_against_onnxruntime_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from onnx import helper

    from ramiel import api

    graph = helper.make_graph([], "g", [], [])
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'ramiel\[check\]'"):
        api.onnxruntime_outputs(helper.make_model(graph), {})
