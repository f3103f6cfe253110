"""Slicing, gathering, scattering, masking and padding: one row per op.

    %y = dfg.slice %x, %starts, %ends : (tensor<1x8xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x4xf32>
    %g = dfg.gather %x, %i {axis = 1 : i64} : (tensor<1x8xf32>, tensor<i64>) -> tensor<1xf32>
    %s = dfg.scatter_nd %x, %i, %u : (tensor<4x8xf32>, tensor<2x1xi64>, tensor<2x8xf32>) -> tensor<4x8xf32>

With constant bounds, indices and pads the kernels are plain Python indexing and
`F.pad`; with computed ones, a runtime helper normalises them as ONNX does.
Gathers and scatters are torch's (`gather`, `scatter_reduce`, `index_put`, advanced
indexing), with ONNX's negative indices wrapped where torch takes none. torch
moves uint16 to uint64 values by few of these, so their int64 forms move instead
(`elementwise.through_int64`).
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np

from ramiel.codegen.escape import literal
from ramiel.costmodel import view_work
from ramiel.dialects.dfg.base import (
    DfgOp,
    Shapes,
    at_least,
    expect,
    int_attribute,
    one_of,
    onnx_op,
    shape_text,
)
from ramiel.dialects.dfg.constant import constant_array
from ramiel.dialects.dfg.elementwise import BITS, ORDERED, through_int64
from ramiel.dialects.dfg.folding import NumpyFold, Values, ints, known
from ramiel.kernels import (
    FLOAT_TYPES,
    Kernel,
    KernelWriter,
    index_expr,
    keyword_args,
    scalar_literal,
    slice_text,
    spatial_keywords,
    tuple_literal,
    varargs,
)
from ramiel.onnx_types import UNKNOWN


def _same_type(op: DfgOp) -> bool:
    source = op.input_values()[0]
    return source is not None and source.type == op.results[0].type


def _slice(n: KernelWriter) -> str:
    """Slice: Python indexing (with `flip` for negative steps) when the bounds are constant, else the `onnx_slice` helper."""
    from ramiel.runtime_helpers.bounds import slice_bounds

    shape = n.dims(0)
    starts, ends = n.ints(1), n.ints(2)
    axes = n.ints(3) if n.has(3) else list(range(len(starts or ())))
    steps = n.ints(4) if n.has(4) else [1] * len(starts or ())
    # Python's slices clamp as ONNX's do for positive steps, whatever the size; for
    # negative ones on a size the values decide, the helper works the bounds out.
    if (
        starts is None or ends is None or axes is None or steps is None
        or any(shape[axis] == UNKNOWN and step < 0 for axis, step in zip(axes, steps, strict=True))
    ):  # fmt: skip
        optional = [n.arg(index) if n.has(index) else "None" for index in (3, 4)]
        while optional and optional[-1] == "None":
            optional.pop()
        return n.call("onnx_slice", n.arg(0), n.arg(1), n.arg(2), *optional)
    parts = [":"] * len(shape)
    flips = []
    for axis, start, end, step in zip(axes, starts, ends, steps, strict=True):
        axis %= len(shape)
        if shape[axis] == UNKNOWN:
            parts[axis] = f"{start}:{end}" + ("" if step == 1 else f":{step}")
            continue
        lo, hi, stride, flipped = slice_bounds(shape[axis], start, end, step)
        parts[axis] = slice_text(lo, hi, stride, shape[axis])
        if flipped:
            flips.append(axis)
    expr = index_expr(n.arg(0), parts)
    return f"{expr}.flip({varargs(flips)})" if flips else expr


def _slice_values(op: DfgOp, values: Values) -> list[np.ndarray]:
    data = known(values)
    starts, ends = ints(values, 1) or [], ints(values, 2) or []
    axes = ints(values, 3) or list(range(len(starts)))
    steps = ints(values, 4) or [1] * len(starts)
    index = [slice(None)] * data.ndim
    # Python slices clamp out-of-range bounds exactly as ONNX's Slice does.
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        index[axis] = slice(start, end, step)
    return [data[tuple(index)]]


@onnx_op("Slice", kernel=through_int64(_slice), fold=NumpyFold(_slice_values, moves_data=True), work=view_work)
class SliceOp(DfgOp):
    """ONNX `Slice` by starts, ends, and optional axes and steps.

        %y = dfg.slice %x, %starts, %ends : (tensor<1x8xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x4xf32>
    """

    def is_no_op(self) -> bool:
        # With positive steps, a slice that keeps the shape keeps every element.
        inputs = self.input_values()
        given = inputs[4] if len(inputs) > 4 else None
        steps = np.ones(1) if given is None else constant_array(given)
        return _same_type(self) and steps is not None and bool((steps > 0).all())


# Longest constant index list that Gather writes into the expression as a literal.
_MAX_INLINE_INDICES = 16


def _gather(n: KernelWriter) -> str:
    """Gather: indexing along `axis`, with constant indices folded in and negative indices
    wrapped (by the run's size of the axis where the values decide it)."""
    axis = n.int_attr("axis") % n.rank(0)
    size = n.dims(0)[axis]
    prefix = [":"] * axis
    data = n.arg(0)
    indices = n.value(1)
    if size == UNKNOWN:
        return index_expr(data, [*prefix, f"{n.arg(1)} % {data}.shape[{axis}]"])
    if indices is not None:
        flat = [int(index) % size for index in indices.reshape(-1)]
        if indices.ndim == 0:
            return index_expr(data, [*prefix, str(flat[0])])
        if indices.ndim == 1 and 0 < len(flat) <= _MAX_INLINE_INDICES:
            return _take(data, axis, flat, size)
    index = n.arg(1)
    if indices is None or (indices < 0).any():
        index = f"{index} % {size}"
    return index_expr(data, [*prefix, index])


def _take(x: str, axis: int, positions: list[int], size: int) -> str:
    """`x` at the given positions along `axis` (of size `size`): a slice where they run on, else a list."""
    prefix = [":"] * axis
    start = positions[0] if positions else 0
    if positions == list(range(start, start + len(positions))):
        return index_expr(x, [*prefix, slice_text(start, start + len(positions), 1, size)])
    return index_expr(x, [*prefix, str(positions)])


def _gather_values(op: DfgOp, values: Values) -> list[np.ndarray]:
    data, indices = known(values), known(values, 1)
    axis = cast(int, op.python_attributes()["axis"])
    size = data.shape[axis]
    return [np.take(data, np.where(indices < 0, indices + size, indices), axis=axis)]


@onnx_op("Gather", kernel=_gather, fold=NumpyFold(_gather_values, moves_data=True))
class GatherOp(DfgOp):
    """ONNX `Gather` along `axis`, negative indices counting from the end.

        %g = dfg.gather %x, %i {axis = 1 : i64} : (tensor<1x8xf32>, tensor<2xi64>) -> tensor<1x2xf32>
    """


# torch's names of the ONNX Pad modes other than 'constant'.
_TORCH_PAD_MODES = {"reflect": "reflect", "edge": "replicate", "wrap": "circular"}


def _pad(n: KernelWriter) -> str:
    """Pad in the constant, reflect, edge and wrap modes: `F.pad` where torch accepts the pads, else the `onnx_pad` helper."""
    from ramiel.runtime_helpers.bounds import pad_widths, torch_pad_arg

    x = n.arg(0)
    shape = n.shape(0)
    rank = len(shape)
    mode = str(n.attr("mode"))
    pads = n.ints(1)
    axes = n.ints(3) if n.has(3) else None
    value = n.value(2)
    keywords = {}
    if mode == "constant" and n.has(2):
        if value is None:
            keywords["value"] = f"{n.arg(2)}.item()"
        elif value.any():
            keywords["value"] = scalar_literal(value.item(), n.dtype(0))
    if pads is None or (n.has(3) and axes is None):
        if n.has(3):
            keywords["axes"] = f"{n.arg(3)}.tolist()" if axes is None else tuple_literal(axes)
        pads_text = f"{n.arg(1)}.tolist()" if pads is None else tuple_literal(pads)
        return n.call("onnx_pad", x, pads_text, literal(mode), **keywords)
    widths = pad_widths(pads, rank, axes)
    flat = torch_pad_arg(widths)
    if not flat:
        return x
    if mode == "constant":
        return f"F.pad({x}, {tuple_literal(flat)}{keyword_args(**keywords)})"
    padded = max(len(flat) // 2, rank - 2)
    fits = all(_torch_pad_fits(mode, width, dim) for pair, dim in zip(widths, shape, strict=True) for width in pair)
    # torch pads the last 1-3 axes of a tensor that has one or two more axes.
    if fits and 1 <= padded <= 3 and padded < rank:
        flat += (0,) * (2 * padded - len(flat))
        return f"F.pad({x}, {tuple_literal(flat)}, mode={literal(_TORCH_PAD_MODES[mode])})"
    full = [before for before, _ in widths] + [after for _, after in widths]
    return n.call("onnx_pad", x, tuple_literal(full), literal(mode))


def _torch_pad_fits(mode: str, width: int, dim: int) -> bool:
    """Whether torch's counterpart of ONNX pad `mode` accepts padding an axis of size `dim` by `width`."""
    if width < 0:
        return False
    if mode == "reflect":
        return width < dim
    return mode == "edge" or width <= dim


@onnx_op("Pad", kernel=through_int64(_pad), attribute_values={"mode": one_of("constant", "reflect", "edge", "wrap")})
class PadOp(DfgOp):
    """ONNX `Pad` in the constant, reflect, edge and wrap modes; negative pads crop.

        %y = dfg.pad %x, %pads : (tensor<1x4xf32>, tensor<4xi64>) -> tensor<1x6xf32>
    """

    def is_no_op(self) -> bool:
        pads = constant_array(self.input_values()[1])
        return _same_type(self) and pads is not None and not pads.any()


def int64_indices(n: KernelWriter, index: int) -> str:
    """Input `index` as the int64 tensor that torch's gathers, scatters and losses take."""
    indices = n.arg(index)
    return indices if n.dtype(index) == "int64" else f"{indices}.long()"


def _wrapped_indices(n: KernelWriter, axis: int) -> str:
    """Input 1 as int64 indices along `axis` of input 0, negative ones wrapped (torch's gather and scatter take none)."""
    indices = int64_indices(n, 1)
    values = n.value(1)
    if values is None or (values < 0).any():
        return f"{indices} % {n.shape(0)[axis]}"
    return indices


def _same_rank(op: DfgOp, shapes: Shapes) -> None:
    """GatherElements and ScatterElements: the indices (and updates) have the data's rank."""
    data, *rest = shapes
    assert data is not None
    for name, shape in zip(("indices", "updates"), rest, strict=False):
        expect(
            shape is not None and len(shape) == len(data),
            f"{name} of {op.ONNX_OP_TYPE} must have the data's rank {len(data)}, not shape {shape_text(shape)}",
        )


def _gather_elements(n: KernelWriter) -> str:
    """GatherElements: `torch.gather` along `axis`."""
    axis = n.int_attr("axis") % n.rank(0)
    return f"torch.gather({n.arg(0)}, {axis}, {_wrapped_indices(n, axis)})"


@onnx_op("GatherElements", kernel=through_int64(_gather_elements))
class GatherElementsOp(DfgOp):
    """ONNX `GatherElements` along `axis`: one element per index, negative indices counting from the end.

        %g = dfg.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x8xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        _same_rank(self, shapes)


def _gather_nd(n: KernelWriter) -> str:
    """GatherND: advanced indexing by the index tuples, with an arange for each batch dim broadcasting over them."""
    batch_dims = n.int_attr("batch_dims")
    # The tuples' length must be known; the number of tuples need not be, unless they
    # share batch dims with the data.
    tuple_length = n.dims(1)[-1]
    grid = n.shape(1)[:-1] if batch_dims or tuple_length == UNKNOWN else ()
    indices = n.arg(1)
    parts = []
    for dim in range(batch_dims):
        view = [1] * len(grid)
        view[dim] = grid[dim]
        parts.append(f"torch.arange({grid[dim]}).reshape({varargs(view)})")
    parts += [f"{indices}[..., {position}]" for position in range(tuple_length)]
    return f"{n.arg(0)}[{', '.join(parts)}]"


@onnx_op("GatherND", kernel=_gather_nd, attribute_values={"batch_dims": at_least(0)})
class GatherNDOp(DfgOp):
    """ONNX `GatherND`: the slices that index tuples name, after `batch_dims` leading dims shared with the data.

        %g = dfg.gather_nd %x, %i : (tensor<4x8xf32>, tensor<3x1xi64>) -> tensor<3x8xf32>
    """


_SCATTER_REDUCTIONS = one_of("none", "add", "mul", "max", "min")

# torch's names of the ONNX scatter reductions that neither overwrite nor add.
_TORCH_REDUCE = {"mul": "prod", "max": "amax", "min": "amin"}


def _unsigned_scatters(kernel: Kernel) -> Kernel:
    """A scatter's `kernel`, moving uint16 to uint64 values as int64 ones (ordered alike for 'max' and 'min')."""
    kernels = {ordered: through_int64(kernel, ORDERED if ordered else BITS) for ordered in (False, True)}

    def write(n: KernelWriter) -> str:
        return kernels[n.attr("reduction") in ("max", "min")](n)

    write.__doc__ = kernel.__doc__
    return write


def _scatter_elements(n: KernelWriter) -> str:
    """ScatterElements along `axis`: torch's `scatter`, `scatter_add` or `scatter_reduce` (keeping the data's own values)."""
    axis = n.int_attr("axis") % n.rank(0)
    data, index, updates = n.arg(0), _wrapped_indices(n, axis), n.arg(2)
    reduction = str(n.attr("reduction"))
    if reduction == "none":
        return f"{data}.scatter({axis}, {index}, {updates})"
    if reduction == "add":
        return f"{data}.scatter_add({axis}, {index}, {updates})"
    return f"{data}.scatter_reduce({axis}, {index}, {updates}, {literal(_TORCH_REDUCE[reduction])})"


@onnx_op("ScatterElements", kernel=_unsigned_scatters(_scatter_elements), attribute_values={"reduction": _SCATTER_REDUCTIONS})
class ScatterElementsOp(DfgOp):
    """ONNX `ScatterElements` along `axis`, overwriting or reducing (add, mul, max, min) into a copy of the data.

        %s = dfg.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<2x8xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<2x8xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        _same_rank(self, shapes)
        _, indices, updates = shapes
        expect(indices == updates, f"updates of shape {shape_text(updates)} must have the indices' shape {shape_text(indices)}")


def _scatter_nd(n: KernelWriter) -> str:
    """ScatterND: `index_put` by the index tuples (accumulating for 'add'), else the `onnx_scatter_nd` helper."""
    data, indices, updates = n.arg(0), n.arg(1), n.arg(2)
    reduction = str(n.attr("reduction"))
    if reduction in _TORCH_REDUCE:
        return n.call("onnx_scatter_nd", data, indices, updates, literal(_TORCH_REDUCE[reduction]))
    index = tuple_literal(f"{indices}[..., {position}]" for position in range(n.shape(1)[-1]))
    accumulate = ", accumulate=True" if reduction == "add" else ""
    return f"{data}.index_put({index}, {updates}{accumulate})"


@onnx_op("ScatterND", kernel=_unsigned_scatters(_scatter_nd), attribute_values={"reduction": _SCATTER_REDUCTIONS})
class ScatterNDOp(DfgOp):
    """ONNX `ScatterND`: the slices that index tuples name, overwritten or reduced (add, mul, max, min) in a copy of the data.

        %s = dfg.scatter_nd %x, %i, %u : (tensor<4x8xf32>, tensor<2x1xi64>, tensor<2x8xf32>) -> tensor<4x8xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        data, indices, updates = shapes
        assert data is not None
        assert indices is not None
        count = indices[-1] if indices else 0
        expected = (*indices[:-1], *data[count:])
        expect(
            1 <= count <= len(data) and updates == expected,
            f"updates of ScatterND must have shape {shape_text(expected)} for data {shape_text(data)} and "
            f"indices {shape_text(indices)}, not {shape_text(updates)}",
        )


def _one_hot(n: KernelWriter) -> str:
    """OneHot: the `onnx_one_hot` helper; the depth is the static size of the new axis, so it may be computed."""
    axis = n.int_attr("axis") % n.out_rank
    return n.call("onnx_one_hot", n.arg(0), n.arg(2), str(n.out_shape[axis]), str(axis))


@onnx_op("OneHot", kernel=_one_hot, axis_span=1)
class OneHotOp(DfgOp):
    """ONNX `OneHot`: a new `axis` of `depth` values, `values[1]` at each index and `values[0]` elsewhere.

        %y = dfg.one_hot %i, %d, %v : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x5xf32>
    """


def _trilu(n: KernelWriter) -> str:
    """Trilu: `torch.triu` or `torch.tril` by diagonal `k`."""
    function = "torch.triu" if n.attr("upper") else "torch.tril"
    x = n.arg(0)
    if not n.has(1):
        return f"{function}({x})"
    k = n.ints(1)
    return f"{function}({x}, {n.arg(1)}.item())" if k is None else f"{function}({x}, {k[0]})"


@onnx_op("Trilu", kernel=through_int64(_trilu))
class TriluOp(DfgOp):
    """ONNX `Trilu`: the upper (or lower) triangle of the last two dims from diagonal `k` on, zeros elsewhere.

        %y = dfg.trilu %x, %k {upper = 0 : i64} : (tensor<4x4xf32>, tensor<i64>) -> tensor<4x4xf32>
    """


def _reverse_sequence(n: KernelWriter) -> str:
    """ReverseSequence: the `onnx_reverse_sequence` helper."""
    axes = (str(n.int_attr("time_axis")), str(n.int_attr("batch_axis")))
    return n.call("onnx_reverse_sequence", n.arg(0), n.arg(1), *axes)


@onnx_op("ReverseSequence", kernel=through_int64(_reverse_sequence))
class ReverseSequenceOp(DfgOp):
    """ONNX `ReverseSequence`: the first `sequence_lens[b]` steps of each batch entry reversed along the time axis.

        %y = dfg.reverse_sequence %x, %lens : (tensor<4x2xf32>, tensor<2xi64>) -> tensor<4x2xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, lengths = shapes
        assert x is not None
        batch_axis, time_axis = int_attribute(self, "batch_axis", 1), int_attribute(self, "time_axis", 0)
        expect(batch_axis != time_axis, f"the batch and time axes are both axis {batch_axis}")
        batch = x[batch_axis] if len(x) >= 2 else None
        expect(lengths == (batch,), f"sequence_lens of shape {shape_text(lengths)} must hold one length per batch entry ({batch})")


def _compress(n: KernelWriter) -> str:
    """Compress: the kept positions along `axis` (of the flattened input without one), written
    out for a constant condition, else those where the run's condition holds."""
    condition = n.value(1)
    x = n.arg(0)
    if condition is None:
        flat = "axis" not in n.node.attrs
        axis = 0 if flat else n.int_attr("axis") % n.rank(0)
        return f"torch.index_select({f'{x}.reshape(-1)' if flat else x}, {axis}, torch.nonzero({n.arg(1)}).reshape(-1))"
    if "axis" in n.node.attrs:
        axis = n.int_attr("axis") % n.rank(0)
        size = n.shape(0)[axis]
    else:
        x, axis, size = f"{x}.reshape(-1)", 0, math.prod(n.shape(0))
    kept = [int(position) for position in np.flatnonzero(condition)]
    if len(kept) <= _MAX_INLINE_INDICES:
        return _take(x, axis, kept, size)
    # Long conditions mask at run time, after cutting the axis to their length.
    prefix = [":"] * axis
    return index_expr(index_expr(x, [*prefix, slice_text(0, len(condition), 1, size)]), [*prefix, n.arg(1)])


@onnx_op("Compress", kernel=_compress)
class CompressOp(DfgOp):
    """ONNX `Compress`: the slices along `axis` (elements of the flattened input without one) where the condition holds.

        %y = dfg.compress %x, %c {axis = 0 : i64} : (tensor<3x2xf32>, tensor<3xi1>) -> tensor<2x2xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        condition = shapes[1]
        expect(condition is not None and len(condition) == 1, f"condition of Compress must be 1-D, not {shape_text(condition)}")


def _center_crop_pad(n: KernelWriter) -> str:
    """CenterCropPad to the static result shape: slices where it crops (rounding the start down), `F.pad` with zeros where it pads (the odd element after)."""
    from ramiel.runtime_helpers.bounds import torch_pad_arg

    parts, widths = [], []
    for size, target in zip(n.shape(0), n.out_shape, strict=True):
        crop, pad = max(size - target, 0), max(target - size, 0)
        parts.append(slice_text(crop // 2, crop // 2 + min(size, target), 1, size))
        widths.append((pad // 2, pad - pad // 2))
    x = index_expr(n.arg(0), parts)
    flat = torch_pad_arg(widths)
    return f"F.pad({x}, {tuple_literal(flat)})" if flat else x


@onnx_op("CenterCropPad", kernel=_center_crop_pad)
class CenterCropPadOp(DfgOp):
    """ONNX `CenterCropPad` along `axes` to the given sizes, which the static result shape also gives.

        %y = dfg.center_crop_pad %x, %s : (tensor<8x8xf32>, tensor<2xi64>) -> tensor<6x10xf32>
    """


def _col2im(n: KernelWriter) -> str:
    """Col2Im: `F.fold` for two float spatial axes with even pads, else the `onnx_col2im` helper."""
    image = n.out_shape[2:]
    rank = len(image)
    block = n.ints(2)
    strides, dilations = n.int_list("strides", [1] * rank), n.int_list("dilations", [1] * rank)
    pads = n.int_list("pads", [0] * 2 * rank)
    x = n.arg(0)
    if block is not None and rank == 2 and n.dtype(0) in FLOAT_TYPES and pads[:rank] == pads[rank:]:
        keywords = spatial_keywords(strides, pads[:rank], dilations)
        return f"F.fold({x}, {tuple_literal(image)}, {tuple_literal(block)}{keyword_args(**keywords)})"
    block_text = f"{n.arg(2)}.tolist()" if block is None else tuple_literal(block)
    geometry = (tuple_literal(image), block_text, tuple_literal(strides), tuple_literal(pads), tuple_literal(dilations))
    return n.call("onnx_col2im", x, *geometry)


@onnx_op("Col2Im", kernel=through_int64(_col2im), attribute_values={"strides": at_least(1), "dilations": at_least(1)})
class Col2ImOp(DfgOp):
    """ONNX `Col2Im`: the columns of sliding blocks summed back into an image of `image_shape`.

        %y = dfg.col2_im %x, %image, %block : (tensor<1x4x9xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x1x4x4xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        # ONNX's inference checks neither: the blocks must tile the padded image.
        image, block = (constant_array(v) for v in self.input_values()[1:3])
        columns = shapes[0]
        if image is None or block is None or columns is None:
            return
        rank = len(image)
        attributes = self.python_attributes()
        strides = cast(list[int], attributes.get("strides") or [1] * rank)
        dilations = cast(list[int], attributes.get("dilations") or [1] * rank)
        pads = cast(list[int], attributes.get("pads") or [0] * 2 * rank)
        counts = [
            (int(size) + pads[axis] + pads[axis + rank] - dilations[axis] * (int(block[axis]) - 1) - 1) // strides[axis] + 1
            for axis, size in enumerate(image)
        ]
        expect(
            min(counts) > 0 and math.prod(counts) == columns[-1],
            f"{columns[-1]} columns do not hold the {shape_text(tuple(counts))} blocks of the padded image",
        )


def _tensor_scatter(n: KernelWriter) -> str:
    """TensorScatter: the `tensor_scatter` helper (an index along `axis` for each update, a `scatter`)."""
    axis = n.int_attr("axis") % n.rank(0)
    write_indices = n.arg(2) if n.has(2) else "None"
    circular = str(n.attr("mode") == "circular")
    return n.call("tensor_scatter", n.arg(0), n.arg(1), write_indices, str(axis), circular)


# torch's scatter moves no unsigned 16- to 64-bit values; their int64 forms move alike.
@onnx_op("TensorScatter", kernel=through_int64(_tensor_scatter), attribute_values={"mode": one_of("linear", "circular")})
class TensorScatterOp(DfgOp):
    """ONNX `TensorScatter`: a cache with each batch entry's update written along `axis` from its write index (wrapping in 'circular' mode).

        %c = dfg.tensor_scatter %past, %u, %i {mode = "circular"} : (tensor<2x1x4x5xf32>, tensor<2x1x2x5xf32>, tensor<2xi64>) -> tensor<2x1x4x5xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        cache, update = shapes[0], shapes[1]
        assert cache is not None
        assert update is not None
        axis = int_attribute(self, "axis", -2) % len(cache)
        expect(
            update[axis] <= cache[axis],
            f"update of TensorScatter is {update[axis]} long along axis {axis}, longer than the cache ({cache[axis]})",
        )
