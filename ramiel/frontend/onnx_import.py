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

Before anything else the graph is checked: every operator must have a `dfg` op
(errors name the node and the model's opset), every input must be defined, and
there must be no cycle. Models older than opset `NORMALISED_OPSET` are then
converted with `onnx.version_converter`, which moves attributes to inputs the way
the newest operator forms (the `dfg` ops) expect. Two old forms the converter
cannot handle are normalised by hand first: opset-6 legacy broadcasting along an
`axis` (the second operand gets trailing unit dimensions) and the opset-1
comparison operators (`Equal`, `Greater`, `Less`), whose form is the newest one
once their `broadcast` attribute is gone, as the pre-opset-7 recurrent operators'
(`LSTM`, `GRU`, `RNN`) is once their `output_sequence` attribute is; old Dropout
masks, whose meaning the converter changes, are dropped when unused and refused
otherwise. A converter failure names the node that causes it. A model older than
`MIN_OPSET` imports as a model of that opset when none of its operators changed
in between (an opset-1 `Not`), and is refused otherwise.

Shapes come from the model and `onnx.shape_inference`, with symbolic dimensions
fixed by the caller; where ONNX's data propagation stops short, the small
tensors computed from constants and static shapes are evaluated so that every
shape is static (see `_infer_types`). Weights stay out of the converter's and
shape inference's copies of the model.

The memory compiling the model will hold for its tensors is checked against a
budget (`ramiel.limits.check_memory_budget`) from declared sizes alone: before
external data is read, before shape inference, and once every shape is known,
before the weights become IR and folding computes constants.
"""

from __future__ import annotations

import heapq
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import cast

import numpy as np
import onnx
from google.protobuf.message import DecodeError, Message
from onnx import helper, numpy_helper, shape_inference, version_converter
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IntegerType,
    ModuleOp,
    NameLoc,
    NoneAttr,
    StringAttr,
    TensorType,
    UnrankedTensorType,
    i1,
)
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.utils.exceptions import VerifyException

from ramiel.dialects.dfg import OPS, ConstantOp, sanitize_identifier
from ramiel.dialects.dfg.base import op_label
from ramiel.dialects.dfg.constant import constant_array
from ramiel.dialects.dfg.control_flow import IfOp, LoopOp, YieldOp
from ramiel.dialects.types import OptionalType, SequenceType, join, refines, type_proto
from ramiel.errors import RamielError
from ramiel.limits import (
    DEFAULT_MEMORY_BUDGET,
    all_nodes,
    check_memory_budget,
    element_count,
    model_tensors,
    node_label,
    node_where,
    subgraphs,
)
from ramiel.onnx_types import (
    UNKNOWN,
    UnsupportedType,
    attribute_of_onnx,
    element_type_of_onnx,
    tensor_type,
)
from ramiel.pipeline import MODEL_ATTR

NORMALISED_OPSET = 18
"""Models below this opset are converted to it before import."""

MIN_OPSET = 6
"""The oldest default-domain opset Ramiel converts from; an older model imports when
none of its operators changed before this opset (it is then this opset's model)."""

NAME_ATTR = "dfg.name"
"""The argument/result attribute that keeps a graph input's or output's ONNX name."""

_CONVERTED_AWAY: dict[str, int] = {"Upsample": 10, "Scatter": 11}
"""Operators without a `dfg` op that the version converter rewrites into supported
ones (`Upsample` becomes `Resize`, `Scatter` `ScatterElements`), with the first
opset where it no longer does."""

_REFUSED_BEFORE: dict[str, int] = {"Scan": 9}
"""Operators whose forms before an opset Ramiel refuses: Scan-8 has a batch axis,
which the version converter drops from the graph's inputs."""

_CONVERTED_UP: dict[str, int] = {"DFT": 20}
"""Operators whose `dfg` op has the form of a later opset than `NORMALISED_OPSET`, with
that opset: a model holding one is converted up to it (DFT's `axis` attribute became
an input at opset 20)."""

_LEGACY_BROADCAST = ("Add", "Sub", "Mul", "Div", "Pow", "Equal", "Greater", "Less", "And", "Or", "Xor")
"""Operators with opset-6 `broadcast`/`axis` attributes."""

_NO_ADAPTER = ("Equal", "Greater", "Less", "And", "Or", "Xor", "LSTM", "GRU", "RNN")
"""Operators whose forms before opset 7 the version converter cannot convert."""

_PASSTHROUGH_DOMAIN = "ramiel.passthrough"
"""The domain that hides `_NO_ADAPTER` nodes from the version converter."""

_INFERENCE_DATA_LIMIT = 1024
"""Initializers up to this size take part in shape inference with their values."""


# Loading.


def load_model(
    path: str | os.PathLike[str], *, memory_budget: int = DEFAULT_MEMORY_BUDGET
) -> onnx.ModelProto:
    """Read an ONNX file and its external data, refusing data outside its folder.

    External data that would not fit `memory_budget` (see `check_memory_budget`)
    is refused before it is read.
    """
    where = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise RamielError(f"cannot read the model: {e.strerror}", where) from None
    return load_model_bytes(data, where, Path(path).parent, memory_budget=memory_budget)


def load_model_bytes(
    data: bytes,
    where: str,
    folder: str | os.PathLike[str],
    *,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> onnx.ModelProto:
    """Parse a serialised model; external data files are looked up in `folder`.

    External data that would not fit `memory_budget` is refused before it is read.
    """
    model = _parse_model(data, where)
    base = Path(folder).resolve()
    external = _external_tensors(model)
    for tensor in external:
        location = next((e.value for e in tensor.external_data if e.key == "location"), "")
        if "\x00" in location:
            raise RamielError(
                f"the external data location of tensor '{tensor.name}' holds a NUL byte", where
            )
        target = (base / location).resolve()
        shown = str(Path(folder) / location)
        if not location or os.path.isabs(location) or not target.is_relative_to(base):
            raise RamielError(
                f"external data of tensor '{tensor.name}' points outside the model's folder",
                location or where,
            )
        if not target.is_file():
            raise RamielError(f"missing external data file for tensor '{tensor.name}'", shown)
        _declare_length(tensor, target.stat().st_size, shown)
    if external:
        check_memory_budget(model, memory_budget, where)
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
    return [t for t in model_tensors(model) if t.data_location == onnx.TensorProto.EXTERNAL]


def _declare_length(tensor: onnx.TensorProto, file_size: int, shown: str) -> None:
    """Check the external data's offset and length, and give it a length if it has none.

    Without one ONNX reads to the end of the file: with it, the memory budget
    counts what will be read.
    """
    entries = {e.key: e.value for e in tensor.external_data}  # the last of a key counts
    try:
        offset = int(entries.get("offset") or 0)
        length = int(entries["length"]) if entries.get("length") else None
    except ValueError:
        offset = length = -1
    if offset < 0 or (length is not None and length < 0):
        raise RamielError(
            f"external data of tensor '{tensor.name}' has a malformed offset or length", shown
        )
    if length is None:
        entry = tensor.external_data.add()
        entry.key, entry.value = "length", str(max(file_size - offset, 0))


# Import.


def import_model(
    model: onnx.ModelProto,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    *,
    where: str = "model",
    note: Callable[[str], None] | None = None,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    name: str | None = None,
    dynamic_dims: bool = False,
) -> ModuleOp:
    """The `dfg` module of an ONNX model (with its weights loaded), named `name`; `model` is not changed.

    `input_shapes` fixes graph inputs' shapes by name; otherwise a symbolic
    leading (batch) dimension becomes 1, reported through `note`, and any other
    symbolic dimension is an error, unless `dynamic_dims`: then every symbolic
    dimension stays a size that the values decide (`?`), and the code serves every
    size where its kernels need none (the verifier names one that does). A model whose compile would hold more than
    `memory_budget` bytes for its tensors is refused before shape inference (see
    `ramiel.limits.check_memory_budget`).
    """
    owned = onnx.ModelProto()
    owned.CopyFrom(model)
    return _named(_import_owned(owned, input_shapes, where, note, memory_budget, dynamic_dims), name)


def import_file(
    path: str | os.PathLike[str],
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    note: Callable[[str], None] | None = None,
    *,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> ModuleOp:
    """Load and import an `.onnx` file, named after it (`memory_budget` as for `import_model`)."""
    model = load_model(path, memory_budget=memory_budget)
    return _named(_import_owned(model, input_shapes, str(path), note, memory_budget), Path(path).stem)


def import_bytes(
    data: bytes,
    where: str,
    folder: str | os.PathLike[str],
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    note: Callable[[str], None] | None = None,
    *,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    name: str | None = None,
) -> ModuleOp:
    """Import a serialised model named `name` (`where` names it in errors; external data is in `folder`)."""
    model = load_model_bytes(data, where, folder, memory_budget=memory_budget)
    return _named(_import_owned(model, input_shapes, where, note, memory_budget), name)


def _named(module: ModuleOp, name: str | None) -> ModuleOp:
    if name is not None:
        module.attributes[MODEL_ATTR] = StringAttr(name)
    return module


def _import_owned(
    model: onnx.ModelProto,
    input_shapes: Mapping[str, Sequence[int]] | None,
    where: str,
    note: Callable[[str], None] | None,
    memory_budget: int,
    dynamic_dims: bool = False,
) -> ModuleOp:
    """Import a model this module may change."""
    opset = _check_opset(model, where)
    ordered = _check_graph(model.graph, opset, where)
    del model.graph.node[:]
    model.graph.node.extend(ordered)
    opset = _lift_old_opset(model, opset, where)
    model = _normalise_opset(model, opset, where)
    skipped = _name_skipped_outputs(model.graph)
    _spell_out_function_defaults(model.graph, max(opset, NORMALISED_OPSET))
    _fix_input_shapes(model, dict(input_shapes or {}), where, note or (lambda _: None), dynamic_dims)
    # Once from the declared sizes, before shape inference; again with every shape
    # known, before the weights become IR and folding computes constants.
    check_memory_budget(model, memory_budget, where)
    types, evaluated = _infer_types(model, where)
    check_memory_budget(model, memory_budget, where, types)
    module = _Importer(model, types, evaluated, skipped, opset, where, dynamic_dims).module()
    # Again with the types the import added (around loops) to those inference gave.
    check_memory_budget(model, memory_budget, where, types)
    return module


def _default_opset(model: onnx.ModelProto) -> int | None:
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return entry.version
    return None


def _check_opset(model: onnx.ModelProto, where: str) -> int:
    opset = _default_opset(model)
    newest = onnx.defs.onnx_opset_version()
    if opset is None:
        raise RamielError("the model imports no default-domain (ai.onnx) opset", where)
    if not 1 <= opset <= newest:
        raise RamielError(
            f"unsupported opset {opset}: Ramiel imports opsets {MIN_OPSET} to {newest}", where
        )
    return opset


def _lift_old_opset(model: onnx.ModelProto, opset: int, where: str) -> int:
    """The opset to import the model at: `MIN_OPSET` for an older one whose operators
    are the same there (its opset import says so from then on), else its own."""
    if opset >= MIN_OPSET:
        return opset
    for node in model.graph.node:
        if _operator_version(node.op_type, opset) != _operator_version(node.op_type, MIN_OPSET):
            raise RamielError(
                f"unsupported opset {opset}: Ramiel imports opsets {MIN_OPSET} to "
                f"{onnx.defs.onnx_opset_version()}, and older ones only where no operator "
                f"changed before opset {MIN_OPSET}, as {node.op_type} did",
                node_where(where, node),
            )
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            entry.version = MIN_OPSET
    return MIN_OPSET


def _operator_version(op_type: str, opset: int) -> int | None:
    """The version of default-domain operator `op_type` in `opset`, None where it does not exist."""
    try:
        return onnx.defs.get_schema(op_type, opset).since_version
    except onnx.defs.SchemaError:
        return None


def _check_names(graph: onnx.GraphProto, where: str) -> None:
    """Refuse a name that is not UTF-8, which protobuf hands over as `bytes`."""
    values = (*graph.input, *graph.output, *graph.value_info, *graph.initializer)
    names: list[str | bytes] = [v.name for v in values]
    for node in graph.node:
        names += [node.name, node.op_type, *node.input, *node.output]
    wrong = next((n for n in names if isinstance(n, bytes)), None)
    if wrong is not None:
        raise RamielError(f"the name {wrong!r} is not UTF-8", where)


MAX_RANK = 64
"""The most axes a tensor has: numpy's limit. ONNX's LayerNormalization inference
crashes the process on an axis of 2**31."""


def _check_inference_input(graph: onnx.GraphProto, where: str) -> None:
    """Refuse what makes ONNX's shape inference abort the process instead of raising."""
    for value in (*graph.input, *graph.value_info, *graph.output):
        for index, dim in enumerate(value.type.tensor_type.shape.dim):
            if dim.dim_value < 0:
                raise RamielError(
                    f"dimension {index} of tensor '{value.name}' has negative size "
                    f"{dim.dim_value}",
                    where,
                )
    for node in graph.node:
        for attribute in node.attribute:
            axes = [attribute.i] if attribute.name == "axis" else attribute.ints if attribute.name == "axes" else []
            if any(abs(axis) > MAX_RANK for axis in axes):
                raise RamielError(
                    f"attribute '{attribute.name}' of {node.op_type} is {helper.get_attribute_value(attribute)}, "
                    f"past any tensor's axes (at most {MAX_RANK})",
                    node_where(where, node),
                )
        count = next((a.i for a in node.attribute if a.name == "num_outputs"), None)
        if node.op_type == "Split" and count is not None and count != len(node.output):
            raise RamielError(
                f"Split has {len(node.output)} outputs, but num_outputs is {count}",
                node_where(where, node),
            )


def _check_graph(graph: onnx.GraphProto, opset: int, where: str) -> list[onnx.NodeProto]:
    """The graph's nodes in topological order, after checking their names and operators."""
    _check_names(graph, where)
    _check_inference_input(graph, where)
    for node in all_nodes(graph):
        if node.domain not in ("", "ai.onnx"):
            raise RamielError(
                f"unsupported operator {node.domain}.{node.op_type} (opset {opset})",
                node_where(where, node),
            )
        supported = node.op_type in OPS or node.op_type in ("Constant", "Scan")
        if not supported and opset < _CONVERTED_AWAY.get(node.op_type, 0):
            supported = True
        if opset < _REFUSED_BEFORE.get(node.op_type, 0):
            supported = False
        if not supported:
            raise RamielError(
                f"unsupported operator {node.op_type} at opset {opset}", node_where(where, node)
            )
    defined = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    return _topological_nodes(graph.node, defined, where)


def _topological_nodes(
    nodes: Sequence[onnx.NodeProto], defined: set[str], where: str
) -> list[onnx.NodeProto]:
    """`nodes` in an order where every input is defined before use.

    ONNX requires topological order, but some exporters do not keep it. Kahn's
    algorithm, taking the lowest node index first, keeps the graph's own order
    whenever it is valid; a cycle, an input that nothing defines or a tensor
    defined twice is an error.
    """
    available = defined | {""}
    producer: dict[str, int] = {}
    for index, node in enumerate(nodes):
        for name in node.output:
            if not name:
                continue
            if name in producer or name in defined:
                raise RamielError(f"tensor '{name}' is defined twice", node_where(where, node))
            producer[name] = index
    waiting_on: list[int] = []
    consumers: dict[int, list[int]] = {}
    for index, node in enumerate(nodes):
        reads = _node_reads(node)
        needed = {producer[i] for i in reads if i not in available and i in producer}
        undefined = [i for i in reads if i not in available and i not in producer]
        if undefined:
            raise RamielError(f"input '{undefined[0]}' is never defined", node_where(where, node))
        waiting_on.append(len(needed))
        for p in needed:
            consumers.setdefault(p, []).append(index)
    ready = [i for i, count in enumerate(waiting_on) if count == 0]
    heapq.heapify(ready)
    ordered: list[onnx.NodeProto] = []
    while ready:
        index = heapq.heappop(ready)
        ordered.append(nodes[index])
        for consumer in consumers.get(index, []):
            waiting_on[consumer] -= 1
            if waiting_on[consumer] == 0:
                heapq.heappush(ready, consumer)
    if len(ordered) != len(nodes):
        stuck = sorted(node_label(n) for i, n in enumerate(nodes) if waiting_on[i] > 0)
        raise RamielError(f"the graph has a cycle through {', '.join(stuck[:4])}", where)
    return ordered


def _free_names(graph: onnx.GraphProto) -> list[str]:
    """The names `graph` (with its subgraphs) reads from an enclosing graph, in order of first use."""
    defined = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    defined |= {o for node in graph.node for o in node.output}
    reads = (name for node in graph.node for name in _node_reads(node))
    return list(dict.fromkeys(name for name in reads if name and name not in defined))


def _node_reads(node: onnx.NodeProto) -> list[str]:
    """The names a node reads: its inputs, and what its subgraphs read from around it."""
    return [*node.input, *(name for g in subgraphs(node) for name in _free_names(g))]


# Opset normalisation.


def _normalise_opset(model: onnx.ModelProto, opset: int, where: str) -> onnx.ModelProto:
    target = max([NORMALISED_OPSET, *(_CONVERTED_UP.get(node.op_type, 0) for node in model.graph.node)])
    if opset >= target:
        return model
    if opset < 7:
        _normalise_legacy_broadcast(model, where)
    if opset < 12:
        _drop_dropout_masks(model, opset, where)
    hidden = _hide_from_converter(model, opset)
    light, large, added = _without_large_initializers(model)
    try:
        converted = version_converter.convert_version(light, target)
    except Exception as e:  # the converter raises bare RuntimeErrors and others
        culprit = _failing_node(light, opset, target)
        if culprit is not None:
            node, detail = culprit
            raise RamielError(
                f"cannot convert {node.op_type} from opset {opset} to {target}: "
                f"{detail}",
                node_where(where, node),
            ) from None
        raise RamielError(
            f"cannot convert the model from opset {opset} to {target}: "
            f"{_converter_message(e)}",
            where,
        ) from None
    converted = _with_initializers(converted, large, added)
    if hidden:
        for node in converted.graph.node:
            if node.domain == _PASSTHROUGH_DOMAIN:
                node.domain = ""
        kept = [o for o in converted.opset_import if o.domain != _PASSTHROUGH_DOMAIN]
        del converted.opset_import[:]
        converted.opset_import.extend(kept)
    return converted


def _converter_message(error: Exception) -> str:
    """The converter's message without its source location and assertion text."""
    text = " ".join(str(error).split()) or type(error).__name__
    return re.sub(r"^.*?(Assertion `.*?` failed: |\w+Error: )", "", text)


def _failing_node(model: onnx.ModelProto, opset: int, target: int) -> tuple[onnx.NodeProto, str] | None:
    """The first node that the converter cannot convert on its own, and why.

    The converter says what failed but not where; converting each node alone, with
    the types shape inference knows for its inputs, finds it.
    """
    try:
        inferred = shape_inference.infer_shapes(model)
    except Exception:
        inferred = model
    graph = inferred.graph
    declared = {v.name: v for v in (*graph.input, *graph.value_info, *graph.output)}
    initializers = {t.name: t for t in graph.initializer}
    for node in all_nodes(graph):
        if node.domain not in ("", "ai.onnx"):
            continue
        names = [i for i in node.input if i]
        inputs = [declared[i] for i in names if i in declared and i not in initializers]
        if len(inputs) + sum(i in initializers for i in names) < len(names):
            continue  # an input of unknown type: the single-node model would fail for that
        single = helper.make_model(
            helper.make_graph(
                [node],
                "node",
                inputs,
                [declared.get(o) or helper.make_empty_tensor_value_info(o) for o in node.output if o],
                [initializers[i] for i in names if i in initializers],
            ),
            opset_imports=[helper.make_opsetid("", opset)],
        )
        single.ir_version = model.ir_version
        try:
            version_converter.convert_version(single, target)
        except Exception as e:
            return node, _converter_message(e)
    return None


def _attribute(node: onnx.NodeProto, name: str) -> onnx.AttributeProto | None:
    return next((a for a in node.attribute if a.name == name), None)


def _remove_attributes(node: onnx.NodeProto, names: Iterable[str]) -> None:
    kept = [a for a in node.attribute if a.name not in set(names)]
    del node.attribute[:]
    node.attribute.extend(kept)


def _normalise_legacy_broadcast(model: onnx.ModelProto, where: str) -> None:
    """Rewrite opset-6 `broadcast=1, axis=k` into plain trailing broadcasting.

    `B` is aligned with `A` starting at dimension `axis`; giving `B` trailing unit
    dimensions (an opset-1 `Unsqueeze`) makes it align from the end, which is what
    numpy-style broadcasting and the version converter expect.
    """
    legacy = [
        n
        for n in model.graph.node
        if n.op_type in _LEGACY_BROADCAST and _attribute(n, "axis") is not None
    ]
    if not legacy:
        return
    ranks = _ranks(model)
    nodes: list[onnx.NodeProto] = []
    for node in model.graph.node:
        axis_attr = _attribute(node, "axis")
        broadcast = _attribute(node, "broadcast")
        if node not in legacy or axis_attr is None:
            nodes.append(node)
            continue
        if broadcast is None or broadcast.i == 0:
            _remove_attributes(node, ["axis"])
            nodes.append(node)
            continue
        a, b = node.input[0], node.input[1]
        rank_a, rank_b = ranks.get(a), ranks.get(b)
        if rank_a is None or rank_b is None:
            raise RamielError(
                f"cannot normalise the legacy broadcasting of {node.op_type}: the rank of "
                f"'{a if rank_a is None else b}' is unknown",
                node_where(where, node),
            )
        axis = axis_attr.i + rank_a if axis_attr.i < 0 else axis_attr.i
        trailing = rank_a - axis - rank_b
        if axis < 0 or trailing < 0:
            raise RamielError(
                f"{node.op_type} broadcasts a rank-{rank_b} operand at axis {axis_attr.i} "
                f"of a rank-{rank_a} one",
                node_where(where, node),
            )
        if trailing:
            aligned = f"{b}__aligned_{node_label(node)}"
            nodes.append(
                helper.make_node(
                    "Unsqueeze", [b], [aligned], axes=list(range(rank_b, rank_b + trailing))
                )
            )
            node.input[1] = aligned
        _remove_attributes(node, ["axis"])
        nodes.append(node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)


def _drop_dropout_masks(model: onnx.ModelProto, opset: int, where: str) -> None:
    """Remove unused `mask` outputs of old Dropouts; refuse used ones.

    Before opset 10 the mask has the data's type, and until opset 12 its value in
    inference mode is not defined (runtimes differ); the converter turns it into
    the newer boolean mask regardless. A graph that reads it cannot be imported
    faithfully.
    """
    used = {name for node in model.graph.node for name in node.input}
    used |= {value.name for value in model.graph.output}
    for node in model.graph.node:
        if node.op_type != "Dropout" or len(node.output) < 2 or not node.output[1]:
            continue
        if node.output[1] in used:
            raise RamielError(
                f"the mask output of Dropout at opset {opset} is not supported (its "
                "inference-mode value is defined from opset 12)",
                node_where(where, node),
            )
        del node.output[1:]


def _ranks(model: onnx.ModelProto) -> dict[str, int]:
    """The known rank of each tensor of the (old-opset) model."""
    light, _, _ = _without_large_initializers(model)
    try:
        inferred = shape_inference.infer_shapes(light)
    except Exception:  # fall back to what the model itself declares
        inferred = light
    ranks = {t.name: len(t.dims) for t in model.graph.initializer}
    for value in (*inferred.graph.input, *inferred.graph.value_info, *inferred.graph.output):
        tensor = value.type.tensor_type
        if tensor.HasField("shape"):
            ranks[value.name] = len(tensor.shape.dim)
    return ranks


def _hide_from_converter(model: onnx.ModelProto, opset: int) -> bool:
    """Move nodes the converter has no adapter for into a private domain."""
    if opset >= 7:
        return False
    hidden = False
    for node in model.graph.node:
        if node.op_type in _NO_ADAPTER:
            _remove_attributes(node, ["broadcast", "axis", "output_sequence"])
            node.domain = _PASSTHROUGH_DOMAIN
            hidden = True
    if hidden:
        model.opset_import.append(helper.make_opsetid(_PASSTHROUGH_DOMAIN, 1))
    return hidden


def _without_large_initializers(
    model: onnx.ModelProto,
) -> tuple[onnx.ModelProto, list[onnx.TensorProto], set[str]]:
    """A copy of `model` whose large initializers are typed graph inputs instead.

    ONNX's converter and shape inference copy the whole model through
    serialisation; leaving out the weights makes them take milliseconds instead
    of about a second for a 100 MB model. Small initializers keep their values,
    which shape inference uses for data-dependent shapes. Returns the copy, the
    initializers left out, and the names of the graph inputs added for them.
    """
    graph = model.graph
    large = [t for t in graph.initializer if element_count(t.dims) > _INFERENCE_DATA_LIMIT]
    if not large:
        return model, [], set()
    light = onnx.ModelProto()
    for field, value in model.ListFields():  # everything but the graph
        if field.name == "graph":
            continue
        if isinstance(value, Message):
            getattr(light, field.name).CopyFrom(value)
        elif isinstance(value, str | bytes | int | float):
            setattr(light, field.name, value)
        else:
            getattr(light, field.name).extend(value)
    large_names = {t.name for t in large}
    declared = {i.name for i in graph.input}
    light.graph.name = graph.name
    light.graph.node.extend(graph.node)
    light.graph.input.extend(graph.input)
    light.graph.output.extend(graph.output)
    light.graph.value_info.extend(graph.value_info)
    light.graph.initializer.extend(t for t in graph.initializer if t.name not in large_names)
    added = [t for t in large if t.name not in declared]
    light.graph.input.extend(
        helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in added
    )
    return light, large, {t.name for t in added}


def _with_initializers(
    model: onnx.ModelProto, large: list[onnx.TensorProto], added: set[str]
) -> onnx.ModelProto:
    """Undo `_without_large_initializers` on (a converted) `model`."""
    if not large:
        return model
    inputs = [i for i in model.graph.input if i.name not in added]
    del model.graph.input[:]
    model.graph.input.extend(inputs)
    model.graph.initializer.extend(large)
    return model


def _spell_out_function_defaults(graph: onnx.GraphProto, opset: int) -> None:
    """Give nodes the defaulted attributes that their operator's function body refers to.

    ONNX's shape inference expands such an operator (MeanVarianceNormalization)
    into its function body, which fails on a referenced attribute left to its default.
    """
    for node in graph.node:
        if node.domain not in ("", "ai.onnx") or not onnx.defs.has(node.op_type):
            continue
        schema = onnx.defs.get_schema(node.op_type, opset)
        if not schema.has_function:  # pyright: ignore[reportAttributeAccessIssue]  (missing from onnx's stubs)
            continue
        referred = {a.ref_attr_name for n in schema.function_body.node for a in n.attribute}
        given = {a.name for a in node.attribute}
        for name in sorted(referred - given - {""}):
            default = schema.attributes[name].default_value
            if default.name:
                node.attribute.append(default)


def _name_skipped_outputs(graph: onnx.GraphProto) -> set[str]:
    """Name the absent optional outputs that precede a present one; return the names.

    A `dfg` op lists its results in order, so it cannot skip one in the middle
    (LayerNormalization's `Mean` when only `InvStdDev` is used); the skipped
    output gets a name, and so a type, and becomes an unused result.
    """
    named: set[str] = set()
    taken = {o for n in graph.node for o in n.output} | {i.name for i in graph.input}
    for node in graph.node:
        last = max((i for i, o in enumerate(node.output) if o), default=-1)
        for index in range(last):
            if not node.output[index]:
                name = f"{node_label(node)}__unused_{index}"
                while name in taken:
                    name += "_"
                taken.add(name)
                node.output[index] = name
                named.add(name)
    return named


# Shapes.


def _fix_input_shapes(
    model: onnx.ModelProto,
    input_shapes: dict[str, Sequence[int]],
    where: str,
    note: Callable[[str], None],
    dynamic_dims: bool,
) -> None:
    initializers = {t.name for t in model.graph.initializer}
    graph_inputs = {i.name: i for i in model.graph.input if i.name not in initializers}
    for name in input_shapes:
        if name not in graph_inputs:
            known = ", ".join(f"'{n}'" for n in graph_inputs) or "none"
            raise RamielError(
                f"--input-shape names no graph input '{name}' (inputs: {known})", where
            )
    for value in graph_inputs.values():
        tensor = value.type.tensor_type
        dims = tensor.shape.dim
        if value.name in input_shapes:
            shape = list(input_shapes[value.name])
            if len(shape) != len(dims) and tensor.HasField("shape"):
                raise RamielError(
                    f"--input-shape gives {len(shape)} dimensions for input '{value.name}' "
                    f"of rank {len(dims)}",
                    where,
                )
            for index, (dim, size) in enumerate(zip(dims, shape, strict=False)):
                if dim.HasField("dim_value") and dim.dim_value != size:
                    raise RamielError(
                        f"--input-shape gives size {size} to dimension {index} of input "
                        f"'{value.name}', which is {dim.dim_value}",
                        where,
                    )
            tensor.shape.ClearField("dim")
            for d in shape:
                tensor.shape.dim.add().dim_value = d
            continue
        for index, dim in enumerate(dims):
            if dim.HasField("dim_value") or dynamic_dims:
                continue  # a static size (0 is a real, empty dimension), or one that stays symbolic
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


def _infer_types(
    model: onnx.ModelProto, where: str
) -> tuple[dict[str, onnx.TypeProto], dict[str, np.ndarray]]:
    """The type of every tensor of `model`, from ONNX shape inference, and the values
    of the small tensors evaluated on the way.

    ONNX's data propagation follows shape arithmetic only through some operators
    (not `Div`, for one), so exporters' `Shape -> Gather -> Add -> Div -> Slice`
    chains can leave shapes unknown. When they do, the tensors that only depend
    on constants and on now-static shapes are evaluated (they are small) and
    inference runs again with their values, until every shape is static or
    nothing more can be evaluated. The graph itself is not changed: folding is
    left to the passes.
    """
    light, _, _ = _without_large_initializers(model)
    evaluated: dict[str, np.ndarray] = {}
    types: dict[str, onnx.TypeProto] = {}
    for _ in range(_MAX_INFERENCE_ROUNDS):
        types = _inferred_types(light, where)
        if _all_static(light.graph, types):
            break
        values = _evaluate_constant_tensors(light, types)
        if not values:
            break
        evaluated.update(values)
        light = _with_values(light, values)
    for name, value in evaluated.items():
        types[name] = helper.make_tensor_type_proto(
            helper.np_dtype_to_tensor_dtype(value.dtype), list(value.shape)
        )
    return types, evaluated


_MAX_INFERENCE_ROUNDS = 8

_SIZE_PRESERVING = frozenset(
    ("Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Add", "Sub", "Mul", "Div", "Mod",
     "Pow", "Neg", "Abs", "Equal", "Less", "Greater", "Where", "Max", "Min", "Sum", "Cast",
     "Reshape", "Identity", "Flatten", "Transpose", "Sqrt", "Reciprocal", "Clip")
)  # fmt: skip
"""Operators whose output is no larger than the broadcast of their inputs, so that
evaluating them on small inputs of known shapes is cheap whatever shape inference says."""


def _inferred_types(model: onnx.ModelProto, where: str) -> dict[str, onnx.TypeProto]:
    _check_inferred_sizes(model, where)
    try:
        inferred = shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    except Exception as e:  # onnx raises InferenceError, ValidationError, RuntimeError
        # Data propagation fails on some function bodies (the expanded Attention) that
        # plain inference types; the values it would fold come from evaluation anyway.
        try:
            inferred = shape_inference.infer_shapes(model, strict_mode=True, data_prop=False)
        except Exception:
            detail = " ".join(str(e).split())
            raise RamielError(f"shape inference failed: {detail}", where) from None
    graphs = [inferred.graph, *(g for n in all_nodes(inferred.graph) for g in subgraphs(n))]
    return {v.name: v.type for g in graphs for v in (*g.value_info, *g.input, *g.output)}


def _check_inferred_sizes(model: onnx.ModelProto, where: str) -> None:
    """Refuse a node to which ONNX's shape inference gives a negative size, before it runs on the model.

    Conv and pooling inference give a negative size to a kernel larger than its
    padded input, and Slice's inference then fails a C++ assertion (`std::clamp`)
    that aborts the process. Inferring node by node, in order, with the small
    constants as values, finds the negative size first. A node this cannot type
    is left to the inference of the whole model, which reports it.
    """
    graph = model.graph
    opset = _default_opset(model) or NORMALISED_OPSET
    types: dict[str, onnx.TypeProto] = {v.name: v.type for v in graph.input}
    values = {t.name: t for t in graph.initializer}
    for tensor in graph.initializer:
        types[tensor.name] = helper.make_tensor_type_proto(tensor.data_type, list(tensor.dims))
    for node in graph.node:
        if node.op_type == "Constant":
            value = next((a.t for a in node.attribute if a.name == "value"), None)
            if value is not None and element_count(value.dims) <= _INFERENCE_DATA_LIMIT:
                values[node.output[0]] = value
        try:
            schema = onnx.defs.get_schema(node.op_type, opset, node.domain)
            known = {name: types[name] for name in node.input if name in types}
            data = {name: values[name] for name in node.input if name in values}
            inferred = shape_inference.infer_node_outputs(schema, node, known, data)
        except Exception:  # onnx raises SchemaError, InferenceError, RuntimeError
            continue
        for name, proto in inferred.items():
            for index, dim in enumerate(proto.tensor_type.shape.dim):
                if dim.HasField("dim_value") and dim.dim_value < 0:
                    raise RamielError(
                        f"{node.op_type} gives output '{name}' the negative size "
                        f"{dim.dim_value} in dimension {index}",
                        node_where(where, node),
                    )
        types.update(inferred)


def _static_shape(types: Mapping[str, onnx.TypeProto], name: str) -> list[int] | None:
    proto = types.get(name)
    if proto is None or not proto.HasField("tensor_type"):
        return None
    tensor = proto.tensor_type
    if not tensor.HasField("shape") or not all(d.HasField("dim_value") for d in tensor.shape.dim):
        return None
    return [d.dim_value for d in tensor.shape.dim]


def _all_static(graph: onnx.GraphProto, types: Mapping[str, onnx.TypeProto]) -> bool:
    return all(
        _static_shape(types, name) is not None for node in graph.node for name in node.output if name
    )


def _evaluate_constant_tensors(
    model: onnx.ModelProto, types: Mapping[str, onnx.TypeProto]
) -> dict[str, np.ndarray]:
    """Values of the small node outputs that depend only on constants and static shapes."""
    graph = model.graph
    small = {t.name: t for t in graph.initializer if element_count(t.dims) <= _INFERENCE_DATA_LIMIT}
    available = set(small)
    nodes: list[onnx.NodeProto] = []
    for node in graph.node:
        inputs = [i for i in node.input if i]
        if node.op_type == "Shape":
            shape = _static_shape(types, node.input[0])
            if shape is None:
                continue
            start = _attribute(node, "start")
            end = _attribute(node, "end")
            dims = shape[(start.i if start else 0) : (end.i if end else len(shape))]
            value = numpy_helper.from_array(np.array(dims, np.int64))
            nodes.append(helper.make_node("Constant", [], [node.output[0]], value=value))
        elif node.op_type == "Constant" or (
            not subgraphs(node)
            and all(i in available for i in inputs)
            and all(_is_small(types, o, node, small) for o in node.output if o)
        ):
            nodes.append(node)
        else:
            continue
        available.update(o for o in node.output if o)
    outputs = [o for n in nodes for o in n.output if o and o not in small]
    if not outputs:
        return {}
    used = {i for n in nodes for i in n.input}
    subgraph = helper.make_graph(
        nodes,
        "constants",
        [],
        [helper.make_empty_tensor_value_info(o) for o in outputs],
        [t for name, t in small.items() if name in used],
    )
    evaluator_model = helper.make_model(subgraph, opset_imports=list(model.opset_import))
    try:
        from onnx.reference import ReferenceEvaluator

        results = ReferenceEvaluator(evaluator_model).run(None, {})
    except Exception:  # leave the shapes unknown; the import reports them
        return {}
    return {
        name: np.asarray(value)
        for name, value in zip(outputs, results, strict=True)
        if np.asarray(value).size <= _INFERENCE_DATA_LIMIT
    }


def _is_small(
    types: Mapping[str, onnx.TypeProto], name: str, node: onnx.NodeProto, small: Iterable[str]
) -> bool:
    """Whether output `name` of `node`, whose inputs are all small tensors, is small too.

    An output of unknown shape is when its operator preserves size and no input's
    shape is unknown: otherwise a chain of broadcasts could grow it without bound.
    """
    shape = _static_shape(types, name)
    if shape is None:
        return node.op_type in _SIZE_PRESERVING and all(
            i in small or _static_shape(types, i) is not None for i in node.input if i
        )
    return element_count(shape) <= _INFERENCE_DATA_LIMIT


def _with_values(model: onnx.ModelProto, values: Mapping[str, np.ndarray]) -> onnx.ModelProto:
    """A copy of (a light) `model` where the nodes computing `values` are initializers."""
    result = onnx.ModelProto()
    result.CopyFrom(model)
    nodes = [n for n in result.graph.node if not all(o in values for o in n.output if o)]
    del result.graph.node[:]
    result.graph.node.extend(nodes)
    # An exporter's value_info for a value now constant may be symbolic where the
    # value is not; shape inference would refuse the two as a conflict.
    kept = [v for v in result.graph.value_info if v.name not in values]
    del result.graph.value_info[:]
    result.graph.value_info.extend(kept)
    result.graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in values.items())
    return result


# Building the module.


def _value_type(
    proto: onnx.TypeProto, name: str, what: str, where: str, unknown_dims: bool
) -> TensorType | SequenceType | OptionalType:
    """The type of value `name` from its ONNX type: a tensor, a sequence (whose tensors may
    have no known rank) or an optional one of them; see `_Importer._tensor_type`."""
    if proto.HasField("optional_type"):
        held = _value_type(proto.optional_type.elem_type, name, what, where, unknown_dims)
        if isinstance(held, OptionalType):
            raise RamielError(f"{what} '{name}' is an optional optional", where)
        return OptionalType(held)
    if proto.HasField("sequence_type"):
        element = proto.sequence_type.elem_type.tensor_type
        if element.HasField("shape"):
            return SequenceType(_tensor_of(element, name, what, where, True))
        try:
            return SequenceType(UnrankedTensorType(element_type_of_onnx(element.elem_type)))
        except UnsupportedType as e:
            raise RamielError(f"{e} of {what} '{name}'", where) from None
    if not proto.HasField("tensor_type"):
        raise RamielError(f"no type known for {what} '{name}'", where)
    return _tensor_of(proto.tensor_type, name, what, where, unknown_dims)


def _tensor_of(tensor: onnx.TypeProto.Tensor, name: str, what: str, where: str, unknown_dims: bool) -> TensorType:
    """The type of tensor `name` (`what` says which kind of value) from its ONNX type; see `_Importer._tensor_type`."""
    try:
        element = element_type_of_onnx(tensor.elem_type)
    except UnsupportedType as e:
        raise RamielError(f"{e} of {what} '{name}'", where) from None
    if not tensor.HasField("shape") or (
        not unknown_dims and any(not d.HasField("dim_value") for d in tensor.shape.dim)
    ):
        raise RamielError(
            f"cannot infer a static shape for {what} '{name}'; fix the input shapes "
            "with --input-shape",
            where,
        )
    return tensor_type([d.dim_value if d.HasField("dim_value") else UNKNOWN for d in tensor.shape.dim], element)


class _Importer:
    """Builds the `dfg` function of one normalised ONNX graph."""

    def __init__(
        self,
        model: onnx.ModelProto,
        types: dict[str, onnx.TypeProto],
        evaluated: Mapping[str, np.ndarray],
        skipped: set[str],
        opset: int,
        where: str,
        dynamic_dims: bool = False,
    ) -> None:
        self.graph = model.graph
        self.dynamic_dims = dynamic_dims
        """Whether a graph input may have dimensions of unknown size."""
        self.opset_import = list(model.opset_import)
        self.types = types
        self.evaluated = evaluated
        """The values of the small tensors evaluated for shape inference."""
        self.skipped = skipped
        """The names given to the optional outputs the model skips (`_name_skipped_outputs`)."""
        self.opset = opset
        self.where = where
        self.values: dict[str, SSAValue] = {}
        self.added: set[str] = set()
        """The names of the tensors the importer adds (see `_fresh_name`)."""

    def module(self) -> ModuleOp:
        initializers = {t.name for t in self.graph.initializer}
        inputs = [i for i in self.graph.input if i.name not in initializers]
        optional = next((i.name for i in inputs if i.type.HasField("optional_type")), None)
        if optional is not None:  # the generated Model takes tensors and lists of them
            raise RamielError(f"graph input '{optional}' is optional, which Ramiel does not take", self.where)
        arg_types = [self._tensor_type(i.name, "graph input", self.where, self.dynamic_dims) for i in inputs]
        block = Block(arg_types=arg_types)
        for arg, value in zip(block.args, inputs, strict=True):
            arg.name_hint = sanitize_identifier(value.name)
            self.values[value.name] = arg
        for tensor in self.graph.initializer:
            self._add_constant(block, tensor.name, _array(tensor, self.where), self.where)
        defined = set(self.values)
        for node in _topological_nodes(self.graph.node, defined, self.where):
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
            raise RamielError(f"the model is inconsistent: {e}", self._where_fails(module)) from None
        return module

    def _where_fails(self, module: ModuleOp) -> str:
        """The `where` of an error about the first op of `module` that fails verification."""
        for op in module.walk():
            try:
                op.verify(verify_nested_ops=False)
            except VerifyException:
                return self.where if isinstance(op, ModuleOp | func.FuncOp) else f"{self.where}, node '{op_label(op)}'"
        return self.where

    def _tensor_type(self, name: str, what: str, where: str, unknown_dims: bool = True) -> TensorType | SequenceType | OptionalType:
        """The type of tensor (sequence, optional) `name`: a dimension that shape inference
        leaves open is one whose size the values decide (`?`), which only a graph input may
        not have (`unknown_dims`)."""
        proto = self.types.get(name)
        if proto is None:
            raise RamielError(f"no type known for {what} '{name}'", where)
        return _value_type(proto, name, what, where, unknown_dims)

    def _add_constant(self, block: Block, name: str, array: np.ndarray, where: str) -> None:
        try:
            op = ConstantOp.of_array(array, name)
        except UnsupportedType as e:
            raise RamielError(f"{e} of tensor '{name}'", where) from None
        op.output.name_hint = sanitize_identifier(name)
        block.add_op(op)
        self.values[name] = op.output

    def _add_node(self, block: Block, node: onnx.NodeProto) -> None:
        label = node_label(node)
        where = node_where(self.where, node)
        if node.op_type == "Constant":
            self._add_constant(block, node.output[0], _constant_value(node, where), where)
            return
        control_flow = {"If": self._add_if, "Loop": self._add_loop, "Scan": self._add_scan}
        if node.op_type in control_flow:
            control_flow[node.op_type](block, node, where)
            return
        op_class = OPS.get(node.op_type)
        if op_class is None or node.domain not in ("", "ai.onnx"):
            raise RamielError(f"unsupported operator {node.op_type} at opset {self.opset}", where)
        properties: dict[str, Attribute] = {}
        for attr in node.attribute:
            if attr.name not in op_class.ONNX_SCHEMA.attributes:
                raise RamielError(f"unsupported attribute '{attr.name}' of {node.op_type}", where)
            if attr.type == onnx.AttributeProto.TYPE_PROTO:
                continue  # Optional's `type`, which its result type holds
            try:
                properties[attr.name] = attribute_of_onnx(attr)
            except UnsupportedType as e:
                raise RamielError(str(e), where) from None
        inputs = [self.values[name] if name else None for name in node.input]
        outputs = list(node.output)
        while outputs and not outputs[-1]:
            outputs.pop()
        self._type_outputs(node)
        operand_types = [None if v is None else cast(TensorType, v.type) for v in inputs]
        result_types: list[Attribute | None] = []
        for index, name in enumerate(outputs):
            skipped = None
            if name in self.skipped and _static_shape(self.types, name) is None:
                skipped = op_class.skipped_output_type(index, operand_types, properties)
            result_types.append(skipped or (self._tensor_type(name, "tensor", where) if name else None))
        try:
            op = op_class.build(inputs, result_types, properties)
        except VerifyException as e:
            raise RamielError(f"malformed {node.op_type}: {e}", where) from None
        op.location = NameLoc(StringAttr(label), NoneAttr())
        block.add_op(op)
        # output_values() also lists absent trailing optional outputs.
        for name, result in zip(outputs, op.output_values(), strict=False):
            if name and result is not None:
                result.name_hint = sanitize_identifier(name)
                self.values[name] = result


    def _add_if(self, block: Block, node: onnx.NodeProto, where: str) -> None:
        """An If node: its branches become regions that capture the non-constant values they read."""
        then_graph, else_graph = _graph_attribute(node, "then_branch", where), _graph_attribute(node, "else_branch", where)
        self._type_outputs(node)
        captured = self._captured([then_graph, else_graph])
        args = [(n, self.values[n].type) for n in captured]
        regions = [self._region(g, args, [o.name for o in g.output], where) for g in (then_graph, else_graph)]
        result_types = [self._tensor_type(name, "tensor", where) for name in node.output]
        op = IfOp(
            self.values[node.input[0]], [self.values[n] for n in captured], result_types, *regions
        )
        self._add_control_flow(block, node, op)

    def _add_loop(self, block: Block, node: onnx.NodeProto, where: str) -> None:
        """A Loop node: its body becomes a region whose arguments are the iteration number,
        the condition (left out when it cannot fail), the carried values and the captured ones."""
        body = _graph_attribute(node, "body", where)
        trips_name, cond_name, *inits = [*node.input, "", ""][: max(2, len(node.input))]
        if len(body.input) != 2 + len(inits) or len(body.output) < 1 + len(inits):
            raise RamielError(
                f"the Loop body must take 2 + {len(inits)} inputs (iteration, condition, carried "
                f"values) and give at least 1 + {len(inits)} outputs",
                where,
            )
        iteration, cond_in = body.input[0].name, body.input[1].name
        stops = bool(cond_name) and not self._always_true(cond_name, body, cond_in)
        if not trips_name and not stops:
            raise RamielError("a Loop without trip count or a condition that can fail never ends", where)
        captured = self._captured([body])
        init_types = [self.values[n].type for n in inits]
        iteration_type = self._scalar_type(body.input[0], IntegerType(64))
        carried_names = [i.name for i in body.input[2:]]
        cond_type = self.values[cond_name].type if cond_name else TensorType(i1, [])
        body_inputs = [(iteration, iteration_type), (cond_in, cond_type), *zip(carried_names, init_types, strict=True)]
        if any(_static_shape(self.types, o) is None for node in all_nodes(body) for o in node.output if o):
            self._infer_locally(body, body_inputs)
        args: list[tuple[str, Attribute]] = [(iteration, iteration_type)]
        if stops:
            args.append((cond_in, cond_type))
        outputs = [o.name for o in body.output[0 if stops else 1 :]]
        fixed = {} if stops else {cond_in: np.array(True)}
        # A carried value may change its type between iterations (a sequence gains tensors
        # of another shape): the body then takes what every iteration gives, their join.
        def imported(types: Sequence[Attribute]) -> tuple[Region, list[Attribute]]:
            """The body's region with the carried values of `types`, and the types it yields."""
            inner = [*args, *zip(carried_names, types, strict=True), *((n, self.values[n].type) for n in captured)]
            region = self._region(body, inner, outputs, where, fixed)
            return region, [v.type for v in cast(YieldOp, region.block.last_op).values]

        carried_types: list[Attribute] = init_types
        region, yielded = imported(carried_types)
        carried = yielded[int(stops) : int(stops) + len(inits)]
        joined = [join(before, after) or before for before, after in zip(carried_types, carried, strict=True)]
        if joined != carried_types:
            carried_types = joined
            region, yielded = imported(carried_types)
            carried = yielded[int(stops) : int(stops) + len(inits)]
        for value, before, after in zip(body.input[2:], carried_types, carried, strict=True):
            if not refines(after, before):
                raise RamielError(
                    f"loop-carried value '{value.name}' changes from {before} to {after} between "
                    "iterations; tensor shapes must be static",
                    where,
                )
        trips = self.values[trips_name] if trips_name else None
        known = None if stops or trips is None else self._constant(trips_name)
        scans = [
            self._scan_type(name, cast(TensorType, t), None if known is None else int(known.reshape(-1)[0]))
            for name, t in zip(node.output[len(inits) :], yielded[int(stops) + len(inits) :], strict=True)
        ]  # fmt: skip
        op = LoopOp(
            trips,
            self.values[cond_name] if stops else None,
            [self.values[n] for n in inits],
            [self.values[n] for n in captured],
            [*carried_types, *scans],
            region,
        )
        self._add_control_flow(block, node, op)

    def _add_scan(self, block: Block, node: onnx.NodeProto, where: str) -> None:
        """A Scan node, as the Loop it amounts to: the body takes slice i of each scan input
        (Gather at the iteration number, or counted from the end), and the stacked scan
        outputs are reversed and moved to their axes where the attributes say so."""
        body = _graph_attribute(node, "body", where)
        scanned = _int_attribute(node, "num_scan_inputs", 0)
        states = list(node.input[: len(node.input) - scanned])
        inputs = list(node.input[len(states) :])
        outputs = len(body.output) - len(states)
        if scanned < 1 or len(body.input) != len(node.input) or outputs < 0:
            raise RamielError("the Scan body must take each state and one slice of each scan input", where)
        ranks = [len(cast(TensorType, self.values[n].type).get_shape()) for n in inputs]
        in_axes = _axes(node, "scan_input_axes", ranks, where)
        in_reversed = _ints(node, "scan_input_directions", scanned, where)
        out_reversed = _ints(node, "scan_output_directions", outputs, where)
        lengths = {cast(TensorType, self.values[n].type).get_shape()[a] for n, a in zip(inputs, in_axes, strict=True)}
        if UNKNOWN in lengths:  # the Loop it becomes counts its trips at compile time
            raise RamielError("unsupported Scan over an axis whose length only the values decide", where)
        if len(lengths) != 1:
            raise RamielError(f"the scan inputs have different lengths {sorted(lengths)}", where)
        length = lengths.pop()
        # The Loop's own inputs: a constant trip count, no condition, the states.
        trips, step, cond, last = map(self._fresh_name, ("trips", "step", "cond", "last"))
        self._add_constant(block, trips, np.array(length, np.int64), where)
        int64 = helper.make_tensor_type_proto(onnx.TensorProto.INT64, [])
        nodes: list[onnx.NodeProto] = []
        for name, axis, backwards, slice_ in zip(inputs, in_axes, in_reversed, body.input[len(states) :], strict=True):
            index = step
            if backwards:
                index = self._fresh_name("backwards")
                self.types[index] = int64
                nodes.append(helper.make_node("Sub", [last, step], [index]))
            nodes.append(helper.make_node("Gather", [name, index], [slice_.name], axis=axis))
        loop_body = helper.make_graph(
            [*nodes, *body.node],
            body.name,
            [helper.make_tensor_value_info(step, onnx.TensorProto.INT64, []),
             helper.make_tensor_value_info(cond, onnx.TensorProto.BOOL, []),
             *body.input[: len(states)]],
            [helper.make_tensor_value_info(cond, onnx.TensorProto.BOOL, []), *body.output],
            [*body.initializer, numpy_helper.from_array(np.array(length - 1, np.int64), last)],
        )  # fmt: skip
        # The Loop stacks each scan output along axis 0, in iteration order.
        stacked = [self._fresh_name("stacked") for _ in range(outputs)]
        loop = helper.make_node("Loop", [trips, "", *states], [*node.output[: len(states)], *stacked], node.name, body=loop_body)
        self._add_loop(block, loop, where)
        types = [cast(TensorType, self.values[v].type) for v in stacked]
        out_axes = _axes(node, "scan_output_axes", [len(t.get_shape()) for t in types], where)
        for name, value, t, axis, backwards in zip(node.output[len(states) :], stacked, types, out_axes, out_reversed, strict=True):
            proto = type_proto(t)
            if backwards:
                flipped, order = self._fresh_name("flipped"), self._fresh_name("backwards")
                self.types[flipped] = proto
                self._add_constant(block, order, np.arange(length - 1, -1, -1, dtype=np.int64), where)
                self._add_node(block, helper.make_node("Gather", [value, order], [flipped], axis=0))
                value = flipped
            if axis:
                shape = list(t.get_shape())
                perm = [*range(1, axis + 1), 0, *range(axis + 1, len(shape))]
                self.types[name] = type_proto(TensorType(t.get_element_type(), [shape[p] for p in perm]))
                self._add_node(block, helper.make_node("Transpose", [value], [name], perm=perm))
            else:
                self.values[name] = self.values[value]
                self.values[name].name_hint = sanitize_identifier(name)

    def _type_outputs(self, node: onnx.NodeProto) -> None:
        """Type the outputs of `node` by inferring it alone where the whole model's inference
        could not (it follows a loop, whose outputs only the import types)."""
        outputs = [o for o in node.output if o]
        if any(_static_shape(self.types, o) is None for o in outputs):
            graph = helper.make_graph([node], node.name, [], [helper.make_empty_tensor_value_info(o) for o in outputs])
            self._infer_locally(graph)

    def _infer_locally(self, graph: onnx.GraphProto, inputs: Sequence[tuple[str, Attribute]] = ()) -> None:
        """Type the values of `graph` that shape inference of the whole model left unknown,
        by inferring `graph` alone: its `inputs` typed as given, and what it reads from the
        enclosing graph typed as imported (valued, where that is a small constant, so that
        shape arithmetic propagates).

        A loop body declares its inputs loosely or not at all (the function bodies of Range
        and LinearAttention do), and what follows a loop is then unknown too.
        """
        constants: list[onnx.TensorProto] = []
        typed = list(inputs)
        declared = {i.name for i in graph.input}
        for name in (n for n in _free_names(graph) if n not in declared):
            value = self._constant(name)
            if value is not None and value.size <= _INFERENCE_DATA_LIMIT:
                constants.append(numpy_helper.from_array(np.asarray(value), name))
            else:
                typed.append((name, self.values[name].type))
        alone = helper.make_graph(
            graph.node,
            graph.name or "local",
            [helper.make_value_info(n, type_proto(t)) for n, t in typed],
            list(graph.output),
            [*graph.initializer, *constants],
        )  # fmt: skip
        model = helper.make_model(alone, opset_imports=self.opset_import)
        model.ir_version = onnx.IR_VERSION
        try:
            inferred = shape_inference.infer_shapes(model, data_prop=True)
        except Exception:  # onnx raises InferenceError and others; the import names what stays unknown
            return
        graphs = [inferred.graph, *(g for n in all_nodes(inferred.graph) for g in subgraphs(n))]
        for value in (v for g in graphs for v in (*g.value_info, *g.output)):
            known = _static_shape({value.name: value.type}, value.name) is not None
            if known and _static_shape(self.types, value.name) is None:
                self.types[value.name] = value.type

    def _constant(self, name: str) -> np.ndarray | None:
        """The value of tensor `name` when it is a constant or was evaluated for shape inference."""
        value = constant_array(self.values[name])
        return self.evaluated.get(name) if value is None else value

    def _captured(self, graphs: Sequence[onnx.GraphProto]) -> list[str]:
        """The non-constant values of the enclosing graph that `graphs` read, in order of first use."""
        read = dict.fromkeys(name for g in graphs for name in _free_names(g))
        return [n for n in read if not isinstance(self.values[n].owner, ConstantOp)]

    def _always_true(self, cond: str, body: onnx.GraphProto, cond_in: str) -> bool:
        """Whether a Loop's condition starts true and its body gives it back unchanged (or true)."""
        start = self._constant(cond)
        if start is None or not start.all():
            return False
        producers = {o: n for n in body.node for o in n.output}
        name = body.output[0].name
        while name in producers and producers[name].op_type == "Identity":
            name = producers[name].input[0]
        if name == cond_in:
            return True
        values = {t.name: t for t in body.initializer}
        if name in values:
            return bool(numpy_helper.to_array(values[name]).all())
        if name in producers and producers[name].op_type == "Constant":
            return bool(np.asarray(_constant_value(producers[name], self.where)).all())
        outer = constant_array(self.values[name]) if name in self.values else None
        return outer is not None and bool(outer.all())

    def _scalar_type(self, value: onnx.ValueInfoProto, element: Attribute) -> TensorType:
        """The declared type of a body's iteration number or condition, a scalar if undeclared."""
        declared = value.type.tensor_type
        if declared.HasField("shape") and all(d.HasField("dim_value") for d in declared.shape.dim):
            return TensorType(element, [d.dim_value for d in declared.shape.dim])
        return TensorType(element, [])

    def _scan_type(self, name: str, part: TensorType, trips: int | None) -> TensorType:
        """The type of a Loop's scan output `name`, which stacks `part`s: as inferred, or from a
        known trip count, else of a length that the values decide."""
        proto = self.types.get(name)
        shape = proto.tensor_type.shape if proto is not None and proto.HasField("tensor_type") else None
        if shape is not None and shape.dim and all(d.HasField("dim_value") for d in shape.dim):
            return TensorType(part.get_element_type(), [shape.dim[0].dim_value, *part.get_shape()])
        return TensorType(part.get_element_type(), [UNKNOWN if trips is None else trips, *part.get_shape()])

    def _fresh_name(self, role: str) -> str:
        """A name for a tensor the importer adds, which no tensor of the model has."""
        name, count = role, 0
        while name in self.types or name in self.values or name in self.added:
            count += 1
            name = f"{role}/{count}"
        self.added.add(name)
        return name

    def _add_control_flow(self, block: Block, node: onnx.NodeProto, op: IfOp | LoopOp) -> None:
        op.location = NameLoc(StringAttr(node_label(node)), NoneAttr())
        block.add_op(op)
        for name, result in zip(node.output, op.results, strict=True):
            result.name_hint = sanitize_identifier(name)
            self.values[name] = result

    def _region(
        self,
        graph: onnx.GraphProto,
        args: Sequence[tuple[str, Attribute]],
        outputs: Sequence[str],
        where: str,
        fixed: Mapping[str, np.ndarray] | None = None,
    ) -> Region:
        """The region of a subgraph: its block's arguments are the values `args` names,
        constants stand for the values `fixed` gives, and it yields `outputs`."""
        block = Block(arg_types=[t for _, t in args])
        outer = self.values
        self.values = dict(outer)
        for (name, _), arg in zip(args, block.args, strict=True):
            arg.name_hint = sanitize_identifier(name)
            self.values[name] = arg
        for name, array in (fixed or {}).items():
            self._add_constant(block, name, array, where)
        for tensor in graph.initializer:
            self._add_constant(block, tensor.name, _array(tensor, where), where)
        for node in _topological_nodes(graph.node, set(self.values), where):
            self._add_node(block, node)
        missing = next((o for o in outputs if o not in self.values), None)
        if missing is not None:
            raise RamielError(f"subgraph output '{missing}' is never computed", where)
        block.add_op(YieldOp([self.values[o] for o in outputs]))
        self.values = outer
        return Region(block)


def _graph_attribute(node: onnx.NodeProto, name: str, where: str) -> onnx.GraphProto:
    attr = _attribute(node, name)
    if attr is None or attr.type != onnx.AttributeProto.GRAPH:
        raise RamielError(f"{node.op_type} needs the graph attribute '{name}'", where)
    return attr.g


def _int_attribute(node: onnx.NodeProto, name: str, default: int) -> int:
    attr = _attribute(node, name)
    return default if attr is None else attr.i


def _ints(node: onnx.NodeProto, name: str, count: int, where: str) -> list[int]:
    """The `count` integers of attribute `name` (zeros when it is absent)."""
    attr = _attribute(node, name)
    values = [0] * count if attr is None else list(attr.ints)
    if len(values) != count:
        raise RamielError(f"{node.op_type} attribute '{name}' needs {count} values, got {len(values)}", where)
    return values


def _axes(node: onnx.NodeProto, name: str, ranks: Sequence[int], where: str) -> list[int]:
    """The axes of attribute `name`, one per rank in `ranks`, made non-negative."""
    axes = _ints(node, name, len(ranks), where)
    for axis, rank in zip(axes, ranks, strict=True):
        if not -rank <= axis < rank:
            raise RamielError(f"{node.op_type} attribute '{name}' has axis {axis} out of range for rank {rank}", where)
    return [a % r for a, r in zip(axes, ranks, strict=True)]


def _names(values: Sequence[onnx.ValueInfoProto]) -> ArrayAttr[DictionaryAttr]:
    return ArrayAttr([DictionaryAttr({NAME_ATTR: StringAttr(v.name)}) for v in values])


def _array(tensor: onnx.TensorProto, where: str) -> np.ndarray:
    try:
        element_type_of_onnx(tensor.data_type)
    except UnsupportedType as e:
        raise RamielError(f"{e} of tensor '{tensor.name}'", where) from None
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
            return _array(attr.t, where)
        case "value_float":
            return np.array(attr.f, dtype=np.float32)
        case "value_floats":
            return np.array(list(attr.floats), dtype=np.float32)
        case "value_int":
            return np.array(attr.i, dtype=np.int64)
        case "value_ints":
            return np.array(list(attr.ints), dtype=np.int64)
        case "value_string" | "value_strings":
            raise RamielError(f"unsupported element type string of tensor '{node.output[0]}'", where)
        case _:
            raise RamielError(f"unsupported Constant attribute '{attr.name}'", where)


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
    "MIN_OPSET",
    "NAME_ATTR",
    "NORMALISED_OPSET",
    "import_bytes",
    "import_file",
    "import_model",
    "load_model",
    "load_model_bytes",
    "parse_input_shape",
]
