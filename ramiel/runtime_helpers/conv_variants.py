"""Runtime helpers of DeformConv and CausalConvWithState."""

import torch
import torch.nn.functional as F


def deform_conv(
    x: torch.Tensor,
    weight: torch.Tensor,
    offset: torch.Tensor,
    bias: torch.Tensor | None = None,
    mask: torch.Tensor | None = None,
    strides: tuple[int, ...] = (),
    pads: tuple[int, ...] = (),
    dilations: tuple[int, ...] = (),
    group: int = 1,
    offset_group: int = 1,
) -> torch.Tensor:
    """ONNX DeformConv, computed in float32 at least.

    Kernel tap t of output position p reads the input at -pad + p * stride +
    t * dilation plus the offset of (p, t) in the channel's offset group, by
    multilinear interpolation between the 2^rank pixels around it (zero outside
    the input), scaled by the mask; the samples are then contracted with the
    weights as a grouped convolution's columns.
    """
    dtype = torch.promote_types(x.dtype, torch.float32)
    batch, channels, *sizes = x.shape
    kernel, out = weight.shape[2:], offset.shape[2:]
    rank, taps, points = len(kernel), kernel.numel(), out.numel()
    # Sampling positions along each axis: (batch, offset groups, taps, output positions).
    offset = offset.to(dtype).reshape(batch, offset_group, taps, rank, points)
    grids = torch.meshgrid(
        *(torch.arange(size, dtype=dtype) for size in (*kernel, *out)), indexing="ij"
    )
    positions = [
        (grids[axis] * dilations[axis] + grids[rank + axis] * strides[axis] - pads[axis]).reshape(
            taps, points
        )
        + offset[:, :, :, axis]
        for axis in range(rank)
    ]
    lows = [position.floor() for position in positions]
    pixels = x.to(dtype).reshape(batch, offset_group, channels // offset_group, -1)
    samples = torch.zeros((*pixels.shape[:3], taps * points), dtype=dtype)
    for corner in range(2**rank):
        flat = torch.zeros(lows[0].shape, dtype=torch.int64)
        share = torch.ones(lows[0].shape, dtype=dtype)
        for axis, size in enumerate(sizes):
            high = (corner >> axis) & 1
            at = lows[axis] + high
            fraction = positions[axis] - lows[axis]
            share = share * (fraction if high else 1 - fraction) * ((at >= 0) & (at <= size - 1))
            flat = flat * size + at.clamp(0, size - 1).long()
        index = flat.reshape(batch, offset_group, 1, -1).expand(-1, -1, pixels.shape[2], -1)
        samples = samples + pixels.gather(3, index) * share.reshape(batch, offset_group, 1, -1)
    if mask is not None:
        samples = samples * mask.to(dtype).reshape(batch, offset_group, 1, -1)
    columns = samples.reshape(batch, group, channels // group * taps, points)
    y = torch.matmul(weight.to(dtype).reshape(group, weight.shape[0] // group, -1), columns)
    y = y.reshape(batch, weight.shape[0], *out)
    if bias is not None:
        y = y + bias.to(dtype).reshape(-1, *[1] * rank)
    return y.to(x.dtype)


def causal_conv_with_state(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    past_state: torch.Tensor | None = None,
    silu: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """ONNX CausalConvWithState: a depthwise convolution, and the present state.

    The convolution runs over the past state (zeros when absent) followed by `x`.

    The convolution and the SiLU are computed in float32, each rounded to `x`'s
    type, and the bias added in that type, as ONNX's reference rounds them.
    """
    width = weight.shape[2] - 1
    past = torch.zeros((*x.shape[:2], width), dtype=x.dtype) if past_state is None else past_state
    padded = torch.cat((past, x), 2)
    y = F.conv1d(padded.float(), weight.float(), groups=x.shape[1]).to(x.dtype)
    if bias is not None:
        y = y + bias.reshape(-1, 1)
    if silu:
        y = F.silu(y.float()).to(x.dtype)
    return y, padded[:, :, padded.shape[2] - width :]
