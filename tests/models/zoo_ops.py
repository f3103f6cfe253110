"""Zoo models for operator breadth: recurrent, windowed-attention, language and quantized.

The torch models are an LSTM tagger and a GRU encoder (ONNX LSTM and GRU), a Swin
stage with shifted windows (Roll, window partition, relative position bias gather,
a shift mask built by slice assignment), and a BERT encoder and a GPT-2 decoder in
the Hugging Face layouts, written here from their configs rather than loaded. The
derived models are a small CNN after onnxruntime's static (QDQ) and dynamic
quantization. Sizes are reduced as each description says.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import torch
from torch import Tensor, nn

from tests.models.zoo import Classifier, ConvBNAct, DerivedSpec, ModelSpec
from tests.models.zoo_perf import MultiHeadAttention, TransformerBlock

# --------------------------------------------------------------------------- recurrent


class LSTMTagger(nn.Module):
    """Token embedding, a 2-layer bidirectional LSTM, and a per-token linear tag head."""

    def __init__(
        self, vocab: int = 100, dim: int = 32, hidden: int = 32, tags: int = 9
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(
            dim, hidden, num_layers=2, bidirectional=True, batch_first=True
        )
        self.head = nn.Linear(2 * hidden, tags)

    def forward(self, tokens: Tensor) -> Tensor:
        return self.head(self.lstm(self.embed(tokens))[0])


class GRUEncoder(nn.Module):
    """A 2-layer GRU over a feature sequence; its last layer's final state feeds a
    linear head."""

    def __init__(self, features: int = 24, hidden: int = 32, classes: int = 10) -> None:
        super().__init__()
        self.gru = nn.GRU(features, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.gru(x)[1][-1])


# --------------------------------------------------------------------------- swin


class ShiftedWindowAttention(nn.Module):
    """torchvision's `shifted_window_attention`: pad, roll by the shift, partition
    into windows, attention with a relative position bias gathered from a table
    and (when shifted) the mask that keeps rolled-in regions apart, then reverse.
    The attention inside each window is `MultiHeadAttention` with a fused qkv.
    """

    relative_position_index: Tensor

    def __init__(self, dim: int, window: int, shift: int, heads: int) -> None:
        super().__init__()
        self.window, self.shift = window, shift
        self.attn = MultiHeadAttention(dim, heads)
        self.relative_position_bias_table = nn.Parameter(
            torch.randn((2 * window - 1) ** 2, heads) * 0.5
        )
        coords = torch.stack(
            torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")
        ).flatten(1)
        relative = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0)
        relative = relative + (window - 1)
        index = relative[..., 0] * (2 * window - 1) + relative[..., 1]
        self.register_buffer("relative_position_index", index.flatten())

    def _mask(self, x: Tensor, height: int, width: int, shift: int) -> Tensor:
        """-100 between tokens of a window that come from different regions."""
        ws = self.window
        mask = x.new_zeros((height, width))
        slices = ((0, -ws), (-ws, -shift), (-shift, None))
        count = 0
        for h in slices:
            for w in slices:
                mask[h[0] : h[1], w[0] : w[1]] = count
                count += 1
        mask = mask.view(height // ws, ws, width // ws, ws).permute(0, 2, 1, 3)
        mask = mask.reshape(-1, ws * ws)
        mask = mask.unsqueeze(1) - mask.unsqueeze(2)
        return mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)

    def forward(self, x: Tensor) -> Tensor:
        b, height, width, c = x.shape
        ws = self.window
        x = nn.functional.pad(x, (0, 0, 0, -width % ws, 0, -height % ws))
        _, ph, pw, _ = x.shape
        shift = 0 if ws >= ph else self.shift
        if shift:
            x = torch.roll(x, shifts=(-shift, -shift), dims=(1, 2))
        windows = (ph // ws) * (pw // ws)
        x = x.view(b, ph // ws, ws, pw // ws, ws, c).permute(0, 1, 3, 2, 4, 5)
        x = x.reshape(b * windows, ws * ws, c)
        bias = self.relative_position_bias_table[self.relative_position_index]
        bias = bias.view(ws * ws, ws * ws, -1).permute(2, 0, 1).unsqueeze(0)
        if shift:
            bias = bias + self._mask(x, ph, pw, shift).unsqueeze(1)
        x = self.attn(x, bias)
        x = x.view(b, ph // ws, pw // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5)
        x = x.reshape(b, ph, pw, c)
        if shift:
            x = torch.roll(x, shifts=(shift, shift), dims=(1, 2))
        return x[:, :height, :width, :].contiguous()


class SwinBlock(nn.Module):
    """Swin block on (batch, height, width, channels): pre-norm windowed attention
    and GELU MLP, each in a residual."""

    def __init__(self, dim: int, heads: int, window: int, shift: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = ShiftedWindowAttention(dim, window, shift, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(
            nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim)
        )

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchMerging(nn.Module):
    """Swin's 2x downsampling: four strided slices concatenated, LayerNorm, linear."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(4 * dim)
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        parts = [x[:, i::2, j::2, :] for j in (0, 1) for i in (0, 1)]
        return self.reduction(self.norm(torch.cat(parts, -1)))


