"""Control flow: ONNX `If` and `Loop` as ops with regions, and the `dfg.yield` that ends them.

    %y = dfg.if %c, captures(%h) : (tensor<i1>, tensor<1x32xf32>) -> tensor<1x10xf32> then {
    ^bb0(%h_1 : tensor<1x32xf32>):
      %a = dfg.gemm %h_1, %w1, %b1 {transB = 1 : i64} : (...) -> tensor<1x10xf32>
      dfg.yield %a : tensor<1x10xf32>
    } else {
    ^bb0(%h_2 : tensor<1x32xf32>):
      %b = dfg.gemm %h_2, %w2, %b2 {transB = 1 : i64} : (...) -> tensor<1x10xf32>
      dfg.yield %b : tensor<1x10xf32>
    }

A branch reads the values of the enclosing graph through its block arguments,
one per captured operand (`captures(...)`, the same list for both branches), and
reads constants of the enclosing function directly, as every stream reads the
weights. So the op's operands are everything it depends on, and the scheduling
passes see it as one task like any other op.

A loop's body is one region in the same way (see `LoopOp`): its block arguments
are the iteration number, the condition (when the loop has one), the loop-carried
values and the captured values.

Cleanup inlines the branch that a constant condition selects, moves constants out
of the branches, moves the work of a loop body that does not depend on the
iteration out of the loop, and drops captured operands that no region reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar, cast

import numpy as np
from xdsl.dialects.builtin import (
    I64,
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    TensorType,
    i1,
    i32,
)
from xdsl.ir import (
    Attribute,
    Block,
    BlockArgument,
    Operation,
    OpResult,
    Region,
    SSAValue,
)
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    region_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.pattern_rewriter import (
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.printer import Printer
from xdsl.rewriter import InsertPoint
from xdsl.traits import IsTerminator, Pure
from xdsl.utils.exceptions import VerifyException

from ramiel.dialects.dfg.base import SEGMENT_SIZES, DfgOp, onnx_op
from ramiel.dialects.dfg.constant import (
    ConstantOp,
    constant_array,
)
from ramiel.dialects.streams import split_attributes
from ramiel.dialects.types import ValueType, refines


class RegionForm:
    """What every control-flow op shares: regions whose trailing block arguments are the
    values `captured` from the enclosing graph, and which read only those, their own
    values and results of `READS_DIRECTLY` (constants, weights)."""

    TERMINATOR: ClassVar[type[IRDLOperation]]
    """The op that ends a region; its operands are the region's values."""
    READS_DIRECTLY: ClassVar[tuple[type[Operation], ...]]
    """The ops whose results a region reads without capturing them (constants, weights)."""

    if TYPE_CHECKING:  # the field each op defines
        captured: Sequence[SSAValue]

    def captured_args(self, region: Region) -> Sequence[BlockArgument]:
        """The block arguments of `region` that stand for the captured values."""
        args = region.block.args
        return args[len(args) - len(self.captured) :]

    def set_captured(self, captured: Sequence[SSAValue]) -> None:
        """Make `captured` the captured operands (the regions' arguments are the caller's to match)."""
        op = cast(IRDLOperation, self)
        op.operands = [*op.operands[: len(op.operands) - len(self.captured)], *captured]
        sizes = op.properties.get("operandSegmentSizes")
        if isinstance(sizes, DenseArrayBase):
            counts = [*cast(tuple[int, ...], sizes.get_values())[:-1], len(captured)]
            op.properties["operandSegmentSizes"] = DenseArrayBase.from_list(i32, counts)

    def print_attributes(self, printer: Printer) -> None:
        op = cast(IRDLOperation, self)
        shown = (dict(op.properties) | dict(op.attributes)).items()
        printer.print_op_attributes({k: v for k, v in shown if k not in SEGMENT_SIZES})

    def verify_region(self, name: str, region: Region, args: Sequence[Attribute], values: Sequence[Attribute]) -> None:
        """`region` takes `args`, ends in `TERMINATOR` with `values` and captures what it reads from outside."""
        block = region.block
        if [a.type for a in block.args] != list(args):
            raise VerifyException(f"the {name}'s arguments must have the types {_types(args)}")
        last = block.last_op
        if not isinstance(last, self.TERMINATOR):
            raise VerifyException(f"the {name} must end with {self.TERMINATOR.name}")
        yielded = [v.type for v in last.operands]
        if len(yielded) != len(values) or not all(map(refines, yielded, values)):
            raise VerifyException(f"the {name} yields {_types(yielded)}, but must yield {_types(values)}")
        outside = next(self._outer_reads(region), None)
        if outside is not None:
            raise VerifyException(
                f"the {name} reads %{outside.name_hint or 'a value'} from outside without capturing it"
            )

    def _outer_reads(self, region: Region) -> Iterator[SSAValue]:
        """The values defined outside `region` that ops inside read, other than `READS_DIRECTLY`'s."""
        for op in region.walk():
            for value in op.operands:
                owner = value.owner
                if isinstance(owner, Block):
                    inside = region.is_ancestor(owner)
                else:
                    inside = region.is_ancestor(owner) or isinstance(owner, self.READS_DIRECTLY)
                if not inside:
                    yield value


