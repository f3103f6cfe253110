"""`cleanup` on whole models: what must be gone, and the numbers kept.

The shipped onnx light models spell their weights as `ConstantOfShape`; their
seeded copies (`tests.models.light`) have random weights and calibrated
BatchNorm statistics, so a wrong fold shows in the outputs. PyTorch exports with
a dynamic batch compute every view's shape at run time; once the batch is fixed,
those computations must fold away.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from torch import nn

from ramiel.dialects.dfg import ConstantOp, DfgOp
from ramiel.dialects.dfg.normalization import BatchNormalizationOp
from ramiel.dialects.dfg.shape import ReshapeOp
from ramiel.frontend.onnx_import import import_file, import_model
from ramiel.numerics import assert_close
from ramiel.passes.cleanup import Cleanup
from ramiel.pipeline import apply_passes
from ramiel.seeding import LIGHT_DIR
from tests.harness.stats import CONSTANT, export_dynamic_batch, op_counts
from tests.models.export import export_model, reference_inputs
from tests.models.light import (
    LIGHT_MODELS,
    light_reference_inputs,
    seeded_light_model_path,
)
from tests.unit.budget import in_budget
from tests.unit.dfg_eval import run_dfg

GONE = ("ConstantOfShape", "Identity", "Dropout", "Shape")
"""Ops no light model keeps after `cleanup`."""

LINEAR = ("Conv", "Gemm", "MatMul")
"""Ops a BatchNormalization after them folds into."""

NUMERIC = ("squeezenet", "inception_v1", "inception_v2", "resnet50", "shufflenet", "densenet121")
"""Light models small enough to compare with onnxruntime in a unit test."""


@pytest.mark.parametrize("name", LIGHT_MODELS)
def test_light_model_cleanup(name: str) -> None:
    module = import_file(LIGHT_DIR / f"light_{name}.onnx")
    before = op_counts(module)
    apply_passes(module, [Cleanup()])
    module.verify()
    after = op_counts(module)
    assert not any(after[op] for op in GONE), after
    assert sum(after.values()) < sum(before.values())
    for op in module.walk():
        if isinstance(op, BatchNormalizationOp):
            producer = op.operands[0].owner
            assert not isinstance(producer, DfgOp) or producer.ONNX_OP_TYPE not in LINEAR


@pytest.mark.parametrize("name", in_budget(list(NUMERIC)))
def test_light_model_cleanup_keeps_numbers(name: str) -> None:
    module = import_file(seeded_light_model_path(name))
    inputs = light_reference_inputs(name)
    expected = run_dfg(module, inputs)
    apply_passes(module, [Cleanup()])
    for ours, ref in zip(run_dfg(module, inputs), expected, strict=True):
        assert_close(ours, ref, name)


class _Views(nn.Module):
    """Views written the way exported code does: sizes read from the input."""

    def __init__(self) -> None:
        super().__init__()
        self.q = nn.Linear(16, 16)
        self.fc = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        heads = self.q(x).view(b, n, 2, 8).transpose(1, 2)
        merged = heads.transpose(1, 2).reshape(b, n, 16)
        return self.fc(merged.reshape(merged.size(0), -1))


def test_exporter_shape_chains_disappear(tmp_path: Path) -> None:
    # A dynamic batch makes the exporter compute every view's shape with
    # Shape -> Gather -> Unsqueeze -> Concat; importing fixes the batch to 1.
    torch.manual_seed(0)
    path = tmp_path / "views.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Views().eval(),
            (torch.randn(1, 4, 16),),
            str(path),
            dynamo=False,
            opset_version=18,
            input_names=["x"],
            dynamic_axes={"x": {0: "batch"}},
        )
    model = onnx.load(path)
    assert {"Shape", "Gather", "Concat"} <= {n.op_type for n in model.graph.node}
    module = import_model(model)
    inputs = [np.random.default_rng(2).standard_normal((1, 4, 16), dtype=np.float32)]
    expected = run_dfg(module, inputs)
    apply_passes(module, [Cleanup()])
    assert set(op_counts(module)) == {CONSTANT, "MatMul", "Add", "Reshape", "Gemm"}
    for ours, ref in zip(run_dfg(module, inputs), expected, strict=True):
        assert_close(ours, ref, "views")


@pytest.mark.parametrize("dynamic", [False, True], ids=["static", "dynamic_batch"])
def test_zoo_transformer_reshapes_take_constants(dynamic: bool, tmp_path: Path) -> None:
    path = tmp_path / "transformer.onnx"
    if dynamic:
        export_dynamic_batch("transformer_encoder", path)
    else:
        path = export_model("transformer_encoder", "legacy")
    module = import_file(path)
    inputs = reference_inputs("transformer_encoder")
    expected = run_dfg(module, inputs)
    apply_passes(module, [Cleanup()])
    counts = op_counts(module)
    assert not any(counts[op] for op in ("Shape", "Unsqueeze", "ConstantOfShape"))
    for op in module.walk():
        if isinstance(op, ReshapeOp):
            assert isinstance(op.operands[1].owner, ConstantOp)
    for ours, ref in zip(run_dfg(module, inputs), expected, strict=True):
        assert_close(ours, ref, "transformer_encoder")
