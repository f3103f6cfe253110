"""Runtime helpers of the elementwise operators: uint64 arithmetic that torch lacks.

torch stores, moves, compares for equality and multiplies uint64 tensors, but
does not add, order, shift right or divide them. These helpers compute on the
tensors' bits seen as int64, which is exact: two's complement addition and
multiplication give the same bits, and flipping the top bit maps unsigned order
onto signed order.
"""

import torch


def uint64_ordered(x: torch.Tensor) -> torch.Tensor:
    """The int64 tensor ordered as the uint64 tensor `x` is (its top bit flipped)."""
    return x.view(torch.int64) ^ torch.iinfo(torch.int64).min


def uint64_unordered(x: torch.Tensor) -> torch.Tensor:
    """The uint64 tensor that `uint64_ordered` maps to the int64 tensor `x`."""
    return (x ^ torch.iinfo(torch.int64).min).view(torch.uint64)


def uint64_shift_right(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """`x >> y` for uint64 tensors (broadcasting): a logical shift.

    Shifts of 64 bits or more give 0.
    """
    bits, amounts = x.view(torch.int64), y.view(torch.int64)
    # Shifted by one bit logically, the value is non-negative, so that arithmetic
    # shifts are logical; torch shifts by a negative amount (a huge uint64) give 0.
    halved = (bits >> 1) & torch.iinfo(torch.int64).max
    return torch.where(amounts == 0, bits, halved >> (amounts - 1)).view(torch.uint64)


def uint64_divmod(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Quotient and remainder of uint64 tensors (broadcasting).

    A zero divisor raises, as for other integers.

    Hacker's Delight, 9-3: a divisor below 2**63 divides half the dividend, which is
    non-negative as an int64; the doubled quotient is then at most one short. A larger
    divisor goes into the dividend once or not at all.
    """
    dividend, divisor = a.view(torch.int64), b.view(torch.int64)
    large = divisor < 0
    halved = (dividend >> 1) & torch.iinfo(torch.int64).max
    quotient = torch.div(halved, torch.where(large, 1, divisor), rounding_mode="trunc") << 1
    quotient = torch.where(large, 0, quotient)
    remainder = dividend - quotient * divisor
    short = uint64_ordered(remainder.view(torch.uint64)) >= uint64_ordered(b)
    return (quotient + short).view(torch.uint64), torch.where(
        short, remainder - divisor, remainder
    ).view(torch.uint64)
