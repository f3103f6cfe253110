"""Runtime helpers of Resize and GridSample."""

import torch
import torch.nn.functional as F


def resize_coordinates(
    in_size: int,
    out_size: int,
    scale: float,
    coordinate_mode: str,
    roi_start: float = 0.0,
    roi_end: float = 1.0,
    length: float | None = None,
) -> torch.Tensor:
    """Source coordinate of each output position along one axis for ONNX Resize.

    The arithmetic is in float32.

    `length` is the target length that 'align_corners' and 'tf_crop_and_resize'
    divide by: fractional, in_size * scale, when resizing by scales (ONNX's
    reference), `out_size` by default.
    """
    length = out_size if length is None else length
    resized = torch.arange(out_size, dtype=torch.float32)
    factor = torch.tensor(scale, dtype=torch.float32)
    if coordinate_mode == "asymmetric":
        return resized / factor
    if coordinate_mode == "tf_half_pixel_for_nn":
        return (resized + 0.5) / factor
    if coordinate_mode == "align_corners":
        if length == 1:
            return torch.zeros(out_size)
        return resized * (in_size - 1) / (length - 1)
    if coordinate_mode == "tf_crop_and_resize":
        start = torch.tensor(roi_start, dtype=torch.float32)
        end = torch.tensor(roi_end, dtype=torch.float32)
        if length == 1:
            return (0.5 * (start.double() + end.double()) * (in_size - 1)).float().expand(out_size)
        return start * (in_size - 1) + resized * (end - start) * (in_size - 1) / (length - 1)
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


