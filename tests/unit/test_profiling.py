"""Calibration and profiling feed the analytic and profile cost models."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseArrayBase, ModuleOp, f32, i64
from xdsl.ir import Block, Region

from ramiel.costmodel import (
    ANALYTIC_CACHE_FILE,
    CONSTANT_KEYS,
    PROFILE_CACHE_FILE,
    AnalyticCostModel,
    ProfileCostModel,
    load_cost_model,
    op_signature,
)
from ramiel.dialects.dfg import ConstantOp, op_class
from ramiel.ir_graph import cost_model
from ramiel.onnx_types import tensor_type
from ramiel.profiling import calibrate, profile_module


def _conv_relu_module() -> ModuleOp:
    """x -> conv(3x3) -> relu, built in memory."""
    x_type = tensor_type([1, 16, 32, 32], f32)
    block = Block(arg_types=[x_type])
    weight = ConstantOp.of_array(np.random.default_rng(0).standard_normal((16, 16, 3, 3)).astype(np.float32), "w")
    conv = op_class("Conv").build(
        [block.args[0], weight.output, None], [x_type], {"pads": _ints([1, 1, 1, 1])}
    )
    relu = op_class("Relu").build([conv.results[0]], [x_type])
    block.add_ops([weight, conv, relu, func.ReturnOp(relu.results[0])])
    return ModuleOp([func.FuncOp("main", ([x_type], [x_type]), Region(block))])


def _ints(values: list[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, values)


def test_calibration_writes_every_constant(tmp_path: Path) -> None:
    constants = calibrate(tmp_path)
    assert set(constants) == set(CONSTANT_KEYS)
    # A machine whose cores resume at once pays nothing per parallel call.
    assert all(math.isfinite(v) and v > 0 for k, v in constants.items() if k != "parallel_call_s")
    assert 0 <= constants["parallel_call_s"] < 0.1
    # The measured rates must be physically plausible for a CPU core.
    assert 1e8 < constants["gemm_flop_per_s"] < 1e13
    assert 1e-8 < constants["op_overhead_s"] < 1e-3
    assert (tmp_path / ANALYTIC_CACHE_FILE).is_file()
    assert isinstance(load_cost_model("analytic", tmp_path), AnalyticCostModel)


def test_profile_times_each_signature_once_and_extends_the_cache(tmp_path: Path) -> None:
    module = _conv_relu_module()
    table = profile_module(module, tmp_path)
    ops = [op for op in module.walk() if op.name in ("dfg.conv", "dfg.relu")]
    signatures = {op_signature(op.view()) for op in ops}  # type: ignore[arg-type]
    assert signatures <= set(table)
    assert all(0 < table[s] < 1.0 for s in signatures)
    # The convolution does far more work than the relu after it.
    conv, relu = (table[op_signature(op.view())] for op in ops)  # type: ignore[arg-type]
    assert conv > relu
    again = profile_module(module, tmp_path)
    assert again == table


def test_auto_uses_the_profile_when_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAMIEL_CACHE", str(tmp_path))
    assert not isinstance(cost_model("auto"), ProfileCostModel)
    (tmp_path / PROFILE_CACHE_FILE).write_text('{"Relu()->(){}": 1e-6}\n')
    assert isinstance(cost_model("auto"), ProfileCostModel)
