"""The `write-in-place` pass: an op whose first input is its own alone writes its result over it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, UnitAttr
from xdsl.ir import Block, OpResult, SSAValue
from xdsl.passes import ModulePass

from ramiel.dialects.dfg.base import INPLACE_ATTR, DfgOp, KernelOp, operand_atoms
from ramiel.ir_graph import STREAM, main_function


@dataclass(frozen=True)
class WriteInPlace(ModulePass):
    """Mark `inplace` each op that can write its result over its first input, where nothing else needs that input.

        %r = dfg.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
        %s = dfg.mul %r, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>

    becomes

        %r = dfg.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
        %s = dfg.mul %r, %b {inplace} : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>

    (`torch.mul` becomes `Tensor.mul_`). The op must have an in-place kernel for its
    types, and its first input must be its alone: read by no other kernel and not a
    graph output, computed on the op's stream, and sharing its storage with no other
    tensor, that is, made by an op that allocates its result (or written in place
    over such a tensor); a graph input or a constant never is. Ops whose results
    reach no output are left alone.
    """

    name = "write-in-place"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        block = main_function(op).body.block
        ret = block.last_op
        assert isinstance(ret, func.ReturnOp)
        live = _live_kernels(block, ret.arguments)
        readers = Counter(v for kernel in live for v in _reads(kernel))
        readers.update(ret.arguments)
        owned: set[SSAValue] = set()
        for kernel in live:
            if not isinstance(kernel, DfgOp):
                continue
            first = kernel.operands[0] if kernel.operands else None
            if (
                isinstance(first, OpResult)
                and first in owned
                and readers[first] == 1
                and first.op.attributes.get(STREAM) == kernel.attributes.get(STREAM)
                and _has_inplace_kernel(kernel)
            ):
                kernel.attributes[INPLACE_ATTR] = UnitAttr()
                owned.update(kernel.results)
            elif kernel.FRESH_RESULT and not _returns_an_input(kernel):
                owned.update(kernel.results)


def _live_kernels(block: Block, returned: tuple[SSAValue, ...]) -> list[KernelOp]:
    """The kernel ops whose results some kernel reads on the way to an output, in block order."""
    needed: set[SSAValue] = set(returned)
    live: list[KernelOp] = []
    for op in reversed(list(block.ops)):
        if isinstance(op, KernelOp) and any(r in needed for r in op.results):
            live.append(op)
            needed.update(_reads(op))
    return live[::-1]


def _reads(op: KernelOp) -> list[SSAValue]:
    """The operands `op`'s kernel reads (all of them when it has no kernel: lowering reports that)."""
    from ramiel.kernels import UnsupportedKernel

    try:
        return op.kernel_inputs()
    except UnsupportedKernel:
        return list(op.operands)


def _returns_an_input(op: KernelOp) -> bool:
    """Whether `op`'s kernel gives one of its inputs itself (an identity, which allocates nothing)."""
    from ramiel.kernels import UnsupportedKernel

    atoms = operand_atoms(op)
    try:
        return op.kernel_call(atoms.__getitem__).expr in atoms.values()
    except UnsupportedKernel:
        return False


def _has_inplace_kernel(op: DfgOp) -> bool:
    from ramiel.kernels import inplace_call

    return inplace_call(op.view()) is not None
