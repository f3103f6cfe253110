"""Activations and softmax: one row per op.

    %y = dfg.relu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    %p = dfg.softmax %x {axis = -1 : i64} : (tensor<1x8xf32>) -> tensor<1x8xf32>

Relu and a Clip to constant bounds are also what a convolution can apply inside
itself (`ramiel.dialects.dfg.conv`).
"""

from __future__ import annotations

import numpy as np

from ramiel.codegen.escape import literal
from ramiel.dialects.dfg.base import DfgOp, one_of, onnx_op
from ramiel.kernels import (
    KernelWriter,
    float_literal,
    keyword_args,
    scalar_literal,
    template,
)


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
    if np.float32(alpha) == np.float32(1 / 6) and beta == 0.5:
        return f"F.hardsigmoid({n.arg(0)})"
    return f"torch.clamp({n.arg(0)} * {float_literal(alpha)} + {float_literal(beta)}, 0.0, 1.0)"


@onnx_op("HardSigmoid", kernel=_hard_sigmoid, fresh=True)
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


@onnx_op("Clip", kernel=_clip, inplace=_clip_in_place, fresh=True)
class ClipOp(DfgOp):
    """ONNX `Clip` to optional lower and upper bounds.

        %y = dfg.clip %x, %lo, %hi : (tensor<1x8xf32>, tensor<f32>, tensor<f32>) -> tensor<1x8xf32>
    """


def _softmax(n: KernelWriter) -> str:
    """Softmax, LogSoftmax (opset 13: along one axis, default -1)."""
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
