"""Constant folding: an op whose result is known at compile time becomes a constant.

An op folds when every input its result depends on is a `dfg.constant`:

    %c = dfg.constant dense<[2, 3]> : tensor<2xi64>
    %d = dfg.constant dense<[4]> : tensor<1xi64>
    %s = dfg.concat %c, %d {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>

becomes

    %s = dfg.constant dense<[2, 3, 4]> : tensor<3xi64>

Types are static, so some results need fewer inputs than the op takes: `Shape`
needs none (`dfg.shape %x` of a `tensor<1x3x8x8xf32>` is `dense<[1, 3, 8, 8]>`
whatever `%x` holds), `ConstantOfShape` none (its result type gives the shape), and
`Reshape` and `Expand` only their data.

Values come from the kernel table (`ramiel.kernels`), so a folded constant equals
what the generated code would compute. Ops that only move data (reshapes, Gather,
Concat, Slice, Transpose, ...), `Shape`, `ConstantOfShape` and Casts between
integer types are computed with numpy instead: they are exact in both, and the
exporters' shape arithmetic then folds without importing torch (about 1.5 s).

A fold whose results would store more than `max_bytes` is skipped (the model keeps
the op and computes it at run time), unless the result is a splat: a
`ConstantOfShape`, or data moved out of a splat, costs one element whatever its size.
Any other computation on splat inputs stores their elements, so it is skipped when
they would take more than `max_bytes`.
A fold never changes a result's shape or element type.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, cast

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from ramiel.dialects.dfg import DfgOp
from ramiel.onnx_types import numpy_dtype, static_shape
from ramiel.rewrites.constants import (
    constant_array,
    is_splat,
    replace_with_constants,
    same_type,
    splat,
)

DEFAULT_MAX_BYTES = 16 * 2**20
"""The default limit on the bytes a folded result may store (16 MiB)."""

_NOT_FOLDED = frozenset({"Dropout"})
"""Ops never folded: a training-mode Dropout is random (inference ones are removed)."""

Values = list[np.ndarray | None]
_Compute = Callable[[DfgOp, Values], list[np.ndarray] | None]


class _Rule(NamedTuple):
    """How numpy folds one kind of op."""

    compute: _Compute
    """The results, or None to leave the op to the kernel table."""
    needs: tuple[int, ...] | None
    """The inputs whose values the results depend on; None for all of them."""
    moves_data: bool
    """Every result element is an element of input 0, so a splat stays a splat."""
    exempt: bool
    """The result is a splat or a shape, exempt from the size limit."""


_RULES: dict[str, _Rule] = {}


def _rule(
    *op_types: str,
    needs: tuple[int, ...] | None = None,
    moves_data: bool = False,
    exempt: bool = False,
) -> Callable[[_Compute], _Compute]:
    def register(compute: _Compute) -> _Compute:
        for op_type in op_types:
            _RULES[op_type] = _Rule(compute, needs, moves_data, exempt)
        return compute

    return register


def _result_shape(op: Operation, index: int = 0) -> tuple[int, ...]:
    return static_shape(op.results[index].type)


def _data(values: Values, index: int = 0) -> np.ndarray:
    value = values[index]
    assert value is not None
    return value


def _ints(values: Values, index: int) -> list[int] | None:
    value = values[index] if index < len(values) else None
    return None if value is None else [int(v) for v in value.reshape(-1)]


@_rule("Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze", needs=(0,), moves_data=True)
def _reshape(op: DfgOp, values: Values) -> list[np.ndarray]:
    return [_data(values).reshape(_result_shape(op))]


@_rule("Expand", needs=(0,), moves_data=True)
def _expand(op: DfgOp, values: Values) -> list[np.ndarray]:
    return [np.broadcast_to(_data(values), _result_shape(op))]


@_rule("Transpose", moves_data=True)
def _transpose(op: DfgOp, values: Values) -> list[np.ndarray]:
    perm = cast(list[int] | None, op.python_attributes().get("perm"))
    return [np.transpose(_data(values), perm)]


@_rule("Tile", moves_data=True)
def _tile(op: DfgOp, values: Values) -> list[np.ndarray]:
    return [np.tile(_data(values), _ints(values, 1) or [])]


@_rule("Gather", moves_data=True)
def _gather(op: DfgOp, values: Values) -> list[np.ndarray]:
    data, indices = _data(values), _data(values, 1)
    axis = cast(int, op.python_attributes()["axis"])
    size = data.shape[axis]
    return [np.take(data, np.where(indices < 0, indices + size, indices), axis=axis)]


@_rule("Slice", moves_data=True)
def _slice(op: DfgOp, values: Values) -> list[np.ndarray]:
    data = _data(values)
    starts, ends = _ints(values, 1) or [], _ints(values, 2) or []
    axes = _ints(values, 3) or list(range(len(starts)))
    steps = _ints(values, 4) or [1] * len(starts)
    index = [slice(None)] * data.ndim
    # Python slices clamp out-of-range bounds exactly as ONNX's Slice does.
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        index[axis] = slice(start, end, step)
    return [data[tuple(index)]]


@_rule("Concat")
def _concat(op: DfgOp, values: Values) -> list[np.ndarray]:
    axis = cast(int, op.python_attributes()["axis"])
    return [np.concatenate([v for v in values if v is not None], axis=axis)]


@_rule("Shape", needs=(), exempt=True)
def _shape(op: DfgOp, values: Values) -> list[np.ndarray]:
    dims = static_shape(op.operands[0].type)
    attrs = op.python_attributes()
    start, end = cast(int, attrs.get("start", 0)), cast(int | None, attrs.get("end"))
    # Python slicing wraps and clamps `start` and `end` exactly as ONNX's Shape does.
    return [np.array(dims[start:end], dtype=np.int64)]


@_rule("ConstantOfShape", needs=(), exempt=True)
def _constant_of_shape(op: DfgOp, values: Values) -> list[np.ndarray]:
    value = op.python_attributes().get("value")
    element = np.zeros((), np.float32) if value is None else cast(np.ndarray, value)
    return [splat(element, _result_shape(op))]


@_rule("Cast")
def _cast(op: DfgOp, values: Values) -> list[np.ndarray] | None:
    # Conversions between integer and boolean types agree in numpy and torch
    # (wrap-around, nonzero is true); any with floats is left to the kernel table.
    data = _data(values)
    target = numpy_dtype(cast(TensorType, op.results[0].type).get_element_type())
    if data.dtype.kind not in "biu" or target.kind not in "biu":
        return None
    return [data.astype(target)]


def fold(op: DfgOp, max_bytes: int = DEFAULT_MAX_BYTES) -> list[np.ndarray] | None:
    """The values of `op`'s results, or None when they are unknown or too large."""
    if op.ONNX_OP_TYPE in _NOT_FOLDED:
        return None
    rule = _RULES.get(op.ONNX_OP_TYPE)
    inputs = op.input_values()
    needs = range(len(inputs)) if rule is None or rule.needs is None else rule.needs
    values: Values = [None] * len(inputs)
    for i in needs:
        values[i] = constant_array(inputs[i])
        if inputs[i] is not None and values[i] is None:
            return None
    if rule is not None and rule.moves_data and is_splat(_data(values)):
        return [splat(_data(values).reshape(-1)[:1], _result_shape(op))]
    if not (rule is not None and rule.exempt) and _result_bytes(op.results) > max_bytes:
        return None
    # Computing on a splat stores all its elements, however few the results have.
    if sum(v.nbytes for v in values if v is not None and is_splat(v)) > max_bytes:
        return None
    results = rule.compute(op, values) if rule is not None else None
    if results is None:
        results = _evaluate_with_kernels(op, values)
    if results is None or not all(map(same_type, results, op.results)):
        return None
    return results


def _result_bytes(results: Sequence[SSAValue]) -> int:
    total = 0
    for result in results:
        t = cast(TensorType, result.type)
        total += t.element_count() * numpy_dtype(t.get_element_type()).itemsize
    return total


def _evaluate_with_kernels(op: DfgOp, values: Values) -> list[np.ndarray] | None:
    from ramiel import kernels
    from ramiel.kernel_view import kernel_node

    if op.ONNX_OP_TYPE not in kernels.supported_ops():
        return None
    import torch

    node = kernel_node(op)
    tensors = [None if v is None else torch.from_numpy(np.array(v)) for v in values]
    try:
        outputs = kernels.evaluate(node, tensors)
    except kernels.UnsupportedKernel:
        return None
    return [t.numpy() for t in outputs]


@dataclass(frozen=True)
class FoldConstant(RewritePattern):
    """An op whose results are known at compile time becomes `dfg.constant` ops."""

    max_bytes: int = DEFAULT_MAX_BYTES
    """Folds whose results, or the splat inputs they expand, would store more bytes are
    skipped (splat results are exempt)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, DfgOp):
            return
        results = fold(op, self.max_bytes)
        if results is not None:
            replace_with_constants(rewriter, op, results)
