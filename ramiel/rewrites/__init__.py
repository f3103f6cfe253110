"""Rewrite patterns over the `dfg` dialect that passes apply, beside each op's own.

An op's folder and canonicalization patterns live with its class (the `dfg`
families); the patterns here are the passes' own:

- `folding`: constant folding with a chosen size limit (`fold-constants`);
- `batchnorm`: per-channel affine ops fold into the weights of the op before them
  (`fold-batchnorm`).
"""

from collections.abc import Sequence

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.transforms.dead_code_elimination import region_dce


def apply_patterns(
    module: ModuleOp, patterns: Sequence[RewritePattern], ctx: Context | None = None
) -> None:
    """Apply `patterns` to a fixed point, erasing ops left without users.

    With a context, ops fold too (their `fold()`, materialized by their dialect).
    """
    applier = GreedyRewritePatternApplier(list(patterns), ctx=ctx, folding_enabled=ctx is not None)
    PatternRewriteWalker(applier, post_walk_func=region_dce).rewrite_module(module)
