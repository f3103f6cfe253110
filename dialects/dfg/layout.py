"""Memory layouts: the extension op that changes a tensor's, which no ONNX operator does.

    %y = dfg.memory_format %x {format = "channels_last"} : tensor<1x3x224x224xf32>

ONNX tensors have no layout; torch's 4-D tensors are either contiguous (NCHW in
memory) or channels-last (NHWC), which oneDNN's convolutions prefer. The
`channels-last` pass writes where a graph changes layout with this op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, cast

from xdsl.dialects.builtin import StringAttr, TensorType
from xdsl.ir import SSAValue
from xdsl.irdl import (
    ParsePropInAttrDict,
    VarConstraint,
    base,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from ramiel.dialects.dfg.base import KernelOp, extension_op
from ramiel.dialects.streams import LoadTime
from ramiel.kernels import KernelCall, is_atom

CHANNELS_LAST = "channels_last"
"""The format of a 4-D tensor stored NHWC."""
CONTIGUOUS = "contiguous"
"""The default format: stored in the order of its dimensions (NCHW)."""

_CONVERSIONS = {
    CHANNELS_LAST: "{0}.contiguous(memory_format=torch.channels_last)",
    CONTIGUOUS: "{0}.contiguous()",
}
"""How torch gives a tensor in each format (the tensor itself when it is in it already)."""


@extension_op
class MemoryFormatOp(KernelOp):
    """The same 4-D tensor in memory format `format`: "channels_last" or "contiguous".

        %x_1 = dfg.memory_format %x {format = "channels_last"} : tensor<1x3x8x8xf32>
        %y_1 = dfg.memory_format %y {format = "contiguous"} : tensor<1x4x8x8xf32>

    On a weight, loading converts it once (the op is load-time then).
    """

    name = "dfg.memory_format"

    T: ClassVar = VarConstraint("T", base(TensorType))

    input = operand_def(T)
    result = result_def(T)
    format = prop_def(StringAttr)
    """The memory format of the result."""

    traits = traits_def(Pure(), LoadTime())
    assembly_format = "$input attr-dict `:` type($input)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, value: SSAValue, format: str) -> None:
        super().__init__(operands=[value], result_types=[value.type], properties={"format": StringAttr(format)})
        self.result.name_hint = value.name_hint

    def kernel_call(self, name: Callable[[SSAValue], str] | None = None) -> KernelCall:
        """`x.contiguous(memory_format=torch.channels_last)`, or `x.contiguous()`."""
        x = (name or (lambda v: v.name_hint or "x"))(self.input)
        return KernelCall(_CONVERSIONS[self.format.data].format(x if is_atom(x) else f"({x})"), frozenset(), frozenset({0}))

    def kernel_inputs(self) -> list[SSAValue]:
        return [self.input]

    def verify_(self) -> None:
        if self.format.data not in _CONVERSIONS:
            raise VerifyException(f"format must be one of {', '.join(map(repr, _CONVERSIONS))}, not {self.format.data!r}")
        if len(cast(TensorType, self.input.type).get_shape()) != 4:
            raise VerifyException(f"memory formats are for 4-D tensors, not {self.input.type}")
