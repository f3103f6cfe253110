"""Runtime helpers of pooling."""

import torch
import torch.nn.functional as F

from ramiel.runtime_helpers.bounds import torch_pad_arg


def window_sums(
    x: torch.Tensor,
    kernel_shape: tuple[int, ...],
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
    begins: tuple[int, ...],
    out_sizes: tuple[int, ...],
) -> torch.Tensor:
    """The sum of `x` over each (dilated) window of a pooling, zero outside `x`.

    Along each axis, output position i sums the window starting at
    i * stride - begin; `x` is zero-padded or cropped to what the `out_sizes`
    windows span, so a ceil-mode window may hang over its end.
    """
    widths = []
    for size, kernel, stride, dilation, begin, count in zip(
        x.shape[2:], kernel_shape, strides, dilations, begins, out_sizes, strict=True
    ):
        span = (count - 1) * stride + (kernel - 1) * dilation + 1
        widths.append((begin, span - size - begin))
    convolution = (F.conv1d, F.conv2d, F.conv3d)[len(kernel_shape) - 1]
    ones = torch.ones((x.shape[1], 1, *kernel_shape), dtype=x.dtype, device=x.device)
    return convolution(
        F.pad(x, torch_pad_arg(widths)), ones, stride=strides, dilation=dilations, groups=x.shape[1]
    )


def onnx_avg_pool(
    x: torch.Tensor,
    kernel_shape: tuple[int, ...],
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
    pads: tuple[int, ...],
    out_sizes: tuple[int, ...],
    count_include_pad: bool,
) -> torch.Tensor:
    """ONNX AveragePool as window sums over element counts.

    This serves dilated windows, or pads that must not count.

    The counted elements are those of `x`, with `pads` (begins, then ends) when
    `count_include_pad`; a ceil-mode window's overhang past the pads never counts.
    """
    rank = len(kernel_shape)
    begins = pads[:rank]
    total = window_sums(x, kernel_shape, strides, dilations, begins, out_sizes)
    if count_include_pad:
        padded = [
            size + begin + end
            for size, begin, end in zip(x.shape[2:], begins, pads[rank:], strict=True)
        ]
        ones, begins = torch.ones((1, 1, *padded), dtype=x.dtype, device=x.device), (0,) * rank
    else:
        ones = torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device)
    return total / window_sums(ones, kernel_shape, strides, dilations, begins, out_sizes)


