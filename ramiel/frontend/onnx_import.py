"""ONNX import: an `.onnx` model becomes a `dfg` module.

    builtin.module {
      func.func @main(%data_0: tensor<1x3x224x224xf32> {dfg.name = "data_0"})
          -> (tensor<1x1000xf32> {dfg.name = "prob_1"}) {
        %conv1_w_0 = dfg.constant #dfg.resource<conv1_w_0_... : tensor<64x3x7x7xf32>>
        %conv1_1 = dfg.conv %data_0, %conv1_w_0, ... : (...) -> tensor<1x64x112x112xf32>
        ...
        func.return %prob_1 : tensor<1x1000xf32>
      }
    }

Function arguments are the graph inputs that are not initializers, in graph order;
each argument and result keeps its ONNX name in a `dfg.name` attribute, each value
its (sanitised) tensor name as SSA name, and each op its node name as location.
Models older than opset `NORMALISED_OPSET` are first converted with
`onnx.version_converter`, which moves attributes to inputs the way the newest
operator forms (the `dfg` ops) expect. Shapes come from the model and
`onnx.shape_inference`, with symbolic dimensions fixed by the caller.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from onnx import numpy_helper, shape_inference, version_converter
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    ModuleOp,
    NameLoc,
    NoneAttr,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.utils.exceptions import VerifyException

from ramiel.dialects.dfg import OPS, ConstantOp, sanitize_identifier
from ramiel.errors import RamielError
from ramiel.onnx_types import (
    UnsupportedType,
    attribute_of_onnx,
    element_type_of_onnx,
    tensor_type,
)

NORMALISED_OPSET = 18
"""Models below this opset are converted to it before import."""

MIN_OPSET = 6
"""The oldest default-domain opset Ramiel imports."""

NAME_ATTR = "dfg.name"
"""The argument/result attribute that keeps a graph input's or output's ONNX name."""


def load_model(path: str | os.PathLike[str]) -> onnx.ModelProto:
    """Read an ONNX file and its external data, refusing data outside its folder."""
    where = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise RamielError(f"cannot read the model: {e.strerror}", where) from None
    model = _parse_model(data, where)
    base = Path(path).resolve().parent
    for tensor in _external_tensors(model):
        location = next((e.value for e in tensor.external_data if e.key == "location"), "")
        target = (base / location).resolve()
        if os.path.isabs(location) or not target.is_relative_to(base):
            raise RamielError(
                f"external data of tensor '{tensor.name}' points outside the model's folder",
                location,
            )
        if not target.is_file():
            raise RamielError(
                f"missing external data file for tensor '{tensor.name}'", location
            )
    try:
        onnx.load_external_data_for_model(model, str(base))
    except (OSError, ValueError) as e:
        raise RamielError(f"cannot load external data: {e}", where) from None
    return model


def _parse_model(data: bytes, where: str) -> onnx.ModelProto:
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, RuntimeWarning, ValueError):
        raise RamielError("not an ONNX model, or a truncated one", where) from None
    if not model.HasField("graph") or not model.opset_import:
        raise RamielError("not an ONNX model: no graph or no opset", where)
    return model


def _external_tensors(model: onnx.ModelProto) -> list[onnx.TensorProto]:
    tensors = list(model.graph.initializer)
    tensors += [
        a.t for n in model.graph.node for a in n.attribute if a.type == onnx.AttributeProto.TENSOR
    ]
    return [t for t in tensors if t.data_location == onnx.TensorProto.EXTERNAL]


def import_model(
    model: onnx.ModelProto,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    *,
    where: str = "model",
    note: Callable[[str], None] | None = None,
) -> ModuleOp:
    """The `dfg` module of an ONNX model (with its weights loaded).

    `input_shapes` fixes graph inputs' shapes by name; otherwise a symbolic
    leading (batch) dimension becomes 1, reported through `note`, and any other
    symbolic dimension is an error.
    """
    model = _normalise_opset(model, where)
    _fix_input_shapes(model, dict(input_shapes or {}), where, note or (lambda _: None))
    model = _infer_shapes(model, where)
    return _Importer(model, where).module()


def _default_opset(model: onnx.ModelProto) -> int:
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return entry.version
    return 0


def _normalise_opset(model: onnx.ModelProto, where: str) -> onnx.ModelProto:
    opset = _default_opset(model)
    newest = onnx.defs.onnx_opset_version()
    if not MIN_OPSET <= opset <= newest:
        raise RamielError(
            f"unsupported opset {opset}: Ramiel imports opsets {MIN_OPSET} to {newest}", where
        )
    if opset >= NORMALISED_OPSET:
        return model
    try:
        return version_converter.convert_version(model, NORMALISED_OPSET)
    except Exception as e:  # the converter raises bare RuntimeErrors and others
        detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise RamielError(
            f"cannot convert the model from opset {opset} to {NORMALISED_OPSET}: {detail}",
            where,
        ) from None


def _fix_input_shapes(
    model: onnx.ModelProto,
    input_shapes: dict[str, Sequence[int]],
    where: str,
    note: Callable[[str], None],
) -> None:
    graph_inputs = {i.name: i for i in model.graph.input}
    for name in input_shapes:
        if name not in graph_inputs:
            raise RamielError(f"--input-shape names no graph input '{name}'", where)
    initializers = {t.name for t in model.graph.initializer}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        tensor = value.type.tensor_type
        dims = tensor.shape.dim
        if value.name in input_shapes:
            shape = list(input_shapes[value.name])
            if len(shape) != len(dims) and len(dims) > 0:
                raise RamielError(
                    f"--input-shape gives {len(shape)} dimensions for input '{value.name}' "
                    f"of rank {len(dims)}",
                    where,
                )
            tensor.shape.ClearField("dim")
            for d in shape:
                tensor.shape.dim.add().dim_value = d
            continue
        for index, dim in enumerate(dims):
            if dim.HasField("dim_value") and dim.dim_value > 0:
                continue
            symbol = dim.dim_param or "?"
            if index == 0:
                dim.dim_value = 1
                note(f"input '{value.name}': batch dimension '{symbol}' set to 1")
                continue
            raise RamielError(
                f"input '{value.name}' has symbolic dimension '{symbol}' at position "
                f"{index}; give its shape with --input-shape {value.name}=D0x...xDn",
                where,
            )


def _infer_shapes(model: onnx.ModelProto, where: str) -> onnx.ModelProto:
    try:
        return shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    except Exception as e:  # onnx raises InferenceError, ValidationError, RuntimeError
        detail = " ".join(str(e).split())
        raise RamielError(f"shape inference failed: {detail}", where) from None


class _Importer:
    """Builds the `dfg` function of one shape-inferred, normalised ONNX graph."""

    def __init__(self, model: onnx.ModelProto, where: str) -> None:
        self.graph = model.graph
        self.where = where
        self.opset = _default_opset(model)
        self.values: dict[str, SSAValue] = {}
        self.types: dict[str, onnx.TypeProto] = {
            v.name: v.type
            for v in (*self.graph.value_info, *self.graph.input, *self.graph.output)
        }

    def module(self) -> ModuleOp:
        initializers = {t.name for t in self.graph.initializer}
        inputs = [i for i in self.graph.input if i.name not in initializers]
        arg_types = [self._tensor_type(i.name, "graph input") for i in inputs]
        block = Block(arg_types=arg_types)
        for arg, value in zip(block.args, inputs, strict=True):
            arg.name_hint = sanitize_identifier(value.name)
            self.values[value.name] = arg
        for tensor in self.graph.initializer:
            self._add_constant(block, tensor.name, _array(tensor, self.where))
        for node in _topological_nodes(self.graph, set(self.values), self.where):
            self._add_node(block, node)
        outputs: list[SSAValue] = []
        for value in self.graph.output:
            if value.name not in self.values:
                raise RamielError(f"graph output '{value.name}' is never computed", self.where)
            outputs.append(self.values[value.name])
        block.add_op(func.ReturnOp(*outputs))
        function = func.FuncOp(
            "main",
            ([a.type for a in block.args], [v.type for v in outputs]),
            Region(block),
            arg_attrs=_names(inputs),
            res_attrs=_names(self.graph.output),
        )
        module = ModuleOp([function])
        try:
            module.verify()
        except VerifyException as e:
            raise RamielError(f"the model is inconsistent: {e}", self.where) from None
        return module

    def _tensor_type(self, name: str, what: str) -> TensorType:
        proto = self.types.get(name)
        if proto is None or not proto.HasField("tensor_type"):
            raise RamielError(f"no type known for {what} '{name}'", self.where)
        tensor = proto.tensor_type
        if not tensor.HasField("shape") or any(
            not d.HasField("dim_value") for d in tensor.shape.dim
        ):
            raise RamielError(
                f"cannot infer a static shape for {what} '{name}'; fix the input shapes "
                "with --input-shape",
                self.where,
            )
        try:
            element = element_type_of_onnx(tensor.elem_type)
        except UnsupportedType as e:
            raise RamielError(f"{e} of {what} '{name}'", self.where) from None
        return tensor_type([d.dim_value for d in tensor.shape.dim], element)

    def _add_constant(self, block: Block, name: str, array: np.ndarray) -> None:
        try:
            op = ConstantOp.of_array(array, name)
        except UnsupportedType as e:
            raise RamielError(f"{e} of tensor '{name}'", self.where) from None
        op.output.name_hint = sanitize_identifier(name)
        block.add_op(op)
        self.values[name] = op.output

    def _add_node(self, block: Block, node: onnx.NodeProto) -> None:
        label = node.name or (node.output[0] if node.output else node.op_type)
        where = f"node '{label}'"
        if node.domain not in ("", "ai.onnx"):
            raise RamielError(
                f"unsupported operator {node.domain}.{node.op_type}", where
            )
        if node.op_type == "Constant":
            self._add_constant(block, node.output[0], _constant_value(node, where))
            return
        op_class = OPS.get(node.op_type)
        if op_class is None:
            raise RamielError(
                f"unsupported operator {node.op_type} at opset {self.opset}", where
            )
        properties: dict[str, Attribute] = {}
        for attr in node.attribute:
            if attr.name not in op_class.ONNX_SCHEMA.attributes:
                raise RamielError(
                    f"unsupported attribute '{attr.name}' of {node.op_type}", where
                )
            try:
                properties[attr.name] = attribute_of_onnx(attr)
            except UnsupportedType as e:
                raise RamielError(str(e), where) from None
        inputs = [self.values[name] if name else None for name in node.input]
        outputs = list(node.output)
        result_types = [
            self._tensor_type(name, "tensor") if name else self._unused_type(node, i)
            for i, name in enumerate(outputs)
        ]
        try:
            op = op_class.build(inputs, result_types, properties)
        except VerifyException as e:
            raise RamielError(f"malformed {node.op_type}: {e}", where) from None
        op.location = NameLoc(StringAttr(label), NoneAttr())
        block.add_op(op)
        for name, result in zip(outputs, op.results, strict=True):
            if name:
                result.name_hint = sanitize_identifier(name)
                self.values[name] = result

    def _unused_type(self, node: onnx.NodeProto, index: int) -> TensorType:
        # A skipped optional output before a used one: its type is never needed
        # by ONNX, so give it the first output's type when the op allows that.
        del index
        return self._tensor_type(node.output[0], "tensor")


def _names(values: Sequence[onnx.ValueInfoProto]) -> ArrayAttr[DictionaryAttr]:
    return ArrayAttr([DictionaryAttr({NAME_ATTR: StringAttr(v.name)}) for v in values])


def _array(tensor: onnx.TensorProto, where: str) -> np.ndarray:
    try:
        return numpy_helper.to_array(tensor)
    except Exception as e:
        raise RamielError(f"cannot read tensor '{tensor.name}': {e}", where) from None


def _constant_value(node: onnx.NodeProto, where: str) -> np.ndarray:
    attr = node.attribute[0] if len(node.attribute) == 1 else None
    if attr is None:
        raise RamielError("a Constant node needs exactly one value attribute", where)
    match attr.name:
        case "value":
            return numpy_helper.to_array(attr.t)
        case "value_float":
            return np.array(attr.f, dtype=np.float32)
        case "value_floats":
            return np.array(list(attr.floats), dtype=np.float32)
        case "value_int":
            return np.array(attr.i, dtype=np.int64)
        case "value_ints":
            return np.array(list(attr.ints), dtype=np.int64)
        case _:
            raise RamielError(f"unsupported Constant attribute '{attr.name}'", where)


def _topological_nodes(
    graph: onnx.GraphProto, defined: set[str], where: str
) -> list[onnx.NodeProto]:
    """The graph's nodes in an order where every input is defined before use.

    ONNX requires topological order, but some exporters do not keep it. Kahn's
    algorithm, taking the lowest node index first, keeps the graph's own order
    whenever it is valid; a cycle or an input that nothing defines is an error.
    """
    available = defined | {t.name for t in graph.initializer} | {""}
    producer = {o: i for i, n in enumerate(graph.node) for o in n.output if o}
    waiting_on: list[int] = []
    consumers: dict[int, list[int]] = {}
    for index, node in enumerate(graph.node):
        needed = {producer[i] for i in node.input if i not in available and i in producer}
        undefined = [i for i in node.input if i not in available and i not in producer]
        if undefined:
            raise RamielError(f"input '{undefined[0]}' is never defined", where)
        waiting_on.append(len(needed))
        for p in needed:
            consumers.setdefault(p, []).append(index)
    ready = [i for i, count in enumerate(waiting_on) if count == 0]
    heapq.heapify(ready)
    ordered: list[onnx.NodeProto] = []
    while ready:
        index = heapq.heappop(ready)
        ordered.append(graph.node[index])
        for consumer in consumers.get(index, []):
            waiting_on[consumer] -= 1
            if waiting_on[consumer] == 0:
                heapq.heappush(ready, consumer)
    if len(ordered) != len(graph.node):
        stuck = [n.name or n.output[0] for i, n in enumerate(graph.node) if waiting_on[i] > 0]
        raise RamielError(f"the graph has a cycle through {', '.join(sorted(stuck)[:4])}", where)
    return ordered


def import_file(
    path: str | os.PathLike[str],
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    note: Callable[[str], None] | None = None,
) -> ModuleOp:
    """Load and import an `.onnx` file."""
    return import_model(load_model(path), input_shapes, where=str(path), note=note)


def parse_input_shape(spec: str) -> tuple[str, list[int]]:
    """Parse `NAME=1x3x224x224` (the name may contain `=`; the last one splits)."""
    name, sep, dims = spec.rpartition("=")
    try:
        shape = [int(d) for d in dims.split("x")] if dims else []
    except ValueError:
        shape = []
    if not sep or not name or not shape or any(d <= 0 for d in shape):
        raise RamielError("expected NAME=D0x...xDn with positive dimensions", f"--input-shape {spec}")
    return name, shape


__all__ = [
    "NAME_ATTR",
    "import_file",
    "import_model",
    "load_model",
    "parse_input_shape",
]
