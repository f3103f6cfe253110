"""Element-wise arithmetic, comparisons, logic and bits, math, rounding and casts: one row per op.

    %y = dfg.add %a, %b : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
    %m = dfg.less %a, %b : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xi1>

Broadcasting follows numpy's rules, which torch shares, so most kernels are one
operator or one torch function over their inputs.

Element types: torch computes these ops on int8 to int64, uint8, bool, float16,
bfloat16, float32 and float64 as ONNX defines them (integer Div truncates toward
zero, Mod with `fmod = 0` takes the divisor's sign, integer overflow wraps). It
stores and moves uint16, uint32 and uint64 tensors, compares them for equality,
multiplies them and combines their bits, but has few other kernels for them, so
`through_int64` computes the rest on int64 tensors, exactly: uint16 and uint32
values as int64 values (each fits, and a wrapped int64 result keeps the wrapped
low bits), uint64 values as their bits, either as they are (`BITS`: addition,
subtraction and left shifts give the same bits) or with the top bit flipped
(`ORDERED`: then int64 order is their order, for comparisons, Max, Min and Clip).
uint64 Div, Mod and right shifts call the helpers of
`ramiel.runtime_helpers.elementwise`. In the same way `in_float32` computes
float16 and bfloat16 kernels of several operations in float32, which rounds once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import cast

import numpy as np
from xdsl.dialects.builtin import TensorType

from ramiel.costmodel import view_work
from ramiel.dialects.dfg.base import DfgOp, one_of, onnx_op
from ramiel.dialects.dfg.folding import NumpyFold, Values, known
from ramiel.kernels import (
    FLOAT_TYPES,
    Kernel,
    KernelWriter,
    is_atom,
    result_dtype,
    scalar_literal,
    template,
)
from ramiel.onnx_types import numpy_dtype
from ramiel.opview import TensorSig


@dataclass(frozen=True)
class Emulation:
    """How an op computes on tensors of an element type through tensors of a wider one."""

    wide: str
    """The element type computed in."""
    encode: Callable[[KernelWriter, str], str]
    """The wide tensor standing for a tensor (an atom) of the type."""
    decode: Callable[[KernelWriter, str], str]
    """The tensor of the type a wide result (an atom) stands for."""
    value: Callable[[np.ndarray], np.ndarray]
    """`encode` for a compile-time value."""


def _converted(dtype: str, wide: str) -> Emulation:
    """Values of `dtype` as values of `wide`, which holds them all."""
    return Emulation(
        wide,
        lambda n, x: f"{x}.to(torch.{wide})",
        lambda n, x: f"{x}.to(torch.{dtype})",
        lambda value: value.astype(wide),
    )


BITS = Emulation(
    "int64",
    lambda n, x: f"{x}.view(torch.int64)",
    lambda n, x: f"{x}.view(torch.uint64)",
    lambda value: np.array(value).view(np.int64),
)
"""uint64 as its bits: right for the ops whose two's complement bits are the unsigned ones."""

ORDERED = Emulation(
    "int64",
    lambda n, x: n.call("uint64_ordered", x),
    lambda n, x: n.call("uint64_unordered", x),
    lambda value: np.array(value).view(np.int64) ^ np.iinfo(np.int64).min,
)
"""uint64 as its bits with the top bit flipped: right for the ops that only order values."""


def _bracketed(expr: str) -> str:
    return expr if is_atom(expr) else f"({expr})"


