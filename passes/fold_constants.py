"""The `fold-constants` pass: ops computed at compile time become constants."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from ramiel.rewrites import apply_patterns
from ramiel.rewrites.folding import DEFAULT_MAX_BYTES, FoldConstant


@dataclass(frozen=True)
class FoldConstants(ModulePass):
    """Folds every op whose inputs are constants into a constant, through the kernel table.

        %a = dfg.constant dense<[1.000000e+00, 4.000000e+00]> : tensor<2xf32>
        %b = dfg.sqrt %a : (tensor<2xf32>) -> tensor<2xf32>
        %shape = dfg.constant dense<[4096, 9216]> : tensor<2xi64>
        %w = dfg.constant_of_shape %shape {value = dense<2.000000e-02> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<4096x9216xf32>

    becomes

        %b = dfg.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
        %w = dfg.constant dense<2.000000e-02> : tensor<4096x9216xf32>

    A `Shape` folds whatever its input (its result type gives the value). A fold
    is skipped when its results would store more than `max-bytes` (a splat result
    is exempt: it is stored as one element), or when it would expand splat inputs
    to more than that.
    """

    name = "fold-constants"

    max_bytes: int = DEFAULT_MAX_BYTES
    """The most bytes a folded result, or the splat inputs it expands, may store."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        apply_patterns(op, [FoldConstant(self.max_bytes)])
