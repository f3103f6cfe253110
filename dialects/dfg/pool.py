"""Pooling: one row per op.

    %p = dfg.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>) -> tensor<1x8x7x7xf32>
    %g = dfg.global_average_pool %x : (tensor<1x8x16x16xf32>) -> tensor<1x8x1x1xf32>

Pads torch cannot express go in an `F.pad` before the pooling; a ceil-mode window
that would start in the end padding is dropped, as ONNX drops it.
"""

from __future__ import annotations

from ramiel.codegen.escape import literal
from ramiel.costmodel import full_reduction_work, window_work
from ramiel.dialects.dfg.base import (
    WINDOW_CHECKS,
    DfgOp,
    Shapes,
    at_least,
    expect,
    one_of,
    onnx_op,
    shape_text,
)
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
    window_dilations,
)


def _pool_size(size: int, begin: int, end: int, window: int, stride: int, ceil_mode: bool) -> int:
    """Output length of a pooling; with ceil_mode a last window starting in the end padding is dropped (ONNX and torch)."""
    count = (size + begin + end - window + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (count - 1) * stride >= size + begin:
        count -= 1
    return count


def _pool(n: KernelWriter) -> str:
    """MaxPool, AveragePool, LpPool: `F.max_poolNd`/`F.avg_poolNd` (pads torch cannot express applied first), else window sums."""
    from ramiel.runtime_helpers.bounds import torch_pad_arg

    op_type = n.node.op_type
    is_max = op_type == "MaxPool"
    with_indices = is_max and len(n.node.output_types) == 2
    if not with_indices:
        n.single_output()
    kernel = n.int_list("kernel_shape", [])
    rank = len(kernel)
    if not 1 <= rank <= 3:
        raise n.fail(f"{rank}-D pooling is not supported")
    dtype = n.dtype(0)
    if dtype not in FLOAT_TYPES and not (is_max and dtype in ("int8", "uint8")):
        raise n.fail(f"{dtype} pooling is not supported")
    strides = n.int_list("strides", [1] * rank)
    dilations = window_dilations(n, kernel)
    ceil_mode = bool(n.attr("ceil_mode"))
    include_pad = op_type == "AveragePool" and bool(n.attr("count_include_pad"))
    sizes = n.shape(0)[2:]
    begins, ends = auto_pads(n, sizes, kernel, strides, dilations)
    windows = [(k - 1) * dilation + 1 for k, dilation in zip(kernel, dilations, strict=True)]
    out_sizes = n.out_shape[2:]
    expected = tuple(map(_pool_size, sizes, begins, ends, windows, strides, [ceil_mode] * rank))
    if expected != out_sizes:
        raise n.fail(f"pooling gives spatial shape {expected}, not {out_sizes}")
    # A stride past the padded input starts one window, as does a stride of that
    # input's size; torch takes no stride beyond a C int.
    strides = [min(stride, size + begin + end) for stride, size, begin, end in zip(strides, sizes, begins, ends, strict=True)]
    x = n.arg(0)
    # torch pads symmetrically by at most half the (undilated) kernel; other pads go before the pooling.
    prepadded = begins != ends or any(2 * pad > k for pad, k in zip(begins, kernel, strict=True))
    geometry = [tuple_literal(values) for values in (kernel, strides, dilations)]
    if op_type == "LpPool":
        p = n.int_attr("p")
        sums = n.call("window_sums", f"{x}.abs().pow({p})", *geometry, tuple_literal(begins), tuple_literal(out_sizes))
        return f"{sums}.pow({1 / p!r})"
    if not is_max and (dilations != [1] * rank or (prepadded and not include_pad)):
        pads = tuple_literal(begins + ends)
        return n.call("onnx_avg_pool", x, *geometry, pads, tuple_literal(out_sizes), str(include_pad))
    padding = [0] * rank if prepadded else begins
    padded_sizes = sizes
    if prepadded:
        padded_sizes = [size + begin + end for size, begin, end in zip(sizes, begins, ends, strict=True)]
        widths = tuple_literal(torch_pad_arg(list(zip(begins, ends, strict=True))))
        x = f"F.pad({x}, {widths}, value={lowest_value(dtype)})" if is_max else f"F.pad({x}, {widths})"
    keywords = {"stride": tuple_literal(strides)} | spatial_keywords(padding=padding)
    if is_max:
        keywords |= spatial_keywords(dilations=dilations)
    if ceil_mode:
        keywords["ceil_mode"] = "True"
    if not is_max and not include_pad and any(padding):
        keywords["count_include_pad"] = "False"
    if with_indices:
        keywords["return_indices"] = "True"
    function = f"F.max_pool{rank}d" if is_max else f"F.avg_pool{rank}d"
    # torch has no half-precision 3-D average pooling on the CPU: it averages in float32, rounded once.
    widened = not is_max and rank == 3 and dtype in ("float16", "bfloat16")
    call = f"{function}({f'{x}.float()' if widened else x}, {tuple_literal(kernel)}{keyword_args(**keywords)})"
    if widened:
        call = f"{call}.to(torch.{dtype})"
    # After explicit padding, ceil_mode can give a last window starting in the end padding, which ONNX drops.
    counts = list(map(_pool_size, padded_sizes, padding, padding, windows, strides, [ceil_mode] * rank))
    if with_indices:
        pads = tuple_literal(begins + ends if prepadded else [0] * 2 * rank)
        storage_order = str(n.int_attr("storage_order"))
        return n.call("flat_pool_indices", call, tuple_literal(sizes), pads, tuple_literal(out_sizes), storage_order)
    crops = [":", ":"] + [slice_text(0, size, 1, count) for count, size in zip(counts, out_sizes, strict=True)]
    return index_expr(call, crops)


@onnx_op("MaxPool", kernel=_pool, fresh=True, work=window_work, attribute_values=WINDOW_CHECKS)
class MaxPoolOp(DfgOp):
    """ONNX `MaxPool` in 1 to 3 spatial dimensions, with the flat indices of the maxima if asked for.

        %p = dfg.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>) -> tensor<1x8x7x7xf32>
    """


@onnx_op("AveragePool", kernel=_pool, fresh=True, work=window_work, attribute_values=WINDOW_CHECKS)
class AveragePoolOp(DfgOp):
    """ONNX `AveragePool` in 1 to 3 spatial dimensions, dilated or not, counting pads or not.

        %p = dfg.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32>
    """


def _global_pool(n: KernelWriter) -> str:
    """GlobalAveragePool, GlobalMaxPool: a reduction over the spatial axes keeping them."""
    x = n.arg(0)
    dims = tuple(range(2, n.rank(0)))
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


@onnx_op("LpPool", kernel=_pool, fresh=True, work=window_work, attribute_values={**WINDOW_CHECKS, "p": at_least(1)})
class LpPoolOp(DfgOp):
    """ONNX `LpPool` in 1 to 3 spatial dimensions: the p-norm of each (dilated) window, pads counting as zeros.

        %p = dfg.lp_pool %x {kernel_shape = array<i64: 2, 2>, p = 3 : i64} : (tensor<1x8x16x16xf32>) -> tensor<1x8x15x15xf32>
    """


def _global_lp_pool(n: KernelWriter) -> str:
    """GlobalLpPool: the p-norm over the spatial axes, keeping them."""
    dims = tuple_literal(range(2, n.rank(0)))
    return f"torch.linalg.vector_norm({n.arg(0)}, {n.int_attr('p')}, dim={dims}, keepdim=True)"


@onnx_op("GlobalLpPool", kernel=_global_lp_pool, fresh=True, work=full_reduction_work, attribute_values={"p": at_least(1)})
class GlobalLpPoolOp(DfgOp):
    """ONNX `GlobalLpPool`: the p-norm over the spatial axes, keeping them.

        %g = dfg.global_lp_pool %x {p = 3 : i64} : (tensor<1x8x16x16xf32>) -> tensor<1x8x1x1xf32>
    """


def _max_unpool(n: KernelWriter) -> str:
    """MaxUnpool: the `max_unpool` helper, into the default shape padded to the (static) output shape."""
    shape = n.shape(0)
    kernel = n.int_list("kernel_shape", [])
    rank = len(kernel)
    strides = n.int_list("strides", [1] * rank)
    pads = n.int_list("pads", [0] * 2 * rank)
    unpooled = [
        (size - 1) * stride - begin - end + k
        for size, stride, begin, end, k in zip(shape[2:], strides, pads[:rank], pads[rank:], kernel, strict=True)
    ]
    return n.call("max_unpool", n.arg(0), n.arg(1), tuple_literal((*shape[:2], *unpooled)), tuple_literal(n.out_shape))


@onnx_op("MaxUnpool", kernel=_max_unpool, fresh=True, work=window_work, attribute_values=WINDOW_CHECKS)
class MaxUnpoolOp(DfgOp):
    """ONNX `MaxUnpool`: the values put back at their MaxPool indices, zeros elsewhere.

    The indices count in the shape a MaxPool of these attributes unpools to; a
    larger output shape pads that at the end.

        %u = dfg.max_unpool %x, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, indices = shapes[0], shapes[1]
        expect(indices == x, f"indices of shape {shape_text(indices)} do not index input of shape {shape_text(x)}")


def _roi_align(n: KernelWriter) -> str:
    """RoiAlign: the `roi_align` helper."""
    size = tuple_literal((n.int_attr("output_height"), n.int_attr("output_width")))
    half_pixel = str(n.attr("coordinate_transformation_mode") == "half_pixel")
    return n.call(
        "roi_align",
        *n.args(),
        size,
        str(n.int_attr("sampling_ratio")),
        n.float_text("spatial_scale"),
        half_pixel,
        literal(str(n.attr("mode"))),
    )


@onnx_op(
    "RoiAlign",
    kernel=_roi_align,
    fresh=True,
    attribute_values={
        "mode": one_of("avg", "max"),
        "coordinate_transformation_mode": one_of("half_pixel", "output_half_pixel"),
        "output_height": at_least(1),
        "output_width": at_least(1),
        "sampling_ratio": at_least(0),
    },
)
class RoiAlignOp(DfgOp):
    """ONNX `RoiAlign`: each region of interest pooled into a fixed grid of bins of bilinear samples.

        %r = dfg.roi_align %x, %rois, %batch {output_height = 2 : i64, output_width = 2 : i64} : (tensor<1x3x8x8xf32>, tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x3x2x2xf32>
    """