class IfForm(RegionForm):
    """What both If ops share, `dfg.if` and the `pyemit.if` it lowers to: syntax and checks.

    The op has the operand `cond`, the variadic operand `captured`, the regions
    `then_branch` and `else_branch`, each ending in `TERMINATOR`, and the variadic
    result `outputs`.
    """

    if TYPE_CHECKING:  # the fields each op defines
        cond: SSAValue
        then_branch: Region
        else_branch: Region
        outputs: Sequence[SSAValue]

    @property
    def branches(self) -> tuple[Region, Region]:
        return (self.then_branch, self.else_branch)

    def print(self, printer: Printer) -> None:
        op = cast(IRDLOperation, self)
        printer.print_string(" ")
        printer.print_operand(self.cond)
        if self.captured:
            printer.print_string(", captures")
            printer.print_operands(self.captured)
        self.print_attributes(printer)
        printer.print_string(" : ")
        printer.print_function_type(op.operand_types, op.result_types)
        for keyword, region in (("then", self.then_branch), ("else", self.else_branch)):
            printer.print_string(f" {keyword} ")
            printer.print_region(region, print_entry_block_args=True, print_empty_block=True)

    def verify_branches(self) -> None:
        """The condition is one bool; each branch takes the captured values and yields the results."""
        _check_scalar(self.cond, i1, "condition", "a bool")
        if not self.outputs:
            raise VerifyException("an If has at least one result")
        captured = [v.type for v in self.captured]
        results = [r.type for r in self.outputs]
        for name, region in (("then", self.then_branch), ("else", self.else_branch)):
            self.verify_region(f"{name} branch", region, captured, results)


class LoopForm(RegionForm):
    """What both Loop ops share, `dfg.loop` and the `pyemit.loop` it lowers to: syntax and checks.

    The op has the optional operands `M` (the trip count) and `cond`, the variadic
    operands `v_initial` (the loop-carried values) and `captured`, the region `body`,
    ending in `TERMINATOR`, and the variadic result `v_final_and_scan_outputs`: the
    carried values after the last iteration, then each scan output, the values one
    body result took in every iteration, stacked.

    The body's arguments are the iteration number (an i64), the condition (a bool;
    only when the loop has one), the carried values and the captured values; it
    yields the next condition (again only when the loop has one), the next carried
    values and the scan outputs' slices.
    """

    if TYPE_CHECKING:  # the fields each op defines
        M: SSAValue | None
        cond: SSAValue | None
        v_initial: Sequence[SSAValue]
        body: Region
        v_final_and_scan_outputs: Sequence[SSAValue]

    @property
    def carried_results(self) -> Sequence[SSAValue]:
        return self.v_final_and_scan_outputs[: len(self.v_initial)]

    @property
    def scan_results(self) -> Sequence[SSAValue]:
        return self.v_final_and_scan_outputs[len(self.v_initial) :]

    @property
    def iteration_arg(self) -> BlockArgument:
        return self.body.block.args[0]

    @property
    def cond_arg(self) -> BlockArgument | None:
        return None if self.cond is None else self.body.block.args[1]

    @property
    def carried_args(self) -> Sequence[BlockArgument]:
        start = 1 if self.cond is None else 2
        return self.body.block.args[start : start + len(self.v_initial)]

    def print(self, printer: Printer) -> None:
        op = cast(IRDLOperation, self)
        groups = (
            ("trips", [self.M] if self.M else []),
            ("while", [self.cond] if self.cond else []),
            ("carried", self.v_initial),
            ("captures", self.captured),
        )
        for keyword, values in groups:
            if values:
                printer.print_string(f" {keyword}")
                printer.print_operands(values)
        self.print_attributes(printer)
        printer.print_string(" : ")
        printer.print_function_type(op.operand_types, op.result_types)
        printer.print_string(" body ")
        printer.print_region(self.body, print_entry_block_args=True, print_empty_block=True)

    def verify_body(self) -> None:
        """The trip count is one i64 and the condition one bool; the body takes and yields
        what the module docstring says; each scan output stacks its slices."""
        if self.M is None and self.cond is None:
            raise VerifyException("a Loop without trip count or condition never ends")
        if self.M is not None:
            _check_scalar(self.M, IntegerType(64), "trip count", "an i64")
        initial = [v.type for v in self.v_initial]
        results = [r.type for r in self.v_final_and_scan_outputs]
        carried = results[: len(initial)]
        # The carried values' types are those of every iteration, which the first values refine.
        if len(carried) != len(initial) or not all(map(refines, initial, carried)):
            raise VerifyException(
                f"the carried values {_types(initial)} must start the results, got {_types(results)}"
            )
        block = self.body.block
        iteration = block.args[0].type if block.args else None
        if not isinstance(iteration, TensorType) or _scalar_type(iteration) != IntegerType(64):
            raise VerifyException("the body's first argument must be the iteration number, an i64 tensor of one element")
        cond = [] if self.cond is None else [self.cond.type]
        if self.cond is not None:
            _check_scalar(self.cond, i1, "condition", "a bool")
        last = block.last_op
        if not isinstance(last, self.TERMINATOR):
            raise VerifyException(f"the body must end with {self.TERMINATOR.name}")
        slices = [v.type for v in last.operands[len(cond) + len(carried) :]]
        scans = results[len(carried) :]
        if len(slices) != len(scans):
            raise VerifyException(f"the body yields {len(slices)} scan slices for {len(scans)} scan outputs")
        for result, part in zip(scans, slices, strict=True):
            r, p = cast(TensorType, result), cast(TensorType, part)
            if r.get_element_type() != p.get_element_type() or r.get_shape()[1:] != p.get_shape():
                raise VerifyException(f"the scan output {r} does not stack slices {p}")
        args = [iteration, *cond, *carried, *(v.type for v in self.captured)]
        self.verify_region("body", self.body, args, [*cond, *carried, *slices])


