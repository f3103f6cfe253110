"""Quantization, in ONNX's QDQ and QOperator forms: one row per op.

    %q = dfg.quantize_linear %x, %s, %z : (tensor<1x8xf32>, tensor<f32>, tensor<i8>) -> tensor<1x8xi8>
    %y = dfg.dequantize_linear %q, %s, %z : (tensor<1x8xi8>, tensor<f32>, tensor<i8>) -> tensor<1x8xf32>

The kernels are exact. Quantizing divides in the precision ONNX names, rounds
half to even (`torch.round`), adds the zero point and saturates. The integer
products (MatMulInteger, ConvInteger, and the accumulation of QLinearMatMul and
QLinearConv) are computed on integers, so no float rounding enters them: matrix
products in int32, which wraps as ONNX's 32-bit accumulation may; convolutions
in float32 where the bound on their sums makes every partial sum an exact
integer, else in float64 (torch's float convolutions are fast, its int64 ones
slow), keeping the low 32 bits.
QLinearMatMul and QLinearConv then requantize as onnxruntime does: the int32
accumulator as float32 times the float32 multiplier a_scale * b_scale / y_scale,
rounded half to even, plus the output zero point, saturated.

Constant zero points of one element are written as literals (and left out when
zero); scales and zero points along an axis are reshaped to broadcast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ramiel.costmodel import OpWork, WorkFunction, conv_work, matmul_work
from ramiel.dialects.dfg.base import (
    WINDOW_CHECKS,
    DfgOp,
    Shapes,
    at_least,
    broadcasts_to,
    expect,
    int_attribute,
    onnx_op,
    shape_text,
)
from ramiel.dialects.dfg.conv import ConvOp, verify_conv_shapes
from ramiel.kernels import KernelWriter, float_literal, index_expr, is_atom, varargs
from ramiel.onnx_types import ELEMENT_TYPES
from ramiel.opview import OpView

_CONV_CHECKS = {**WINDOW_CHECKS, "group": at_least(1)}

Shaper = Callable[[KernelWriter, int], str]
"""How a scale or zero point is shaped to broadcast: given the writer and its input index, its expression."""

# The methods converting a tensor to these element types.
_CONVERSIONS = {"float32": "float", "float16": "half", "bfloat16": "bfloat16", "float64": "double", "int32": "int", "int64": "long"}


def _converted(expr: str, source: str, target: str) -> str:
    """`expr`, of element type `source`, converted to `target`."""
    if source == target:
        return expr
    method = _CONVERSIONS.get(target)
    return f"{expr}.{method}()" if method else f"{expr}.to(torch.{target})"


def _operand(expr: str) -> str:
    """`expr`, bracketed unless it is an atom."""
    return expr if is_atom(expr) else f"({expr})"


def _shifted(expr: str, sign: int, zero_point: str | int | None) -> str:
    """`expr + sign * zero_point`, or `expr` when there is no zero point."""
    if zero_point is None:
        return expr
    if isinstance(zero_point, int):
        amount = sign * zero_point
        return f"{expr} {'+' if amount > 0 else '-'} {abs(amount)}"
    return f"{expr} {'+' if sign > 0 else '-'} {zero_point}"


def _reshaped(n: KernelWriter, index: int, shape: tuple[int, ...]) -> str:
    """Input `index` as a tensor of `shape` (its own shape or one with the same elements)."""
    arg = n.arg(index)
    return arg if n.shape(index) == shape else f"{arg}.reshape({varargs(shape)})"


def _zero_point(n: KernelWriter, index: int, shaped: Shaper) -> str | int | None:
    """Zero point `index` as an operand: None when absent or zero, a literal when constant and of one element, else `shaped(n, index)`."""
    if not n.has(index):
        return None
    value = n.value(index)
    if value is not None and not value.any():
        return None
    if value is not None and value.size == 1:
        return int(value.reshape(-1)[0])
    return shaped(n, index)


def _one_element(n: KernelWriter, index: int) -> str:
    """Input `index`, of one element, as a 0-D tensor."""
    return _reshaped(n, index, ())


def _saturated(n: KernelWriter, rounded: str, zero_point: str | int | None) -> str:
    """`rounded` (integer-valued floats) plus the zero point, saturated to the output's integer type and converted to it."""
    out = n.out_dtype
    info = np.iinfo(np.dtype(out))
    return f"{_operand(_shifted(rounded, 1, zero_point))}.clamp({info.min}, {info.max}).to(torch.{out})"


