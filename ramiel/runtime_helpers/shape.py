"""Runtime helpers of Reshape, Expand and Range where the values decide the result's sizes."""

import torch


def onnx_reshape(x: torch.Tensor, shape: torch.Tensor, allowzero: bool) -> torch.Tensor:
    """ONNX Reshape to a shape computed at run time: a 0 copies the input's size at its
    place (unless `allowzero`), a -1 takes what the other sizes leave.

    torch refuses -1 for an input of no elements, which a detector's empty result is,
    so the size is worked out here.
    """
    dims = [int(d) for d in shape.tolist()]
    if not allowzero:
        dims = [x.shape[i] if d == 0 else d for i, d in enumerate(dims)]
    if -1 in dims:
        rest = 1
        for d in dims:
            rest *= d if d != -1 else 1
        dims[dims.index(-1)] = x.numel() // rest if rest else 0
    return x.reshape(dims)


def onnx_expand(x: torch.Tensor, shape: torch.Tensor) -> torch.Tensor:
    """ONNX Expand to a shape computed at run time: numpy broadcasting both ways, so a 1 in
    `shape` keeps the input's size (torch's `expand` alone would not)."""
    return x.expand(torch.broadcast_shapes(x.shape, tuple(int(d) for d in shape.tolist())))


def onnx_range(start: torch.Tensor, limit: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """ONNX Range of bounds computed at run time: max(ceil((limit - start) / delta), 0)
    elements, where torch's `arange` refuses a delta that points away from the limit."""
    count = max(int(torch.ceil((limit - start) / delta).item()), 0)
    return start + torch.arange(count, dtype=start.dtype) * delta
