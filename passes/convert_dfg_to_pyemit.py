"""Lowering of a streams program of kernel ops to the `pyemit` program that prints as Python.

    streams.program inputs("x" : tensor<1x4xf32>) outputs("y") {
      %b = dfg.constant dense<1.0> : tensor<4xf32>
      %shape = dfg.constant dense<[2, 2]> : tensor<2xi64>
      streams.stream 0 {
        %x = streams.input {index = 0} : tensor<1x4xf32>
        %s = dfg.mul %x, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
        %y = dfg.reshape %s, %shape : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<2x2xf32>
        streams.output %y {index = 0}
      }
    }

becomes

    pyemit.module "main" inputs("x" : tensor<1x4xf32>) outputs("y") attributes {...} {
      %b = pyemit.weight "b" = dense<1.000000e+00> : tensor<4xf32>
      streams.stream 0 {
        %x = streams.input {index = 0} : tensor<1x4xf32>
        %s = pyemit.call "{0} * {1}"(%x, %b) : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
        %y = pyemit.call "{0}.reshape(2, 2)"(%s) : (tensor<1x4xf32>) -> tensor<2x2xf32>
        streams.output %y {index = 0}
      }
    }

Each kernel op (`KernelOp`) becomes a call of its kernel's template
(`ramiel.codegen.templates`); constants become weights, and load-time ops of a
constant (`streams.LoadTime`) weights that loading prepares. What no kernel reads
then goes (Reshape's shape above, an op only such inputs needed, their hand-offs,
a stream left empty: `streams.prune`), and the weights are named, distinctly, after
their constants in order.

Header facts come from the module's discardable attributes: `ramiel.model` (set
on import), `ramiel.pipeline` (the pipeline the module went through),
`ramiel.predicted_speedup` and `ramiel.cost_model` (set by the scheduling
passes); absent ones give the defaults below, and one stream's speedup is 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from xdsl.context import Context
from xdsl.dialects.builtin import (
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    UnregisteredOp,
    f64,
)
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ramiel.codegen import MODEL_ATTRIBUTES
from ramiel.codegen.escape import Namer
from ramiel.codegen.templates import kernel_template
from ramiel.dialects.dfg import ConstantOp, KernelOp
from ramiel.dialects.dfg.base import op_label
from ramiel.dialects.dfg.control_flow import IfOp, LoopOp, detach_branches
from ramiel.dialects.pyemit import CallOp, PyModuleOp, WeightOp
from ramiel.dialects.pyemit import IfOp as PyIfOp
from ramiel.dialects.pyemit import LoopOp as PyLoopOp
from ramiel.dialects.pyemit import YieldOp as PyYieldOp
from ramiel.dialects.streams import LoadTime, ProgramOp, StreamOp, Streams, prune
from ramiel.errors import RamielError
from ramiel.ir_graph import COST_MODEL_ATTR, SPEEDUP_ATTR, THREADS_ATTR
from ramiel.passes.outline_streams import OutlineStreams
from ramiel.pipeline import MODEL_ATTR, PIPELINE_ATTR


class LowerKernelOp(RewritePattern):
    """A kernel op in a stream becomes a `pyemit.call` of its template (one that nothing reads goes);
    a load-time op of one weight at the top level becomes that weight, prepared by its template."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: KernelOp, rewriter: PatternRewriter) -> None:
        parent = op.parent_op()
        if _in_stream(op):
            if all(r.first_use is None for r in op.results):
                rewriter.erase(op)
                return
            template = kernel_template(op)
            results = [r.type for r in op.results]
            call = CallOp(template.expr, template.inputs, results, sorted(template.helpers), op.comment())
            for old, new in zip(op.results, call.results, strict=True):
                new.name_hint = old.name_hint
            rewriter.replace(op, call)
        elif isinstance(parent, PyModuleOp) and op.has_trait(LoadTime) and len(op.operands) == 1:
            source = op.operands[0].owner
            if isinstance(source, ConstantOp) or (isinstance(source, WeightOp) and source.prepare is None):
                template = kernel_template(op)
                weight = WeightOp(_hint(op.operands[0].name_hint), source.value, template.expr, sorted(template.helpers))
                weight.result.name_hint = op.operands[0].name_hint
                rewriter.replace(op, weight)


class LowerIf(RewritePattern):
    """A `dfg.if` in a stream becomes a `pyemit.if` holding the same branches, each ending in `pyemit.yield`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: IfOp, rewriter: PatternRewriter) -> None:
        if _in_stream(op):
            _lower_yields(op, rewriter)
            lowered = PyIfOp(op.cond, op.captured, op.result_types, *detach_branches(op), op.comment())
            _replace_named(op, lowered, rewriter)


class LowerLoop(RewritePattern):
    """A `dfg.loop` in a stream becomes a `pyemit.loop` holding the same body, ending in `pyemit.yield`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: LoopOp, rewriter: PatternRewriter) -> None:
        if _in_stream(op):
            _lower_yields(op, rewriter)
            body = op.detach_region(op.body)
            lowered = PyLoopOp(
                op.M, op.cond, op.v_initial, op.captured, op.result_types, body, op.comment()
            )
            _replace_named(op, lowered, rewriter)


