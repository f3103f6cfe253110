"""Zoo models with control flow and data-dependent or dynamic shapes.

Each torch model writes its control flow once for both exporters: under
`torch.jit.script` (the legacy exporter, `ModelSpec.script`) a Python `if` or
`while` becomes ONNX If or Loop; under torch.export (the dynamo exporter) the same
branches and loop body go through `torch.cond` and `while_loop`. Non-maximum
suppression is a custom operator, `zoo::nms`, with a torch reference and an ONNX
translation for each exporter to NonMaxSuppression. Sizes are reduced as each
description says.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn
from torch._higher_order_ops.while_loop import while_loop
from torch.onnx import symbolic_helper

from tests.models.zoo import ConvBNAct, ModelSpec
from tests.models.zoo_perf import TransformerBlock

# --------------------------------------------------------------------------- nms


@torch.library.custom_op("zoo::nms", mutates_args=())
def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Indices of the boxes (x1, y1, x2, y2) greedy NMS keeps, best score first.

    A box is dropped when its IoU with a kept, better-scoring box exceeds
    `iou_threshold`, as in ONNX NonMaxSuppression and torchvision's `nms`.
    """
    x1, y1, x2, y2 = boxes.unbind(1)
    area = (x2 - x1) * (y2 - y1)
    suppressed = torch.zeros(len(scores), dtype=torch.bool)
    keep: list[int] = []
    for i in scores.argsort(descending=True).tolist():
        if suppressed[i]:
            continue
        keep.append(i)
        width = (torch.minimum(x2[i], x2) - torch.maximum(x1[i], x1)).clamp(min=0)
        height = (torch.minimum(y2[i], y2) - torch.maximum(y1[i], y1)).clamp(min=0)
        inter = width * height
        suppressed |= inter / (area[i] + area - inter) > iou_threshold
    return torch.tensor(keep, dtype=torch.int64)


