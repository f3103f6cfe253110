"""Runtime helpers of quantization."""

import torch


def dynamic_quantize_linear(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """ONNX DynamicQuantizeLinear: `x` quantized to uint8, with the scale and zero point.

    The range quantized over is `x`'s, widened to hold 0.

    As onnxruntime computes it, in float32: the scale is (max - min) / 255, or 1
    when the range is empty (an all-zero `x`); the zero point is -min / scale
    saturated to [0, 255] and rounded half to even.
    """
    low = x.min().clamp(max=0)
    high = x.max().clamp(min=0)
    scale = torch.where(high == low, 1.0, (high - low) / 255)
    zero_point = torch.round((-low / scale).clamp(0, 255))
    quantized = (torch.round(x / scale) + zero_point).clamp(0, 255).to(torch.uint8)
    return quantized, scale, zero_point.to(torch.uint8)
