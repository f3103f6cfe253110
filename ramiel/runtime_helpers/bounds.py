"""Runtime helpers of integer arithmetic on axes: Slice's bounds and Pad's widths.

They import nothing, so that the kernels can normalise constant operands of
Slice, Pad, Conv and the pools while writing code, without importing torch
(which takes a second and more).
"""


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


def pad_widths(
    pads: list[int] | tuple[int, ...], rank: int, axes: list[int] | tuple[int, ...] | None = None
) -> list[tuple[int, int]]:
    """ONNX `pads` as one (before, after) pair per axis.

    `pads` holds all begins, then all ends, for `axes` or every axis.
    """
    padded_axes = list(range(rank)) if axes is None else list(axes)
    widths = [(0, 0)] * rank
    count = len(padded_axes)
    for position, axis in enumerate(padded_axes):
        widths[axis % rank] = (pads[position], pads[position + count])
    return widths


def torch_pad_arg(widths: list[tuple[int, int]]) -> tuple[int, ...]:
    """Per-axis (before, after) pairs as the `pad` argument of `F.pad`.

    The last axis comes first, and unpadded leading axes are left out.
    """
    flat: list[int] = []
    for before, after in reversed(widths):
        flat += [before, after]
    while flat and flat[-2:] == [0, 0]:
        del flat[-2:]
    return tuple(flat)
