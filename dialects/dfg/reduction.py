"""Reductions: one row per op.

    %m = dfg.reduce_mean %x, %axes {keepdims = 1 : i64} : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    %i = dfg.arg_max %x {axis = 1 : i64} : (tensor<1x8xf32>) -> tensor<1x1xi64>
"""

from __future__ import annotations

from ramiel.dialects.dfg.base import DfgOp, onnx_op
from ramiel.kernels import FLOAT_TYPES, KernelWriter, lowest_value, tuple_literal

# Tensor methods computing the ONNX reductions.
_REDUCTIONS = {"ReduceMean": "mean", "ReduceSum": "sum", "ReduceMax": "amax"}


def _reduce(n: KernelWriter) -> str:
    """ReduceMean, ReduceSum, ReduceMax with `axes` as an input, `keepdims` and `noop_with_empty_axes`."""
    shape = n.shape(0)
    keepdims = bool(n.attr("keepdims"))
    method = _REDUCTIONS[n.node.op_type]
    if method == "mean" and n.dtype(0) not in FLOAT_TYPES:
        raise n.fail(f"{n.dtype(0)} mean is not supported")
    keyword = ", keepdim=True" if keepdims else ""
    x = n.arg(0)
    axes = n.ints(1) if n.has(1) else []
    if axes is None:
        if keepdims:
            # Reducing an axis of size 1 keeps its values, so the shapes tell the axes that matter.
            axes = [axis for axis, (size, out) in enumerate(zip(shape, n.out_shape, strict=True)) if size != out]
            if not axes:
                return x
        elif len(n.out_shape) == len(shape):
            # Only empty axes with noop_with_empty_axes keep the rank.
            return x
        else:
            # torch reduces every axis for an empty list, as ONNX does without noop_with_empty_axes.
            return f"{x}.{method}(dim={n.arg(1)}.tolist())"
    if not axes:
        if n.attr("noop_with_empty_axes"):
            return x
        axes = list(range(len(shape)))
    dims = sorted(axis % len(shape) for axis in axes)
    if method == "amax" and any(shape[d] == 0 for d in dims):
        # The maximum of nothing is the type's lowest value (ONNX); torch refuses empty reductions.
        dtype = n.out_dtype
        return f"torch.full({tuple_literal(n.out_shape)}, {lowest_value(dtype)}, dtype=torch.{dtype})"
    return f"{x}.{method}(dim={tuple_literal(dims)}{keyword})"


@onnx_op("ReduceMean", kernel=_reduce)
class ReduceMeanOp(DfgOp):
    """ONNX `ReduceMean` over `axes` (an input), keeping them or not.

        %m = dfg.reduce_mean %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceSum", kernel=_reduce)
class ReduceSumOp(DfgOp):
    """ONNX `ReduceSum` over `axes` (an input), keeping them or not.

        %s = dfg.reduce_sum %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceMax", kernel=_reduce)
class ReduceMaxOp(DfgOp):
    """ONNX `ReduceMax` over `axes` (an input); the maximum of nothing is the type's lowest value.

        %m = dfg.reduce_max %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


def _argmax(n: KernelWriter) -> str:
    """ArgMax along `axis`, the first or (`select_last_index`) last maximum."""
    shape = n.shape(0)
    axis = n.int_attr("axis") % len(shape)
    keyword = ", keepdim=True" if n.attr("keepdims") else ""
    x = n.arg(0)
    if n.attr("select_last_index"):
        # torch returns the first maximum; searching the flipped tensor finds the last.
        return f"{shape[axis] - 1} - torch.argmax({x}.flip({axis}), dim={axis}{keyword})"
    return f"torch.argmax({x}, dim={axis}{keyword})"


@onnx_op("ArgMax", kernel=_argmax)
class ArgMaxOp(DfgOp):
    """ONNX `ArgMax` along `axis`, the first or (`select_last_index`) last maximum.

        %i = dfg.arg_max %x {axis = 1 : i64} : (tensor<1x8xf32>) -> tensor<1x1xi64>
    """