# Per tensor, per axis or blocked: QuantizeLinear and DequantizeLinear.


def _along_axis(n: KernelWriter, index: int) -> str:
    """Scale or zero point `index` of a Quantize/DequantizeLinear, shaped to broadcast against `x`."""
    shape, x = n.shape(index), n.shape(0)
    if math.prod(shape) == 1:
        return _one_element(n, index)
    axis = n.int_attr("axis") % len(x)
    block = n.int_attr("block_size")
    if not block:
        return _reshaped(n, index, (x[axis], *(1,) * (len(x) - axis - 1)))
    repeated = f"{n.arg(index)}.repeat_interleave({block}, dim={axis})"
    # The last block may be shorter.
    if shape[axis] * block == x[axis]:
        return repeated
    return index_expr(repeated, [":"] * axis + [f":{x[axis]}"])


def _verify_granularity(op: DfgOp, shapes: Shapes) -> None:
    """Of (x, scale, zero point): the scale is one element, a vector along `axis`, or blocks along `axis`; the zero point has its shape.

    One element of any shape is per tensor (onnxruntime's quantizer pairs 1-element scales with scalar zero points),
    and `axis` then means nothing: a rank-1 bias keeps the default axis 1.
    """
    x, scale, *rest = shapes
    assert x is not None
    assert scale is not None
    zero_point = rest[0] if rest else None
    if math.prod(scale) == 1:
        expect(zero_point is None or math.prod(zero_point) == 1, f"zero point of shape {shape_text(zero_point)} is not one element like the scale")
        return
    expect(zero_point is None or zero_point == scale, f"zero point of shape {shape_text(zero_point)} differs from the scale's {shape_text(scale)}")
    rank = len(x)
    axis = int_attribute(op, "axis", 1)
    expect(-rank <= axis < rank, f"axis {axis} is out of range for rank {rank}")
    axis %= rank
    block = int_attribute(op, "block_size", 0)
    if not block:
        expect(scale == (x[axis],), f"scale of shape {shape_text(scale)} is neither one element nor {x[axis]} values along axis {axis}")
        return
    blocks = (*x[:axis], -(-x[axis] // block), *x[axis + 1 :])
    expect(scale == blocks, f"scale of shape {shape_text(scale)} does not hold blocks of {block} along axis {axis} of {shape_text(x)} ({shape_text(blocks)})")


def _precision(n: KernelWriter) -> str:
    """The element type QuantizeLinear divides in: the `precision` attribute, else the scale's."""
    code = n.int_attr("precision")
    if not code:
        return n.dtype(1)
    return next((t.name for t in ELEMENT_TYPES if t.onnx == code), f"type {code}")


def _divided(n: KernelWriter, precision: str) -> str:
    """x / y_scale as `precision` divides, held in float32 (float64 for float64)."""
    x, scale = n.arg(0), _along_axis(n, 1)
    if precision in ("float16", "bfloat16"):
        # Rounding the float32 quotient of two float16 (bfloat16) values to that
        # type gives their quotient in it (24 bits >= 2 * 11 + 2); torch's own
        # division of these types by one element multiplies by its reciprocal.
        narrow_x, narrow_scale = _converted(x, n.dtype(0), precision), _converted(scale, n.dtype(1), precision)
        quotient = f"({_converted(narrow_x, precision, 'float32')} / {_converted(narrow_scale, precision, 'float32')})"
        return _converted(_converted(quotient, "float32", precision), precision, "float32")
    if precision not in ("float32", "float64"):
        raise n.fail(f"dividing in {precision} is not supported")
    return f"{_converted(x, n.dtype(0), precision)} / {_converted(scale, n.dtype(1), precision)}"


def _quantize(n: KernelWriter) -> str:
    """QuantizeLinear to an integer type: the rounded quotient plus the zero point, saturated."""
    return _saturated(n, f"torch.round({_divided(n, _precision(n))})", _zero_point(n, 2, _along_axis))


@onnx_op("QuantizeLinear", kernel=_quantize, fresh=True, attribute_values={"block_size": at_least(0)}, axis_span=None)
class QuantizeLinearOp(DfgOp):
    """ONNX `QuantizeLinear` to 8- or 16-bit integers, per tensor, per axis or blocked: saturate(round(x / y_scale) + y_zero_point).

        %q = dfg.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4x8xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<4x8xui8>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        _verify_granularity(self, shapes)


def _dequantize(n: KernelWriter) -> str:
    """DequantizeLinear: (x - x_zero_point) * x_scale in float32, then the output type.

    float32 holds the product of an 8-bit x and a float16 or bfloat16 scale exactly, so
    it rounds once, to the output type.
    """
    x = _converted(n.arg(0), n.dtype(0), "float32")
    product = f"{_operand(_shifted(x, -1, _zero_point(n, 2, _along_axis)))} * {_along_axis(n, 1)}"
    return product if n.out_dtype == "float32" else _converted(f"({product})", "float32", n.out_dtype)


@onnx_op("DequantizeLinear", kernel=_dequantize, fresh=True, attribute_values={"block_size": at_least(0)}, axis_span=None)
class DequantizeLinearOp(DfgOp):
    """ONNX `DequantizeLinear` of 8- or 16-bit integers or int32, per tensor, per axis or blocked: (x - x_zero_point) * x_scale.

        %y = dfg.dequantize_linear %q, %s, %z : (tensor<1x8xi8>, tensor<f32>, tensor<i8>) -> tensor<1x8xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        _verify_granularity(self, shapes)


def _dynamic_quantize(n: KernelWriter) -> str:
    """DynamicQuantizeLinear: the `dynamic_quantize_linear` helper, giving the uint8 data, its scale and zero point."""
    return n.call("dynamic_quantize_linear", n.arg(0))


@onnx_op("DynamicQuantizeLinear", kernel=_dynamic_quantize, fresh=True)
class DynamicQuantizeLinearOp(DfgOp):
    """ONNX `DynamicQuantizeLinear`: uint8 quantization over the range of `x` widened to hold 0, with that scale and zero point.

        %q, %s, %z = dfg.dynamic_quantize_linear %x : (tensor<1x8xf32>) -> (tensor<1x8xui8>, tensor<f32>, tensor<ui8>)
    """


# Integer matrix products: MatMulInteger and QLinearMatMul.


def _per_row(n: KernelWriter, index: int) -> str:
    """A scale or zero point of the left matrix: one element, a vector of one value per row, or a tensor that broadcasts."""
    shape = n.shape(index)
    if math.prod(shape) == 1:
        return _one_element(n, index)
    return _reshaped(n, index, (shape[0], 1)) if len(shape) == 1 else n.arg(index)


def _per_column(n: KernelWriter, index: int) -> str:
    """A scale or zero point of the right matrix: one element, else as given (a vector of one value per column broadcasts)."""
    return _one_element(n, index) if math.prod(n.shape(index)) == 1 else n.arg(index)


def _integer_matrix(n: KernelWriter, index: int, zero_point: int, left: bool) -> str:
    """Matrix `index` in int32 less its zero point `zero_point`."""
    shaped = _per_row if left else _per_column
    return _shifted(_converted(n.arg(index), n.dtype(index), "int32"), -1, _zero_point(n, zero_point, shaped))


def _verify_one_element(*named: tuple[str, tuple[int, ...] | None]) -> None:
    """Each named operand (when present) has one element: it is per tensor."""
    for what, shape in named:
        expect(shape is None or math.prod(shape) == 1, f"{what} of shape {shape_text(shape)} is not one element")


def _verify_matrix_side(what: str, shape: tuple[int, ...] | None, matrix: tuple[int, ...], left: bool) -> None:
    """A left (right) matrix's scale or zero point is one element, one value per row (column), or broadcasts to the matrix with one column (row)."""
    if shape is None or math.prod(shape) == 1:
        return
    axis = -2 if left else -1
    rows = "row" if left else "column"
    if len(shape) == 1:
        expect(len(matrix) >= 2 and shape[0] == matrix[axis], f"{what} of shape {shape_text(shape)} does not hold one value per {rows} of {shape_text(matrix)}")
        return
    other = -1 if left else -2
    expect(
        len(matrix) >= 2 and shape[other] == 1 and broadcasts_to(shape, matrix),
        f"{what} of shape {shape_text(shape)} does not broadcast to {shape_text(matrix)} with one value per {rows}",
    )


def _matmul_integer(n: KernelWriter) -> str:
    """MatMulInteger: the int32 product of the matrices less their zero points."""
    return f"{_operand(_integer_matrix(n, 0, 2, left=True))} @ {_operand(_integer_matrix(n, 1, 3, left=False))}"


@onnx_op("MatMulInteger", kernel=_matmul_integer, fresh=True, work=matmul_work)
class MatMulIntegerOp(DfgOp):
    """ONNX `MatMulInteger`: (A - a_zero_point) @ (B - b_zero_point) in int32, zero points per tensor, row (A) or column (B).

        %y = dfg.mat_mul_integer %a, %b, %za, %zb : (tensor<1x64xui8>, tensor<64x10xi8>, tensor<ui8>, tensor<i8>) -> tensor<1x10xi32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        a, b, a_zero_point, b_zero_point = shapes
        assert a is not None
        assert b is not None
        _verify_matrix_side("a_zero_point", a_zero_point, a, left=True)
        _verify_matrix_side("b_zero_point", b_zero_point, b, left=False)


def _requantized(n: KernelWriter, accumulator: str, scales: tuple[tuple[int, Shaper], tuple[int, Shaper], tuple[int, Shaper]]) -> str:
    """The int32 `accumulator` requantized: as float32 times the multiplier, rounded, plus y_zero_point (input 7), saturated.

    The multiplier is onnxruntime's, left_scale * right_scale / y_scale in float32,
    and a literal when the three `scales` (index, shaper) are constants of one
    element: float32 times a Python float multiplies by that float32 value.
    """
    values = [n.value(index) for index, _ in scales]
    if all(value is not None and value.size == 1 for value in values):
        left, right, out = (np.float32(value.reshape(-1)[0]) for value in values if value is not None)
        multiplier = float_literal(float(left * right / out))
    else:
        left, right, out = (_converted(shaper(n, index), n.dtype(index), "float32") for index, shaper in scales)
        multiplier = f"({left} * {right} / {out})"
    return _saturated(n, f"torch.round({accumulator}.float() * {multiplier})", _zero_point(n, 7, _one_element))


def _qlinear_matmul(n: KernelWriter) -> str:
    """QLinearMatMul: the int32 product of the matrices less their zero points, requantized."""
    product = f"({_operand(_integer_matrix(n, 0, 2, left=True))} @ {_operand(_integer_matrix(n, 3, 5, left=False))})"
    return _requantized(n, product, ((1, _per_row), (4, _per_column), (6, _one_element)))


def _operands_first(work: WorkFunction, *first: int) -> WorkFunction:
    """`work`, which reads the data and weight operands by position, over a view whose inputs `first` come first."""

    def reordered(op: OpView) -> OpWork:
        order = [*first, *(i for i in range(len(op.input_types)) if i not in first)]
        return work(replace(op, input_types=tuple(op.input_types[i] for i in order)))

    reordered.__doc__ = f"{work.__doc__} (inputs {', '.join(map(str, first))} first)"
    return reordered


@onnx_op("QLinearMatMul", kernel=_qlinear_matmul, fresh=True, work=_operands_first(matmul_work, 0, 3))
class QLinearMatMulOp(DfgOp):
    """ONNX `QLinearMatMul`: the int32 product of the matrices less their zero points, requantized to y's scale and zero point.

        %y = dfg.qlinear_mat_mul %a, %sa, %za, %b, %sb, %zb, %sy, %zy : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x3xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point = shapes
        assert a is not None
        assert b is not None
        for what, shape in (("a_scale", a_scale), ("a_zero_point", a_zero_point)):
            _verify_matrix_side(what, shape, a, left=True)
        for what, shape in (("b_scale", b_scale), ("b_zero_point", b_zero_point)):
            _verify_matrix_side(what, shape, b, left=False)
        _verify_one_element(("y_scale", y_scale), ("y_zero_point", y_zero_point))


# Integer convolutions: ConvInteger and QLinearConv.


def _verify_per_channel(what: str, shape: tuple[int, ...] | None, channels: int) -> None:
    """A weight's scale or zero point is one element or one value per output channel."""
    expect(
        shape is None or math.prod(shape) == 1 or shape == (channels,),
        f"{what} of shape {shape_text(shape)} is neither one element nor {channels} values (one per output channel)",
    )


def _per_channel(n: KernelWriter, index: int, trailing: int) -> str:
    """A weight's scale or zero point, one element or one value per output channel, shaped to broadcast over the channels and `trailing` more axes."""
    shape = n.shape(index)
    return _one_element(n, index) if math.prod(shape) == 1 else _reshaped(n, index, (*shape, *(1,) * trailing))


def _convolution(n: KernelWriter, data: str, weight: int, weight_expr: str, bias: str | None) -> str:
    """`F.convNd` of the given operand expressions with the op's window attributes, as Conv's kernel writes it."""
    spatial = n.rank(weight) - 2
    if not 1 <= spatial <= 3:
        raise n.fail(f"{spatial}-D convolution is not supported")
    inputs = (data, weight_expr) if bias is None else (data, weight_expr, bias)
    types = (n.node.input_types[0], n.node.input_types[weight], ((n.shape(weight)[0],), "int64"))
    view = replace(n.node, op_type="Conv", inputs=inputs, input_types=types[: len(inputs)], input_values=())
    assert ConvOp.KERNEL is not None
    return ConvOp.KERNEL(KernelWriter(view))


def _integer_convolution(n: KernelWriter, zero_points: tuple[int, int], weight: int, bias: int | None, exact: str) -> str:
    """The convolution of x (input 0) and the weight less their zero points, plus input
    `bias` (int32) if given, in the float type `exact` (see `_accumulation`)."""
    x_zero, w_zero = zero_points
    x = _shifted(_converted(n.arg(0), n.dtype(0), exact), -1, _zero_point(n, x_zero, _one_element))
    kernel_axes = n.rank(weight) - 1
    per_channel = _zero_point(n, w_zero, lambda n, index: _per_channel(n, index, kernel_axes))
    w = _shifted(_converted(n.arg(weight), n.dtype(weight), exact), -1, per_channel)
    added = None if bias is None else _converted(n.arg(bias), n.dtype(bias), exact)
    return _convolution(n, x, weight, w, added)


def _accumulation(n: KernelWriter, zero_points: tuple[int, int], weight: int, bias: int | None) -> str:
    """float32 where every partial sum of the integer convolution stays below 2**24, an
    integer float32 holds exactly whatever the order of summation; else float64, which
    holds every such sum of 8-bit operands (below 2**53 for reductions up to 10**11).

    torch has fast float convolutions (oneDNN) but only a slow path for int64 ones, a
    tenth of the dynamically quantized small CNN's speed. The bound is the kernel's
    reduction size times the largest |x - x_zero_point| (the range of x's type) and
    |w - w_zero_point| (from the values when they are constants), plus |bias|.
    """
    x_zero, w_zero = zero_points
    reduction = math.prod(n.shape(weight)[1:])
    bound = reduction * _largest_difference(n, 0, x_zero) * _largest_difference(n, weight, w_zero)
    if bias is not None:
        value = n.value(bias)
        bound += int(np.abs(value.astype(np.int64)).max()) if value is not None and value.size else 2**31
    return "float32" if bound < 2**24 else "float64"


def _largest_difference(n: KernelWriter, index: int, zero_point: int) -> int:
    """The largest |v - zero_point| over input `index`: from the values when both are constants, else its type's range."""
    value = n.value(index)
    zero = n.value(zero_point) if n.has(zero_point) else np.zeros(1, np.int64)
    if value is not None and zero is not None:
        if n.has(zero_point) and zero.size > 1:  # per output channel
            zero = zero.reshape(-1, *(1,) * (value.ndim - 1))
        return int(np.abs(value.astype(np.int64) - zero.astype(np.int64)).max(initial=0))
    info = np.iinfo(np.dtype(n.dtype(index)))
    return int(info.max) - int(info.min)


def _conv_integer(n: KernelWriter) -> str:
    """ConvInteger: the convolution of the inputs less their zero points, computed exactly, as int32."""
    exact = _accumulation(n, (2, 3), 1, None)
    convolution = _integer_convolution(n, (2, 3), 1, None, exact)
    # A float64 sum may exceed int32: its low 32 bits, through int64, as ONNX's 32-bit accumulation wraps.
    return f"{convolution}.long().int()" if exact == "float64" else f"{convolution}.int()"


@onnx_op("ConvInteger", kernel=_conv_integer, fresh=True, work=conv_work, attribute_values=_CONV_CHECKS)
class ConvIntegerOp(DfgOp):
    """ONNX `ConvInteger`: the convolution of (x - x_zero_point) and (w - w_zero_point) in int32, w's zero point per tensor or channel.

        %y = dfg.conv_integer %x, %w, %zx {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xui8>, tensor<4x3x3x3xi8>, tensor<ui8>) -> tensor<1x4x8x8xi32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, w, x_zero_point, w_zero_point = shapes
        assert w is not None
        verify_conv_shapes(self, [x, w, None])
        _verify_one_element(("x_zero_point", x_zero_point))
        _verify_per_channel("w_zero_point", w_zero_point, w[0])


def _qlinear_conv(n: KernelWriter) -> str:
    """QLinearConv: the exact convolution less the zero points plus the int32 bias, requantized."""
    bias = 8 if n.has(8) else None
    accumulator = _integer_convolution(n, (2, 5), 3, bias, _accumulation(n, (2, 5), 3, bias))
    spatial = n.rank(0) - 2
    return _requantized(n, accumulator, ((1, _one_element), (4, lambda n, index: _per_channel(n, index, spatial)), (6, _one_element)))


@onnx_op("QLinearConv", kernel=_qlinear_conv, fresh=True, work=_operands_first(conv_work, 0, 3), attribute_values=_CONV_CHECKS)
class QLinearConvOp(DfgOp):
    """ONNX `QLinearConv`: the integer convolution of the operands less their zero points plus the int32 bias, requantized; w per tensor or channel.

        %y = dfg.qlinear_conv %x, %sx, %zx, %w, %sw, %zw, %sy, %zy, %b : (tensor<1x3x8x8xui8>, tensor<f32>, tensor<ui8>, tensor<4x3x3x3xi8>, tensor<4xf32>, tensor<4xi8>, tensor<f32>, tensor<ui8>, tensor<4xi32>) -> tensor<1x4x6x6xui8>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, *bias = shapes
        assert w is not None
        verify_conv_shapes(self, [x, w, *bias])
        _verify_one_element(("x_scale", x_scale), ("x_zero_point", x_zero_point), ("y_scale", y_scale), ("y_zero_point", y_zero_point))
        _verify_per_channel("w_scale", w_scale, w[0])
        _verify_per_channel("w_zero_point", w_zero_point, w[0])
