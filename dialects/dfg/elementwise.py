"""Element-wise arithmetic, comparisons and math: one row per op.

    %y = dfg.add %a, %b : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
    %m = dfg.less %a, %b : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xi1>

Broadcasting follows numpy's rules, which torch shares, so most kernels are one
operator or one torch function over their inputs.
"""

from __future__ import annotations

import functools
from typing import cast

import numpy as np
from xdsl.dialects.builtin import TensorType

from ramiel.dialects.dfg.base import DfgOp, onnx_op
from ramiel.dialects.dfg.folding import NumpyFold, Values, known
from ramiel.kernels import (
    FLOAT_TYPES,
    KernelWriter,
    result_dtype,
    scalar_literal,
    template,
)
from ramiel.onnx_types import numpy_dtype


def _same_type(op: DfgOp) -> bool:
    """Whether the op's first input has its result's type (so returning it changes nothing)."""
    source = op.input_values()[0]
    return source is not None and source.type == op.results[0].type


def _single_input(op: DfgOp) -> bool:
    return len(op.operands) == 1 and _same_type(op)


@onnx_op("Abs", kernel=template("torch.abs({0})"))
class AbsOp(DfgOp):
    """ONNX `Abs`: |x|.

        %y = dfg.abs %x : (tensor<4xf32>) -> tensor<4xf32>
    """


@onnx_op("Neg", kernel=template("torch.neg({0})"), fresh=True)
class NegOp(DfgOp):
    """ONNX `Neg`: -x.

        %y = dfg.neg %x : (tensor<4xf32>) -> tensor<4xf32>
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


@onnx_op("Add", kernel=template("{0} + {1}"), inplace=template("{0}.add_({1})"), fresh=True)
class AddOp(DfgOp):
    """ONNX `Add`, broadcasting.

        %y = dfg.add %a, %b : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
    """


@onnx_op("Sub", kernel=template("{0} - {1}"), inplace=template("{0}.sub_({1})"), fresh=True)
class SubOp(DfgOp):
    """ONNX `Sub`, broadcasting.

        %y = dfg.sub %a, %b : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
    """


@onnx_op("Mul", kernel=template("{0} * {1}"), inplace=template("{0}.mul_({1})"), fresh=True)
class MulOp(DfgOp):
    """ONNX `Mul`, broadcasting.

        %y = dfg.mul %a, %b : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
    """


def _div(n: KernelWriter) -> str:
    """Div: true division for floats; integers truncate toward zero as in ONNX (C semantics)."""
    a, b = n.args()
    if n.out_dtype in FLOAT_TYPES:
        return f"{a} / {b}"
    return f"torch.div({a}, {b}, rounding_mode='trunc')"


@onnx_op("Div", kernel=_div, inplace=template("{0}.div_({1})"), fresh=True)
class DivOp(DfgOp):
    """ONNX `Div`, broadcasting; integers truncate toward zero.

        %y = dfg.div %a, %b : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _mod(n: KernelWriter) -> str:
    """Mod: `fmod=1` truncates like C fmod; `fmod=0` takes the sign of the divisor, like `torch.remainder`."""
    a, b = n.args()
    return f"torch.fmod({a}, {b})" if n.attr("fmod") else f"torch.remainder({a}, {b})"


@onnx_op("Mod", kernel=_mod)
class ModOp(DfgOp):
    """ONNX `Mod`: the sign of the divisor (`fmod = 0`) or of the dividend (`fmod = 1`).

        %y = dfg.mod %a, %b {fmod = 1 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    """


def _pow(n: KernelWriter) -> str:
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


@onnx_op("Pow", kernel=_pow, fresh=True)
class PowOp(DfgOp):
    """ONNX `Pow`: the base's element type, whatever the exponent's.

        %y = dfg.pow %x, %e : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    """


def _variadic(n: KernelWriter) -> str:
    """Sum, Max, Min: a chain of `+`, `torch.maximum` or `torch.minimum` over all inputs (broadcasting)."""
    args = n.args()
    if n.node.op_type == "Sum":
        return " + ".join(args)
    function = "torch.maximum" if n.node.op_type == "Max" else "torch.minimum"
    return functools.reduce(lambda left, right: f"{function}({left}, {right})", args)


@onnx_op("Sum", kernel=_variadic, fresh=True)
class SumOp(DfgOp):
    """ONNX `Sum` of any number of inputs, broadcasting.

        %y = dfg.sum %a, %b, %c : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
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


@onnx_op("Equal", kernel=template("{0} == {1}"))
class EqualOp(DfgOp):
    """ONNX `Equal`.

        %m = dfg.equal %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi1>
    """


@onnx_op("Less", kernel=template("{0} < {1}"))
class LessOp(DfgOp):
    """ONNX `Less`.

        %m = dfg.less %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    """


@onnx_op("Greater", kernel=template("{0} > {1}"))
class GreaterOp(DfgOp):
    """ONNX `Greater`.

        %m = dfg.greater %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    """


@onnx_op("Where", kernel=template("torch.where({0}, {1}, {2})"))
class WhereOp(DfgOp):
    """ONNX `Where`: elements of the second input where the condition holds, else of the third.

        %y = dfg.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    """


def _cast(n: KernelWriter) -> str:
    """Cast to the output's element type (truncating floats toward zero for integer targets, as ONNX)."""
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
