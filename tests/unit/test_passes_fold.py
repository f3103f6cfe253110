"""Constant folding checked on every single-operator case, against onnxruntime.

Each case of `op_cases` at the newest opset has its graph inputs turned into seeded
constants; `fold-constants` must then replace the op by constants of the op's own
result types (a fold never changes a shape or an element type), equal to what
onnxruntime computes on the unfolded graph, and equal bit for bit to the kernel
table's values (which is what the numpy folds must match).
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from ramiel import kernels
from ramiel.dialects.dfg import ConstantOp, DfgOp
from ramiel.dialects.dfg.constant import same_type
from ramiel.dialects.dfg.folding import fold_values
from ramiel.frontend.onnx_import import import_model
from ramiel.numerics import assert_close
from ramiel.passes.fold_constants import FoldConstants
from tests.unit.dfg_eval import random_inputs, run_dfg
from tests.unit.op_cases import CASES, NEWEST, Case

NEWEST_CASES = [c for c in CASES if c.opset == NEWEST]

NOT_FOLDED = frozenset({"Dropout"})
"""Ops `fold-constants` leaves alone (canonicalize removes inference Dropout)."""


def _folds(op: DfgOp) -> bool:
    """Whether `op` should fold: it may (`FOLDABLE`), it is not excluded, and the kernel table computes it."""
    if not op.FOLDABLE:
        return False
    try:
        kernels.emit(op.view())
    except kernels.UnsupportedKernel:
        return False
    return op.ONNX_OP_TYPE not in NOT_FOLDED


def _all_constant(model: onnx.ModelProto, seed: int) -> onnx.ModelProto:
    """`model` with its graph inputs replaced by seeded initializers."""
    folded = onnx.ModelProto()
    folded.CopyFrom(model)
    arrays = random_inputs(model, seed)
    for value, array in zip(list(folded.graph.input), arrays, strict=True):
        folded.graph.initializer.append(numpy_helper.from_array(array, value.name))
        folded.graph.input.remove(value)
    return folded


def _function(module: ModuleOp) -> func.FuncOp:
    return next(op for op in module.ops if isinstance(op, func.FuncOp))


def _body(module: ModuleOp) -> list[object]:
    return list(_function(module).body.block.ops)


def _returned(module: ModuleOp) -> list[object]:
    ret = _body(module)[-1]
    assert isinstance(ret, func.ReturnOp)
    return [v.owner for v in ret.operands]


@pytest.mark.parametrize("case", NEWEST_CASES, ids=[c.id for c in NEWEST_CASES])
def test_fold_matches_onnxruntime(case: Case) -> None:
    module = import_model(_all_constant(case.model, seed=7))
    folds = _folds(next(o for o in _body(module) if isinstance(o, DfgOp)))
    expected = run_dfg(module, [])
    signature = _function(module).function_type
    FoldConstants(max_bytes=2**30).apply(Context(), module)
    module.verify()
    assert _function(module).function_type == signature
    owners = _returned(module)
    if not folds:
        assert any(isinstance(o, DfgOp) for o in owners)
        return
    assert all(isinstance(o, ConstantOp) for o in owners), module
    for owner, ref in zip(owners, expected, strict=True):
        assert isinstance(owner, ConstantOp)
        assert_close(owner.numpy(), ref, case.id)


@pytest.mark.parametrize("case", NEWEST_CASES, ids=[c.id for c in NEWEST_CASES])
def test_fold_equals_kernel_table(case: Case) -> None:
    module = import_model(_all_constant(case.model, seed=11))
    op = next(o for o in _body(module) if isinstance(o, DfgOp))
    folded = fold_values(op, max_bytes=2**30)
    if folded is None:
        assert not _folds(op)
        return
    import torch

    values = [
        None if v is None else torch.from_numpy(np.array(v))
        for v in op.view().input_values
    ]
    computed = kernels.evaluate(op.view(), values)
    for ours, theirs, result in zip(folded, computed, op.results, strict=True):
        assert np.array_equal(ours, theirs.numpy(), equal_nan=True), case.id
        assert same_type(ours, result), case.id


def test_limit_counts_result_bytes() -> None:
    data = np.arange(32, dtype=np.float32)
    model = _neg_model(data)
    module = import_model(model)
    FoldConstants(max_bytes=data.nbytes - 1).apply(Context(), module)
    assert not isinstance(_returned(module)[0], ConstantOp)
    FoldConstants(max_bytes=data.nbytes).apply(Context(), module)
    assert isinstance(_returned(module)[0], ConstantOp)


def test_limit_counts_expanded_splat_inputs() -> None:
    # ConstantOfShape folds to a one-element splat; summing it reads all 1024 floats.
    from onnx import helper

    graph = helper.make_graph(
        [
            helper.make_node("ConstantOfShape", ["dims"], ["big"]),
            helper.make_node("ReduceSum", ["big"], ["y"], keepdims=0),
        ],
        "sum",
        [],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [])],
        [numpy_helper.from_array(np.array([1024], np.int64), "dims")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    module = import_model(model)
    FoldConstants(max_bytes=4 * 1024 - 1).apply(Context(), module)
    assert not isinstance(_returned(module)[0], ConstantOp)
    FoldConstants(max_bytes=4 * 1024).apply(Context(), module)
    assert isinstance(_returned(module)[0], ConstantOp)


def _neg_model(data: np.ndarray) -> onnx.ModelProto:
    from onnx import helper

    graph = helper.make_graph(
        [helper.make_node("Neg", ["c"], ["y"])],
        "neg",
        [],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, list(data.shape))],
        [numpy_helper.from_array(data, "c")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
