"""Per-channel affine ops fold into the weights of the op that produces their input.

An inference BatchNormalization computes `y = x * s + t` per channel, with
`s = scale / sqrt(var + epsilon)` and `t = bias - mean * s`; a Mul or Add by a
constant that varies only along the channel axis is the same with `t = 0` or
`s = 1`. When `x` comes from an op that is linear per output channel and whose
weights are constants, the affine map folds into those weights:

    %c = dfg.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
    %y = dfg.batch_normalization %c, %scale, %bias, %mean, %var : (...) -> tensor<1x4x6x6xf32>

becomes

    %w = dfg.constant ...   // w * s, per output channel
    %b = dfg.constant ...   // b * s + t
    %y = dfg.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>

Producers: Conv (channel axis 1; a missing bias is added), Gemm (axis 1; `C` is
rescaled and `beta` becomes 1), MatMul by a constant matrix (the last axis; a
non-zero shift turns a 2-D MatMul into a Gemm) and BatchNormalization itself (its
scale and bias absorb the map). The fold needs the producer's result to have no
other user, and happens in float64, rounded once to the weights' type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, cast

import numpy as np
from xdsl.dialects.builtin import FloatAttr, TensorType, f32
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import (
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ramiel.dialects.dfg.base import DfgOp
from ramiel.dialects.dfg.constant import (
    ConstantOp,
    constant_array,
    is_splat,
    materialize,
    splat,
)
from ramiel.dialects.dfg.conv import ConvOp
from ramiel.dialects.dfg.elementwise import AddOp, MulOp
from ramiel.dialects.dfg.linalg import GemmOp, MatMulOp
from ramiel.dialects.dfg.normalization import BatchNormalizationOp
from ramiel.onnx_types import UNKNOWN, numpy_dtype, static_shape


class _Affine(NamedTuple):
    """`y = x * scale + shift` along one axis, in float64."""

    scale: np.ndarray
    shift: np.ndarray
    shift_source: SSAValue
    """The value whose name a newly added bias takes."""


def _is_inference_batchnorm(op: DfgOp) -> bool:
    return (
        op.python_attributes().get("training_mode", 0) == 0
        and not any(r.uses for r in op.results[1:])
    )


def _batchnorm_affine(op: DfgOp, value: SSAValue, axis: int) -> _Affine | None:
    x, scale, bias, mean, var = op.input_values()
    if x is not value or axis != 1 or not _is_inference_batchnorm(op):
        return None
    arrays = [constant_array(v) for v in (scale, bias, mean, var)]
    if any(a is None for a in arrays):
        return None
    scale_a, bias_a, mean_a, var_a = (cast(np.ndarray, a).astype(np.float64) for a in arrays)
    epsilon = cast(float, op.python_attributes()["epsilon"])
    s = scale_a / np.sqrt(var_a + epsilon)
    return _Affine(s, bias_a - mean_a * s, cast(SSAValue, bias))


def _per_channel(c: np.ndarray, rank: int, axis: int, channels: int) -> np.ndarray | None:
    """`c` as one float64 value per channel, when it broadcasts along `axis` only."""
    if c.ndim > rank:
        return None
    shape = (1,) * (rank - c.ndim) + c.shape
    if any(d != 1 for i, d in enumerate(shape) if i != axis) or shape[axis] not in (1, channels):
        return None
    return np.broadcast_to(c.reshape(-1).astype(np.float64), (channels,))


def _elementwise_affine(op: DfgOp, value: SSAValue, axis: int) -> _Affine | None:
    a, b = op.input_values()
    if (a is value) == (b is value):
        return None
    other = cast(SSAValue, b if a is value else a)
    c = constant_array(other)
    shape = static_shape(value.type)
    if c is None or shape[axis] == UNKNOWN:  # a per-channel constant needs the channel count
        return None
    per_channel = _per_channel(c, len(shape), axis, shape[axis])
    if per_channel is None:
        return None
    if isinstance(op, MulOp):
        return _Affine(per_channel, np.zeros_like(per_channel), other)
    return _Affine(np.ones_like(per_channel), per_channel, other)


_AFFINES: dict[type[DfgOp], Callable[[DfgOp, SSAValue, int], _Affine | None]] = {
    BatchNormalizationOp: _batchnorm_affine,
    MulOp: _elementwise_affine,
    AddOp: _elementwise_affine,
}
"""How each affine op maps its input `value`, given the producer's channel axis."""


def _scaled(weights: np.ndarray, scale: np.ndarray, axis: int) -> np.ndarray:
    """`weights` with each slice along `axis` multiplied by its element of `scale`."""
    if is_splat(weights) and (scale == scale[0]).all():
        # Splat weights (the onnx light models') stay splats, without a pass over them.
        element = (weights.reshape(-1)[:1] * scale[0]).astype(weights.dtype)
        return splat(element, weights.shape)
    shape = [1] * weights.ndim
    shape[axis] = -1
    return (weights * scale.reshape(shape)).astype(weights.dtype)


class _Fold(NamedTuple):
    """The ops replacing a producer and its affine user: new constants, then the producer."""

    constants: list[ConstantOp]
    producer: DfgOp


