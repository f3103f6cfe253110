"""The kernel table's view of a `dfg` op: the one place a `KernelNode` is built.

Constant folding, the profiler and the code printer all describe ops to the kernel
table (`ramiel.kernels`) through `kernel_node`, so they agree on attributes (ONNX
defaults filled in), static types and constant operands:

    %y = dfg.reshape %x, %s : (tensor<1x4x4xf32>, tensor<2xi64>) -> tensor<1x16xf32>

is `KernelNode("Reshape", ("x", "s"), (((1, 4, 4), "float32"), ((2,), "int64")),
(((1, 16), "float32"),), {"allowzero": 0}, (None, array([1, 16])))` when `%s` is a
`dfg.constant`.

`ramiel.kernels` imports torch, which takes about 1.5 s, so it is imported only
when a node is actually built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, cast

from xdsl.dialects.builtin import TensorType
from xdsl.ir import SSAValue

from ramiel.dialects.dfg import DfgOp
from ramiel.onnx_types import AttrValue, dtype_name, static_shape
from ramiel.rewrites.constants import constant_array

if TYPE_CHECKING:
    from ramiel.kernels import KernelNode, TensorSig


def tensor_sig(value: SSAValue) -> TensorSig:
    """The static shape and element type name of a tensor value."""
    t = cast(TensorType, value.type)
    return static_shape(t), dtype_name(t.get_element_type())


def _name_hint(value: SSAValue) -> str:
    return value.name_hint or "x"


def kernel_node(op: DfgOp, name: Callable[[SSAValue], str] = _name_hint) -> KernelNode:
    """The `KernelNode` of `op`; `name` gives each input's expression (its SSA name by default)."""
    from ramiel.kernels import KernelNode

    inputs = op.input_values()
    return KernelNode(
        op_type=op.ONNX_OP_TYPE,
        inputs=tuple(None if v is None else name(v) for v in inputs),
        input_types=tuple(None if v is None else tensor_sig(v) for v in inputs),
        output_types=tuple(tensor_sig(r) for r in op.results),
        attrs=cast(Mapping[str, AttrValue], op.python_attributes()),
        input_values=tuple(constant_array(v) for v in inputs),
    )