@nms.register_fake
def _(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    kept = torch.library.get_ctx().new_dynamic_size()
    return boxes.new_empty((kept,), dtype=torch.int64)


# Any count of boxes: NonMaxSuppression's limit on selected boxes per class.
_NMS_LIMIT = 1 << 30


def _nms_symbolic(g: Any, boxes: Any, scores: Any, iou_threshold: Any) -> Any:
    """`zoo::nms` for the legacy exporter: NonMaxSuppression on one batch and class."""

    def const(value: Tensor) -> Any:
        return g.op("Constant", value_t=value)

    iou = symbolic_helper._maybe_get_const(iou_threshold, "f")
    selected = g.op(
        "NonMaxSuppression",
        g.op("Unsqueeze", boxes, const(torch.tensor([0]))),
        g.op("Unsqueeze", scores, const(torch.tensor([0, 1]))),
        const(torch.tensor([_NMS_LIMIT])),
        const(torch.tensor([iou], dtype=torch.float32)),
    )
    return g.op("Gather", selected, const(torch.tensor(2)), axis_i=1)


torch.onnx.register_custom_op_symbolic("zoo::nms", _nms_symbolic, 11)


def _nms_translation(boxes: Any, scores: Any, iou_threshold: float) -> Any:
    """`zoo::nms` for the dynamo exporter, the same graph in onnxscript."""
    from onnxscript import opset18 as op

    selected = op.NonMaxSuppression(
        op.Unsqueeze(boxes, [0]),
        op.Unsqueeze(scores, [0, 1]),
        op.Constant(value_ints=[_NMS_LIMIT]),
        op.Constant(value_floats=[iou_threshold]),
    )
    return op.Gather(selected, op.Constant(value_int=2), axis=1)


# --------------------------------------------------------------------------- control flow


class DataIf(nn.Module):
    """`then(x)` when `pred` holds, else `otherwise(x)`, exported as ONNX If.

    Eager calls take a plain Python branch: `torch.cond` outside export would
    compile its branches first.
    """

    def __init__(self, then: nn.Module, otherwise: nn.Module) -> None:
        super().__init__()
        self.then = then
        self.otherwise = otherwise

    def _python_if(self, pred: Tensor, x: Tensor) -> Tensor:
        if bool(pred):
            return self.then(x)
        return self.otherwise(x)

    @torch.jit.unused
    def _unscripted(self, pred: Tensor, x: Tensor) -> Tensor:
        if torch.compiler.is_exporting():
            return torch.cond(pred, self.then, self.otherwise, (x,))
        return self._python_if(pred, x)

    def forward(self, pred: Tensor, x: Tensor) -> Tensor:
        if torch.jit.is_scripting():
            return self._python_if(pred, x)
        return self._unscripted(pred, x)


class Copy(nn.Module):
    """The input, copied (a branch may not return its operand itself)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.clone()


# --------------------------------------------------------------------------- ssd


def _anchors(sizes: tuple[int, ...], scales: tuple[float, ...]) -> Tensor:
    """SSD default boxes (cx, cy, w, h) in the heads' order (map, row, column, box):
    per cell of the square map of side `sizes[i]`, a square box of side `scales[i]`
    and one of aspect ratio 2."""
    per_map = []
    for size, scale in zip(sizes, scales, strict=True):
        centres = (torch.arange(size, dtype=torch.float32) + 0.5) / size
        cy, cx = torch.meshgrid(centres, centres, indexing="ij")
        shapes = ((scale, scale), (scale * math.sqrt(2), scale / math.sqrt(2)))
        cells = [
            torch.stack([cx, cy, torch.full_like(cx, w), torch.full_like(cx, h)], -1)
            for w, h in shapes
        ]
        per_map.append(torch.stack(cells, 2).reshape(-1, 4))
    return torch.cat(per_map)


class BatchedNMS(nn.Module):
    """torchvision's `batched_nms` coordinate trick on (box, score, label) rows:
    boxes of different labels are moved apart so that one NMS never mixes them."""

    def __init__(self, iou_threshold: float) -> None:
        super().__init__()
        self.iou_threshold = iou_threshold

    def forward(self, detections: Tensor) -> Tensor:
        boxes, scores, labels = detections[:, :4], detections[:, 4], detections[:, 5:]
        offset = boxes + labels * (boxes.max() + 1)
        return detections[torch.ops.zoo.nms(offset, scores, self.iou_threshold)]


class SSDHead(nn.Module):
    """SSD's 3x3 conv heads on one feature map: class logits and box offsets for
    two anchors per cell, one row per anchor."""

    def __init__(self, channels: int, classes: int) -> None:
        super().__init__()
        self.classes = classes
        self.cls = nn.Conv2d(channels, 2 * classes, 3, 1, 1)
        self.box = nn.Conv2d(channels, 2 * 4, 3, 1, 1)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        logits = self.cls(x).permute(0, 2, 3, 1).reshape(-1, self.classes)
        return logits, self.box(x).permute(0, 2, 3, 1).reshape(-1, 4)


class SSDDetector(nn.Module):
    """SSDLite-style detector with torchvision's post-processing.

    A depthwise-separable backbone gives two feature maps; 3x3 conv heads predict
    class logits and box offsets for two anchors per cell; offsets are decoded
    with the (10, 10, 5, 5) box coder and clipped to the image. Then, over all
    (anchor, class) pairs, scores above a threshold are kept (NonZero), the best up
    to `topk` of them (TopK with a computed k), and if anything was found (If) a
    class-aware NMS keeps at most `detections` of them. Returns boxes, scores and
    labels.
    """

    def __init__(
        self,
        classes: int = 4,
        score_threshold: float = 0.3,
        iou_threshold: float = 0.3,
        topk: int = 50,
        detections: int = 40,
    ) -> None:
        super().__init__()
        self.classes, self.topk, self.detections = classes, topk, detections
        self.score_threshold = score_threshold

        def separable(cin: int, cout: int, stride: int) -> nn.Sequential:
            return nn.Sequential(
                ConvBNAct(cin, cin, 3, stride, 1, cin, nn.ReLU6()),
                ConvBNAct(cin, cout, 1, act=nn.ReLU6()),
            )

        self.stage1 = nn.Sequential(
            ConvBNAct(3, 16, 3, 2, 1, act=nn.ReLU6()),
            separable(16, 32, 2),
            separable(32, 48, 2),
        )
        self.stage2 = separable(48, 64, 2)
        self.heads = nn.ModuleList(SSDHead(c, classes) for c in (48, 64))
        self.register_buffer("anchors", _anchors((8, 4), (0.3, 0.6)))
        self.select = DataIf(BatchedNMS(iou_threshold), Copy())

    def _decode(self, offsets: Tensor) -> Tensor:
        anchors = self.anchors
        centre = offsets[:, :2] / 10.0 * anchors[:, 2:] + anchors[:, :2]
        scale = torch.clamp(offsets[:, 2:] / 5.0, max=math.log(1000.0 / 16))
        size = torch.exp(scale) * anchors[:, 2:]
        return torch.cat([centre - size / 2, centre + size / 2], 1).clamp(0.0, 1.0)

    def forward(self, image: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        f1 = self.stage1(image)
        features = [f1, self.stage2(f1)]
        logits: list[Tensor] = []
        offsets: list[Tensor] = []
        for i, head in enumerate(self.heads):
            cls, box = head(features[i])
            logits.append(cls)
            offsets.append(box)
        boxes = self._decode(torch.cat(offsets))
        scores = torch.softmax(torch.cat(logits), -1)[:, 1:].flatten()
        keep = torch.nonzero(scores > self.score_threshold).squeeze(1)
        score, order = scores[keep].topk(min(self.topk, keep.size(0)))
        pair = keep[order]
        labels = (pair % (self.classes - 1) + 1).to(score.dtype)
        candidates = torch.cat(
            [boxes[pair // (self.classes - 1)], score[:, None], labels[:, None]], 1
        )
        kept = self.select((candidates[:, 4] > 0).any(), candidates)[: self.detections]
        return kept[:, :4], kept[:, 4], kept[:, 5].to(torch.int64)


# --------------------------------------------------------------------------- if / loop


class BranchOnData(nn.Module):
    """A conv stem, then one of two MLP heads chosen by the sign of the input's mean;
    both heads read the stem features from outside the branch."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            ConvBNAct(3, 16, 3, 2, 1, act=nn.ReLU()),
            ConvBNAct(16, 32, 3, 2, 1, act=nn.ReLU()),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.branch = DataIf(
            nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, classes)),
            nn.Sequential(nn.Linear(32, 64), nn.Tanh(), nn.Linear(64, classes)),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.branch(x.mean() > 0, self.stem(x))


