"""What the fusion patterns ask of a graph: scalar constants, products and values read once.

A fusion replaces a chain of ops by one op computing the chain's last result. The
chain's inner values must have no reader outside it (else the fused op would
compute them a second time), so each helper here looks through an op only when its
result is read once.
"""

from __future__ import annotations

import math
from typing import TypeVar

from xdsl.dialects.builtin import TensorType
from xdsl.ir import SSAValue

from ramiel.dialects.dfg.base import DfgOp
from ramiel.dialects.dfg.constant import constant_array
from ramiel.dialects.dfg.elementwise import DivOp, MulOp

_Op = TypeVar("_Op", bound=DfgOp)

RELATIVE_TOLERANCE = 1e-5
"""How far an exported constant may lie from the value a pattern names (float32
rounding of 0.7978845608 or 1.4142135623 is about 6e-8 relative)."""


def scalar_constant(value: SSAValue) -> float | None:
    """The number a one-element constant holds, else None."""
    array = constant_array(value)
    if array is None or array.size != 1 or array.dtype.kind not in "fiu":
        return None
    return float(array.reshape(-1)[0])


def is_close(actual: float | None, expected: float) -> bool:
    """Whether `actual` is `expected` within `RELATIVE_TOLERANCE`."""
    return actual is not None and math.isclose(actual, expected, rel_tol=RELATIVE_TOLERANCE)


def owner_if_read_once(value: SSAValue, kind: type[_Op]) -> _Op | None:
    """The op of class `kind` that defines `value`, when nothing else reads `value`; else None."""
    owner = value.owner
    if not isinstance(owner, kind) or not value.has_one_use():
        return None
    return owner


def factors(product: MulOp) -> tuple[list[SSAValue], float]:
    """The factors of the product `product` computes: the values multiplied, and the
    product of the scalar constants among them.

    Multiplications feeding `product` are looked through when nothing else reads
    them, so `(x * 0.5) * y` and `x * (0.5 * y)` both give `[x, y]` and 0.5.
    """
    values: list[SSAValue] = []
    scale = 1.0
    pending = list(reversed(product.operands))
    while pending:
        value = pending.pop()
        inner = owner_if_read_once(value, MulOp)
        if inner is not None:
            pending.extend(reversed(inner.operands))
        elif (number := scalar_constant(value)) is not None:
            scale *= number
        else:
            values.append(value)
    return values, scale


def scaled(value: SSAValue) -> tuple[SSAValue, float]:
    """`value` as `x * scale`: through a product or a division by a scalar constant read once (else scale 1)."""
    division = owner_if_read_once(value, DivOp)
    if division is not None and (divisor := scalar_constant(division.operands[1])):
        return division.operands[0], 1.0 / divisor
    product = owner_if_read_once(value, MulOp)
    if product is not None:
        values, scale = factors(product)
        if len(values) == 1:
            return values[0], scale
    return value, 1.0


def same_type(a: SSAValue, b: SSAValue) -> bool:
    """Whether two values are tensors of one type: no broadcast changed the shape between them."""
    return isinstance(a.type, TensorType) and a.type == b.type
