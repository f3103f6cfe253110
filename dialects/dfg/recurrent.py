"""Recurrent operators: LSTM, GRU and RNN, each one task over the whole sequence.

    %y, %y_h = dfg.gru %x, %w, %r, %b {hidden_size = 4 : i64, linear_before_reset = 1 : i64} : (tensor<5x1x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>, tensor<1x24xf32>) -> (tensor<5x1x1x4xf32>, tensor<1x1x4xf32>)

Where torch's fused kernels compute exactly what ONNX does (the default
activations, no clip, no peepholes or coupled gates, GRU's linear_before_reset
form, full-length sequences) the kernel is the `torch_recurrent` helper, which
reorders the gates of W, R and B into torch's order on every call; otherwise
it is `onnx_recurrent`, which steps through the sequence with the ONNX
equations. Both take float32 and float64.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from xdsl.utils.exceptions import VerifyException

from ramiel.codegen.escape import literal
from ramiel.costmodel import OpWork, elementwise_work
from ramiel.dialects.dfg.base import (
    DfgOp,
    Shapes,
    at_least,
    expect,
    one_of,
    onnx_op,
    shape_text,
)
from ramiel.kernels import KernelWriter, float_literal, tuple_literal
from ramiel.opview import OpView


@dataclass(frozen=True)
class _Cell:
    """What sets a recurrent operator's cell apart: its gate count and default activations (one direction's)."""

    gates: int
    activations: tuple[str, ...]


_CELLS = {
    "LSTM": _Cell(4, ("Sigmoid", "Tanh", "Tanh")),
    "GRU": _Cell(3, ("Sigmoid", "Tanh")),
    "RNN": _Cell(1, ("Tanh",)),
}

_DIRECTIONS = {"forward": 1, "reverse": 1, "bidirectional": 2}
"""The number of directions of each `direction`."""

_ACTIVATIONS = (
    "Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu",
    "Softsign", "Softplus",
)  # fmt: skip
"""The activations a recurrent operator may name."""

# The activations taking an alpha or a beta, with the default of the ONNX operator
# of that name (None: it has none).
_ALPHAS: Mapping[str, float | None] = {
    "Affine": 1.0, "LeakyRelu": 0.01, "ThresholdedRelu": 1.0, "ScaledTanh": None, "HardSigmoid": 0.2, "Elu": 1.0,
}  # fmt: skip
_BETAS: Mapping[str, float | None] = {"Affine": 0.0, "ScaledTanh": None, "HardSigmoid": 0.5}

_FLOAT_TYPES = ("float32", "float64")
"""The element types the kernels take."""


def _directions(attrs: Mapping[str, object]) -> int:
    return _DIRECTIONS.get(str(attrs.get("direction", "forward")), 1)


Activation = tuple[str, float, float]
"""An activation of a recurrent operator: its name, alpha and beta."""


def activations_of(op_type: str, attrs: Mapping[str, object]) -> list[Activation]:
    """The activations of each direction in turn, defaults filled in; ValueError when the attributes do not define them.

    The values of activation_alpha (activation_beta) go, in order, to the
    activations that take an alpha (a beta); the others default to those of the
    ONNX operator of that name. RNN's schema default (Tanh, Tanh) also serves
    one direction, whose activation is then the first (as in onnxruntime).
    """
    cell = _CELLS[op_type]
    directions = _directions(attrs)
    count = len(cell.activations) * directions
    given = attrs.get("activations")
    if isinstance(given, list) and given:
        # Names read from a schema default are bytes.
        names = [name.decode() if isinstance(name, bytes) else str(name) for name in given]
    else:
        names = list(cell.activations) * directions
    if op_type == "RNN" and count == 1 and len(names) == 2:
        names = names[:1]
    if len(names) != count:
        raise ValueError(f"{op_type} with {directions} direction(s) takes {count} activations, not {len(names)}")
    alphas = iter(_floats(attrs.get("activation_alpha")))
    betas = iter(_floats(attrs.get("activation_beta")))
    return [(name, _parameter(name, "alpha", _ALPHAS, alphas), _parameter(name, "beta", _BETAS, betas)) for name in names]


def _floats(value: object) -> list[float]:
    return [float(item) for item in value] if isinstance(value, list) else []


def _parameter(name: str, kind: str, defaults: Mapping[str, float | None], given: Iterator[float]) -> float:
    """The next given alpha or beta when activation `name` takes one (else its default), and 0 when it takes none."""
    if name not in defaults:
        return 0.0
    value = next(given, defaults[name])
    if value is None:
        raise ValueError(f"{name} needs its activation_{kind}: ONNX gives it no default")
    return value


def _torch_function(n: KernelWriter, activations: list[Activation]) -> str | None:
    """The torch fused kernel computing the node exactly as ONNX does, or None when there is none."""
    op_type = n.node.op_type
    names = [name for name, _, _ in activations]
    if "clip" in n.node.attrs or _lengths_matter(n):
        return None
    if names == list(_CELLS[op_type].activations) * _directions(n.node.attrs):
        if op_type == "LSTM" and not n.has(7) and not n.int_attr("input_forget"):
            return "lstm"
        if op_type == "GRU" and n.int_attr("linear_before_reset"):
            return "gru"
    if op_type == "RNN" and len(set(names)) == 1 and names[0] in ("Tanh", "Relu"):
        return f"rnn_{names[0].lower()}"
    return None


def _lengths_matter(n: KernelWriter) -> bool:
    """Whether sequence_lens is given and may end a sequence before the last step."""
    lengths = n.ints(4)
    steps = n.shape(0)[1 if n.int_attr("layout") else 0]
    return n.has(4) and (lengths is None or any(length != steps for length in lengths))


def _recurrent(n: KernelWriter) -> str:
    """LSTM, GRU, RNN: `torch_recurrent` where a fused torch kernel computes them, else `onnx_recurrent`."""
    op_type = n.node.op_type
    if n.dtype(0) not in _FLOAT_TYPES:
        raise n.fail(f"{n.dtype(0)} is not supported (only {' and '.join(_FLOAT_TYPES)})")
    if 0 in n.shape(0):
        raise n.fail("an empty sequence or batch is not supported")
    try:
        activations = activations_of(op_type, n.node.attrs)
    except ValueError as e:
        raise n.fail(str(e)) from None
    # The options that differ from the helpers' defaults, by keyword.
    options: dict[str, str] = {}
    if n.attr("direction") != "forward":
        options["direction"] = literal(str(n.attr("direction")))
    if n.int_attr("layout"):
        options["layout"] = "1"
    inputs = [n.arg(0), n.arg(1), n.arg(2)]
    optional = {"b": 3, "sequence_lens": 4, "initial_h": 5, "initial_c": 6, "p": 7}
    if not _lengths_matter(n):
        del optional["sequence_lens"]
    given = {name: n.arg(index) for name, index in optional.items() if n.has(index)}
    function = _torch_function(n, activations)
    if function is not None:
        call = n.call("torch_recurrent", literal(function), *inputs, **given, **options)
    else:
        options["activations"] = tuple_literal(literal(name) for name, _, _ in activations)
        parameters = {"alphas": [alpha for _, alpha, _ in activations], "betas": [beta for _, _, beta in activations]}
        for keyword, values in parameters.items():
            if any(values):
                options[keyword] = tuple_literal(float_literal(value) for value in values)
        if "clip" in n.node.attrs:
            options["clip"] = n.float_text("clip")
        for attribute, op in (("input_forget", "LSTM"), ("linear_before_reset", "GRU")):
            if op_type == op and n.int_attr(attribute):
                options[attribute] = "True"
        call = n.call("onnx_recurrent", literal(op_type), *inputs, **given, **options)
    outputs = len(n.node.output_types)
    total = 3 if op_type == "LSTM" else 2
    return call if outputs == total else f"{call}[0]" if outputs == 1 else f"{call}[:{outputs}]"


def recurrent_work(op: OpView) -> OpWork:
    """The gate matrix products over the sequence: 2 * steps * batch * (W and R elements), as GEMM work."""
    x, w, r = op.input_shapes[:3]
    if x is None or w is None or r is None or not x:
        return elementwise_work(op)
    rows = x[0] * x[1]
    weights = w[0] * w[1] * w[2] + r[0] * r[1] * r[2]
    return OpWork(2.0 * rows * weights, elementwise_work(op).nbytes, "gemm")


def _known_activations(value: object) -> str | None:
    unknown = [name for name in value if name not in _ACTIVATIONS] if isinstance(value, list) else []
    return f"names unknown activations {', '.join(map(repr, unknown))}" if unknown else None


_CHECKS = {
    "direction": one_of(*_DIRECTIONS),
    "activations": _known_activations,
    "clip": at_least(0.0),
}


class RecurrentOp(DfgOp):
    """The rules LSTM, GRU and RNN share: input shapes that fit the hidden size, directions and layout, and the activation count."""

    def verify_shapes(self, shapes: Shapes) -> None:
        attrs = self.python_attributes()
        try:
            activations_of(self.ONNX_OP_TYPE, attrs)
        except ValueError as e:
            raise VerifyException(str(e)) from None
        x, w, r, *optional = shapes
        assert x is not None
        assert w is not None
        assert r is not None
        expect(len(x) == 3 and len(r) == 3, f"X and R have shapes {shape_text(x)} and {shape_text(r)}, not 3-D")
        hidden = int(attrs.get("hidden_size", r[-1]))  # pyright: ignore[reportArgumentType]
        layout = attrs.get("layout")
        batch = x[0] if layout else x[1]
        directions = _directions(attrs)
        gates = _CELLS[self.ONNX_OP_TYPE].gates * hidden
        state = (batch, directions, hidden) if layout else (directions, batch, hidden)
        expected = {
            "W": (directions, gates, x[-1]),
            "R": (directions, gates, hidden),
            "B": (directions, 2 * gates),
            "sequence_lens": (batch,),
            "initial_h": state,
            "initial_c": state,
            "P": (directions, 3 * hidden),
        }
        names = [name for name, _ in self.ONNX_INPUTS][1:]
        for name, shape in zip(names, [w, r, *optional], strict=False):
            want = expected[name]
            expect(shape is None or shape == want, f"{name} has shape {shape_text(shape)}, not {shape_text(want)}")


@onnx_op("LSTM", kernel=_recurrent, fresh=True, work=recurrent_work, attribute_values=_CHECKS)
class LSTMOp(RecurrentOp):
    """ONNX `LSTM`: Y, Y_h and Y_c (any leading part of them) over the sequence, in one or both directions.

        %y, %y_h, %y_c = dfg.lstm %x, %w, %r {hidden_size = 4 : i64} : (tensor<5x1x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>) -> (tensor<5x1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
    """


@onnx_op("GRU", kernel=_recurrent, fresh=True, work=recurrent_work, attribute_values=_CHECKS)
class GRUOp(RecurrentOp):
    """ONNX `GRU`: Y and Y_h (or Y alone) over the sequence, in one or both directions.

        %y, %y_h = dfg.gru %x, %w, %r, %b {hidden_size = 4 : i64, linear_before_reset = 1 : i64} : (tensor<5x1x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>, tensor<1x24xf32>) -> (tensor<5x1x1x4xf32>, tensor<1x1x4xf32>)
    """


@onnx_op("RNN", kernel=_recurrent, fresh=True, work=recurrent_work, attribute_values=_CHECKS)
class RNNOp(RecurrentOp):
    """ONNX `RNN`: Y and Y_h (or Y alone) of a plain recurrence over the sequence, in one or both directions.

        %y, %y_h = dfg.rnn %x, %w, %r {direction = "bidirectional", hidden_size = 4 : i64} : (tensor<5x1x3xf32>, tensor<2x4x3xf32>, tensor<2x4x4xf32>) -> (tensor<5x2x1x4xf32>, tensor<2x1x4xf32>)
    """
