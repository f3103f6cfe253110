"""Constant folding of `dfg` ops: the values of an op's results when they are known at compile time.

An op folds when every input its result depends on is a `dfg.constant`:

    %c = dfg.constant dense<[2, 3]> : tensor<2xi64>
    %d = dfg.constant dense<[4]> : tensor<1xi64>
    %s = dfg.concat %c, %d {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>

becomes

    %s = dfg.constant dense<[2, 3, 4]> : tensor<3xi64>

Each op class says how (its `FOLD`, a `NumpyFold`): ops that only move data
(reshapes, Gather, Concat, Slice, Transpose, ...), `Shape`, `ConstantOfShape` and
Casts between integer types are computed with numpy, which is exact for them, so
the exporters' shape arithmetic folds without importing torch (about 1.5 s).
Types are static, so some results need fewer inputs than the op takes: `Shape`
needs none, `Reshape` only its data. Every other op folds through its kernel
(`KERNEL`, run by `ramiel.kernels.evaluate`), so a folded constant equals what the
generated code would compute. An op class with `FOLDABLE = False` (Dropout, which
is random in training mode) never folds.

A fold whose results would store more than `max_bytes` is skipped (the model keeps
the op and computes it at run time), unless the result is a splat: a
`ConstantOfShape`, or data moved out of a splat, costs one element whatever its
size. Any other computation on splat inputs stores their elements, so it is
skipped when they would take more than `max_bytes`. A fold never changes a
result's shape or element type.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import SSAValue

from ramiel.dialects.dfg.constant import constant_array, is_splat, same_type, splat
from ramiel.onnx_types import (
    has_unknown_dims,
    numpy_dtype,
    numpy_of_torch,
    static_shape,
    torch_of_numpy,
)

if TYPE_CHECKING:
    from .base import DfgOp

DEFAULT_MAX_BYTES = 16 * 2**20
"""The default limit on the bytes a folded result may store (16 MiB)."""

Values = list[np.ndarray | None]
"""One compile-time value per ONNX input of an op (None for those a fold does not need)."""


@dataclass(frozen=True)
class NumpyFold:
    """How numpy folds one kind of op."""

    compute: Callable[[DfgOp, Values], list[np.ndarray] | None]
    """The results, or None to leave the op to its kernel."""
    needs: tuple[int, ...] | None = None
    """The inputs whose values the results depend on; None for all of them."""
    moves_data: bool = False
    """Every result element is an element of input 0, so a splat stays a splat."""
    exempt: bool = False
    """The result is a splat or a shape, exempt from the size limit."""


def fold_values(op: DfgOp, max_bytes: int = DEFAULT_MAX_BYTES) -> list[np.ndarray] | None:
    """The values of `op`'s results, or None when they are unknown or too large."""
    inputs = op.input_values()
    # A folded value is a constant, whose type is static.
    if not op.FOLDABLE or any(has_unknown_dims(r.type) for r in op.results):
        return None
    if not _numpy_sized([*op.results, *filter(None, inputs)]):
        return None
    rule = op.FOLD
    needs = range(len(inputs)) if rule is None or rule.needs is None else rule.needs
    values: Values = [None] * len(inputs)
    for i in needs:
        values[i] = constant_array(inputs[i])
        if inputs[i] is not None and values[i] is None:
            return None
    if rule is not None and rule.moves_data and is_splat(known(values)):
        return [splat(known(values).reshape(-1)[:1], static_shape(op.results[0].type))]
    if not (rule is not None and rule.exempt) and _bytes(op.results) > max_bytes:
        return None
    # Computing on a splat stores all its elements, however few the results have.
    if sum(v.nbytes for v in values if v is not None and is_splat(v)) > max_bytes:
        return None
    results = rule.compute(op, values) if rule is not None else None
    if results is None and not op.has_unknown_dims():  # else an input it needs is not a value
        results = _evaluate_kernel(op, values)
    if results is None or not all(map(same_type, results, op.results)):
        return None
    return results


_INDEX_MAX = int(np.iinfo(np.intp).max)


def _numpy_sized(values: Sequence[SSAValue]) -> bool:
    """Whether numpy can describe these values, even as views of one element: their
    bytes and dimensions must fit its index type."""
    return _bytes(values) <= _INDEX_MAX and all(d <= _INDEX_MAX for v in values for d in static_shape(v.type))


def _bytes(values: Sequence[SSAValue]) -> int:
    total = 0
    for value in values:
        t = cast(TensorType, value.type)
        total += t.element_count() * numpy_dtype(t.get_element_type()).itemsize
    return total


def _evaluate_kernel(op: DfgOp, values: Values) -> list[np.ndarray] | None:
    kernel = type(op).KERNEL  # through the class: an instance would bind it as a method
    if kernel is None:
        return None
    from ramiel import kernels

    tensors = [None if v is None else torch_of_numpy(v) for v in values]
    try:
        outputs = kernels.evaluate(op.view(), tensors, lambda view: kernels.emit(view, kernel))
    except kernels.UnsupportedKernel:
        return None
    return [numpy_of_torch(t) for t in outputs]


def known(values: Values, index: int = 0) -> np.ndarray:
    """The value of input `index`, which the fold needs."""
    value = values[index]
    assert value is not None
    return value


def ints(values: Values, index: int) -> list[int] | None:
    """The value of input `index` as a flat list of ints, or None when absent."""
    value = values[index] if index < len(values) else None
    return None if value is None else [int(v) for v in value.reshape(-1)]


def result_shape(op: DfgOp, index: int = 0) -> tuple[int, ...]:
    """The static shape of result `index`."""
    return static_shape(op.results[index].type)
