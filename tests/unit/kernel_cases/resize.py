"""Kernel cases of the resize operators."""

import numpy as np

from tests.unit.kernel_cases.core import both, case, f32, i64, rand

# Resize: torch-equivalent configurations and the helper for the rest.
_IMAGE = rand(1, 2, 4, 5)
_SMALL = rand(1, 2, 8, 7)
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,))
case("Resize", _IMAGE, None, f32(1, 1, 3, 1.5), const=(2,))
case("Resize", _SMALL, None, f32(1, 1, 0.5, 0.5), const=(2,))
case("Resize", _SMALL, None, f32(1, 1, 0.5, 0.5), const=(2,), nearest_mode="round_prefer_ceil")
case("Resize", _SMALL, None, f32(1, 1, 0.6, 1.3), const=(2,), nearest_mode="ceil", coordinate_transformation_mode="tf_half_pixel_for_nn")
both("Resize", _IMAGE, None, None, i64(1, 2, 7, 9), const=(3,))
case("Resize", _IMAGE, None, None, i64(1, 2, 7, 9), const=(3,), coordinate_transformation_mode="align_corners")
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="linear")
case("Resize", _IMAGE, None, f32(1, 1, 1.7, 2.3), const=(2,), mode="linear", coordinate_transformation_mode="pytorch_half_pixel")
case("Resize", _SMALL, None, f32(1, 1, 0.5, 0.75), const=(2,), mode="linear")
case("Resize", _IMAGE, None, None, i64(1, 2, 7, 9), const=(3,), mode="linear", coordinate_transformation_mode="align_corners")
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="linear", coordinate_transformation_mode="asymmetric")
case("Resize", _IMAGE, None, f32(1, 1, 1.5, 2.5), const=(2,), mode="linear", coordinate_transformation_mode="half_pixel_symmetric")
case("Resize", _IMAGE, None, None, i64(1, 2, 1, 9), const=(3,), mode="linear", coordinate_transformation_mode="pytorch_half_pixel")
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="cubic")
case("Resize", _IMAGE, None, None, i64(1, 2, 7, 9), const=(3,), mode="cubic", coordinate_transformation_mode="align_corners")
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="cubic", cubic_coeff_a=-0.5)
case("Resize", _IMAGE, None, f32(1, 1, 1.5, 1.5), const=(2,), mode="cubic", exclude_outside=1)
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="cubic", coordinate_transformation_mode="asymmetric")
case("Resize", _IMAGE, None, None, i64(8, 8), const=(3,), axes=[2, 3], keep_aspect_ratio_policy="not_larger")
case("Resize", _IMAGE, None, None, i64(8, 8), const=(3,), axes=[2, 3], keep_aspect_ratio_policy="not_smaller", mode="linear")
case("Resize", _IMAGE, None, f32(2, 3), const=(2,), axes=[-1, 2], mode="linear")
case("Resize", _IMAGE, f32(0.2, 0.1, 0.8, 0.9), f32(1.5, 2), const=(1, 2), axes=[2, 3], mode="linear", coordinate_transformation_mode="tf_crop_and_resize", extrapolation_value=-1.0)
case("Resize", _IMAGE, f32(0, 0, 0.3, -0.2, 1, 1, 0.9, 1.2), f32(1, 1, 2, 2), const=(1, 2), coordinate_transformation_mode="tf_crop_and_resize", extrapolation_value=5.0)
case("Resize", rand(2, 6), None, f32(1.5, 2), const=(2,), mode="linear")
case("Resize", rand(1, 2, 3, 4, 5), None, f32(1, 1, 2, 1.5, 0.5), const=(2,), mode="linear")
case("Resize", rand(3, 5), None, f32(2, 1.5), const=(2,))
case("Resize", _IMAGE, None, f32(1, 1, 2, 2), const=(2,), mode="linear", antialias=1)
case("Resize", _IMAGE, None, f32(1, 1, 1, 1), const=(2,), mode="linear")
case("Resize", _IMAGE, None, f32(1, 1, 1.2, 1.5), const=(2,), mode="linear")
case("Resize", _IMAGE, None, f32(1, 1, 2, 1.5), const=(2,), mode="cubic", antialias=1)
case("Resize", rand(1, 2, 4, 5, dtype=np.uint8, low=0, high=250), None, f32(1, 1, 2, 2), const=(2,))
case("Resize", rand(1, 2, 4, 5, dtype=np.int32, low=-9, high=9), None, None, i64(1, 2, 7, 3), const=(3,))
# Scales, sizes and regions known only at run time.
both("Resize", _IMAGE, None, f32(1, 1, 0.6, 1.7), const=(2,), mode="linear", coordinate_transformation_mode="asymmetric")
both("Resize", _IMAGE, None, f32(1.5, 0.8), const=(2,), axes=[3, 2], mode="cubic", exclude_outside=1)
both("Resize", _IMAGE, None, None, i64(7, 3), const=(3,), axes=[2, 3], keep_aspect_ratio_policy="not_larger")
both("Resize", _IMAGE, None, None, i64(7, 3), const=(3,), axes=[2, 3], keep_aspect_ratio_policy="not_smaller", mode="linear")
both("Resize", _IMAGE, f32(0.1, 0.3, 0.7, 1.2), None, i64(5, 6), const=(1, 3), axes=[2, 3], mode="linear", coordinate_transformation_mode="tf_crop_and_resize")
# Antialiased downscaling widens the filter by 1 / scale.
both("Resize", _SMALL, None, f32(1, 1, 0.5, 0.6), const=(2,), mode="linear", antialias=1)
case("Resize", _SMALL, None, None, i64(1, 2, 3, 5), const=(3,), mode="cubic", antialias=1)
case("Resize", _SMALL, None, f32(1, 1, 0.4, 1.5), const=(2,), mode="cubic", antialias=1, exclude_outside=1, cubic_coeff_a=-0.5)
# ONNX's reference, which the backend tests follow, aligns corners on in_size * scale; onnxruntime on the output size.
both("Resize", _IMAGE, None, f32(1, 1, 0.6, 0.7), const=(2,), mode="linear", coordinate_transformation_mode="align_corners", reference="onnx")
# GridSample: every mode and padding mode, corners aligned or not, grids reaching outside.
_GRID = rand(1, 4, 5, 2, low=-1.3, high=1.3)
for _mode in ("linear", "nearest", "cubic"):
    for _padding in ("zeros", "border", "reflection"):
        case("GridSample", _IMAGE, _GRID, mode=_mode, padding_mode=_padding)
    case("GridSample", _IMAGE, _GRID, mode=_mode, align_corners=1, padding_mode="reflection")
