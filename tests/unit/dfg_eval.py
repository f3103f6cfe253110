"""Run a `dfg` module by turning it back into ONNX for onnxruntime.

A test oracle only: each `dfg` op becomes the ONNX node of its operator, with the
op's properties as attributes and each `dfg.constant` as an initializer, so the
numbers of an imported module can be compared with those of the original model.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from onnxruntime.capi.onnxruntime_pybind11_state import InvalidGraph as OrtInvalidGraph
from onnxruntime.capi.onnxruntime_pybind11_state import (
    NotImplemented as OrtNotImplemented,
)
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute, Block, Region, SSAValue

from ramiel.dialects.dfg import ConstantOp, DfgOp
from ramiel.dialects.dfg.control_flow import IfOp, LoopOp, YieldOp
from ramiel.dialects.types import type_proto
from ramiel.onnx_types import onnx_of_attribute

NEWEST_ORT_OPSET = 21
"""The newest opset whose every operator onnxruntime runs."""


def to_onnx(module: ModuleOp, opset: int = NEWEST_ORT_OPSET) -> onnx.ModelProto:
    """The ONNX model computing what `module`'s `main` function computes."""
    function = next(op for op in module.ops if isinstance(op, func.FuncOp))
    names: dict[SSAValue, str] = {}
    inputs: list[onnx.ValueInfoProto] = []
    for i, arg in enumerate(function.body.block.args):
        names[arg] = f"arg{i}"
        inputs.append(_value_info(f"arg{i}", arg.type))
    initializers: list[onnx.TensorProto] = []
    outputs: list[onnx.ValueInfoProto] = []
    nodes = _nodes(function.body.block, names, initializers)
    ret = function.body.block.last_op
    assert isinstance(ret, func.ReturnOp)
    for r, value in enumerate(ret.operands):
        out = f"out{r}"
        nodes.append(helper.make_node("Identity", [names[value]], [out]))
        outputs.append(_value_info(out, value.type))
    graph = helper.make_graph(nodes, "dfg", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 10
    return model


def _nodes(
    block: Block, names: dict[SSAValue, str], initializers: list[onnx.TensorProto]
) -> list[onnx.NodeProto]:
    """The ONNX nodes of `block`'s ops (a region's become its op's subgraph); constants
    become initializers of the main graph, values get names unique in the model."""
    nodes: list[onnx.NodeProto] = []
    for op in block.ops:
        index = len(names)
        if isinstance(op, ConstantOp):
            names[op.output] = f"c{index}"
            initializers.append(numpy_helper.from_array(op.numpy().copy(), f"c{index}"))
        elif isinstance(op, YieldOp | func.ReturnOp):
            continue
        elif isinstance(op, DfgOp):
            results = op.output_values()
            for r, result in enumerate(results):
                if result is not None:
                    names[result] = f"v{index}_{r}"
            node = helper.make_node(
                op.ONNX_OP_TYPE,
                _trimmed(["" if v is None else names[v] for v in op.input_values()]),
                _trimmed(["" if v is None else names[v] for v in results]),
            )
            node.attribute.extend(
                onnx_of_attribute(k, v) for k, v in op.explicit_attributes().items()
            )
            if isinstance(op, DfgOp):
                node.attribute.extend(op.types_as_attributes())
            if isinstance(op, IfOp):
                for attribute, branch in zip(("then_branch", "else_branch"), op.branches, strict=True):
                    node.attribute.append(helper.make_attribute(attribute, _branch(op, branch, names, initializers)))
            elif isinstance(op, LoopOp):
                node.attribute.append(helper.make_attribute("body", _loop_body(op, names, initializers)))
            nodes.append(node)
        else:
            raise ValueError(f"unexpected op {op.name}")
    return nodes


def _branch(
    op: IfOp, branch: Region, names: dict[SSAValue, str], initializers: list[onnx.TensorProto]
) -> onnx.GraphProto:
    """A branch of `op` as an ONNX subgraph, reading the captured values by their outer names."""
    end = branch.block.last_op
    assert isinstance(end, YieldOp)
    return _subgraph(op, branch, [], list(end.values), names, initializers)


def _loop_body(op: LoopOp, names: dict[SSAValue, str], initializers: list[onnx.TensorProto]) -> onnx.GraphProto:
    """The body of `op` as an ONNX subgraph: it takes the iteration number, the condition
    (passed on unchanged where `op` has none) and the carried values."""
    block = op.body.block
    end = block.last_op
    assert isinstance(end, YieldOp)
    iteration = f"i{next(_FRESH)}"
    names[op.iteration_arg] = iteration
    inputs = [_value_info(iteration, op.iteration_arg.type)]
    cond = f"cond{next(_FRESH)}"
    inputs.append(helper.make_tensor_value_info(cond, onnx.TensorProto.BOOL, []))
    if op.cond_arg is not None:
        names[op.cond_arg] = cond
    for arg in op.carried_args:
        names[arg] = f"a{next(_FRESH)}"
        inputs.append(_value_info(names[arg], arg.type))
    yielded = list(end.values)
    graph = _subgraph(op, op.body, inputs, yielded, names, initializers)
    if op.cond is None:
        graph.node.append(helper.make_node("Identity", [cond], [f"{cond}_out"]))
        graph.output.insert(0, helper.make_tensor_value_info(f"{cond}_out", onnx.TensorProto.BOOL, []))
    return graph


def _subgraph(
    op: IfOp | LoopOp,
    region: Region,
    inputs: list[onnx.ValueInfoProto],
    outputs: list[SSAValue],
    names: dict[SSAValue, str],
    initializers: list[onnx.TensorProto],
) -> onnx.GraphProto:
    """`region` of `op` as an ONNX subgraph with `inputs`, giving `outputs`; it reads the
    captured values by their outer names."""
    for arg, value in zip(op.captured_args(region), op.captured, strict=True):
        names[arg] = names[value]
    nodes = _nodes(region.block, names, initializers)
    graph_outputs: list[onnx.ValueInfoProto] = []
    for value in outputs:
        out = f"y{next(_FRESH)}"
        nodes.append(helper.make_node("Identity", [names[value]], [out]))
        graph_outputs.append(_value_info(out, value.type))
    return helper.make_graph(nodes, f"region{next(_FRESH)}", inputs, graph_outputs)


_FRESH = itertools.count()
"""Numbers for the names of branch outputs, unique in the process."""


def _trimmed(names: list[str]) -> list[str]:
    """`names` without trailing empty names (absent trailing optional values)."""
    while names and not names[-1]:
        names.pop()
    return names


def _value_info(name: str, t: Attribute) -> onnx.ValueInfoProto:
    return helper.make_value_info(name, type_proto(t))


def run_model(model: onnx.ModelProto, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """`model`'s outputs on `inputs` (real graph inputs, in order), with onnxruntime."""
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    feeds = {i.name: x for i, x in zip(session.get_inputs(), inputs, strict=True)}
    return [np.asarray(o) for o in session.run(None, feeds)]


def evaluate_reference(model: onnx.ModelProto, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """`model`'s outputs on `inputs` (real graph inputs, in order), from onnx's reference evaluator."""
    initializers = {t.name for t in model.graph.initializer}
    names = [i.name for i in model.graph.input if i.name not in initializers]
    return list(ReferenceEvaluator(model).run(None, dict(zip(names, inputs, strict=True))))


def run_dfg(module: ModuleOp, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """`module`'s outputs on `inputs`, its ops run as their newest ONNX versions (the forms they have).

    Where onnxruntime lacks a newest version, at `NEWEST_ORT_OPSET`, whose older
    versions take the attributes and inputs used alike, else with onnx's
    reference evaluator.
    """
    since = [op.ONNX_SCHEMA.since_version for op in module.walk() if isinstance(op, DfgOp)]
    newest = to_onnx(module, max(NEWEST_ORT_OPSET, *since))
    try:
        return run_model(newest, inputs)
    except (OrtInvalidGraph, OrtNotImplemented):
        pass
    try:
        return run_model(to_onnx(module), inputs)
    except (OrtInvalidGraph, OrtNotImplemented):
        return evaluate_reference(newest, inputs)


def random_inputs(model: onnx.ModelProto, seed: int = 0) -> list[np.ndarray]:
    """Seeded inputs for the real graph inputs of `model` (positive floats, small ints)."""
    rng = np.random.default_rng(seed)
    initializers = {t.name for t in model.graph.initializer}
    arrays: list[np.ndarray] = []
    for value in model.graph.input:
        if value.name in initializers:
            continue
        tensor = value.type.tensor_type
        shape = tuple(d.dim_value for d in tensor.shape.dim)
        dtype = helper.tensor_dtype_to_np_dtype(tensor.elem_type)
        if dtype == np.bool_:
            arrays.append(rng.integers(0, 2, shape).astype(np.bool_))
        elif np.issubdtype(dtype, np.integer):
            arrays.append(rng.integers(1, 5, shape).astype(dtype))
        else:
            arrays.append(rng.uniform(0.25, 2.0, shape).astype(dtype))
    return arrays
