"""Runtime helpers of the signal operators: the mel filter bank."""

import torch


def mel_weight_matrix(
    num_mel_bins: int,
    dft_length: int,
    sample_rate: int,
    lower_edge_hertz: torch.Tensor,
    upper_edge_hertz: torch.Tensor,
    dtype: torch.dtype,
) -> torch.Tensor:
    """ONNX MelWeightMatrix: one triangular filter per mel bin (a column) over the DFT bins.

    There are dft_length // 2 + 1 DFT bins.

    The types follow ONNX's reference, which onnxruntime agrees with: the edges'
    mels in the edges' type, then float64; the DFT bins of the filters' corners
    are floored; a filter's rising and falling sides are linear, 1 at its centre.
    """
    ln10 = 2.302585092994046
    # The constants in the edges' type, as numpy casts them (2595 is not a float16).
    low, high = (
        (edge.new_tensor(2595) * torch.log1p(edge / edge.new_tensor(700))).double() / ln10
        for edge in (lower_edge_hertz, upper_edge_hertz)
    )
    # num_mel_bins + 2 corners split the mel range in as many steps, as ONNX's reference splits it.
    mels = (
        torch.arange(num_mel_bins + 2, dtype=torch.float64) * ((high - low) / (num_mel_bins + 2))
        + low
    )
    hertz = 700 * torch.expm1(mels / 2595 * ln10)
    corners = torch.div((dft_length + 1) * hertz, sample_rate, rounding_mode="floor").long()
    left, center, right = corners[:-2], corners[1:-1], corners[2:]
    bins = torch.arange(dft_length // 2 + 1)[:, None]
    rising = torch.where(center == left, 1.0, (bins - left).double() / (center - left))
    weights = torch.where((bins >= left) & (bins <= center), rising, 0.0)
    falling = (right - bins).double() / (right - center)
    return torch.where((bins >= center) & (bins < right), falling, weights).to(dtype)