def _scalar_type(t: TensorType) -> Attribute | None:
    """The element type of `t` when it has one element, else None."""
    return t.get_element_type() if t.element_count() == 1 else None


def _check_scalar(value: SSAValue, element: Attribute, what: str, spelled: str) -> None:
    t = cast(TensorType, value.type)
    if _scalar_type(t) != element:
        raise VerifyException(f"the {what} must be {spelled} tensor of one element, got {t}")


def parse_if(op_type: type[IRDLOperation], parser: Parser) -> Operation:
    """An If op of `op_type` in the form `IfForm` prints."""
    start = parser.pos
    operands = [parser.parse_unresolved_operand()]
    if parser.parse_optional_punctuation(","):
        parser.parse_keyword("captures")
        operands += parser.parse_op_args_list()
    attrs = parser.parse_optional_attr_dict()
    parser.parse_punctuation(":")
    func_type = parser.parse_function_type()
    values = parser.resolve_operands(operands, func_type.inputs.data, start)
    parser.parse_keyword("then")
    then_branch = parser.parse_region()
    parser.parse_keyword("else")
    else_branch = parser.parse_region()
    props, discardable = split_attributes(op_type, attrs)
    return op_type.create(
        operands=values,
        result_types=func_type.outputs.data,
        properties=props,
        attributes=discardable,
        regions=[then_branch, else_branch],
    )


def parse_loop(op_type: type[IRDLOperation], parser: Parser) -> Operation:
    """A Loop op of `op_type` in the form `LoopForm` prints."""
    start = parser.pos
    groups: list[list[UnresolvedOperand]] = []
    for keyword in ("trips", "while", "carried", "captures"):
        groups.append(parser.parse_op_args_list() if parser.parse_optional_keyword(keyword) else [])
    attrs = parser.parse_optional_attr_dict()
    parser.parse_punctuation(":")
    func_type = parser.parse_function_type()
    values = parser.resolve_operands([u for g in groups for u in g], func_type.inputs.data, start)
    parser.parse_keyword("body")
    body = parser.parse_region()
    props, discardable = split_attributes(op_type, attrs)
    props["operandSegmentSizes"] = DenseArrayBase.from_list(i32, [len(g) for g in groups])
    return op_type.create(
        operands=values,
        result_types=func_type.outputs.data,
        properties=props,
        attributes=discardable,
        regions=[body],
    )


def _types(types: Sequence[Attribute]) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


