"""Resampling: `Resize`, with `F.interpolate` where it reproduces ONNX exactly and a helper otherwise, and the sampling grids of `AffineGrid` and `GridSample`.

    %y = dfg.resize %x, _, %scales {mode = "linear"} : (tensor<1x3x8x8xf32>, tensor<4xf32>) -> tensor<1x3x16x16xf32>
    %g = dfg.affine_grid %theta, %size : (tensor<1x2x3xf32>, tensor<4xi64>) -> tensor<1x4x4x2xf32>
    %s = dfg.grid_sample %x, %g : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ramiel.codegen.escape import literal
from ramiel.dialects.dfg.base import DfgOp, Shapes, expect, one_of, onnx_op, shape_text
from ramiel.kernels import (
    FLOAT_TYPES,
    KernelWriter,
    float_literal,
    keyword_args,
    tuple_literal,
)
from ramiel.onnx_types import static_shape

if TYPE_CHECKING:
    import torch


def _resize(n: KernelWriter) -> str:
    """Resize: `F.interpolate` where it reproduces ONNX exactly, else the `onnx_resize` helper (with computed scales or roi read at run time)."""
    shape = n.shape(0)
    rank = len(shape)
    mode = str(n.attr("mode"))
    coordinate_mode = str(n.attr("coordinate_transformation_mode"))
    axes = [axis % rank for axis in n.int_list("axes", list(range(rank)))]
    x = n.arg(0)
    if n.out_shape == shape:
        return x
    float_data = n.dtype(0) in FLOAT_TYPES
    if mode != "nearest" and not float_data:
        raise n.fail(f"{mode} resizing of {n.dtype(0)} is not supported")
    scales = _resize_scales(n, axes)
    cropping = coordinate_mode == "tf_crop_and_resize"
    antialiased = bool(n.attr("antialias")) and mode != "nearest"
    # torch interpolates only floats, and to non-empty outputs; the helper gathers any type and size.
    if isinstance(scales, tuple) and not cropping and not antialiased and float_data and 0 not in n.out_shape:
        interpolate = _interpolate(n, x, *scales, mode, coordinate_mode)
        if interpolate is not None:
            return interpolate
    keywords = {}
    if mode == "nearest":
        keywords["nearest_mode"] = literal(str(n.attr("nearest_mode")))
    if mode == "cubic":
        keywords["cubic_coeff_a"] = n.float_text("cubic_coeff_a")
        if n.attr("exclude_outside"):
            keywords["exclude_outside"] = "True"
    if cropping:
        keywords["extrapolation_value"] = n.float_text("extrapolation_value")
        keywords["roi"] = _resize_roi(n, axes)
    if antialiased:
        keywords["antialias"] = "True"
    if _by_scales(n) and coordinate_mode in ("align_corners", "tf_crop_and_resize"):
        keywords["by_scales"] = "True"
    scales_text = scales if isinstance(scales, str) else tuple_literal(float_literal(scale) for scale in scales[0])
    return n.call(
        "onnx_resize", x, tuple_literal(n.out_shape), scales_text, literal(mode), literal(coordinate_mode), **keywords
    )


def _resize_scales(n: KernelWriter, axes: list[int]) -> tuple[list[float], bool] | str:
    """The full-rank float32 scales ONNX Resize uses and whether they came from `sizes` stretched per axis.

    Scales that depend on values known only at run time are a call of the
    `resize_scales` helper instead; sizes stretched per axis are the output's.
    """
    from ramiel.runtime_helpers.resize import resize_scales

    shape = n.shape(0)
    policy = str(n.attr("keep_aspect_ratio_policy"))
    by_sizes = not _by_scales(n)
    if by_sizes:
        sizes = n.ints(3)
        if sizes is None and policy == "stretch":
            sizes = [n.out_shape[axis] for axis in axes]
        given, index = None, 3
    else:
        sizes, given, index = None, n.value(2), 2
        if not n.has(2):
            raise n.fail("needs scales or sizes")
    if (by_sizes and sizes is None) or (not by_sizes and given is None):
        values = [f"{n.arg(index)}.tolist()", "None"]
        arguments = values if index == 2 else values[::-1]
        return n.call("resize_scales", f"{n.arg(0)}.shape", tuple_literal(axes), *arguments, literal(policy))
    scales = [float(value) for value in given.reshape(-1)] if given is not None else None
    full = resize_scales(shape, tuple(axes), scales, sizes, policy)
    return list(full), by_sizes and policy == "stretch"


def _by_scales(n: KernelWriter) -> bool:
    """Whether the Resize is given by scales: it has no sizes, or empty constant ones."""
    sizes = n.value(3)
    return not n.has(3) or (sizes is not None and sizes.size == 0)


def _resize_roi(n: KernelWriter, axes: list[int]) -> str:
    """The full-rank region of interest (starts, then ends) of a 'tf_crop_and_resize' Resize, as a literal or a `resize_roi` call."""
    from ramiel.runtime_helpers.resize import resize_roi

    rank = n.rank(0)
    roi = n.value(1)
    if roi is None:
        if not n.has(1):
            raise n.fail("tf_crop_and_resize needs a roi")
        return n.call("resize_roi", f"{n.arg(1)}.tolist()", str(rank), tuple_literal(axes))
    full = resize_roi([float(value) for value in roi.reshape(-1)], rank, tuple(axes))
    return tuple_literal(float_literal(value) for value in full)


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
    # torch aligns corners on the integer output lengths; ONNX on in_size * scale.
    fractional = any(size * scale != o for size, scale, o in zip(in_sizes, scales[2:], out_sizes, strict=True))
    if coordinate_mode == "align_corners" and _by_scales(n) and fractional:
        return None
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


_TORCH_SAMPLE_MODES = {"linear": "bilinear", "bilinear": "bilinear", "nearest": "nearest", "cubic": "bicubic", "bicubic": "bicubic"}
"""torch's name of each GridSample mode (opset 16 spelt linear and cubic as bilinear and bicubic)."""


