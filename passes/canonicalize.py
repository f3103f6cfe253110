"""The `canonicalize` pass: the `dfg` graph in its smallest, simplest form."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import RewritePattern
from xdsl.transforms.canonicalize import CanonicalizationRewritePattern

from ramiel.rewrites import apply_patterns
from ramiel.rewrites.folding import FoldConstant
from ramiel.rewrites.identities import RemoveInferenceDropout, RemoveNoOp
from ramiel.rewrites.layout import (
    ComposeReshapes,
    ComposeTransposes,
    ConstantShapeOperand,
)


def canonicalization_patterns() -> list[RewritePattern]:
    """The patterns `canonicalize` applies, folding first."""
    return [
        FoldConstant(),
        RemoveNoOp(),
        RemoveInferenceDropout(),
        ComposeReshapes(),
        ComposeTransposes(),
        ConstantShapeOperand(),
        # Other dialects' canonicalization patterns (func, builtin).
        CanonicalizationRewritePattern(),
    ]


@dataclass(frozen=True)
class Canonicalize(ModulePass):
    """Folds constants, removes ops that change nothing, composes reshapes and transposes.

        %s = dfg.shape %x : (tensor<1x64x1x1xf32>) -> tensor<4xi64>
        %i = dfg.constant dense<0> : tensor<i64>
        %n = dfg.gather %s, %i : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
        %a = dfg.constant dense<0> : tensor<1xi64>
        %u = dfg.unsqueeze %n, %a : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
        %m = dfg.constant dense<-1> : tensor<1xi64>
        %c = dfg.concat %u, %m {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
        %y = dfg.reshape %x, %c : (tensor<1x64x1x1xf32>, tensor<2xi64>) -> tensor<1x64xf32>
        %z = dfg.identity %y : (tensor<1x64xf32>) -> tensor<1x64xf32>

    becomes

        %c = dfg.constant dense<[1, -1]> : tensor<2xi64>
        %y = dfg.reshape %x, %c : (tensor<1x64x1x1xf32>, tensor<2xi64>) -> tensor<1x64xf32>

    and users of `%z` read `%y`.

    Folds go through the kernel table and skip results over 16 MiB (splats are
    exempt), as `fold-constants` does at its default. See `ramiel.rewrites` for
    each pattern.
    """

    name = "canonicalize"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        apply_patterns(op, canonicalization_patterns(), ctx)