class SwinStage(nn.Module):
    """Swin-T's first stage and patch merging: conv patch embedding, a regular and
    a shifted-window block, merging, then LayerNorm, global pool and a head."""

    def __init__(
        self, dim: int = 32, heads: int = 2, window: int = 4, classes: int = 10
    ) -> None:
        super().__init__()
        self.embed = nn.Conv2d(3, dim, 4, 4)
        self.embed_norm = nn.LayerNorm(dim)
        self.blocks = nn.Sequential(
            SwinBlock(dim, heads, window, 0), SwinBlock(dim, heads, window, window // 2)
        )
        self.merge = PatchMerging(dim)
        self.norm = nn.LayerNorm(2 * dim)
        self.head = nn.Linear(2 * dim, classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.embed_norm(self.embed(x).permute(0, 2, 3, 1))
        x = self.norm(self.merge(self.blocks(x)))
        return self.head(x.mean(dim=(1, 2)))


# --------------------------------------------------------------------------- language


class BertEncoder(nn.Module):
    """Hugging Face `BertModel` layout: word, position and token-type embeddings with
    LayerNorm, an additive attention mask from the 0/1 mask input, post-norm layers
    with separate query / key / value projections and Erf GELU, and the tanh pooler.
    Returns the last hidden state and the pooled output.
    """

    position_ids: Tensor

    def __init__(
        self,
        vocab: int = 200,
        dim: int = 64,
        layers: int = 2,
        heads: int = 4,
        positions: int = 64,
    ) -> None:
        super().__init__()
        self.word = nn.Embedding(vocab, dim)
        self.position = nn.Embedding(positions, dim)
        self.token_type = nn.Embedding(2, dim)
        self.register_buffer(
            "position_ids", torch.arange(positions)[None], persistent=False
        )
        self.norm = nn.LayerNorm(dim, eps=1e-12)
        self.layers = nn.ModuleList(
            TransformerBlock(dim, heads, 2 * dim, False, eps=1e-12, fused_qkv=False)
            for _ in range(layers)
        )
        self.pooler = nn.Linear(dim, dim)

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> tuple[Tensor, Tensor]:
        positions = self.position_ids[:, : input_ids.shape[1]]
        x = self.word(input_ids) + self.token_type(torch.zeros_like(input_ids))
        x = self.norm(x + self.position(positions))
        mask = attention_mask[:, None, None, :].to(x.dtype)
        bias = (1.0 - mask) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, bias)
        return x, torch.tanh(self.pooler(x[:, 0]))


class GPTDecoder(nn.Module):
    """Hugging Face `GPT2LMHeadModel` layout: token and position embeddings (positions
    from a range over the sequence), pre-norm blocks with a fused query / key /
    value projection, a causal mask and tanh GELU, a final LayerNorm, and a
    language-model head tied to the token embedding.
    """

    causal_bias: Tensor

    def __init__(
        self,
        vocab: int = 200,
        dim: int = 64,
        layers: int = 2,
        heads: int = 4,
        positions: int = 64,
    ) -> None:
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.wpe = nn.Embedding(positions, dim)
        causal = torch.tril(torch.ones(positions, positions, dtype=torch.bool))
        self.register_buffer(
            "causal_bias",
            torch.zeros(positions, positions).masked_fill(
                ~causal, torch.finfo(torch.float32).min
            ),
            persistent=False,
        )
        self.blocks = nn.ModuleList(
            TransformerBlock(dim, heads, 4 * dim, approximate="tanh", eps=1e-5)
            for _ in range(layers)
        )
        self.ln_f = nn.LayerNorm(dim)

    def forward(self, input_ids: Tensor) -> Tensor:
        n = input_ids.shape[1]
        positions = torch.arange(n, dtype=torch.int64)[None]
        x = self.wte(input_ids) + self.wpe(positions)
        for block in self.blocks:
            x = block(x, self.causal_bias[:n, :n])
        return torch.matmul(self.ln_f(x), self.wte.weight.t())


# --------------------------------------------------------------------------- quantized


class SmallCNN(nn.Sequential):
    """Three conv-BN-ReLU stages with max pools and a linear classifier."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__(
            ConvBNAct(3, 16, 3, padding=1, act=nn.ReLU()),
            nn.MaxPool2d(2),
            ConvBNAct(16, 32, 3, padding=1, act=nn.ReLU()),
            nn.MaxPool2d(2),
            ConvBNAct(32, 64, 3, padding=1, act=nn.ReLU()),
            Classifier(64, classes),
        )


def _calibration_batches(path: Path, count: int) -> list[dict[str, np.ndarray]]:
    """`count` seeded standard-normal feeds for the float inputs of the model at `path`."""
    graph = onnx.load(path, load_external_data=False).graph
    feeds = []
    for seed in range(count):
        rng = np.random.default_rng(seed)
        feeds.append(
            {
                v.name: rng.standard_normal(
                    [d.dim_value for d in v.type.tensor_type.shape.dim],
                    dtype=np.float32,
                )
                for v in graph.input
            }
        )
    return feeds


def quantize_static_qdq(source: Path, target: Path) -> None:
    """onnxruntime's `quantize_static` in QDQ form (int8 activations and weights,
    per-tensor), calibrated with MinMax on 8 seeded batches. Weights take 7 bits
    (`reduce_range`), as onnxruntime advises for x86 processors without VNNI, whose
    int8 products it adds in pairs in int16, saturating: with 8-bit weights its own
    result would depend on the machine."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        quantize_static,
    )

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = iter(_calibration_batches(source, 8))

        def get_next(self) -> dict[str, np.ndarray] | None:  # pyright: ignore[reportIncompatibleMethodOverride]
            return next(self.batches, None)

    quantize_static(source, target, Reader(), quant_format=QuantFormat.QDQ, reduce_range=True)