def _grid_sample(n: KernelWriter) -> str:
    """GridSample: `F.grid_sample`, bicubic in 2-D only; data other than floats only in nearest mode, by the `sample_nearest` helper."""
    mode = _TORCH_SAMPLE_MODES[str(n.attr("mode"))]
    spatial = n.rank(0) - 2
    if not 2 <= spatial <= 3 or (mode == "bicubic" and spatial != 2):
        raise n.fail(f"{spatial}-D {n.attr('mode')} sampling is not supported")
    padding_mode, align_corners = literal(str(n.attr("padding_mode"))), str(bool(n.attr("align_corners")))
    if n.dtype(0) not in FLOAT_TYPES:
        if mode != "nearest":
            raise n.fail(f"{n.attr('mode')} sampling of {n.dtype(0)} is not supported")
        return n.call("sample_nearest", n.arg(0), n.arg(1), padding_mode, align_corners)
    keywords = {"mode": literal(mode), "padding_mode": padding_mode}
    return f"F.grid_sample({n.arg(0)}, {n.arg(1)}{keyword_args(**keywords)}, align_corners={align_corners})"


@onnx_op(
    "GridSample",
    kernel=_grid_sample,
    fresh=True,
    attribute_values={
        "mode": one_of(*_TORCH_SAMPLE_MODES),
        "padding_mode": one_of("zeros", "border", "reflection"),
    },
)
class GridSampleOp(DfgOp):
    """ONNX `GridSample` of 4-D or 5-D input at the grid's normalised coordinates, in the linear, nearest and (4-D) cubic modes (nearest only for data other than floats).

        %y = dfg.grid_sample %x, %grid {mode = "nearest"} : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
    """


def _affine_grid(n: KernelWriter) -> str:
    """AffineGrid: `F.affine_grid` over the output's batch and spatial sizes, half-precision theta in float32 rounded once."""
    out = n.out_shape
    size = tuple_literal((out[0], 1, *out[1:-1]))
    align_corners = bool(n.attr("align_corners"))
    theta, dtype = n.arg(0), n.dtype(0)
    if dtype in ("float16", "bfloat16"):
        return f"F.affine_grid({theta}.float(), {size}, align_corners={align_corners}).to(torch.{dtype})"
    return f"F.affine_grid({theta}, {size}, align_corners={align_corners})"


@onnx_op("AffineGrid", kernel=_affine_grid, fresh=True)
class AffineGridOp(DfgOp):
    """ONNX `AffineGrid`: the normalised 2-D or 3-D sampling grid of a batch of affine matrices, for `GridSample`.

    The size input (N, C, H, W) or (N, C, D, H, W) fixes the result's shape, and so
    is not read at run time.

        %g = dfg.affine_grid %theta, %size {align_corners = 1 : i64} : (tensor<2x2x3xf32>, tensor<4xi64>) -> tensor<2x4x5x2xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        theta = shapes[0]
        grid = static_shape(self.results[0].type)
        rank = len(grid) - 2
        expect(
            rank in (2, 3) and theta == (grid[0], rank, rank + 1),
            f"theta of shape {shape_text(theta)} does not map the grid of shape {shape_text(grid)}",
        )
