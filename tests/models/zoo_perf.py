"""Zoo models with the export styles of the networks people bring (torchvision, timm).

They carry what the project's own zoo models lack and real exports have: torchvision's
GoogLeNet input transform, squeeze-excite pooled with `nn.AdaptiveAvgPool2d`, `nn.SiLU`
and `nn.Hardswish` modules, attention written as batched MatMul / Softmax / MatMul
with both GELU forms, and Inception-v4's split stem. Every model is reduced in width,
depth and input size (each description says how) so that the suite stays fast, while
the layer layout and op patterns stay those of the original.
"""

from __future__ import annotations

import functools
import math

import torch
from torch import Tensor, nn

from tests.models.zoo import (
    Branches,
    EfficientNetB0,
    Exporter,
    GoogLeNet,
    MobileNetV3Small,
    ModelSpec,
    _avg_pool_branch,
    _conv1x7,
    _conv3,
    _conv7x1,
)

# --------------------------------------------------------------------------- attention


def attention(
    q: Tensor, k: Tensor, v: Tensor, scale: float, bias: Tensor | None = None
) -> Tensor:
    """softmax(q k^T * scale + bias) v on (..., tokens, head_dim) tensors, by hand."""
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale
    if bias is not None:
        scores = scores + bias
    return torch.matmul(torch.softmax(scores, dim=-1), v)


