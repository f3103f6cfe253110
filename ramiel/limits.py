"""Limits on untrusted input, checked before the code they protect runs.

Two kinds of input can make the compiler hang or exhaust memory long before any
of its own checks sees a problem:

- IR text. xDSL 0.75's lexer matches a string literal with a backtracking regular
  expression, which takes time exponential in the length of a literal it cannot
  match (one without its closing quote, say); its parser recurses once per
  bracket and raises RecursionError on deep nesting; and it decodes the whole
  input as UTF-8 without a diagnostic. `check_ir_text` scans the text once, in
  linear time, and raises a `ParseError` (which prints as xDSL's diagnostics do:
  file:line:col, the source line, a caret, the message) for what would go wrong:

      in.mlir:1:32
      builtin.module attributes {a = "an unterminated string
                                     ^
                                     string literal not closed on its line

- ONNX models. A few bytes can declare a tensor of 2**33 elements: an initializer
  (whose data is read later), or a `ConstantOfShape`, `Range`, `Tile` or `Expand`
  of small constants. Import, shape inference, constant folding and the generated
  model's load then allocate it. `check_memory_budget` adds up, from declared
  sizes alone, what compiling and loading the model will hold, and raises a
  `RamielError` naming the largest tensor when that exceeds the budget
  (`DEFAULT_MEMORY_BUDGET`, changed with `--max-memory` on the command lines). It
  reads no weight data and evaluates only tiny tensors (shape arithmetic).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
from onnx import AttributeProto, TensorProto, helper, numpy_helper
from xdsl.utils.exceptions import ParseError
from xdsl.utils.lexer import Input, Span

from ramiel.errors import RamielError

# IR text.

DEFAULT_MAX_TEXT_BYTES = 512 << 20
"""The largest IR text parsed (512 MiB). IR text is for tests and debugging; weights
print as hex, two characters a byte, so this is the text of a 256 MB model."""

DEFAULT_MAX_NESTING = 50
"""The deepest bracket nesting parsed. xDSL's parser, printer and Ramiel's passes
survive 87 levels of nested dictionaries (the costliest bracket per level: about
11 frames), 98 levels of nested regions (196 brackets) and 121 nested arrays
under Python's default recursion limit; 50 leaves room for the caller's frames.
Ramiel's own IR nests less than 10 deep."""

_SHOWN = 200
"""The most characters of the offending line a diagnostic shows after its place."""

_STRING_BODY = r'[^"\\\n\v\f]*(?:\\(?:["nt\\]|[0-9A-Fa-f]{2})[^"\\\n\v\f]*)*'
"""What xDSL's lexer accepts between a string literal's quotes (`\\"`, `\\\\`, `\\n`,
`\\t` and two hex digits escaped; no newline, vertical tab or form feed), written
so that a failed match backtracks over each character once at most."""

_TOKENS = (
    r"//[^\n]*"  # a comment
    r'|"' + _STRING_BODY + r'"'  # a string literal
    + r'|(?P<quote>")'  # a string literal that does not end where it should
    r"|(?P<begin>\{-#)|(?P<end>#-\})"  # the resource section
    r"|->|>="  # an arrow and a comparison, not closing brackets
    r"|(?P<open>[(\[{<])|(?P<close>[)\]}>])"
)
_TOKENS_RE = re.compile(_TOKENS)
_STRING_BODY_RE = re.compile(_STRING_BODY)


def check_ir_text(
    text: str | bytes,
    name: str,
    line_offset: int = 0,
    *,
    max_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    max_nesting: int = DEFAULT_MAX_NESTING,
) -> str:
    """`text` (IR for xDSL's parser, bytes decoded as UTF-8) after checking it can be parsed safely.

    Raises a `ParseError` located in `name` (lines counted from `line_offset`, as
    for a chunk of a split input) for text longer than `max_bytes` (characters,
    for a `str`), invalid UTF-8, brackets nested deeper than `max_nesting`, a
    string literal that does not end on its line or holds an escape xDSL's lexer
    does not know, and a `{-#` resource section without its `#-}`. Takes time
    linear in the length of `text`.
    """
    if len(text) > max_bytes:
        unit = "bytes" if isinstance(text, bytes) else "characters"
        raise _diagnostic(
            text, name, line_offset, 0, 0,
            f"the input is {len(text)} {unit} long, more than the limit of {max_bytes}",
        )  # fmt: skip
    if isinstance(text, bytes):
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise _diagnostic(
                text, name, line_offset, e.start, e.end,
                f"invalid UTF-8 ({e.reason}: byte 0x{text[e.start]:02x})",
            ) from None  # fmt: skip
        text = decoded
    _scan(text, name, line_offset, max_nesting)
    return text


def _scan(text: str, name: str, line_offset: int, max_nesting: int) -> None:
    """Raise at the first nesting, string literal or resource section problem of `text`."""
    depth = 0
    section: int | None = None
    for token in _TOKENS_RE.finditer(text):
        kind = token.lastgroup
        if kind == "open":
            depth += 1
            if depth > max_nesting:
                raise _diagnostic(
                    text, name, line_offset, token.start(), token.end(),
                    f"brackets nested more than {max_nesting} deep",
                )  # fmt: skip
        elif kind == "close":
            depth = max(depth - 1, 0)  # an unbalanced closer is the parser's to report
        elif kind == "quote":
            raise _string_diagnostic(text, name, line_offset, token.start())
        elif kind == "begin":
            section = token.start()
        elif kind == "end":
            section = None
    if section is not None:
        raise _diagnostic(
            text, name, line_offset, section, section + 3,
            "resource section not closed: '{-#' without its '#-}'",
        )  # fmt: skip