def _fold_conv(op: DfgOp, affine: _Affine) -> _Fold | None:
    x, w, b = op.input_values()
    weights, bias = constant_array(w), constant_array(b)
    if weights is None or (b is not None and bias is None):
        return None
    constants = [materialize(_scaled(weights, affine.scale, 0), cast(SSAValue, w))]
    if b is not None or affine.shift.any():
        old = np.zeros(len(affine.scale)) if bias is None else bias.astype(np.float64)
        new_bias = (old * affine.scale + affine.shift).astype(weights.dtype)
        constants.append(materialize(new_bias, b if b is not None else affine.shift_source))
    inputs = [x, *(c.output for c in constants)]
    return _Fold(constants, type(op).build(inputs, [op.results[0].type], op.properties))


def _fold_gemm(op: DfgOp, affine: _Affine) -> _Fold | None:
    a, b, c = op.input_values()
    weights, offset = constant_array(b), constant_array(c)
    if weights is None or (c is not None and offset is None):
        return None
    attrs = op.python_attributes()
    axis = 0 if attrs["transB"] else 1
    constants = [materialize(_scaled(weights, affine.scale, axis), cast(SSAValue, b))]
    properties = dict(op.properties)
    if c is not None or affine.shift.any():
        beta = cast(float, attrs["beta"])
        old = np.zeros(1) if offset is None else offset.astype(np.float64) * beta
        new_c = (old * affine.scale + affine.shift).astype(weights.dtype)
        constants.append(materialize(new_c, c if c is not None else affine.shift_source))
        properties["beta"] = FloatAttr(1.0, f32)
    inputs = [a, *(k.output for k in constants)]
    return _Fold(constants, type(op).build(inputs, [op.results[0].type], properties))


def _fold_matmul(op: DfgOp, affine: _Affine) -> _Fold | None:
    a, b = cast(list[SSAValue], op.input_values())
    weights = constant_array(b)
    if weights is None or weights.ndim != 2:
        return None
    constants = [materialize(_scaled(weights, affine.scale, 1), b)]
    if not affine.shift.any():
        return _Fold(constants, type(op).build([a, constants[0].output], [op.results[0].type]))
    if len(static_shape(a.type)) != 2:
        return None  # Only a 2-D MatMul has a form with a bias: Gemm.
    constants.append(materialize(affine.shift.astype(weights.dtype), affine.shift_source))
    inputs = [a, *(k.output for k in constants)]
    return _Fold(constants, GemmOp.build(inputs, [op.results[0].type]))


def _fold_batchnorm(op: DfgOp, affine: _Affine) -> _Fold | None:
    x, scale, bias, mean, var = cast(list[SSAValue], op.input_values())
    scale_a, bias_a = constant_array(scale), constant_array(bias)
    if scale_a is None or bias_a is None or not _is_inference_batchnorm(op):
        return None
    new_scale = (scale_a.astype(np.float64) * affine.scale).astype(scale_a.dtype)
    new_bias = (bias_a.astype(np.float64) * affine.scale + affine.shift).astype(bias_a.dtype)
    constants = [materialize(new_scale, scale), materialize(new_bias, bias)]
    inputs = [x, constants[0].output, constants[1].output, mean, var]
    return _Fold(constants, type(op).build(inputs, [op.results[0].type], op.properties))


_PRODUCERS: dict[type[DfgOp], Callable[[DfgOp, _Affine], _Fold | None]] = {
    ConvOp: _fold_conv,
    GemmOp: _fold_gemm,
    MatMulOp: _fold_matmul,
    BatchNormalizationOp: _fold_batchnorm,
}
"""How each op linear per output channel absorbs an affine map of its result."""


def _is_float(value: SSAValue) -> bool:
    return numpy_dtype(cast(TensorType, value.type).get_element_type()).kind == "f"


def _channel_axis(producer: DfgOp) -> int:
    rank = len(static_shape(producer.results[0].type))
    return rank - 1 if isinstance(producer, MatMulOp) else 1


def _linear_producer(op: DfgOp, value: SSAValue | None) -> DfgOp | None:
    """The producer of `value` when it may absorb `op`: linear per channel, with `op`
    as its only user and a float result of `op`'s result type."""
    producer = None if value is None else value.owner
    if not isinstance(producer, DfgOp) or type(producer) not in _PRODUCERS:
        return None
    result = producer.results[0]
    if not result.has_one_use() or result.type != op.results[0].type or not _is_float(result):
        return None
    return producer


class FoldAffineIntoProducer(RewritePattern):
    """A BatchNormalization, or a Mul or Add by a per-channel constant, folds into its producer."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: BatchNormalizationOp | MulOp | AddOp, rewriter: PatternRewriter, /) -> None:
        for value in op.input_values():
            producer = _linear_producer(op, value)
            if producer is None:
                continue
            affine = _AFFINES[type(op)](op, producer.results[0], _channel_axis(producer))
            folded = None if affine is None else _PRODUCERS[type(producer)](producer, affine)
            if folded is None:
                continue
            folded.producer.location = producer.location
            results = [folded.producer.results[0]] + [None] * (len(op.results) - 1)
            rewriter.replace(op, [*folded.constants, folded.producer], results)
            rewriter.erase(producer)
            return
