"""Seeded PyTorch models with the structure and op patterns of well-known networks.

Each entry of `ZOO` builds a deterministic, eval-mode model at batch 1 with a fixed
input shape. Convolution weights use He initialisation, every normalisation layer
gets random affine parameters, and BatchNorm running statistics are measured on a
seeded random batch: they are far from the identity, so a wrongly folded or dropped
normalisation shows up numerically, while activations keep a useful magnitude
through deep stacks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import torch
from torch import Tensor, nn

# --------------------------------------------------------------------------- shared


class ConvBNAct(nn.Sequential):
    """Convolution without bias, BatchNorm, then an optional activation."""

    def __init__(
        self,
        cin: int,
        cout: int,
        kernel: int | tuple[int, int],
        stride: int = 1,
        padding: int | tuple[int, int] = 0,
        groups: int = 1,
        act: nn.Module | None = None,
        eps: float = 1e-5,
    ) -> None:
        layers: list[nn.Module] = [
            nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=False),
            nn.BatchNorm2d(cout, eps=eps),
        ]
        if act is not None:
            layers.append(act)
        super().__init__(*layers)


class SiLU(nn.Module):
    """SiLU spelled out as x * sigmoid(x), the pattern EfficientNet exports with."""

    def forward(self, x: Tensor) -> Tensor:
        return x * torch.sigmoid(x)


class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation: global pool, two 1x1 convs, a gate that scales x.

    The pool is a mean over the spatial axes, or with `pool` torchvision's
    `nn.AdaptiveAvgPool2d(1)`, which the legacy exporter writes as GlobalAveragePool.
    """

    def __init__(
        self,
        channels: int,
        squeeze: int,
        act: nn.Module,
        gate: nn.Module,
        pool: bool = False,
    ) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1) if pool else None
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.act = act
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.gate = gate

    def forward(self, x: Tensor) -> Tensor:
        if self.pool is None:
            s = torch.mean(x, dim=(2, 3), keepdim=True)
        else:
            s = self.pool(x)
        return x * self.gate(self.fc2(self.act(self.fc1(s))))


class Classifier(nn.Sequential):
    """Global average pool, flatten, optional dropout, and a linear layer."""

    def __init__(
        self, features: int, classes: int = 1000, dropout: float = 0.0
    ) -> None:
        layers: list[nn.Module] = [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(features, classes))
        super().__init__(*layers)


# --------------------------------------------------------------------------- googlenet


