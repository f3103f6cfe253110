"""The torch kernel toolkit: how an op writes its kernel, and running kernels at compile time.

A `dfg` op's kernel (`DfgOp.KERNEL`, declared with the op) is a function that
turns a `KernelWriter` over the op's view (`ramiel.opview.OpView`, a plain
description of one ONNX node whose shapes are all static) into one Python
expression computing the op's outputs from its input expressions. The same
expression serves three consumers: constant folding and op profiling run it
through `evaluate`, and the code printer pastes it into the generated file, so a
folded constant equals what the generated code would compute.

Expression namespace: an expression refers only to its input expressions, `torch`,
`F` (`torch.nn.functional`), Python builtins and the functions named in
`KernelCall.helpers`, which live in `ramiel.runtime_helpers` and whose source
`helper_source` returns. A generated file therefore needs only `import torch` and
`import torch.nn.functional as F` besides the pasted helpers.

Output convention: the expression evaluates to a tensor when the node has one
output, and to a tuple of tensors, one per output, otherwise.

Static shapes become literals wherever possible (`x.reshape(1, 1024)`), and constant
operands (`OpView.input_values`) are folded into the expression (slice bounds,
pads, axes, scales); runtime operands are read with `.tolist()`/`.item()` or passed to
a helper only when they are not constant. Strings from the model go through
`ramiel.codegen.escape.literal`.

This module imports torch only when a kernel is run (`evaluate`) or a helper's
source is read: writing kernels, which the dialect does when it is loaded, does not.
"""

from __future__ import annotations

import ast
import functools
import inspect
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ramiel.onnx_types import ELEMENT_TYPES, UNKNOWN
from ramiel.opview import AttrValue, OpView, TensorSig

if TYPE_CHECKING:
    import torch

FLOAT_TYPES = frozenset({"float16", "bfloat16", "float32", "float64"})
"""The floating-point element type names."""

KERNEL_TYPES = frozenset(t.name for t in ELEMENT_TYPES if t.supported)
"""The element type names kernels handle (torch names them alike: `torch.<name>`)."""


def torch_dtype(name: str) -> torch.dtype:
    """The torch dtype of an element type name."""
    import torch

    return getattr(torch, name)


class UnsupportedKernel(Exception):
    """An op, or a combination of its attributes, inputs or types, that has no exact torch kernel here."""


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


Kernel = Callable[["KernelWriter"], str]
"""An op's kernel: the expression it writes with a `KernelWriter`."""


class KernelWriter:
    """An op being written as a kernel: typed access to its inputs and attributes, recording the inputs and helpers used."""

    def __init__(self, node: OpView) -> None:
        """Start writing `node` with no inputs or helpers used yet."""
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
        return expr if is_atom(expr) else f"({expr})"

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
        """The static shape of input `index`, which must have no dimension of unknown size."""
        return self._known(self._sig(index)[0], f"input {index}")

    def rank(self, index: int = 0) -> int:
        """The rank of input `index`, whatever its sizes."""
        return len(self._sig(index)[0])

    def dims(self, index: int = 0) -> tuple[int, ...]:
        """The shape of input `index`, `UNKNOWN` where the values decide a size."""
        return tuple(self._sig(index)[0])

    def _known(self, shape: Sequence[int], what: str) -> tuple[int, ...]:
        # A kernel that writes a size into its code cannot serve every run when the
        # values decide that size.
        if UNKNOWN in shape:
            raise self.fail(f"the kernel needs the sizes of {what}, which only the values decide")
        return tuple(shape)

    def dtype(self, index: int = 0) -> str:
        """The element type name of input `index`."""
        return self._sig(index)[1]

    @property
    def out_shape(self) -> tuple[int, ...]:
        """The static shape of the first output, which must have no dimension of unknown size."""
        return self._known(self.node.output_types[0][0], "output 0")

    @property
    def out_dims(self) -> tuple[int, ...]:
        """The shape of the first output, `UNKNOWN` where the values decide a size."""
        return tuple(self.node.output_types[0][0])

    @property
    def out_rank(self) -> int:
        """The rank of the first output, whatever its sizes."""
        return len(self.node.output_types[0][0])

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
        return float_literal(self.float_attr(name))

    def int_list(self, name: str, default: list[int]) -> list[int]:
        """An optional list-of-ints attribute without schema default; `default` when missing or empty."""
        value = self.node.attrs.get(name)
        return [int(item) for item in value] if isinstance(value, list | tuple) and value else default

    def call(self, helper: str, *args: str, **keywords: str) -> str:
        """A call of a runtime helper with the given argument texts; records the helper."""
        self.helpers.add(helper)
        return f"{helper}({', '.join(args)}{keyword_args(**keywords)})"

    def single_output(self) -> None:
        """Fail unless the node requests only its first output."""
        if len(self.node.output_types) > 1:
            raise self.fail("only the first output is supported")