def _lower_yields(op: Operation, rewriter: PatternRewriter) -> None:
    """Each region of `op` ends in `pyemit.yield` instead of `dfg.yield`."""
    for region in op.regions:
        end = region.block.last_op
        assert end is not None
        rewriter.replace(end, PyYieldOp(list(end.operands)))


def _replace_named(op: Operation, lowered: Operation, rewriter: PatternRewriter) -> None:
    """Replace `op` by `lowered`, whose results keep the names of `op`'s."""
    for old, new in zip(op.results, lowered.results, strict=True):
        new.name_hint = old.name_hint
    rewriter.replace(op, lowered)


def _in_stream(op: Operation) -> bool:
    """Whether `op` is in a stream, directly or in the regions of control-flow ops there."""
    parent = op.parent_op()
    while isinstance(parent, IfOp | LoopOp | PyIfOp | PyLoopOp):
        parent = parent.parent_op()
    return isinstance(parent, StreamOp)


class LowerConstant(RewritePattern):
    """A top-level constant becomes a weight (named when the lowering ends)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ConstantOp, rewriter: PatternRewriter) -> None:
        if isinstance(op.parent_op(), PyModuleOp):
            weight = WeightOp(_hint(op.output.name_hint), op.value)
            weight.result.name_hint = op.output.name_hint
            rewriter.replace(op, weight)


def _hint(name: str | None) -> str:
    """A weight's name until the weights are named in order."""
    return name or "weight"


@dataclass(frozen=True)
class ConvertDfgToPyemit(ModulePass):
    """Lower the module's streams program (outlined from its function first, if needed) to a `pyemit.module`."""

    name = "convert-dfg-to-pyemit"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if not any(isinstance(p, ProgramOp) for p in op.ops):
            OutlineStreams().apply(ctx, op)
        program = next(p for p in op.ops if isinstance(p, ProgramOp))
        module = _python_module(op, program)
        op.body.block.insert_op_after(module, program)
        op.body.block.erase_op(program)
        # Constants in branches become weights too, read directly there.
        for constant in [c for c in module.walk() if isinstance(c, ConstantOp) and c.parent_op() is not module]:
            constant.detach()
            module.body.block.insert_op_before(constant, module.streams[0])
        # Control-flow ops are kernel ops without a kernel: LowerIf and LowerLoop, first, take them.
        patterns = GreedyRewritePatternApplier([LowerIf(), LowerLoop(), LowerKernelOp(), LowerConstant()])
        PatternRewriteWalker(patterns, walk_reverse=True).rewrite_module(op)
        for lowered in module.walk():
            if lowered.dialect_name() not in ("pyemit", Streams.name):
                name = lowered.op_name.data if isinstance(lowered, UnregisteredOp) else lowered.name
                raise RamielError(f"cannot lower '{name}' to Python", op_label(lowered))
        prune(module)
        # The weights become the generated Model's buffers, named as its attributes are not.
        names = Namer(MODEL_ATTRIBUTES)
        for weight in module.weights:
            weight.weight_name = StringAttr(names.fresh(weight.result.name_hint))
        if module.predicted_speedup is None and len(module.streams) == 1:
            module.predicted_speedup = FloatAttr(1.0, f64)


def _python_module(module: ModuleOp, program: ProgramOp) -> PyModuleOp:
    """A `pyemit.module` holding `program`'s body, with the header facts of `module`'s attributes."""
    speedup = module.attributes.get(SPEEDUP_ATTR)
    model = module.attributes.get(MODEL_ATTR)
    pipeline = module.attributes.get(PIPELINE_ATTR)
    cost = module.attributes.get(COST_MODEL_ATTR)
    threads = module.attributes.get(THREADS_ATTR)
    return PyModuleOp(
        model.data if isinstance(model, StringAttr) else "main",
        list(zip((n.data for n in program.input_names), program.input_types, strict=True)),
        [n.data for n in program.output_names],
        pipeline.data if isinstance(pipeline, StringAttr) else "",
        _torch_version(),
        speedup.value.data if isinstance(speedup, FloatAttr) else None,
        program.detach_region(program.body),
        cost_model=cost.data if isinstance(cost, StringAttr) else None,
        threads=threads.value.data if isinstance(threads, IntegerAttr) else None,
    )


def _torch_version() -> str:
    try:
        return version("torch")
    except PackageNotFoundError:
        return "unknown"
