"""Slicing, gathering and padding: one row per op.

    %y = dfg.slice %x, %starts, %ends : (tensor<1x8xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x4xf32>
    %g = dfg.gather %x, %i {axis = 1 : i64} : (tensor<1x8xf32>, tensor<i64>) -> tensor<1xf32>

With constant bounds, indices and pads the kernels are plain Python indexing and
`F.pad`; with computed ones, a runtime helper normalises them as ONNX does.
"""

from __future__ import annotations

from typing import cast

import numpy as np

from ramiel.codegen.escape import literal
from ramiel.costmodel import view_work
from ramiel.dialects.dfg.base import DfgOp, one_of, onnx_op
from ramiel.dialects.dfg.constant import constant_array
from ramiel.dialects.dfg.folding import NumpyFold, Values, ints, known
from ramiel.kernels import (
    KernelWriter,
    index_expr,
    keyword_args,
    scalar_literal,
    slice_text,
    tuple_literal,
    varargs,
)


def _same_type(op: DfgOp) -> bool:
    source = op.input_values()[0]
    return source is not None and source.type == op.results[0].type


def _slice(n: KernelWriter) -> str:
    """Slice: Python indexing (with `flip` for negative steps) when the bounds are constant, else the `onnx_slice` helper."""
    from ramiel.runtime_helpers.indexing import slice_bounds

    shape = n.shape(0)
    starts, ends = n.ints(1), n.ints(2)
    axes = n.ints(3) if n.has(3) else list(range(len(starts or ())))
    steps = n.ints(4) if n.has(4) else [1] * len(starts or ())
    if starts is None or ends is None or axes is None or steps is None:
        optional = [n.arg(index) if n.has(index) else "None" for index in (3, 4)]
        while optional and optional[-1] == "None":
            optional.pop()
        return n.call("onnx_slice", n.arg(0), n.arg(1), n.arg(2), *optional)
    parts = [":"] * len(shape)
    flips = []
    for axis, start, end, step in zip(axes, starts, ends, steps, strict=True):
        axis %= len(shape)
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


@onnx_op("Slice", kernel=_slice, fold=NumpyFold(_slice_values, moves_data=True), work=view_work)
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
    """Gather: indexing along `axis`, with constant indices folded in and negative indices wrapped."""
    shape = n.shape(0)
    axis = n.int_attr("axis") % len(shape)
    size = shape[axis]
    prefix = [":"] * axis
    data = n.arg(0)
    indices = n.value(1)
    if indices is not None:
        flat = [int(index) % size for index in indices.reshape(-1)]
        if indices.ndim == 0:
            return index_expr(data, [*prefix, str(flat[0])])
        if indices.ndim == 1 and 0 < len(flat) <= _MAX_INLINE_INDICES:
            if flat == list(range(flat[0], flat[0] + len(flat))):
                return index_expr(data, [*prefix, slice_text(flat[0], flat[-1] + 1, 1, size)])
            return index_expr(data, [*prefix, str(flat)])
    index = n.arg(1)
    if indices is None or (indices < 0).any():
        index = f"{index} % {size}"
    return index_expr(data, [*prefix, index])


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
    from ramiel.runtime_helpers.indexing import pad_widths, torch_pad_arg

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


@onnx_op("Pad", kernel=_pad, attribute_values={"mode": one_of("constant", "reflect", "edge", "wrap")})
class PadOp(DfgOp):
    """ONNX `Pad` in the constant, reflect, edge and wrap modes; negative pads crop.

        %y = dfg.pad %x, %pads : (tensor<1x4xf32>, tensor<4xi64>) -> tensor<1x6xf32>
    """

    def is_no_op(self) -> bool:
        pads = constant_array(self.input_values()[1])
        return _same_type(self) and pads is not None and not pads.any()
