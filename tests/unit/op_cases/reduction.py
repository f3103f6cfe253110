"""Cases of the reduction operators."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import Case, builds, const_of, make_model, prop, t, x


@builds("ArgMax", "ArgMin")
def _arg_extreme(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], axis=1, keepdims=0)
    keep = helper.make_node(op, ["x"], ["y"])
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3, 4)], ["y"]),
            (t([2, 4], "i64"),),
        ),
        Case(
            op,
            opset,
            make_model(opset, [keep], [x(2, 3, 4)], ["y"]),
            (t([1, 3, 4], "i64"),),
        ),
    ]


@builds(
    "ReduceMax",
    "ReduceMean",
    "ReduceSum",
    "ReduceMin",
    "ReduceProd",
    "ReduceL1",
    "ReduceL2",
    "ReduceSumSquare",
    "ReduceLogSum",
    "ReduceLogSumExp",
)
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
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3, 4)], ["y"], inits),
            (t([2, 4]),),
            check,
        ),
        Case(
            op,
            opset,
            make_model(opset, [all_axes], [x(2, 3, 4)], ["y"]),
            (t([1, 1, 1]),),
        ),
    ]


@builds("Hardmax")
def _hardmax(op: str, opset: int) -> list[Case]:
    # Along the last axis of a 2-D input, every opset's Hardmax means the same.
    node = helper.make_node(op, ["x"], ["y"], axis=1)
    return [Case(op, opset, make_model(opset, [node], [x(2, 5)], ["y"]), (t([2, 5]),))]


@builds("TopK")
def _top_k(op: str, opset: int) -> list[Case]:
    if opset < 10:
        node = helper.make_node(op, ["x"], ["v", "i"], k=2)
        inits: dict[str, np.ndarray] = {}
    else:
        node = helper.make_node(op, ["x", "k"], ["v", "i"])
        inits = {"k": np.array([2], np.int64)}

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == [2]

    outputs = (t([3, 2]), t([3, 2], "i64"))
    cases = [Case(op, opset, make_model(opset, [node], [x(3, 4)], ["v", "i"], inits), outputs, check)]
    if opset >= 11:
        smallest = helper.make_node(op, ["x", "k"], ["v", "i"], axis=0, largest=0)
        model = make_model(opset, [smallest], [x(3, 4)], ["v", "i"], inits)
        cases.append(Case(op, opset, model, (t([2, 4]), t([2, 4], "i64"))))
    return cases


@builds("CumSum", "CumProd")
def _cumulative(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "a"], ["y"], exclusive=1, reverse=1)

    def check(o: DfgOp) -> None:
        assert (prop(o, "exclusive"), prop(o, "reverse")) == (1, 1)

    model = make_model(opset, [node], [x(2, 3)], ["y"], {"a": np.array(1, np.int32)})
    return [Case(op, opset, model, (t([2, 3]),), check)]


@builds("Einsum")
def _einsum(op: str, opset: int) -> list[Case]:
    matmul = helper.make_node(op, ["a", "b"], ["y"], equation="bij,bjk->bik")
    implicit = helper.make_node(op, ["a"], ["y"], equation="...ii")
    return [
        Case(op, opset, make_model(opset, [matmul], [x(2, 3, 4, name="a"), x(2, 4, 5, name="b")], ["y"]), (t([2, 3, 5]),)),
        # The implicit output keeps the ellipsis, and no label appears once.
        Case(op, opset, make_model(opset, [implicit], [x(2, 3, 3, name="a")], ["y"]), (t([2]),)),
    ]


def _loss_cases(op: str, opset: int, outputs: list[str], types: tuple[str, ...]) -> list[Case]:
    """A loss of 3 samples of 5 classes, averaged, and per sample with weights and an ignored class."""
    labels = {"l": np.array([1, 0, 4], np.int64)}
    mean = helper.make_node(op, ["x", "l"], outputs)
    weighted = helper.make_node(op, ["x", "l", "w"], outputs, reduction="none", ignore_index=0)

    def check(o: DfgOp) -> None:
        assert (prop(o, "reduction"), prop(o, "ignore_index")) == ("none", 0)

    inputs = [x(3, 5), x(5, name="w")]
    return [
        Case(op, opset, make_model(opset, [mean], inputs[:1], outputs, labels), (t([]), *types)),
        Case(op, opset, make_model(opset, [weighted], inputs, outputs, labels), (t([3]), *types), check),
    ]


@builds("NegativeLogLikelihoodLoss")
def _negative_log_likelihood(op: str, opset: int) -> list[Case]:
    return _loss_cases(op, opset, ["y"], ())


@builds("SoftmaxCrossEntropyLoss")
def _softmax_cross_entropy(op: str, opset: int) -> list[Case]:
    return [*_loss_cases(op, opset, ["y"], ()), *_loss_cases(op, opset, ["y", "p"], (t([3, 5]),))]
