"""`fuse-gelu`, `fuse-normalization` and `fuse-attention` on real exports: every GELU,
written-out norm and attention block becomes one op, whichever exporter wrote it,
and the numbers stay those of onnxruntime (serial and on two streams).

The expected counts come from the models' definitions in `tests.models`: one GELU
per block and one attention per block, or per head where the model splits its heads
by hand. The zoo tests compare every export's outputs with onnxruntime.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper
from torch import nn

from ramiel import api
from ramiel.dialects.dfg import DfgOp
from ramiel.dialects.dfg.activation import GeluOp
from ramiel.dialects.dfg.attention import AttentionOp
from tests.models.export import EXPORTERS, export_model
from tests.models.zoo import Exporter

EXPECTED = {
    # 4 layers of 4 heads, each head its own MatMul-Softmax-MatMul chain.
    "transformer_encoder": {"dfg.gelu": 4, "dfg.attention": 16},
    # 2 blocks, heads batched in 4-D tensors.
    "vit_encoder": {"dfg.gelu": 2, "dfg.attention": 2},
    # 2 causal layers with the tanh GELU.
    "gpt_decoder": {"dfg.gelu": 2, "dfg.attention": 2},
    # 2 layers whose attention adds a padding mask computed from an input.
    "bert_encoder": {"dfg.gelu": 2, "dfg.attention": 2},
}
"""Fused ops each transformer of the zoo must end up with."""

LEFT_OVER = ("dfg.erf", "dfg.softmax", "dfg.pow")
"""Ops of the written-out forms that none of those models keeps (BERT's pooler keeps a Tanh of its own)."""


def _counts(name: str, exporter: Exporter) -> tuple[Counter[str], list[DfgOp]]:
    module = api.cleaned_module(export_model(name, exporter))
    ops = [op for op in module.walk() if isinstance(op, DfgOp)]
    return Counter(op.name for op in ops), ops


@pytest.mark.parametrize("exporter", EXPORTERS)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_block_of_a_transformer_export_fuses(name: str, exporter: Exporter) -> None:
    counts, ops = _counts(name, exporter)
    assert {kind: counts[kind] for kind in EXPECTED[name]} == EXPECTED[name]
    assert not [kind for kind in LEFT_OVER if counts[kind]]
    if name == "gpt_decoder":
        assert counts["dfg.tanh"] == 0
        assert all(op.python_attributes().get("approximate") == "tanh" for op in ops if isinstance(op, GeluOp))
        assert all(op.python_attributes().get("is_causal") == 1 for op in ops if isinstance(op, AttentionOp))


def _attention_with_scale(scale: float, mask: np.ndarray | None, padding: bool = False) -> onnx.ModelProto:
    """softmax(Q @ K^T * scale [+ mask]) @ V on (1, 2, 5, 8) heads, written out; with `padding`,
    the mask is a (1, 1, 1, 5) graph input instead."""
    shape = [1, 2, 5, 8]
    nodes = [
        helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2]),
        helper.make_node("MatMul", ["q", "kt"], ["s"]),
        helper.make_node("Mul", ["s", "scale"], ["t"]),
    ]
    initializers = [helper.make_tensor("scale", TensorProto.FLOAT, [], [scale])]
    scores = "t"
    inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape) for n in "qkv"]
    if mask is not None or padding:
        nodes.append(helper.make_node("Add", ["t", "mask"], ["m"]))
        scores = "m"
    if mask is not None:
        initializers.append(onnx.numpy_helper.from_array(mask, "mask"))
    if padding:
        inputs.append(helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, 1, 5]))
    nodes += [helper.make_node("Softmax", [scores], ["p"]), helper.make_node("MatMul", ["p", "v"], ["y"])]
    graph = helper.make_graph(
        nodes,
        "attention",
        inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


CAUSAL = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
"""-inf above the diagonal: each query sees itself and the keys before it."""


@pytest.mark.parametrize(
    ("mask", "causal", "padding"),
    [
        (None, False, False),
        (CAUSAL, True, False),
        (np.where(CAUSAL == 0, 0, np.finfo(np.float32).min), True, False),
        (None, False, True),
    ],
    ids=["plain", "causal", "causal-lowest", "padding"],
)
def test_fused_attention_matches_onnxruntime(
    mask: np.ndarray | None, causal: bool, padding: bool, tmp_path: Path
) -> None:
    model = _attention_with_scale(0.3, mask, padding)
    fused = [op for op in api.cleaned_module(model).walk() if isinstance(op, AttentionOp)]
    assert len(fused) == 1
    assert fused[0].python_attributes().get("is_causal", 0) == int(causal)
    assert len(fused[0].operands) == (4 if padding else 3)
    if padding:
        # The mask reaches scaled_dot_product_attention, not the general helper.
        assert "attn_mask=mask" in api.compile(model, out_dir=tmp_path, name="a").source
    report = api.check(model, workers=2)
    assert report.ok, report.lines()


class _RMSNorm(nn.Module):
    """RMSNorm as Hugging Face's LLaMA writes it: x * rsqrt(mean(x^2) + eps), then the weight."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.linspace(0.5, 1.5, width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6))


class _Norms(nn.Sequential):
    def __init__(self) -> None:
        super().__init__(nn.LayerNorm(16), nn.Linear(16, 16), _RMSNorm(16))


@pytest.mark.parametrize(("exporter", "opset"), [("legacy", 14), ("dynamo", 18)])
def test_written_out_norms_fuse_and_match_onnxruntime(exporter: str, opset: int, tmp_path: Path) -> None:
    """The legacy exporter writes LayerNorm out below opset 17; both write RMSNorm out at these opsets."""
    torch.manual_seed(0)
    path = tmp_path / "norms.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(_Norms().eval(), (torch.randn(1, 5, 16),), str(path), opset_version=opset, dynamo=exporter == "dynamo")
    counts = Counter(op.name for op in api.cleaned_module(path).walk() if isinstance(op, DfgOp))
    assert counts["dfg.layer_normalization"] == counts["dfg.rmsnormalization"] == 1
    assert not [kind for kind in ("dfg.reduce_mean", "dfg.sqrt", "dfg.pow") if counts[kind]]
    report = api.check(path, workers=2)
    assert report.ok, report.lines()
