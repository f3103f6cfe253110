"""Convolutions: one row per op, and the oneDNN fast path of 2-D float32 convolutions.

    %y = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>

The plain kernels are `F.convNd` and `F.conv_transposeNd`. A 2-D float32 Conv with
symmetric pads can also be computed by the `conv2d` helper (`conv2d_call`), with
the activation that alone reads it applied inside the same oneDNN call, and with
its weight reordered for oneDNN once, at load (`prepack_conv2d_call`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ramiel.codegen.escape import literal
from ramiel.costmodel import conv_transpose_work, conv_work
from ramiel.dialects.dfg.activation import clip_bounds
from ramiel.dialects.dfg.base import (
    WINDOW_CHECKS,
    DfgOp,
    Shapes,
    at_least,
    expect,
    int_attribute,
    onnx_op,
    shape_text,
)
from ramiel.kernels import (
    KernelCall,
    KernelWriter,
    auto_pads,
    float_literal,
    index_expr,
    keyword_args,
    slice_text,
    spatial_keywords,
    tuple_literal,
)
from ramiel.opview import OpView

_CONV_CHECKS = {**WINDOW_CHECKS, "group": at_least(1)}


def _conv_rank(n: KernelWriter) -> int:
    """The number of spatial axes of a convolution (1 to 3)."""
    rank = len(n.shape(1)) - 2
    if not 1 <= rank <= 3:
        raise n.fail(f"{rank}-D convolution is not supported")
    return rank


def _conv(n: KernelWriter) -> str:
    """Conv: `F.convNd`, asymmetric pads applied by `F.pad` first."""
    from ramiel.runtime_helpers.indexing import torch_pad_arg

    rank = _conv_rank(n)
    kernel = n.shape(1)[2:]
    strides = n.int_list("strides", [1] * rank)
    dilations = n.int_list("dilations", [1] * rank)
    begins, ends = auto_pads(n, n.shape(0)[2:], kernel, strides, dilations)
    x = n.arg(0)
    if begins != ends:
        x = f"F.pad({x}, {tuple_literal(torch_pad_arg(list(zip(begins, ends, strict=True))))})"
        begins = [0] * rank
    args = [x, n.arg(1)] + ([n.arg(2)] if n.has(2) else [])
    keywords = spatial_keywords(strides, begins, dilations)
    if n.attr("group") != 1:
        keywords["groups"] = str(n.attr("group"))
    return f"F.conv{rank}d({', '.join(args)}{keyword_args(**keywords)})"


@onnx_op("Conv", kernel=_conv, fresh=True, work=conv_work, attribute_values=_CONV_CHECKS)
class ConvOp(DfgOp):
    """ONNX `Conv` in 1 to 3 spatial dimensions, grouped or not.

        %y = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, w, *rest = shapes
        assert x is not None
        assert w is not None
        group = int_attribute(self, "group", 1)
        expect(x[1] == w[1] * group, f"input has {x[1]} channels, but the weight expects {w[1]} x {group} (group)")
        expect(w[0] % group == 0, f"{w[0]} output channels do not split into {group} groups")
        bias = rest[0] if rest else None
        expect(bias is None or bias == (w[0],), f"bias has shape {shape_text(bias)}, not {w[0]}")