def emulated(kernel: Kernel, emulations: Mapping[str, Emulation | None]) -> Kernel:
    """`kernel`, computing tensors of the types in `emulations` as their emulation says (None: refused).

    The kernel is written for the node with those types replaced by the wide
    ones; an output of such a type is decoded from the kernel's wide result.
    """

    def write(n: KernelWriter) -> str:
        node = n.node
        types = {sig[1] for sig in (*node.input_types, *node.output_types) if sig is not None}
        used: dict[str, Emulation] = {}
        for dtype in sorted(types & emulations.keys()):
            emulation = emulations[dtype]
            if emulation is None:
                raise n.fail(f"{dtype} is not supported (torch has no kernel for it)")
            used[dtype] = emulation
        if not used:
            return kernel(n)

        def wide(sig: TensorSig | None) -> TensorSig | None:
            return sig if sig is None or sig[1] not in used else (sig[0], used[sig[1]].wide)

        # One writer per input records the helpers its encoding calls, for the inputs read.
        encoders = [KernelWriter(node) for _ in node.inputs]
        inputs: list[str | None] = []
        values: list[np.ndarray | None] = []
        for index, (expr, sig) in enumerate(zip(node.inputs, node.input_types, strict=True)):
            value = node.input_values[index] if index < len(node.input_values) else None
            emulation = None if expr is None or sig is None else used.get(sig[1])
            inputs.append(expr if emulation is None else emulation.encode(encoders[index], _bracketed(cast(str, expr))))
            values.append(value if emulation is None or value is None else emulation.value(value))
        inner = KernelWriter(
            replace(
                node,
                inputs=tuple(inputs),
                input_types=tuple(map(wide, node.input_types)),
                output_types=tuple(cast(TensorSig, wide(sig)) for sig in node.output_types),
                input_values=tuple(values),
            )
        )
        expr = kernel(inner)
        n.helpers |= inner.helpers
        for index in inner.used:
            n.used.add(index)
            n.helpers |= encoders[index].helpers
        decode = used.get(n.out_dtype)
        return expr if decode is None else decode.decode(n, _bracketed(expr))

    write.__doc__ = kernel.__doc__
    return write


_WIDENED = {dtype: _converted(dtype, "int64") for dtype in ("uint16", "uint32")}
"""The types computed as int64 values."""


def through_int64(kernel: Kernel, uint64: Emulation | None = BITS) -> Kernel:
    """`kernel`, computing uint16 and uint32 tensors as int64 and uint64 ones as `uint64` says (None: refused)."""
    return emulated(kernel, {**_WIDENED, "uint64": uint64})


_HALVES = {dtype: _converted(dtype, "float32") for dtype in ("float16", "bfloat16")}


def in_float32(kernel: Kernel) -> Kernel:
    """`kernel` computing float16 and bfloat16 tensors in float32, so that a kernel of several
    operations rounds once to its type, as the definitions ask."""
    return emulated(kernel, _HALVES)


def _unsigned(dtype: str) -> bool:
    return dtype.startswith("uint")


def _same_type(op: DfgOp) -> bool:
    """Whether the op's first input has its result's type (so returning it changes nothing)."""
    source = op.input_values()[0]
    return source is not None and source.type == op.results[0].type


def _single_input(op: DfgOp) -> bool:
    return len(op.operands) == 1 and _same_type(op)


# Unary math.


def _abs(n: KernelWriter) -> str:
    """Abs: `torch.abs`; unsigned values are their own absolute values (and torch has no abs for most)."""
    return n.arg(0) if _unsigned(n.dtype(0)) else f"torch.abs({n.arg(0)})"


@onnx_op("Abs", kernel=_abs)
class AbsOp(DfgOp):
    """ONNX `Abs`: |x|.

        %y = dfg.abs %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Neg", kernel=template("torch.neg({0})"), fresh=True)
class NegOp(DfgOp):
    """ONNX `Neg`: -x.

        %y = dfg.neg %x : (tensor<4xf32>) -> tensor<4xf32>
    """


def _sign(n: KernelWriter) -> str:
    """Sign: `torch.sign`, NaN for NaN; an unsigned value is 1 unless it is 0 (torch has no sign for most unsigned types)."""
    x = n.arg(0)
    if _unsigned(n.dtype(0)):
        return f"({x} != 0).to(torch.{n.out_dtype})"
    if n.dtype(0) in FLOAT_TYPES:
        # torch.sign gives 0 for NaN.
        return f"torch.where(torch.isnan({x}), {x}, torch.sign({x}))"
    return f"torch.sign({x})"


@onnx_op("Sign", kernel=_sign, fresh=True)
class SignOp(DfgOp):
    """ONNX `Sign`: -1, 0 or 1 (NaN for NaN).

        %y = dfg.sign %x : (tensor<4xi32>) -> tensor<4xi32>
    """


@onnx_op("Reciprocal", kernel=template("torch.reciprocal({0})"))
class ReciprocalOp(DfgOp):
    """ONNX `Reciprocal`: 1 / x.

        %y = dfg.reciprocal %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Sqrt", kernel=template("torch.sqrt({0})"), fresh=True)
class SqrtOp(DfgOp):
    """ONNX `Sqrt`.

        %y = dfg.sqrt %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Exp", kernel=template("torch.exp({0})"), fresh=True)
class ExpOp(DfgOp):
    """ONNX `Exp`.

        %y = dfg.exp %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Log", kernel=template("torch.log({0})"))
