"""The `canonicalize` pass: the `dfg` graph in its smallest, simplest form."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.transforms.canonicalize import CanonicalizationRewritePattern

from ramiel.rewrites import apply_patterns


@dataclass(frozen=True)
class Canonicalize(ModulePass):
    """Folds every op that folds and applies every op's canonicalization patterns, as xDSL's canonicalize does.

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

    and users of `%z` read `%y`. Each op's folder and patterns are its class's
    (see `ramiel.dialects.dfg`): an op that changes nothing folds to its input,
    one whose inputs are constants folds to a constant (results over 16 MiB are
    left, splats exempt, as `fold-constants` does at its default), reshapes and
    transposes compose, computed shape operands become constants, and inference
    Dropout disappears. Ops left without users are erased.
    """

    name = "canonicalize"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        apply_patterns(op, [CanonicalizationRewritePattern()], ctx)
