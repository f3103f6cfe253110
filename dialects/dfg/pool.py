"""Pooling: one row per op.

    %p = dfg.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>) -> tensor<1x8x7x7xf32>
    %g = dfg.global_average_pool %x : (tensor<1x8x16x16xf32>) -> tensor<1x8x1x1xf32>

Pads torch cannot express go in an `F.pad` before the pooling; a ceil-mode window
that would start in the end padding is dropped, as ONNX drops it.
"""

from __future__ import annotations

from ramiel.costmodel import full_reduction_work, window_work
from ramiel.dialects.dfg.base import WINDOW_CHECKS, DfgOp, onnx_op
from ramiel.kernels import (
    FLOAT_TYPES,
    KernelWriter,
    auto_pads,
    index_expr,
    keyword_args,
    lowest_value,
    slice_text,
    spatial_keywords,
    tuple_literal,
)


def _pool_size(size: int, begin: int, end: int, window: int, stride: int, ceil_mode: bool) -> int:
    """Output length of a pooling; with ceil_mode a last window starting in the end padding is dropped (ONNX and torch)."""
    count = (size + begin + end - window + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (count - 1) * stride >= size + begin:
        count -= 1
    return count


def _pool(n: KernelWriter) -> str:
    """MaxPool, AveragePool: `F.max_poolNd`/`F.avg_poolNd`, pads torch cannot express applied first."""
    from ramiel.runtime_helpers.indexing import torch_pad_arg

    n.single_output()
    is_max = n.node.op_type == "MaxPool"
    kernel = n.int_list("kernel_shape", [])
    rank = len(kernel)
    if not 1 <= rank <= 3:
        raise n.fail(f"{rank}-D pooling is not supported")
    dtype = n.dtype(0)
    if dtype not in FLOAT_TYPES and not (is_max and dtype in ("int8", "uint8")):
        raise n.fail(f"{dtype} pooling is not supported")
    strides = n.int_list("strides", [1] * rank)
    dilations = n.int_list("dilations", [1] * rank)
    if not is_max and dilations != [1] * rank:
        raise n.fail("dilated average pooling is not supported")
    ceil_mode = bool(n.attr("ceil_mode"))
    include_pad = not is_max and bool(n.attr("count_include_pad"))
    sizes = n.shape(0)[2:]
    begins, ends = auto_pads(n, sizes, kernel, strides, dilations)
    windows = [(k - 1) * dilation + 1 for k, dilation in zip(kernel, dilations, strict=True)]
    out_sizes = n.out_shape[2:]
    expected = tuple(map(_pool_size, sizes, begins, ends, windows, strides, [ceil_mode] * rank))
    if expected != out_sizes:
        raise n.fail(f"pooling gives spatial shape {expected}, not {out_sizes}")
    x = n.arg(0)
    # torch pads symmetrically by at most half the (undilated) kernel; other pads go before the pooling.
    prepadded = begins != ends or any(2 * pad > k for pad, k in zip(begins, kernel, strict=True))
    padding = [0] * rank if prepadded else begins
    if prepadded:
        sizes = [size + begin + end for size, begin, end in zip(sizes, begins, ends, strict=True)]
        widths = tuple_literal(torch_pad_arg(list(zip(begins, ends, strict=True))))
        if is_max:
            x = f"F.pad({x}, {widths}, value={lowest_value(dtype)})"
        elif include_pad:
            x = f"F.pad({x}, {widths})"
    # After explicit padding, ceil_mode can give a last window starting in the end padding, which ONNX drops.
    counts = map(_pool_size, sizes, padding, padding, windows, strides, [ceil_mode] * rank)
    crops = [":", ":"] + [slice_text(0, size, 1, count) for count, size in zip(counts, out_sizes, strict=True)]
    if prepadded and not is_max and not include_pad:
        call = n.call(
            "avg_pool_exclude_pad", x, tuple_literal(kernel), tuple_literal(strides), tuple_literal(begins + ends), str(ceil_mode)
        )
        return index_expr(call, crops)
    keywords = {"stride": tuple_literal(strides)} | spatial_keywords(padding=padding)
    if is_max:
        keywords |= spatial_keywords(dilations=dilations)
    if ceil_mode:
        keywords["ceil_mode"] = "True"
    if not is_max and not include_pad and any(padding):
        keywords["count_include_pad"] = "False"
    function = f"F.max_pool{rank}d" if is_max else f"F.avg_pool{rank}d"
    return index_expr(f"{function}({x}, {tuple_literal(kernel)}{keyword_args(**keywords)})", crops)


@onnx_op("MaxPool", kernel=_pool, fresh=True, work=window_work, attribute_values=WINDOW_CHECKS)
class MaxPoolOp(DfgOp):
    """ONNX `MaxPool` in 1 to 3 spatial dimensions (the indices output is not supported).

        %p = dfg.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>) -> tensor<1x8x7x7xf32>
    """


@onnx_op("AveragePool", kernel=_pool, fresh=True, work=window_work, attribute_values=WINDOW_CHECKS)
class AveragePoolOp(DfgOp):
    """ONNX `AveragePool` in 1 to 3 spatial dimensions, counting pads or not.

        %p = dfg.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32>
    """


def _global_pool(n: KernelWriter) -> str:
    """GlobalAveragePool, GlobalMaxPool: a reduction over the spatial axes keeping them."""
    x = n.arg(0)
    dims = tuple(range(2, len(n.shape(0))))
    if not dims:
        return x
    method = "mean" if n.node.op_type == "GlobalAveragePool" else "amax"
    return f"{x}.{method}(dim={tuple_literal(dims)}, keepdim=True)"


@onnx_op("GlobalAveragePool", kernel=_global_pool, fresh=True, work=full_reduction_work)
class GlobalAveragePoolOp(DfgOp):
    """ONNX `GlobalAveragePool`: the mean over the spatial axes, keeping them.

        %g = dfg.global_average_pool %x : (tensor<1x8x16x16xf32>) -> tensor<1x8x1x1xf32>
    """


@onnx_op("GlobalMaxPool", kernel=_global_pool, fresh=True, work=full_reduction_work)
class GlobalMaxPoolOp(DfgOp):
    """ONNX `GlobalMaxPool`: the maximum over the spatial axes, keeping them.

        %g = dfg.global_max_pool %x : (tensor<1x8x16x16xf32>) -> tensor<1x8x1x1xf32>
    """
