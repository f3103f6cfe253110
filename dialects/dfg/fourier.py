"""Fourier transforms: one row per op.

    %y = dfg.dft %x, _, %axis {onesided = 1 : i64} : (tensor<1x10x10x1xf32>, tensor<i64>) -> tensor<1x6x10x2xf32>
    %s = dfg.stft %x, %step, %w : (tensor<1x128x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<1x15x9x2xf32>

ONNX holds a signal's values on a last axis of one (real) or two (real and
imaginary parts); the runtime helpers view it as a complex tensor for
`torch.fft`, in float64, and back, rounding once to the signal's type. Lengths,
steps and axes are literals when constant and read at run time otherwise; the
static result shape holds either way.
"""

from __future__ import annotations

import math

from ramiel.costmodel import OpWork, elementwise_work
from ramiel.dialects.dfg.base import DfgOp, Shapes, expect, onnx_op, shape_text
from ramiel.kernels import KernelWriter
from ramiel.opview import OpView


def _scalar(n: KernelWriter, index: int, default: str) -> str:
    """Integer input `index` as an int: a literal when constant, read at run time otherwise, `default` when absent."""
    if not n.has(index):
        return default
    value = n.ints(index)
    return f"int({n.arg(index)}.item())" if value is None else str(value[0])


def _verify_scalars(op: DfgOp, shapes: Shapes, *names: str) -> None:
    """The op's inputs named `names` hold one value each, where present."""
    positions = {name: index for index, (name, _) in enumerate(op.ONNX_INPUTS)}
    for name in names:
        shape = shapes[positions[name]] if positions[name] < len(shapes) else None
        expect(
            shape is None or math.prod(shape) == 1,
            f"{name} of {op.ONNX_OP_TYPE} must hold one value, not shape {shape_text(shape)}",
        )


def _transform_work(op: OpView) -> OpWork:
    """5 * N * log2(N) FLOPs for each transform of length N, the result's size along the transformed axis.

    The axis is the last but one, as in every STFT and in most DFTs.
    """
    out = op.output_shapes[0] if op.output_shapes else None
    if out is None or len(out) < 2:
        return elementwise_work(op)
    length = max(out[-2], 2)
    transforms = math.prod(out[:-2])
    return OpWork(5.0 * transforms * length * math.log2(length), elementwise_work(op).nbytes, "vector")


def _dft(n: KernelWriter) -> str:
    """DFT: the `onnx_dft` helper."""
    inverse, onesided = bool(n.attr("inverse")), bool(n.attr("onesided"))
    return n.call("onnx_dft", n.arg(0), _scalar(n, 1, "None"), _scalar(n, 2, "-2"), str(inverse), str(onesided))


@onnx_op(
    "DFT",
    kernel=_dft,
    fresh=True,
    work=_transform_work,
)
class DFTOp(DfgOp):
    """ONNX `DFT` along `axis` (an input): forward or `inverse`, full or `onesided` (RFFT, IRFFT), over `dft_length` samples.

        %y = dfg.dft %x, _, %axis {inverse = 1 : i64} : (tensor<1x10x10x2xf32>, tensor<i64>) -> tensor<1x10x10x2xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        _verify_scalars(self, shapes, "dft_length", "axis")


def _stft(n: KernelWriter) -> str:
    """STFT: the `onnx_stft` helper."""
    window = n.arg(2) if n.has(2) else "None"
    onesided = str(bool(n.attr("onesided")))
    return n.call("onnx_stft", n.arg(0), _scalar(n, 1, "1"), window, _scalar(n, 3, "None"), onesided)


@onnx_op("STFT", kernel=_stft, fresh=True, work=_transform_work)
class STFTOp(DfgOp):
    """ONNX `STFT`: the DFT of each frame of `frame_length` samples, `frame_step` apart, weighted by the window.

        %y = dfg.stft %x, %step, %w : (tensor<1x128x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<1x15x9x2xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        _verify_scalars(self, shapes, "frame_step", "frame_length")
        signal = shapes[0]
        window = shapes[2] if len(shapes) > 2 else None
        expect(
            signal is not None and len(signal) == 3 and signal[-1] in (1, 2),
            f"signal of STFT must be batch x length x 1 or 2, not {shape_text(signal)}",
        )
        expect(window is None or len(window) == 1, f"window of STFT must be 1-D, not {shape_text(window)}")
