"""Signal processing: window functions and mel filter banks, one row per op.

    %w = dfg.hann_window %n : (tensor<i32>) -> tensor<10xf32>
    %m = dfg.mel_weight_matrix %bins, %n, %rate, %low, %high : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x8xf32>

Their sizes come from their static result shapes. A window is computed in
float64 and converted to `output_datatype` (a symmetric window of one sample
divides by zero: NaN, as in ONNX's definition).
"""

from __future__ import annotations

import math

import numpy as np

from ramiel.dialects.dfg.base import DfgOp, Shapes, expect, onnx_op, shape_text
from ramiel.kernels import KernelWriter


def _zero_or_one(value: object) -> str | None:
    return None if value in (0, 1) else f"must be 0 or 1, not {value!r}"


def _scalar(n: KernelWriter, index: int) -> str:
    """Integer input `index` as an int: a literal when constant, read at run time otherwise."""
    value = n.ints(index)
    return f"int({n.arg(index)}.item())" if value is None else str(value[0])


def _verify_scalars(op: DfgOp, shapes: Shapes) -> None:
    """Every input of `op` holds one value."""
    for (name, _), shape in zip(op.ONNX_INPUTS, shapes, strict=False):
        expect(
            shape is None or math.prod(shape) == 1,
            f"{name} of {op.ONNX_OP_TYPE} must hold one value, not shape {shape_text(shape)}",
        )


# Each window as a0 - a1 cos(x) + a2 cos(2x), x = 2 pi n / N, with onnxruntime's
# coefficients: float32 constants, summed in float64.
_COEFFICIENTS = {
    "HannWindow": (0.5, 0.5, 0.0),
    "HammingWindow": (float(np.float32(25 / 46)), float(1 - np.float32(25 / 46)), 0.0),
    "BlackmanWindow": (float((1 - np.float32(0.16)) / 2), 0.5, float(np.float32(0.16) / 2)),
}


def _window(n: KernelWriter) -> str:
    """HannWindow, HammingWindow, BlackmanWindow: the cosine terms over the static length, N that length (periodic) or one less."""
    (size,) = n.out_shape
    period = size if n.attr("periodic") else size - 1
    step = repr(2 * math.pi / period) if period else "torch.inf"
    x = f"(torch.arange({size}, dtype=torch.float64) * {step})"
    a0, a1, a2 = _COEFFICIENTS[n.node.op_type]
    terms = f"{a0!r} - {a1!r} * torch.cos({x})" + (f" + {a2!r} * torch.cos(2 * {x})" if a2 else "")
    return f"({terms}).to(torch.{n.out_dtype})"


class WindowOp(DfgOp):
    """The rule the window functions share: the size is one value."""

    def verify_shapes(self, shapes: Shapes) -> None:
        _verify_scalars(self, shapes)


_WINDOW_CHECKS = {"periodic": _zero_or_one}


@onnx_op("HannWindow", kernel=_window, fresh=True, attribute_values=_WINDOW_CHECKS)
class HannWindowOp(WindowOp):
    """ONNX `HannWindow`: 0.5 - 0.5 cos(2 pi n / N) for n below the size, N the size (`periodic`) or one less.

        %w = dfg.hann_window %n : (tensor<i32>) -> tensor<10xf32>
    """


@onnx_op("HammingWindow", kernel=_window, fresh=True, attribute_values=_WINDOW_CHECKS)
class HammingWindowOp(WindowOp):
    """ONNX `HammingWindow`: 25/46 - 21/46 cos(2 pi n / N) for n below the size, N the size (`periodic`) or one less.

        %w = dfg.hamming_window %n {periodic = 0 : i64} : (tensor<i64>) -> tensor<10xf32>
    """


@onnx_op("BlackmanWindow", kernel=_window, fresh=True, attribute_values=_WINDOW_CHECKS)
class BlackmanWindowOp(WindowOp):
    """ONNX `BlackmanWindow`: 0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N) for n below the size, N the size (`periodic`) or one less.

        %w = dfg.blackman_window %n : (tensor<i32>) -> tensor<10xf32>
    """


def _mel_weight_matrix(n: KernelWriter) -> str:
    """MelWeightMatrix: the `mel_weight_matrix` helper; the bin count is the static result width."""
    bins = str(n.out_shape[1])
    return n.call("mel_weight_matrix", bins, _scalar(n, 1), _scalar(n, 2), n.arg(3), n.arg(4), f"torch.{n.out_dtype}")


@onnx_op("MelWeightMatrix", kernel=_mel_weight_matrix, fresh=True)
class MelWeightMatrixOp(DfgOp):
    """ONNX `MelWeightMatrix`: triangular filters, evenly spaced on the mel scale between the edge frequencies, over the DFT's bins.

        %m = dfg.mel_weight_matrix %bins, %n, %rate, %low, %high : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x8xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        _verify_scalars(self, shapes)
