"""Rewrite patterns over the `dfg` dialect, one family per module.

- `constants`: reading constant operands and materializing folded values as
  `dfg.constant` ops (the constant materializer every fold goes through).
- `folding`: ops whose result is known at compile time become constants.
- `identities`: ops that change nothing disappear (Identity, inference Dropout,
  a Reshape to the same shape, a Cast to the same type, ...).
- `layout`: chains of reshapes and of transposes compose into one op.
- `batchnorm`: per-channel affine ops fold into the weights of the op before them.

The passes in `ramiel.passes` choose which patterns to apply.
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

    With a context, ops that have xDSL folders (other dialects') fold too.
    """
    applier = GreedyRewritePatternApplier(list(patterns), ctx=ctx, folding_enabled=ctx is not None)
    PatternRewriteWalker(applier, post_walk_func=region_dce).rewrite_module(module)
