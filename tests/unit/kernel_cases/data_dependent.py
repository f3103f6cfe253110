"""Kernel cases of the operators whose result sizes the values decide (NonZero, Unique,
NonMaxSuppression); `test_detection_helpers` checks the helpers behind the last two
on many more inputs."""

import numpy as np

from tests.unit.kernel_cases.core import case, f32, i64, rand

_SPARSE = np.array([[0.0, 1.5, 0.0], [-2.0, 0.0, 0.0]], dtype=np.float32)
case("NonZero", _SPARSE)
case("NonZero", np.zeros((2, 3), dtype=np.float32))  # nothing found: a 2x0 result
case("NonZero", rand(2, 3, 4, dtype=np.int64, low=-1, high=2))
case("NonZero", rand(5) > 0)

_REPEATS = f32(2.0, -1.0, 2.0, 0.5, -1.0, 3.0)
case("Unique", _REPEATS, outputs=4)
case("Unique", _REPEATS, outputs=4, sorted=0)
case("Unique", _REPEATS)
_ROWS = np.array([[1, 2], [3, 4], [1, 2], [0, 9]], dtype=np.int64)
case("Unique", _ROWS, outputs=4, axis=0)
case("Unique", _ROWS, outputs=3, axis=-1, sorted=0)

# Two clusters of overlapping boxes and one apart, over two classes.
_BOXES = np.array(
    [[[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0.5, 0.5, 10, 10], [50, 50, 60, 60]]], dtype=np.float32
)
_SCORES = np.array([[[0.9, 0.8, 0.7, 0.95, 0.1], [0.2, 0.6, 0.6, 0.3, 0.5]]], dtype=np.float32)
case("NonMaxSuppression", _BOXES, _SCORES, i64(2), f32(0.5), f32(0.15))
case("NonMaxSuppression", _BOXES, _SCORES, i64(5), f32(0.3))
case("NonMaxSuppression", _BOXES[:, :, [1, 0, 3, 2]], _SCORES, i64(3), f32(0.5), f32(0.0), center_point_box=0)
