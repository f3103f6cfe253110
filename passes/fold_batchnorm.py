"""The `fold-batchnorm` pass: BatchNormalization folds into the weights before it."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from ramiel.rewrites import apply_patterns
from ramiel.rewrites.batchnorm import FoldAffineIntoProducer


@dataclass(frozen=True)
class FoldBatchNorm(ModulePass):
    """Folds inference BatchNormalization, and Mul/Add by per-channel constants, into Conv, Gemm or MatMul weights.

        %c = dfg.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
        %y = dfg.batch_normalization %c, %scale, %bias, %mean, %var : (tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>

    becomes, with `s = scale / sqrt(var + epsilon)`,

        %w = dfg.constant ... : tensor<4x3x3x3xf32>     // w * s per output channel
        %bias = dfg.constant ... : tensor<4xf32>        // bias - mean * s
        %y = dfg.conv %x, %w, %bias : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>

    Only when the weights and the BatchNormalization's parameters are constants and
    the producer's result has no other user. A BatchNormalization followed by a
    per-channel Mul or Add absorbs them too. See `ramiel.rewrites.batchnorm`.
    """

    name = "fold-batchnorm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        apply_patterns(op, [FoldAffineIntoProducer()])
