"""Activations and softmax: one row per op.

    %y = dfg.relu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    %e = dfg.elu %x {alpha = 5.000000e-01 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    %p = dfg.softmax %x {axis = -1 : i64} : (tensor<1x8xf32>) -> tensor<1x8xf32>

Relu and a Clip to constant bounds are also what a convolution can apply inside
itself (`ramiel.dialects.dfg.conv`).
"""

from __future__ import annotations

import numpy as np

from ramiel.codegen.escape import literal
from ramiel.dialects.dfg.base import (
    DfgOp,
    Shapes,
    broadcasts_to,
    expect,
    one_of,
    onnx_op,
    shape_text,
)
from ramiel.dialects.dfg.elementwise import ORDERED, in_float32, through_int64
from ramiel.kernels import (
    FLOAT_TYPES,
    KernelWriter,
    float_literal,
    keyword_args,
    scalar_literal,
    template,
)


def _float32(value: float, default: float) -> bool:
    """Whether a float attribute is `default` as ONNX stores attributes (float32)."""
    return bool(np.float32(value) == np.float32(default))


@onnx_op("Relu", kernel=template("torch.relu({0})"), inplace=template("torch.relu_({0})"), fresh=True)
class ReluOp(DfgOp):
    """ONNX `Relu`: max(x, 0).

        %y = dfg.relu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


@onnx_op("Sigmoid", kernel=template("torch.sigmoid({0})"), inplace=template("torch.sigmoid_({0})"), fresh=True)
class SigmoidOp(DfgOp):
    """ONNX `Sigmoid`: 1 / (1 + exp(-x)).

        %y = dfg.sigmoid %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _leaky_relu(n: KernelWriter) -> str:
    """LeakyRelu: `F.leaky_relu` with the ONNX slope."""
    return f"F.leaky_relu({n.arg(0)}, {n.float_text('alpha')})"


@onnx_op("LeakyRelu", kernel=_leaky_relu, fresh=True)
class LeakyReluOp(DfgOp):
    """ONNX `LeakyRelu`: x, or alpha * x below zero.

        %y = dfg.leaky_relu %x {alpha = 1.000000e-01 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _hard_sigmoid(n: KernelWriter) -> str:
    """HardSigmoid: max(0, min(1, alpha * x + beta)); `F.hardsigmoid` when alpha is 1/6 and beta 1/2."""
    alpha, beta = n.float_attr("alpha"), n.float_attr("beta")
    if _float32(alpha, 1 / 6) and beta == 0.5:
        return f"F.hardsigmoid({n.arg(0)})"
    return f"torch.clamp({n.arg(0)} * {float_literal(alpha)} + {float_literal(beta)}, 0.0, 1.0)"


@onnx_op("HardSigmoid", kernel=in_float32(_hard_sigmoid), fresh=True)
class HardSigmoidOp(DfgOp):
    """ONNX `HardSigmoid`: max(0, min(1, alpha * x + beta)).

        %y = dfg.hard_sigmoid %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


@onnx_op("HardSwish", kernel=template("F.hardswish({0})"), fresh=True)
class HardSwishOp(DfgOp):
    """ONNX `HardSwish`: x * HardSigmoid(x) with alpha 1/6 and beta 1/2.

        %y = dfg.hard_swish %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _gelu(n: KernelWriter) -> str:
    """Gelu, exact or with the tanh approximation."""
    approximate = n.attr("approximate")
    if approximate == "none":
        return f"F.gelu({n.arg(0)})"
    return f"F.gelu({n.arg(0)}, approximate={literal(str(approximate))})"


@onnx_op("Gelu", kernel=_gelu, fresh=True, attribute_values={"approximate": one_of("none", "tanh")})
class GeluOp(DfgOp):
    """ONNX `Gelu`, exact or with the tanh approximation.

        %y = dfg.gelu %x {approximate = "tanh"} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _swish_of(x: str, alpha: float) -> str:
    """x * sigmoid(alpha * x) of the expression `x` (an atom): `F.silu` for alpha 1."""
    if _float32(alpha, 1.0):
        return f"F.silu({x})"
    return f"{x} * torch.sigmoid({x} * {float_literal(alpha)})"


def _swish(n: KernelWriter) -> str:
    """Swish: x * sigmoid(alpha * x)."""
    return _swish_of(n.arg(0), n.float_attr("alpha"))