class LogOp(DfgOp):
    """ONNX `Log`: the natural logarithm.

        %y = dfg.log %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Erf", kernel=template("torch.erf({0})"), fresh=True)
class ErfOp(DfgOp):
    """ONNX `Erf`: the error function (exact GELU's exports use it).

        %y = dfg.erf %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Tanh", kernel=template("torch.tanh({0})"), inplace=template("torch.tanh_({0})"), fresh=True)
class TanhOp(DfgOp):
    """ONNX `Tanh`.

        %y = dfg.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Sin", kernel=template("torch.sin({0})"), fresh=True)
class SinOp(DfgOp):
    """ONNX `Sin`.

        %y = dfg.sin %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Cos", kernel=template("torch.cos({0})"), fresh=True)
class CosOp(DfgOp):
    """ONNX `Cos`.

        %y = dfg.cos %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Tan", kernel=template("torch.tan({0})"), fresh=True)
class TanOp(DfgOp):
    """ONNX `Tan`.

        %y = dfg.tan %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Asin", kernel=template("torch.asin({0})"), fresh=True)
class AsinOp(DfgOp):
    """ONNX `Asin`: the arcsine, NaN outside [-1, 1].

        %y = dfg.asin %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Acos", kernel=template("torch.acos({0})"), fresh=True)
class AcosOp(DfgOp):
    """ONNX `Acos`: the arccosine, NaN outside [-1, 1].

        %y = dfg.acos %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Atan", kernel=template("torch.atan({0})"), fresh=True)
class AtanOp(DfgOp):
    """ONNX `Atan`: the arctangent.

        %y = dfg.atan %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Sinh", kernel=template("torch.sinh({0})"), fresh=True)
class SinhOp(DfgOp):
    """ONNX `Sinh`.

        %y = dfg.sinh %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Cosh", kernel=template("torch.cosh({0})"), fresh=True)
class CoshOp(DfgOp):
    """ONNX `Cosh`.

        %y = dfg.cosh %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Asinh", kernel=template("torch.asinh({0})"), fresh=True)
class AsinhOp(DfgOp):
    """ONNX `Asinh`.

        %y = dfg.asinh %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Acosh", kernel=template("torch.acosh({0})"), fresh=True)
class AcoshOp(DfgOp):
    """ONNX `Acosh`: NaN below 1.

        %y = dfg.acosh %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Atanh", kernel=template("torch.atanh({0})"), fresh=True)
class AtanhOp(DfgOp):
    """ONNX `Atanh`: NaN outside [-1, 1].

        %y = dfg.atanh %x : (tensor<4xf32>) -> tensor<4xf32>
    """


# Rounding and floating-point classes.


@onnx_op("Ceil", kernel=template("torch.ceil({0})"), fresh=True)
class CeilOp(DfgOp):
    """ONNX `Ceil`: the smallest integer not below x.

        %y = dfg.ceil %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Floor", kernel=template("torch.floor({0})"), fresh=True)
class FloorOp(DfgOp):
    """ONNX `Floor`: the largest integer not above x.

        %y = dfg.floor %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Round", kernel=template("torch.round({0})"), fresh=True)
class RoundOp(DfgOp):
    """ONNX `Round`: the nearest integer, halves to even (as `torch.round`).

        %y = dfg.round %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("IsNaN", kernel=template("torch.isnan({0})"), fresh=True)
class IsNaNOp(DfgOp):
    """ONNX `IsNaN`.

        %m = dfg.is_na_n %x : (tensor<4xf32>) -> tensor<4xi1>
    """


def _is_inf(n: KernelWriter) -> str:
    """IsInf: `torch.isinf`, `torch.isposinf` or `torch.isneginf`, as the two flags select."""
    x = n.arg(0)
    function = {
        (1, 1): "torch.isinf",
        (0, 1): "torch.isposinf",
        (1, 0): "torch.isneginf",
    }.get((n.int_attr("detect_negative"), n.int_attr("detect_positive")))
    return f"torch.zeros_like({x}, dtype=torch.bool)" if function is None else f"{function}({x})"


@onnx_op(
    "IsInf",
    kernel=_is_inf,
    fresh=True,
)
class IsInfOp(DfgOp):
    """ONNX `IsInf`: infinite values, of either sign or of the one selected.

        %m = dfg.is_inf %x {detect_negative = 0 : i64} : (tensor<4xf32>) -> tensor<4xi1>
    """


# Arithmetic.


@onnx_op("Add", kernel=through_int64(template("{0} + {1}")), inplace=template("{0}.add_({1})"), fresh=True)
class AddOp(DfgOp):
    """ONNX `Add`, broadcasting.

        %y = dfg.add %a, %b : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
    """


@onnx_op("Sub", kernel=through_int64(template("{0} - {1}")), inplace=template("{0}.sub_({1})"), fresh=True)
class SubOp(DfgOp):
    """ONNX `Sub`, broadcasting.

        %y = dfg.sub %a, %b : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
    """


@onnx_op("Mul", kernel=template("{0} * {1}"), inplace=template("{0}.mul_({1})"), fresh=True)
class MulOp(DfgOp):
    """ONNX `Mul`, broadcasting (torch multiplies every integer type, wrapping).

        %y = dfg.mul %a, %b : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
    """


def _uint64_divmod(n: KernelWriter, part: int) -> str:
    """Part `part` (0: quotient, 1: remainder) of the division of two uint64 inputs."""
    return f"{n.call('uint64_divmod', *n.args())}[{part}]"


def _divide(n: KernelWriter) -> str:
    """True division for floats; integers truncate toward zero as in ONNX (C semantics)."""
    a, b = n.args()
    if n.out_dtype in FLOAT_TYPES:
        return f"{a} / {b}"
    return f"torch.div({a}, {b}, rounding_mode='trunc')"


_divide_narrow = through_int64(_divide, uint64=None)


def _div(n: KernelWriter) -> str:
    """Div: true division for floats; integers truncate toward zero as in ONNX (C semantics)."""
    return _uint64_divmod(n, 0) if n.out_dtype == "uint64" else _divide_narrow(n)


@onnx_op("Div", kernel=_div, inplace=template("{0}.div_({1})"), fresh=True)
class DivOp(DfgOp):
    """ONNX `Div`, broadcasting; integers truncate toward zero.

        %y = dfg.div %a, %b : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _remainder(n: KernelWriter) -> str:
    """`fmod=1` truncates like C fmod; `fmod=0` takes the sign of the divisor, like `torch.remainder`."""
    a, b = n.args()
    return f"torch.fmod({a}, {b})" if n.attr("fmod") else f"torch.remainder({a}, {b})"


_remainder_narrow = through_int64(_remainder, uint64=None)


def _mod(n: KernelWriter) -> str:
    """Mod: `fmod=1` truncates like C fmod; `fmod=0` takes the sign of the divisor, like `torch.remainder`."""
    # Unsigned remainders have one sign, so both conventions agree.
    return _uint64_divmod(n, 1) if n.out_dtype == "uint64" else _remainder_narrow(n)


@onnx_op("Mod", kernel=_mod)
class ModOp(DfgOp):
    """ONNX `Mod`: the sign of the divisor (`fmod = 0`) or of the dividend (`fmod = 1`).

        %y = dfg.mod %a, %b {fmod = 1 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    """


def _power(n: KernelWriter) -> str:
    """Pow: result in the base's type, whatever the exponent's type."""
    base = n.arg(0)
    exponent = n.value(1)
    base_float = n.dtype(0) in FLOAT_TYPES
    if (
        exponent is not None
        and exponent.size == 1
        and n.out_shape == n.shape(0)
        and (base_float or n.dtype(1) not in FLOAT_TYPES)
    ):
        # A Python scalar exponent keeps the base's dtype and lets torch pick its fast paths.
        return f"torch.pow({base}, {scalar_literal(exponent.item(), n.dtype(1))})"
    expr = f"torch.pow({base}, {n.arg(1)})"
    if result_dtype(n, 0, 1) != n.out_dtype:
        expr += f".to(torch.{n.out_dtype})"
    return expr


_power_of_integers = through_int64(_power, uint64=None)


def _pow(n: KernelWriter) -> str:
    """Pow: result in the base's type, whatever the exponent's type."""
    # torch raises a float base to any unsigned exponent; only an integer base needs int64.
    return _power(n) if n.dtype(0) in FLOAT_TYPES else _power_of_integers(n)


@onnx_op("Pow", kernel=_pow, fresh=True)
class PowOp(DfgOp):
    """ONNX `Pow`: the base's element type, whatever the exponent's.

        %y = dfg.pow %x, %e : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    """


def _combine(n: KernelWriter) -> str:
    """Sum, Mean, Max, Min: a chain of `+`, `torch.maximum` or `torch.minimum` over all inputs (broadcasting)."""
    args = n.args()
    if n.node.op_type in ("Sum", "Mean"):
        total = " + ".join(args)
        return f"({total}) / {len(args)}" if n.node.op_type == "Mean" and len(args) > 1 else total
    function = "torch.maximum" if n.node.op_type == "Max" else "torch.minimum"
    return functools.reduce(lambda left, right: f"{function}({left}, {right})", args)


_variadic = through_int64(_combine, ORDERED)


@onnx_op("Sum", kernel=_variadic, fresh=True)
class SumOp(DfgOp):
    """ONNX `Sum` of any number of inputs, broadcasting.

        %y = dfg.sum %a, %b, %c : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    """

    def is_no_op(self) -> bool:
        return _single_input(self)


@onnx_op("Mean", kernel=_variadic, fresh=True)
class MeanOp(DfgOp):
    """ONNX `Mean` of any number of inputs, broadcasting: their sum over their count.

        %y = dfg.mean %a, %b : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
    """

    def is_no_op(self) -> bool:
        return _single_input(self)


@onnx_op("Max", kernel=_variadic)
class MaxOp(DfgOp):
    """ONNX `Max`: the element-wise maximum of any number of inputs.

        %y = dfg.max %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    """

    def is_no_op(self) -> bool:
        return _single_input(self)


@onnx_op("Min", kernel=_variadic)
class MinOp(DfgOp):
    """ONNX `Min`: the element-wise minimum of any number of inputs.

        %y = dfg.min %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    """

    def is_no_op(self) -> bool:
        return _single_input(self)


# Comparisons.


@onnx_op("Equal", kernel=template("{0} == {1}"))
class EqualOp(DfgOp):
    """ONNX `Equal`.

        %m = dfg.equal %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi1>
    """


@onnx_op("Less", kernel=through_int64(template("{0} < {1}"), ORDERED))
class LessOp(DfgOp):
    """ONNX `Less`.

        %m = dfg.less %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    """


@onnx_op("LessOrEqual", kernel=through_int64(template("{0} <= {1}"), ORDERED))
class LessOrEqualOp(DfgOp):
    """ONNX `LessOrEqual`.

        %m = dfg.less_or_equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    """


@onnx_op("Greater", kernel=through_int64(template("{0} > {1}"), ORDERED))
class GreaterOp(DfgOp):
    """ONNX `Greater`.

        %m = dfg.greater %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    """


@onnx_op("GreaterOrEqual", kernel=through_int64(template("{0} >= {1}"), ORDERED))
class GreaterOrEqualOp(DfgOp):
    """ONNX `GreaterOrEqual`.

        %m = dfg.greater_or_equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    """


@onnx_op("Where", kernel=template("torch.where({0}, {1}, {2})"))
class WhereOp(DfgOp):
    """ONNX `Where`: elements of the second input where the condition holds, else of the third.

        %y = dfg.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    """


# Logic and bits.


@onnx_op("And", kernel=template("{0} & {1}"), fresh=True)
class AndOp(DfgOp):
    """ONNX `And` of booleans, broadcasting.

        %m = dfg.and %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
    """


@onnx_op("Or", kernel=template("{0} | {1}"), fresh=True)
class OrOp(DfgOp):
    """ONNX `Or` of booleans, broadcasting.

        %m = dfg.or %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
    """


@onnx_op("Xor", kernel=template("{0} ^ {1}"), fresh=True)
class XorOp(DfgOp):
    """ONNX `Xor` of booleans, broadcasting.

        %m = dfg.xor %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
    """


@onnx_op("Not", kernel=template("~{0}"), fresh=True)
class NotOp(DfgOp):
    """ONNX `Not` of booleans.

        %m = dfg.not %a : (tensor<4xi1>) -> tensor<4xi1>
    """


@onnx_op("BitwiseAnd", kernel=template("{0} & {1}"), fresh=True)
class BitwiseAndOp(DfgOp):
    """ONNX `BitwiseAnd` of integers, broadcasting.

        %y = dfg.bitwise_and %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    """


@onnx_op("BitwiseOr", kernel=template("{0} | {1}"), fresh=True)
class BitwiseOrOp(DfgOp):
    """ONNX `BitwiseOr` of integers, broadcasting.

        %y = dfg.bitwise_or %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    """


@onnx_op("BitwiseXor", kernel=template("{0} ^ {1}"), fresh=True)
class BitwiseXorOp(DfgOp):
    """ONNX `BitwiseXor` of integers, broadcasting.

        %y = dfg.bitwise_xor %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    """


@onnx_op("BitwiseNot", kernel=through_int64(template("~{0}")), fresh=True)
class BitwiseNotOp(DfgOp):
    """ONNX `BitwiseNot` of integers.

        %y = dfg.bitwise_not %a : (tensor<4xui8>) -> tensor<4xui8>
    """


def _shift(n: KernelWriter) -> str:
    """`<<` or `>>`, which in torch shift signed values arithmetically and give the sign fill for
    negative shifts and shifts of the type's width or more, as ONNX (opset 28) defines."""
    return f"{n.arg(0)} {'<<' if n.attr('direction') == 'LEFT' else '>>'} {n.arg(1)}"


_shift_narrow = through_int64(_shift)


def _bit_shift(n: KernelWriter) -> str:
    """BitShift: `<<` or `>>` (the sign fill for negative shifts and shifts of the width or more)."""
    if n.out_dtype == "uint64" and n.attr("direction") == "RIGHT":
        # A right shift of int64 bits would shift the top bit in.
        return n.call("uint64_shift_right", *n.args())
    return _shift_narrow(n)


@onnx_op("BitShift", kernel=_bit_shift, fresh=True, attribute_values={"direction": one_of("LEFT", "RIGHT")})
class BitShiftOp(DfgOp):
    """ONNX `BitShift` of integers by integers, broadcasting.

        %y = dfg.bit_shift %a, %b {direction = "LEFT"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
    """


# Casts.


def _cast(n: KernelWriter) -> str:
    """Cast, CastLike: to the output's element type (floats truncate toward zero for integer targets, as ONNX)."""
    x = n.arg(0)
    return x if n.dtype(0) == n.out_dtype else f"{x}.to(torch.{n.out_dtype})"


def _cast_values(op: DfgOp, values: Values) -> list[np.ndarray] | None:
    """Casts between integer and boolean types, with numpy; None for the kernel to fold the rest.

    They agree in numpy and torch (wrap-around, nonzero is true); casts with floats do not.
    """
    source = known(values)
    target = numpy_dtype(cast(TensorType, op.results[0].type).get_element_type())
    if source.dtype.kind not in "biu" or target.kind not in "biu":
        return None
    return [source.astype(target)]


@onnx_op("Cast", kernel=_cast, fold=NumpyFold(_cast_values))
class CastOp(DfgOp):
    """ONNX `Cast` to the result's element type (floats truncate toward zero for integers).

        %y = dfg.cast %x {to = 7 : i64} : (tensor<4xf32>) -> tensor<4xi64>
    """

    def is_no_op(self) -> bool:
        return _same_type(self)


@onnx_op("CastLike", kernel=_cast, fold=NumpyFold(_cast_values, needs=(0,)))
class CastLikeOp(DfgOp):
    """ONNX `CastLike`: `Cast` to the element type of the second input, whose values are not read.

        %y = dfg.cast_like %x, %like : (tensor<4xf32>, tensor<1xf16>) -> tensor<4xf16>
    """

    def is_no_op(self) -> bool:
        return _same_type(self)


def _bit_cast(n: KernelWriter) -> str:
    """BitCast: a view of the bits as the output's element type (of the same width).

    A byte that is neither 0 nor 1 is true as a bool: torch would keep it as it is
    in a bool tensor, where it compares unequal to true.
    """
    x = n.arg(0)
    if n.dtype(0) == n.out_dtype:
        return x
    if n.out_dtype == "bool":
        return f"{x}.view(torch.uint8) != 0"
    return f"{x}.view(torch.{n.out_dtype})"


@onnx_op("BitCast", kernel=_bit_cast, work=view_work)
class BitCastOp(DfgOp):
    """ONNX `BitCast`: the bits of each element read as the element type `to`, of the same width.

        %y = dfg.bit_cast %x {to = 6 : i64} : (tensor<4xf32>) -> tensor<4xi32>
    """

    def is_no_op(self) -> bool:
        return _same_type(self)