class YieldForm(IRDLOperation):
    """What both yield ops share: the values that end a region of a control-flow op,
    and the check that such an op (`parents()`) holds it."""

    values = var_operand_def(ValueType)

    traits = traits_def(Pure(), IsTerminator())

    assembly_format = "attr-dict ($values^ `:` type($values))?"

    def __init__(self, values: Sequence[SSAValue]) -> None:
        super().__init__(operands=[list(values)])

    @classmethod
    def parents(cls) -> tuple[type[IRDLOperation], ...]:
        """The ops whose regions it may end."""
        raise NotImplementedError

    def verify_(self) -> None:
        parents = self.parents()
        if not isinstance(self.parent_op(), parents):
            names = " or ".join(f"'{p.name}'" for p in parents)
            raise VerifyException(f"'{self.name}' expects parent op {names}")


@irdl_op_definition
class YieldOp(YieldForm):
    """The end of a branch of `dfg.if` or of the body of `dfg.loop`: the values it gives the op.

        dfg.yield %a, %b : tensor<1x10xf32>, tensor<1xi64>
    """

    name = "dfg.yield"

    @classmethod
    def parents(cls) -> tuple[type[IRDLOperation], ...]:
        return (IfOp, LoopOp)


@onnx_op("If", foldable=False)
class IfOp(IfForm, DfgOp):
    """ONNX `If`: `then_branch` when `cond` holds, else `else_branch` (see the module docstring).

        %y = dfg.if %c, captures(%x) : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32> then {
        ^bb0(%a : tensor<4xf32>):
          dfg.yield %a : tensor<4xf32>
        } else { ... }
    """

    TERMINATOR: ClassVar[type[IRDLOperation]] = YieldOp
    READS_DIRECTLY: ClassVar[tuple[type[Operation], ...]] = (ConstantOp,)

    cond = operand_def(TensorType)
    captured = var_operand_def(ValueType)
    """The values of the enclosing graph the branches read, as their block arguments."""
    then_branch = region_def("single_block")
    else_branch = region_def("single_block")
    outputs = var_result_def(ValueType)

    def __init__(
        self,
        cond: SSAValue,
        captured: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        then_branch: Region,
        else_branch: Region,
    ) -> None:
        IRDLOperation.__init__(
            self,
            operands=[cond, list(captured)],
            result_types=[list(result_types)],
            regions=[then_branch, else_branch],
        )

    @classmethod
    def parse(cls, parser: Parser) -> IfOp:
        return cast(IfOp, parse_if(cls, parser))

    def kernel_inputs(self) -> list[SSAValue]:
        return list(self.operands)

    def verify_(self) -> None:
        self.verify_tensors()
        self.verify_branches()

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return (InlineConstantCondition(), HoistConstants(), DropUnreadCaptures())


@onnx_op("Loop", foldable=False)
class LoopOp(LoopForm, DfgOp):
    """ONNX `Loop`: the body runs while the iteration number is under the trip count `M`
    and `cond` holds (see `LoopForm` for its arguments and results).

        %v, %s = dfg.loop trips(%m) carried(%v0) captures(%x) : (tensor<i64>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) body {
        ^bb0(%i : tensor<i64>, %v_in : tensor<2xf32>, %x_in : tensor<2xf32>):
          %next = dfg.add %v_in, %x_in : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
          dfg.yield %next, %v_in : tensor<2xf32>, tensor<2xf32>
        }

    Without `trips` the loop runs until the condition fails, and without `while`
    it runs `M` times; the importer leaves out a condition that cannot fail.
    `expected_trips` is the number of iterations the cost models assume when `M`
    is not a constant.
    """

    TERMINATOR: ClassVar[type[IRDLOperation]] = YieldOp
    READS_DIRECTLY: ClassVar[tuple[type[Operation], ...]] = (ConstantOp,)

    M = opt_operand_def(TensorType)
    cond = opt_operand_def(TensorType)
    v_initial = var_operand_def(ValueType)
    captured = var_operand_def(ValueType)
    """The values of the enclosing graph the body reads, as its last block arguments."""
    body = region_def("single_block")
    v_final_and_scan_outputs = var_result_def(ValueType)
    expected_trips = opt_prop_def(IntegerAttr[I64])
    """The iterations to assume when the trip count is not known before the loop runs."""

    def __init__(
        self,
        trips: SSAValue | None,
        cond: SSAValue | None,
        inits: Sequence[SSAValue],
        captured: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        body: Region,
    ) -> None:
        IRDLOperation.__init__(
            self,
            operands=[trips, cond, list(inits), list(captured)],
            result_types=[list(result_types)],
            regions=[body],
        )

    @classmethod
    def parse(cls, parser: Parser) -> LoopOp:
        return cast(LoopOp, parse_loop(cls, parser))

    def kernel_inputs(self) -> list[SSAValue]:
        return list(self.operands)

    def verify_(self) -> None:
        self.verify_tensors()
        self.verify_body()

    def constant_trips(self) -> int | None:
        """The trip count when it is a constant (a condition may still end the loop earlier)."""
        value = None if self.M is None else constant_array(self.M)
        return None if value is None else int(np.asarray(value).reshape(-1)[0])

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return (HoistInvariants(), DropUnreadCaptures())