@onnx_op("Swish", kernel=in_float32(_swish), fresh=True)
class SwishOp(DfgOp):
    """ONNX `Swish`: x * sigmoid(alpha * x) (SiLU for alpha 1).

        %y = dfg.swish %x {alpha = 5.000000e-01 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _swiglu(n: KernelWriter) -> str:
    """SwiGLU: Swish(a) * b."""
    return f"{_swish_of(n.arg(0), n.float_attr('alpha'))} * {n.arg(1)}"


@onnx_op("SwiGLU", kernel=in_float32(_swiglu), fresh=True)
class SwiGLUOp(DfgOp):
    """ONNX `SwiGLU`: Swish(a) * b, the gate `a` and the value `b` of one shape (no broadcasting).

        %y = dfg.swi_glu %a, %b : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _clip(n: KernelWriter) -> str:
    """Clip: `torch.clamp` with the optional min and max inputs, as literals when constant."""
    x = n.arg(0)
    bounds = {name: index for name, index in (("min", 1), ("max", 2)) if n.has(index)}
    if not bounds:
        return x
    values = {name: n.value(index) for name, index in bounds.items()}
    if all(value is not None for value in values.values()):
        texts = {name: scalar_literal(value.item(), n.dtype(0)) for name, value in values.items() if value is not None}
    else:
        # torch.clamp takes either scalars or tensors for both bounds, not a mix.
        texts = {name: n.arg(index) for name, index in bounds.items()}
    return f"torch.clamp({x}{keyword_args(**texts)})"


def clip_bounds(n: KernelWriter) -> tuple[float, float] | None:
    """A Clip's constant, finite bounds, low first; None when it has no such bounds.

    Such a Clip rounds nothing, so a convolution may apply it inside itself and it
    may write over its input.
    """
    low, high = n.value(1), n.value(2)
    if low is None or high is None or not -np.inf < low.item() <= high.item() < np.inf:
        return None
    return float(low.item()), float(high.item())


def _clip_in_place(n: KernelWriter) -> str:
    """Clip with constant finite bounds, writing over its input."""
    bounds = clip_bounds(n)
    if bounds is None:
        raise n.fail("only constant, finite bounds clip in place")
    return f"{n.arg(0)}.clamp_({float_literal(bounds[0])}, {float_literal(bounds[1])})"


@onnx_op("Clip", kernel=through_int64(_clip, ORDERED), inplace=_clip_in_place, fresh=True)
class ClipOp(DfgOp):
    """ONNX `Clip` to optional lower and upper bounds.

        %y = dfg.clip %x, %lo, %hi : (tensor<1x8xf32>, tensor<f32>, tensor<f32>) -> tensor<1x8xf32>
    """


def _elu(n: KernelWriter) -> str:
    """Elu: `F.elu` with the ONNX alpha."""
    return f"F.elu({n.arg(0)}, {n.float_text('alpha')})"


@onnx_op("Elu", kernel=_elu, fresh=True)
class EluOp(DfgOp):
    """ONNX `Elu`: x, or alpha * (exp(x) - 1) below zero.

        %y = dfg.elu %x {alpha = 5.000000e-01 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_GAMMA = 1.0507009873554804934193349852946
"""The constants of `F.selu`, whose float32 values are ONNX's Selu defaults."""


def _selu(n: KernelWriter) -> str:
    """Selu: gamma * Elu(x, alpha); `F.selu` for the default alpha and gamma."""
    alpha, gamma = n.float_attr("alpha"), n.float_attr("gamma")
    if _float32(alpha, _SELU_ALPHA) and _float32(gamma, _SELU_GAMMA):
        return f"F.selu({n.arg(0)})"
    return f"F.elu({n.arg(0)}, {float_literal(alpha)}) * {float_literal(gamma)}"