def quantize_dynamic_int8(source: Path, target: Path) -> None:
    """onnxruntime's `quantize_dynamic`: int8 weights of 7 bits (see `quantize_static_qdq`),
    activations quantized at run time."""
    from onnxruntime.quantization import quantize_dynamic

    quantize_dynamic(source, target, reduce_range=True)


# --------------------------------------------------------------------------- registry

TOKENS = [(1, 32)]

ZOO: dict[str, ModelSpec] = {
    "lstm_tagger": ModelSpec(
        LSTMTagger,
        [(1, 16)],
        "embedding, 2-layer bidirectional LSTM (hidden 32), per-token linear tags; "
        "16 tokens from a vocabulary of 100",
        integer_inputs={0: 100},
    ),
    "gru_encoder": ModelSpec(
        GRUEncoder,
        [(1, 16, 24)],
        "2-layer GRU (hidden 32) over 16 steps of 24 features, linear head on the "
        "final state",
    ),
    "swin_block": ModelSpec(
        SwinStage,
        [(1, 3, 32, 32)],
        "Swin-T stage 1 with shifted windows, relative position bias and shift mask, "
        "then patch merging; width 32 (Swin-T: 96), 2 heads, window 4 (7), 32x32",
    ),
    "bert_encoder": ModelSpec(
        BertEncoder,
        [*TOKENS, *TOKENS],
        "Hugging Face BERT layout with an attention-mask input, Erf GELU and the "
        "pooler; 2 layers of width 64, 4 heads (BERT-base: 12 of 768, 12), "
        "32 tokens from a vocabulary of 200",
        integer_inputs={0: 200, 1: 2},
        output_names=("last_hidden_state", "pooler_output"),
    ),
    "gpt_decoder": ModelSpec(
        GPTDecoder,
        TOKENS,
        "Hugging Face GPT-2 layout with a causal mask, tanh GELU and a tied LM head; "
        "2 layers of width 64, 4 heads (GPT-2: 12 of 768, 12), 32 tokens from a "
        "vocabulary of 200",
        integer_inputs={0: 200},
    ),
    "small_cnn": ModelSpec(
        SmallCNN,
        [(1, 3, 32, 32)],
        "three conv-BN-ReLU stages (16, 32, 64 channels), max pools, linear head; "
        "32x32; the float model the quantized ones are made from",
    ),
}

DERIVED: dict[str, DerivedSpec] = {
    "small_cnn_qdq": DerivedSpec(
        "small_cnn",
        quantize_static_qdq,
        "small_cnn after quantize_static: QuantizeLinear / DequantizeLinear pairs",
    ),
    "small_cnn_dynamic": DerivedSpec(
        "small_cnn",
        quantize_dynamic_int8,
        "small_cnn after quantize_dynamic: DynamicQuantizeLinear, ConvInteger, "
        "MatMulInteger",
    ),
}
