"""Control flow: ONNX `If` as an op with two regions, and the `dfg.yield` that ends them.

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

Cleanup inlines the branch that a constant condition selects, moves constants out
of the branches, and drops captured operands that neither branch reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar, cast

import numpy as np
from xdsl.dialects.builtin import IntegerType, TensorType
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    region_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.pattern_rewriter import (
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.printer import Printer
from xdsl.rewriter import InsertPoint
from xdsl.traits import IsTerminator, Pure
from xdsl.utils.exceptions import VerifyException

from ramiel.dialects.dfg.base import DfgOp, onnx_op
from ramiel.dialects.dfg.constant import (
    ConstantOp,
    constant_array,
)
from ramiel.dialects.streams import split_attributes


class IfForm:
    """What both If ops share, `dfg.if` and the `pyemit.if` it lowers to: syntax and checks.

    The op has the operand `cond`, the variadic operand `captured`, the regions
    `then_branch` and `else_branch`, each ending in `TERMINATOR`, and the variadic
    result `outputs`; its branches read directly only results of `READS_DIRECTLY`.
    """

    TERMINATOR: ClassVar[type[IRDLOperation]]
    """The op that ends a branch; its operands are the branch's values."""
    READS_DIRECTLY: ClassVar[tuple[type[Operation], ...]]
    """The ops whose results a branch reads without capturing them (constants, weights)."""

    if TYPE_CHECKING:  # the fields each op defines
        cond: SSAValue
        captured: Sequence[SSAValue]
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
        printer.print_op_attributes(dict(op.properties) | dict(op.attributes))
        printer.print_string(" : ")
        printer.print_function_type(op.operand_types, op.result_types)
        for keyword, region in (("then", self.then_branch), ("else", self.else_branch)):
            printer.print_string(f" {keyword} ")
            printer.print_region(region, print_entry_block_args=True, print_empty_block=True)

    def verify_branches(self) -> None:
        """The condition is one bool; each branch takes the captured values and yields the results."""
        cond = cast(TensorType, self.cond.type)
        if cond.get_element_type() != IntegerType(1) or cond.element_count() != 1:
            raise VerifyException(f"the condition must be a bool tensor of one element, got {cond}")
        if not self.outputs:
            raise VerifyException("an If has at least one result")
        captured = [v.type for v in self.captured]
        results = [r.type for r in self.outputs]
        for name, region in (("then", self.then_branch), ("else", self.else_branch)):
            block = region.block
            if [a.type for a in block.args] != captured:
                raise VerifyException(
                    f"the {name} branch's arguments must have the types of the captured values"
                )
            last = block.last_op
            if not isinstance(last, self.TERMINATOR):
                raise VerifyException(f"the {name} branch must end with {self.TERMINATOR.name}")
            yielded = [v.type for v in last.operands]
            if yielded != results:
                raise VerifyException(
                    f"the {name} branch yields {_types(yielded)}, but the If gives {_types(results)}"
                )
            outside = next(self._outer_reads(region), None)
            if outside is not None:
                raise VerifyException(
                    f"the {name} branch reads %{outside.name_hint or 'a value'} from outside "
                    "without capturing it"
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


def _types(types: Sequence[Attribute]) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


@irdl_op_definition
class YieldOp(IRDLOperation):
    """The end of a branch of `dfg.if`: the values it gives the If's results.

        dfg.yield %a, %b : tensor<1x10xf32>, tensor<1xi64>
    """

    name = "dfg.yield"

    values = var_operand_def(TensorType)

    traits = traits_def(Pure(), IsTerminator())

    assembly_format = "attr-dict ($values^ `:` type($values))?"

    def __init__(self, values: Sequence[SSAValue]) -> None:
        super().__init__(operands=[list(values)])

    def verify_(self) -> None:
        if not isinstance(self.parent_op(), IfOp):
            raise VerifyException("'dfg.yield' expects parent op 'dfg.if'")


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
    captured = var_operand_def(TensorType)
    """The values of the enclosing graph the branches read, as their block arguments."""
    then_branch = region_def("single_block")
    else_branch = region_def("single_block")
    outputs = var_result_def(TensorType)

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
        self.verify_static_tensors()
        self.verify_branches()

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return (InlineConstantCondition(), HoistConstants(), DropUnreadCaptures())


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
    """A captured value that neither branch reads is no operand any more."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: IfOp, rewriter: PatternRewriter) -> None:
        unread = [
            i for i in range(len(op.captured))
            if all(not region.block.args[i].uses for region in op.branches)
        ]  # fmt: skip
        if not unread:
            return
        kept = [v for i, v in enumerate(op.captured) if i not in unread]
        for region in op.branches:
            for i in reversed(unread):
                rewriter.erase_block_argument(region.block.args[i])
        new = IfOp(op.cond, kept, list(op.result_types), *detach_branches(op))
        new.attributes.update(op.attributes)
        new.location = op.location
        rewriter.replace(op, new)
