"""Constant folding with a size limit: the pattern of the `fold-constants` pass.

    %a = dfg.constant dense<[1.000000e+00, 4.000000e+00]> : tensor<2xf32>
    %b = dfg.sqrt %a : (tensor<2xf32>) -> tensor<2xf32>

becomes `%b = dfg.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>`.

Each op folds as its class says (`ramiel.dialects.dfg.folding`); xDSL's folding
(`canonicalize`) applies the default limit, this pattern a chosen one.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.pattern_rewriter import (
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ramiel.dialects.dfg.base import DfgOp
from ramiel.dialects.dfg.constant import replace_with_constants
from ramiel.dialects.dfg.folding import DEFAULT_MAX_BYTES, fold_values


@dataclass(frozen=True)
class FoldConstant(RewritePattern):
    """An op whose results are known at compile time becomes `dfg.constant` ops."""

    max_bytes: int = DEFAULT_MAX_BYTES
    """Folds whose results, or the splat inputs they expand, would store more bytes are
    skipped (splat results are exempt)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: DfgOp, rewriter: PatternRewriter, /) -> None:
        results = fold_values(op, self.max_bytes)
        if results is not None:
            replace_with_constants(rewriter, op, results)
