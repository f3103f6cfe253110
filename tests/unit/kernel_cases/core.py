"""The kernel case type, the way cases are added, and seeded inputs."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_RNG = np.random.default_rng(2024)


def rand(*shape: int, dtype: type = np.float32, low: float = -2.0, high: float = 2.0) -> np.ndarray:
    """Uniform random values; integer types get integers in [low, high)."""
    if np.issubdtype(dtype, np.integer):
        return _RNG.integers(int(low), int(high), size=shape).astype(dtype)
    return _RNG.uniform(low, high, size=shape).astype(dtype)


def i64(*values: int) -> np.ndarray:
    """A 1-D int64 array."""
    return np.array(values, dtype=np.int64)


def f32(*values: float) -> np.ndarray:
    """A 1-D float32 array."""
    return np.array(values, dtype=np.float32)


def scalar(value: float, dtype: type = np.float32) -> np.ndarray:
    """A 0-D array."""
    return np.array(value, dtype=dtype)


@dataclass(frozen=True)
class Case:
    """One node to check: inputs (None for an absent optional input), attributes, constant inputs, output count."""

    op: str
    inputs: tuple[np.ndarray | list[np.ndarray] | None, ...]
    """Arrays, a list of them for a sequence, None for an absent optional input."""
    attrs: Mapping[str, Any] = field(default_factory=dict)
    const: frozenset[int] = frozenset()
    outputs: int = 1
    reference: str | tuple[np.ndarray, ...] = "onnxruntime"


CASES: dict[str, Case] = {}
"""Every case by id, in the order the family modules add them."""


def case(
    op: str,
    *inputs: np.ndarray | list[np.ndarray] | None,
    const: tuple[int, ...] = (),
    outputs: int = 1,
    reference: str | tuple[np.ndarray, ...] = "onnxruntime",
    **attrs: Any,
) -> None:
    """Add a case; its id is the op and its position among that op's cases.

    `reference` is "onnxruntime", "onnx" (the ONNX reference implementation, where
    onnxruntime departs from the specification) or the expected outputs themselves,
    computed from the specification where neither implements it.
    """
    number = sum(1 for name in CASES if name.rsplit("-", 1)[0] == op)
    CASES[f"{op}-{number}"] = Case(op, inputs, attrs, frozenset(const), outputs, reference)


def both(op: str, *inputs: np.ndarray | None, const: tuple[int, ...], **attrs: Any) -> None:
    """Add a case with `const` inputs given as compile-time values and one with them only known at runtime."""
    case(op, *inputs, const=const, **attrs)
    case(op, *inputs, **attrs)