def flat_pool_indices(
    pooled: tuple[torch.Tensor, torch.Tensor],
    sizes: tuple[int, ...],
    pads: tuple[int, ...],
    out_sizes: tuple[int, ...],
    storage_order: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A torch max pooling's values and indices as ONNX MaxPool's.

    Both are cropped to `out_sizes`, and the indices are flat over the whole input.

    torch pooled the input of spatial `sizes` padded by `pads` (begins, then
    ends) and indexes each channel of that. ONNX counts from the input's first
    element, row-major, or column-major within each channel (`storage_order` 1).
    """
    y, index = pooled
    crop = (slice(None), slice(None), *(slice(0, count) for count in out_sizes))
    y, index = y[crop], index[crop]
    rank = len(sizes)
    padded = [
        size + begin + end for size, begin, end in zip(sizes, pads[:rank], pads[rank:], strict=True)
    ]
    coordinates = []
    for size, begin in zip(reversed(padded), reversed(pads[:rank]), strict=True):
        coordinates.insert(0, index % size - begin)
        index = index // size
    order = range(rank) if storage_order == 0 else reversed(range(rank))
    flat = torch.zeros_like(index)
    for axis in order:
        flat = flat * sizes[axis] + coordinates[axis]
    channels = torch.arange(y.shape[0] * y.shape[1]).reshape(y.shape[0], y.shape[1], *[1] * rank)
    return y, flat + channels * torch.Size(sizes).numel()


def max_unpool(
    x: torch.Tensor, indices: torch.Tensor, unpooled: tuple[int, ...], shape: tuple[int, ...]
) -> torch.Tensor:
    """ONNX MaxUnpool: `x` scattered at its flat `indices` into zeros of the `unpooled` shape.

    The result is then zero-padded at the end to `shape`.
    """
    y = torch.zeros(torch.Size(unpooled).numel(), dtype=x.dtype).index_put_(
        (indices.reshape(-1),), x.reshape(-1)
    )
    widths = [(0, size - inner) for size, inner in zip(shape, unpooled, strict=True)]
    return F.pad(y.reshape(unpooled), torch_pad_arg(widths))


def roi_align(
    x: torch.Tensor,
    rois: torch.Tensor,
    batch_indices: torch.Tensor,
    output_size: tuple[int, int],
    sampling_ratio: int,
    spatial_scale: float,
    half_pixel: bool,
    mode: str,
) -> torch.Tensor:
    """ONNX RoiAlign: each region's bins averaged (or maxed) over a grid of bilinear samples.

    A region (x1, y1, x2, y2), scaled by `spatial_scale` and shifted by half a
    pixel when `half_pixel`, is cut into `output_size` bins, each sampled
    `sampling_ratio` times per axis (default: as often as the bin is wide). A
    sample more than one pixel outside the image is zero; in 'max' mode a
    sample is the largest of its four weighted corners.
    """
    height, width = x.shape[2:]
    out_h, out_w = output_size
    pooled = []
    for roi, batch in zip(rois.double().tolist(), batch_indices.tolist(), strict=True):
        shift = 0.5 if half_pixel else 0.0
        start_w, start_h, end_w, end_h = (value * spatial_scale - shift for value in roi)
        roi_w, roi_h = end_w - start_w, end_h - start_h
        if not half_pixel:  # malformed regions become 1x1
            roi_w, roi_h = max(roi_w, 1.0), max(roi_h, 1.0)
        grid_h = sampling_ratio if sampling_ratio > 0 else int(torch.tensor(roi_h / out_h).ceil())
        grid_w = sampling_ratio if sampling_ratio > 0 else int(torch.tensor(roi_w / out_w).ceil())
        if grid_h * grid_w == 0:
            pooled.append(torch.zeros((x.shape[1], out_h, out_w), dtype=x.dtype))
            continue
        rows, row_weights = roi_align_samples(start_h, roi_h / out_h, out_h, grid_h, height)
        cols, col_weights = roi_align_samples(start_w, roi_w / out_w, out_w, grid_w, width)
        image = x[batch].double()
        corners = [
            image[:, rows[i]][:, :, cols[j]] * (row_weights[i].reshape(-1, 1) * col_weights[j])
            for i in (0, 1)
            for j in (0, 1)
        ]
        stacked = torch.stack(corners)
        bins = (stacked.sum(0) if mode == "avg" else stacked.amax(0)).reshape(
            -1, out_h, grid_h, out_w, grid_w
        )
        result = bins.mean((2, 4)) if mode == "avg" else bins.amax((2, 4))
        pooled.append(result.to(x.dtype))
    return (
        torch.stack(pooled) if pooled else torch.zeros((0, x.shape[1], out_h, out_w), dtype=x.dtype)
    )


def roi_align_samples(
    start: float, bin_size: float, bins: int, grid: int, size: int
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """RoiAlign's samples along one axis: the low and high pixel of each, and their weights.

    The weights are bilinear (zero outside).
    """
    steps = torch.arange(bins, dtype=torch.float64).reshape(-1, 1) * bin_size
    position = (
        start + steps + (torch.arange(grid, dtype=torch.float64) + 0.5) * bin_size / grid
    ).reshape(-1)
    inside = (position >= -1.0) & (position <= size)
    position = position.clamp(min=0)
    low = position.long()
    edge = low >= size - 1
    low = torch.where(edge, size - 1, low)
    high = torch.where(edge, size - 1, low + 1)
    position = torch.where(edge, low.double(), position)
    fraction = position - low
    return (low, high), ((1 - fraction) * inside, fraction * inside)
