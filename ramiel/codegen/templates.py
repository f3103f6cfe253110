"""Kernel calls as `pyemit` expression templates: what a `pyemit.call` holds.

    %s = dfg.mul %r, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
    %y = dfg.reshape %s, %shape : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<2x2xf32>

have the templates `{0} * {1}` over (%r, %b) and `{0}.reshape(2, 2)` over (%s).
An op's kernel call (`KernelOp.kernel_call`) is written with each distinct operand
spelled by an atom; the atoms the expression holds become `{0}`, `{1}`, ... in
operand order, and those operands are the template's inputs. Operands the kernel
writes into its expression as literals (Reshape's shape) are not inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.ir import SSAValue

from ramiel.dialects.dfg.base import ATOM, KernelOp, op_label, operand_atoms
from ramiel.dialects.pyemit import PLACEHOLDER
from ramiel.errors import RamielError


@dataclass(frozen=True)
class KernelTemplate:
    """A kernel call over placeholders: its expression, the helpers it calls, and the values it reads."""

    expr: str
    """The expression, operand i written `{i}`."""
    helpers: frozenset[str]
    """The runtime helpers the expression calls."""
    inputs: tuple[SSAValue, ...]
    """The value each placeholder stands for."""


def kernel_template(op: KernelOp) -> KernelTemplate:
    """The kernel call of `op` as a template; a RamielError naming the node when it has none."""
    from ramiel.kernels import UnsupportedKernel

    atoms = operand_atoms(op)
    try:
        call = op.kernel_call(atoms.__getitem__)
    except UnsupportedKernel as e:
        raise RamielError(f"no kernel: {e}", f"node '{op_label(op)}'") from None
    if PLACEHOLDER.search(call.expr):
        raise RamielError(
            f"the kernel expression of {op.name} contains a placeholder-like '{{n}}': {call.expr}",
            f"node '{op_label(op)}'",
        )
    distinct = list(atoms)
    read = sorted({int(i) for i in ATOM.findall(call.expr)})
    position = {i: j for j, i in enumerate(read)}
    expr = ATOM.sub(lambda m: f"{{{position[int(m.group(1))]}}}", call.expr)
    return KernelTemplate(expr, call.helpers, tuple(distinct[i] for i in read))
