"""`fold-batchnorm` keeps the numbers: folded graphs against onnxruntime on the originals.

Each graph is an op linear per output channel followed by a BatchNormalization
with seeded, far-from-identity statistics (or by a per-channel Mul and Add); the
folded module must compute what onnxruntime computes on the unfolded one, and the
affine ops must be gone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from xdsl.context import Context

from ramiel.dialects.dfg import DfgOp
from ramiel.frontend.onnx_import import import_model
from ramiel.numerics import assert_close
from ramiel.passes.fold_batchnorm import FoldBatchNorm
from tests.unit.dfg_eval import random_inputs, run_dfg

_RNG = np.random.default_rng(5)


def _normal(*shape: int) -> np.ndarray:
    return _RNG.standard_normal(shape).astype(np.float32)


def _uniform(low: float, high: float, *shape: int) -> np.ndarray:
    return _RNG.uniform(low, high, shape).astype(np.float32)


def _batchnorm(x: str, y: str, channels: int) -> tuple[onnx.NodeProto, dict[str, np.ndarray]]:
    params = {
        f"{y}_scale": _uniform(0.5, 1.5, channels),
        f"{y}_bias": _normal(channels),
        f"{y}_mean": _normal(channels),
        f"{y}_var": _uniform(0.2, 2.0, channels),
    }
    node = helper.make_node("BatchNormalization", [x, *params], [y], epsilon=1e-3)
    return node, params


def _model(
    nodes: list[onnx.NodeProto],
    x_shape: list[int],
    y_shape: list[int],
    weights: dict[str, np.ndarray],
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "fold",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        [numpy_helper.from_array(v, k) for k, v in weights.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def _conv_bn(group: int, bias: bool) -> onnx.ModelProto:
    weights = {"w": _normal(6, 6 // group, 3, 3)} | ({"b": _normal(6)} if bias else {})
    conv = helper.make_node("Conv", ["x", *weights], ["c"], pads=[1, 1, 1, 1], group=group)
    bn, params = _batchnorm("c", "y", 6)
    return _model([conv, bn], [1, 6, 5, 5], [1, 6, 5, 5], weights | params)


def _gemm_bn(trans_b: bool, bias: bool) -> onnx.ModelProto:
    weights = {"w": _normal(*((10, 16) if trans_b else (16, 10)))}
    weights |= {"c": _normal(1, 10)} if bias else {}
    gemm = helper.make_node(
        "Gemm", ["x", *weights], ["g"], transB=int(trans_b), alpha=0.5, beta=2.0
    )
    bn, params = _batchnorm("g", "y", 10)
    return _model([gemm, bn], [3, 16], [3, 10], weights | params)


def _matmul_bn() -> onnx.ModelProto:
    matmul = helper.make_node("MatMul", ["x", "w"], ["m"])
    bn, params = _batchnorm("m", "y", 10)
    return _model([matmul, bn], [2, 16], [2, 10], {"w": _normal(16, 10)} | params)


def _matmul_mul() -> onnx.ModelProto:
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["m"]),
        helper.make_node("Mul", ["k", "m"], ["y"]),
    ]
    weights = {"w": _normal(16, 10), "k": _uniform(0.5, 1.5, 10)}
    return _model(nodes, [1, 4, 16], [1, 4, 10], weights)


def _conv_mul_add() -> onnx.ModelProto:
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"]),
        helper.make_node("Mul", ["c", "k"], ["m"]),
        helper.make_node("Add", ["t", "m"], ["y"]),
    ]
    weights = {"w": _normal(6, 3, 1, 1), "k": _uniform(0.5, 1.5, 6, 1, 1), "t": _normal(1, 6, 1, 1)}
    return _model(nodes, [1, 3, 4, 4], [1, 6, 4, 4], weights)


def _bn_mul_add() -> onnx.ModelProto:
    bn, params = _batchnorm("x", "n", 6)
    nodes = [
        bn,
        helper.make_node("Mul", ["n", "k"], ["m"]),
        helper.make_node("Add", ["m", "t"], ["y"]),
    ]
    weights = {"k": _uniform(0.5, 1.5, 6, 1, 1), "t": _normal(6, 1, 1)}
    return _model(nodes, [1, 6, 4, 4], [1, 6, 4, 4], params | weights)


CASES: dict[str, tuple[Callable[[], onnx.ModelProto], set[str]]] = {
    "conv_bn": (lambda: _conv_bn(group=1, bias=False), {"Conv"}),
    "conv_bias_bn": (lambda: _conv_bn(group=1, bias=True), {"Conv"}),
    "depthwise_bn": (lambda: _conv_bn(group=6, bias=True), {"Conv"}),
    "gemm_bn": (lambda: _gemm_bn(trans_b=False, bias=True), {"Gemm"}),
    "gemm_trans_bn": (lambda: _gemm_bn(trans_b=True, bias=True), {"Gemm"}),
    "gemm_no_c_bn": (lambda: _gemm_bn(trans_b=True, bias=False), {"Gemm"}),
    "matmul_bn": (_matmul_bn, {"Gemm"}),
    "matmul_mul": (_matmul_mul, {"MatMul"}),
    "conv_mul_add": (_conv_mul_add, {"Conv"}),
    "bn_mul_add": (_bn_mul_add, {"BatchNormalization"}),
}
"""Each graph, and the ops the folded graph must consist of."""


@pytest.mark.parametrize("name", CASES)
def test_fold_batchnorm_keeps_numbers(name: str) -> None:
    build, left = CASES[name]
    model = build()
    inputs = random_inputs(model, seed=3)
    module = import_model(model)
    expected = run_dfg(module, inputs)
    FoldBatchNorm().apply(Context(), module)
    module.verify()
    assert {op.ONNX_OP_TYPE for op in module.walk() if isinstance(op, DfgOp)} == left
    for ours, ref in zip(run_dfg(module, inputs), expected, strict=True):
        assert_close(ours, ref, name)
