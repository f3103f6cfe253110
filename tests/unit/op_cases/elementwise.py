"""Cases of the elementwise operators."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from onnx import TensorProto, helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import (
    BOOL,
    F32,
    I64,
    Case,
    builds,
    make_model,
    prop,
    t,
    x,
)


@builds("Abs", "Erf", "Exp", "Log", "Neg", "Reciprocal", "Relu", "Sigmoid", "Sqrt", "Tanh",
        "HardSwish", "Identity")  # fmt: skip
def _unary(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    return [Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),))]


_NUMPY_BINARY: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "Add": np.add,
    "Sub": np.subtract,
    "Mul": np.multiply,
    "Div": np.divide,
    "Pow": np.power,
    "Equal": np.equal,
    "Greater": np.greater,
    "Less": np.less,
    "And": np.logical_and,
    "Or": np.logical_or,
    "Xor": np.logical_xor,
}


@builds("Add", "Sub", "Mul", "Div", "Pow", "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual",
        "And", "Or", "Xor", "BitwiseAnd", "BitwiseOr", "BitwiseXor")  # fmt: skip
def _binary(op: str, opset: int) -> list[Case]:
    logical = op in ("Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor")
    # Equal before opset 11 takes integers and bool only, And, Or and Xor bool only,
    # the bitwise operators integers only.
    if op in ("And", "Or", "Xor"):
        element, typ = ("i1", BOOL)
    elif op.startswith("Bitwise") or (op == "Equal" and opset < 11):
        element, typ = ("i64", I64)
    else:
        element, typ = ("f32", F32)
    out = "i1" if logical else element
    cases: list[Case] = []
    if opset < 7:
        # Legacy broadcasting: `broadcast=1`, B aligned at the trailing dims...
        f = _NUMPY_BINARY[op]
        node = helper.make_node(op, ["a", "b"], ["c"], broadcast=1)
        model = make_model(
            opset,
            [node],
            [x(2, 3, 4, name="a", type=typ), x(4, name="b", type=typ)],
            ["c"],
        )
        cases.append(
            Case(
                op,
                opset,
                model,
                (t([2, 3, 4], out),),
                expected=lambda v: [f(v[0], v[1])],
            )
        )
        # ...or at `axis`: B of shape 3 scales dimension 1 of a 2x3x4 A.
        node = helper.make_node(op, ["a", "b"], ["c"], broadcast=1, axis=1)
        model = make_model(
            opset,
            [node],
            [x(2, 3, 4, name="a", type=typ), x(3, name="b", type=typ)],
            ["c"],
        )

        def check_axis(o: DfgOp) -> None:
            b = o.input_values()[1]
            assert b is not None
            assert str(b.type) == f"tensor<3x1x{element}>", b.type

        along_axis = Case(
            op,
            opset,
            model,
            (t([2, 3, 4], out),),
            check_axis,
            lambda v: [f(v[0], v[1][:, None])],
        )
        cases.append(along_axis)
        # Equal shapes without the flag.
        node = helper.make_node(op, ["a", "b"], ["c"])
        model = make_model(
            opset,
            [node],
            [x(2, 3, name="a", type=typ), x(2, 3, name="b", type=typ)],
            ["c"],
        )
        cases.append(
            Case(
                op, opset, model, (t([2, 3], out),), expected=lambda v: [f(v[0], v[1])]
            )
        )
        return cases
    node = helper.make_node(op, ["a", "b"], ["c"])
    model = make_model(
        opset,
        [node],
        [x(2, 1, 4, name="a", type=typ), x(3, 1, name="b", type=typ)],
        ["c"],
    )
    cases.append(Case(op, opset, model, (t([2, 3, 4], out),)))
    if op == "Pow" and opset >= 12:
        # From opset 12 the exponent may have its own (integer) type.
        model = make_model(
            opset, [node], [x(2, 3, name="a"), x(3, name="b", type=I64)], ["c"]
        )
        cases.append(Case(op, opset, model, (t([2, 3]),)))
    return cases


@builds("Mod")
def _mod(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["a", "b"], ["c"])
    model = make_model(
        opset, [node], [x(2, 3, name="a", type=I64), x(3, name="b", type=I64)], ["c"]
    )
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
        Case(
            op, opset, make_model(opset, [single], [x(4, name="a")], ["y"]), (t([4]),)
        ),
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
        Case(
            op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3], "i64"),)
        ),
        Case(
            op,
            opset,
            make_model(opset, [back], [x(2, 3, type=I64)], ["y"]),
            (t([2, 3], "f16"),),
        ),
    ]


@builds("Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
        "Ceil", "Floor", "Round", "Sign")  # fmt: skip
def _float_unary(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    cases = [Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),))]
    if op == "Sign":
        model = make_model(opset, [node], [x(4, type=TensorProto.INT32)], ["y"])
        cases.append(Case(op, opset, model, (t([4], "i32"),)))
    return cases


@builds("IsNaN", "IsInf")
def _classes(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    cases = [Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3], "i1"),))]
    if op == "IsInf":
        positive = helper.make_node(op, ["x"], ["y"], detect_negative=0)

        def check(o: DfgOp) -> None:
            assert (prop(o, "detect_negative"), prop(o, "detect_positive")) == (0, 1)

        model = make_model(opset, [positive], [x(4, type=TensorProto.DOUBLE)], ["y"])
        cases.append(Case(op, opset, model, (t([4], "i1"),), check))
    return cases


@builds("Not", "BitwiseNot")
def _not(op: str, opset: int) -> list[Case]:
    element, typ = ("i1", BOOL) if op == "Not" else ("ui16", TensorProto.UINT16)
    node = helper.make_node(op, ["x"], ["y"])
    return [Case(op, opset, make_model(opset, [node], [x(2, 3, type=typ)], ["y"]), (t([2, 3], element),))]


@builds("BitShift")
def _bit_shift(op: str, opset: int) -> list[Case]:
    cases: list[Case] = []
    for direction in ("LEFT", "RIGHT"):
        node = helper.make_node(op, ["a", "b"], ["c"], direction=direction)
        inputs = [x(2, 3, name="a", type=TensorProto.UINT8), x(3, name="b", type=TensorProto.UINT8)]

        def check(o: DfgOp, direction: str = direction) -> None:
            assert prop(o, "direction") == direction

        model = make_model(opset, [node], inputs, ["c"])
        cases.append(Case(op, opset, model, (t([2, 3], "ui8"),), check))
    return cases


@builds("Mean")
def _mean(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["a", "b", "c"], ["y"])
    if opset < 8:  # no broadcasting before opset 8
        inputs = [x(2, 3, name=n) for n in "abc"]
    else:
        inputs = [x(2, 3, name="a"), x(3, name="b"), x(1, 1, name="c")]
    return [Case(op, opset, make_model(opset, [node], inputs, ["y"]), (t([2, 3]),))]


@builds("CastLike")
def _cast_like(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "like"], ["y"])
    inputs = [x(2, 3), x(1, name="like", type=TensorProto.FLOAT16)]
    back = [x(2, 3, type=I64), x(name="like", type=TensorProto.DOUBLE)]
    return [
        Case(op, opset, make_model(opset, [node], inputs, ["y"]), (t([2, 3], "f16"),)),
        Case(op, opset, make_model(opset, [node], back, ["y"]), (t([2, 3], "f64"),)),
    ]


@builds("BitCast")
def _bit_cast(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], to=TensorProto.INT32)
    # Not to bfloat16, which onnxruntime does not hand to numpy.
    back = helper.make_node(op, ["x"], ["y"], to=TensorProto.UINT16)

    def check(o: DfgOp) -> None:
        assert prop(o, "to") == TensorProto.INT32

    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3], "i32"),), check),
        Case(op, opset, make_model(opset, [back], [x(4, type=TensorProto.FLOAT16)], ["y"]), (t([4], "ui16"),)),
    ]