def _string_diagnostic(text: str, name: str, line_offset: int, quote: int) -> ParseError:
    """Why the string literal opening at `quote` is not one xDSL's lexer can match."""
    body = _STRING_BODY_RE.match(text, quote + 1)
    stop = quote + 1 if body is None else body.end()
    if stop == len(text):
        return _diagnostic(
            text, name, line_offset, quote, stop,
            "string literal not closed before the end of the input",
        )  # fmt: skip
    char = text[stop]
    if char == "\n":
        return _diagnostic(
            text, name, line_offset, quote, stop, "string literal not closed on its line"
        )
    if char == "\\":
        return _diagnostic(
            text, name, line_offset, stop, stop + 2,
            "unknown escape in string literal (known: \\\" \\\\ \\n \\t and two hex digits)",
        )  # fmt: skip
    return _diagnostic(
        text, name, line_offset, stop, stop + 1,
        f"character {char!r} not allowed in a string literal",
    )  # fmt: skip


def _diagnostic(
    text: str | bytes, name: str, line_offset: int, start: int, end: int, message: str
) -> ParseError:
    """A parse error at `text[start:end]` that shows at most `_SHOWN` characters after `start`.

    Its input ends there, so that a huge line is not printed whole.
    """
    content: Any = text  # xDSL's inputs hold either
    cut = min(Input(content, name).get_end_of_line(start), start + _SHOWN)
    shown: Input[Any] = Input(content[:cut], name)
    return ParseError(Span(start, max(min(end, cut), start + 1), shown, line_offset), message)


# ONNX models.

DEFAULT_MEMORY_BUDGET = 2 << 30
"""The memory a compile may use by default for the model's tensors (2 GiB)."""

_SIZE = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]*)?)\s*(?P<unit>[KMGT]?)(?:i?B)?", re.IGNORECASE)


def parse_size(text: str) -> int:
    """A byte count written as a number with an optional unit: `4G`, `512MiB`, `1.5g`, `100000`.

    Units are powers of 1024 (K, M, G, T, with an optional `B` or `iB`). Raises
    ValueError for anything else, or for less than one byte.
    """
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"expected a size such as 4G or 512M, got {text!r}")
    size = int(float(match["number"]) * 1024 ** "_KMGT".index(match["unit"].upper() or "_"))
    if size < 1:
        raise ValueError(f"expected a size of at least one byte, got {text!r}")
    return size


