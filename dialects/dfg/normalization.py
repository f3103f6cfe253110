"""Normalisation: one row per op.

    %y = dfg.batch_normalization %x, %scale, %bias, %mean, %var : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    %n = dfg.layer_normalization %x, %scale, %bias : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>

`fold-batchnorm` folds an inference BatchNormalization into the weights of the
op before it where it can. Statistics are computed in the stash type
(`stash_type`, float32) where ONNX asks for it; torch's half-precision
normalisations already accumulate in float32.
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
from ramiel.onnx_types import UNKNOWN

_EPSILON_CHECK = {"epsilon": at_least(0.0)}
"""The variance's guard is no negative number (torch refuses one)."""

_STASH_CHECK = {
    **_EPSILON_CHECK,
    "stash_type": lambda value: None if value == 1 else f"must be 1 (float), not {value!r}",
}
"""The stash types supported, float (the default), and the epsilon check."""


def _batch_norm(n: KernelWriter) -> str:
    """BatchNormalization: from the running statistics, or in training mode the `batch_norm_training` helper."""
    x, scale, bias, mean, var = n.args()
    eps = n.float_text("epsilon")
    if not n.attr("training_mode"):
        n.single_output()
        return f"F.batch_norm({x}, {mean}, {var}, {scale}, {bias}, eps={eps})"
    # ONNX requires all three outputs in training mode.
    return n.call("batch_norm_training", x, scale, bias, mean, var, n.float_text("momentum"), eps)


@onnx_op("BatchNormalization", kernel=_batch_norm, fresh=True, attribute_values=_EPSILON_CHECK)
class BatchNormalizationOp(DfgOp):
    """ONNX `BatchNormalization`: from the running statistics, or in training mode from the batch's, updating the running ones.

        %y = dfg.batch_normalization %x, %scale, %bias, %mean, %var : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
        %t, %m, %v = dfg.batch_normalization %x, %scale, %bias, %mean, %var {training_mode = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
    """


def _instance_norm(n: KernelWriter) -> str:
    """InstanceNormalization with per-channel scale and bias: a group norm with a group per channel.

    `torch.group_norm` is the aten op: `F.instance_norm` and `F.group_norm` refuse a
    single spatial element, where ONNX gives the bias.
    """
    x, scale, bias = n.args()
    channels = n.shape(0)[1]
    return f"torch.group_norm({x}, {channels}, {scale}, {bias}, {n.float_text('epsilon')})"


@onnx_op("InstanceNormalization", kernel=_instance_norm, attribute_values=_EPSILON_CHECK)
class InstanceNormalizationOp(DfgOp):
    """ONNX `InstanceNormalization` with per-channel scale and bias, of every float type.

        %y = dfg.instance_normalization %x, %scale, %bias : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, scale, bias = shapes
        assert x is not None
        for name, shape in (("scale", scale), ("bias", bias)):
            expect(shape == (x[1],), f"{name} has shape {shape_text(shape)}, not {x[1]}")


def _layer_norm(n: KernelWriter) -> str:
    """LayerNormalization over the axes from `axis` on: `F.layer_norm`, or with Mean and InvStdDev `torch.native_layer_norm`.

    A scale or bias that only broadcasts to the normalised shape is expanded to it.
    """
    x, normalized, eps = n.arg(0), tuple_literal(_normalized_shape(n)), n.float_text("epsilon")
    affine = [_affine(n, index) for index in (1, 2) if n.has(index)]
    count = len(n.node.output_types)
    if count > 1:
        weights = [*affine, "None"][:2]
        if n.node.output_types[1][1] != n.dtype(0):
            call = n.call("layer_norm_in_float", x, normalized, *weights, eps)
        else:
            call = f"torch.native_layer_norm({x}, {normalized}, {', '.join(weights)}, {eps})"
        return call if count == 3 else f"{call}[:{count}]"
    return f"F.layer_norm({x}, {normalized}, {', '.join(affine)}, eps={eps})"


def _normalized_shape(n: KernelWriter) -> tuple[int, ...]:
    """The shape of the axes from `axis` on (the others may be sizes that the values decide)."""
    dims = n.dims(0)
    normalized = dims[n.int_attr("axis") % len(dims) :] if dims else ()
    if UNKNOWN in normalized:
        raise n.fail("the normalised axes have sizes that only the values decide")
    return normalized


def _affine(n: KernelWriter, index: int) -> str:
    """A scale or bias input as a tensor of the normalised shape (its leading unit axes dropped, then expanded)."""
    normalized, shape, expr = _normalized_shape(n), n.shape(index), n.arg(index)
    extra = max(len(shape) - len(normalized), 0)
    if extra:
        expr = f"{expr}.reshape({tuple_literal(shape[extra:])})"
    return expr if shape[extra:] == normalized else f"{expr}.expand({tuple_literal(normalized)})"


@onnx_op("LayerNormalization", kernel=_layer_norm, fresh=True, attribute_values=_STASH_CHECK)
class LayerNormalizationOp(DfgOp):
    """ONNX `LayerNormalization` over the axes from `axis` on, with its Mean and InvStdDev (float32) if asked for.

        %y = dfg.layer_normalization %x, %scale, %bias : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
        %z, %mean, %inv = dfg.layer_normalization %x, %scale : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        _verify_affine(self, shapes)


