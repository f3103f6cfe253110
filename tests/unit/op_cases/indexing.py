"""Cases of the indexing operators."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import (
    F32,
    I64,
    Case,
    absent,
    builds,
    const_of,
    make_model,
    prop,
    t,
    without,
    x,
)


@builds("Gather")
def _gather(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "i"], ["y"], axis=1)
    indices = {"i": np.array([[0, 2], [1, 1]], np.int64)}
    scalar = helper.make_node(op, ["x", "j"], ["y"])
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(3, 4)], ["y"], indices),
            (t([3, 2, 2]),),
        ),
        Case(
            op,
            opset,
            make_model(opset, [scalar], [x(3, 4)], ["y"], {"j": np.array(1, np.int64)}),
            (t([4]),),
        ),
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

    cases.append(
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3)], ["y"], inits),
            (t([4, 4]),),
            check,
        )
    )
    if opset >= 18:
        axes = helper.make_node(op, ["x", "p", "", "a"], ["y"], mode="reflect")
        inits = {"p": np.array([1, 2], np.int64), "a": np.array([1], np.int64)}

        def check_axes(o: DfgOp) -> None:
            assert absent(o, 2)
            assert const_of(o, 3).tolist() == [1]
            assert prop(o, "mode") == "reflect"

        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [axes], [x(2, 4)], ["y"], inits),
                (t([2, 7]),),
                check_axes,
            )
        )
    return cases


@builds("Slice")
def _slice(op: str, opset: int) -> list[Case]:
    if opset < 10:
        node = helper.make_node(op, ["x"], ["y"], starts=[1], ends=[1000], axes=[1])
        inits: dict[str, np.ndarray] = {}
    else:
        node = helper.make_node(op, ["x", "s", "e", "a"], ["y"])
        inits = {
            "s": np.array([1], np.int64),
            "e": np.array([1000], np.int64),
            "a": np.array([1], np.int64),
        }

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == [1]
        assert const_of(o, 2).tolist() == [1000]
        assert const_of(o, 3).tolist() == [1]

    cases = [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 5)], ["y"], inits),
            (t([2, 4]),),
            check,
        )
    ]
    if opset >= 10:
        steps = helper.make_node(op, ["x", "s", "e", "", "t"], ["y"])
        inits = {
            "s": np.array([4, 0], np.int64),
            "e": np.array([0, 5], np.int64),
            "t": np.array([-1, 2], np.int64),
        }
        # dim 0: 4, 3, 2, 1 -> 4 (of 6); dim 1: 0, 2, 4 -> 3
        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [steps], [x(6, 5)], ["y"], inits),
                (t([4, 3]),),
            )
        )
    return cases


def _ints(*values: object) -> np.ndarray:
    return np.array(values, np.int64)


@builds("GatherElements")
def _gather_elements(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "i"], ["y"], axis=-1)
    indices = {"i": _ints([0, -1], [2, 2], [1, 0])}
    return [Case(op, opset, make_model(opset, [node], [x(3, 4)], ["y"], indices), (t([3, 2]),))]


@builds("GatherND")
def _gather_nd(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "i"], ["y"])
    indices = {"i": _ints([1, 2], [0, -1])}
    # Index pairs into the first two axes: one row of 4 each.
    cases = [Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"], indices), (t([2, 4]),))]
    if opset >= 12:
        batched = helper.make_node(op, ["x", "i"], ["y"], batch_dims=1)
        indices = {"i": _ints([[2], [0]], [[1], [1]])}

        def check(o: DfgOp) -> None:
            assert prop(o, "batch_dims") == 1

        # Per batch entry, two single indices into axis 1: 2x2 rows of 4.
        model = make_model(opset, [batched], [x(2, 3, 4)], ["y"], indices)
        cases.append(Case(op, opset, model, (t([2, 2, 4]),), check))
    return cases


@builds("ScatterND")
def _scatter_nd(op: str, opset: int) -> list[Case]:
    reduction = "max" if opset >= 18 else "add" if opset >= 16 else None
    attrs = {"reduction": reduction} if reduction else {}
    node = helper.make_node(op, ["x", "i", "u"], ["y"], **attrs)
    inputs = [x(4, 3), x(2, 3, name="u")]

    def check(o: DfgOp) -> None:
        assert prop(o, "reduction") == (reduction or "none")

    model = make_model(opset, [node], inputs, ["y"], {"i": _ints([1], [3])})
    return [Case(op, opset, model, (t([4, 3]),), check)]


@builds("ScatterElements")
def _scatter_elements(op: str, opset: int) -> list[Case]:
    reduction = "min" if opset >= 18 else "mul" if opset >= 16 else None
    attrs = {"reduction": reduction} if reduction else {}
    node = helper.make_node(op, ["x", "i", "u"], ["y"], axis=1, **attrs)
    inputs = [x(3, 4), x(3, 2, name="u")]

    def check(o: DfgOp) -> None:
        assert prop(o, "axis") == 1
        assert prop(o, "reduction") == (reduction or "none")

    indices = {"i": _ints([0, 3], [-1, 1], [2, 2])}
    cases = [Case(op, opset, make_model(opset, [node], inputs, ["y"], indices), (t([3, 4]),), check)]
    if opset == 11:  # Scatter, its name before opset 11, becomes it too
        scatter = helper.make_node("Scatter", ["x", "i", "u"], ["y"], axis=1)
        cases.append(Case(op, 10, make_model(10, [scatter], inputs, ["y"], indices), (t([3, 4]),)))
    return cases


@builds("OneHot")
def _one_hot(op: str, opset: int) -> list[Case]:
    inits = {"d": np.array(5, np.int64), "v": np.array([-1.0, 2.0], np.float32)}
    cases = []
    # The new axis of depth 5 goes last, or first.
    for attrs, shape in (({}, [3, 5]), ({"axis": 0}, [5, 3])):
        node = helper.make_node(op, ["i", "d", "v"], ["y"], **attrs)
        model = make_model(opset, [node], [x(3, name="i", type=I64)], ["y"], inits)
        cases.append(Case(op, opset, model, (t(shape),)))
    return cases


@builds("Trilu")
def _trilu(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "k"], ["y"], upper=0)

    def check(o: DfgOp) -> None:
        assert prop(o, "upper") == 0
        assert int(const_of(o, 1)) == -1

    plain = helper.make_node(op, ["x"], ["y"])
    inits = {"k": np.array(-1, np.int64)}
    return [
        Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"], inits), (t([2, 3, 4]),), check),
        Case(op, opset, make_model(opset, [plain], [x(3, 4)], ["y"]), (t([3, 4]),), without(1)),
    ]


@builds("ReverseSequence")
def _reverse_sequence(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "n"], ["y"], time_axis=1, batch_axis=0)

    def check(o: DfgOp) -> None:
        assert (prop(o, "time_axis"), prop(o, "batch_axis")) == (1, 0)

    model = make_model(opset, [node], [x(2, 4, 3)], ["y"], {"n": _ints(3, 1)})
    return [Case(op, opset, model, (t([2, 4, 3]),), check)]


@builds("Compress")
def _compress(op: str, opset: int) -> list[Case]:
    along = helper.make_node(op, ["x", "c"], ["y"], axis=-1 if opset >= 11 else 1)
    flat = helper.make_node(op, ["x", "c"], ["y"])
    # Two of three columns; three of the first five of six flattened elements.
    columns = {"c": np.array([True, False, True])}
    elements = {"c": np.array([False, True, True, False, True])}
    cases = []
    for node, condition, shape in ((along, columns, [2, 2]), (flat, elements, [3])):
        model = make_model(opset, [node], [x(2, 3)], ["y"], condition)
        # ONNX's shape inference does not read the condition: the model declares the shape.
        model.graph.output[0].CopyFrom(helper.make_tensor_value_info("y", F32, shape))
        cases.append(Case(op, opset, model, (t(shape),)))
    return cases


@builds("CenterCropPad")
def _center_crop_pad(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s"], ["y"])
    along = helper.make_node(op, ["x", "s"], ["y"], axes=[-1])

    def check(o: DfgOp) -> None:
        assert prop(o, "axes") == [-1]

    return [
        Case(op, opset, make_model(opset, [node], [x(6, 5)], ["y"], {"s": _ints(4, 8)}), (t([4, 8]),)),
        Case(op, opset, make_model(opset, [along], [x(6, 5)], ["y"], {"s": _ints(2)}), (t([6, 2]),), check),
    ]


@builds("Col2Im")
def _col2im(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "image", "block"], ["y"], strides=[2, 1])
    inits = {"image": _ints(5, 4), "block": _ints(3, 2)}
    # Blocks of 3x2 at stride 2 down and 1 across a 5x4 image: 2x3 positions.
    return [Case(op, opset, make_model(opset, [node], [x(1, 12, 6)], ["y"], inits), (t([1, 2, 5, 4]),))]


@builds("TensorScatter")
def _tensor_scatter(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["c", "u", "w"], ["y"], mode="circular")
    prefill = helper.make_node(op, ["c", "u"], ["y"], axis=1)

    def check(o: DfgOp) -> None:
        assert prop(o, "mode") == "circular"

    inputs = [x(2, 1, 4, 3, name="c"), x(2, 1, 2, 3, name="u")]
    return [
        Case(op, opset, make_model(opset, [node], inputs, ["y"], {"w": _ints(3, 1)}), (t([2, 1, 4, 3]),), check),
        Case(op, opset, make_model(opset, [prefill], [x(2, 5, 3, name="c"), x(2, 3, 3, name="u")], ["y"]), (t([2, 5, 3]),), without(2)),
    ]