def resize_taps(
    coordinates: torch.Tensor,
    size: int,
    scale: float,
    mode: str,
    cubic_coeff_a: float,
    exclude_outside: bool,
    antialias: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The input positions each output position reads along one axis, and their weights.

    This is for a linear or cubic ONNX Resize.

    The filter (a triangle, or Keys' cubic with `cubic_coeff_a`) is stretched
    by 1 / scale when `antialias` downscales. Taps outside the input read its
    edge, or get no weight when `exclude_outside`.
    """
    coordinates = coordinates.double()
    base = torch.floor(coordinates)
    # ONNX takes an integer coordinate as ratio 1 past the pixel before it.
    ratio = torch.where(coordinates == base, 1.0, coordinates - base)
    base = coordinates - ratio
    stretch = min(scale, 1.0) if antialias else 1.0
    reach = 1 if mode == "linear" else 2
    start = int((-reach / stretch) // 1) + 1
    offsets = torch.arange(start, 2 - start, dtype=torch.float64)
    distance = ((offsets - ratio.reshape(-1, 1)) * stretch).abs()
    if mode == "linear":
        weights = (1 - distance).clamp(0, 1)
    else:
        a = cubic_coeff_a
        near = ((a + 2) * distance - (a + 3)) * distance * distance + 1
        far = ((a * distance - 5 * a) * distance + 8 * a) * distance - 4 * a
        weights = torch.where(distance <= 1, near, torch.where(distance < 2, far, 0.0))
    taps = (base.reshape(-1, 1) + offsets).long()
    if exclude_outside:
        weights = torch.where((taps >= 0) & (taps < size), weights, 0.0)
    total = weights.sum(-1, keepdim=True)
    return taps.clamp(0, size - 1), weights / torch.where(total == 0, 1.0, total)


def resize_axis(
    x: torch.Tensor,
    axis: int,
    coordinates: torch.Tensor,
    scale: float,
    mode: str,
    nearest_mode: str,
    cubic_coeff_a: float,
    exclude_outside: bool,
    antialias: bool,
) -> torch.Tensor:
    """Resample `x` along `axis` at the given source coordinates (ONNX Resize, one axis)."""
    size = x.shape[axis]
    if mode == "nearest":
        return x.index_select(axis, nearest_indices(coordinates, size, nearest_mode))
    taps, weights = resize_taps(
        coordinates, size, scale, mode, cubic_coeff_a, exclude_outside, antialias
    )
    picked = x.index_select(axis, taps.reshape(-1)).reshape(
        *x.shape[:axis], *taps.shape, *x.shape[axis + 1 :]
    )
    view = [1] * axis + list(taps.shape) + [1] * (x.dim() - axis - 1)
    return (picked * weights.to(x.dtype).reshape(view)).sum(axis + 1)


def resize_scales(
    shape: tuple[int, ...],
    axes: tuple[int, ...],
    scales: list[float] | None,
    sizes: list[int] | None,
    policy: str,
) -> tuple[float, ...]:
    """The full-rank scales ONNX Resize uses, in float32.

    They are the given `scales` of `axes`, or come from `sizes`.

    Sizes give each axis its own scale with the 'stretch' policy, else the
    smallest ('not_larger') or largest ('not_smaller') of them for all `axes`.
    """
    full = [1.0] * len(shape)
    if sizes is None:
        for axis, scale in zip(axes, scales or (), strict=True):
            full[axis] = float(torch.tensor(scale, dtype=torch.float32))
        return tuple(full)
    ratios = [
        float(torch.tensor(size, dtype=torch.float32) / shape[axis]) if shape[axis] else 1.0
        for axis, size in zip(axes, sizes, strict=True)
    ]
    if policy != "stretch":
        ratios = [(min if policy == "not_larger" else max)(ratios)] * len(axes)
    for axis, ratio in zip(axes, ratios, strict=True):
        full[axis] = ratio
    return tuple(full)


def resize_roi(roi: list[float], rank: int, axes: tuple[int, ...]) -> tuple[float, ...]:
    """The full-rank region of interest (starts, then ends) of a 'tf_crop_and_resize' Resize.

    `roi` gives it for `axes`.
    """
    full = [0.0] * rank + [1.0] * rank
    for position, axis in enumerate(axes):
        full[axis] = roi[position]
        full[axis + rank] = roi[position + len(axes)]
    return tuple(full)


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
    antialias: bool = False,
    by_scales: bool = False,
) -> torch.Tensor:
    """ONNX Resize as one separable pass per resized axis.

    `sizes` is the output shape and `scales` the per-axis scale ONNX uses for the
    coordinate transformation (both full rank); `roi` (starts, then ends, full rank)
    matters only for 'tf_crop_and_resize'. With `by_scales`, the target lengths
    are the fractional in_size * scale, as ONNX's reference reads them.
    """
    if tuple(sizes) == tuple(x.shape):
        return x
    rank = x.dim()
    for axis in range(rank):
        # An axis with scale 1 keeps its elements whatever the coordinate mode.
        if scales[axis] == 1.0:
            continue
        roi_start, roi_end = (roi[axis], roi[axis + rank]) if roi is not None else (0.0, 1.0)
        length = x.shape[axis] * scales[axis] if by_scales else sizes[axis]
        coordinates = resize_coordinates(
            x.shape[axis], sizes[axis], scales[axis], coordinate_mode, roi_start, roi_end, length
        )
        resized = resize_axis(
            x,
            axis,
            coordinates,
            scales[axis],
            mode,
            nearest_mode,
            cubic_coeff_a,
            exclude_outside,
            antialias,
        )
        if coordinate_mode == "tf_crop_and_resize":
            outside = (coordinates < 0) | (coordinates > x.shape[axis] - 1)
            view = [1] * rank
            view[axis] = -1
            resized = resized.masked_fill(outside.reshape(view), extrapolation_value)
        x = resized
    return x


def sample_nearest(
    x: torch.Tensor, grid: torch.Tensor, padding_mode: str, align_corners: bool
) -> torch.Tensor:
    """ONNX GridSample in nearest mode of data of any element type, exactly.

    `F.grid_sample` samples only floats, so it samples an image of pixel numbers
    (1 onwards, 0 for the zero padding) instead, whose samples then pick the pixels.
    """
    batch, channels, *sizes = x.shape
    count = torch.Size(sizes).numel()
    dtype = torch.promote_types(grid.dtype, torch.float32)
    numbers = torch.arange(1, count + 1, dtype=dtype).reshape(1, 1, *sizes).expand(batch, 1, *sizes)
    picked = F.grid_sample(
        numbers,
        grid.to(dtype),
        mode="nearest",
        padding_mode=padding_mode,
        align_corners=align_corners,
    )
    picked = picked.long().reshape(batch, -1)
    # Pixel numbers across the batch, as rows of (pixel, channels).
    rows = (picked - 1).clamp(min=0) + torch.arange(batch).reshape(-1, 1) * count
    pixels = x.reshape(batch, channels, count).transpose(1, 2).reshape(batch * count, channels)
    values = pixels.index_select(0, rows.reshape(-1)).reshape(batch, -1, channels)
    values = torch.where((picked > 0).unsqueeze(-1), values, torch.zeros((), dtype=x.dtype))
    return values.transpose(1, 2).reshape(batch, channels, *grid.shape[1:-1])
