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
case("BatchNormalization", rand(2, 3, 4, 4), rand(3), rand(3), rand(3), rand(3, low=0.5, high=2))
case("BatchNormalization", rand(2, 3), rand(3), rand(3), rand(3), rand(3, low=0.5, high=2), epsilon=0.01)
case("InstanceNormalization", rand(2, 3, 4, 5), rand(3), rand(3))
case("InstanceNormalization", rand(1, 3, 6), rand(3), rand(3), epsilon=0.001)
case("LayerNormalization", rand(2, 3, 8), rand(8), rand(8))
case("LayerNormalization", rand(2, 3, 8), rand(8))
case("LayerNormalization", rand(2, 3, 4), rand(3, 4), rand(3, 4), axis=1, epsilon=0.001)
case("LayerNormalization", rand(2, 3, 4), rand(1, 4), rand(4), axis=-1)
