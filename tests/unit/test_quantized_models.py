"""Quantized models and the quantization kernels against onnxruntime.

The kernel cases of QuantizeLinear and DequantizeLinear take ONNX's reference
implementation, since onnxruntime has neither at their newest opset; here they,
and the 16-bit cases the kernel table's test cannot build, are checked against
onnxruntime at the newest opset it implements. A CNN quantized by onnxruntime's
`quantize_static` in QOperator form compiles and matches onnxruntime within one
quantization step of its output; the classifier head a common CNN has becomes
com.microsoft ops in that form, which are refused by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper
from onnx.helper import np_dtype_to_tensor_dtype

from ramiel.api import check, compile
from ramiel.errors import RamielError
from ramiel.kernels import UnsupportedKernel, emit, evaluate
from ramiel.numerics import assert_close
from ramiel.opview import OpView
from tests.unit.dfg_eval import run_model
from tests.unit.kernel_cases import CASES, Case, scalar
from tests.unit.test_kernels import _attributes

ORT_OPSET = 25
"""The newest opset at which onnxruntime implements QuantizeLinear and DequantizeLinear."""

# The reference cases onnxruntime does not implement: int32 data to quantize.
_NOT_IN_ORT = {name for name, c in CASES.items() if c.op == "QuantizeLinear" and c.inputs[0] is not None and c.inputs[0].dtype == np.int32}

_RNG = np.random.default_rng(7)

_SIXTEEN_BIT = {
    "int16": Case("QuantizeLinear", (_RNG.uniform(-4000, 4000, (2, 6)).astype(np.float32), scalar(0.1), scalar(-300, np.int16))),
    "uint16-axis": Case(
        "QuantizeLinear",
        (_RNG.uniform(-500, 4000, (3, 6)).astype(np.float32), np.array([0.1, 0.5, 0.05], np.float32), np.array([3, 0, 60000], np.uint16)),
        {"axis": 0},
    ),
    "dequantize-int16": Case("DequantizeLinear", (_RNG.integers(-32768, 32768, (2, 6), dtype=np.int16), scalar(0.01), scalar(-3, np.int16))),
    "dequantize-uint16": Case(
        "DequantizeLinear",
        (_RNG.integers(0, 65536, (3, 6), dtype=np.uint16), np.array([0.01, 0.1, 0.05], np.float32), np.array([7, 0, 65535], np.uint16)),
        {"axis": 0},
    ),
}


def _onnxruntime(c: Case) -> list[np.ndarray]:
    """The one-node model of case `c` at `ORT_OPSET`, run by onnxruntime."""
    names = [f"in{i}" if value is not None else "" for i, value in enumerate(c.inputs)]
    node = helper.make_node(c.op, names, ["out"], **c.attrs)
    inputs = [
        helper.make_tensor_value_info(f"in{i}", np_dtype_to_tensor_dtype(value.dtype), value.shape)
        for i, value in enumerate(c.inputs)
        if value is not None
    ]
    graph = helper.make_graph([node], "case", inputs, [helper.make_empty_tensor_value_info("out")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", ORT_OPSET)])
    model.ir_version = 10
    return run_model(model, [value for value in c.inputs if value is not None])


def _kernel(c: Case, output_types: tuple[tuple[tuple[int, ...], str], ...]) -> list[torch.Tensor]:
    """The kernel's outputs for case `c`, with its `const` inputs known at compile time."""
    node = OpView(
        op_type=c.op,
        inputs=tuple(None if value is None else f"x{i}" for i, value in enumerate(c.inputs)),
        input_types=tuple(None if value is None else (value.shape, value.dtype.name) for value in c.inputs),
        output_types=output_types,
        attrs=_attributes(c),
        input_values=tuple(value if i in c.const else None for i, value in enumerate(c.inputs)),
    )
    return evaluate(node, [None if value is None else torch.from_numpy(value.copy()) for value in c.inputs])


_QDQ = {name: c for name, c in CASES.items() if c.op in ("QuantizeLinear", "DequantizeLinear") and name not in _NOT_IN_ORT}


@pytest.mark.parametrize("name", [*_QDQ, *_SIXTEEN_BIT])
def test_quantize_and_dequantize_match_onnxruntime(name: str) -> None:
    c = _QDQ.get(name) or _SIXTEEN_BIT[name]
    expected = _onnxruntime(c)
    got = _kernel(c, tuple((out.shape, out.dtype.name) for out in expected))
    assert_close(got[0], expected[0], name)


def test_an_integer_scale_needs_a_float_precision() -> None:
    node = OpView(
        "QuantizeLinear",
        ("x", "s"),
        (((4,), "int32"), ((), "int32")),
        (((4,), "uint8"),),
        _attributes(Case("QuantizeLinear", ())),
    )
    with pytest.raises(UnsupportedKernel, match="dividing in int32"):
        emit(node)


