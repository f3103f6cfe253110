"""Functions that generated code calls where an ONNX operator is not one readable torch expression.

The code printer pastes the source of the functions a model needs into the generated
file (see `ramiel.kernels.helper_source`), so every function here is self-contained:
it refers only to `torch`, `F` (`torch.nn.functional`), Python builtins and other
functions of this module, and it never reads module-level state.

Some of them also serve `ramiel.kernels` at compile time, which normalises constant
operands with the same code that handles runtime operands: `slice_bounds`,
`pad_widths`, `torch_pad_arg`, `resize_coordinates` and `nearest_indices`.
"""

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


def avg_pool_exclude_pad(
    x: torch.Tensor,
    kernel_shape: tuple[int, ...],
    strides: tuple[int, ...],
    pads: tuple[int, ...],
    ceil_mode: bool,
) -> torch.Tensor:
    """ONNX AveragePool with count_include_pad=0 and asymmetric `pads` (begins, then ends).

    The window sums and the counts of real (unpadded) elements are pooled the same
    way, so their ratio averages over the real elements only.
    """
    rank = len(kernel_shape)
    pool = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[rank - 1]
    padding = torch_pad_arg(pad_widths(pads, rank))
    ones = torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device)
    total = pool(F.pad(x, padding), kernel_shape, strides, ceil_mode=ceil_mode)
    count = pool(F.pad(ones, padding), kernel_shape, strides, ceil_mode=ceil_mode)
    return total / count


