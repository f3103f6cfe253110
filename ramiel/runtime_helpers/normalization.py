"""Runtime helpers of normalization."""

import torch
import torch.nn.functional as F


def onnx_lrn(x: torch.Tensor, size: int, alpha: float, beta: float, bias: float) -> torch.Tensor:
    """ONNX LRN, over a window of channels.

    The channel window spans floor((size-1)/2) channels before and ceil((size-1)/2) after.

    The window sums are `size` shifted slices of the zero-padded squares added
    up, several times faster than torch's pooling-based `F.local_response_norm`
    and in the input's memory layout.
    """
    channels = x.shape[1]
    # The window's part beyond the channels adds only zeros: it is left out, the
    # divisor stays `size`.
    before, after = min((size - 1) // 2, channels - 1), min(size // 2, channels - 1)
    squares = F.pad(x * x, (0, 0) * (x.dim() - 2) + (before, after))
    window = squares[:, :channels].clone()
    for shift in range(1, before + after + 1):
        window += squares[:, shift : shift + channels]
    return x / torch.add(bias, window, alpha=alpha / size).pow_(beta)


def batch_norm_training(
    x: torch.Tensor,
    scale: torch.Tensor,
    bias: torch.Tensor,
    mean: torch.Tensor,
    var: torch.Tensor,
    momentum: float,
    epsilon: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """ONNX BatchNormalization in training mode.

    Returns Y from the batch's statistics, and the running mean and variance
    updated. The batch variance is the biased one, in Y and in the update alike.
    """
    batch_var, batch_mean = torch.var_mean(x, [0, *range(2, x.dim())], correction=0)
    y = F.batch_norm(x, batch_mean, batch_var, scale, bias, eps=epsilon)
    return (
        y,
        mean * momentum + batch_mean * (1 - momentum),
        var * momentum + batch_var * (1 - momentum),
    )


def layer_norm_in_float(
    x: torch.Tensor,
    shape: tuple[int, ...],
    scale: torch.Tensor,
    bias: torch.Tensor | None,
    epsilon: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """ONNX LayerNormalization of a half-precision `x`, computed in float32.

    Y is in `x`'s type, Mean and InvStdDev in float32.
    """
    y, mean, inv_std_dev = torch.native_layer_norm(
        x.float(), shape, scale.float(), None if bias is None else bias.float(), epsilon
    )
    return y.to(x.dtype), mean, inv_std_dev


def mean_variance_normalization(x: torch.Tensor, axes: tuple[int, ...]) -> torch.Tensor:
    """ONNX MeanVarianceNormalization over `axes`, as its function body computes it.

    That is (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9).
    """
    mean = x.mean(axes, keepdim=True)
    std = ((x * x).mean(axes, keepdim=True) - mean * mean).sqrt()
    return (x - mean) / (std + 1e-9)


def lp_normalize(x: torch.Tensor, p: int, axis: int) -> torch.Tensor:
    """ONNX LpNormalization: `x` over its L`p` norm along `axis`, zero where that norm is zero."""
    norm = torch.linalg.vector_norm(x, p, dim=axis, keepdim=True)
    return torch.where(norm == 0, 0, x / norm)