def add_max_memory(parser: argparse.ArgumentParser) -> None:
    """Give a command that reads ONNX models the `--max-memory SIZE` option (`args.max_memory`, bytes)."""

    def size(text: str) -> int:
        try:
            return parse_size(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    parser.add_argument(
        "--max-memory", type=size, default=DEFAULT_MEMORY_BUDGET, metavar="SIZE",
        help="refuse a model whose tensors would take more than SIZE to compile and load, "
        f"before reading them (e.g. 4G; default: {DEFAULT_MEMORY_BUDGET >> 30}G)",
    )  # fmt: skip


COMPILE_COPIES = 3
"""Copies of each weight alive at once while compiling: the model's, the IR's, and the
one written to the weights file. (Compiling a model of one 256 MiB weight peaked at
2.4 times its size above the interpreter's own memory; printing it as IR text, at 2.2.)"""

_TINY = 64
"""Tensors up to this many elements have their values computed: shape arithmetic."""

_DEFAULT_ITEMSIZE = 4
"""Bytes per element of a tensor whose element type is not known (float32's)."""

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Allocation:
    """A tensor that compiling the model, or loading the generated model, holds in memory."""

    name: str
    nbytes: int
    node: onnx.NodeProto | None
    """The node computing it; None for one of the model's weights."""


@dataclass(frozen=True)
class MemoryEstimate:
    """What compiling a model and loading the generated model hold, at most, for its tensors."""

    total: int
    """Bytes: `COMPILE_COPIES` times the weights, plus every tensor computable from them."""
    largest: Allocation | None


def check_memory_budget(
    model: onnx.ModelProto,
    budget: int,
    where: str,
    types: Mapping[str, onnx.TypeProto] | None = None,
) -> None:
    """Raise a `RamielError` when compiling `model` (named `where`) would hold more than `budget`
    bytes, or when one tensor the generated model computes would alone take more.

    `types` are tensor types already known, from shape inference; see
    `estimate_memory` for what is counted.
    """
    estimate = estimate_memory(model, types)
    largest = estimate.largest
    _check_run_time_tensors(model, budget, where, types or {})
    if estimate.total <= budget or largest is None:
        return
    what = (
        f"compiling needs about {byte_size(estimate.total)} for the model's tensors, more "
        f"than the memory budget of {byte_size(budget)}; the largest is '{largest.name}' "
        f"({byte_size(largest.nbytes)}); raise the budget with --max-memory"
    )
    raise RamielError(what, where if largest.node is None else node_where(where, largest.node))


def _check_run_time_tensors(
    model: onnx.ModelProto, budget: int, where: str, types: Mapping[str, onnx.TypeProto]
) -> None:
    """Raise a `RamielError` when one tensor a node computes would alone exceed `budget` bytes.

    The generated model allocates it on every call; a window dilated past any
    input (ConvTranspose's output grows with its dilations) asks for terabytes.
    """
    sizes = {
        name: math.prod(d.dim_value for d in proto.tensor_type.shape.dim) * _itemsize(proto.tensor_type.elem_type)
        for name, proto in types.items()
        if proto.tensor_type.HasField("shape") and all(d.HasField("dim_value") for d in proto.tensor_type.shape.dim)
    }
    for node in all_nodes(model.graph):
        for name in node.output:
            if sizes.get(name, 0) > budget:
                raise RamielError(
                    f"tensor '{name}' would take {byte_size(sizes[name])} when the model runs, more "
                    f"than the memory budget of {byte_size(budget)}; raise the budget with --max-memory",
                    node_where(where, node),
                )


def estimate_memory(
    model: onnx.ModelProto, types: Mapping[str, onnx.TypeProto] | None = None
) -> MemoryEstimate:
    """What compiling `model` and loading the generated model hold for its tensors.

    Counted from declared sizes, without reading weight data (which may not be
    loaded yet): every tensor of the model (initializers and node attributes,
    in subgraphs too; external data at its declared length) `COMPILE_COPIES`
    times, and once each tensor of the main graph computable from constants and
    static shapes, which folding may compute and which, when it is a splat, the
    generated model expands as it loads. A shape comes from `types` (inferred),
    else from following the graph's shape arithmetic on tiny tensors, else from
    the model's declarations; a tensor whose shape stays unknown is not counted.
    """
    return _Estimator(model, types or {}).estimate()


def byte_size(count: int) -> str:
    """`count` bytes, in binary units, for people to read."""
    if count < 1024:
        return f"{count} bytes"
    value = float(count)
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB"):
        value /= 1024
        if value < 1024:
            return f"{value:.1f} {unit}"
    return f"{value / 1024:.3g} EiB"


def node_label(node: onnx.NodeProto) -> str:
    """How errors name `node`: its name, else its first output, else its operator."""
    return node.name or (node.output[0] if node.output else node.op_type)


def node_where(where: str, node: onnx.NodeProto) -> str:
    """The `where` of an error about `node` of the model `where`."""
    return f"{where}, node '{node_label(node)}'"


def subgraphs(node: onnx.NodeProto) -> list[onnx.GraphProto]:
    """The graphs of a node's attributes (an If's branches), in attribute order."""
    return [a.g for a in node.attribute if a.type == onnx.AttributeProto.GRAPH]


def all_nodes(graph: onnx.GraphProto) -> Iterator[onnx.NodeProto]:
    """The nodes of `graph` and of every subgraph in it, each node before its subgraphs'."""
    for node in graph.node:
        yield node
        for subgraph in subgraphs(node):
            yield from all_nodes(subgraph)


def model_tensors(model: onnx.ModelProto) -> Iterator[TensorProto]:
    """The tensors ONNX loads data for: initializers and node attributes, subgraphs' and
    functions' too."""
    graphs: list[onnx.GraphProto | onnx.FunctionProto] = [model.graph, *model.functions]
    while graphs:
        graph = graphs.pop()
        if isinstance(graph, onnx.GraphProto):
            yield from graph.initializer
        for node in graph.node:
            for attr in node.attribute:
                if attr.HasField("t"):
                    yield attr.t
                yield from attr.tensors
                if attr.HasField("g"):
                    graphs.append(attr.g)
                graphs.extend(attr.graphs)


def tensor_nbytes(tensor: TensorProto) -> int:
    """The bytes `tensor` holds once loaded: its declared size, or its external data's length."""
    nbytes = element_count(tensor.dims) * _itemsize(tensor.data_type)
    if tensor.data_location != TensorProto.EXTERNAL:
        return nbytes
    lengths = [e.value for e in tensor.external_data if e.key == "length"]
    try:
        return max(nbytes, int(lengths[-1]))  # ONNX reads the last length given
    except (IndexError, ValueError):  # none, or not a number: the loader refuses the latter
        return nbytes


def element_count(dims: Iterable[int]) -> int:
    """The elements of a tensor of declared dimensions `dims` (a negative one counts as 0)."""
    return math.prod(max(d, 0) for d in dims)


@functools.cache
def _itemsize(elem_type: int) -> int:
    try:
        return helper.tensor_dtype_to_np_dtype(elem_type).itemsize
    except (KeyError, ValueError, TypeError):  # undefined, or no numpy form
        return _DEFAULT_ITEMSIZE


class _Estimator:
    """Follows the main graph's nodes in order, keeping what it knows of each tensor."""

    def __init__(self, model: onnx.ModelProto, types: Mapping[str, onnx.TypeProto]) -> None:
        self.model = model
        self.shapes: dict[str, Shape] = {}
        self.elem_types: dict[str, int] = {}
        self.values: dict[str, np.ndarray] = {}
        self.constant: set[str] = set()
        self.computed: list[Allocation] = []
        graph = model.graph
        for value in (*graph.input, *graph.value_info, *graph.output):
            self._declare(value.name, value.type)
        for name, proto in types.items():
            self._declare(name, proto)
        # What shape inference found overrides the graph's declarations and the rules.
        self.inferred = set(types)

    def _declare(self, name: str, proto: onnx.TypeProto) -> None:
        """Record the element type and static shape of tensor `name` that `proto` gives."""
        if not proto.HasField("tensor_type"):
            return
        tensor = proto.tensor_type
        if tensor.elem_type:
            self.elem_types[name] = tensor.elem_type
        if tensor.HasField("shape"):
            dims = tensor.shape.dim
            if all(d.HasField("dim_value") for d in dims):
                self.shapes[name] = tuple(max(d.dim_value, 0) for d in dims)

    def estimate(self) -> MemoryEstimate:
        """Count the model's tensors, then follow its nodes (see `estimate_memory`)."""
        weights = 0
        largest: Allocation | None = None
        for tensor in model_tensors(self.model):
            nbytes = tensor_nbytes(tensor)
            weights += nbytes
            if largest is None or nbytes > largest.nbytes:
                largest = Allocation(tensor.name, nbytes, None)
        for tensor in self.model.graph.initializer:
            self._add_tensor(tensor.name, tensor)
        for node in all_nodes(self.model.graph):
            if node.op_type == "Constant":
                self._follow_constant(node)
            else:
                self._follow(node)
        computed = max(self.computed, key=lambda a: a.nbytes, default=None)
        if computed is not None and (largest is None or computed.nbytes > largest.nbytes):
            largest = computed
        total = COMPILE_COPIES * weights + sum(c.nbytes for c in self.computed)
        return MemoryEstimate(total, largest)

    def _add_tensor(self, name: str, tensor: TensorProto) -> None:
        """Record a constant tensor: its shape, element type, and its value when tiny."""
        shape = tuple(max(d, 0) for d in tensor.dims)
        self.constant.add(name)
        self.shapes[name] = shape
        self.elem_types[name] = tensor.data_type
        if math.prod(shape) <= _TINY and tensor.data_location != TensorProto.EXTERNAL:
            with contextlib.suppress(Exception):  # a malformed tensor: its import reports it
                self.values[name] = numpy_helper.to_array(tensor)

    def _follow_constant(self, node: onnx.NodeProto) -> None:
        """Record the output of a Constant node (its tensor is counted among the weights)."""
        if not node.output or len(node.attribute) != 1:
            return  # not a Constant import accepts
        attr, name = node.attribute[0], node.output[0]
        if attr.type == AttributeProto.TENSOR:
            self._add_tensor(name, attr.t)
            return
        dtype = _CONSTANT_LISTS.get(attr.type)
        if dtype is not None:
            value = np.array(helper.get_attribute_value(attr), dtype)
            self.constant.add(name)
            self.shapes[name] = value.shape
            self.elem_types[name] = helper.np_dtype_to_tensor_dtype(value.dtype)
            if value.size <= _TINY:
                self.values[name] = value

    def _follow(self, node: onnx.NodeProto) -> None:
        """Record what `node`'s rule tells of its outputs; count those computable at compile time."""
        view = _NodeView(self, node)
        rule = _RULES.get(node.op_type)
        try:
            shapes = rule.shapes(view) if rule is not None else []
            elem_type = rule.elem_type(view) if rule is not None else None
        except Exception:  # a malformed node (an attribute of another type): its import reports it
            shapes, elem_type = [], None
        # Shape needs only its input's shape; folding computes the others from their inputs.
        if node.op_type == "Shape":
            constant = view.shape(0) is not None
        else:
            constant = all(not name or name in self.constant for name in view.inputs)
        for index, name in enumerate(node.output):
            if not name:
                continue
            if name not in self.inferred:
                if index < len(shapes) and (shape := shapes[index]) is not None:
                    self.shapes[name] = shape
                if index == 0 and elem_type:
                    self.elem_types[name] = elem_type
            shape = self.shapes.get(name)
            if not constant or shape is None:
                continue
            self.constant.add(name)
            count = math.prod(shape)
            itemsize = _itemsize(self.elem_types.get(name, TensorProto.FLOAT))
            self.computed.append(Allocation(name, count * itemsize, node))
            if index == 0 and count <= _TINY and rule is not None and rule.value is not None:
                self._evaluate(rule.value, view, name, shape)

    def _evaluate(self, compute: _Compute, view: _NodeView, name: str, shape: Shape) -> None:
        """Record the (tiny) value of output `name`, of `shape`, when `compute` gives it."""
        try:
            with np.errstate(all="ignore"):
                value = compute(view, shape)
        except Exception:  # inputs the operator refuses: the value stays unknown
            return
        if value is not None and value.shape == shape and value.dtype.kind in "biuf":
            self.values[name] = value


_CONSTANT_LISTS = {
    AttributeProto.INT: np.int64,
    AttributeProto.INTS: np.int64,
    AttributeProto.FLOAT: np.float32,
    AttributeProto.FLOATS: np.float32,
}
"""The numpy types of a Constant's `value_int(s)` and `value_float(s)`."""


class _NodeView:
    """What the estimator knows of one node's inputs, and its attributes."""

    def __init__(self, estimator: _Estimator, node: onnx.NodeProto) -> None:
        self.estimator = estimator
        self.node = node
        self.inputs = list(node.input)

    @functools.cached_property
    def attributes(self) -> dict[str, AttributeProto]:
        """The node's attributes by name."""
        return {a.name: a for a in self.node.attribute}

    def present(self) -> list[int]:
        """The indices of the inputs given."""
        return [i for i, name in enumerate(self.inputs) if name]

    def given(self, index: int) -> bool:
        """Whether input `index` is given (not absent, not an empty name)."""
        return index < len(self.inputs) and bool(self.inputs[index])

    def shape(self, index: int) -> Shape | None:
        """The static shape of input `index`, when known."""
        return self.estimator.shapes.get(self.inputs[index]) if self.given(index) else None

    def elem_type(self, index: int) -> int | None:
        """The ONNX element type of input `index`, when known."""
        return self.estimator.elem_types.get(self.inputs[index]) if self.given(index) else None

    def value(self, index: int) -> np.ndarray | None:
        """The value of input `index`, when it is a tiny constant."""
        return self.estimator.values.get(self.inputs[index]) if self.given(index) else None

    def values(self) -> list[np.ndarray]:
        """The values of every input given; raises KeyError when one is unknown."""
        return [self.estimator.values[self.inputs[i]] for i in self.present()]

    def ints(self, index: int) -> list[int] | None:
        """The value of input `index` as Python integers, when it is a tiny integer constant."""
        value = self.value(index)
        if value is None or value.dtype.kind not in "biu":
            return None
        return [int(v) for v in value.reshape(-1)]

    def scalar(self, index: int) -> int | float | None:
        """The value of input `index` as a Python number, when it is a one-element constant."""
        value = self.value(index)
        return None if value is None or value.size != 1 else value.reshape(()).item()

    def attr(self, name: str, default: Any = None) -> Any:
        """Attribute `name`'s value, or `default` when the node has none."""
        attr = self.attributes.get(name)
        return default if attr is None else helper.get_attribute_value(attr)

    def axis(self, rank: int, name: str = "axis", default: int = 0) -> int | None:
        """Attribute `name` as an axis of a rank-`rank` tensor; None when out of range."""
        axis = int(self.attr(name, default))
        axis += rank if axis < 0 else 0
        return axis if 0 <= axis < rank else None

    def axes(self, rank: int, axes: Iterable[int]) -> set[int] | None:
        """`axes` of a rank-`rank` tensor, made non-negative; None when one is out of range."""
        result = {a + rank if a < 0 else a for a in axes}
        return result if all(0 <= a < rank for a in result) else None


_Shapes = Callable[[_NodeView], list[Shape | None]]
_Compute = Callable[[_NodeView, Shape], np.ndarray | None]


@dataclass(frozen=True)
class _Rule:
    """How the estimator follows one operator."""

    shapes: _Shapes
    """Its output shapes (None where unknown), from what is known of its inputs."""
    elem_type: Callable[[_NodeView], int | None]
    """Its first output's element type."""
    value: _Compute | None
    """Its first output's value, given the output's (tiny) shape; None when unknown."""


_RULES: dict[str, _Rule] = {}


def _rule(
    *op_types: str,
    elem_type: Callable[[_NodeView], int | None] = lambda view: view.elem_type(0),
    value: _Compute | None = None,
) -> Callable[[_Shapes], _Shapes]:
    """Register the decorated shape function as the rule of `op_types`."""

    def register(shapes: _Shapes) -> _Shapes:
        for op_type in op_types:
            _RULES[op_type] = _Rule(shapes, elem_type, value)
        return shapes

    return register


def _broadcast(shapes: Sequence[Shape | None]) -> Shape | None:
    """The multidirectional (numpy) broadcast of `shapes`; None when one is unknown or they clash."""
    known = [s for s in shapes if s is not None]
    if not shapes or len(known) < len(shapes):
        return None
    rank = max(len(s) for s in known)
    result: list[int] = []
    for axis in range(rank):
        sizes = {s[axis - rank + len(s)] for s in known if axis - rank + len(s) >= 0} - {1}
        if len(sizes) > 1:
            return None
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def _dims(dims: Sequence[int] | None) -> Shape | None:
    """`dims` as a shape; None when unknown or when a dimension is negative."""
    return None if dims is None or any(d < 0 for d in dims) else tuple(dims)


def _reshaped(view: _NodeView, shape: Shape) -> np.ndarray | None:
    data = view.value(0)
    return None if data is None else data.reshape(shape)


_UNARY = (
    "Abs", "Cast", "Clip", "Dropout", "Erf", "Exp", "Gelu", "HardSigmoid", "HardSwish",
    "Identity", "LeakyRelu", "Log", "LogSoftmax", "Neg", "Reciprocal", "Relu", "Sigmoid",
    "Softmax", "Sqrt", "Tanh", "LRN", "BatchNormalization", "InstanceNormalization",
    "LayerNormalization",
)  # fmt: skip
"""Operators whose first output has their first input's shape."""

_NUMPY: dict[str, Callable[..., np.ndarray]] = {
    "Identity": np.asarray, "Abs": np.abs, "Neg": np.negative, "Sqrt": np.sqrt,
    "Reciprocal": np.reciprocal, "Add": np.add, "Sub": np.subtract, "Mul": np.multiply,
    "Pow": np.power, "Equal": np.equal, "Less": np.less, "Greater": np.greater,
    "Where": np.where, "Max": np.maximum, "Min": np.minimum, "Sum": np.add,
}  # fmt: skip
"""numpy's forms of the elementwise operators whose values the estimator computes."""


def _elementwise(view: _NodeView, shape: Shape) -> np.ndarray | None:
    compute = _NUMPY.get(view.node.op_type)
    if view.node.op_type == "Cast":
        return view.values()[0].astype(helper.tensor_dtype_to_np_dtype(view.attr("to")))
    if compute is None:
        return None
    if view.node.op_type in ("Max", "Min", "Sum"):  # variadic
        return functools.reduce(compute, view.values())
    return compute(*view.values())


def _cast_type(view: _NodeView) -> int | None:
    return int(view.attr("to")) if view.node.op_type == "Cast" else view.elem_type(0)


@_rule(*_UNARY, elem_type=_cast_type, value=_elementwise)
def _same_shape(view: _NodeView) -> list[Shape | None]:
    return [view.shape(0)]


@_rule("Add", "Sub", "Mul", "Pow", "Max", "Min", "Sum", value=_elementwise)
def _broadcast_inputs(view: _NodeView) -> list[Shape | None]:
    return [_broadcast([view.shape(i) for i in view.present()])]


def _divide(view: _NodeView, shape: Shape) -> np.ndarray:
    a, b = view.values()
    if a.dtype.kind in "iu":  # ONNX divides integers truncating towards zero
        return np.trunc(np.true_divide(a, b)).astype(a.dtype)
    return np.true_divide(a, b)


def _modulo(view: _NodeView, shape: Shape) -> np.ndarray:
    a, b = view.values()
    return np.fmod(a, b) if view.attr("fmod", 0) else np.mod(a, b)


_rule("Div", value=_divide)(_broadcast_inputs)
_rule("Mod", value=_modulo)(_broadcast_inputs)
_rule("Equal", "Less", "Greater", elem_type=lambda _: TensorProto.BOOL, value=_elementwise)(
    _broadcast_inputs
)
_rule("Where", elem_type=lambda view: view.elem_type(1), value=_elementwise)(_broadcast_inputs)


def _constant_of_shape_type(view: _NodeView) -> int:
    value = view.attributes.get("value")
    return TensorProto.FLOAT if value is None else value.t.data_type


def _constant_of_shape_value(view: _NodeView, shape: Shape) -> np.ndarray:
    value = view.attributes.get("value")
    element = np.float32(0) if value is None else numpy_helper.to_array(value.t).reshape(-1)[0]
    return np.full(shape, element)


@_rule("ConstantOfShape", elem_type=_constant_of_shape_type, value=_constant_of_shape_value)
def _constant_of_shape(view: _NodeView) -> list[Shape | None]:
    return [_dims(view.ints(0))]


def _range_value(view: _NodeView, shape: Shape) -> np.ndarray:
    start, limit, delta = view.values()
    return np.arange(start.item(), limit.item(), delta.item(), dtype=start.dtype)


@_rule("Range", value=_range_value)
def _range(view: _NodeView) -> list[Shape | None]:
    start, limit, delta = (view.scalar(i) for i in range(3))
    if start is None or limit is None or delta is None or delta == 0:
        return [None]
    if isinstance(start, int) and isinstance(limit, int) and isinstance(delta, int):
        count = -((start - limit) // delta)  # ceil((limit - start) / delta), exactly
    else:
        try:
            count = math.ceil((limit - start) / delta)
        except (OverflowError, ValueError):  # infinite or NaN bounds
            return [None]
    return [(max(count, 0),)]


def _tile_value(view: _NodeView, shape: Shape) -> np.ndarray:
    data, repeats = view.values()
    return np.tile(data, repeats)


@_rule("Tile", value=_tile_value)
def _tile(view: _NodeView) -> list[Shape | None]:
    shape, repeats = view.shape(0), view.ints(1)
    if shape is None or repeats is None or len(repeats) != len(shape):
        return [None]
    return [_dims([d * r for d, r in zip(shape, repeats, strict=True)])]


def _expand_value(view: _NodeView, shape: Shape) -> np.ndarray:
    return np.broadcast_to(view.values()[0], shape).copy()


@_rule("Expand", value=_expand_value)
def _expand(view: _NodeView) -> list[Shape | None]:
    return [_broadcast([view.shape(0), _dims(view.ints(1))])]


@_rule("Reshape", value=_reshaped)
def _reshape(view: _NodeView) -> list[Shape | None]:
    shape, target = view.shape(0), view.ints(1)
    if shape is None or target is None:
        return [None]
    copy_zeros = not view.attr("allowzero", 0)
    dims = [shape[i] if d == 0 and copy_zeros and i < len(shape) else d for i, d in enumerate(target)]
    count = math.prod(shape)
    if dims.count(-1) == 1:
        rest = math.prod(d for d in dims if d != -1)
        if rest <= 0 or count % rest:
            return [None]
        dims = [count // rest if d == -1 else d for d in dims]
    return [_dims(dims) if math.prod(dims) == count else None]


@_rule("Flatten", value=_reshaped)
def _flatten(view: _NodeView) -> list[Shape | None]:
    shape = view.shape(0)
    axis = None if shape is None else view.axis(len(shape) + 1, default=1)
    if shape is None or axis is None:
        return [None]
    return [(math.prod(shape[:axis]), math.prod(shape[axis:]))]


def _squeeze_axes(view: _NodeView) -> list[int] | None:
    """Squeeze's and Unsqueeze's axes: an input from opset 13, an attribute before."""
    if view.given(1):
        return view.ints(1)
    axes = view.attr("axes")
    return None if axes is None else list(axes)


@_rule("Unsqueeze", value=_reshaped)
def _unsqueeze(view: _NodeView) -> list[Shape | None]:
    shape, axes = view.shape(0), _squeeze_axes(view)
    if shape is None or axes is None:
        return [None]
    rank = len(shape) + len(axes)
    inserted = view.axes(rank, axes)
    if inserted is None or len(inserted) != len(axes):
        return [None]
    dims = iter(shape)
    return [tuple(1 if a in inserted else next(dims) for a in range(rank))]


@_rule("Squeeze", value=_reshaped)
def _squeeze(view: _NodeView) -> list[Shape | None]:
    shape, axes = view.shape(0), _squeeze_axes(view)
    if shape is None or (axes is None and view.given(1)):
        return [None]
    ones = {a for a, d in enumerate(shape) if d == 1}
    removed = ones if axes is None else view.axes(len(shape), axes)
    if removed is None or any(shape[a] != 1 for a in removed):
        return [None]
    return [tuple(d for a, d in enumerate(shape) if a not in removed)]


def _perm(view: _NodeView, rank: int) -> list[int] | None:
    perm = view.attr("perm")
    perm = list(range(rank))[::-1] if perm is None else list(perm)
    return perm if sorted(perm) == list(range(rank)) else None


def _transpose_value(view: _NodeView, shape: Shape) -> np.ndarray:
    data = view.values()[0]
    return np.transpose(data, _perm(view, data.ndim))


@_rule("Transpose", value=_transpose_value)
def _transpose(view: _NodeView) -> list[Shape | None]:
    shape = view.shape(0)
    perm = None if shape is None else _perm(view, len(shape))
    return [None if shape is None or perm is None else tuple(shape[p] for p in perm)]


def _concat_value(view: _NodeView, shape: Shape) -> np.ndarray:
    return np.concatenate(view.values(), axis=int(view.attr("axis")))


@_rule("Concat", value=_concat_value)
def _concat(view: _NodeView) -> list[Shape | None]:
    shapes = [view.shape(i) for i in view.present()]
    known = [s for s in shapes if s is not None]
    if not shapes or len(known) < len(shapes) or len({len(s) for s in known}) != 1:
        return [None]
    axis = view.axis(len(known[0]))
    if axis is None or len({s[:axis] + s[axis + 1 :] for s in known}) != 1:
        return [None]
    return [(*known[0][:axis], sum(s[axis] for s in known), *known[0][axis + 1 :])]


def _shape_dims(view: _NodeView) -> Shape | None:
    """Shape's output: its input's dimensions from `start` to `end`."""
    dims = view.shape(0)
    if dims is None:
        return None
    # Python slicing wraps and clamps `start` and `end` as ONNX's Shape does.
    return dims[int(view.attr("start", 0)) : int(view.attr("end", len(dims)))]


@_rule(
    "Shape",
    elem_type=lambda _: TensorProto.INT64,
    value=lambda view, shape: np.array(_shape_dims(view), np.int64),
)
def _shape(view: _NodeView) -> list[Shape | None]:
    dims = _shape_dims(view)
    return [None if dims is None else (len(dims),)]


def _gather_value(view: _NodeView, shape: Shape) -> np.ndarray | None:
    data, indices = view.values()
    axis = view.axis(data.ndim)
    if axis is None:
        return None
    return np.take(data, np.where(indices < 0, indices + data.shape[axis], indices), axis=axis)


@_rule("Gather", value=_gather_value)
def _gather(view: _NodeView) -> list[Shape | None]:
    data, indices = view.shape(0), view.shape(1)
    axis = None if data is None else view.axis(len(data))
    if data is None or indices is None or axis is None:
        return [None]
    return [(*data[:axis], *indices, *data[axis + 1 :])]


def _slices(view: _NodeView, rank: int) -> tuple[slice, ...] | None:
    """Slice's bounds as Python slices, which clamp out-of-range bounds as ONNX does."""
    starts, ends = view.ints(1), view.ints(2)
    if starts is None or ends is None or len(starts) != len(ends):
        return None
    axes = view.ints(3) if view.given(3) else list(range(len(starts)))
    steps = view.ints(4) if view.given(4) else [1] * len(starts)
    if axes is None or steps is None or not len(axes) == len(steps) == len(starts) or 0 in steps:
        return None
    index = [slice(None)] * rank
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        if not -rank <= axis < rank:
            return None
        index[axis] = slice(start, end, step)
    return tuple(index)


def _slice_value(view: _NodeView, shape: Shape) -> np.ndarray | None:
    data = view.values()[0]
    index = _slices(view, data.ndim)
    return None if index is None else data[index]


@_rule("Slice", value=_slice_value)
def _slice(view: _NodeView) -> list[Shape | None]:
    shape = view.shape(0)
    index = None if shape is None else _slices(view, len(shape))
    if shape is None or index is None:
        return [None]
    return [tuple(len(range(*s.indices(d))) for s, d in zip(index, shape, strict=True))]


@_rule("Pad")
def _pad(view: _NodeView) -> list[Shape | None]:
    shape, pads = view.shape(0), view.ints(1)
    if shape is None or pads is None:
        return [None]
    axes = view.ints(3) if view.given(3) else list(range(len(shape)))
    if axes is None or len(pads) != 2 * len(axes) or view.axes(len(shape), axes) is None:
        return [None]
    dims = list(shape)
    for i, axis in enumerate(axes):
        dims[axis] += pads[i] + pads[i + len(axes)]
    return [_dims(dims)]


@_rule("Resize")
def _resize(view: _NodeView) -> list[Shape | None]:
    shape = view.shape(0)
    if shape is None:
        return [None]
    axes = [a + len(shape) if a < 0 else a for a in view.attr("axes", range(len(shape)))]
    if view.axes(len(shape), axes) is None:
        return [None]
    dims = list(shape)
    sizes, scales = view.ints(3), view.value(2)
    if sizes is not None and len(sizes) == len(axes):
        policy = view.attr("keep_aspect_ratio_policy", b"stretch")
        if policy != b"stretch" and all(dims[a] for a in axes):
            ratios = [s / dims[a] for s, a in zip(sizes, axes, strict=True)]
            scale = min(ratios) if policy == b"not_larger" else max(ratios)
            sizes = [round(scale * dims[a]) for a in axes]
        for size, axis in zip(sizes, axes, strict=True):
            dims[axis] = size
    elif scales is not None and scales.size == len(axes) and scales.dtype.kind == "f":
        try:
            for scale, axis in zip(scales.reshape(-1).tolist(), axes, strict=True):
                dims[axis] = math.floor(dims[axis] * scale)
        except (OverflowError, ValueError):  # infinite or NaN scales
            return [None]
    else:
        return [None]
    return [_dims(dims)]


@_rule("MatMul")
def _matmul(view: _NodeView) -> list[Shape | None]:
    a, b = view.shape(0), view.shape(1)
    if not a or not b:
        return [None]
    # numpy's rules: a vector operand gains a unit dimension, removed from the result.
    rows = a if len(a) > 1 else (1, *a)
    columns = b if len(b) > 1 else (*b, 1)
    batch = _broadcast([rows[:-2], columns[:-2]])
    if batch is None or rows[-1] != columns[-2]:
        return [None]
    return [(*batch, *rows[-2:-1] * (len(a) > 1), *columns[-1:] * (len(b) > 1))]


@_rule("Gemm")
def _gemm(view: _NodeView) -> list[Shape | None]:
    a, b = view.shape(0), view.shape(1)
    if a is None or b is None or len(a) != 2 or len(b) != 2:
        return [None]
    return [(a[1] if view.attr("transA", 0) else a[0], b[0] if view.attr("transB", 0) else b[1])]


@_rule("Split")
def _split(view: _NodeView) -> list[Shape | None]:
    shape = view.shape(0)
    axis = None if shape is None else view.axis(len(shape))
    count = len(view.node.output)
    if shape is None or axis is None:
        return [None] * count
    if view.given(1):
        sizes = view.ints(1)
    elif view.attr("split") is not None:
        sizes = list(view.attr("split"))
    else:
        piece = -(-shape[axis] // count)  # the last piece is the smaller one
        sizes = [min(piece, max(shape[axis] - i * piece, 0)) for i in range(count)]
    if sizes is None or len(sizes) != count or sum(sizes) != shape[axis] or min(sizes) < 0:
        return [None] * count
    return [(*shape[:axis], s, *shape[axis + 1 :]) for s in sizes]


def _reduce(view: _NodeView, axes: list[int] | None) -> list[Shape | None]:
    shape = view.shape(0)
    if shape is None or axes is None:
        return [None]
    if not axes and not view.attr("noop_with_empty_axes", 0):
        axes = list(range(len(shape)))
    reduced = view.axes(len(shape), axes)
    if reduced is None:
        return [None]
    keep = bool(view.attr("keepdims", 1))
    return [tuple(1 if a in reduced else d for a, d in enumerate(shape) if keep or a not in reduced)]


@_rule("ReduceMax", "ReduceMean", "ReduceSum")
def _reduce_axes(view: _NodeView) -> list[Shape | None]:
    return _reduce(view, view.ints(1) if view.given(1) else list(view.attr("axes", [])))


@_rule("ArgMax", elem_type=lambda _: TensorProto.INT64)
def _argmax(view: _NodeView) -> list[Shape | None]:
    return _reduce(view, [int(view.attr("axis", 0))])


__all__ = [
    "COMPILE_COPIES",
    "DEFAULT_MAX_NESTING",
    "DEFAULT_MAX_TEXT_BYTES",
    "DEFAULT_MEMORY_BUDGET",
    "Allocation",
    "MemoryEstimate",
    "byte_size",
    "check_ir_text",
    "check_memory_budget",
    "element_count",
    "estimate_memory",
    "model_tensors",
    "node_label",
    "node_where",
    "tensor_nbytes",
]