class MultiHeadAttention(nn.Module):
    """Batched multi-head self-attention as timm and Hugging Face write it by hand.

    With `fused_qkv` one linear layer makes queries, keys and values, split by a
    reshape / permute (timm's ViT, GPT-2's `c_attn`); otherwise three linear layers
    do (BERT). `bias` is added to the attention scores (masks, position biases).
    """

    def __init__(self, dim: int, heads: int, fused_qkv: bool = True) -> None:
        super().__init__()
        self.heads = heads
        self.scale = 1.0 / math.sqrt(dim // heads)
        self.qkv = (
            nn.Linear(dim, 3 * dim)
            if fused_qkv
            else nn.ModuleList(nn.Linear(dim, dim) for _ in range(3))
        )
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: Tensor, bias: Tensor | None = None) -> Tensor:
        b, n, c = x.shape
        if isinstance(self.qkv, nn.Linear):
            qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads)
            q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        else:
            q, k, v = (
                layer(x).view(b, n, self.heads, c // self.heads).permute(0, 2, 1, 3)
                for layer in self.qkv
            )
        y = attention(q, k, v, self.scale, bias)
        return self.proj(y.transpose(1, 2).reshape(b, n, c))


class TransformerBlock(nn.Module):
    """Attention and a GELU MLP, each in a residual, with LayerNorm before each
    (pre-norm: ViT, GPT-2) or after each residual (post-norm: BERT).

    `approximate` is `nn.GELU`'s: "none" exports the exact Erf form, "tanh" the
    tanh polynomial.
    """

    def __init__(
        self,
        dim: int,
        heads: int,
        mlp: int,
        pre_norm: bool = True,
        approximate: str = "none",
        eps: float = 1e-6,
        fused_qkv: bool = True,
    ) -> None:
        super().__init__()
        self.pre_norm = pre_norm
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = MultiHeadAttention(dim, heads, fused_qkv)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = nn.Sequential(
            nn.Linear(dim, mlp), nn.GELU(approximate=approximate), nn.Linear(mlp, dim)
        )

    def forward(self, x: Tensor, bias: Tensor | None = None) -> Tensor:
        if self.pre_norm:
            x = x + self.attn(self.norm1(x), bias)
            return x + self.mlp(self.norm2(x))
        x = self.norm1(x + self.attn(x, bias))
        return self.norm2(x + self.mlp(x))


class VisionTransformer(nn.Module):
    """timm's ViT: conv patch embedding, class token, position embedding, pre-norm
    blocks with exact GELU, final LayerNorm and a linear head on the class token."""

    def __init__(
        self,
        image: int = 64,
        patch: int = 8,
        dim: int = 64,
        depth: int = 2,
        heads: int = 4,
        classes: int = 10,
    ) -> None:
        super().__init__()
        tokens = (image // patch) ** 2 + 1
        self.patch = nn.Conv2d(3, dim, patch, patch)
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.1)
        self.position = nn.Parameter(torch.randn(1, tokens, dim) * 0.1)
        self.blocks = nn.ModuleList(
            TransformerBlock(dim, heads, 4 * dim) for _ in range(depth)
        )
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.position
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


# --------------------------------------------------------------------------- inception_v4


def _v4_avg_pool_branch(cin: int, cout: int) -> nn.Sequential:
    """timm's Inception-v4 pool branch: the average excludes the padding."""
    return _avg_pool_branch(cin, cout, count_include_pad=False)


def _split_1x3_3x1(cin: int, cout: int) -> Branches:
    return Branches(
        _conv3(cin, cout, (1, 3), padding=(0, 1)),
        _conv3(cin, cout, (3, 1), padding=(1, 0)),
    )


class InceptionV4(nn.Module):
    """timm's Inception-v4 layout: a stem whose three stages each split into a conv
    and a pool (or two conv towers) and concatenate, then Inception-A, Reduction-A,
    Inception-B, Reduction-B and Inception-C blocks.

    Every channel count is divided by `width`, and each of the A, B and C blocks
    is repeated `depth` times (the original: 4, 7 and 3).
    """

    def __init__(self, width: int = 4, depth: int = 1, classes: int = 1000) -> None:
        super().__init__()

        def c(channels: int) -> int:
            return channels // width

        def inception_a() -> Branches:
            return Branches(
                _conv3(c(384), c(96), 1),
                nn.Sequential(_conv3(c(384), c(64), 1), _conv3(c(64), c(96), 3, padding=1)),
                nn.Sequential(
                    _conv3(c(384), c(64), 1),
                    _conv3(c(64), c(96), 3, padding=1),
                    _conv3(c(96), c(96), 3, padding=1),
                ),
                _v4_avg_pool_branch(c(384), c(96)),
            )

        def inception_b() -> Branches:
            return Branches(
                _conv3(c(1024), c(384), 1),
                nn.Sequential(
                    _conv3(c(1024), c(192), 1),
                    _conv1x7(c(192), c(224)),
                    _conv7x1(c(224), c(256)),
                ),
                nn.Sequential(
                    _conv3(c(1024), c(192), 1),
                    _conv7x1(c(192), c(192)),
                    _conv1x7(c(192), c(224)),
                    _conv7x1(c(224), c(224)),
                    _conv1x7(c(224), c(256)),
                ),
                _v4_avg_pool_branch(c(1024), c(128)),
            )

        def inception_c() -> Branches:
            return Branches(
                _conv3(c(1536), c(256), 1),
                nn.Sequential(_conv3(c(1536), c(384), 1), _split_1x3_3x1(c(384), c(256))),
                nn.Sequential(
                    _conv3(c(1536), c(384), 1),
                    _conv3(c(384), c(448), (3, 1), padding=(1, 0)),
                    _conv3(c(448), c(512), (1, 3), padding=(0, 1)),
                    _split_1x3_3x1(c(512), c(256)),
                ),
                _v4_avg_pool_branch(c(1536), c(256)),
            )

        self.features = nn.Sequential(
            _conv3(3, c(32), 3, stride=2),
            _conv3(c(32), c(32), 3),
            _conv3(c(32), c(64), 3, padding=1),
            Branches(nn.MaxPool2d(3, 2), _conv3(c(64), c(96), 3, stride=2)),
            Branches(
                nn.Sequential(_conv3(c(160), c(64), 1), _conv3(c(64), c(96), 3)),
                nn.Sequential(
                    _conv3(c(160), c(64), 1),
                    _conv1x7(c(64), c(64)),
                    _conv7x1(c(64), c(64)),
                    _conv3(c(64), c(96), 3),
                ),
            ),
            Branches(_conv3(c(192), c(192), 3, stride=2), nn.MaxPool2d(3, 2)),
            *(inception_a() for _ in range(depth)),
            Branches(  # Reduction-A
                _conv3(c(384), c(384), 3, stride=2),
                nn.Sequential(
                    _conv3(c(384), c(192), 1),
                    _conv3(c(192), c(224), 3, padding=1),
                    _conv3(c(224), c(256), 3, stride=2),
                ),
                nn.MaxPool2d(3, 2),
            ),
            *(inception_b() for _ in range(depth)),
            Branches(  # Reduction-B
                nn.Sequential(_conv3(c(1024), c(192), 1), _conv3(c(192), c(192), 3, stride=2)),
                nn.Sequential(
                    _conv3(c(1024), c(256), 1),
                    _conv1x7(c(256), c(256)),
                    _conv7x1(c(256), c(320)),
                    _conv3(c(320), c(320), 3, stride=2),
                ),
                nn.MaxPool2d(3, 2),
            ),
            *(inception_c() for _ in range(depth)),
        )
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c(1536), classes)
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))


