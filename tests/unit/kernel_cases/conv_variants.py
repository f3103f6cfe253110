"""Kernel cases of the convolution variants: deformable, and causal with a state."""

import numpy as np

from tests.unit.kernel_cases.core import case, rand

# DeformConv: offsets reaching outside the input, masks, bias, groups and offset groups, strides, dilations, 1-D and 3-D.
_X = rand(2, 4, 5, 6)
case("DeformConv", _X, rand(3, 4, 2, 2), rand(2, 8, 4, 5))
case("DeformConv", _X, rand(3, 4, 2, 2), rand(2, 8, 6, 7, low=-3, high=3), rand(3), rand(2, 4, 6, 7, low=0, high=1), pads=[1, 1, 1, 1])
case("DeformConv", _X, rand(6, 2, 3, 2), rand(2, 24, 2, 3), rand(6), strides=[2, 2], dilations=[1, 2], pads=[1, 0, 0, 1], group=2, offset_group=2)
case("DeformConv", _X, rand(4, 1, 2, 2), rand(2, 32, 4, 5), None, rand(2, 16, 4, 5), group=4, offset_group=4)


def deform_conv_1d(x: np.ndarray, w: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """1-D DeformConv without pads, strides or groups, from the specification: neither onnxruntime nor ONNX's reference has it."""
    batch, _, size = x.shape
    taps, out = w.shape[2], offset.shape[2]
    y = np.zeros((batch, w.shape[0], out))
    for n in range(batch):
        for o in range(out):
            for tap in range(taps):
                position = o + tap + offset[n, tap, o]
                low = int(np.floor(position))
                sample = sum(
                    (x[n, :, at] * (1 - abs(position - at)) for at in (low, low + 1) if 0 <= at < size),
                    np.zeros(x.shape[1]),
                )
                y[n, :, o] += w[:, :, tap] @ sample
    return y.astype(np.float32)


_X1, _W1, _O1 = rand(2, 3, 7), rand(4, 3, 3), rand(2, 3, 5, low=-1.5, high=1.5)
case("DeformConv", _X1, _W1, _O1, reference=(deform_conv_1d(_X1, _W1, _O1),))

# CausalConvWithState: without and with past state and bias, SiLU, a single tap, an input shorter than the state.
_C = rand(2, 3, 6)
case("CausalConvWithState", _C, rand(3, 1, 4), outputs=2)
case("CausalConvWithState", _C, rand(3, 1, 4), rand(3), rand(2, 3, 3), outputs=2, activation="silu")
case("CausalConvWithState", _C, rand(3, 1, 1), rand(3), outputs=2, activation="swish")
case("CausalConvWithState", rand(2, 3, 2), rand(3, 1, 5), None, rand(2, 3, 4), outputs=2)
# Half precision: the convolution and the SiLU each rounded from float32, as ONNX's reference rounds them.
_H = [value.astype(np.float16) for value in (rand(1, 4, 7), rand(4, 1, 3), rand(4), rand(1, 4, 2))]
case("CausalConvWithState", *_H, outputs=2, activation="silu", reference="onnx")
case("DeformConv", *(value.astype(np.float16) for value in (_X, rand(3, 4, 2, 2), rand(2, 8, 4, 5), rand(3))))
