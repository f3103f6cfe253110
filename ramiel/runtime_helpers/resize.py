"""Runtime helpers of Resize."""

import torch


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
