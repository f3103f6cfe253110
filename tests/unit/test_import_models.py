"""Whole models through the importer: the onnx light models and the zoo exports.

Each model must import, verify, print, and parse back to the same text; models
with real weights must also compute what onnxruntime computes on the original.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from xdsl.dialects.builtin import ModuleOp

from ramiel.dialects.dfg import DfgOp
from ramiel.frontend.onnx_import import import_file
from ramiel.ir_text import parse_module as parse
from ramiel.ir_text import print_module
from tests.models.export import EXPORTERS, Exporter, export_model, reference_inputs
from tests.models.light import (
    LIGHT_MODELS,
    light_model_path,
    light_reference_inputs,
    seeded_light_model_path,
)
from tests.models.zoo import ZOO
from tests.unit.budget import LARGEST_ZOO_MODELS, in_budget
from tests.unit.dfg_eval import run_dfg, run_model


def check_round_trip(module: ModuleOp) -> None:
    module.verify()
    text = print_module(module)
    reparsed = parse(text)
    reparsed.verify()
    assert print_module(reparsed) == text


def check_outputs(path: Path, module: ModuleOp, inputs: list[np.ndarray]) -> None:
    expected = run_model(onnx.load(path), inputs)
    got = run_dfg(module, inputs)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)


def test_light_models_found() -> None:
    assert len(LIGHT_MODELS) == 9


@pytest.mark.parametrize("name", LIGHT_MODELS)
def test_light_model(name: str) -> None:
    module = import_file(light_model_path(name))
    assert len([op for op in module.walk() if isinstance(op, DfgOp)]) > 10
    check_round_trip(module)


# The seeded copies of the three largest light models (alexnet, vgg19, zfnet512:
# 0.25 to 0.6 GB of weights each) are left to the zoo tests, which cover the same
# operators; the others check the numbers of an opset-9, IR-version-3 import.
SEEDED = in_budget(LIGHT_MODELS)


@pytest.mark.heavy
@pytest.mark.parametrize("name", SEEDED)
def test_seeded_light_model_outputs(name: str) -> None:
    path = seeded_light_model_path(name)
    module = import_file(path)
    check_outputs(path, module, light_reference_inputs(name))


@pytest.mark.heavy
@pytest.mark.parametrize("exporter", EXPORTERS)
@pytest.mark.parametrize("name", in_budget(list(ZOO), LARGEST_ZOO_MODELS))
def test_zoo_model(name: str, exporter: Exporter) -> None:
    path = export_model(name, exporter)
    module = import_file(path)
    check_round_trip(module)
    check_outputs(path, module, reference_inputs(name))
