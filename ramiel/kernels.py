"""The op-to-kernel table: how each ONNX operator is computed with torch.

`emit` turns a `KernelNode` (a plain description of one ONNX node whose shapes are
all static) into a `KernelCall`: one Python expression that computes the node's
outputs from its input expressions. The same expression serves three consumers:
constant folding and op profiling run it through `evaluate`, and the code printer
pastes it into the generated file, so a folded constant equals what the generated
code would compute.

Expression namespace: an expression refers only to its input expressions, `torch`,
`F` (`torch.nn.functional`), Python builtins and the functions named in
`KernelCall.helpers`, which live in `ramiel.runtime_helpers` and whose source
`helper_source` returns. A generated file therefore needs only `import torch` and
`import torch.nn.functional as F` besides the pasted helpers.

Output convention: the expression evaluates to a tensor when the node has one
output, and to a tuple of tensors, one per output, otherwise.

Static shapes become literals wherever possible (`x.reshape(1, 1024)`), and constant
operands (`KernelNode.input_values`) are folded into the expression (slice bounds,
pads, axes, scales); runtime operands are read with `.tolist()`/`.item()` or passed to
a helper only when they are not constant.
"""

import ast
import functools
import inspect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import torch
import torch.nn.functional as F

from ramiel import runtime_helpers
from ramiel.codegen.escape import literal
from ramiel.runtime_helpers import (
    nearest_indices,
    pad_widths,
    resize_coordinates,
    slice_bounds,
    torch_pad_arg,
)

TensorSig = tuple[tuple[int, ...], str]
"""A tensor's static shape and ONNX element type name ("float32", "int64", "bool", ...)."""

AttrValue = int | float | str | list[int] | list[float] | list[str] | np.ndarray
"""An ONNX attribute as a Python value (STRING as str, TENSOR as a numpy array)."""

TORCH_DTYPES: Mapping[str, torch.dtype] = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "uint8": torch.uint8,
    "bool": torch.bool,
}
"""The torch dtype of each ONNX element type name that kernels handle."""

_FLOAT_TYPES = frozenset({"float16", "bfloat16", "float32", "float64"})

# Longest constant index list that Gather writes into the expression as a literal.
_MAX_INLINE_INDICES = 16


class UnsupportedKernel(Exception):
    """An op, or a combination of its attributes, inputs or types, that has no exact torch kernel here."""


@dataclass(frozen=True)
class KernelNode:
    """One ONNX node with static types, independent of any IR.

    `inputs` holds a Python expression (usually a variable name) per ONNX input,
    None for an absent optional input. `attrs` holds the ONNX attributes as Python
    values with schema defaults filled in; optional attributes without a default
    are missing when absent. `input_values` holds the compile-time value of each
    input that is constant, else None.
    """

    op_type: str
    inputs: tuple[str | None, ...]
    input_types: tuple[TensorSig | None, ...]
    output_types: tuple[TensorSig, ...]
    attrs: Mapping[str, AttrValue] = field(default_factory=dict)
    input_values: tuple[np.ndarray | None, ...] = ()


@dataclass(frozen=True)
class KernelCall:
    """The torch expression computing a node.

    `helpers` names the `ramiel.runtime_helpers` functions the expression calls;
    `inputs_used` holds the positions of the inputs the expression reads (inputs
    folded in as literals, such as Reshape's shape, are not read).
    """

    expr: str
    helpers: frozenset[str]
    inputs_used: frozenset[int]


class _Node:
    """A node being emitted: typed access to its inputs and attributes, recording the inputs and helpers used."""

    def __init__(self, node: KernelNode) -> None:
        """Start emitting `node` with no inputs or helpers used yet."""
        self.node = node
        self.used: set[int] = set()
        self.helpers: set[str] = set()

    def fail(self, reason: str) -> UnsupportedKernel:
        """The exception reporting that this node cannot be emitted, and why."""
        return UnsupportedKernel(f"{self.node.op_type}: {reason}")

    def has(self, index: int) -> bool:
        """Whether input `index` is present."""
        return index < len(self.node.inputs) and self.node.inputs[index] is not None

    def arg(self, index: int) -> str:
        """The expression of input `index`, bracketed where needed to be an operand; marks it used."""
        expr = self.node.inputs[index] if index < len(self.node.inputs) else None
        if expr is None:
            raise self.fail(f"input {index} is required")
        self.used.add(index)
        return expr if _is_atom(expr) else f"({expr})"

    def args(self) -> list[str]:
        """The expressions of all inputs, which must all be present."""
        return [self.arg(index) for index in range(len(self.node.inputs))]

    def value(self, index: int) -> np.ndarray | None:
        """The compile-time value of input `index`, or None when it is absent or not constant."""
        if not self.has(index) or index >= len(self.node.input_values):
            return None
        return self.node.input_values[index]

    def ints(self, index: int) -> list[int] | None:
        """The compile-time value of input `index` as a flat list of ints, or None when not constant."""
        value = self.value(index)
        return None if value is None else [int(item) for item in value.reshape(-1)]

    def _sig(self, index: int) -> TensorSig:
        """The type of input `index`, which must be known."""
        sig = self.node.input_types[index]
        if sig is None:
            raise self.fail(f"input {index} has no type")
        return sig

    def shape(self, index: int = 0) -> tuple[int, ...]:
        """The static shape of input `index`."""
        return tuple(self._sig(index)[0])

    def dtype(self, index: int = 0) -> str:
        """The element type name of input `index`."""
        return self._sig(index)[1]

    @property
    def out_shape(self) -> tuple[int, ...]:
        """The static shape of the first output."""
        return tuple(self.node.output_types[0][0])

    @property
    def out_dtype(self) -> str:
        """The element type name of the first output."""
        return self.node.output_types[0][1]

    def attr(self, name: str) -> AttrValue:
        """An attribute that has a schema default or is required."""
        if name not in self.node.attrs:
            raise self.fail(f"attribute {name!r} is missing (defaults must be filled in)")
        return self.node.attrs[name]

    def _number(self, name: str) -> int | float | np.number:
        """A numeric attribute that has a schema default or is required."""
        value = self.attr(name)
        if not isinstance(value, int | float | np.number):
            raise self.fail(f"attribute {name!r} is not a number: {value!r}")
        return value

    def int_attr(self, name: str) -> int:
        """An int attribute that has a schema default or is required."""
        return int(self._number(name))

    def float_attr(self, name: str) -> float:
        """A float attribute that has a schema default or is required."""
        return float(self._number(name))

    def float_text(self, name: str) -> str:
        """A float attribute as a literal."""
        return _float(self.float_attr(name))

    def int_list(self, name: str, default: list[int]) -> list[int]:
        """An optional list-of-ints attribute without schema default; `default` when missing or empty."""
        value = self.node.attrs.get(name)
        return [int(item) for item in value] if isinstance(value, list | tuple) and value else default

    def call(self, helper: str, *args: str, **keywords: str) -> str:
        """A call of a runtime helper with the given argument texts; records the helper."""
        self.helpers.add(helper)
        return f"{helper}({', '.join(args)}{_keywords(**keywords)})"

    def single_output(self) -> None:
        """Fail unless the node requests only its first output."""
        if len(self.node.output_types) > 1:
            raise self.fail("only the first output is supported")