# --------------------------------------------------------------------------- registry

# EfficientNet-B0's stages at half width and at most two blocks each:
# expand ratio, kernel, stride, output width, repeats.
EFFICIENTNET_SMALL = (
    (1, 3, 1, 8, 1),
    (6, 3, 2, 12, 2),
    (6, 5, 2, 20, 1),
    (6, 3, 2, 40, 2),
    (6, 5, 1, 56, 1),
    (6, 5, 2, 96, 2),
    (6, 3, 1, 160, 1),
)

SMALL_IMAGE = [(1, 3, 96, 96)]

# The convolutional nets reproduce legacy (TorchScript) exports, the form the
# torchvision and timm measurements used; the dynamo exports of these layers are
# in the zoo at full size already, and take several seconds each.
LEGACY: tuple[Exporter, ...] = ("legacy",)

ZOO: dict[str, ModelSpec] = {
    "googlenet_torchvision": ModelSpec(
        functools.partial(GoogLeNet, width=4, transform_input=True),
        SMALL_IMAGE,
        "torchvision GoogLeNet with transform_input, ceil-mode pools, exporter-folded "
        "BatchNorm and 3x3 '5x5' branches; channels / 4, 96x96",
        exporters=LEGACY,
    ),
    "efficientnet_torchvision": ModelSpec(
        functools.partial(
            EfficientNetB0, EFFICIENTNET_SMALL, 16, 640, nn.SiLU, se_pool=True
        ),
        SMALL_IMAGE,
        "torchvision EfficientNet-B0 style: nn.SiLU, depthwise MBConv, "
        "AdaptiveAvgPool2d squeeze-excite; half width, <= 2 blocks a stage, 96x96",
        exporters=LEGACY,
    ),
    "mobilenet_v3_torchvision": ModelSpec(
        functools.partial(MobileNetV3Small, se_pool=True),
        SMALL_IMAGE,
        "torchvision MobileNetV3-Small: nn.Hardswish, depthwise, AdaptiveAvgPool2d "
        "squeeze-excite with Hardsigmoid; full width, 96x96",
        exporters=LEGACY,
    ),
    "vit_encoder": ModelSpec(
        VisionTransformer,
        [(1, 3, 64, 64)],
        "timm ViT style: patch conv, class token, pre-norm blocks, batched attention "
        "as MatMul/Softmax/MatMul, Erf GELU; 2 blocks of width 64 (ViT-Ti: 12 of "
        "192), 4 heads, 64x64 in 8x8 patches",
    ),
    "inception_v4_small": ModelSpec(
        InceptionV4,
        [(1, 3, 149, 149)],
        "timm Inception-v4 layout: split stem, Inception-A/B/C and both reductions, "
        "pools without padding counts; channels / 4, one block of each kind "
        "(original 4/7/3), 149x149",
        exporters=LEGACY,
    ),
}
