"""Resizing: `Resize`, with `F.interpolate` where it reproduces ONNX exactly and a helper otherwise.

    %y = dfg.resize %x, _, %scales {mode = "linear"} : (tensor<1x3x8x8xf32>, tensor<4xf32>) -> tensor<1x3x16x16xf32>
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ramiel.codegen.escape import literal
from ramiel.dialects.dfg.base import DfgOp, one_of, onnx_op
from ramiel.kernels import FLOAT_TYPES, KernelWriter, float_literal, tuple_literal

if TYPE_CHECKING:
    import torch


def _resize(n: KernelWriter) -> str:
    """Resize: `F.interpolate` where it reproduces ONNX exactly, else the `onnx_resize` helper."""
    shape = n.shape(0)
    rank = len(shape)
    mode = str(n.attr("mode"))
    coordinate_mode = str(n.attr("coordinate_transformation_mode"))
    axes = [axis % rank for axis in n.int_list("axes", list(range(rank)))]
    scales, stretched_sizes = _resize_scales(n, axes)
    if n.attr("antialias") and min(scales) < 1:
        raise n.fail("antialiased downscaling is not supported")
    x = n.arg(0)
    if n.out_shape == shape:
        return x
    float_data = n.dtype(0) in FLOAT_TYPES
    if mode != "nearest" and not float_data:
        raise n.fail(f"{mode} resizing of {n.dtype(0)} is not supported")
    # torch interpolates only floats, and to non-empty outputs; the helper gathers any type and size.
    if coordinate_mode != "tf_crop_and_resize" and float_data and 0 not in n.out_shape:
        interpolate = _interpolate(n, x, scales, stretched_sizes, mode, coordinate_mode)
        if interpolate is not None:
            return interpolate
    keywords = {}
    if mode == "nearest":
        keywords["nearest_mode"] = literal(str(n.attr("nearest_mode")))
    if mode == "cubic":
        keywords["cubic_coeff_a"] = n.float_text("cubic_coeff_a")
        if n.attr("exclude_outside"):
            keywords["exclude_outside"] = "True"
    if coordinate_mode == "tf_crop_and_resize":
        keywords["extrapolation_value"] = n.float_text("extrapolation_value")
        keywords["roi"] = tuple_literal(float_literal(value) for value in _resize_roi(n, axes))
    return n.call(
        "onnx_resize",
        x,
        tuple_literal(n.out_shape),
        tuple_literal(float_literal(scale) for scale in scales),
        literal(mode),
        literal(coordinate_mode),
        **keywords,
    )


def _resize_scales(n: KernelWriter, axes: list[int]) -> tuple[list[float], bool]:
    """The full-rank float32 scales ONNX Resize uses, and whether they came from `sizes` stretched per axis."""
    shape = n.shape(0)
    scales = [1.0] * len(shape)
    sizes_value = n.value(3)
    if n.has(3) and (sizes_value is None or sizes_value.size):
        policy = n.attr("keep_aspect_ratio_policy")
        sizes = n.ints(3)
        if sizes is None:
            if policy != "stretch":
                raise n.fail("non-constant sizes with keep_aspect_ratio_policy are not supported")
            sizes = [n.out_shape[axis] for axis in axes]
        for axis, size in zip(axes, sizes, strict=True):
            if shape[axis]:
                scales[axis] = float(np.float32(size) / np.float32(shape[axis]))
        if policy != "stretch":
            common = (min if policy == "not_larger" else max)(scales[axis] for axis in axes)
            for axis in axes:
                scales[axis] = common
        return scales, policy == "stretch"
    given = n.value(2)
    if given is None or not given.size:
        raise n.fail("needs constant scales or sizes")
    for axis, scale in zip(axes, given.reshape(-1), strict=True):
        scales[axis] = float(np.float32(scale))
    return scales, False


def _resize_roi(n: KernelWriter, axes: list[int]) -> list[float]:
    """The full-rank region of interest (starts, then ends) of a 'tf_crop_and_resize' Resize."""
    rank = len(n.shape(0))
    roi = n.value(1)
    if roi is None:
        raise n.fail("tf_crop_and_resize needs a constant roi")
    given = [float(value) for value in roi.reshape(-1)]
    full = [0.0] * rank + [1.0] * rank
    for position, axis in enumerate(axes):
        full[axis] = given[position]
        full[axis + rank] = given[position + len(axes)]
    return full


def _interpolate(
    n: KernelWriter, x: str, scales: list[float], stretched_sizes: bool, mode: str, coordinate_mode: str
) -> str | None:
    """`F.interpolate` computing the Resize exactly as ONNX does, or None when it cannot."""
    import torch

    from ramiel.runtime_helpers.resize import nearest_indices, resize_coordinates

    shape, out = n.shape(0), n.out_shape
    spatial = len(shape) - 2
    if not 1 <= spatial <= 3 or scales[0] != 1.0 or scales[1] != 1.0:
        return None
    in_sizes, out_sizes = shape[2:], out[2:]
    # torch reads a scale factor back from its printed text, so checks use that value.
    factors = [float(float_literal(scale)) for scale in scales[2:]]
    if stretched_sizes:
        size_arg = f"size={tuple_literal(out_sizes)}"
        probes: list[tuple[int | None, float | None]] = [(size, None) for size in out_sizes]
    elif all(math.floor(size * factor) == o for size, factor, o in zip(in_sizes, factors, out_sizes, strict=True)):
        size_arg = f"scale_factor={tuple_literal(float_literal(scale) for scale in scales[2:])}"
        probes = [(None, factor) for factor in factors]
    else:
        return None
    if mode == "nearest":
        wanted = [
            torch.arange(o)
            if scale == 1.0
            else nearest_indices(resize_coordinates(size, o, scale, coordinate_mode), size, str(n.attr("nearest_mode")))
            for size, o, scale in zip(in_sizes, out_sizes, scales[2:], strict=True)
        ]
        for torch_mode in ("nearest", "nearest-exact"):
            if all(
                torch.equal(_torch_nearest_indices(size, torch_mode, probe), indices)
                for size, probe, indices in zip(in_sizes, probes, wanted, strict=True)
            ):
                return f"F.interpolate({x}, {size_arg}, mode={literal(torch_mode)})"
        return None
    # torch copies an axis whose size does not change, whatever its scale factor.
    if any(size == o and scale != 1.0 for size, o, scale in zip(in_sizes, out_sizes, scales[2:], strict=True)):
        return None
    if coordinate_mode == "align_corners":
        align_corners = True
    elif coordinate_mode == "half_pixel" or (coordinate_mode == "pytorch_half_pixel" and min(out_sizes) > 1):
        align_corners = False
    else:
        return None
    if mode == "cubic":
        if spatial != 2 or n.attr("cubic_coeff_a") != -0.75 or n.attr("exclude_outside"):
            return None
        torch_mode = "bicubic"
    else:
        torch_mode = ("linear", "bilinear", "trilinear")[spatial - 1]
    return f"F.interpolate({x}, {size_arg}, mode={literal(torch_mode)}, align_corners={align_corners})"


def _torch_nearest_indices(size: int, mode: str, probe: tuple[int | None, float | None]) -> torch.Tensor:
    """The source indices `F.interpolate` reads along one axis given its (size, scale_factor), found by resampling the indices."""
    import torch
    import torch.nn.functional as F

    positions = torch.arange(size, dtype=torch.float32).reshape(1, 1, size)
    out_size, factor = probe
    return F.interpolate(positions, out_size, factor, mode=mode).reshape(-1).long()


@onnx_op(
    "Resize",
    kernel=_resize,
    attribute_values={
        "mode": one_of("nearest", "linear", "cubic"),
        "coordinate_transformation_mode": one_of(
            "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
            "tf_crop_and_resize",
        ),
        "nearest_mode": one_of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil"),
        "keep_aspect_ratio_policy": one_of("stretch", "not_larger", "not_smaller"),
    },
)  # fmt: skip
class ResizeOp(DfgOp):
    """ONNX `Resize` by scales or sizes, in the nearest, linear and cubic modes (no antialiasing when downscaling).

        %y = dfg.resize %x, _, %scales {mode = "linear"} : (tensor<1x3x8x8xf32>, tensor<4xf32>) -> tensor<1x3x16x16xf32>
    """
