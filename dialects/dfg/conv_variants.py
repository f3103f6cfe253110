"""Convolutions beyond `Conv`: deformable, and causal with a carried state. One row per op.

    %y = dfg.deform_conv %x, %w, %offset : (tensor<1x2x5x5xf32>, tensor<3x2x2x2xf32>, tensor<1x8x4x4xf32>) -> tensor<1x3x4x4xf32>
    %o, %s = dfg.causal_conv_with_state %x, %w : (tensor<1x4x6xf32>, tensor<4x1x3xf32>) -> (tensor<1x4x6xf32>, tensor<1x4x2xf32>)

Both are runtime helpers: DeformConv samples its input bilinearly at the shifted
kernel taps and contracts the samples with the weights; CausalConvWithState is a
depthwise `F.conv1d` over the past state followed by the input.
"""

from __future__ import annotations

import math

from ramiel.costmodel import OpWork, conv_work, elementwise_work
from ramiel.dialects.dfg.attention import optional_args
from ramiel.dialects.dfg.base import (
    WINDOW_CHECKS,
    DfgOp,
    Shapes,
    at_least,
    expect,
    int_attribute,
    one_of,
    onnx_op,
    shape_text,
)
from ramiel.kernels import KernelWriter, tuple_literal
from ramiel.onnx_types import static_shape
from ramiel.opview import OpView


def _deform_conv(n: KernelWriter) -> str:
    """DeformConv: the `deform_conv` helper (the output's spatial shape is the offset's)."""
    rank = n.rank(1) - 2
    keywords = {
        "strides": tuple_literal(n.int_list("strides", [1] * rank)),
        "pads": tuple_literal(n.int_list("pads", [0] * 2 * rank)),
        "dilations": tuple_literal(n.int_list("dilations", [1] * rank)),
        "group": str(n.int_attr("group")),
        "offset_group": str(n.int_attr("offset_group")),
    }
    return n.call("deform_conv", *optional_args(n), **keywords)


def _deform_conv_work(op: OpView) -> OpWork:
    """A convolution's FLOPs, plus about 4 per sample and corner of the bilinear sampling (2^rank corners)."""
    work = conv_work(op)
    x, w = op.input_shapes[0], op.input_shapes[1]
    if x is None or w is None or not op.output_shapes:
        return work
    y = op.output_shapes[0]
    samples = y[0] * x[1] * math.prod(w[2:]) * math.prod(y[2:])
    return OpWork(work.flops + 4.0 * samples * 2 ** (len(w) - 2), work.nbytes, work.kind)


@onnx_op(
    "DeformConv",
    kernel=_deform_conv,
    fresh=True,
    work=_deform_conv_work,
    attribute_values={**WINDOW_CHECKS, "group": at_least(1), "offset_group": at_least(1)},
)
class DeformConvOp(DfgOp):
    """ONNX `DeformConv` in any number of spatial dimensions: each kernel tap read at its own offset, bilinearly, optionally masked.

        %y = dfg.deform_conv %x, %w, %offset, %b, %mask {offset_group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<3x4x2x2xf32>, tensor<1x16x4x4xf32>, tensor<3xf32>, tensor<1x8x4x4xf32>) -> tensor<1x3x4x4xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, w, offset, bias, mask = (*shapes, None, None)[:5]
        assert x is not None
        assert w is not None
        assert offset is not None
        group, offset_group = int_attribute(self, "group", 1), int_attribute(self, "offset_group", 1)
        expect(
            len(w) == len(x) >= 3 and x[1] == w[1] * group and w[0] % group == 0,
            f"weight of shape {shape_text(w)} does not convolve input of shape {shape_text(x)} in {group} groups",
        )
        expect(x[1] % offset_group == 0, f"{offset_group} offset groups do not split the {x[1]} input channels")
        y = static_shape(self.results[0].type)
        taps, rank = math.prod(w[2:]), len(w) - 2
        for name, shape, per_tap in (("offset", offset, rank), ("mask", mask, 1)):
            wanted = (x[0], offset_group * taps * per_tap, *y[2:])
            expect(shape is None or shape == wanted, f"{name} has shape {shape_text(shape)}, not {shape_text(wanted)}")
        expect(bias is None or bias == (w[0],), f"bias has shape {shape_text(bias)}, not {w[0]}")


def _causal_conv_with_state(n: KernelWriter) -> str:
    """CausalConvWithState: the `causal_conv_with_state` helper."""
    keywords = {"silu": "True"} if n.attr("activation") != "none" else {}
    return n.call("causal_conv_with_state", *optional_args(n), **keywords)


def _causal_conv_work(op: OpView) -> OpWork:
    """Two FLOPs per output element and kernel tap (depthwise)."""
    w = op.input_shapes[1]
    work = elementwise_work(op)
    if w is None or not op.output_shapes:
        return work
    return OpWork(2.0 * math.prod(op.output_shapes[0]) * w[-1], work.nbytes, "vector")


@onnx_op(
    "CausalConvWithState",
    kernel=_causal_conv_with_state,
    fresh=True,
    work=_causal_conv_work,
    attribute_values={"activation": one_of("none", "silu", "swish")},
)
class CausalConvWithStateOp(DfgOp):
    """ONNX `CausalConvWithState`: a depthwise causal 1-D convolution over (batch, channels, length), optionally SiLU-activated.

    The past state (zeros when absent) holds the kernel size - 1 positions before
    the input; the present state holds the last kernel size - 1 positions of the
    two. ONNX's shape inference checks every shape.

        %o, %s = dfg.causal_conv_with_state %x, %w, %b, %past {activation = "silu"} : (tensor<1x4x6xf32>, tensor<4x1x3xf32>, tensor<4xf32>, tensor<1x4x2xf32>) -> (tensor<1x4x6xf32>, tensor<1x4x2xf32>)
    """
