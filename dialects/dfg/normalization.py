"""Normalisation: one row per op.

    %y = dfg.batch_normalization %x, %scale, %bias, %mean, %var : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>

Inference forms only; `fold-batchnorm` folds BatchNormalization into the weights
of the op before it where it can.
"""

from __future__ import annotations

from ramiel.costmodel import lrn_work
from ramiel.dialects.dfg.base import (
    DfgOp,
    Shapes,
    at_least,
    broadcasts_to,
    expect,
    int_attribute,
    onnx_op,
    shape_text,
)
from ramiel.kernels import KernelWriter, tuple_literal


def _batch_norm(n: KernelWriter) -> str:
    """BatchNormalization in inference mode, from the running statistics."""
    n.single_output()
    if n.attr("training_mode"):
        raise n.fail("training mode is not supported")
    x, scale, bias, mean, var = n.args()
    return f"F.batch_norm({x}, {mean}, {var}, {scale}, {bias}, eps={n.float_text('epsilon')})"


@onnx_op("BatchNormalization", kernel=_batch_norm, fresh=True)
class BatchNormalizationOp(DfgOp):
    """ONNX `BatchNormalization` in inference mode, from the running statistics.

        %y = dfg.batch_normalization %x, %scale, %bias, %mean, %var : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    """


def _instance_norm(n: KernelWriter) -> str:
    """InstanceNormalization with per-channel scale and bias: a group norm with a group per channel.

    `torch.group_norm` is the aten op: `F.instance_norm` and `F.group_norm` refuse a
    single spatial element, where ONNX gives the bias.
    """
    x, scale, bias = n.args()
    channels = n.shape(0)[1]
    return f"torch.group_norm({x}, {channels}, {scale}, {bias}, {n.float_text('epsilon')})"


@onnx_op("InstanceNormalization", kernel=_instance_norm)
class InstanceNormalizationOp(DfgOp):
    """ONNX `InstanceNormalization` with per-channel scale and bias.

        %y = dfg.instance_normalization %x, %scale, %bias : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, scale, bias = shapes
        assert x is not None
        for name, shape in (("scale", scale), ("bias", bias)):
            expect(shape == (x[1],), f"{name} has shape {shape_text(shape)}, not {x[1]}")


def _layer_norm(n: KernelWriter) -> str:
    """LayerNormalization over the axes from `axis` on; only the normalized output."""
    n.single_output()
    shape = n.shape(0)
    normalized = shape[n.int_attr("axis") % len(shape) :]
    eps = n.float_text("epsilon")
    x, scale = n.arg(0), n.arg(1)
    bias = n.arg(2) if n.has(2) else None
    if n.shape(1) == normalized and (bias is None or n.shape(2) == normalized):
        affine = [scale] if bias is None else [scale, bias]
        return f"F.layer_norm({x}, {tuple_literal(normalized)}, {', '.join(affine)}, eps={eps})"
    expr = f"F.layer_norm({x}, {tuple_literal(normalized)}, eps={eps}) * {scale}"
    return expr if bias is None else f"{expr} + {bias}"


@onnx_op("LayerNormalization", kernel=_layer_norm, fresh=True)
class LayerNormalizationOp(DfgOp):
    """ONNX `LayerNormalization` over the axes from `axis` on (its normalised output).

        %y = dfg.layer_normalization %x, %scale, %bias : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, scale, *rest = shapes
        assert x is not None
        assert scale is not None
        axis = int_attribute(self, "axis", -1)
        normalised = x[axis % len(x) :] if x else ()
        for name, shape in (("scale", scale), ("bias", rest[0] if rest else None)):
            expect(
                shape is None or broadcasts_to(shape, normalised),
                f"{name} of shape {shape_text(shape)} does not broadcast to the normalised shape {shape_text(normalised)}",
            )


def _lrn(n: KernelWriter) -> str:
    """LRN across channels: the `onnx_lrn` helper, which is faster than `F.local_response_norm` and takes even sizes."""
    alpha, beta, bias = (n.float_text(name) for name in ("alpha", "beta", "bias"))
    return n.call("onnx_lrn", n.arg(0), str(n.int_attr("size")), alpha, beta, bias)


@onnx_op("LRN", kernel=_lrn, fresh=True, work=lrn_work, attribute_values={"size": at_least(1)})
class LRNOp(DfgOp):
    """ONNX `LRN` across channels, the window spanning floor((size-1)/2) channels before and ceil((size-1)/2) after.

        %y = dfg.lrn %x {size = 5 : i64} : (tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32>
    """
