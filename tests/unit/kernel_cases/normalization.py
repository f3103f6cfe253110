"""Kernel cases of the normalization operators."""

import numpy as np

from tests.unit.kernel_cases.core import case, rand

case("LRN", rand(1, 6, 4, 4), size=3)


def lrn(x: np.ndarray, size: int, alpha: float = 0.0001, beta: float = 0.75, bias: float = 1.0) -> np.ndarray:
    """LRN as the ONNX specification defines it, for the sizes and ranks onnxruntime rejects."""
    square_sum = np.zeros_like(x)
    channels = x.shape[1]
    for c in range(channels):
        window = x[:, max(0, c - (size - 1) // 2) : min(channels - 1, c + size // 2) + 1]
        square_sum[:, c] = (window**2).sum(axis=1)
    return (x / (bias + alpha / size * square_sum) ** beta).astype(x.dtype)


# onnxruntime takes only 4-D inputs and odd sizes.
_LRN_INPUTS = (rand(2, 6, 4, 3), rand(2, 5, 3))
case("LRN", _LRN_INPUTS[0], size=4, alpha=0.01, beta=0.5, bias=2.0, reference=(lrn(_LRN_INPUTS[0], 4, 0.01, 0.5, 2.0),))
case("LRN", _LRN_INPUTS[1], size=5, reference=(lrn(_LRN_INPUTS[1], 5),))
case("LRN", _LRN_INPUTS[1], size=2, reference=(lrn(_LRN_INPUTS[1], 2),))
# A window wider than the channels: every channel's, still divided by `size`.
case("LRN", _LRN_INPUTS[0], size=2**62, alpha=1e15, reference=(lrn(_LRN_INPUTS[0], 2**62, 1e15),))
case("BatchNormalization", rand(2, 3, 4, 4), rand(3), rand(3), rand(3), rand(3, low=0.5, high=2))
case("BatchNormalization", rand(2, 3), rand(3), rand(3), rand(3), rand(3, low=0.5, high=2), epsilon=0.01)
case("InstanceNormalization", rand(2, 3, 4, 5), rand(3), rand(3))
case("InstanceNormalization", rand(1, 3, 6), rand(3), rand(3), epsilon=0.001)
case("LayerNormalization", rand(2, 3, 8), rand(8), rand(8))
case("LayerNormalization", rand(2, 3, 8), rand(8))
case("LayerNormalization", rand(2, 3, 4), rand(3, 4), rand(3, 4), axis=1, epsilon=0.001)
case("LayerNormalization", rand(2, 3, 4), rand(1, 4), rand(4), axis=-1)
case("LayerNormalization", rand(2, 3, 4), rand(4), rand(4), outputs=3)
case("LayerNormalization", rand(2, 3, 4), rand(3, 4), outputs=2, axis=1)
case("LayerNormalization", rand(2, 3, 4), rand(1, 1, 4), outputs=3, axis=0, epsilon=0.01)
case("LayerNormalization", rand(2, 3, 4).astype(np.float16), rand(4).astype(np.float16), rand(4).astype(np.float16), outputs=3)
case("RMSNormalization", rand(2, 3, 8), rand(8))
case("RMSNormalization", rand(2, 3, 4), rand(1, 4), axis=1, epsilon=0.001)
case("RMSNormalization", rand(2, 3, 4), rand(2, 1, 4), axis=0)
case("RMSNormalization", rand(2, 8).astype(np.float16), rand(8).astype(np.float16))
case("GroupNormalization", rand(2, 6, 3, 2), rand(6), rand(6), num_groups=3)
case("GroupNormalization", rand(1, 4, 5), rand(4), rand(4), num_groups=1, epsilon=0.01)


def group_norm(x: np.ndarray, groups: int, scale: np.ndarray, bias: np.ndarray, epsilon: float = 1e-5) -> np.ndarray:
    """GroupNormalization with a scale and bias per group (opset 18), which onnxruntime's opset-21 kernel rejects."""
    grouped = x.reshape(x.shape[0], groups, -1)
    normalized = (grouped - grouped.mean(-1, keepdims=True)) / np.sqrt(grouped.var(-1, keepdims=True) + epsilon)
    view = (1, groups, 1)
    return (normalized * scale.reshape(view) + bias.reshape(view)).reshape(x.shape).astype(x.dtype)


_GROUPED = (rand(2, 6, 3), rand(2), rand(2))
case("GroupNormalization", *_GROUPED, num_groups=2, reference=(group_norm(*_GROUPED[:1], 2, *_GROUPED[1:]),))
case("MeanVarianceNormalization", rand(2, 3, 4, 5))
case("MeanVarianceNormalization", rand(2, 3, 4), axes=[1, -1])
case("LpNormalization", rand(3, 4))
case("LpNormalization", np.array([[0, 0, 0], [1, -2, 2]], dtype=np.float32), p=1, axis=0)
case("LpNormalization", np.array([[0, 0, 0], [1, -2, 2]], dtype=np.float32), p=2, axis=1)
case("BatchNormalization", rand(2, 3, 4, 4), rand(3), rand(3), rand(3), rand(3, low=0.5, high=2), training_mode=1, outputs=3)
case("BatchNormalization", rand(4, 3), rand(3), rand(3), rand(3), rand(3, low=0.5, high=2), training_mode=1, momentum=0.5, outputs=3)


def instance_norm(x: np.ndarray, scale: np.ndarray, bias: np.ndarray, epsilon: float = 1e-5) -> np.ndarray:
    """InstanceNormalization computed in float64 and rounded once to `x`'s type: onnxruntime takes float32 only."""
    wide = x.astype(np.float64)
    axes = tuple(range(2, x.ndim))
    normalized = (wide - wide.mean(axes, keepdims=True)) / np.sqrt(wide.var(axes, keepdims=True) + epsilon)
    view = (1, -1) + (1,) * len(axes)
    return (normalized * scale.reshape(view) + bias.reshape(view)).astype(x.dtype)


for _dtype in (np.float16, np.float64):
    _INSTANCE = tuple(value.astype(_dtype) for value in (rand(2, 3, 4), rand(3), rand(3)))
    case("InstanceNormalization", *_INSTANCE, reference=(instance_norm(*_INSTANCE),))