@functools.cache
def is_atom(expr: str) -> bool:
    """Whether `expr` can be an operand or a method receiver without brackets."""
    try:
        tree = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return False
    return isinstance(tree, ast.Name | ast.Attribute | ast.Subscript | ast.Call | ast.Constant)


def float_literal(value: float, dtype: str = "float32") -> str:
    """A float literal that gives back `value` in `dtype` (ONNX float attributes are float32)."""
    if math.isnan(value):
        return "torch.nan"
    if math.isinf(value):
        return "torch.inf" if value > 0 else "-torch.inf"
    if dtype == "float64":
        return repr(float(value))
    # numpy prints the shortest text that reads back as the same value of its type.
    return str(np.float16(value) if dtype == "float16" else np.float32(value))


def scalar_literal(value: float, dtype: str) -> str:
    """A Python literal for one element of type `dtype`."""
    if dtype == "bool":
        return repr(bool(value))
    if dtype in FLOAT_TYPES:
        return float_literal(float(value), dtype)
    return repr(int(value))


def tuple_literal(values: Iterable[object]) -> str:
    """A tuple literal: `(1, 2)`, `(1,)` or `()`."""
    items = [str(value) for value in values]
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def varargs(shape: Sequence[int]) -> str:
    """Dimensions as the varargs of `reshape`/`expand`/`repeat`/`permute`."""
    return ", ".join(str(dim) for dim in shape) if shape else "()"


def keyword_args(**values: object) -> str:
    """`, name=value` for each given keyword, in order."""
    return "".join(f", {name}={value}" for name, value in values.items())


def slice_text(lo: int, hi: int, stride: int, size: int) -> str:
    """`lo:hi:stride` with the parts that are defaults left out."""
    text = f"{lo or ''}:{'' if hi == size else hi}"
    return text if stride == 1 else f"{text}:{stride}"


def index_expr(x: str, parts: list[str]) -> str:
    """`x[parts]` with trailing full slices dropped; `x` itself when nothing is left."""
    while parts and parts[-1] == ":":
        parts = parts[:-1]
    return f"{x}[{', '.join(parts)}]" if parts else x