def _conv_transpose(n: KernelWriter) -> str:
    """ConvTranspose: `F.conv_transposeNd`, with a slice for pads torch cannot express."""
    rank = _conv_rank(n)
    kernel = n.shape(1)[2:]
    strides = n.int_list("strides", [1] * rank)
    dilations = n.int_list("dilations", [1] * rank)
    adjustments = n.int_list("output_padding", [0] * rank)
    out_sizes = n.out_shape[2:]
    # Length of the unpadded output, output_padding included, along each spatial axis.
    full = [
        (size - 1) * stride + (k - 1) * dilation + 1 + adjustment
        for size, stride, k, dilation, adjustment in zip(
            n.shape(0)[2:], strides, kernel, dilations, adjustments, strict=True
        )
    ]
    auto_pad = n.attr("auto_pad")
    if n.int_list("output_shape", []) or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        begins, ends = [], []
        for length, size in zip(full, out_sizes, strict=True):
            # A longer output than the full one extends the tail: a negative end pad.
            total = length - size
            head = max(0, total // 2 if auto_pad == "SAME_UPPER" else total - total // 2)
            begins.append(head)
            ends.append(total - head)
    else:
        begins, ends = auto_pads(n, n.shape(0)[2:], kernel, strides, dilations)
    padding, output_padding, crops = [], [], []
    for begin, end, adjustment, stride, dilation, length, size in zip(
        begins, ends, adjustments, strides, dilations, full, out_sizes, strict=True
    ):
        if begin < 0 or length - begin - end != size:
            raise n.fail("pads do not match the output shape")
        # torch crops `padding` at both ends and extends the tail by `output_padding`.
        if 0 <= adjustment + begin - end < max(stride, dilation):
            padding.append(begin)
            output_padding.append(adjustment + begin - end)
            crops.append(":")
        elif end >= 0 and adjustment < max(stride, dilation):
            padding.append(min(begin, end))
            output_padding.append(adjustment)
            cropped = size + begin + end - 2 * min(begin, end)
            crops.append(slice_text(begin - padding[-1], cropped - (end - padding[-1]), 1, cropped))
        else:
            raise n.fail("the output extends past what torch's output_padding (below stride or dilation) reaches")
    args = [n.arg(0), n.arg(1)] + ([n.arg(2)] if n.has(2) else [])
    keywords = spatial_keywords(strides, padding)
    if any(output_padding):
        keywords["output_padding"] = tuple_literal(output_padding)
    if n.attr("group") != 1:
        keywords["groups"] = str(n.attr("group"))
    keywords |= spatial_keywords(dilations=dilations)
    return index_expr(f"F.conv_transpose{rank}d({', '.join(args)}{keyword_args(**keywords)})", [":", ":", *crops])


@onnx_op("ConvTranspose", kernel=_conv_transpose, fresh=True, work=conv_transpose_work, attribute_values=_CONV_CHECKS)
class ConvTransposeOp(DfgOp):
    """ONNX `ConvTranspose` in 1 to 3 spatial dimensions.

        %y = dfg.conv_transpose %x, %w {strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x2x2x2xf32>) -> tensor<1x2x16x16xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, w, *rest = shapes
        assert x is not None
        assert w is not None
        group = int_attribute(self, "group", 1)
        expect(x[1] == w[0], f"input has {x[1]} channels, but the weight expects {w[0]}")
        bias = rest[0] if rest else None
        channels = w[1] * group
        expect(bias is None or bias == (channels,), f"bias has shape {shape_text(bias)}, not {channels}")


# The oneDNN fast path.


@dataclass(frozen=True)
class Activation:
    """An activation oneDNN applies inside a convolution: its post-op name and scalars."""

    name: str
    scalars: tuple[float, ...] = ()


def fusable_activation(node: OpView) -> Activation | None:
    """The convolution post-op computing `node` on the convolution's output, or None when there is none.

    Only activations that round nothing (Relu, Clip) are fused, so a fused
    convolution gives the same bits as the two ops apart, as they run when the
    schedule puts them on different streams.
    """
    if node.op_type == "Relu":
        return Activation("relu")
    if node.op_type == "Clip" and (bounds := clip_bounds(KernelWriter(node))) is not None:
        return Activation("hardtanh", bounds)
    return None


def _conv2d_parameters(n: KernelWriter) -> tuple[list[int], list[int], list[int], int] | None:
    """Padding, stride, dilation and groups of a 2-D float32 Conv with symmetric pads, else None."""
    if n.node.op_type != "Conv" or len(n.shape(1)) != 4 or n.dtype(0) != "float32" or n.dtype(1) != "float32":
        return None
    strides = n.int_list("strides", [1, 1])
    dilations = n.int_list("dilations", [1, 1])
    begins, ends = auto_pads(n, n.shape(0)[2:], n.shape(1)[2:], strides, dilations)
    if begins != ends:
        return None
    return begins, strides, dilations, n.int_attr("group")


def conv2d_call(conv: OpView, activation: OpView | None = None) -> KernelCall | None:
    """The `conv2d` helper call computing a 2-D float32 Conv and then `activation` on its result.

    None when the Conv is not one `conv2d` computes (other ranks or types,
    asymmetric pads) or the activation is not fusable; the plain kernels apply then.
    """
    n = KernelWriter(conv)
    parameters = _conv2d_parameters(n)
    fused = None if activation is None else fusable_activation(activation)
    if parameters is None or (activation is not None and fused is None):
        return None
    padding, strides, dilations, groups = parameters
    args = [n.arg(0), n.arg(1), n.arg(2) if n.has(2) else "None"]
    keywords = spatial_keywords(strides, padding, dilations)
    if groups != 1:
        keywords["groups"] = str(groups)
    if fused is not None:
        keywords["activation"] = literal(fused.name)
        if fused.scalars:
            keywords["scalars"] = tuple_literal(float_literal(value) for value in fused.scalars)
    n.helpers.add("conv2d")
    return KernelCall(f"conv2d({', '.join(args)}{keyword_args(**keywords)})", frozenset(n.helpers), frozenset(n.used))


def prepack_conv2d_call(conv: OpView) -> KernelCall | None:
    """The load-time call preparing the weight (input 1) of a Conv that `conv2d_call` computes, else None."""
    n = KernelWriter(conv)
    parameters = _conv2d_parameters(n)
    if parameters is None:
        return None
    padding, strides, dilations, groups = parameters
    args = [n.arg(1), tuple_literal(strides), tuple_literal(padding), tuple_literal(dilations), str(groups), tuple_literal(n.shape(0))]
    return KernelCall(n.call("prepack_conv2d", *args), frozenset(n.helpers), frozenset(n.used))
