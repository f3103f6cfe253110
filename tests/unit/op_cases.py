"""Tiny one-operator ONNX models, one per supported operator and opset version.

`CASES` holds, for every operator with a `dfg` op, a model at each opset where
the operator's schema changed (from opset 6, or the operator's first opset, up to
the newest opset `onnx` knows), written in the operator's form at that opset: an
opset-9 `Slice` has `starts`/`ends` attributes, an opset-6 `Add` the legacy
`broadcast`/`axis` attributes. Each case states the graph outputs' types, worked
out by hand from the operator's definition, and may check how the importer
normalised the node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, defs, helper, numpy_helper

from ramiel.dialects.dfg import OPS, DfgOp

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


_BUILDERS: dict[str, Callable[[int], list[Case]]] = {}


def builds(*ops: str) -> Callable[[Callable[[str, int], list[Case]]], Callable[[str, int], list[Case]]]:
    """Register a case builder for `ops`; it gets the operator and the opset."""

    def register(f: Callable[[str, int], list[Case]]) -> Callable[[str, int], list[Case]]:
        for op in ops:
            _BUILDERS[op] = lambda opset, op=op: f(op, opset)
        return f

    return register


def t(shape: Sequence[int], element: str = "f32") -> str:
    dims = "x".join(str(d) for d in shape)
    return f"tensor<{dims}x{element}>" if dims else f"tensor<{element}>"


# Elementwise unary operators.


@builds("Abs", "Erf", "Exp", "Log", "Neg", "Reciprocal", "Relu", "Sigmoid", "Sqrt", "Tanh",
        "HardSwish", "Identity")  # fmt: skip
def _unary(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    return [Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),))]


@builds("Gelu")
def _gelu(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], approximate="tanh")

    def check(o: DfgOp) -> None:
        assert prop(o, "approximate") == "tanh"

    return [Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),), check)]


@builds("HardSigmoid", "LeakyRelu")
def _alpha(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], alpha=0.25)

    def check(o: DfgOp) -> None:
        assert prop(o, "alpha") == 0.25

    return [Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),), check)]


# Elementwise binary operators, with pre-7 legacy broadcasting.


_NUMPY_BINARY: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "Add": np.add,
    "Sub": np.subtract,
    "Mul": np.multiply,
    "Div": np.divide,
    "Pow": np.power,
    "Equal": np.equal,
    "Greater": np.greater,
    "Less": np.less,
}


@builds("Add", "Sub", "Mul", "Div", "Pow", "Equal", "Greater", "Less")
def _binary(op: str, opset: int) -> list[Case]:
    logical = op in ("Equal", "Greater", "Less")
    # Equal before opset 11 takes integers and bool only.
    element, typ = ("i64", I64) if op == "Equal" and opset < 11 else ("f32", F32)
    out = "i1" if logical else element
    cases: list[Case] = []
    if opset < 7:
        # Legacy broadcasting: `broadcast=1`, B aligned at the trailing dims...
        f = _NUMPY_BINARY[op]
        node = helper.make_node(op, ["a", "b"], ["c"], broadcast=1)
        model = make_model(opset, [node], [x(2, 3, 4, name="a", type=typ), x(4, name="b", type=typ)], ["c"])
        cases.append(Case(op, opset, model, (t([2, 3, 4], out),), expected=lambda v: [f(v[0], v[1])]))
        # ...or at `axis`: B of shape 3 scales dimension 1 of a 2x3x4 A.
        node = helper.make_node(op, ["a", "b"], ["c"], broadcast=1, axis=1)
        model = make_model(opset, [node], [x(2, 3, 4, name="a", type=typ), x(3, name="b", type=typ)], ["c"])

        def check_axis(o: DfgOp) -> None:
            b = o.input_values()[1]
            assert b is not None
            assert str(b.type) == f"tensor<3x1x{element}>", b.type

        along_axis = Case(
            op, opset, model, (t([2, 3, 4], out),), check_axis, lambda v: [f(v[0], v[1][:, None])]
        )
        cases.append(along_axis)
        # Equal shapes without the flag.
        node = helper.make_node(op, ["a", "b"], ["c"])
        model = make_model(opset, [node], [x(2, 3, name="a", type=typ), x(2, 3, name="b", type=typ)], ["c"])
        cases.append(Case(op, opset, model, (t([2, 3], out),), expected=lambda v: [f(v[0], v[1])]))
        return cases
    node = helper.make_node(op, ["a", "b"], ["c"])
    model = make_model(opset, [node], [x(2, 1, 4, name="a", type=typ), x(3, 1, name="b", type=typ)], ["c"])
    cases.append(Case(op, opset, model, (t([2, 3, 4], out),)))
    if op == "Pow" and opset >= 12:
        # From opset 12 the exponent may have its own (integer) type.
        model = make_model(opset, [node], [x(2, 3, name="a"), x(3, name="b", type=I64)], ["c"])
        cases.append(Case(op, opset, model, (t([2, 3]),)))
    return cases


@builds("Mod")
def _mod(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["a", "b"], ["c"])
    model = make_model(opset, [node], [x(2, 3, name="a", type=I64), x(3, name="b", type=I64)], ["c"])
    fnode = helper.make_node(op, ["a", "b"], ["c"], fmod=1)
    fmodel = make_model(opset, [fnode], [x(2, 3, name="a"), x(2, 3, name="b")], ["c"])

    def check(o: DfgOp) -> None:
        assert prop(o, "fmod") == 1

    return [
        Case(op, opset, model, (t([2, 3], "i64"),)),
        Case(op, opset, fmodel, (t([2, 3]),), check),
    ]


@builds("Max", "Min", "Sum")
def _variadic(op: str, opset: int) -> list[Case]:
    names = ["a", "b", "c"]
    node = helper.make_node(op, names, ["y"])
    if opset < 8:  # no broadcasting before opset 8
        inputs = [x(2, 3, name=n) for n in names]
        shape = [2, 3]
    else:
        inputs = [x(2, 3, name="a"), x(3, name="b"), x(1, 1, name="c")]
        shape = [2, 3]
    single = helper.make_node(op, ["a"], ["y"])

    def check(o: DfgOp) -> None:
        assert len(o.operands) == 3

    return [
        Case(op, opset, make_model(opset, [node], inputs, ["y"]), (t(shape),), check),
        Case(op, opset, make_model(opset, [single], [x(4, name="a")], ["y"]), (t([4]),)),
    ]


@builds("Where")
def _where(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["c", "a", "b"], ["y"])
    inputs = [x(2, 1, name="c", type=BOOL), x(1, 3, name="a"), x(3, name="b")]
    return [Case(op, opset, make_model(opset, [node], inputs, ["y"]), (t([2, 3]),))]


@builds("Cast")
def _cast(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], to=I64)
    back = helper.make_node(op, ["x"], ["y"], to=TensorProto.FLOAT16)
    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3], "i64"),)),
        Case(op, opset, make_model(opset, [back], [x(2, 3, type=I64)], ["y"]), (t([2, 3], "f16"),)),
    ]


# Normalisation.


@builds("BatchNormalization")
def _batch_norm(op: str, opset: int) -> list[Case]:
    extra: dict[str, object] = {"epsilon": 1e-3}
    if opset < 7:
        extra["is_test"] = 1
    if opset < 9:
        extra["spatial"] = 1
    node = helper.make_node(op, ["x", "s", "b", "m", "v"], ["y"], **extra)
    params = {k: np.full(3, i + 1.0, np.float32) for i, k in enumerate("sbmv")}

    def check(o: DfgOp) -> None:
        assert abs(float(str(prop(o, "epsilon"))) - 1e-3) < 1e-9
        assert len(o.results) == 1

    model = make_model(opset, [node], [x(1, 3, 4, 4)], ["y"], params)
    return [Case(op, opset, model, (t([1, 3, 4, 4]),), check)]


@builds("InstanceNormalization")
def _instance_norm(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s", "b"], ["y"])
    params = {"s": np.ones(3, np.float32), "b": np.zeros(3, np.float32)}
    return [Case(op, opset, make_model(opset, [node], [x(1, 3, 4, 4)], ["y"], params), (t([1, 3, 4, 4]),))]


@builds("LayerNormalization")
def _layer_norm(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s", "b"], ["y"], axis=-1, epsilon=1e-5)
    params = {"s": np.ones(4, np.float32), "b": np.zeros(4, np.float32)}
    no_bias = helper.make_node(op, ["x", "s"], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"], params), (t([2, 3, 4]),)),
        Case(
            op,
            opset,
            make_model(opset, [no_bias], [x(2, 3, 4)], ["y"], {"s": params["s"]}),
            (t([2, 3, 4]),),
            without(2),
        ),
    ]


@builds("LRN")
def _lrn(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], size=3, alpha=2e-4)

    def check(o: DfgOp) -> None:
        assert prop(o, "size") == 3

    return [Case(op, opset, make_model(opset, [node], [x(1, 5, 4, 4)], ["y"]), (t([1, 5, 4, 4]),), check)]


@builds("Softmax", "LogSoftmax")
def _softmax(op: str, opset: int) -> list[Case]:
    # Before opset 13 the input is coerced to 2-D at `axis` (default 1); from 13
    # the operator works along one axis (default -1).
    node = helper.make_node(op, ["x"], ["y"], axis=1)
    default = helper.make_node(op, ["x"], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"]), (t([2, 3, 4]),)),
        Case(op, opset, make_model(opset, [default], [x(2, 5)], ["y"]), (t([2, 5]),)),
    ]


@builds("Dropout")
def _dropout(op: str, opset: int) -> list[Case]:
    attrs: dict[str, object] = {}
    if opset < 7:
        attrs["is_test"] = 1
    if opset < 12:
        attrs["ratio"] = 0.25
        node = helper.make_node(op, ["x"], ["y"], **attrs)
        inits: dict[str, np.ndarray] = {}
    else:
        node = helper.make_node(op, ["x", "r"], ["y"])
        inits = {"r": np.array(0.25, np.float32)}

    def check(o: DfgOp) -> None:
        assert float(const_of(o, 1)) == 0.25

    identity = (lambda v: [v[0]]) if opset < 7 else None
    model = make_model(opset, [node], [x(2, 3)], ["y"], inits)
    cases = [Case(op, opset, model, (t([2, 3]),), check, identity)]
    if opset >= 12:  # the mask output (older masks are refused, see test_frontend)
        mask = helper.make_node(op, ["x"], ["y", "m"])
        cases.append(Case(op, opset, make_model(opset, [mask], [x(2, 3)], ["y", "m"]), (t([2, 3]), t([2, 3], "i1"))))
    return cases


# Pooling and convolution.


@builds("AveragePool", "MaxPool")
def _pool(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])

    def check(o: DfgOp) -> None:
        assert prop(o, "kernel_shape") == [3, 3]
        assert prop(o, "strides") == [2, 2]

    # (7 + 2 - 3) // 2 + 1 = 4
    model = make_model(opset, [node], [x(1, 2, 7, 7)], ["y"])
    expected = None
    if opset < 7:
        # No runtime implements AveragePool-1; opset 7 made its meaning explicit
        # as `count_include_pad=0`, which is what the opset-7 model computes.
        newer = make_model(7, [node], [x(1, 2, 7, 7)], ["y"])
        expected = _runs(newer)
    cases = [Case(op, opset, model, (t([1, 2, 4, 4]),), check, expected)]
    if opset >= 10:
        # ceil((6 + 0 - 3) / 2) + 1 = 3
        ceil = helper.make_node(op, ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
        cases.append(Case(op, opset, make_model(opset, [ceil], [x(1, 2, 6, 6)], ["y"]), (t([1, 2, 3, 3]),)))
    if op == "MaxPool" and opset >= 8:
        indices = helper.make_node(op, ["x"], ["y", "i"], kernel_shape=[2, 2], strides=[2, 2])
        cases.append(
            Case(op, opset, make_model(opset, [indices], [x(1, 2, 4, 4)], ["y", "i"]), (t([1, 2, 2, 2]), t([1, 2, 2, 2], "i64")))
        )
    return cases


@builds("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    return [Case(op, opset, make_model(opset, [node], [x(1, 3, 5, 7)], ["y"]), (t([1, 3, 1, 1]),))]


@builds("Conv")
def _conv(op: str, opset: int) -> list[Case]:
    w = np.arange(4 * 3 * 3 * 3, dtype=np.float32).reshape(4, 3, 3, 3) / 100
    b = np.arange(4, dtype=np.float32)
    node = helper.make_node(op, ["x", "w", "b"], ["y"], pads=[1, 1, 1, 1], strides=[2, 2])
    # (9 + 2 - 3) // 2 + 1 = 5
    grouped = helper.make_node(op, ["x", "g"], ["y"], group=3, dilations=[2, 2])
    # 9 - 2 * (3 - 1) = 5
    g = np.ones((6, 1, 3, 3), np.float32)

    def check(o: DfgOp) -> None:
        assert np.array_equal(const_of(o, 1), w)
        assert np.array_equal(const_of(o, 2), b)
        assert prop(o, "pads") == [1, 1, 1, 1]

    return [
        Case(op, opset, make_model(opset, [node], [x(1, 3, 9, 9)], ["y"], {"w": w, "b": b}), (t([1, 4, 5, 5]),), check),
        Case(op, opset, make_model(opset, [grouped], [x(1, 3, 9, 9)], ["y"], {"g": g}), (t([1, 6, 5, 5]),), without(2)),
    ]


@builds("ConvTranspose")
def _conv_transpose(op: str, opset: int) -> list[Case]:
    w = np.ones((3, 2, 3, 3), np.float32)
    node = helper.make_node(op, ["x", "w"], ["y"], strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])
    # (4 - 1) * 2 - 2 + 3 + 1 = 8
    return [Case(op, opset, make_model(opset, [node], [x(1, 3, 4, 4)], ["y"], {"w": w}), (t([1, 2, 8, 8]),))]


@builds("Gemm")
def _gemm(op: str, opset: int) -> list[Case]:
    attrs: dict[str, object] = {"transB": 1, "alpha": 0.5}
    if opset < 7:
        attrs["broadcast"] = 1
    node = helper.make_node(op, ["a", "b", "c"], ["y"], **attrs)
    inits = {"b": np.ones((4, 3), np.float32), "c": np.ones(4, np.float32)}

    def check(o: DfgOp) -> None:
        assert prop(o, "transB") == 1
        assert prop(o, "alpha") == 0.5

    cases = [Case(op, opset, make_model(opset, [node], [x(2, 3, name="a")], ["y"], inits), (t([2, 4]),), check)]
    if opset >= 11:
        no_c = helper.make_node(op, ["a", "b"], ["y"])
        cases.append(Case(op, opset, make_model(opset, [no_c], [x(2, 3, name="a"), x(3, 5, name="b")], ["y"]), (t([2, 5]),)))
    return cases


@builds("MatMul")
def _matmul(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["a", "b"], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3, name="a"), x(3, 4, name="b")], ["y"]), (t([2, 4]),)),
        Case(op, opset, make_model(opset, [node], [x(5, 2, 3, name="a"), x(3, name="b")], ["y"]), (t([5, 2]),)),
        Case(op, opset, make_model(opset, [node], [x(2, 1, 2, 3, name="a"), x(4, 3, 2, name="b")], ["y"]), (t([2, 4, 2, 2]),)),
    ]


# Shapes and data movement.


@builds("ArgMax")
def _argmax(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], axis=1, keepdims=0)
    keep = helper.make_node(op, ["x"], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"]), (t([2, 4], "i64"),)),
        Case(op, opset, make_model(opset, [keep], [x(2, 3, 4)], ["y"]), (t([1, 3, 4], "i64"),)),
    ]


@builds("Concat")
def _concat(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["a", "b", "c"], ["y"], axis=1)
    inputs = [x(2, 1, name="a"), x(2, 3, name="b"), x(2, 2, name="c")]

    def check(o: DfgOp) -> None:
        assert prop(o, "axis") == 1
        assert len(o.operands) == 3

    return [Case(op, opset, make_model(opset, [node], inputs, ["y"]), (t([2, 6]),), check)]


@builds("ConstantOfShape")
def _constant_of_shape(op: str, opset: int) -> list[Case]:
    value = numpy_helper.from_array(np.array([7], np.int64), "value")
    node = helper.make_node(op, ["s"], ["y"], value=value)
    plain = helper.make_node(op, ["s"], ["y"])
    shape = {"s": np.array([2, 3], np.int64)}
    return [
        Case(op, opset, make_model(opset, [node], [], ["y"], shape), (t([2, 3], "i64"),)),
        Case(op, opset, make_model(opset, [plain], [], ["y"], shape), (t([2, 3]),)),
    ]


@builds("Expand")
def _expand(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s"], ["y"])
    shape = {"s": np.array([2, 1, 4], np.int64)}
    return [Case(op, opset, make_model(opset, [node], [x(3, 1)], ["y"], shape), (t([2, 3, 4]),))]


@builds("Flatten")
def _flatten(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], axis=2)
    default = helper.make_node(op, ["x"], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3, 4, 5)], ["y"]), (t([6, 20]),)),
        Case(op, opset, make_model(opset, [default], [x(2, 3, 4, 5)], ["y"]), (t([2, 60]),)),
    ]


@builds("Gather")
def _gather(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "i"], ["y"], axis=1)
    indices = {"i": np.array([[0, 2], [1, 1]], np.int64)}
    scalar = helper.make_node(op, ["x", "j"], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], [x(3, 4)], ["y"], indices), (t([3, 2, 2]),)),
        Case(op, opset, make_model(opset, [scalar], [x(3, 4)], ["y"], {"j": np.array(1, np.int64)}), (t([4]),)),
    ]


@builds("Pad")
def _pad(op: str, opset: int) -> list[Case]:
    pads = [0, 1, 2, 0]  # begin of dims 0 and 1, then their ends
    cases: list[Case] = []
    if opset < 11:
        node = helper.make_node(op, ["x"], ["y"], pads=pads, value=1.5)
        inits: dict[str, np.ndarray] = {}
    else:
        node = helper.make_node(op, ["x", "p", "v"], ["y"])
        inits = {"p": np.array(pads, np.int64), "v": np.array(1.5, np.float32)}

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == pads
        assert float(const_of(o, 2)) == 1.5

    cases.append(Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"], inits), (t([4, 4]),), check))
    if opset >= 18:
        axes = helper.make_node(op, ["x", "p", "", "a"], ["y"], mode="reflect")
        inits = {"p": np.array([1, 2], np.int64), "a": np.array([1], np.int64)}

        def check_axes(o: DfgOp) -> None:
            assert absent(o, 2)
            assert const_of(o, 3).tolist() == [1]
            assert prop(o, "mode") == "reflect"

        cases.append(Case(op, opset, make_model(opset, [axes], [x(2, 4)], ["y"], inits), (t([2, 7]),), check_axes))
    return cases


@builds("Range")
def _range(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["s", "l", "d"], ["y"])
    inits = {"s": np.array(1, np.int64), "l": np.array(10, np.int64), "d": np.array(3, np.int64)}
    # 1, 4, 7
    return [Case(op, opset, make_model(opset, [node], [], ["y"], inits), (t([3], "i64"),))]


@builds("ReduceMax", "ReduceMean", "ReduceSum")
def _reduce(op: str, opset: int) -> list[Case]:
    axes_as_input = opset >= (13 if op == "ReduceSum" else 18)
    if axes_as_input:
        node = helper.make_node(op, ["x", "a"], ["y"], keepdims=0)
        inits = {"a": np.array([1], np.int64)}
    else:
        node = helper.make_node(op, ["x"], ["y"], axes=[1], keepdims=0)
        inits = {}

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == [1]
        assert prop(o, "keepdims") == 0

    all_axes = helper.make_node(op, ["x"], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"], inits), (t([2, 4]),), check),
        Case(op, opset, make_model(opset, [all_axes], [x(2, 3, 4)], ["y"]), (t([1, 1, 1]),)),
    ]


@builds("Reshape")
def _reshape(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s"], ["y"])
    shape = {"s": np.array([0, -1], np.int64)}

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == [0, -1]

    return [Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"], shape), (t([2, 12]),), check)]


@builds("Resize")
def _resize(op: str, opset: int) -> list[Case]:
    scales = np.array([1, 1, 2, 3], np.float32)
    if opset < 11:
        node = helper.make_node(op, ["x", "s"], ["y"], mode="nearest")
        inits = {"s": scales}
    elif opset < 13:
        node = helper.make_node(op, ["x", "r", "s"], ["y"], mode="nearest")
        inits = {"s": scales, "r": np.array([], np.float32)}
    else:
        node = helper.make_node(op, ["x", "", "s"], ["y"], mode="nearest")
        inits = {"s": scales}

    def check(o: DfgOp) -> None:
        assert const_of(o, 2).tolist() == [1, 1, 2, 3]
        assert prop(o, "mode") == "nearest"

    cases = [Case(op, opset, make_model(opset, [node], [x(1, 2, 3, 4)], ["y"], inits), (t([1, 2, 6, 12]),), check)]
    if opset >= 11:
        if opset >= 13:
            sizes = helper.make_node(op, ["x", "", "", "z"], ["y"], mode="linear")
            inits = {"z": np.array([1, 2, 5, 7], np.int64)}
        else:  # roi and scales are required, scales empty when sizes is given
            sizes = helper.make_node(op, ["x", "r", "e", "z"], ["y"], mode="linear")
            empty = np.array([], np.float32)
            inits = {"z": np.array([1, 2, 5, 7], np.int64), "r": empty, "e": empty}
        cases.append(Case(op, opset, make_model(opset, [sizes], [x(1, 2, 3, 4)], ["y"], inits), (t([1, 2, 5, 7]),)))
    return cases


@builds("Shape")
def _shape(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    cases = [Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"]), (t([3], "i64"),))]
    if opset >= 15:
        sliced = helper.make_node(op, ["x"], ["y"], start=1, end=-1)
        cases.append(Case(op, opset, make_model(opset, [sliced], [x(2, 3, 4, 5)], ["y"]), (t([2], "i64"),)))
    return cases


@builds("Slice")
def _slice(op: str, opset: int) -> list[Case]:
    if opset < 10:
        node = helper.make_node(op, ["x"], ["y"], starts=[1], ends=[1000], axes=[1])
        inits: dict[str, np.ndarray] = {}
    else:
        node = helper.make_node(op, ["x", "s", "e", "a"], ["y"])
        inits = {"s": np.array([1], np.int64), "e": np.array([1000], np.int64), "a": np.array([1], np.int64)}

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == [1]
        assert const_of(o, 2).tolist() == [1000]
        assert const_of(o, 3).tolist() == [1]

    cases = [Case(op, opset, make_model(opset, [node], [x(2, 5)], ["y"], inits), (t([2, 4]),), check)]
    if opset >= 10:
        steps = helper.make_node(op, ["x", "s", "e", "", "t"], ["y"])
        inits = {"s": np.array([4, 0], np.int64), "e": np.array([0, 5], np.int64), "t": np.array([-1, 2], np.int64)}
        # dim 0: 4, 3, 2, 1 -> 4 (of 6); dim 1: 0, 2, 4 -> 3
        cases.append(Case(op, opset, make_model(opset, [steps], [x(6, 5)], ["y"], inits), (t([4, 3]),)))
    return cases


@builds("Split")
def _split(op: str, opset: int) -> list[Case]:
    cases: list[Case] = []
    if opset < 13:
        node = helper.make_node(op, ["x"], ["a", "b"], axis=1, split=[1, 3])
        inits: dict[str, np.ndarray] = {}
    else:
        node = helper.make_node(op, ["x", "s"], ["a", "b"], axis=1)
        inits = {"s": np.array([1, 3], np.int64)}

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == [1, 3]

    cases.append(Case(op, opset, make_model(opset, [node], [x(2, 4)], ["a", "b"], inits), (t([2, 1]), t([2, 3])), check))
    even = helper.make_node(op, ["x"], ["a", "b", "c"], axis=0, **({"num_outputs": 3} if opset >= 18 else {}))
    cases.append(Case(op, opset, make_model(opset, [even], [x(6, 2)], ["a", "b", "c"]), (t([2, 2]),) * 3))
    return cases


@builds("Squeeze", "Unsqueeze")
def _squeeze(op: str, opset: int) -> list[Case]:
    if opset < 13:
        node = helper.make_node(op, ["x"], ["y"], axes=[0, 2])
        inits: dict[str, np.ndarray] = {}
    else:
        node = helper.make_node(op, ["x", "a"], ["y"])
        inits = {"a": np.array([0, 2], np.int64)}

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == [0, 2]

    if op == "Squeeze":
        model = make_model(opset, [node], [x(1, 3, 1, 4)], ["y"], inits)
        cases = [Case(op, opset, model, (t([3, 4]),), check)]
        every = helper.make_node(op, ["x"], ["y"])
        cases.append(Case(op, opset, make_model(opset, [every], [x(1, 3, 1)], ["y"]), (t([3]),)))
        return cases
    model = make_model(opset, [node], [x(3, 4)], ["y"], inits)
    return [Case(op, opset, model, (t([1, 3, 1, 4]),), check)]


@builds("Tile")
def _tile(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "r"], ["y"])
    inits = {"r": np.array([2, 3], np.int64)}
    return [Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"], inits), (t([4, 9]),))]


@builds("Transpose")
def _transpose(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], perm=[2, 0, 1])
    reverse = helper.make_node(op, ["x"], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"]), (t([4, 2, 3]),)),
        Case(op, opset, make_model(opset, [reverse], [x(2, 3, 4)], ["y"]), (t([4, 3, 2]),)),
    ]


@builds("Clip")
def _clip(op: str, opset: int) -> list[Case]:
    if opset < 11:
        node = helper.make_node(op, ["x"], ["y"], min=0.0, max=6.0)
        inits: dict[str, np.ndarray] = {}
    else:
        node = helper.make_node(op, ["x", "lo", "hi"], ["y"])
        inits = {"lo": np.array(0.0, np.float32), "hi": np.array(6.0, np.float32)}

    def check(o: DfgOp) -> None:
        assert float(const_of(o, 1)) == 0.0
        assert float(const_of(o, 2)) == 6.0

    cases = [Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"], inits), (t([2, 3]),), check)]
    if opset < 11:
        upper = helper.make_node(op, ["x"], ["y"], max=6.0)

        def check_upper(o: DfgOp) -> None:
            assert float(const_of(o, 2)) == 6.0
            low = o.input_values()[1]
            # The converter either leaves `min` out or makes it the lowest float.
            assert low is None or float(const_of(o, 1)) <= -3.4e38

        cases.append(Case(op, opset, make_model(opset, [upper], [x(2, 3)], ["y"]), (t([2, 3]),), check_upper))
    else:
        upper = helper.make_node(op, ["x", "", "hi"], ["y"])

        def check_gap(o: DfgOp) -> None:
            assert absent(o, 1)
            assert float(const_of(o, 2)) == 6.0

        inits = {"hi": np.array(6.0, np.float32)}
        cases.append(Case(op, opset, make_model(opset, [upper], [x(2, 3)], ["y"], inits), (t([2, 3]),), check_gap))
    return cases


def cases_of(op: str) -> list[Case]:
    """Every case of operator `op`, over all its opsets."""
    return [case for opset in opsets_of(op) for case in _BUILDERS[op](opset)]


CASES: list[Case] = [case for op in OPS for case in cases_of(op)]
"""Every case, operators in `OPS` order."""

assert set(_BUILDERS) == set(OPS), set(OPS) ^ set(_BUILDERS)