def auto_pads(
    n: KernelWriter, sizes: Sequence[int], kernel: Sequence[int], strides: list[int], dilations: list[int]
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


def window_dilations(n: KernelWriter, kernel: Sequence[int]) -> list[int]:
    """The `dilations` of a convolution or pooling with `kernel`, 1 where the kernel has one tap:
    the spacing of one tap means nothing, and torch takes none beyond a C int."""
    dilations = n.int_list("dilations", [1] * len(kernel))
    return [dilation if k > 1 else 1 for dilation, k in zip(dilations, kernel, strict=True)]


def spatial_keywords(
    strides: list[int] | None = None, padding: list[int] | None = None, dilations: list[int] | None = None
) -> dict[str, str]:
    """`stride`/`padding`/`dilation` keywords of torch convolutions and pools, leaving out the defaults."""
    keywords = {}
    for name, values, default in (("stride", strides, 1), ("padding", padding, 0), ("dilation", dilations, 1)):
        if values is not None and any(value != default for value in values):
            keywords[name] = tuple_literal(values)
    return keywords


def template(text: str) -> Kernel:
    """The kernel of an op whose expression is a fixed template of its input expressions (`{0}`, `{1}`, ...)."""

    def write(n: KernelWriter) -> str:
        return text.format(*n.args())

    write.__doc__ = f"`{text}`"
    return write


def result_dtype(n: KernelWriter, first: int, second: int) -> str:
    """The dtype torch's type promotion gives an elementwise op on two inputs."""
    import torch

    operands = [torch.empty((1,) * n.rank(i), dtype=torch_dtype(n.dtype(i))) for i in (first, second)]
    return str(torch.result_type(*operands)).removeprefix("torch.")


def lowest_value(dtype: str) -> str:
    """The literal of the lowest value of `dtype` (minus infinity for floats)."""
    return _extreme_value(dtype, "min")


def highest_value(dtype: str) -> str:
    """The literal of the highest value of `dtype` (infinity for floats)."""
    return _extreme_value(dtype, "max")


def _extreme_value(dtype: str, end: str) -> str:
    if dtype in FLOAT_TYPES:
        return "torch.inf" if end == "max" else "-torch.inf"
    if dtype == "bool":
        return str(end == "max")
    return str(int(getattr(np.iinfo(np.dtype(dtype)), end)))


def kernel_of(op_type: str) -> Kernel | None:
    """The kernel of ONNX op type `op_type`, None when it has none."""
    from ramiel.dialects.dfg import OPS

    row = OPS.get(op_type)
    return None if row is None else row.KERNEL


def supported_ops() -> frozenset[str]:
    """The ONNX op types that have a kernel."""
    from ramiel.dialects.dfg import OPS

    return frozenset(t for t, cls in OPS.items() if cls.KERNEL is not None)


def emit(node: OpView, kernel: Kernel | None = None) -> KernelCall:
    """The torch expression computing `node` with `kernel` (default: its op type's); UnsupportedKernel when there is none."""
    write = kernel or kernel_of(node.op_type)
    if write is None:
        raise UnsupportedKernel(f"{node.op_type}: no kernel for this op")
    for sig in (*node.input_types, *node.output_types):
        if sig is not None and sig[1] not in KERNEL_TYPES:
            raise UnsupportedKernel(f"{node.op_type}: element type {sig[1]} is not supported")
    n = KernelWriter(node)
    expr = write(n)
    return KernelCall(expr, frozenset(n.helpers), frozenset(n.used))


def inplace_call(node: OpView) -> KernelCall | None:
    """`node`'s kernel writing its result over its first input (its op's `INPLACE`), or None when it has no such form.

    The types must allow it (one float result of the first input's type); the
    caller must know that nothing reads the first input afterwards and that no
    other live tensor shares its storage.
    """
    from ramiel.dialects.dfg import OPS

    row = OPS.get(node.op_type)
    n = KernelWriter(node)
    if row is None or row.INPLACE is None or len(node.output_types) != 1:
        return None
    # Equal sizes that the values decide may still differ in a run (one input broadcasts).
    if n.dims(0) != n.out_dims or UNKNOWN in n.out_dims or n.dtype(0) != n.out_dtype or n.out_dtype not in FLOAT_TYPES:
        return None
    try:
        return emit(node, row.INPLACE)
    except UnsupportedKernel:
        return None


def _placeholder(index: int) -> str:
    """The name `evaluate` gives input `index`."""
    return f"arg{index}"


@functools.cache
def _compiled(expr: str, arity: int, helpers: frozenset[str]) -> Callable[..., Any]:
    """`expr` compiled as a function of the placeholder-named inputs, in the expression namespace."""
    import torch
    import torch.nn.functional as F

    namespace: dict[str, object] = {"torch": torch, "F": F}
    namespace.update((name, _helper_functions()[name]) for name in helpers)
    params = ", ".join(_placeholder(index) for index in range(arity))
    return eval(f"lambda {params}: {expr}", namespace)


def evaluate(
    node: OpView,
    values: Sequence[torch.Tensor | list[torch.Tensor] | None],
    make: Callable[[OpView], KernelCall | None] = emit,
) -> list[Any]:
    """Compute `node`'s outputs from its input values with the call `make` gives (default `emit`).

    `make` may be a fast path (such as `conv2d_call`), or `functools.partial(emit,
    kernel=...)` for a given kernel; UnsupportedKernel when it gives None. The
    inputs are renamed to placeholders before writing, so the evaluated
    expression is the call's up to input names and one compiled function serves
    every node with the same expression. `values` holds one tensor (or list of
    tensors, for a sequence) per input; inputs that are absent or not read may be None.
    """
    if len(values) != len(node.inputs):
        raise ValueError(f"{node.op_type}: {len(values)} values for {len(node.inputs)} inputs")
    inputs = tuple(None if expr is None else _placeholder(index) for index, expr in enumerate(node.inputs))
    call = make(replace(node, inputs=inputs))
    if call is None:
        raise UnsupportedKernel(f"{node.op_type}: no such fast path")
    result = _compiled(call.expr, len(inputs), call.helpers)(*values)
    # One output is the result itself, which may be a sequence (a list of tensors).
    return [result] if len(node.output_types) == 1 else list(result)


@functools.cache
def _helper_functions() -> dict[str, Callable[..., object]]:
    """The public functions of `ramiel.runtime_helpers`, module by module, each in the order it defines them."""
    from ramiel import runtime_helpers

    found: dict[str, Callable[..., object]] = {}
    for module in runtime_helpers.modules():
        functions = [
            value
            for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")
        ]
        for function in sorted(functions, key=lambda function: function.__code__.co_firstlineno):
            if function.__name__ in found:
                raise ValueError(f"two runtime helpers named {function.__name__!r}")
            found[function.__name__] = function
    return found


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
