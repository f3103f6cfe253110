"""Cases of the activation operators."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import (
    Case,
    absent,
    builds,
    const_of,
    make_model,
    prop,
    t,
    x,
)


@builds("Gelu")
def _gelu(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], approximate="tanh")

    def check(o: DfgOp) -> None:
        assert prop(o, "approximate") == "tanh"

    return [
        Case(
            op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),), check
        )
    ]


@builds("HardSigmoid", "LeakyRelu")
def _alpha(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], alpha=0.25)

    def check(o: DfgOp) -> None:
        assert prop(o, "alpha") == 0.25

    return [
        Case(
            op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),), check
        )
    ]


@builds("Softmax", "LogSoftmax")
def _softmax(op: str, opset: int) -> list[Case]:
    # Before opset 13 the input is coerced to 2-D at `axis` (default 1); from 13
    # the operator works along one axis (default -1).
    node = helper.make_node(op, ["x"], ["y"], axis=1)
    default = helper.make_node(op, ["x"], ["y"])
    return [
        Case(
            op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"]), (t([2, 3, 4]),)
        ),
        Case(op, opset, make_model(opset, [default], [x(2, 5)], ["y"]), (t([2, 5]),)),
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

    cases = [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3)], ["y"], inits),
            (t([2, 3]),),
            check,
        )
    ]
    if opset < 11:
        upper = helper.make_node(op, ["x"], ["y"], max=6.0)

        def check_upper(o: DfgOp) -> None:
            assert float(const_of(o, 2)) == 6.0
            low = o.input_values()[1]
            # The converter either leaves `min` out or makes it the lowest float.
            assert low is None or float(const_of(o, 1)) <= -3.4e38

        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [upper], [x(2, 3)], ["y"]),
                (t([2, 3]),),
                check_upper,
            )
        )
    else:
        upper = helper.make_node(op, ["x", "", "hi"], ["y"])

        def check_gap(o: DfgOp) -> None:
            assert absent(o, 1)
            assert float(const_of(o, 2)) == 6.0

        inits = {"hi": np.array(6.0, np.float32)}
        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [upper], [x(2, 3)], ["y"], inits),
                (t([2, 3]),),
                check_gap,
            )
        )
    return cases


@builds("Elu", "Celu", "ThresholdedRelu")
def _alpha_only(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], alpha=0.5)
    default = helper.make_node(op, ["x"], ["y"])

    def check(o: DfgOp) -> None:
        assert prop(o, "alpha") == 0.5

    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),), check),
        Case(op, opset, make_model(opset, [default], [x(4)], ["y"]), (t([4]),)),
    ]


@builds("Selu")
def _selu(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], alpha=2.0, gamma=3.0)

    def check(o: DfgOp) -> None:
        assert (prop(o, "alpha"), prop(o, "gamma")) == (2.0, 3.0)

    return [Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),), check)]


@builds("Softplus", "Softsign", "Mish")
def _plain(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    return [Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),))]


@builds("Shrink")
def _shrink(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], lambd=1.0, bias=0.5)

    def check(o: DfgOp) -> None:
        assert (prop(o, "lambd"), prop(o, "bias")) == (1.0, 0.5)

    model = make_model(opset, [node], [x(2, 3, type=TensorProto.INT32)], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),), check),
        Case(op, opset, model, (t([2, 3], "i32"),), check),
    ]


@builds("PRelu")
def _prelu(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "slope"], ["y"])
    inits = {"slope": np.array([0.25], np.float32)}
    cases = [Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"], inits), (t([2, 3, 4]),))]
    if opset >= 7:  # from opset 7 the slope broadcasts to the input
        inputs = [x(2, 3, 4), x(3, 1, name="slope")]
        cases.append(Case(op, opset, make_model(opset, [node], inputs, ["y"]), (t([2, 3, 4]),)))
    return cases


@builds("Swish")
def _swish(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], alpha=0.5)

    def check(o: DfgOp) -> None:
        assert prop(o, "alpha") == 0.5

    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3)], ["y"]), (t([2, 3]),), check),
        Case(op, opset, make_model(opset, [helper.make_node(op, ["x"], ["y"])], [x(4)], ["y"]), (t([4]),)),
    ]


@builds("SwiGLU")
def _swiglu(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["a", "b"], ["y"], alpha=1.5)

    def check(o: DfgOp) -> None:
        assert prop(o, "alpha") == 1.5

    inputs = [x(2, 3, name="a"), x(2, 3, name="b")]
    return [Case(op, opset, make_model(opset, [node], inputs, ["y"]), (t([2, 3]),), check)]
