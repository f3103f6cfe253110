"""Kernel cases of the pool operators."""

import numpy as np

from tests.unit.kernel_cases.core import case, rand

case("MaxPool", rand(1, 2, 9, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
case("MaxPool", rand(1, 2, 8, 8), kernel_shape=[2, 2], strides=[2, 2])
case("MaxPool", rand(1, 2, 8, 9), kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
case("MaxPool", rand(1, 2, 8, 9), kernel_shape=[3, 2], pads=[0, 1, 2, 0])
case("MaxPool", rand(1, 2, 9, 9), kernel_shape=[3, 3], dilations=[2, 2], pads=[2, 2, 2, 2])
# Strides beyond the input, and beyond a C int: one window on that axis.
case("MaxPool", rand(1, 2, 5, 5), kernel_shape=[2, 2], strides=[2**40, 1], ceil_mode=1)
case("AveragePool", rand(1, 2, 5, 5), kernel_shape=[2, 2], strides=[2**40, 7], pads=[1, 0, 1, 0])
case("MaxPool", rand(1, 2, 10, 9), kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")
case("MaxPool", rand(1, 2, 10, 9), kernel_shape=[4, 4], strides=[2, 2], auto_pad="SAME_LOWER")
case("MaxPool", rand(1, 2, 11), kernel_shape=[3], strides=[2], auto_pad="VALID")
case("MaxPool", rand(1, 2, 5, 6, 5), kernel_shape=[2, 3, 2], strides=[2, 1, 2], ceil_mode=1)
case("MaxPool", rand(1, 2, 9, 9).astype(np.float16), kernel_shape=[3, 3])
case("MaxPool", rand(1, 2, 9, 7), kernel_shape=[3, 2], strides=[2, 1], ceil_mode=1, pads=[1, 1, 2, 1])
case("MaxPool", rand(1, 2, 7, 7, dtype=np.int8, low=-100, high=100), kernel_shape=[3, 3], pads=[1, 0, 1, 1])
case("MaxPool", rand(1, 2, 7, 7, dtype=np.uint8, low=0, high=200), kernel_shape=[2, 2], strides=[2, 2])
case("MaxPool", rand(1, 2, 10, 9), kernel_shape=[3, 3], dilations=[2, 2], auto_pad="SAME_UPPER", reference="onnx")
case("MaxPool", rand(1, 2, 10, 9), kernel_shape=[2, 2], dilations=[2, 1], strides=[2, 2], auto_pad="SAME_UPPER", reference="onnx")
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 2], pads=[0, 1, 2, 0])
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 2], pads=[0, 1, 2, 0], count_include_pad=1)
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[0, 1, 1, 0], ceil_mode=1)
case("AveragePool", rand(1, 2, 10, 9), kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")
case("AveragePool", rand(1, 2, 10, 9), kernel_shape=[2, 2], strides=[1, 1], auto_pad="SAME_LOWER")
case("AveragePool", rand(1, 2, 12), kernel_shape=[4], strides=[4])
case("AveragePool", rand(1, 2, 5, 9), kernel_shape=[2, 3], strides=[2, 2], ceil_mode=1, pads=[1, 0, 1, 2], count_include_pad=1)
case("AveragePool", rand(1, 2, 5, 6), kernel_shape=[3, 2], strides=[2, 2], ceil_mode=1, pads=[1, 0, 0, 1])
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], pads=[2, 2, 2, 2])
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], pads=[2, 2, 2, 2], count_include_pad=1)
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1)
case("AveragePool", rand(1, 2, 8, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[0, 1, 1, 0], ceil_mode=1, count_include_pad=1)
case("AveragePool", rand(1, 2, 5, 6, 5), kernel_shape=[2, 2, 2], pads=[1, 1, 1, 1, 1, 1])
case("GlobalAveragePool", rand(2, 3, 5, 4))
case("GlobalAveragePool", rand(1, 3, 7))
case("GlobalMaxPool", rand(2, 3, 5, 4))
case("GlobalMaxPool", rand(1, 3, 2, 3, 4))
# MaxPool's indices: flat over the whole input, row- or column-major, through torch's padding and explicit pads.
case("MaxPool", rand(2, 3, 6, 5), kernel_shape=[2, 2], strides=[2, 2], outputs=2)
# ONNX's reference evaluator gets column-major indices wrong (negative ones among them); onnxruntime agrees with the backend tests.
case("MaxPool", rand(2, 3, 6, 5), kernel_shape=[3, 3], pads=[1, 1, 1, 1], outputs=2, storage_order=1)
case("MaxPool", rand(1, 2, 8, 9), kernel_shape=[3, 2], pads=[0, 1, 2, 0], strides=[2, 1], ceil_mode=1, outputs=2)
case("MaxPool", rand(1, 2, 9), kernel_shape=[3], dilations=[2], outputs=2)
case("MaxPool", rand(1, 2, 4, 5, 4), kernel_shape=[2, 2, 2], outputs=2, storage_order=1)
# Dilated AveragePool and LpPool: window sums.
case("AveragePool", rand(1, 2, 9, 9), kernel_shape=[3, 3], dilations=[2, 2])
case("AveragePool", rand(1, 2, 9, 8), kernel_shape=[3, 2], dilations=[2, 3], pads=[1, 0, 2, 1], count_include_pad=1)
case("AveragePool", rand(1, 2, 10, 9), kernel_shape=[3, 3], dilations=[2, 2], strides=[3, 2], pads=[1, 1, 1, 1], ceil_mode=1)
case("AveragePool", rand(1, 2, 10, 9), kernel_shape=[3, 3], dilations=[2, 2], strides=[3, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1)
case("AveragePool", rand(1, 2, 7, 6, 5), kernel_shape=[2, 2, 2], dilations=[2, 1, 2], pads=[1, 0, 1, 0, 1, 1])
case("LpPool", rand(1, 2, 7, 7), kernel_shape=[3, 3])
case("LpPool", rand(1, 2, 7, 7), kernel_shape=[2, 3], p=3, strides=[2, 1], pads=[1, 0, 0, 1])
case("LpPool", rand(1, 2, 9, 8), kernel_shape=[3, 2], p=1, dilations=[2, 2], pads=[2, 1, 2, 0])
case("LpPool", rand(1, 2, 9, 8), kernel_shape=[3, 2], auto_pad="SAME_LOWER")
case("LpPool", rand(1, 2, 11), kernel_shape=[3], strides=[2], ceil_mode=1)


def global_lp_pool(x: np.ndarray, p: int = 2) -> np.ndarray:
    """GlobalLpPool as the specification defines it: neither onnxruntime nor ONNX's reference implements opset 22."""
    axes = tuple(range(2, x.ndim))
    return (np.abs(x.astype(np.float64)) ** p).sum(axes, keepdims=True) ** (1 / p)


for _x, _p in ((rand(2, 3, 4, 5), 2), (rand(1, 3, 7), 1), (rand(1, 2, 3, 4, 2), 3)):
    case("GlobalLpPool", _x, p=_p, reference=(global_lp_pool(_x, _p).astype(np.float32),))


def max_pool_2x2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values and flat indices (over the whole input) of a 2x2, stride-2 MaxPool, as MaxUnpool takes them."""
    n, c, h, w = x.shape
    windows = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
    best = windows.argmax(-1)
    rows = np.arange(h // 2).reshape(-1, 1) * 2 + best // 2
    cols = np.arange(w // 2) * 2 + best % 2
    planes = np.arange(n * c).reshape(n, c, 1, 1) * h * w
    return windows.max(-1), (planes + rows * w + cols).astype(np.int64)


_UNPOOL = max_pool_2x2(rand(2, 3, 4, 6))
case("MaxUnpool", *_UNPOOL, kernel_shape=[2, 2], strides=[2, 2])
case("MaxUnpool", *_UNPOOL, kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 0, 0])
case("MaxUnpool", *_UNPOOL, np.array([2, 3, 5, 7], dtype=np.int64), const=(2,), kernel_shape=[2, 2], strides=[2, 2], reference="onnx")
_FEATURES = rand(2, 3, 8, 9)
_ROIS = np.array([[0.5, 1.0, 6.0, 7.5], [2.0, 0.0, 3.0, 1.0], [-1.0, 3.0, 10.0, 9.0], [4.0, 4.0, 4.0, 4.0]], dtype=np.float32)
_BATCHES = np.array([0, 1, 1, 0], dtype=np.int64)
# onnxruntime has no RoiAlign-22; ONNX's reference is a port of its RoiAlign-16.
case("RoiAlign", _FEATURES, _ROIS, _BATCHES, output_height=2, output_width=3, reference="onnx")
case("RoiAlign", _FEATURES, _ROIS, _BATCHES, output_height=3, output_width=2, sampling_ratio=2, spatial_scale=0.5, reference="onnx")
case("RoiAlign", _FEATURES, _ROIS, _BATCHES, output_height=2, output_width=2, coordinate_transformation_mode="output_half_pixel", reference="onnx")
case("RoiAlign", _FEATURES, _ROIS, _BATCHES, output_height=2, output_width=2, mode="max", sampling_ratio=2, reference="onnx")
# Half-precision 3-D average pooling, which torch computes in float32 only.
case("AveragePool", rand(1, 2, 5, 4, 6).astype(np.float16), kernel_shape=[2, 2, 3], strides=[1, 2, 1], pads=[1, 0, 0, 0, 1, 1], count_include_pad=1)