def _verify_affine(op: DfgOp, shapes: Shapes) -> None:
    """Each scale or bias input broadcasts to the shape of the axes from `axis` on."""
    x, *affine = shapes
    assert x is not None
    axis = int_attribute(op, "axis", -1)
    normalised = x[axis % len(x) :] if x else ()
    for name, shape in zip(("scale", "bias"), affine, strict=False):
        expect(
            shape is None or broadcasts_to(shape, normalised),
            f"{name} of shape {shape_text(shape)} does not broadcast to the normalised shape {shape_text(normalised)}",
        )


def _rms_norm(n: KernelWriter) -> str:
    """RMSNormalization over the axes from `axis` on: `F.rms_norm`."""
    return f"F.rms_norm({n.arg(0)}, {tuple_literal(_normalized_shape(n))}, {_affine(n, 1)}, {n.float_text('epsilon')})"


@onnx_op("RMSNormalization", kernel=_rms_norm, fresh=True, attribute_values=_STASH_CHECK)
class RMSNormalizationOp(DfgOp):
    """ONNX `RMSNormalization`: x / sqrt(mean(x^2) + epsilon) * scale over the axes from `axis` on.

        %y = dfg.rmsnormalization %x, %scale : (tensor<1x16x64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        _verify_affine(self, shapes)


def _group_norm(n: KernelWriter) -> str:
    """GroupNormalization: `torch.group_norm`, a per-group scale and bias (opset 18) repeated over each group's channels."""
    x, scale, bias = n.args()
    groups, channels = n.int_attr("num_groups"), n.shape(0)[1]
    if n.shape(1) != (channels,):
        scale, bias = (f"{value}.repeat_interleave({channels // groups})" for value in (scale, bias))
    return f"torch.group_norm({x}, {groups}, {scale}, {bias}, {n.float_text('epsilon')})"


@onnx_op("GroupNormalization", kernel=_group_norm, fresh=True, attribute_values=_STASH_CHECK)
class GroupNormalizationOp(DfgOp):
    """ONNX `GroupNormalization` with a scale and bias per channel (opset 21) or per group (opset 18).

        %y = dfg.group_normalization %x, %scale, %bias {num_groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, scale, bias = shapes
        assert x is not None
        groups = int_attribute(self, "num_groups", 1)
        channels = x[1] if len(x) >= 2 else 0
        expect(channels > 0 and groups > 0 and channels % groups == 0, f"{groups} groups do not split the channels of {shape_text(x)}")
        for name, shape in (("scale", scale), ("bias", bias)):
            expect(shape in ((channels,), (groups,)), f"{name} has shape {shape_text(shape)}, not {channels} or {groups}")


def _mean_variance_norm(n: KernelWriter) -> str:
    """MeanVarianceNormalization: the `mean_variance_normalization` helper."""
    rank = n.rank(0)
    axes = sorted({axis % rank for axis in n.int_list("axes", [0, 2, 3])})
    return n.call("mean_variance_normalization", n.arg(0), tuple_literal(axes))


@onnx_op("MeanVarianceNormalization", kernel=_mean_variance_norm, fresh=True)
class MeanVarianceNormalizationOp(DfgOp):
    """ONNX `MeanVarianceNormalization`: (x - mean) / (std + 1e-9) over `axes` (default 0, 2, 3).

        %y = dfg.mean_variance_normalization %x : (tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
    """


def _lp_norm(n: KernelWriter) -> str:
    """LpNormalization: the `lp_normalize` helper."""
    return n.call("lp_normalize", n.arg(0), str(n.int_attr("p")), str(n.int_attr("axis")))


@onnx_op(
    "LpNormalization",
    kernel=_lp_norm,
    fresh=True,
    attribute_values={"p": lambda value: None if value in (1, 2) else f"must be 1 or 2, not {value!r}"},
)
class LpNormalizationOp(DfgOp):
    """ONNX `LpNormalization`: x divided by its L1 or L2 norm along `axis` (zero where the norm is zero).

        %y = dfg.lp_normalization %x {p = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
    """


def _lrn(n: KernelWriter) -> str:
    """LRN across channels: the `onnx_lrn` helper, which is faster than `F.local_response_norm` and takes even sizes."""
    alpha, beta, bias = (n.float_text(name) for name in ("alpha", "beta", "bias"))
    return n.call("onnx_lrn", n.arg(0), str(n.int_attr("size")), alpha, beta, bias)


@onnx_op("LRN", kernel=_lrn, fresh=True, work=lrn_work, attribute_values={"size": at_least(1)})
class LRNOp(DfgOp):
    """ONNX `LRN` across channels, the window spanning floor((size-1)/2) channels before and ceil((size-1)/2) after.

        %y = dfg.lrn %x {size = 5 : i64} : (tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32>
    """
