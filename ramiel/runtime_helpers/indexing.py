"""Runtime helpers of Slice, Pad, ScatterND, OneHot, ReverseSequence, Col2Im and TensorScatter."""

import torch
import torch.nn.functional as F

from ramiel.runtime_helpers.bounds import pad_widths, slice_bounds, torch_pad_arg


def onnx_slice(
    x: torch.Tensor,
    starts: torch.Tensor,
    ends: torch.Tensor,
    axes: torch.Tensor | None = None,
    steps: torch.Tensor | None = None,
) -> torch.Tensor:
    """ONNX Slice with runtime `starts`, `ends`, `axes` and `steps` tensors."""
    start_list = starts.tolist()
    axis_list = list(range(len(start_list))) if axes is None else axes.tolist()
    step_list = [1] * len(start_list) if steps is None else steps.tolist()
    index = [slice(None)] * x.dim()
    flips = []
    for axis, start, end, step in zip(axis_list, start_list, ends.tolist(), step_list, strict=True):
        axis %= x.dim()
        lo, hi, stride, flipped = slice_bounds(x.shape[axis], start, end, step)
        index[axis] = slice(lo, hi, stride)
        if flipped:
            flips.append(axis)
    result = x[tuple(index)]
    return result.flip(flips) if flips else result


def onnx_pad(
    x: torch.Tensor,
    pads: list[int] | tuple[int, ...],
    mode: str = "constant",
    value: float = 0.0,
    axes: list[int] | tuple[int, ...] | None = None,
) -> torch.Tensor:
    """ONNX Pad in any mode ('constant', 'reflect', 'edge', 'wrap') on any axes.

    Negative pads crop.
    """
    widths = pad_widths(pads, x.dim(), axes)
    if mode == "constant":
        return F.pad(x, torch_pad_arg(widths), value=value)
    for axis, (before, after) in enumerate(widths):
        if before == 0 and after == 0:
            continue
        size = x.shape[axis]
        index = torch.arange(-before, size + after, device=x.device)
        if mode == "edge":
            index = index.clamp(0, size - 1)
        elif mode == "wrap":
            index = index % size
        elif size == 1:
            index = torch.zeros_like(index)
        else:
            period = 2 * (size - 1)
            index = index % period
            index = torch.minimum(index, period - index)
        x = x.index_select(axis, index)
    return x


def onnx_scatter_nd(
    data: torch.Tensor, indices: torch.Tensor, updates: torch.Tensor, reduce: str
) -> torch.Tensor:
    """ONNX ScatterND reducing by torch's `reduce` ('prod', 'amax' or 'amin').

    Each index tuple becomes the flat position of the slice it names, so one
    `scatter_reduce` along the flattened leading axes does every update.
    """
    count = indices.shape[-1]
    flat = torch.zeros(indices.shape[:-1], dtype=torch.int64)
    for axis in range(count):
        flat = flat * data.shape[axis] + indices[..., axis] % data.shape[axis]
    rows = data.reshape(-1, *data.shape[count:])
    sources = updates.reshape(-1, *data.shape[count:])
    index = flat.reshape(-1, *(1,) * (data.dim() - count)).expand_as(sources)
    return rows.scatter_reduce(0, index, sources, reduce).reshape(data.shape)


def onnx_one_hot(
    indices: torch.Tensor, values: torch.Tensor, depth: int, axis: int
) -> torch.Tensor:
    """ONNX OneHot: `values[1]` where the new `axis` meets an index, `values[0]` elsewhere.

    Indices are truncated to integers, negative ones count from the end and
    those out of range meet nothing.
    """
    index = indices.long()
    index = torch.where(index < 0, index + depth, index).unsqueeze(axis)
    view = [1] * index.dim()
    view[axis] = depth
    return torch.where(index == torch.arange(depth).reshape(view), values[1], values[0])


def onnx_reverse_sequence(
    x: torch.Tensor, lengths: torch.Tensor, time_axis: int, batch_axis: int
) -> torch.Tensor:
    """ONNX ReverseSequence along `time_axis`.

    The first `lengths[b]` elements of batch entry `b` are reversed.
    """
    steps = torch.arange(x.shape[time_axis]).unsqueeze(1)
    lengths = lengths.unsqueeze(0)
    index = torch.where(steps < lengths, lengths - 1 - steps, steps)
    if time_axis > batch_axis:
        index = index.t()
    index = index.reshape(*index.shape, *(1,) * (x.dim() - 2)).expand(x.shape)
    return x.gather(time_axis, index)


def onnx_col2im(
    x: torch.Tensor,
    image: tuple[int, ...],
    block: list[int] | tuple[int, ...],
    strides: tuple[int, ...],
    pads: tuple[int, ...],
    dilations: tuple[int, ...],
) -> torch.Tensor:
    """ONNX Col2Im over any number of spatial axes.

    The column of each position in the block is added into the padded image
    at that position's strided window; the pads are cropped off at the end.
    """
    rank = len(image)
    positions = 1
    for size in block:
        positions *= size
    padded = [size + pads[axis] + pads[axis + rank] for axis, size in enumerate(image)]
    counts = [
        (padded[axis] - dilations[axis] * (block[axis] - 1) - 1) // strides[axis] + 1
        for axis in range(rank)
    ]
    columns = x.reshape(x.shape[0], x.shape[1] // positions, positions, *counts)
    result = x.new_zeros(columns.shape[0], columns.shape[1], *padded)
    everything = (slice(None), slice(None))
    for position in range(positions):
        offsets: list[int] = []
        rest = position
        for size in reversed(block):
            offsets.insert(0, rest % size)
            rest //= size
        window = tuple(
            slice(offset * dilation, offset * dilation + stride * (count - 1) + 1, stride)
            for offset, dilation, stride, count in zip(
                offsets, dilations, strides, counts, strict=True
            )
        )
        result[(*everything, *window)] += columns[:, :, position]
    return result[
        (*everything, *(slice(pads[axis], pads[axis] + image[axis]) for axis in range(rank)))
    ]


def tensor_scatter(
    cache: torch.Tensor,
    update: torch.Tensor,
    write_indices: torch.Tensor | None,
    axis: int,
    circular: bool,
) -> torch.Tensor:
    """ONNX TensorScatter: a copy of `cache` with the updates written along `axis`.

    Update step s of batch entry b goes to position write_indices[b] + s. In
    circular mode the position wraps around the cache's length.
    """
    view = [1] * cache.dim()
    view[0] = cache.shape[0]
    start = (
        torch.zeros(view, dtype=torch.int64)
        if write_indices is None
        else write_indices.reshape(view)
    )
    view = [1] * cache.dim()
    view[axis] = update.shape[axis]
    index = start + torch.arange(update.shape[axis]).reshape(view)
    if circular:
        index = index % cache.shape[axis]
    return cache.scatter(axis, index.expand(update.shape), update)