class InceptionV1Block(nn.Module):
    """GoogLeNet inception module; like torchvision, the "5x5" branch uses a 3x3 conv."""

    def __init__(
        self, cin: int, c1: int, c3r: int, c3: int, c5r: int, c5: int, pool: int
    ) -> None:
        super().__init__()

        def conv(i: int, o: int, k: int) -> ConvBNAct:
            return ConvBNAct(i, o, k, padding=k // 2, act=nn.ReLU(), eps=1e-3)

        self.b1 = conv(cin, c1, 1)
        self.b2 = nn.Sequential(conv(cin, c3r, 1), conv(c3r, c3, 3))
        self.b3 = nn.Sequential(conv(cin, c5r, 1), conv(c5r, c5, 3))
        self.b4 = nn.Sequential(
            nn.MaxPool2d(3, 1, 1, ceil_mode=True), conv(cin, pool, 1)
        )

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


# torchvision's pretrained GoogLeNet maps ImageNet-normalised input to the
# (x - 0.5) / 0.5 normalisation its original weights expect: each RGB channel's
# ImageNet (mean, std).
IMAGENET_STATS = ((0.485, 0.229), (0.456, 0.224), (0.406, 0.225))


class GoogLeNet(nn.Module):
    """Inception-v1 with BatchNorm (torchvision layout, no auxiliary heads).

    Every channel count is divided by `width`. With `transform_input`, the input first
    goes through the per-channel affine map of torchvision's `transform_input=True`
    (the default with pretrained weights), written as torchvision writes it.
    """

    def __init__(self, width: int = 1, transform_input: bool = False) -> None:
        super().__init__()
        self.transform_input = transform_input

        def pool() -> nn.MaxPool2d:
            return nn.MaxPool2d(3, 2, ceil_mode=True)

        def conv(cin: int, cout: int, kernel: int, *args: int) -> ConvBNAct:
            return ConvBNAct(cin, cout, kernel, *args, act=nn.ReLU(), eps=1e-3)

        def block(*channels: int) -> InceptionV1Block:
            return InceptionV1Block(*(c // width for c in channels))

        self.features = nn.Sequential(
            conv(3, 64 // width, 7, 2, 3),
            pool(),
            conv(64 // width, 64 // width, 1),
            conv(64 // width, 192 // width, 3, 1, 1),
            pool(),
            block(192, 64, 96, 128, 16, 32, 32),
            block(256, 128, 128, 192, 32, 96, 64),
            pool(),
            block(480, 192, 96, 208, 16, 48, 64),
            block(512, 160, 112, 224, 24, 64, 64),
            block(512, 128, 128, 256, 24, 64, 64),
            block(512, 112, 144, 288, 32, 64, 64),
            block(528, 256, 160, 320, 32, 128, 128),
            nn.MaxPool2d(2, 2, ceil_mode=True),
            block(832, 256, 160, 320, 32, 128, 128),
            block(832, 384, 192, 384, 48, 128, 128),
        )
        self.classifier = Classifier(1024 // width, dropout=0.2)

    def forward(self, x: Tensor) -> Tensor:
        if self.transform_input:
            x = torch.cat(
                [
                    torch.unsqueeze(x[:, i], 1) * (std / 0.5) + (mean - 0.5) / 0.5
                    for i, (mean, std) in enumerate(IMAGENET_STATS)
                ],
                1,
            )
        return self.classifier(self.features(x))


# --------------------------------------------------------------------------- inception_v3


def _conv3(
    cin: int,
    cout: int,
    kernel: int | tuple[int, int],
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
) -> ConvBNAct:
    """Inception-v3's BasicConv2d: conv, BatchNorm with eps 1e-3, ReLU."""
    return ConvBNAct(cin, cout, kernel, stride, padding, act=nn.ReLU(), eps=1e-3)


def _avg_pool_branch(
    cin: int, cout: int, count_include_pad: bool = True
) -> nn.Sequential:
    return nn.Sequential(
        nn.AvgPool2d(3, 1, 1, count_include_pad=count_include_pad),
        _conv3(cin, cout, 1),
    )


def _conv1x7(cin: int, cout: int) -> ConvBNAct:
    return _conv3(cin, cout, (1, 7), padding=(0, 3))


def _conv7x1(cin: int, cout: int) -> ConvBNAct:
    return _conv3(cin, cout, (7, 1), padding=(3, 0))


class Branches(nn.Module):
    """Parallel branches on one input, concatenated along channels."""

    def __init__(self, *branches: nn.Module) -> None:
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([b(x) for b in self.branches], 1)


def inception_a(cin: int, pool: int) -> Branches:
    """Inception-v3 block A (35x35): 1x1, 5x5, double 3x3 and pool branches."""
    return Branches(
        _conv3(cin, 64, 1),
        nn.Sequential(_conv3(cin, 48, 1), _conv3(48, 64, 5, padding=2)),
        nn.Sequential(
            _conv3(cin, 64, 1),
            _conv3(64, 96, 3, padding=1),
            _conv3(96, 96, 3, padding=1),
        ),
        _avg_pool_branch(cin, pool),
    )


def inception_b(cin: int) -> Branches:
    """Inception-v3 grid reduction 35x35 -> 17x17."""
    return Branches(
        _conv3(cin, 384, 3, stride=2),
        nn.Sequential(
            _conv3(cin, 64, 1),
            _conv3(64, 96, 3, padding=1),
            _conv3(96, 96, 3, stride=2),
        ),
        nn.MaxPool2d(3, 2),
    )


def inception_c(cin: int, c7: int) -> Branches:
    """Inception-v3 block C (17x17) with factorized 1x7 / 7x1 convolutions."""
    return Branches(
        _conv3(cin, 192, 1),
        nn.Sequential(_conv3(cin, c7, 1), _conv1x7(c7, c7), _conv7x1(c7, 192)),
        nn.Sequential(
            _conv3(cin, c7, 1),
            _conv7x1(c7, c7),
            _conv1x7(c7, c7),
            _conv7x1(c7, c7),
            _conv1x7(c7, 192),
        ),
        _avg_pool_branch(cin, 192),
    )


def inception_d(cin: int) -> Branches:
    """Inception-v3 grid reduction 17x17 -> 8x8."""
    return Branches(
        nn.Sequential(_conv3(cin, 192, 1), _conv3(192, 320, 3, stride=2)),
        nn.Sequential(
            _conv3(cin, 192, 1),
            _conv1x7(192, 192),
            _conv7x1(192, 192),
            _conv3(192, 192, 3, stride=2),
        ),
        nn.MaxPool2d(3, 2),
    )


def _split_1x3_3x1(cin: int) -> Branches:
    return Branches(
        _conv3(cin, 384, (1, 3), padding=(0, 1)),
        _conv3(cin, 384, (3, 1), padding=(1, 0)),
    )


def inception_e(cin: int) -> Branches:
    """Inception-v3 block E (8x8) whose branches fork again into 1x3 and 3x1 convs."""
    return Branches(
        _conv3(cin, 320, 1),
        nn.Sequential(_conv3(cin, 384, 1), _split_1x3_3x1(384)),
        nn.Sequential(
            _conv3(cin, 448, 1), _conv3(448, 384, 3, padding=1), _split_1x3_3x1(384)
        ),
        _avg_pool_branch(cin, 192),
    )


class InceptionV3(nn.Module):
    """Inception-v3 at 299x299 with the torchvision channel widths, no auxiliary head."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            _conv3(3, 32, 3, stride=2),
            _conv3(32, 32, 3),
            _conv3(32, 64, 3, padding=1),
            nn.MaxPool2d(3, 2),
            _conv3(64, 80, 1),
            _conv3(80, 192, 3),
            nn.MaxPool2d(3, 2),
            inception_a(192, 32),
            inception_a(256, 64),
            inception_a(288, 64),
            inception_b(288),
            inception_c(768, 128),
            inception_c(768, 160),
            inception_c(768, 160),
            inception_c(768, 192),
            inception_d(768),
            inception_e(1280),
            inception_e(2048),
        )
        self.classifier = Classifier(2048, dropout=0.5)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


# --------------------------------------------------------------------------- squeezenet


class Fire(nn.Module):
    """SqueezeNet Fire module: 1x1 squeeze, then concatenated 1x1 and 3x3 expands."""

    def __init__(self, cin: int, squeeze: int, expand: int) -> None:
        super().__init__()
        self.squeeze = nn.Sequential(nn.Conv2d(cin, squeeze, 1), nn.ReLU())
        self.expand1 = nn.Sequential(nn.Conv2d(squeeze, expand, 1), nn.ReLU())
        self.expand3 = nn.Sequential(
            nn.Conv2d(squeeze, expand, 3, padding=1), nn.ReLU()
        )

    def forward(self, x: Tensor) -> Tensor:
        s = self.squeeze(x)
        return torch.cat([self.expand1(s), self.expand3(s)], 1)


class SqueezeNet(nn.Module):
    """SqueezeNet 1.1 (no BatchNorm; ceil-mode max pools; conv classifier)."""

    def __init__(self) -> None:
        super().__init__()

        def pool() -> nn.MaxPool2d:
            return nn.MaxPool2d(3, 2, ceil_mode=True)

        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 3, 2),
            nn.ReLU(),
            pool(),
            Fire(64, 16, 64),
            Fire(128, 16, 64),
            pool(),
            Fire(128, 32, 128),
            Fire(256, 32, 128),
            pool(),
            Fire(256, 48, 192),
            Fire(384, 48, 192),
            Fire(384, 64, 256),
            Fire(512, 64, 256),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(0.5),
            nn.Conv2d(512, 1000, 1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


# --------------------------------------------------------------------------- resnet18


class BasicBlock(nn.Module):
    """ResNet basic block: two 3x3 conv-BN, projection shortcut when the shape changes."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            ConvBNAct(cin, cout, 3, stride, 1, act=nn.ReLU()),
            ConvBNAct(cout, cout, 3, 1, 1),
        )
        self.shortcut = (
            ConvBNAct(cin, cout, 1, stride)
            if stride != 1 or cin != cout
            else nn.Identity()
        )
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.body(x) + self.shortcut(x))


class ResNet18Features(nn.Sequential):
    """ResNet-18 up to the global pool, giving a 512-wide vector."""

    def __init__(self) -> None:
        layers: list[nn.Module] = [
            ConvBNAct(3, 64, 7, 2, 3, act=nn.ReLU()),
            nn.MaxPool2d(3, 2, 1),
        ]
        cin = 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        super().__init__(*layers)


class ResNet18(nn.Sequential):
    """ResNet-18 classifier."""

    def __init__(self) -> None:
        super().__init__(ResNet18Features(), nn.Linear(512, 1000))


# --------------------------------------------------------------------------- mobilenet_v3


def _make_divisible(v: float, divisor: int = 8) -> int:
    """Round channels like the MobileNet reference code: to a multiple of 8, at most -10%."""
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


class MobileNetV3Block(nn.Module):
    """MobileNetV3 inverted residual: expand, depthwise, optional SE, project."""

    def __init__(
        self,
        cin: int,
        kernel: int,
        expand: int,
        cout: int,
        se: bool,
        act: Callable[[], nn.Module],
        stride: int,
        se_pool: bool = False,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        if expand != cin:
            layers.append(ConvBNAct(cin, expand, 1, act=act(), eps=1e-3))
        layers.append(
            ConvBNAct(
                expand, expand, kernel, stride, kernel // 2, expand, act(), eps=1e-3
            )
        )
        if se:
            layers.append(
                SqueezeExcite(
                    expand,
                    _make_divisible(expand / 4),
                    nn.ReLU(),
                    nn.Hardsigmoid(),
                    se_pool,
                )
            )
        layers.append(ConvBNAct(expand, cout, 1, eps=1e-3))
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: Tensor) -> Tensor:
        y = self.body(x)
        return x + y if self.residual else y


class MobileNetV3Small(nn.Module):
    """MobileNetV3-Small with hardswish, hardsigmoid squeeze-excite and depthwise convs.

    `se_pool` selects `SqueezeExcite`'s pooling module in every block.
    """

    # kernel, expanded width, output width, squeeze-excite, hardswish, stride
    CONFIG = (
        (3, 16, 16, True, False, 2),
        (3, 72, 24, False, False, 2),
        (3, 88, 24, False, False, 1),
        (5, 96, 40, True, True, 2),
        (5, 240, 40, True, True, 1),
        (5, 240, 40, True, True, 1),
        (5, 120, 48, True, True, 1),
        (5, 144, 48, True, True, 1),
        (5, 288, 96, True, True, 2),
        (5, 576, 96, True, True, 1),
        (5, 576, 96, True, True, 1),
    )

    def __init__(self, se_pool: bool = False) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            ConvBNAct(3, 16, 3, 2, 1, act=nn.Hardswish(), eps=1e-3)
        ]
        cin = 16
        for kernel, expand, cout, se, hswish, stride in self.CONFIG:
            act = nn.Hardswish if hswish else nn.ReLU
            layers.append(
                MobileNetV3Block(cin, kernel, expand, cout, se, act, stride, se_pool)
            )
            cin = cout
        layers.append(ConvBNAct(cin, 576, 1, act=nn.Hardswish(), eps=1e-3))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(576, 1024),
            nn.Hardswish(),
            nn.Dropout(0.2),
            nn.Linear(1024, 1000),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


# --------------------------------------------------------------------------- efficientnet


class MBConv(nn.Module):
    """EfficientNet MBConv: expand, depthwise, SiLU squeeze-excite, project, residual.

    `act` makes the SiLU activations (the spelled-out `SiLU` or torchvision's
    `nn.SiLU`); `se_pool` selects `SqueezeExcite`'s pooling module.
    """

    def __init__(
        self,
        cin: int,
        cout: int,
        expand_ratio: int,
        kernel: int,
        stride: int,
        act: Callable[[], nn.Module] = SiLU,
        se_pool: bool = False,
    ) -> None:
        super().__init__()
        hidden = cin * expand_ratio
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(ConvBNAct(cin, hidden, 1, act=act(), eps=1e-3))
        layers += [
            ConvBNAct(hidden, hidden, kernel, stride, kernel // 2, hidden, act(), 1e-3),
            SqueezeExcite(hidden, max(1, cin // 4), act(), nn.Sigmoid(), se_pool),
            ConvBNAct(hidden, cout, 1, eps=1e-3),
        ]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: Tensor) -> Tensor:
        y = self.body(x)
        return x + y if self.residual else y


class EfficientNetB0(nn.Module):
    """EfficientNet-B0 at 224x224 with the reference stage widths and depths.

    `stages`, `stem` and `head` replace the reference widths and depths; `act` and
    `se_pool` are passed to every `MBConv`.
    """

    # expand ratio, kernel, stride, output width, repeats
    STAGES = (
        (1, 3, 1, 16, 1),
        (6, 3, 2, 24, 2),
        (6, 5, 2, 40, 2),
        (6, 3, 2, 80, 3),
        (6, 5, 1, 112, 3),
        (6, 5, 2, 192, 4),
        (6, 3, 1, 320, 1),
    )

    def __init__(
        self,
        stages: Sequence[tuple[int, int, int, int, int]] = STAGES,
        stem: int = 32,
        head: int = 1280,
        act: Callable[[], nn.Module] = SiLU,
        se_pool: bool = False,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [ConvBNAct(3, stem, 3, 2, 1, act=act(), eps=1e-3)]
        cin = stem
        for ratio, kernel, stride, cout, repeats in stages:
            for i in range(repeats):
                layers.append(
                    MBConv(
                        cin, cout, ratio, kernel, stride if i == 0 else 1, act, se_pool
                    )
                )
                cin = cout
        layers.append(ConvBNAct(cin, head, 1, act=act(), eps=1e-3))
        self.features = nn.Sequential(*layers)
        self.classifier = Classifier(head, dropout=0.2)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


# --------------------------------------------------------------------------- shufflenet_v2


def channel_shuffle(x: Tensor, groups: int) -> Tensor:
    """Interleave channel groups with the reshape / transpose / reshape idiom."""
    b, c, h, w = x.size()
    x = x.view(b, groups, c // groups, h, w).transpose(1, 2).contiguous()
    return x.view(b, c, h, w)


class ShuffleUnit(nn.Module):
    """ShuffleNetV2 unit: channel split (stride 1) or two downsampling branches."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        half = cout // 2
        self.stride = stride
        if stride > 1:
            self.branch1 = nn.Sequential(
                ConvBNAct(cin, cin, 3, stride, 1, groups=cin),
                ConvBNAct(cin, half, 1, act=nn.ReLU()),
            )
        self.branch2 = nn.Sequential(
            ConvBNAct(cin if stride > 1 else half, half, 1, act=nn.ReLU()),
            ConvBNAct(half, half, 3, stride, 1, groups=half),
            ConvBNAct(half, half, 1, act=nn.ReLU()),
        )

    def forward(self, x: Tensor) -> Tensor:
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat([x1, self.branch2(x2)], 1)
        else:
            out = torch.cat([self.branch1(x), self.branch2(x)], 1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    """ShuffleNetV2 x1.0: stages of 4, 8, 4 units with widths 116, 232, 464."""

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            ConvBNAct(3, 24, 3, 2, 1, act=nn.ReLU()),
            nn.MaxPool2d(3, 2, 1),
        ]
        cin = 24
        for cout, repeats in ((116, 4), (232, 8), (464, 4)):
            layers.append(ShuffleUnit(cin, cout, 2))
            layers += [ShuffleUnit(cout, cout, 1) for _ in range(repeats - 1)]
            cin = cout
        layers.append(ConvBNAct(cin, 1024, 1, act=nn.ReLU()))
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.features(x).mean([2, 3]))


# --------------------------------------------------------------------------- densenet121


class DenseLayer(nn.Module):
    """DenseNet bottleneck layer on the concatenation of all earlier feature maps."""

    def __init__(self, cin: int, growth: int, bn_size: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.BatchNorm2d(cin),
            nn.ReLU(),
            nn.Conv2d(cin, bn_size * growth, 1, bias=False),
            nn.BatchNorm2d(bn_size * growth),
            nn.ReLU(),
            nn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False),
        )

    def forward(self, features: list[Tensor]) -> Tensor:
        return self.body(torch.cat(features, 1))


class DenseBlock(nn.Module):
    """A dense block: every layer sees the concatenation of its block's earlier outputs."""

    def __init__(self, layers: int, cin: int, growth: int, bn_size: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            DenseLayer(cin + i * growth, growth, bn_size) for i in range(layers)
        )

    def forward(self, x: Tensor) -> Tensor:
        features = [x]
        for layer in self.layers:
            features.append(layer(features))
        return torch.cat(features, 1)


class DenseNet121(nn.Module):
    """DenseNet-121: block config (6, 12, 24, 16), growth 32, bottleneck width 4x."""

    def __init__(
        self,
        blocks: Sequence[int] = (6, 12, 24, 16),
        growth: int = 32,
        bn_size: int = 4,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            nn.Conv2d(3, 64, 7, 2, 3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, 1),
        ]
        channels = 64
        for i, n in enumerate(blocks):
            layers.append(DenseBlock(n, channels, growth, bn_size))
            channels += n * growth
            if i != len(blocks) - 1:
                layers += [
                    nn.BatchNorm2d(channels),
                    nn.ReLU(),
                    nn.Conv2d(channels, channels // 2, 1, bias=False),
                    nn.AvgPool2d(2, 2),
                ]
                channels //= 2
        layers += [nn.BatchNorm2d(channels), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.classifier = Classifier(channels)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


# --------------------------------------------------------------------------- transformer


class MultiHeadSelfAttention(nn.Module):
    """Self-attention written with matmul / softmax, one explicit branch per head.

    Heads are split with a reshape / transpose whose sizes come from `x.shape`, then
    each head's attention is computed separately and the heads are concatenated, so
    the exported graph has one parallel MatMul-Softmax-MatMul chain per head.
    """

    def __init__(self, d_model: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.head_dim = d_model // heads
        self.q = nn.Linear(d_model, d_model)
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)

    def _split(self, x: Tensor) -> Tensor:
        b, s, _ = x.shape
        return x.reshape(b, s, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x: Tensor) -> Tensor:
        q, k, v = self._split(self.q(x)), self._split(self.k(x)), self._split(self.v(x))
        scale = 1.0 / math.sqrt(self.head_dim)
        heads = [
            torch.matmul(
                torch.softmax(
                    torch.matmul(q[:, h], k[:, h].transpose(-2, -1)) * scale, dim=-1
                ),
                v[:, h],
            )
            for h in range(self.heads)
        ]
        return self.out(torch.cat(heads, dim=-1))


class EncoderLayer(nn.Module):
    """Post-norm transformer encoder layer with an exact (erf) GELU feed-forward."""

    def __init__(self, d_model: int, heads: int, ffn: int) -> None:
        super().__init__()
        self.attn = MultiHeadSelfAttention(d_model, heads)
        self.norm1 = nn.LayerNorm(d_model)
        self.ffn = nn.Sequential(
            nn.Linear(d_model, ffn), nn.GELU(), nn.Linear(ffn, d_model)
        )
        self.norm2 = nn.LayerNorm(d_model)

    def forward(self, x: Tensor) -> Tensor:
        x = self.norm1(x + self.attn(x))
        return self.norm2(x + self.ffn(x))


class TransformerEncoder(nn.Module):
    """A stack of encoder layers over a (1, seq, d_model) embedding input."""

    def __init__(
        self, layers: int = 4, d_model: int = 256, heads: int = 4, seq: int = 64
    ) -> None:
        super().__init__()
        self.position = nn.Parameter(torch.randn(1, seq, d_model) * 0.1)
        self.layers = nn.Sequential(
            *(EncoderLayer(d_model, heads, 4 * d_model) for _ in range(layers))
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x + self.position)


# --------------------------------------------------------------------------- nasnet


class SepConv(nn.Sequential):
    """NASNet separable conv: (ReLU, depthwise, pointwise, BN) twice; stride on the first."""

    def __init__(self, channels: int, kernel: int, stride: int) -> None:
        layers: list[nn.Module] = []
        for s in (stride, 1):
            layers += [
                nn.ReLU(),
                nn.Conv2d(
                    channels,
                    channels,
                    kernel,
                    s,
                    kernel // 2,
                    groups=channels,
                    bias=False,
                ),
                nn.Conv2d(channels, channels, 1, bias=False),
                nn.BatchNorm2d(channels),
            ]
        super().__init__(*layers)


def _cell_op(op: str, channels: int, stride: int) -> nn.Module:
    if op.startswith("sep"):
        return SepConv(channels, int(op[3:]), stride)
    if op == "avg":
        return nn.AvgPool2d(3, stride, 1, count_include_pad=False)
    if op == "max":
        return nn.MaxPool2d(3, stride, 1)
    if op == "id" and stride == 1:
        return nn.Identity()
    raise ValueError(f"no cell op {op!r} with stride {stride}")


# Each combination is (op, input, op, input) summed; input 0 is the cell before the
# previous one, 1 the previous cell, and 2+ earlier combinations in the same cell.
NORMAL_CELL = (
    ("sep3", 1, "id", 1),
    ("sep3", 0, "sep5", 1),
    ("avg", 1, "id", 0),
    ("avg", 0, "avg", 0),
    ("sep5", 0, "sep3", 0),
)
NORMAL_CONCAT = (0, 2, 3, 4, 5, 6)
REDUCTION_CELL = (
    ("sep5", 1, "sep7", 0),
    ("max", 1, "sep7", 0),
    ("avg", 1, "sep5", 0),
    ("avg", 2, "id", 3),
    ("sep3", 2, "max", 1),
)
REDUCTION_CONCAT = (3, 4, 5, 6)


class NASCell(nn.Module):
    """NASNet-A style cell: five two-op combinations of two inputs, concatenated."""

    def __init__(
        self,
        prev_prev: int,
        prev: int,
        channels: int,
        reduction: bool,
        prev_reduced: bool,
    ) -> None:
        super().__init__()
        # After a reduction the older input is twice as large spatially.
        self.pre0 = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(prev_prev, channels, 1, 2 if prev_reduced else 1, bias=False),
            nn.BatchNorm2d(channels),
        )
        self.pre1 = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(prev, channels, 1, bias=False),
            nn.BatchNorm2d(channels),
        )
        spec = REDUCTION_CELL if reduction else NORMAL_CELL
        self.inputs = [(a, b) for _, a, _, b in spec]
        self.concat = REDUCTION_CONCAT if reduction else NORMAL_CONCAT
        self.ops = nn.ModuleList(
            _cell_op(op, channels, 2 if reduction and i < 2 else 1)
            for op_a, a, op_b, b in spec
            for op, i in ((op_a, a), (op_b, b))
        )
        self.out_channels = channels * len(self.concat)

    def forward(self, s0: Tensor, s1: Tensor) -> Tensor:
        states = [self.pre0(s0), self.pre1(s1)]
        for j, (a, b) in enumerate(self.inputs):
            states.append(self.ops[2 * j](states[a]) + self.ops[2 * j + 1](states[b]))
        return torch.cat([states[i] for i in self.concat], 1)


class NASNetCells(nn.Module):
    """A NASNet-like network: stem, then (reduction, normal, normal) cells at 3 widths."""

    def __init__(self, width: int = 24) -> None:
        super().__init__()
        self.stem = ConvBNAct(3, 2 * width, 3, 2, 1)
        prev_prev = prev = 2 * width
        prev_reduced = False
        cells: list[NASCell] = []
        for stage in range(3):
            for reduction in (True, False, False):
                cell = NASCell(
                    prev_prev, prev, width * 2**stage, reduction, prev_reduced
                )
                cells.append(cell)
                prev_prev, prev, prev_reduced = prev, cell.out_channels, reduction
        self.cells = nn.ModuleList(cells)
        self.head = nn.Sequential(nn.ReLU(), Classifier(prev))

    def forward(self, x: Tensor) -> Tensor:
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.head(s1)


# --------------------------------------------------------------------------- randwire


def randwire_dag(nodes: int, k: int, p: float, seed: int) -> list[list[int]]:
    """Predecessor lists of a Watts-Strogatz graph with edges oriented low -> high index."""
    graph = nx.connected_watts_strogatz_graph(nodes, k, p, seed=seed)
    return [sorted(u for u in graph.neighbors(v) if u < v) for v in range(nodes)]


class RandWireNode(nn.Module):
    """A RandWire node: sigmoid-weighted sum of its inputs, then ReLU-conv-BN."""

    def __init__(self, inputs: int, channels: int, stride: int) -> None:
        super().__init__()
        self.weights = nn.Parameter(torch.randn(inputs))
        self.unit = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(channels, channels, 3, stride, 1, bias=False),
            nn.BatchNorm2d(channels),
        )

    def forward(self, inputs: list[Tensor]) -> Tensor:
        gates = torch.sigmoid(self.weights)
        total = inputs[0] * gates[0]
        for i in range(1, len(inputs)):
            total = total + inputs[i] * gates[i]
        return self.unit(total)


class RandWire(nn.Module):
    """A RandWire-like stage: a random 32-node DAG between a conv stem and a classifier.

    Nodes without predecessors read the stem output (with stride 2); nodes without
    successors are averaged into the stage output.
    """

    def __init__(self, nodes: int = 32, channels: int = 64, seed: int = 7) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            ConvBNAct(3, channels // 2, 3, 2, 1, act=nn.ReLU()),
            ConvBNAct(channels // 2, channels, 3, 2, 1),
        )
        self.preds = randwire_dag(nodes, 4, 0.75, seed)
        has_succ = {u for preds in self.preds for u in preds}
        self.outputs = [v for v in range(nodes) if v not in has_succ]
        self.nodes = nn.ModuleList(
            RandWireNode(max(1, len(p)), channels, 1 if p else 2) for p in self.preds
        )
        self.head = nn.Sequential(nn.ReLU(), Classifier(channels))

    def forward(self, x: Tensor) -> Tensor:
        x = self.stem(x)
        values: list[Tensor] = []
        for node, preds in zip(self.nodes, self.preds, strict=True):
            values.append(node([values[u] for u in preds] if preds else [x]))
        out = torch.stack([values[v] for v in self.outputs]).mean(0)
        return self.head(out)


# --------------------------------------------------------------------------- two_tower


class TwoTower(nn.Module):
    """Two independent ResNet-18 towers on one input, concatenated, then a linear layer."""

    def __init__(self) -> None:
        super().__init__()
        self.left = ResNet18Features()
        self.right = ResNet18Features()
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(torch.cat([self.left(x), self.right(x)], 1))


# --------------------------------------------------------------------------- registry


def _randomize(model: nn.Module, generator: torch.Generator) -> None:
    """He-initialise convs and give normalisation layers random affine parameters."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            fan_in = m.weight[0].numel()
            m.weight.normal_(0.0, math.sqrt(2.0 / fan_in), generator=generator)
        elif isinstance(m, nn.BatchNorm2d | nn.LayerNorm):
            m.weight.uniform_(0.5, 1.5, generator=generator)
            m.bias.normal_(0.0, 0.1, generator=generator)


def _calibrate_batchnorm(model: nn.Module, inputs: list[Tensor]) -> None:
    """Set BatchNorm running statistics to those of one forward pass on `inputs`.

    The statistics come out far from the identity (mean 0, variance 1), yet every
    BatchNorm still roughly normalises its input, so activations neither explode
    nor vanish however deep the network is.
    """
    model.eval()
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in norms:
        bn.reset_running_stats()
        bn.momentum = None  # a cumulative average over one batch is that batch's stats
        bn.train()
    model(*inputs)
    for bn in norms:
        bn.momentum = 0.1
    model.eval()


Exporter = Literal["legacy", "dynamo"]


@dataclass(frozen=True)
class ModelSpec:
    """A zoo entry: how to build and export the model, its inputs, and what it is.

    Inputs are standard-normal float32 unless `integer_inputs` maps an input's index
    to an exclusive bound: that input is int64, drawn from [0, bound). The other
    fields are export options: graph output names, which exporters apply,
    `dynamic_axes` in `torch.onnx.export`'s form (graph value name -> {axis: name}),
    `script` to hand the legacy exporter a scripted model (so that Python control
    flow becomes ONNX If and Loop), and `translations`, the dynamo exporter's
    `custom_translation_table` for the model's custom operators.
    """

    factory: Callable[[], nn.Module]
    input_shapes: list[tuple[int, ...]]
    description: str
    seed: int = 0
    integer_inputs: Mapping[int, int] = field(default_factory=dict)
    output_names: tuple[str, ...] = ("output",)
    exporters: tuple[Exporter, ...] = ("legacy", "dynamo")
    dynamic_axes: Mapping[str, Mapping[int, str]] = field(default_factory=dict)
    script: bool = False
    translations: Mapping[Any, Callable[..., Any]] = field(default_factory=dict)

    def build(self) -> nn.Module:
        """The model with its seeded weights and BatchNorm statistics, in eval mode."""
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(self.seed)
            model = self.factory()
            generator = torch.Generator().manual_seed(self.seed + 1)
            _randomize(model, generator)
            calibration = [
                torch.randint(self.integer_inputs[i], shape, generator=generator)
                if i in self.integer_inputs
                else torch.randn(shape, generator=generator)
                for i, shape in enumerate(self.input_shapes)
            ]
            _calibrate_batchnorm(model, calibration)
        return model


@dataclass(frozen=True)
class DerivedSpec:
    """An ONNX-level zoo entry, made from an export of the torch zoo model `base`.

    `write(source, target)` reads the export at `source` and writes the derived
    model to `target`; the derived model has the base model's inputs.
    """

    base: str
    write: Callable[[Path, Path], None]
    description: str


IMAGE = [(1, 3, 224, 224)]

ZOO: dict[str, ModelSpec] = {
    "googlenet": ModelSpec(GoogLeNet, IMAGE, "Inception-v1 with BatchNorm, 224x224"),
    "inception_v3": ModelSpec(
        InceptionV3,
        [(1, 3, 299, 299)],
        "Inception-v3 A-E blocks with 1x7/7x1 convs, 299x299",
    ),
    "squeezenet": ModelSpec(SqueezeNet, IMAGE, "SqueezeNet 1.1 with Fire modules"),
    "resnet18": ModelSpec(ResNet18, IMAGE, "ResNet-18"),
    "mobilenet_v3_small": ModelSpec(
        MobileNetV3Small,
        IMAGE,
        "MobileNetV3-Small: hardswish, hardsigmoid SE, depthwise",
    ),
    "efficientnet_b0": ModelSpec(
        EfficientNetB0, IMAGE, "EfficientNet-B0: MBConv with x*sigmoid(x) and SE"
    ),
    "shufflenet_v2": ModelSpec(
        ShuffleNetV2, IMAGE, "ShuffleNetV2 x1.0: channel split, chunk and shuffle"
    ),
    "densenet121": ModelSpec(DenseNet121, IMAGE, "DenseNet-121, growth 32"),
    "transformer_encoder": ModelSpec(
        TransformerEncoder,
        [(1, 64, 256)],
        "4-layer post-norm encoder, d_model 256, 4 explicit heads, erf GELU",
    ),
    "nasnet_cells": ModelSpec(
        NASNetCells,
        IMAGE,
        "NASNet-like cells with five parallel separable-conv/pool pairs",
    ),
    "randwire": ModelSpec(
        RandWire,
        IMAGE,
        "RandWire-like 32-node Watts-Strogatz DAG of ReLU-conv-BN nodes",
    ),
    "two_tower": ModelSpec(
        TwoTower, IMAGE, "Two ResNet-18 towers on one input, concatenated, linear head"
    ),
}
