"""The one IR-free view of an operation, which kernels and cost models read.

An `OpView` describes one ONNX node with static types, independent of any IR:

    OpView("Reshape", ("x", "s"), (((1, 4, 4), "float32"), ((2,), "int64")),
           (((1, 16), "float32"),), {"allowzero": 0}, (None, array([1, 16])))

is a Reshape of `x` by the constant shape `[1, 16]`. A `dfg` op gives its view with
`op.view()`; researchers and tests build views by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

TensorSig = tuple[tuple[int, ...], str]
"""A tensor's static shape and element type name ("float32", "int64", "bool", ...)."""

AttrValue = int | float | str | list[int] | list[float] | list[str] | np.ndarray
"""An ONNX attribute as a Python value (STRING as str, TENSOR as a numpy array)."""

Shape = tuple[int, ...]


@dataclass(frozen=True)
class OpView:
    """One ONNX node with static types.

    `inputs` holds a Python expression (usually a variable name) per ONNX input,
    None for an absent optional input; kernels write their code over these. The
    type of each input is in `input_types` (None when absent), of each output in
    `output_types`. `attrs` holds the ONNX attributes as Python values with the
    schema's defaults filled in (optional attributes without a default are
    missing when absent). `input_values` holds the compile-time value of each
    input that is a constant, else None.
    """

    op_type: str
    inputs: tuple[str | None, ...] = ()
    input_types: tuple[TensorSig | None, ...] = ()
    output_types: tuple[TensorSig, ...] = ()
    attrs: Mapping[str, AttrValue] = field(default_factory=dict, hash=False)
    input_values: tuple[np.ndarray | None, ...] = field(default=(), hash=False)

    def with_shapes(self, input_shapes: tuple[Shape | None, ...], output_shapes: tuple[Shape, ...]) -> OpView:
        """The view with other shapes, the element types kept (a part of an op, for cost estimates)."""
        return replace(
            self,
            input_types=tuple(
                None if s is None or t is None else (s, t[1])
                for s, t in zip(input_shapes, self.input_types, strict=True)
            ),
            output_types=tuple((s, t[1]) for s, t in zip(output_shapes, self.output_types, strict=True)),
        )

    @property
    def input_shapes(self) -> tuple[Shape | None, ...]:
        """The shape of each input (None when absent)."""
        return tuple(None if t is None else t[0] for t in self.input_types)

    @property
    def input_dtypes(self) -> tuple[str | None, ...]:
        """The element type name of each input (None when absent)."""
        return tuple(None if t is None else t[1] for t in self.input_types)

    @property
    def output_shapes(self) -> tuple[Shape, ...]:
        """The shape of each output."""
        return tuple(t[0] for t in self.output_types)

    @property
    def output_dtypes(self) -> tuple[str, ...]:
        """The element type name of each output."""
        return tuple(t[1] for t in self.output_types)


def float32_view(op_type: str, inputs: tuple[Shape | None, ...], outputs: tuple[Shape, ...] = (), **attrs: object) -> OpView:
    """A view whose tensors are all float32, given by shape (a shorthand for cost estimates)."""
    return OpView(
        op_type,
        input_types=tuple(None if s is None else (s, "float32") for s in inputs),
        output_types=tuple((s, "float32") for s in outputs),
        attrs=dict(attrs),  # type: ignore[arg-type]
    )