@functools.cache
def _is_atom(expr: str) -> bool:
    """Whether `expr` can be an operand or a method receiver without brackets."""
    try:
        tree = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return False
    return isinstance(tree, ast.Name | ast.Attribute | ast.Subscript | ast.Call | ast.Constant)


def _float(value: float, dtype: str = "float32") -> str:
    """A float literal that gives back `value` in `dtype` (ONNX float attributes are float32)."""
    if math.isnan(value):
        return "torch.nan"
    if math.isinf(value):
        return "torch.inf" if value > 0 else "-torch.inf"
    if dtype == "float64":
        return repr(float(value))
    # numpy prints the shortest text that reads back as the same value of its type.
    return str(np.float16(value) if dtype == "float16" else np.float32(value))


def _scalar(value: float, dtype: str) -> str:
    """A Python literal for one element of type `dtype`."""
    if dtype == "bool":
        return repr(bool(value))
    if dtype in _FLOAT_TYPES:
        return _float(float(value), dtype)
    return repr(int(value))


def _tuple(values: Iterable[object]) -> str:
    """A tuple literal: `(1, 2)`, `(1,)` or `()`."""
    items = [str(value) for value in values]
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _varargs(shape: Sequence[int]) -> str:
    """Dimensions as the varargs of `reshape`/`expand`/`repeat`/`permute`."""
    return ", ".join(str(dim) for dim in shape) if shape else "()"


def _keywords(**values: object) -> str:
    """`, name=value` for each given keyword, in order."""
    return "".join(f", {name}={value}" for name, value in values.items())


_KERNELS: dict[str, Callable[[_Node], str]] = {}


def _kernel(*op_types: str) -> Callable[[Callable[[_Node], str]], Callable[[_Node], str]]:
    """Register the decorated function as the emitter of `op_types`."""

    def register(emitter: Callable[[_Node], str]) -> Callable[[_Node], str]:
        """Add `emitter` to the table and return it."""
        for op_type in op_types:
            _KERNELS[op_type] = emitter
        return emitter

    return register


# Ops whose expression is a fixed template of their input expressions.
_TEMPLATES = {
    "Abs": "torch.abs({0})",
    "Erf": "torch.erf({0})",
    "Exp": "torch.exp({0})",
    "HardSwish": "F.hardswish({0})",
    "Identity": "{0}",
    "Log": "torch.log({0})",
    "Neg": "torch.neg({0})",
    "Reciprocal": "torch.reciprocal({0})",
    "Relu": "torch.relu({0})",
    "Sigmoid": "torch.sigmoid({0})",
    "Sqrt": "torch.sqrt({0})",
    "Tanh": "torch.tanh({0})",
    "Add": "{0} + {1}",
    "Sub": "{0} - {1}",
    "Mul": "{0} * {1}",
    "MatMul": "{0} @ {1}",
    "Equal": "{0} == {1}",
    "Less": "{0} < {1}",
    "Greater": "{0} > {1}",
    "Where": "torch.where({0}, {1}, {2})",
}


def _template(template: str, n: _Node) -> str:
    """The expression of an op whose kernel is a fixed template of its input expressions."""
    return template.format(*n.args())


_KERNELS.update({op_type: functools.partial(_template, text) for op_type, text in _TEMPLATES.items()})


@_kernel("Sum", "Max", "Min")
def _variadic(n: _Node) -> str:
    """Sum, Max, Min: a chain of `+`, `torch.maximum` or `torch.minimum` over all inputs (broadcasting)."""
    args = n.args()
    if n.node.op_type == "Sum":
        return " + ".join(args)
    function = "torch.maximum" if n.node.op_type == "Max" else "torch.minimum"
    return functools.reduce(lambda left, right: f"{function}({left}, {right})", args)


@_kernel("Div")
def _div(n: _Node) -> str:
    """Div: true division for floats; integers truncate toward zero as in ONNX (C semantics)."""
    a, b = n.args()
    if n.out_dtype in _FLOAT_TYPES:
        return f"{a} / {b}"
    return f"torch.div({a}, {b}, rounding_mode='trunc')"


@_kernel("Mod")
def _mod(n: _Node) -> str:
    """Mod: `fmod=1` truncates like C fmod; `fmod=0` takes the sign of the divisor, like `torch.remainder`."""
    a, b = n.args()
    return f"torch.fmod({a}, {b})" if n.attr("fmod") else f"torch.remainder({a}, {b})"


def _result_dtype(n: _Node, first: int, second: int) -> str:
    """The dtype torch's type promotion gives an elementwise op on two inputs."""
    operands = [torch.empty((1,) * len(n.shape(i)), dtype=TORCH_DTYPES[n.dtype(i)]) for i in (first, second)]
    return str(torch.result_type(*operands)).removeprefix("torch.")


@_kernel("Pow")
def _pow(n: _Node) -> str:
    """Pow: result in the base's type, whatever the exponent's type."""
    base = n.arg(0)
    exponent = n.value(1)
    base_float = n.dtype(0) in _FLOAT_TYPES
    if (
        exponent is not None
        and exponent.size == 1
        and n.out_shape == n.shape(0)
        and (base_float or n.dtype(1) not in _FLOAT_TYPES)
    ):
        # A Python scalar exponent keeps the base's dtype and lets torch pick its fast paths.
        return f"torch.pow({base}, {_scalar(exponent.item(), n.dtype(1))})"
    expr = f"torch.pow({base}, {n.arg(1)})"
    if _result_dtype(n, 0, 1) != n.out_dtype:
        expr += f".to(torch.{n.out_dtype})"
    return expr


@_kernel("Softmax", "LogSoftmax")
def _softmax(n: _Node) -> str:
    """Softmax, LogSoftmax (opset 13: along one axis, default -1)."""
    function = "torch.softmax" if n.node.op_type == "Softmax" else "torch.log_softmax"
    return f"{function}({n.arg(0)}, dim={n.attr('axis')})"


@_kernel("LeakyRelu")
def _leaky_relu(n: _Node) -> str:
    """LeakyRelu: `F.leaky_relu` with the ONNX slope."""
    return f"F.leaky_relu({n.arg(0)}, {n.float_text('alpha')})"


@_kernel("HardSigmoid")
def _hard_sigmoid(n: _Node) -> str:
    """HardSigmoid: max(0, min(1, alpha * x + beta)); `F.hardsigmoid` when alpha is 1/6 and beta 1/2."""
    alpha, beta = n.float_attr("alpha"), n.float_attr("beta")
    if np.float32(alpha) == np.float32(1 / 6) and beta == 0.5:
        return f"F.hardsigmoid({n.arg(0)})"
    return f"torch.clamp({n.arg(0)} * {_float(alpha)} + {_float(beta)}, 0.0, 1.0)"


@_kernel("Gelu")
def _gelu(n: _Node) -> str:
    """Gelu, exact or with the tanh approximation."""
    approximate = n.attr("approximate")
    if approximate == "none":
        return f"F.gelu({n.arg(0)})"
    return f"F.gelu({n.arg(0)}, approximate={literal(str(approximate))})"


