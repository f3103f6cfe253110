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