def onnx_lrn(x: torch.Tensor, size: int, alpha: float, beta: float, bias: float) -> torch.Tensor:
    """ONNX LRN: the channel window spans floor((size-1)/2) channels before and ceil((size-1)/2) after.

    The window sums are `size` shifted slices of the zero-padded squares added
    up, several times faster than torch's pooling-based `F.local_response_norm`
    and in the input's memory layout.
    """
    channels = x.shape[1]
    squares = F.pad(x * x, (0, 0) * (x.dim() - 2) + ((size - 1) // 2, size // 2))
    window = squares[:, :channels].clone()
    for shift in range(1, size):
        window += squares[:, shift : shift + channels]
    return x / torch.add(bias, window, alpha=alpha / size).pow_(beta)


def resize_coordinates(
    in_size: int,
    out_size: int,
    scale: float,
    coordinate_mode: str,
    roi_start: float = 0.0,
    roi_end: float = 1.0,
) -> torch.Tensor:
    """Source coordinate of each output position along one axis for ONNX Resize, in float32 arithmetic."""
    resized = torch.arange(out_size, dtype=torch.float32)
    factor = torch.tensor(scale, dtype=torch.float32)
    if coordinate_mode == "asymmetric":
        return resized / factor
    if coordinate_mode == "tf_half_pixel_for_nn":
        return (resized + 0.5) / factor
    if coordinate_mode == "align_corners":
        if out_size == 1:
            return torch.zeros(1)
        return resized * (in_size - 1) / (out_size - 1)
    if coordinate_mode == "tf_crop_and_resize":
        start = torch.tensor(roi_start, dtype=torch.float32)
        end = torch.tensor(roi_end, dtype=torch.float32)
        if out_size == 1:
            return (0.5 * (start.double() + end.double()) * (in_size - 1)).float().reshape(1)
        return start * (in_size - 1) + resized * (end - start) * (in_size - 1) / (out_size - 1)
    if coordinate_mode == "half_pixel_symmetric":
        adjustment = out_size / (factor * in_size)
        offset = torch.tensor(in_size / 2, dtype=torch.float32) * (1 - adjustment)
        return (offset.double() + (resized.double() + 0.5) / factor.double() - 0.5).float()
    if coordinate_mode == "pytorch_half_pixel" and out_size == 1:
        return torch.zeros(1)
    return (resized + 0.5) / factor - 0.5


def nearest_indices(coordinates: torch.Tensor, in_size: int, nearest_mode: str) -> torch.Tensor:
    """Source indices that ONNX Resize in nearest mode reads for the given source coordinates."""
    floor = torch.floor(coordinates)
    fraction = coordinates - floor
    if nearest_mode == "floor":
        index = floor
    elif nearest_mode == "ceil":
        index = torch.ceil(coordinates)
    elif nearest_mode == "round_prefer_ceil":
        index = floor + (fraction >= 0.5)
    else:
        index = floor + (fraction > 0.5)
    return index.clamp(0, in_size - 1).long()


def resize_axis(
    x: torch.Tensor,
    axis: int,
    coordinates: torch.Tensor,
    mode: str,
    nearest_mode: str,
    cubic_coeff_a: float,
    exclude_outside: bool,
) -> torch.Tensor:
    """Resample `x` along `axis` at the given source coordinates (ONNX Resize, one axis)."""
    size = x.shape[axis]
    if mode == "nearest":
        return x.index_select(axis, nearest_indices(coordinates, size, nearest_mode))
    view = [1] * x.dim()
    view[axis] = -1
    if mode == "linear":
        clamped = coordinates.clamp(0, size - 1)
        low = clamped.long().clamp(max=size - 1)
        high = (low + 1).clamp(max=size - 1)
        high_weight = torch.where(low == high, 0.5, clamped - low)
        low_weight = torch.where(low == high, 0.5, high - clamped)
        return (
            x.index_select(axis, low) * low_weight.to(x.dtype).reshape(view)
            + x.index_select(axis, high) * high_weight.to(x.dtype).reshape(view)
        )
    base = torch.floor(coordinates)
    t = coordinates - base
    a = torch.tensor(cubic_coeff_a, dtype=torch.float32)
    taps = [base.long() + offset for offset in (-1, 0, 1, 2)]
    near = [t, 1 - t]
    far = [t + 1, 2 - t]
    weights = [
        ((a * far[0] - 5 * a) * far[0] + 8 * a) * far[0] - 4 * a,
        ((a + 2) * near[0] - (a + 3)) * near[0] * near[0] + 1,
        ((a + 2) * near[1] - (a + 3)) * near[1] * near[1] + 1,
        ((a * far[1] - 5 * a) * far[1] + 8 * a) * far[1] - 4 * a,
    ]
    if exclude_outside:
        weights = [torch.where((tap >= 0) & (tap < size), w, 0.0) for tap, w in zip(taps, weights, strict=True)]
        total = weights[0] + weights[1] + weights[2] + weights[3]
        weights = [w / total for w in weights]
    terms = [
        x.index_select(axis, tap.clamp(0, size - 1)) * weight.to(x.dtype).reshape(view)
        for tap, weight in zip(taps, weights, strict=True)
    ]
    return terms[0] + terms[1] + terms[2] + terms[3]


def onnx_resize(
    x: torch.Tensor,
    sizes: tuple[int, ...],
    scales: tuple[float, ...],
    mode: str,
    coordinate_mode: str,
    nearest_mode: str = "round_prefer_floor",
    cubic_coeff_a: float = -0.75,
    exclude_outside: bool = False,
    extrapolation_value: float = 0.0,
    roi: tuple[float, ...] | None = None,
) -> torch.Tensor:
    """ONNX Resize (no antialiasing) as one separable pass per resized axis.

    `sizes` is the output shape and `scales` the per-axis scale ONNX uses for the
    coordinate transformation (both full rank); `roi` (starts, then ends, full rank)
    matters only for 'tf_crop_and_resize'.
    """
    if tuple(sizes) == tuple(x.shape):
        return x
    rank = x.dim()
    for axis in range(rank):
        # An axis with scale 1 keeps its elements whatever the coordinate mode.
        if scales[axis] == 1.0:
            continue
        roi_start, roi_end = (roi[axis], roi[axis + rank]) if roi is not None else (0.0, 1.0)
        coordinates = resize_coordinates(
            x.shape[axis], sizes[axis], scales[axis], coordinate_mode, roi_start, roi_end
        )
        resized = resize_axis(x, axis, coordinates, mode, nearest_mode, cubic_coeff_a, exclude_outside)
        if coordinate_mode == "tf_crop_and_resize":
            outside = (coordinates < 0) | (coordinates > x.shape[axis] - 1)
            view = [1] * rank
            view[axis] = -1
            resized = resized.masked_fill(outside.reshape(view), extrapolation_value)
        x = resized
    return x


def prepack_conv2d(
    weight: torch.Tensor,
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
    input_shape: tuple[int, ...],
) -> torch.Tensor:
    """A 2-D convolution weight reordered once, at load, into oneDNN's layout for inputs of `input_shape`.

    `conv2d` then skips the reorder on every call. Where torch has no oneDNN
    convolution ops, the weight becomes channels-last, which `F.conv2d` prefers
    for channels-last inputs.
    """
    ops = torch.ops.mkldnn
    # oneDNN 3.x computes wrong numbers with a prepacked weight of one input channel,
    # no groups and a kernel 3 wide when the output is one column wide (found by a
    # grid over 66,816 small convolutions); such convolutions are tiny, so all of
    # them take the plain path.
    single_channel = groups == 1 and weight.shape[1] == 1
    if (
        not single_channel
        and weight.dtype == torch.float32
        and torch.backends.mkldnn.is_available()
        and hasattr(ops, "_reorder_convolution_weight")
        and hasattr(ops, "_convolution_pointwise")
    ):
        return ops._reorder_convolution_weight(
            weight, list(padding), list(stride), list(dilation), groups, list(input_shape)
        )
    return weight.contiguous(memory_format=torch.channels_last)


def conv2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int] = (0, 0),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
    activation: str = "none",
    scalars: tuple[float, ...] = (),
) -> torch.Tensor:
    """`F.conv2d` followed by `activation`, in one oneDNN call when `weight` comes from `prepack_conv2d`.

    `activation` is a oneDNN post-op: "none", "relu", or "hardtanh" (a clamp to
    the two `scalars`).
    """
    if weight.is_mkldnn:
        return torch.ops.mkldnn._convolution_pointwise(
            x, weight, bias, list(padding), list(stride), list(dilation), groups,
            activation, list(scalars) or [None], "",
        )  # fmt: skip
    y = F.conv2d(x, weight, bias, stride, padding, dilation, groups)
    if activation == "relu":
        return y.relu_()
    if activation == "hardtanh":
        return y.clamp_(scalars[0], scalars[1])
    return y
