"""Kernel fast paths: fused and prepacked convolutions, channels-last graphs, in-place ops, LRN."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper

from ramiel import api
from ramiel.dialects.dfg.conv import (
    Activation,
    conv2d_call,
    fusable_activation,
    prepack_conv2d_call,
)
from ramiel.kernels import inplace_call
from ramiel.numerics import assert_close
from ramiel.opview import OpView
from ramiel.runtime_helpers.conv import conv2d, prepack_conv2d
from ramiel.runtime_helpers.normalization import onnx_lrn


def _conv_node(pads: Sequence[int] = (1, 1, 1, 1), shape: tuple[int, ...] = (8, 4, 3, 3)) -> OpView:
    return OpView(
        "Conv",
        ("x", "w", "b"),
        (((1, 4, 10, 10), "float32"), (shape, "float32"), ((8,), "float32")),
        (((1, 8, 10, 10), "float32"),),
        {"auto_pad": "NOTSET", "group": 1, "pads": list(pads), "strides": [1, 1]},
    )


def _unary(op_type: str, **attrs: object) -> OpView:
    sig = ((1, 8, 10, 10), "float32")
    return OpView(op_type, ("c",), (sig,), (sig,), attrs)


def test_conv2d_call_fuses_exact_activations_only() -> None:
    relu = fusable_activation(_unary("Relu"))
    assert relu == Activation("relu")
    call = conv2d_call(_conv_node(), relu)
    assert call is not None
    assert call.expr == "conv2d(x, w, b, padding=(1, 1), activation='relu')"
    assert call.helpers == {"conv2d"}
    clip = OpView(
        "Clip",
        ("c", "lo", "hi"),
        (((1, 8, 10, 10), "float32"), ((), "float32"), ((), "float32")),
        (((1, 8, 10, 10), "float32"),),
        {},
        (None, np.array(0.0, np.float32), np.array(6.0, np.float32)),
    )
    hardtanh = fusable_activation(clip)
    assert hardtanh == Activation("hardtanh", (0.0, 6.0))
    fused = conv2d_call(_conv_node(), hardtanh)
    assert fused is not None
    assert fused.expr.endswith("activation='hardtanh', scalars=(0.0, 6.0))")
    # Sigmoid rounds differently inside oneDNN: fusing it would make serial and parallel code differ.
    assert fusable_activation(_unary("Sigmoid")) is None


def test_conv2d_call_refuses_what_conv2d_cannot_compute() -> None:
    assert conv2d_call(_conv_node(pads=(0, 0, 1, 1))) is None
    assert prepack_conv2d_call(_conv_node(pads=(0, 0, 1, 1))) is None
    one_d = OpView(
        "Conv", ("x", "w"), (((1, 4, 10), "float32"), ((8, 4, 3), "float32")), (((1, 8, 8), "float32"),),
        {"auto_pad": "NOTSET", "group": 1},
    )  # fmt: skip
    assert conv2d_call(one_d) is None


def test_prepack_call_names_the_input_shape() -> None:
    call = prepack_conv2d_call(_conv_node())
    assert call is not None
    assert call.expr == "prepack_conv2d(w, (1, 1), (1, 1), (1, 1), 1, (1, 4, 10, 10))"
    assert call.inputs_used == {1}


def test_inplace_calls() -> None:
    relu = inplace_call(_unary("Relu"))
    assert relu is not None
    assert relu.expr == "torch.relu_(c)"
    sig = ((1, 8, 10, 10), "float32")
    add = OpView("Add", ("a", "b"), (sig, ((8, 1, 1), "float32")), (sig,))
    call = inplace_call(add)
    assert call is not None
    assert call.expr == "a.add_(b)"
    # The first operand broadcasts up to the output: it cannot hold the result.
    grows = OpView("Add", ("a", "b"), (((8, 1, 1), "float32"), sig), (sig,))
    assert inplace_call(grows) is None
    assert inplace_call(_unary("Exp")) is None


@pytest.mark.parametrize("activation", ["none", "relu", "hardtanh"])
@pytest.mark.parametrize("groups", [1, 4])
def test_conv2d_helper_prepacked_and_plain_agree_with_torch(activation: str, groups: int) -> None:
    torch.manual_seed(0)
    x = torch.randn(1, 8, 9, 9).contiguous(memory_format=torch.channels_last)
    w = torch.randn(12, 8 // groups, 3, 3)
    b = torch.randn(12)
    scalars = (0.0, 1.5) if activation == "hardtanh" else ()
    expected = F.conv2d(x, w, b, (2, 2), (1, 1), (1, 1), groups)
    if activation == "relu":
        expected = expected.relu()
    elif activation == "hardtanh":
        expected = expected.clamp(0.0, 1.5)
    packed = prepack_conv2d(w, (2, 2), (1, 1), (1, 1), groups, (1, 8, 9, 9))
    for weight in (packed, w.contiguous(memory_format=torch.channels_last), w):
        y = conv2d(x, weight, b, (2, 2), (1, 1), (1, 1), groups, activation, scalars)
        assert_close(y, expected, f"conv2d {activation} groups={groups}")


def test_prepacked_conv2d_agrees_with_torch_on_small_odd_shapes() -> None:
    """The grid holds the oneDNN bug that prepack_conv2d steps around: one input channel,
    a kernel 3 wide, a stride of 2 or 3 across and a one-column output."""
    torch.manual_seed(0)
    checked = 0
    for in_channels, groups, (height, width), (kh, kw), pads, strides in itertools.product(
        (1, 2), (1, 2), ((2, 1), (2, 3), (5, 5), (7, 4)), ((1, 1), (3, 3), (5, 3)),
        ((0, 0), (1, 0), (2, 0), (2, 1)), ((1, 1), (1, 2), (2, 1), (1, 3)),
    ):  # fmt: skip
        if in_channels % groups or height + 2 * pads[0] < kh or width + 2 * pads[1] < kw:
            continue
        shape = (1, in_channels, height, width)
        x = torch.randn(shape).contiguous(memory_format=torch.channels_last)
        w = torch.randn(2 * groups, in_channels // groups, kh, kw)
        packed = prepack_conv2d(w, strides, pads, (1, 1), groups, shape)
        y = conv2d(x, packed, None, strides, pads, (1, 1), groups)
        assert_close(y, F.conv2d(x, w, None, strides, pads, 1, groups), f"conv2d {shape} {w.shape} {pads} {strides}")
        checked += 1
    assert checked > 300


def test_fused_relu_gives_the_bits_of_conv_then_relu() -> None:
    torch.manual_seed(1)
    x = torch.randn(1, 16, 12, 12).contiguous(memory_format=torch.channels_last)
    w = prepack_conv2d(torch.randn(32, 16, 3, 3), (1, 1), (1, 1), (1, 1), 1, (1, 16, 12, 12))
    fused = conv2d(x, w, None, padding=(1, 1), activation="relu")
    apart = torch.relu(conv2d(x, w, None, padding=(1, 1)))
    assert torch.equal(fused, apart)


def test_prepack_falls_back_to_a_channels_last_weight_without_onednn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: False)
    w = torch.randn(8, 4, 3, 3)
    packed = prepack_conv2d(w, (1, 1), (1, 1), (1, 1), 1, (1, 4, 6, 6))
    assert not packed.is_mkldnn
    assert packed.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(packed, w)


def _lrn_reference(x: np.ndarray, size: int, alpha: float, beta: float, bias: float) -> np.ndarray:
    """ONNX's LRN formula, channel by channel."""
    channels = x.shape[1]
    out = np.empty_like(x)
    for c in range(channels):
        lo, hi = max(0, c - (size - 1) // 2), min(channels - 1, c + size // 2)
        square_sum = (x[:, lo : hi + 1] ** 2).sum(axis=1)
        out[:, c] = x[:, c] / (bias + alpha / size * square_sum) ** beta
    return out


@pytest.mark.parametrize("size", [1, 2, 3, 5])
@pytest.mark.parametrize("channels_last", [False, True])
def test_lrn_helper_follows_onnx(size: int, channels_last: bool) -> None:
    x = torch.randn(1, 7, 5, 6)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    y = onnx_lrn(x, size, 1e-2, 0.75, 2.0)
    assert_close(y, _lrn_reference(x.numpy(), size, 1e-2, 0.75, 2.0), f"LRN size {size}")


def _conv_graph() -> onnx.ModelProto:
    """A stem convolution with Relu, two branches (one a Clip-activated conv), an Add, a pooling and a Flatten."""
    rng = np.random.default_rng(0)

    def const(name: str, shape: tuple[int, ...]) -> onnx.TensorProto:
        return onnx.numpy_helper.from_array((rng.standard_normal(shape) * 0.2).astype(np.float32), name)

    nodes = [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], name="stem", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c0"], ["r0"], name="stem_relu"),
        helper.make_node("Conv", ["r0", "w1"], ["c1"], name="left", pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["c1", "lo", "hi"], ["r1"], name="left_clip"),
        helper.make_node("Conv", ["r0", "w2"], ["c2"], name="right", strides=[1, 1]),
        helper.make_node("Add", ["r1", "c2"], ["s"], name="join"),
        helper.make_node("MaxPool", ["s"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["y"], name="flat"),
    ]
    initializers = [
        const("w0", (8, 3, 3, 3)), const("b0", (8,)), const("w1", (8, 8, 3, 3)), const("w2", (8, 8, 1, 1)),
        onnx.numpy_helper.from_array(np.array(0.0, np.float32), "lo"),
        onnx.numpy_helper.from_array(np.array(0.5, np.float32), "hi"),
    ]  # fmt: skip
    graph = helper.make_graph(
        nodes, "convs",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 288])],
        initializers,
    )  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_a_conv_graph_gets_every_fast_path_and_matches_onnxruntime(tmp_path: Path) -> None:
    model = _conv_graph()
    compiled = api.compile(model, out_dir=tmp_path, name="convs")
    source = compiled.source
    assert 'w["w0"] = prepack_conv2d(w["w0"], (1, 1), (1, 1), (1, 1), 1, (1, 3, 12, 12))' in source
    assert "contiguous(memory_format=torch.channels_last)" in source
    # Comments that would make a line too long stand above their statement.
    assert '# Conv stem, Relu stem_relu\n            r0 = conv2d(x_1, w["w0"], w["b0"], padding=(1, 1), activation="relu")' in source
    assert '# Conv left, Clip left_clip\n            r1 = conv2d(' in source
    assert 'activation="hardtanh", scalars=(0.0, 0.5)' in source
    assert ".add_(" in source
    feed = api.random_inputs(compiled.inputs, 0)
    report = api.compare(api.run(compiled.path, feed), api.onnxruntime_outputs(model, feed))
    assert all(e.ok for e in report), report


