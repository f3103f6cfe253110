"""The `prepack-weights` pass: the constant weights of `conv2d` convolutions are reordered for oneDNN at load."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from ramiel.dialects.dfg.constant import ConstantOp
from ramiel.dialects.dfg.conv import (
    ConvOp,
    FusedConvOp,
    PrepackConv2dOp,
    conv2d_weight_readers,
    prepack_properties,
)


class PrepackConvWeight(RewritePattern):
    """A constant that only `conv2d` convolutions read, as their weight and all with one input shape and one
    set of parameters, is read through one `dfg.prepack_conv2d`; the plain convolutions among them become
    `dfg.fused_conv`s (activation "none"), the op that reads prepacked weights."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ConstantOp, rewriter: PatternRewriter) -> None:
        readers = conv2d_weight_readers(op.output)
        if readers is None:
            return
        if any(prepack_properties(conv) != prepack_properties(readers[0]) for conv in readers[1:]):
            return
        prepack = PrepackConv2dOp.of(readers[0])
        rewriter.insert(prepack, InsertPoint.after(op))
        rewriter.replace_uses_with_if(op.output, prepack.result, lambda use: use.operation is not prepack)
        for conv in readers:
            if isinstance(conv, ConvOp):
                rewriter.replace(conv, FusedConvOp.of(conv))


@dataclass(frozen=True)
class PrepackWeights(ModulePass):
    """Reorder the constant weight of each convolution the `conv2d` helper computes into oneDNN's layout, once, at load.

        %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
        %c = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>

    becomes

        %w = dfg.constant dense<1.0> : tensor<4x4x3x3xf32>
        %w_1 = dfg.prepack_conv2d %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 8, 8>} : tensor<4x4x3x3xf32>
        %c = dfg.fused_conv %x, %w_1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>

    `conv2d` then skips the reorder on every call. A weight that anything else
    reads, or convolutions of different shapes or parameters, stays as it is.
    """

    name = "prepack-weights"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        PatternRewriteWalker(PrepackConvWeight(), apply_recursively=False).rewrite_module(op)