@_kernel("Clip")
def _clip(n: _Node) -> str:
    """Clip: `torch.clamp` with the optional min and max inputs, as literals when constant."""
    x = n.arg(0)
    bounds = {name: index for name, index in (("min", 1), ("max", 2)) if n.has(index)}
    if not bounds:
        return x
    values = {name: n.value(index) for name, index in bounds.items()}
    if all(value is not None for value in values.values()):
        texts = {name: _scalar(value.item(), n.dtype(0)) for name, value in values.items() if value is not None}
    else:
        # torch.clamp takes either scalars or tensors for both bounds, not a mix.
        texts = {name: n.arg(index) for name, index in bounds.items()}
    return f"torch.clamp({x}{_keywords(**texts)})"


@_kernel("Cast")
def _cast(n: _Node) -> str:
    """Cast to the output's element type (truncating floats toward zero for integer targets, as ONNX)."""
    x = n.arg(0)
    return x if n.dtype(0) == n.out_dtype else f"{x}.to(torch.{n.out_dtype})"


@_kernel("Shape")
def _shape(n: _Node) -> str:
    """Shape: the static shape, sliced by `start`/`end`, as an int64 literal."""
    end = n.node.attrs.get("end")
    dims = list(n.shape(0))[n.int_attr("start") : None if end is None else n.int_attr("end")]
    return f"torch.tensor({dims}, dtype=torch.int64)"


@_kernel("ConstantOfShape")
def _constant_of_shape(n: _Node) -> str:
    """ConstantOfShape: the static output shape filled with `value` (default float32 zero)."""
    value = n.node.attrs.get("value")
    fill = 0 if value is None else np.asarray(value).reshape(-1)[0].item()
    return f"torch.full({_tuple(n.out_shape)}, {_scalar(fill, n.out_dtype)}, dtype=torch.{n.out_dtype})"


@_kernel("Range")
def _range(n: _Node) -> str:
    """Range: `torch.arange` over constant bounds; otherwise start + i * delta for the static count."""
    dtype = n.out_dtype
    count = n.out_shape[0]
    values = [n.value(index) for index in range(3)]
    if all(value is not None for value in values):
        start, limit, delta = (value.item() for value in values if value is not None)
        # torch refuses empty ranges whose delta points away from the limit.
        if count and math.ceil((limit - start) / delta) == count:
            return f"torch.arange({_scalar(start, dtype)}, {_scalar(limit, dtype)}, {_scalar(delta, dtype)}, dtype=torch.{dtype})"
    # The static element count makes the limit unnecessary.
    expr = f"torch.arange({count}, dtype=torch.{dtype})"
    delta, start = values[2], values[0]
    if delta is None or delta.item() != 1:
        expr += f" * {n.arg(2) if delta is None else _scalar(delta.item(), dtype)}"
    if start is None or start.item() != 0:
        expr = f"{n.arg(0) if start is None else _scalar(start.item(), dtype)} + {expr}"
    return expr


@_kernel("Reshape", "Flatten")
def _reshape_to_output(n: _Node) -> str:
    """Reshape and Flatten (and Squeeze/Unsqueeze with runtime axes): a reshape to the static output shape."""
    x = n.arg(0)
    return x if n.out_shape == n.shape(0) else f"{x}.reshape({_varargs(n.out_shape)})"


@_kernel("Squeeze")
def _squeeze(n: _Node) -> str:
    """Squeeze: the constant (or all unit) axes, else a reshape to the static output shape."""
    rank = len(n.shape(0))
    if n.has(1):
        given = n.ints(1)
        if given is None:
            return _reshape_to_output(n)
        axes = sorted(axis % rank for axis in given)
    else:
        axes = [axis for axis, dim in enumerate(n.shape(0)) if dim == 1]
    x = n.arg(0)
    if not axes:
        return x
    return f"{x}.squeeze({axes[0] if len(axes) == 1 else _tuple(axes)})"


@_kernel("Unsqueeze")
def _unsqueeze(n: _Node) -> str:
    """Unsqueeze: `unsqueeze` for one constant axis, else a reshape to the static output shape."""
    axes = n.ints(1)
    if axes is None or len(axes) != 1:
        return _reshape_to_output(n)
    return f"{n.arg(0)}.unsqueeze({axes[0] % len(n.out_shape)})"


@_kernel("Transpose")
def _transpose(n: _Node) -> str:
    """Transpose: `permute` by `perm`, by default reversing the axes."""
    rank = len(n.shape(0))
    perm = n.int_list("perm", list(reversed(range(rank))))
    x = n.arg(0)
    return x if perm == list(range(rank)) else f"{x}.permute({_varargs(perm)})"


@_kernel("Expand")
def _expand(n: _Node) -> str:
    """Expand: a broadcasting view of the static output shape."""
    x = n.arg(0)
    return x if n.out_shape == n.shape(0) else f"{x}.expand({_varargs(n.out_shape)})"