def test_generated_code_runs_on_a_torch_without_onednn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = _conv_graph()
    compiled = api.compile(model, out_dir=tmp_path, name="convs")
    monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: False)
    feed = api.random_inputs(compiled.inputs, 0)
    report = api.compare(api.run(compiled.path, feed), api.onnxruntime_outputs(model, feed))
    assert all(e.ok for e in report), report


def test_fast_paths_can_be_switched_off(tmp_path: Path) -> None:
    plain = api.compile(_conv_graph(), out_dir=tmp_path, name="plain", pipeline="cleanup,convert-dfg-to-pyemit")
    body = plain.source.split("class Model(", 1)[1]
    assert "conv2d(" not in body.replace("F.conv2d(", "")
    assert "memory_format" not in body
    assert "_(" not in body.replace("__(", "")


def test_fast_paths_are_passes_of_their_own(tmp_path: Path) -> None:
    """Without `prepack-weights`, the fused convolutions read channels-last weights, and nothing is in place."""
    model = _conv_graph()
    compiled = api.compile(
        model, out_dir=tmp_path, name="fused", pipeline="cleanup,fuse-conv-activation,channels-last,convert-dfg-to-pyemit"
    )
    source = compiled.source
    assert "= prepack_conv2d(" not in source
    assert 'w["w1"] = w["w1"].contiguous(memory_format=torch.channels_last)' in source
    assert 'activation="hardtanh", scalars=(0.0, 0.5)' in source
    assert ".add_(" not in source
    feed = api.random_inputs(compiled.inputs, 0)
    report = api.compare(api.run(compiled.path, feed), api.onnxruntime_outputs(model, feed))
    assert all(e.ok for e in report), report