class GreedyDecoder(nn.Module):
    """Encode a feature sequence into a state, then decode greedily: an Elman cell
    feeds back its argmax token until it emits the end token or `max_len` tokens.

    Returns the tokens, padded with the end token, and how many were decoded.
    """

    def __init__(
        self,
        steps: int = 8,
        features: int = 16,
        hidden: int = 32,
        vocab: int = 12,
        max_len: int = 10,
        bos: int = 1,
        eos: int = 0,
    ) -> None:
        super().__init__()
        self.max_len, self.bos, self.eos = max_len, bos, eos
        self.encode = nn.Linear(steps * features, hidden)
        self.embed = nn.Embedding(vocab, hidden)
        self.cell_input = nn.Linear(hidden, hidden)
        self.cell_state = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, vocab)

    def running(self, i: Tensor, token: Tensor, state: Tensor, tokens: Tensor) -> Tensor:
        """Whether to decode another token."""
        return (i < self.max_len) & (token != self.eos).all()

    def step(
        self, i: Tensor, token: Tensor, state: Tensor, tokens: Tensor
    ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Decode one token and write it at position `i`."""
        state = torch.tanh(self.cell_input(self.embed(token)) + self.cell_state(state))
        token = self.out(state).argmax(-1)
        position = torch.arange(self.max_len, dtype=torch.int64) == i
        return i + 1, token, state, torch.where(position, token, tokens)

    def _python_while(
        self, i: Tensor, token: Tensor, state: Tensor, tokens: Tensor
    ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        while bool(self.running(i, token, state, tokens)):
            i, token, state, tokens = self.step(i, token, state, tokens)
        return i, token, state, tokens

    @torch.jit.unused
    def _unscripted(
        self, i: Tensor, token: Tensor, state: Tensor, tokens: Tensor
    ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        if torch.compiler.is_exporting():
            return while_loop(self.running, self.step, (i, token, state, tokens))
        return self._python_while(i, token, state, tokens)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        i = torch.zeros((), dtype=torch.int64)
        token = torch.full((1,), self.bos, dtype=torch.int64)
        state = torch.tanh(self.encode(x.flatten(1)))
        tokens = torch.full((self.max_len,), self.eos, dtype=torch.int64)
        if torch.jit.is_scripting():
            i, token, state, tokens = self._python_while(i, token, state, tokens)
        else:
            i, token, state, tokens = self._unscripted(i, token, state, tokens)
        return tokens, i


# --------------------------------------------------------------------------- dynamic


class SequenceEncoder(nn.Module):
    """Per-token linear input, learned positions sliced to the sequence length, two
    pre-norm encoder blocks and a final LayerNorm, for any sequence length up to
    `max_len`."""

    def __init__(
        self, features: int = 32, dim: int = 32, heads: int = 4, max_len: int = 64
    ) -> None:
        super().__init__()
        self.input = nn.Linear(features, dim)
        self.position = nn.Parameter(torch.randn(1, max_len, dim) * 0.1)
        self.blocks = nn.Sequential(
            *(TransformerBlock(dim, heads, 2 * dim) for _ in range(2))
        )
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: Tensor) -> Tensor:
        x = self.input(x) + self.position[:, : x.shape[1]]
        return self.norm(self.blocks(x))


# --------------------------------------------------------------------------- registry

ZOO: dict[str, ModelSpec] = {
    "ssd_detector": ModelSpec(
        SSDDetector,
        [(1, 3, 64, 64)],
        "SSDLite-style detector: depthwise backbone, conv heads on 8x8 and 4x4 maps, "
        "box decoding, NonZero over the scores, TopK with computed k, If on anything "
        "found, class-aware NonMaxSuppression; 4 classes, a stem and 3 separable "
        "blocks of width <= 64, 64x64 (torchvision SSDLite: MobileNetV3, 91 "
        "classes, 320x320)",
        output_names=("boxes", "scores", "labels"),
        script=True,
        translations={torch.ops.zoo.nms.default: _nms_translation},
    ),
    "branch_on_data": ModelSpec(
        BranchOnData,
        [(1, 3, 32, 32)],
        "If on the sign of the input's mean choosing between two MLP heads that read "
        "outer-scope conv features; 32x32",
        script=True,
    ),
    "greedy_decoder": ModelSpec(
        GreedyDecoder,
        [(1, 8, 16)],
        "greedy decoding as a Loop whose condition is data-dependent (end token or 10 "
        "steps): Elman cell, embedding, argmax feedback; hidden 32, vocabulary 12",
        output_names=("tokens", "length"),
        script=True,
    ),
    "dynamic_sequence": ModelSpec(
        SequenceEncoder,
        [(1, 24, 32)],
        "two pre-norm encoder blocks (width 32, 4 heads) exported with a dynamic "
        "sequence axis (24 at export, up to 64)",
        dynamic_axes={"input_0": {1: "sequence"}, "output": {1: "sequence"}},
    ),
}