@onnx_op("Selu", kernel=in_float32(_selu), fresh=True)
class SeluOp(DfgOp):
    """ONNX `Selu`: gamma * x, or gamma * alpha * (exp(x) - 1) below zero.

        %y = dfg.selu %x {alpha = 2.000000e+00 : f32, gamma = 3.000000e+00 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _celu(n: KernelWriter) -> str:
    """Celu: `F.celu` with the ONNX alpha."""
    return f"F.celu({n.arg(0)}, {n.float_text('alpha')})"


@onnx_op("Celu", kernel=_celu, fresh=True)
class CeluOp(DfgOp):
    """ONNX `Celu`: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

        %y = dfg.celu %x {alpha = 2.000000e+00 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


@onnx_op("Softplus", kernel=template("F.softplus({0})"), fresh=True)
class SoftplusOp(DfgOp):
    """ONNX `Softplus`: log(exp(x) + 1) (`F.softplus` returns x itself above 20, where they agree in float32).

        %y = dfg.softplus %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


@onnx_op("Softsign", kernel=in_float32(template("F.softsign({0})")), fresh=True)
class SoftsignOp(DfgOp):
    """ONNX `Softsign`: x / (1 + |x|).

        %y = dfg.softsign %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


@onnx_op("Mish", kernel=template("F.mish({0})"), fresh=True)
class MishOp(DfgOp):
    """ONNX `Mish`: x * tanh(softplus(x)).

        %y = dfg.mish %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _prelu(n: KernelWriter) -> str:
    """PRelu: x, or slope * x below zero; unsigned values are never below zero.

    Not `F.prelu`, whose slope is one value per channel (dimension 1), while
    ONNX's slope broadcasts to x in any shape.
    """
    x = n.arg(0)
    if n.dtype(0).startswith("uint"):
        return x
    return f"torch.where({x} < 0, {x} * {n.arg(1)}, {x})"


@onnx_op("PRelu", kernel=_prelu, fresh=True)
class PReluOp(DfgOp):
    """ONNX `PRelu`: x, or slope * x below zero; the slope broadcasts to x.

        %y = dfg.prelu %x, %slope : (tensor<1x3x4x4xf32>, tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, slope = shapes
        assert x is not None
        assert slope is not None
        expect(
            broadcasts_to(slope, x),
            f"the slope of PRelu (shape {shape_text(slope)}) must broadcast to its input (shape {shape_text(x)})",
        )


def _thresholded_relu(n: KernelWriter) -> str:
    """ThresholdedRelu: `F.threshold`, x above alpha and 0 elsewhere."""
    return f"F.threshold({n.arg(0)}, {n.float_text('alpha')}, 0.0)"


@onnx_op("ThresholdedRelu", kernel=_thresholded_relu, fresh=True)
class ThresholdedReluOp(DfgOp):
    """ONNX `ThresholdedRelu`: x above alpha, else 0.

        %y = dfg.thresholded_relu %x {alpha = 2.000000e+00 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _shrink(n: KernelWriter) -> str:
    """Shrink: x + bias below -lambd, x - bias above lambd, else 0.

    `F.hardshrink` when bias is 0 and `F.softshrink` when bias is lambd. Integers
    compute in float64, as ONNX's float attributes ask, then truncate toward zero
    back to their type (as onnxruntime); float64 holds every int32 exactly, not
    every int64.
    """
    x, dtype = n.arg(0), n.dtype(0)
    lambd, bias = n.float_attr("lambd"), n.float_attr("bias")
    if dtype in FLOAT_TYPES and bias == 0:
        return f"F.hardshrink({x}, {float_literal(lambd)})"
    if dtype in FLOAT_TYPES and bias == lambd >= 0:
        return f"F.softshrink({x}, {float_literal(lambd)})"
    if dtype in ("int64", "uint64"):
        raise n.fail(f"{dtype} is not supported (float64 does not hold every value)")
    wide = x if dtype in FLOAT_TYPES else f"{x}.double()"
    low, high, shift = (float_literal(v) for v in (-lambd, lambd, bias))
    expr = f"torch.where({wide} < {low}, {wide} + {shift}, torch.where({wide} > {high}, {wide} - {shift}, 0.0))"
    return expr if dtype in FLOAT_TYPES else f"({expr}).to(torch.{dtype})"


@onnx_op("Shrink", kernel=_shrink, fresh=True)
class ShrinkOp(DfgOp):
    """ONNX `Shrink`: x + bias below -lambd, x - bias above lambd, else 0.

        %y = dfg.shrink %x {bias = 1.500000e+00 : f32, lambd = 1.500000e+00 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


def _softmax(n: KernelWriter) -> str:
    """Softmax, LogSoftmax (opset 13: along one axis, default -1)."""
    if n.node.op_type == "Softmax" and n.dtype(0) in ("float16", "bfloat16"):
        # torch's half-precision softmax computes in float; ONNX in the input's type.
        return n.call("softmax", n.arg(0), dim=str(n.attr("axis")))
    function = "torch.softmax" if n.node.op_type == "Softmax" else "torch.log_softmax"
    return f"{function}({n.arg(0)}, dim={n.attr('axis')})"


@onnx_op("Softmax", kernel=_softmax, fresh=True)
class SoftmaxOp(DfgOp):
    """ONNX `Softmax` along one axis (default the last).

        %p = dfg.softmax %x {axis = -1 : i64} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """


@onnx_op("LogSoftmax", kernel=_softmax)
class LogSoftmaxOp(DfgOp):
    """ONNX `LogSoftmax` along one axis (default the last).

        %p = dfg.log_softmax %x {axis = -1 : i64} : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """
