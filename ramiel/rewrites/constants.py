"""Constant operands and the constant materializer of the `dfg` patterns.

Folds compute numpy arrays; `materialize` turns one into a `dfg.constant` that takes
the place, the SSA name and the location of the value it replaces:

    %shape = dfg.shape %x : (tensor<1x3x8x8xf32>) -> tensor<4xi64>

becomes

    %shape = dfg.constant dense<[1, 3, 8, 8]> : tensor<4xi64>

A splat array (every stride zero, as `np.broadcast_to` and `ConstantOp.numpy()` give
for splats) becomes a one-element `dense<v>` whatever its shape, without touching
its elements, so a folded 400 MB weight costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter

from ramiel.dialects.dfg import ConstantOp
from ramiel.onnx_types import dense_attr, numpy_dtype, static_shape


def constant_array(value: SSAValue | None) -> np.ndarray | None:
    """The value of `value` when a `dfg.constant` defines it, else None."""
    if value is None or not isinstance(value.owner, ConstantOp):
        return None
    return value.owner.numpy()


def is_splat(array: np.ndarray) -> bool:
    """Whether `array` is known to hold one repeated element without reading it."""
    return array.size <= 1 or not any(array.strides)


def splat(element: np.ndarray | np.generic, shape: Sequence[int]) -> np.ndarray:
    """The read-only array of `shape` whose elements all equal `element` (no copy)."""
    return np.broadcast_to(np.asarray(element).reshape(()), tuple(shape))


def materialize(array: np.ndarray, replaced: SSAValue) -> ConstantOp:
    """The `dfg.constant` holding `array`, named and located after `replaced`."""
    name = replaced.name_hint or "const"
    if array.size > 1 and is_splat(array):
        one = dense_attr(np.ascontiguousarray(array.reshape(-1)[:1]))
        op = ConstantOp(
            DenseIntOrFPElementsAttr(TensorType(one.get_element_type(), array.shape), one.data)
        )
    else:
        # np.ascontiguousarray makes a 0-d array 1-d: keep a scalar a scalar.
        op = ConstantOp.of_array(np.ascontiguousarray(array).reshape(array.shape), name)
    op.output.name_hint = replaced.name_hint
    if isinstance(replaced.owner, Operation):
        op.location = replaced.owner.location
    return op


def replace_with_constants(
    rewriter: PatternRewriter, op: Operation, arrays: Sequence[np.ndarray]
) -> None:
    """Replace every result of `op` by a constant holding the matching array."""
    constants = [materialize(a, r) for a, r in zip(arrays, op.results, strict=True)]
    rewriter.replace(op, constants, [c.output for c in constants])


def same_type(array: np.ndarray, value: SSAValue) -> bool:
    """Whether `array` has the shape and element type of `value` (folds never change types)."""
    t = cast(TensorType, value.type)
    return array.shape == static_shape(t) and array.dtype == numpy_dtype(t.get_element_type())