def detach_branches(op: IfForm) -> tuple[Region, Region]:
    """The two branches of `op`, taken out of it (to give them to an op that replaces it)."""
    branches = op.branches
    ir = cast(IRDLOperation, op)
    return (ir.detach_region(branches[0]), ir.detach_region(branches[1]))


def inline_branch(op: IfOp, branch: Region, rewriter: PatternRewriter) -> None:
    """Replace `op` by the ops of `branch`, its arguments by the captured values."""
    block = branch.block
    terminator = block.last_op
    assert isinstance(terminator, YieldOp)
    yielded = list(terminator.values)
    rewriter.inline_block(block, InsertPoint.before(op), list(op.captured))
    rewriter.erase(terminator)
    rewriter.replace(op, [], yielded)


class InlineConstantCondition(RewritePattern):
    """An If on a constant condition is the branch it selects.

        %y = dfg.if %true : (tensor<i1>) -> tensor<2xf32> then { ... dfg.yield %a } else { ... }

    becomes the then branch's ops, and `%y` is `%a`.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: IfOp, rewriter: PatternRewriter) -> None:
        value = constant_array(op.cond)
        if value is None:
            return
        inline_branch(op, op.then_branch if bool(np.asarray(value).reshape(-1)[0]) else op.else_branch, rewriter)


class HoistConstants(RewritePattern):
    """Constants in a branch move in front of the If, where every branch and stream can read them."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: IfOp, rewriter: PatternRewriter) -> None:
        for region in op.branches:
            for inner in [o for o in region.block.ops if isinstance(o, ConstantOp)]:
                inner.detach()
                rewriter.insert(inner, InsertPoint.before(op))


class DropUnreadCaptures(RewritePattern):
    """A captured value that no region reads is no operand any more."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: IfOp | LoopOp, rewriter: PatternRewriter) -> None:
        args = [op.captured_args(region) for region in op.regions]
        unread = [i for i in range(len(op.captured)) if all(not a[i].uses for a in args)]
        if not unread:
            return
        for region_args in args:
            for i in reversed(unread):
                rewriter.erase_block_argument(region_args[i])
        op.set_captured([v for i, v in enumerate(op.captured) if i not in unread])
        rewriter.notify_op_modified(op)


class HoistInvariants(RewritePattern):
    """The ops of a loop body that read no value the iteration changes move in front of the loop.

        %s = dfg.loop trips(%m) captures(%x) : (...) -> ... body {
        ^bb0(%i : tensor<i64>, %x_in : tensor<4xf32>):
          %e = dfg.exp %x_in : ...
          ...

    becomes `%e = dfg.exp %x`, computed once before the loop, and the body captures `%e`.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: LoopOp, rewriter: PatternRewriter) -> None:
        block = op.body.block
        outer: dict[SSAValue, SSAValue] = dict(zip(op.captured_args(op.body), op.captured, strict=True))
        captured = list(op.captured)
        for inner in list(block.ops):
            invariant = all(
                v in outer or (isinstance(v, OpResult) and not op.body.is_ancestor(v.op))
                for v in inner.operands
            )  # fmt: skip
            if not invariant or not isinstance(inner, DfgOp | ConstantOp) or inner.regions:
                continue
            inner.detach()
            rewriter.insert(inner, InsertPoint.before(op))
            inner.operands = [outer.get(v, v) for v in inner.operands]
            if isinstance(inner, ConstantOp):
                continue  # read directly
            for result in inner.results:
                if result.uses:
                    arg = rewriter.insert_block_argument(block, len(block.args), result.type)
                    arg.name_hint = result.name_hint
                    rewriter.replace_all_uses_with(result, arg)
                    outer[arg] = result
                    captured.append(result)
        if len(captured) != len(op.captured):
            op.set_captured(captured)
            rewriter.notify_op_modified(op)
