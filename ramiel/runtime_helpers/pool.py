"""Runtime helpers of pooling."""

import torch
import torch.nn.functional as F

from ramiel.runtime_helpers.indexing import pad_widths, torch_pad_arg


def avg_pool_exclude_pad(
    x: torch.Tensor,
    kernel_shape: tuple[int, ...],
    strides: tuple[int, ...],
    pads: tuple[int, ...],
    ceil_mode: bool,
) -> torch.Tensor:
    """ONNX AveragePool with count_include_pad=0 and asymmetric `pads` (begins, then ends).

    The window sums and the counts of real (unpadded) elements are pooled the same
    way, so their ratio averages over the real elements only.
    """
    rank = len(kernel_shape)
    pool = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[rank - 1]
    padding = torch_pad_arg(pad_widths(pads, rank))
    ones = torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device)
    total = pool(F.pad(x, padding), kernel_shape, strides, ceil_mode=ceil_mode)
    count = pool(F.pad(ones, padding), kernel_shape, strides, ceil_mode=ceil_mode)
    return total / count
