"""Runtime helpers of normalization."""

import torch
import torch.nn.functional as F


def onnx_lrn(x: torch.Tensor, size: int, alpha: float, beta: float, bias: float) -> torch.Tensor:
    """ONNX LRN: the channel window spans floor((size-1)/2) channels before and ceil((size-1)/2) after.

    The window sums are `size` shifted slices of the zero-padded squares added
    up, several times faster than torch's pooling-based `F.local_response_norm`
    and in the input's memory layout.
    """
    channels = x.shape[1]
    squares = F.pad(x * x, (0, 0) * (x.dim() - 2) + ((size - 1) // 2, size // 2))
    window = squares[:, :channels].clone()
    for shift in range(1, size):
        window += squares[:, shift : shift + channels]
    return x / torch.add(bias, window, alpha=alpha / size).pow_(beta)
