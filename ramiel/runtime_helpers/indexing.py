"""Runtime helpers of Slice and Pad."""

import torch
import torch.nn.functional as F


def slice_bounds(size: int, start: int, end: int, step: int) -> tuple[int, int, int, bool]:
    """One axis of ONNX Slice as a forward Python slice.

    Returns `(lo, hi, stride, reversed)`: the selected elements are `lo:hi:stride`,
    taken in reverse order when `reversed` (ONNX negative steps), with ONNX's
    clamping of out-of-range starts and ends applied.
    """
    if step == 0:
        raise ValueError("Slice step must not be zero")
    if start < 0:
        start += size
    if end < 0:
        end += size
    if step > 0:
        start = min(max(start, 0), size)
        end = min(max(end, 0), size)
        return start, max(start, end), step, False
    start = min(max(start, 0), size - 1)
    end = min(max(end, -1), size - 1)
    count = max(0, (start - end - step - 1) // -step)
    if count == 0:
        return 0, 0, 1, False
    return start + (count - 1) * step, start + 1, -step, True


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


def pad_widths(
    pads: list[int] | tuple[int, ...], rank: int, axes: list[int] | tuple[int, ...] | None = None
) -> list[tuple[int, int]]:
    """ONNX `pads` (all begins, then all ends, for `axes` or every axis) as one (before, after) pair per axis."""
    padded_axes = list(range(rank)) if axes is None else list(axes)
    widths = [(0, 0)] * rank
    count = len(padded_axes)
    for position, axis in enumerate(padded_axes):
        widths[axis % rank] = (pads[position], pads[position + count])
    return widths


def torch_pad_arg(widths: list[tuple[int, int]]) -> tuple[int, ...]:
    """Per-axis (before, after) pairs as the `pad` argument of `F.pad`: last axis first, unpadded leading axes left out."""
    flat: list[int] = []
    for before, after in reversed(widths):
        flat += [before, after]
    while flat and flat[-2:] == [0, 0]:
        del flat[-2:]
    return tuple(flat)


def onnx_pad(
    x: torch.Tensor,
    pads: list[int] | tuple[int, ...],
    mode: str = "constant",
    value: float = 0.0,
    axes: list[int] | tuple[int, ...] | None = None,
) -> torch.Tensor:
    """ONNX Pad in any mode ('constant', 'reflect', 'edge', 'wrap') on any axes, negative pads cropping."""
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
