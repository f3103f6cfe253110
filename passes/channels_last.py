"""The `channels-last` pass: a graph with `conv2d` convolutions keeps its 4-D float tensors channels-last."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, TensorType
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass

from ramiel.dialects.dfg.constant import ConstantOp
from ramiel.dialects.dfg.conv import computes_with_conv2d, conv2d_weight_readers
from ramiel.dialects.dfg.layout import CHANNELS_LAST, CONTIGUOUS, MemoryFormatOp
from ramiel.ir_graph import STREAM, main_function
from ramiel.onnx_types import dtype_name

_FLOATS = frozenset({"float16", "bfloat16", "float32", "float64"})


def is_image(value: SSAValue) -> bool:
    """Whether `value` is a 4-D float tensor, which a channels-last graph keeps channels-last."""
    t = cast(TensorType, value.type)
    return len(t.get_shape()) == 4 and dtype_name(t.get_element_type()) in _FLOATS


@dataclass(frozen=True)
class ChannelsLast(ModulePass):
    """Keep the 4-D float tensors of a graph with `conv2d` convolutions channels-last, which oneDNN prefers.

        func.func @main(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
          %r = dfg.fused_conv %x, %w {activation = "relu"} : ...
          func.return %r : tensor<1x4x8x8xf32>
        }

    becomes

        func.func @main(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
          %x_1 = dfg.memory_format %x {format = "channels_last"} : tensor<1x4x8x8xf32>
          %r = dfg.fused_conv %x_1, %w {activation = "relu"} : ...
          %r_1 = dfg.memory_format %r {format = "contiguous"} : tensor<1x4x8x8xf32>
          func.return %r_1 : tensor<1x4x8x8xf32>
        }

    Each stream that reads a 4-D float graph input converts it on entry; each such
    graph output is given back contiguous, on the stream that computes it (the
    first for inputs and constants); a constant that only convolutions read as
    their weight is converted once, at load. Ops keep the layout of their inputs,
    so nothing else changes. A graph without such convolutions, or with layout
    changes already, is left alone.
    """

    name = "channels-last"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        block = main_function(op).body.block
        ops = list(block.ops)
        if not any(computes_with_conv2d(o) for o in ops) or any(isinstance(o, MemoryFormatOp) for o in ops):
            return
        marks = [m for o in ops if isinstance(m := o.attributes.get(STREAM), IntegerAttr)]
        home = min(marks, key=lambda m: m.value.data, default=None)
        first = block.first_op
        assert first is not None
        for arg in block.args:
            if not is_image(arg):
                continue
            readers: defaultdict[Attribute | None, list[Operation]] = defaultdict(list)
            for use in arg.uses:
                readers[home if isinstance(use.operation, func.ReturnOp) else use.operation.attributes.get(STREAM)].append(use.operation)
            for stream in sorted(readers, key=lambda s: -1 if s is None else cast(IntegerAttr, s).value.data):
                entry = _converted(arg, CHANNELS_LAST, stream)
                block.insert_op_before(entry, first)
                arg.replace_uses_with_if(entry.result, lambda use: use.operation in readers[stream])
        for constant in ops:
            if isinstance(constant, ConstantOp) and conv2d_weight_readers(constant.output) is not None:
                weight = MemoryFormatOp(constant.output, CHANNELS_LAST)
                block.insert_op_after(weight, constant)
                constant.output.replace_uses_with_if(weight.result, lambda use: use.operation is not weight)
        ret = block.last_op
        assert isinstance(ret, func.ReturnOp)
        for index, value in enumerate(ret.operands):
            if is_image(value):
                owner = value.owner
                stream = owner.attributes.get(STREAM, home) if isinstance(owner, Operation) else home
                exit_ = _converted(value, CONTIGUOUS, stream)
                block.insert_op_before(exit_, ret)
                ret.operands[index] = exit_.result


def _converted(value: SSAValue, format: str, stream: Attribute | None) -> MemoryFormatOp:
    """`value` in `format`, on `stream` when the graph is scheduled."""
    op = MemoryFormatOp(value, format)
    if stream is not None:
        op.attributes[STREAM] = stream
    return op
