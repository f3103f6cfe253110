"""The `cleanup` pass: Ramiel's default graph clean-up before clustering."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.transforms.common_subexpression_elimination import (
    CommonSubexpressionElimination,
)

from ramiel.passes.canonicalize import Canonicalize
from ramiel.passes.fold_batchnorm import FoldBatchNorm
from ramiel.pipeline import apply_passes

STEPS: tuple[ModulePass, ...] = (Canonicalize(), FoldBatchNorm(), Canonicalize(), CommonSubexpressionElimination())
"""The passes `cleanup` runs, in order."""


@dataclass(frozen=True)
class Cleanup(ModulePass):
    """Makes the graph as small as it can be: canonicalize,fold-batchnorm,canonicalize,cse.

        %shape = dfg.constant dense<[4, 3, 3, 3]> : tensor<4xi64>
        %w = dfg.constant_of_shape %shape {value = dense<2.000000e-02> : tensor<1xf32>} : (tensor<4xi64>) -> tensor<4x3x3x3xf32>
        %c = dfg.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
        %scale = dfg.constant dense<2.000000e+00> : tensor<4xf32>
        %bias = dfg.constant dense<5.000000e-01> : tensor<4xf32>
        %mean = dfg.constant dense<0.000000e+00> : tensor<4xf32>
        %var = dfg.constant dense<1.000000e+00> : tensor<4xf32>
        %y = dfg.batch_normalization %c, %scale, %bias, %mean, %var : (tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
        %d = dfg.dropout %y : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
        func.return %d : tensor<1x4x6x6xf32>

    becomes

        %w = dfg.constant dense<0.0399997979> : tensor<4x3x3x3xf32>
        %bias = dfg.constant dense<5.000000e-01> : tensor<4xf32>
        %y = dfg.conv %x, %w, %bias : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
        func.return %y : tensor<1x4x6x6xf32>

    The first `canonicalize` turns weights spelled as ops into constants, so that
    `fold-batchnorm` sees them; the second removes what the fold left dead and
    folds what it made constant, and `cse` merges equal constants and ops.
    """

    name = "cleanup"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        apply_passes(op, STEPS, ctx)