case("GridSample", rand(1, 2, 3, 4, 5), rand(1, 2, 3, 4, 3, low=-1.2, high=1.2), mode="linear", padding_mode="border")
case("GridSample", rand(1, 2, 3, 4, 5), rand(1, 2, 3, 4, 3, low=-1.2, high=1.2), mode="nearest", align_corners=1)
# AffineGrid: 2-D and 3-D, corners aligned or not; the size's channels do not matter.
_THETA_2D, _THETA_3D = rand(2, 2, 3), rand(2, 3, 4)
for _align in (0, 1):
    case("AffineGrid", _THETA_2D, i64(2, 5, 4, 3), const=(1,), align_corners=_align)
    case("AffineGrid", _THETA_3D, i64(2, 1, 3, 2, 4), const=(1,), align_corners=_align)
case("AffineGrid", _THETA_2D.astype(np.float64), i64(2, 1, 1, 6), const=(1,))


def affine_grid(theta: np.ndarray, size: tuple[int, ...], align_corners: int = 0) -> np.ndarray:
    """AffineGrid from the specification in float64, rounded once to theta's type: onnxruntime takes float and double only."""
    axes = []
    for length in size[2:]:
        points = np.linspace(-1, 1, length) if align_corners else (np.arange(length) * 2 + 1) / length - 1
        axes.append(points)
    # Homogeneous positions (x, y[, z], 1), x varying along the last axis.
    grid = np.meshgrid(*axes, indexing="ij")
    positions = np.stack([*reversed(grid), np.ones_like(grid[0])], -1)
    return np.einsum("...k,nik->n...i", positions, theta.astype(np.float64)).astype(theta.dtype)


for _theta, _size in ((_THETA_2D, (2, 1, 3, 4)), (_THETA_3D, (2, 1, 2, 3, 2))):
    _HALF = _theta.astype(np.float16)
    case("AffineGrid", _HALF, i64(*_size), const=(1,), align_corners=1, reference=(affine_grid(_HALF, _size, 1),))
# GridSample of data other than floats: nearest only, every padding mode (onnxruntime samples floats only).
for _dtype, _padding in ((np.int32, "zeros"), (np.uint8, "border"), (np.int64, "reflection")):
    case("GridSample", rand(2, 3, 4, 5, dtype=_dtype, low=0, high=100), rand(2, 3, 4, 2, low=-1.3, high=1.3), mode="nearest", padding_mode=_padding, reference="onnx")
case("GridSample", rand(1, 2, 3, 4, 5, dtype=np.int16, low=-50, high=50), rand(1, 2, 3, 4, 3, low=-1.2, high=1.2), mode="nearest", align_corners=1, reference="onnx")
case("GridSample", rand(1, 2, 4, 5, dtype=np.uint16, low=0, high=60000), rand(1, 3, 4, 2, low=-1.3, high=1.3), mode="nearest", reference="onnx")
case("GridSample", rand(1, 2, 4, 5) > 0, rand(1, 3, 4, 2, low=-1.3, high=1.3), mode="nearest", padding_mode="border", reference="onnx")