def test_float8_quantization_is_refused_naming_the_type(tmp_path: Path) -> None:
    node = helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])
    zero_point = helper.make_tensor("z", TensorProto.FLOAT8E4M3FN, [], [0.0])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_empty_tensor_value_info("y")],
        [numpy_helper.from_array(scalar(0.5), "s"), zero_point],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    with pytest.raises(RamielError, match="unsupported element type float8e4m3fn"):
        compile(model, out_dir=tmp_path)


# A CNN in QOperator form.

_WEIGHTS = {
    "w1": _RNG.standard_normal((8, 3, 3, 3)).astype(np.float32) * 0.3,
    "b1": _RNG.standard_normal(8).astype(np.float32) * 0.1,
    "w2": _RNG.standard_normal((16, 8, 3, 3)).astype(np.float32) * 0.2,
    "b2": _RNG.standard_normal(16).astype(np.float32) * 0.1,
    "w3": _RNG.standard_normal((16 * 4 * 4, 10)).astype(np.float32) * 0.1,
    "w4": _RNG.standard_normal((10, 16)).astype(np.float32) * 0.1,
    "b4": _RNG.standard_normal(10).astype(np.float32) * 0.1,
}

_FEATURES = [
    helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c2"], ["r2"]),
]

# Heads: one whose QOperator form is default-domain only, and a common one.
_FLATTEN_MATMUL = [
    helper.make_node("MaxPool", ["r2"], ["p2"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Flatten", ["p2"], ["f"]),
    helper.make_node("MatMul", ["f", "w3"], ["y"]),
]
_POOL_GEMM = [
    helper.make_node("GlobalAveragePool", ["r2"], ["g"]),
    helper.make_node("Flatten", ["g"], ["f"]),
    helper.make_node("Gemm", ["f", "w4", "b4"], ["y"], transB=1),
]


def _float_cnn(head: list[onnx.NodeProto]) -> onnx.ModelProto:
    """Two conv-ReLU stages on a 1x3x16x16 input, then `head` (10 outputs)."""
    used = {name for node in head for name in node.input}
    weights = {k: v for k, v in _WEIGHTS.items() if k in {"w1", "b1", "w2", "b2"} | used}
    graph = helper.make_graph(
        [*_FEATURES, *head],
        "cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
        [numpy_helper.from_array(v, k) for k, v in weights.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _qoperator(head: list[onnx.NodeProto], folder: Path) -> Path:
    """The CNN with `head` after onnxruntime's `quantize_static` in QOperator form, calibrated on 4 seeded inputs."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        quantize_static,
    )

    source, target = folder / "float.onnx", folder / "qoperator.onnx"
    onnx.save(_float_cnn(head), source)

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches: Iterator[dict[str, np.ndarray]] = iter(
                {"x": np.random.default_rng(seed).standard_normal((1, 3, 16, 16), dtype=np.float32)} for seed in range(4)
            )

        def get_next(self) -> dict[str, np.ndarray] | None:  # pyright: ignore[reportIncompatibleMethodOverride]
            return next(self.batches, None)

    quantize_static(source, target, Reader(), quant_format=QuantFormat.QOperator)
    return target


def _output_step(model: onnx.ModelProto) -> float:
    """The quantization step of the model's output: the scale of the DequantizeLinear computing it."""
    [dequantize] = [n for n in model.graph.node if n.output[0] == model.graph.output[0].name]
    assert dequantize.op_type == "DequantizeLinear"
    scales = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    return float(scales[dequantize.input[1]])


def test_qoperator_cnn_matches_onnxruntime_within_one_step(tmp_path: Path) -> None:
    path = _qoperator(_FLATTEN_MATMUL, tmp_path)
    model = onnx.load(path)
    ops = {(n.domain, n.op_type) for n in model.graph.node}
    assert {("", "QLinearConv"), ("", "QLinearMatMul"), ("", "QuantizeLinear"), ("", "DequantizeLinear")} <= ops
    assert {domain for domain, _ in ops} == {""}
    report = check(path, workers=2, seed=3)
    step = _output_step(model)
    assert all(e.absolute <= step for e in (*report.serial, *report.parallel)), (step, report.lines())


def test_qoperator_classifier_head_is_refused_naming_the_microsoft_op(tmp_path: Path) -> None:
    path = _qoperator(_POOL_GEMM, tmp_path)
    with pytest.raises(RamielError, match=r"^unsupported operator com\.microsoft\.Q"):
        compile(path, out_dir=tmp_path / "out")