@_kernel("Tile")
def _tile(n: _Node) -> str:
    """Tile: `repeat`, with the repeats taken from the constant input or from the static shapes."""
    repeats = n.ints(1)
    if repeats is None:
        repeats = [out // dim if dim else 1 for dim, out in zip(n.shape(0), n.out_shape, strict=True)]
    x = n.arg(0)
    return x if all(repeat == 1 for repeat in repeats) else f"{x}.repeat({_varargs(repeats)})"


@_kernel("Concat")
def _concat(n: _Node) -> str:
    """Concat along `axis`."""
    return f"torch.cat({_tuple(n.args())}, dim={n.attr('axis')})"


@_kernel("Split")
def _split(n: _Node) -> str:
    """Split: the piece sizes come from the static output shapes, whether from `split` or `num_outputs`."""
    axis = n.int_attr("axis") % len(n.shape(0))
    x = n.arg(0)
    sizes = [shape[axis] for shape, _ in n.node.output_types]
    return x if len(sizes) == 1 else f"torch.split({x}, {_tuple(sizes)}, dim={axis})"


def _slice_text(lo: int, hi: int, stride: int, size: int) -> str:
    """`lo:hi:stride` with the parts that are defaults left out."""
    text = f"{lo or ''}:{'' if hi == size else hi}"
    return text if stride == 1 else f"{text}:{stride}"


def _index_expr(x: str, parts: list[str]) -> str:
    """`x[parts]` with trailing full slices dropped; `x` itself when nothing is left."""
    while parts and parts[-1] == ":":
        parts = parts[:-1]
    return f"{x}[{', '.join(parts)}]" if parts else x


@_kernel("Slice")
def _slice(n: _Node) -> str:
    """Slice: Python indexing (with `flip` for negative steps) when the bounds are constant, else the `onnx_slice` helper."""
    shape = n.shape(0)
    starts, ends = n.ints(1), n.ints(2)
    axes = n.ints(3) if n.has(3) else list(range(len(starts or ())))
    steps = n.ints(4) if n.has(4) else [1] * len(starts or ())
    if starts is None or ends is None or axes is None or steps is None:
        optional = [n.arg(index) if n.has(index) else "None" for index in (3, 4)]
        while optional and optional[-1] == "None":
            optional.pop()
        return n.call("onnx_slice", n.arg(0), n.arg(1), n.arg(2), *optional)
    parts = [":"] * len(shape)
    flips = []
    for axis, start, end, step in zip(axes, starts, ends, steps, strict=True):
        axis %= len(shape)
        lo, hi, stride, flipped = slice_bounds(shape[axis], start, end, step)
        parts[axis] = _slice_text(lo, hi, stride, shape[axis])
        if flipped:
            flips.append(axis)
    expr = _index_expr(n.arg(0), parts)
    return f"{expr}.flip({_varargs(flips)})" if flips else expr


@_kernel("Gather")
def _gather(n: _Node) -> str:
    """Gather: indexing along `axis`, with constant indices folded in and negative indices wrapped."""
    shape = n.shape(0)
    axis = n.int_attr("axis") % len(shape)
    size = shape[axis]
    prefix = [":"] * axis
    data = n.arg(0)
    indices = n.value(1)
    if indices is not None:
        flat = [int(index) % size for index in indices.reshape(-1)]
        if indices.ndim == 0:
            return _index_expr(data, [*prefix, str(flat[0])])
        if indices.ndim == 1 and 0 < len(flat) <= _MAX_INLINE_INDICES:
            if flat == list(range(flat[0], flat[0] + len(flat))):
                return _index_expr(data, [*prefix, _slice_text(flat[0], flat[-1] + 1, 1, size)])
            return _index_expr(data, [*prefix, str(flat)])
    index = n.arg(1)
    if indices is None or (indices < 0).any():
        index = f"{index} % {size}"
    return _index_expr(data, [*prefix, index])


# torch's names of the ONNX Pad modes other than 'constant'.
_TORCH_PAD_MODES = {"reflect": "reflect", "edge": "replicate", "wrap": "circular"}


@_kernel("Pad")
def _pad(n: _Node) -> str:
    """Pad in the constant, reflect, edge and wrap modes: `F.pad` where torch accepts the pads, else the `onnx_pad` helper."""
    x = n.arg(0)
    shape = n.shape(0)
    rank = len(shape)
    mode = str(n.attr("mode"))
    pads = n.ints(1)
    axes = n.ints(3) if n.has(3) else None
    value = n.value(2)
    keywords = {}
    if mode == "constant" and n.has(2):
        if value is None:
            keywords["value"] = f"{n.arg(2)}.item()"
        elif value.any():
            keywords["value"] = _scalar(value.item(), n.dtype(0))
    if pads is None or (n.has(3) and axes is None):
        if n.has(3):
            keywords["axes"] = f"{n.arg(3)}.tolist()" if axes is None else _tuple(axes)
        pads_text = f"{n.arg(1)}.tolist()" if pads is None else _tuple(pads)
        return n.call("onnx_pad", x, pads_text, literal(mode), **keywords)
    widths = pad_widths(pads, rank, axes)
    flat = torch_pad_arg(widths)
    if not flat:
        return x
    if mode == "constant":
        return f"F.pad({x}, {_tuple(flat)}{_keywords(**keywords)})"
    padded = max(len(flat) // 2, rank - 2)
    fits = all(_torch_pad_fits(mode, width, dim) for pair, dim in zip(widths, shape, strict=True) for width in pair)
    # torch pads the last 1-3 axes of a tensor that has one or two more axes.
    if fits and 1 <= padded <= 3 and padded < rank:
        flat += (0,) * (2 * padded - len(flat))
        return f"F.pad({x}, {_tuple(flat)}, mode={literal(_TORCH_PAD_MODES[mode])})"
    full = [before for before, _ in widths] + [after for _, after in widths]
    return n.call("onnx_pad", x, _tuple(full), literal(mode))


def _torch_pad_fits(mode: str, width: int, dim: int) -> bool:
    """Whether torch's counterpart of ONNX pad `mode` accepts padding an axis of size `dim` by `width`."""
    if width < 0:
        return False
    if mode == "reflect":
        return width < dim
    return mode == "edge" or width <= dim


@_kernel("Resize")
def _resize(n: _Node) -> str:
    """Resize: `F.interpolate` where it reproduces ONNX exactly, else the `onnx_resize` helper."""
    shape = n.shape(0)
    rank = len(shape)
    mode = str(n.attr("mode"))
    coordinate_mode = str(n.attr("coordinate_transformation_mode"))
    axes = [axis % rank for axis in n.int_list("axes", list(range(rank)))]
    scales, stretched_sizes = _resize_scales(n, axes)
    if n.attr("antialias") and min(scales) < 1:
        raise n.fail("antialiased downscaling is not supported")
    x = n.arg(0)
    if n.out_shape == shape:
        return x
    float_data = n.dtype(0) in _FLOAT_TYPES
    if mode != "nearest" and not float_data:
        raise n.fail(f"{mode} resizing of {n.dtype(0)} is not supported")
    # torch interpolates only floats, and to non-empty outputs; the helper gathers any type and size.
    if coordinate_mode != "tf_crop_and_resize" and float_data and 0 not in n.out_shape:
        interpolate = _interpolate(n, x, scales, stretched_sizes, mode, coordinate_mode)
        if interpolate is not None:
            return interpolate
    keywords = {}
    if mode == "nearest":
        keywords["nearest_mode"] = literal(str(n.attr("nearest_mode")))
    if mode == "cubic":
        keywords["cubic_coeff_a"] = n.float_text("cubic_coeff_a")
        if n.attr("exclude_outside"):
            keywords["exclude_outside"] = "True"
    if coordinate_mode == "tf_crop_and_resize":
        keywords["extrapolation_value"] = n.float_text("extrapolation_value")
        keywords["roi"] = _tuple(_float(value) for value in _resize_roi(n, axes))
    return n.call(
        "onnx_resize",
        x,
        _tuple(n.out_shape),
        _tuple(_float(scale) for scale in scales),
        literal(mode),
        literal(coordinate_mode),
        **keywords,
    )


def _resize_scales(n: _Node, axes: list[int]) -> tuple[list[float], bool]:
    """The full-rank float32 scales ONNX Resize uses, and whether they came from `sizes` stretched per axis."""
    shape = n.shape(0)
    scales = [1.0] * len(shape)
    sizes_value = n.value(3)
    if n.has(3) and (sizes_value is None or sizes_value.size):
        policy = n.attr("keep_aspect_ratio_policy")
        sizes = n.ints(3)
        if sizes is None:
            if policy != "stretch":
                raise n.fail("non-constant sizes with keep_aspect_ratio_policy are not supported")
            sizes = [n.out_shape[axis] for axis in axes]
        for axis, size in zip(axes, sizes, strict=True):
            if shape[axis]:
                scales[axis] = float(np.float32(size) / np.float32(shape[axis]))
        if policy != "stretch":
            common = (min if policy == "not_larger" else max)(scales[axis] for axis in axes)
            for axis in axes:
                scales[axis] = common
        return scales, policy == "stretch"
    given = n.value(2)
    if given is None or not given.size:
        raise n.fail("needs constant scales or sizes")
    for axis, scale in zip(axes, given.reshape(-1), strict=True):
        scales[axis] = float(np.float32(scale))
    return scales, False


def _resize_roi(n: _Node, axes: list[int]) -> list[float]:
    """The full-rank region of interest (starts, then ends) of a 'tf_crop_and_resize' Resize."""
    rank = len(n.shape(0))
    roi = n.value(1)
    if roi is None:
        raise n.fail("tf_crop_and_resize needs a constant roi")
    given = [float(value) for value in roi.reshape(-1)]
    full = [0.0] * rank + [1.0] * rank
    for position, axis in enumerate(axes):
        full[axis] = given[position]
        full[axis + rank] = given[position + len(axes)]
    return full


def _interpolate(
    n: _Node, x: str, scales: list[float], stretched_sizes: bool, mode: str, coordinate_mode: str
) -> str | None:
    """`F.interpolate` computing the Resize exactly as ONNX does, or None when it cannot."""
    shape, out = n.shape(0), n.out_shape
    spatial = len(shape) - 2
    if not 1 <= spatial <= 3 or scales[0] != 1.0 or scales[1] != 1.0:
        return None
    in_sizes, out_sizes = shape[2:], out[2:]
    # torch reads a scale factor back from its printed text, so checks use that value.
    factors = [float(_float(scale)) for scale in scales[2:]]
    if stretched_sizes:
        size_arg = f"size={_tuple(out_sizes)}"
        probes: list[tuple[int | None, float | None]] = [(size, None) for size in out_sizes]
    elif all(math.floor(size * factor) == o for size, factor, o in zip(in_sizes, factors, out_sizes, strict=True)):
        size_arg = f"scale_factor={_tuple(_float(scale) for scale in scales[2:])}"
        probes = [(None, factor) for factor in factors]
    else:
        return None
    if mode == "nearest":
        wanted = [
            torch.arange(o)
            if scale == 1.0
            else nearest_indices(resize_coordinates(size, o, scale, coordinate_mode), size, str(n.attr("nearest_mode")))
            for size, o, scale in zip(in_sizes, out_sizes, scales[2:], strict=True)
        ]
        for torch_mode in ("nearest", "nearest-exact"):
            if all(
                torch.equal(_torch_nearest_indices(size, torch_mode, probe), indices)
                for size, probe, indices in zip(in_sizes, probes, wanted, strict=True)
            ):
                return f"F.interpolate({x}, {size_arg}, mode={literal(torch_mode)})"
        return None
    # torch copies an axis whose size does not change, whatever its scale factor.
    if any(size == o and scale != 1.0 for size, o, scale in zip(in_sizes, out_sizes, scales[2:], strict=True)):
        return None
    if coordinate_mode == "align_corners":
        align_corners = True
    elif coordinate_mode == "half_pixel" or (coordinate_mode == "pytorch_half_pixel" and min(out_sizes) > 1):
        align_corners = False
    else:
        return None
    if mode == "cubic":
        if spatial != 2 or n.attr("cubic_coeff_a") != -0.75 or n.attr("exclude_outside"):
            return None
        torch_mode = "bicubic"
    else:
        torch_mode = ("linear", "bilinear", "trilinear")[spatial - 1]
    return f"F.interpolate({x}, {size_arg}, mode={literal(torch_mode)}, align_corners={align_corners})"


def _torch_nearest_indices(size: int, mode: str, probe: tuple[int | None, float | None]) -> torch.Tensor:
    """The source indices `F.interpolate` reads along one axis given its (size, scale_factor), found by resampling the indices."""
    positions = torch.arange(size, dtype=torch.float32).reshape(1, 1, size)
    out_size, factor = probe
    return F.interpolate(positions, out_size, factor, mode=mode).reshape(-1).long()


def _auto_pads(
    n: _Node, sizes: Sequence[int], kernel: Sequence[int], strides: list[int], dilations: list[int]
) -> tuple[list[int], list[int]]:
    """Begin and end pads of each spatial axis of a convolution or pooling, from `auto_pad` or `pads`."""
    rank = len(kernel)
    auto_pad = n.attr("auto_pad")
    if auto_pad == "VALID":
        return [0] * rank, [0] * rank
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        begins, ends = [], []
        for size, k, stride, dilation in zip(sizes, kernel, strides, dilations, strict=True):
            total = max(0, (-(-size // stride) - 1) * stride + (k - 1) * dilation + 1 - size)
            head = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
            begins.append(head)
            ends.append(total - head)
        return begins, ends
    pads = n.int_list("pads", [0] * 2 * rank)
    return pads[:rank], pads[rank:]


def _spatial_keywords(
    strides: list[int] | None = None, padding: list[int] | None = None, dilations: list[int] | None = None
) -> dict[str, str]:
    """`stride`/`padding`/`dilation` keywords of torch convolutions and pools, leaving out the defaults."""
    keywords = {}
    for name, values, default in (("stride", strides, 1), ("padding", padding, 0), ("dilation", dilations, 1)):
        if values is not None and any(value != default for value in values):
            keywords[name] = _tuple(values)
    return keywords


def _conv_rank(n: _Node) -> int:
    """The number of spatial axes of a convolution (1 to 3)."""
    rank = len(n.shape(1)) - 2
    if not 1 <= rank <= 3:
        raise n.fail(f"{rank}-D convolution is not supported")
    return rank


@_kernel("Conv")
def _conv(n: _Node) -> str:
    """Conv: `F.convNd`, asymmetric pads applied by `F.pad` first."""
    rank = _conv_rank(n)
    kernel = n.shape(1)[2:]
    strides = n.int_list("strides", [1] * rank)
    dilations = n.int_list("dilations", [1] * rank)
    begins, ends = _auto_pads(n, n.shape(0)[2:], kernel, strides, dilations)
    x = n.arg(0)
    if begins != ends:
        x = f"F.pad({x}, {_tuple(torch_pad_arg(list(zip(begins, ends, strict=True))))})"
        begins = [0] * rank
    args = [x, n.arg(1)] + ([n.arg(2)] if n.has(2) else [])
    keywords = _spatial_keywords(strides, begins, dilations)
    if n.attr("group") != 1:
        keywords["groups"] = str(n.attr("group"))
    return f"F.conv{rank}d({', '.join(args)}{_keywords(**keywords)})"


@_kernel("ConvTranspose")
def _conv_transpose(n: _Node) -> str:
    """ConvTranspose: `F.conv_transposeNd`, with a slice for pads torch cannot express."""
    rank = _conv_rank(n)
    kernel = n.shape(1)[2:]
    strides = n.int_list("strides", [1] * rank)
    dilations = n.int_list("dilations", [1] * rank)
    adjustments = n.int_list("output_padding", [0] * rank)
    out_sizes = n.out_shape[2:]
    # Length of the unpadded output, output_padding included, along each spatial axis.
    full = [
        (size - 1) * stride + (k - 1) * dilation + 1 + adjustment
        for size, stride, k, dilation, adjustment in zip(
            n.shape(0)[2:], strides, kernel, dilations, adjustments, strict=True
        )
    ]
    auto_pad = n.attr("auto_pad")
    if n.int_list("output_shape", []) or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        begins, ends = [], []
        for length, size in zip(full, out_sizes, strict=True):
            # A longer output than the full one extends the tail: a negative end pad.
            total = length - size
            head = max(0, total // 2 if auto_pad == "SAME_UPPER" else total - total // 2)
            begins.append(head)
            ends.append(total - head)
    else:
        begins, ends = _auto_pads(n, n.shape(0)[2:], kernel, strides, dilations)
    padding, output_padding, crops = [], [], []
    for begin, end, adjustment, stride, dilation, length, size in zip(
        begins, ends, adjustments, strides, dilations, full, out_sizes, strict=True
    ):
        if begin < 0 or length - begin - end != size:
            raise n.fail("pads do not match the output shape")
        # torch crops `padding` at both ends and extends the tail by `output_padding`.
        if 0 <= adjustment + begin - end < max(stride, dilation):
            padding.append(begin)
            output_padding.append(adjustment + begin - end)
            crops.append(":")
        elif end >= 0 and adjustment < max(stride, dilation):
            padding.append(min(begin, end))
            output_padding.append(adjustment)
            cropped = size + begin + end - 2 * min(begin, end)
            crops.append(_slice_text(begin - padding[-1], cropped - (end - padding[-1]), 1, cropped))
        else:
            raise n.fail("the output extends past what torch's output_padding (below stride or dilation) reaches")
    args = [n.arg(0), n.arg(1)] + ([n.arg(2)] if n.has(2) else [])
    keywords = _spatial_keywords(strides, padding)
    if any(output_padding):
        keywords["output_padding"] = _tuple(output_padding)
    if n.attr("group") != 1:
        keywords["groups"] = str(n.attr("group"))
    keywords |= _spatial_keywords(dilations=dilations)
    return _index_expr(f"F.conv_transpose{rank}d({', '.join(args)}{_keywords(**keywords)})", [":", ":", *crops])


def _pool_size(size: int, begin: int, end: int, window: int, stride: int, ceil_mode: bool) -> int:
    """Output length of a pooling; with ceil_mode a last window starting in the end padding is dropped (ONNX and torch)."""
    count = (size + begin + end - window + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (count - 1) * stride >= size + begin:
        count -= 1
    return count


@_kernel("MaxPool", "AveragePool")
def _pool(n: _Node) -> str:
    """MaxPool, AveragePool: `F.max_poolNd`/`F.avg_poolNd`, pads torch cannot express applied first."""
    n.single_output()
    is_max = n.node.op_type == "MaxPool"
    kernel = n.int_list("kernel_shape", [])
    rank = len(kernel)
    if not 1 <= rank <= 3:
        raise n.fail(f"{rank}-D pooling is not supported")
    dtype = n.dtype(0)
    if dtype not in _FLOAT_TYPES and not (is_max and dtype in ("int8", "uint8")):
        raise n.fail(f"{dtype} pooling is not supported")
    strides = n.int_list("strides", [1] * rank)
    dilations = n.int_list("dilations", [1] * rank)
    if not is_max and dilations != [1] * rank:
        raise n.fail("dilated average pooling is not supported")
    ceil_mode = bool(n.attr("ceil_mode"))
    include_pad = not is_max and bool(n.attr("count_include_pad"))
    sizes = n.shape(0)[2:]
    begins, ends = _auto_pads(n, sizes, kernel, strides, dilations)
    windows = [(k - 1) * dilation + 1 for k, dilation in zip(kernel, dilations, strict=True)]
    out_sizes = n.out_shape[2:]
    expected = tuple(map(_pool_size, sizes, begins, ends, windows, strides, [ceil_mode] * rank))
    if expected != out_sizes:
        raise n.fail(f"pooling gives spatial shape {expected}, not {out_sizes}")
    x = n.arg(0)
    # torch pads symmetrically by at most half the (undilated) kernel; other pads go before the pooling.
    prepadded = begins != ends or any(2 * pad > k for pad, k in zip(begins, kernel, strict=True))
    padding = [0] * rank if prepadded else begins
    if prepadded:
        sizes = [size + begin + end for size, begin, end in zip(sizes, begins, ends, strict=True)]
        widths = _tuple(torch_pad_arg(list(zip(begins, ends, strict=True))))
        if is_max:
            lowest = "-torch.inf" if dtype in _FLOAT_TYPES else str(torch.iinfo(TORCH_DTYPES[dtype]).min)
            x = f"F.pad({x}, {widths}, value={lowest})"
        elif include_pad:
            x = f"F.pad({x}, {widths})"
    # After explicit padding, ceil_mode can give a last window starting in the end padding, which ONNX drops.
    counts = map(_pool_size, sizes, padding, padding, windows, strides, [ceil_mode] * rank)
    crops = [":", ":"] + [_slice_text(0, size, 1, count) for count, size in zip(counts, out_sizes, strict=True)]
    if prepadded and not is_max and not include_pad:
        call = n.call(
            "avg_pool_exclude_pad", x, _tuple(kernel), _tuple(strides), _tuple(begins + ends), str(ceil_mode)
        )
        return _index_expr(call, crops)
    keywords = {"stride": _tuple(strides)} | _spatial_keywords(padding=padding)
    if is_max:
        keywords |= _spatial_keywords(dilations=dilations)
    if ceil_mode:
        keywords["ceil_mode"] = "True"
    if not is_max and not include_pad and any(padding):
        keywords["count_include_pad"] = "False"
    function = f"F.max_pool{rank}d" if is_max else f"F.avg_pool{rank}d"
    return _index_expr(f"{function}({x}, {_tuple(kernel)}{_keywords(**keywords)})", crops)


@_kernel("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(n: _Node) -> str:
    """GlobalAveragePool, GlobalMaxPool: a reduction over the spatial axes keeping them."""
    x = n.arg(0)
    dims = tuple(range(2, len(n.shape(0))))
    if not dims:
        return x
    method = "mean" if n.node.op_type == "GlobalAveragePool" else "amax"
    return f"{x}.{method}(dim={_tuple(dims)}, keepdim=True)"


@_kernel("LRN")
def _lrn(n: _Node) -> str:
    """LRN across channels: the `onnx_lrn` helper, which is faster than `F.local_response_norm` and takes even sizes."""
    alpha, beta, bias = (n.float_text(name) for name in ("alpha", "beta", "bias"))
    return n.call("onnx_lrn", n.arg(0), str(n.int_attr("size")), alpha, beta, bias)


@_kernel("BatchNormalization")
def _batch_norm(n: _Node) -> str:
    """BatchNormalization in inference mode, from the running statistics."""
    n.single_output()
    if n.attr("training_mode"):
        raise n.fail("training mode is not supported")
    x, scale, bias, mean, var = n.args()
    return f"F.batch_norm({x}, {mean}, {var}, {scale}, {bias}, eps={n.float_text('epsilon')})"


@_kernel("InstanceNormalization")
def _instance_norm(n: _Node) -> str:
    """InstanceNormalization with per-channel scale and bias: a group norm with a group per channel.

    `torch.group_norm` is the aten op: `F.instance_norm` and `F.group_norm` refuse a
    single spatial element, where ONNX gives the bias.
    """
    x, scale, bias = n.args()
    channels = n.shape(0)[1]
    return f"torch.group_norm({x}, {channels}, {scale}, {bias}, {n.float_text('epsilon')})"


@_kernel("LayerNormalization")
def _layer_norm(n: _Node) -> str:
    """LayerNormalization over the axes from `axis` on; only the normalized output."""
    n.single_output()
    shape = n.shape(0)
    normalized = shape[n.int_attr("axis") % len(shape) :]
    eps = n.float_text("epsilon")
    x, scale = n.arg(0), n.arg(1)
    bias = n.arg(2) if n.has(2) else None
    if n.shape(1) == normalized and (bias is None or n.shape(2) == normalized):
        affine = [scale] if bias is None else [scale, bias]
        return f"F.layer_norm({x}, {_tuple(normalized)}, {', '.join(affine)}, eps={eps})"
    expr = f"F.layer_norm({x}, {_tuple(normalized)}, eps={eps}) * {scale}"
    return expr if bias is None else f"{expr} + {bias}"


@_kernel("Dropout")
def _dropout(n: _Node) -> str:
    """Dropout in inference: the input itself, and an all-true mask when requested."""
    if n.has(2):
        training = n.value(2)
        if training is None or training.any():
            raise n.fail("training mode (or a non-constant training_mode) is not supported")
    x = n.arg(0)
    if len(n.node.output_types) == 1:
        return x
    return f"({x}, torch.ones({_tuple(n.node.output_types[1][0])}, dtype=torch.bool))"


@_kernel("Gemm")
def _gemm(n: _Node) -> str:
    """Gemm: alpha * A' @ B' + beta * C, as `F.linear` when it is a plain linear layer."""
    alpha, beta = n.float_attr("alpha"), n.float_attr("beta")
    a, b = n.arg(0), n.arg(1)
    if n.attr("transA"):
        a = f"{a}.t()"
    with_c = n.has(2) and beta != 0.0
    if n.attr("transB") and alpha == 1.0 and (not with_c or (beta == 1.0 and n.shape(2) == n.out_shape[1:])):
        return f"F.linear({a}, {b}{', ' + n.arg(2) if with_c else ''})"
    if n.attr("transB"):
        b = f"{b}.t()"
    if with_c:
        keywords = {name: _float(value) for name, value in (("beta", beta), ("alpha", alpha)) if value != 1.0}
        return f"torch.addmm({n.arg(2)}, {a}, {b}{_keywords(**keywords)})"
    return f"{a} @ {b}" if alpha == 1.0 else f"({a} @ {b}) * {_float(alpha)}"


# Tensor methods computing the ONNX reductions.
_REDUCTIONS = {"ReduceMean": "mean", "ReduceSum": "sum", "ReduceMax": "amax"}


@_kernel(*_REDUCTIONS)
def _reduce(n: _Node) -> str:
    """ReduceMean, ReduceSum, ReduceMax with `axes` as an input, `keepdims` and `noop_with_empty_axes`."""
    shape = n.shape(0)
    keepdims = bool(n.attr("keepdims"))
    method = _REDUCTIONS[n.node.op_type]
    if method == "mean" and n.dtype(0) not in _FLOAT_TYPES:
        raise n.fail(f"{n.dtype(0)} mean is not supported")
    keyword = ", keepdim=True" if keepdims else ""
    x = n.arg(0)
    axes = n.ints(1) if n.has(1) else []
    if axes is None:
        if keepdims:
            # Reducing an axis of size 1 keeps its values, so the shapes tell the axes that matter.
            axes = [axis for axis, (size, out) in enumerate(zip(shape, n.out_shape, strict=True)) if size != out]
            if not axes:
                return x
        elif len(n.out_shape) == len(shape):
            # Only empty axes with noop_with_empty_axes keep the rank.
            return x
        else:
            # torch reduces every axis for an empty list, as ONNX does without noop_with_empty_axes.
            return f"{x}.{method}(dim={n.arg(1)}.tolist())"
    if not axes:
        if n.attr("noop_with_empty_axes"):
            return x
        axes = list(range(len(shape)))
    dims = sorted(axis % len(shape) for axis in axes)
    if method == "amax" and any(shape[d] == 0 for d in dims):
        # The maximum of nothing is the type's lowest value (ONNX); torch refuses empty reductions.
        dtype = n.out_dtype
        lowest = "-torch.inf" if dtype in _FLOAT_TYPES else "False" if dtype == "bool" else str(torch.iinfo(TORCH_DTYPES[dtype]).min)
        return f"torch.full({_tuple(n.out_shape)}, {lowest}, dtype=torch.{dtype})"
    return f"{x}.{method}(dim={_tuple(dims)}{keyword})"


@_kernel("ArgMax")
def _argmax(n: _Node) -> str:
    """ArgMax along `axis`, the first or (`select_last_index`) last maximum."""
    shape = n.shape(0)
    axis = n.int_attr("axis") % len(shape)
    keyword = ", keepdim=True" if n.attr("keepdims") else ""
    x = n.arg(0)
    if n.attr("select_last_index"):
        # torch returns the first maximum; searching the flipped tensor finds the last.
        return f"{shape[axis] - 1} - torch.argmax({x}.flip({axis}), dim={axis}{keyword})"
    return f"torch.argmax({x}, dim={axis}{keyword})"


# Fast paths. The code generator uses these instead of the kernels above where it
# fuses ops, prepares weights at load or reuses a dead input's storage; they compute
# the same values (to rounding) with fewer passes over memory.


@dataclass(frozen=True)
class Activation:
    """An activation oneDNN applies inside a convolution: its post-op name and scalars."""

    name: str
    scalars: tuple[float, ...] = ()


def fusable_activation(node: KernelNode) -> Activation | None:
    """The convolution post-op computing `node` on the convolution's output, or None when there is none.

    Only activations that round nothing (Relu, Clip) are fused, so a fused
    convolution gives the same bits as the two ops apart, as they run when the
    schedule puts them on different streams.
    """
    n = _Node(node)
    if node.op_type == "Relu":
        return Activation("relu")
    if node.op_type == "Clip":
        low, high = n.value(1), n.value(2)
        if low is not None and high is not None and -math.inf < low.item() <= high.item() < math.inf:
            return Activation("hardtanh", (float(low.item()), float(high.item())))
    return None


def _conv2d_parameters(n: _Node) -> tuple[list[int], list[int], list[int], int] | None:
    """Padding, stride, dilation and groups of a 2-D float32 Conv with symmetric pads, else None."""
    if n.node.op_type != "Conv" or len(n.shape(1)) != 4 or n.dtype(0) != "float32" or n.dtype(1) != "float32":
        return None
    strides = n.int_list("strides", [1, 1])
    dilations = n.int_list("dilations", [1, 1])
    begins, ends = _auto_pads(n, n.shape(0)[2:], n.shape(1)[2:], strides, dilations)
    if begins != ends:
        return None
    return begins, strides, dilations, n.int_attr("group")


def conv2d_call(conv: KernelNode, activation: KernelNode | None = None) -> KernelCall | None:
    """The `conv2d` helper call computing a 2-D float32 Conv and then `activation` on its result.

    None when the Conv is not one `conv2d` computes (other ranks or types,
    asymmetric pads) or the activation is not fusable; the plain kernels apply then.
    """
    n = _Node(conv)
    parameters = _conv2d_parameters(n)
    fused = None if activation is None else fusable_activation(activation)
    if parameters is None or (activation is not None and fused is None):
        return None
    padding, strides, dilations, groups = parameters
    args = [n.arg(0), n.arg(1), n.arg(2) if n.has(2) else "None"]
    keywords = _spatial_keywords(strides, padding, dilations)
    if groups != 1:
        keywords["groups"] = str(groups)
    if fused is not None:
        keywords["activation"] = literal(fused.name)
        if fused.scalars:
            keywords["scalars"] = _tuple(_float(value) for value in fused.scalars)
    n.helpers.add("conv2d")
    return KernelCall(f"conv2d({', '.join(args)}{_keywords(**keywords)})", frozenset(n.helpers), frozenset(n.used))


def prepack_conv2d_call(conv: KernelNode) -> KernelCall | None:
    """The load-time call preparing the weight (input 1) of a Conv that `conv2d_call` computes, else None."""
    n = _Node(conv)
    parameters = _conv2d_parameters(n)
    if parameters is None:
        return None
    padding, strides, dilations, groups = parameters
    args = [n.arg(1), _tuple(strides), _tuple(padding), _tuple(dilations), str(groups), _tuple(n.shape(0))]
    return KernelCall(n.call("prepack_conv2d", *args), frozenset(n.helpers), frozenset(n.used))


FRESH_RESULT_OPS = frozenset(
    {
        "Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Conv", "ConvTranspose", "Div", "Erf",
        "Exp", "Gelu", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "HardSwish", "LRN",
        "LayerNormalization", "LeakyRelu", "MatMul", "MaxPool", "Mul", "Neg", "Pow", "Relu", "Sigmoid",
        "Softmax", "Sqrt", "Sub", "Sum", "Tanh",
    }
)  # fmt: skip
"""Ops whose kernel returns a tensor no other tensor shares storage with, unless the expression is just an input."""

# Binary ops whose in-place tensor method overwrites the first operand.
_INPLACE_METHODS = {"Add": "add_", "Sub": "sub_", "Mul": "mul_", "Div": "div_"}


def inplace_call(node: KernelNode) -> KernelCall | None:
    """`node`'s kernel writing its result over its first input, or None when it has no such form.

    The caller must know that nothing reads the first input afterwards and that
    no other live tensor shares its storage.
    """
    n = _Node(node)
    op_type = node.op_type
    if len(node.output_types) != 1 or n.shape(0) != n.out_shape or n.dtype(0) != n.out_dtype or n.out_dtype not in _FLOAT_TYPES:
        return None
    if op_type in ("Relu", "Sigmoid", "Tanh"):
        expr = f"torch.{op_type.lower()}_({n.arg(0)})"
    elif op_type in _INPLACE_METHODS:
        expr = f"{n.arg(0)}.{_INPLACE_METHODS[op_type]}({n.arg(1)})"
    elif op_type == "Clip" and (fused := fusable_activation(node)) is not None:
        low, high = fused.scalars
        expr = f"{n.arg(0)}.clamp_({_float(low)}, {_float(high)})"
    else:
        return None
    return KernelCall(expr, frozenset(), frozenset(n.used))


def supported_ops() -> frozenset[str]:
    """The ONNX op types `emit` has a kernel for."""
    return frozenset(_KERNELS)


def emit(node: KernelNode) -> KernelCall:
    """The torch expression computing `node`; raises UnsupportedKernel when there is no exact one."""
    emitter = _KERNELS.get(node.op_type)
    if emitter is None:
        raise UnsupportedKernel(f"{node.op_type}: no kernel for this op")
    for sig in (*node.input_types, *node.output_types):
        if sig is not None and sig[1] not in TORCH_DTYPES:
            raise UnsupportedKernel(f"{node.op_type}: element type {sig[1]} is not supported")
    n = _Node(node)
    expr = emitter(n)
    return KernelCall(expr, frozenset(n.helpers), frozenset(n.used))


def _placeholder(index: int) -> str:
    """The name `evaluate` gives input `index`."""
    return f"arg{index}"


@functools.cache
def _compiled(expr: str, arity: int, helpers: frozenset[str]) -> Callable[..., torch.Tensor | tuple[torch.Tensor, ...]]:
    """`expr` compiled as a function of the placeholder-named inputs, in the expression namespace."""
    namespace: dict[str, object] = {"torch": torch, "F": F}
    namespace.update((name, getattr(runtime_helpers, name)) for name in helpers)
    params = ", ".join(_placeholder(index) for index in range(arity))
    return eval(f"lambda {params}: {expr}", namespace)


def evaluate(
    node: KernelNode,
    values: Sequence[torch.Tensor | None],
    make: Callable[[KernelNode], KernelCall | None] = emit,
) -> list[torch.Tensor]:
    """Compute `node`'s outputs from its input values with the expression `make` gives (default `emit`).

    The inputs are renamed to placeholders before emitting, so the evaluated
    expression is `make(node).expr` up to input names and one compiled function
    serves every node with the same expression. `values` holds one tensor per input;
    inputs that are absent or not in `inputs_used` may be None. `make` may be a fast
    path (`conv2d_call`, `prepack_conv2d_call`); UnsupportedKernel when it gives None.
    """
    if len(values) != len(node.inputs):
        raise ValueError(f"{node.op_type}: {len(values)} values for {len(node.inputs)} inputs")
    inputs = tuple(None if expr is None else _placeholder(index) for index, expr in enumerate(node.inputs))
    call = make(replace(node, inputs=inputs))
    if call is None:
        raise UnsupportedKernel(f"{node.op_type}: no such fast path")
    result = _compiled(call.expr, len(inputs), call.helpers)(*values)
    return [result] if isinstance(result, torch.Tensor) else list(result)


@functools.cache
def _helper_functions() -> dict[str, Callable[..., object]]:
    """The public functions of `ramiel.runtime_helpers`, in the order they are defined."""
    functions = [
        value
        for name, value in vars(runtime_helpers).items()
        if inspect.isfunction(value) and value.__module__ == runtime_helpers.__name__ and not name.startswith("_")
    ]
    functions.sort(key=lambda function: function.__code__.co_firstlineno)
    return {function.__name__: function for function in functions}


@functools.cache
def _helper_dependencies(name: str) -> frozenset[str]:
    """The other helpers that helper `name` calls directly."""
    tree = ast.parse(inspect.getsource(_helper_functions()[name]))
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return frozenset(names & _helper_functions().keys() - {name})


def helper_source(names: Iterable[str]) -> str:
    """Source of the named helpers and of the helpers they call, in definition order, ready to paste into a module."""
    functions = _helper_functions()
    needed: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in functions:
            raise KeyError(f"no runtime helper named {name!r}")
        if name not in needed:
            needed.add(name)
            pending.extend(_helper_dependencies(name))
    return "\n\n".join(inspect.getsource(function) for name, function in functions.items() if name in needed)
