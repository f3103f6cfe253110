"""The `fuse-conv-activation` pass: a convolution and the activation that alone reads it become one `conv2d` call."""

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

from ramiel.dialects.dfg.activation import ClipOp, ReluOp
from ramiel.dialects.dfg.conv import (
    ConvOp,
    FusedConvOp,
    conv2d_call,
    fusable_activation,
)
from ramiel.ir_graph import STREAM


class FuseActivationIntoConv(RewritePattern):
    """A Relu, or a Clip with constant bounds, whose input is a `conv2d`-computable Conv's result that nothing else
    reads, on the same stream, becomes a `dfg.fused_conv` in the activation's place."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ReluOp | ClipOp, rewriter: PatternRewriter) -> None:
        conv = op.operands[0].owner
        if (
            not isinstance(conv, ConvOp)
            or not op.operands[0].has_one_use()
            or conv.attributes.get(STREAM) != op.attributes.get(STREAM)
        ):
            return
        activation = fusable_activation(op.view())
        if activation is None or conv2d_call(conv.view(), activation) is None:
            return
        rewriter.replace(op, FusedConvOp.of(conv, op))
        rewriter.erase(conv)


@dataclass(frozen=True)
class FuseConvActivation(ModulePass):
    """Fuse each 2-D float32 convolution with the Relu or constant Clip that alone reads its result.

        %c = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32> loc("conv")
        %r = dfg.relu %c : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("relu")

    becomes

        %r = dfg.fused_conv %x, %w {pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32> loc(fused["conv", "relu"])

    computed by one oneDNN call of the `conv2d` helper. Only activations that round
    nothing fuse, so the fused op gives the bits the two give apart; the two must be
    on one stream, and the convolution one `conv2d` computes (2-D, float32,
    symmetric pads).
    """

    name = "fuse-conv-activation"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        PatternRewriteWalker(FuseActivationIntoConv(), apply_recursively=False).rewrite_module(op)
