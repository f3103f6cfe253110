"""Runtime helpers of ReduceProd, CumSum, CumProd, TopK and SoftmaxCrossEntropyLoss."""

import torch
import torch.nn.functional as F

from ramiel.runtime_helpers.elementwise import uint64_ordered, uint64_unordered


def prod_over(x: torch.Tensor, dims: list[int], keepdim: bool) -> torch.Tensor:
    """The product of `x` over `dims` given at run time (torch's `prod` takes one dim at a time)."""
    dtype = x.dtype
    for dim in sorted({dim % x.dim() for dim in dims}, reverse=True):
        x = x.prod(dim, keepdim=keepdim, dtype=dtype)
    return x


def extreme_over(x: torch.Tensor, dims: list[int] | tuple[int, ...], keepdim: bool, largest: bool) -> torch.Tensor:
    """ReduceMax (ReduceMin unless `largest`) over `dims` of a tensor that may hold no elements.

    The extreme of nothing is the type's end (minus infinity for the maximum of floats),
    as ONNX has it; torch refuses empty reductions.
    """
    if x.numel():
        return x.amax(dim=dims, keepdim=keepdim) if largest else x.amin(dim=dims, keepdim=keepdim)
    reduced = {d % x.dim() for d in dims}
    shape = [1 if d in reduced else size for d, size in enumerate(x.shape) if keepdim or d not in reduced]
    if x.dtype.is_floating_point:
        end: float | int | bool = -torch.inf if largest else torch.inf
    elif x.dtype == torch.bool:
        end = not largest
    else:
        end = torch.iinfo(x.dtype).min if largest else torch.iinfo(x.dtype).max
    return torch.full(shape, end, dtype=x.dtype)


def onnx_cumulative(
    x: torch.Tensor, axis: int, exclusive: bool, reverse: bool, product: bool
) -> torch.Tensor:
    """ONNX CumSum (CumProd when `product`).

    `reverse` runs from the end, `exclusive` leaves each element out of its own total.

    The exclusive total is the inclusive one of the input shifted by one along
    the axis, the identity (zero or one) in front, so it combines the same
    elements in the same order.
    """
    axis %= x.dim()
    if reverse:
        x = x.flip(axis)
    if exclusive:
        size = x.shape[axis]
        x = F.pad(x, (0, 0) * (x.dim() - 1 - axis) + (1, 0), value=1 if product else 0).narrow(
            axis, 0, size
        )
    total = (torch.cumprod if product else torch.cumsum)(x, axis, dtype=x.dtype)
    return total.flip(axis) if reverse else total


def onnx_top_k(
    x: torch.Tensor, k: int, axis: int, largest: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """ONNX TopK, sorted: of equal values the one with the lower index comes first.

    A stable sort keeps equal values in index order; `torch.topk` orders them
    as it likes.
    """
    values, indices = torch.sort(x, dim=axis, descending=largest, stable=True)
    return values.narrow(axis, 0, k), indices.narrow(axis, 0, k)


def unsigned_top_k(
    x: torch.Tensor, k: int, axis: int, largest: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """ONNX TopK of a uint16, uint32 or uint64 tensor, which torch does not sort.

    It is `onnx_top_k` of int64 values ordered alike.
    """
    if x.dtype == torch.uint64:
        values, indices = onnx_top_k(uint64_ordered(x), k, axis, largest)
        return uint64_unordered(values), indices
    values, indices = onnx_top_k(x.long(), k, axis, largest)
    return values.to(x.dtype), indices


def softmax_cross_entropy(
    scores: torch.Tensor,
    labels: torch.Tensor,
    weight: torch.Tensor | None,
    ignore_index: int,
    reduction: str,
) -> tuple[torch.Tensor, torch.Tensor]:
    """ONNX SoftmaxCrossEntropyLoss with its second output: the loss and the log-probabilities."""
    log_prob = F.log_softmax(scores, 1)
    loss = F.nll_loss(
        log_prob, labels.long(), weight, ignore_index=ignore_index, reduction=reduction
    )
    return loss, log_prob
