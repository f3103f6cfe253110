"""The case type and the builders every family's cases are written with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, defs, helper, numpy_helper

from ramiel.dialects.dfg import DfgOp

NEWEST = defs.onnx_opset_version()
FIRST = 6

F32 = TensorProto.FLOAT
I64 = TensorProto.INT64
BOOL = TensorProto.BOOL

Input = tuple[str, int, Sequence[int]]
"""A graph input: name, ONNX element type, shape."""


@dataclass(frozen=True)
class Case:
    """A one-operator model and what importing it must give."""

    op: str
    """The ONNX operator under test (exactly one `dfg` op of it must appear)."""
    opset: int
    model: onnx.ModelProto
    outputs: tuple[str, ...]
    """The function's result types, as printed (`tensor<2x3xf32>`)."""
    check: Callable[[DfgOp], None] | None = field(default=None, compare=False)
    """Further checks on the imported op (its operands and properties)."""
    expected: Callable[[list[np.ndarray]], list[np.ndarray]] | None = field(
        default=None, compare=False
    )
    """The outputs for given inputs, where neither onnxruntime nor onnx's reference
    evaluator implements the operator at this opset."""

    @property
    def id(self) -> str:
        return f"{self.op}-{self.opset}"


def make_model(
    opset: int,
    nodes: Sequence[onnx.NodeProto],
    inputs: Sequence[Input],
    outputs: Sequence[str],
    initializers: dict[str, np.ndarray] | None = None,
) -> onnx.ModelProto:
    """A model at default-domain `opset`; outputs carry no type (inference fills it)."""
    graph = helper.make_graph(
        list(nodes),
        "case",
        [helper.make_tensor_value_info(n, t, list(s)) for n, t, s in inputs],
        [helper.make_empty_tensor_value_info(n) for n in outputs],
        [numpy_helper.from_array(v, k) for k, v in (initializers or {}).items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8 if opset <= 18 else 10
    return model


def opsets_of(op: str) -> list[int]:
    """The opsets to test `op` at: each schema change from opset 6, and the newest."""
    versions = {
        max(s.since_version, FIRST)
        for s in defs.get_all_schemas_with_history()
        if s.name == op and s.domain == ""
    }
    return sorted(versions | {NEWEST})


def x(*shape: int, name: str = "x", type: int = F32) -> Input:
    return (name, type, shape)


def const_of(op: DfgOp, index: int) -> np.ndarray:
    """The value of the `dfg.constant` feeding the op's ONNX input `index`."""
    value = op.input_values()[index]
    assert value is not None, f"input {index} of {op.name} is absent"
    owner = value.owner
    numpy = getattr(owner, "numpy", None)
    assert numpy is not None, f"input {index} of {op.name} is not a constant"
    return numpy()


def prop(op: DfgOp, name: str) -> object:
    """A property's plain value, ONNX's default filled in."""
    return op.python_attributes().get(name)


def absent(op: DfgOp, index: int) -> bool:
    values = op.input_values()
    return index >= len(values) or values[index] is None


def without(index: int) -> Callable[[DfgOp], None]:
    """A check that the op's optional ONNX input `index` is absent."""

    def check(op: DfgOp) -> None:
        assert absent(op, index), f"input {index} of {op.name} should be absent"

    return check


def _runs(model: onnx.ModelProto) -> Callable[[list[np.ndarray]], list[np.ndarray]]:
    """The outputs of `model` (run by onnxruntime) as a case's `expected`."""
    from tests.unit.dfg_eval import run_model

    return lambda inputs: run_model(model, inputs)


BUILDERS: dict[str, Callable[[int], list[Case]]] = {}


def builds(
    *ops: str,
) -> Callable[[Callable[[str, int], list[Case]]], Callable[[str, int], list[Case]]]:
    """Register a case builder for `ops`; it gets the operator and the opset."""

    def register(
        f: Callable[[str, int], list[Case]],
    ) -> Callable[[str, int], list[Case]]:
        for op in ops:
            BUILDERS[op] = lambda opset, op=op: f(op, opset)
        return f

    return register


def t(shape: Sequence[int | str], element: str = "f32") -> str:
    dims = "x".join(str(d) for d in shape)
    return f"tensor<{dims}x{element}>" if dims else f"tensor<{element}>"
