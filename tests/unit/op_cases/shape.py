"""Cases of the shape operators."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import Case, builds, const_of, make_model, prop, t, x


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
        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [mask], [x(2, 3)], ["y", "m"]),
                (t([2, 3]), t([2, 3], "i1")),
            )
        )
    return cases


@builds("Concat")
def _concat(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["a", "b", "c"], ["y"], axis=1)
    inputs = [x(2, 1, name="a"), x(2, 3, name="b"), x(2, 2, name="c")]

    def check(o: DfgOp) -> None:
        assert prop(o, "axis") == 1
        assert len(o.operands) == 3

    return [
        Case(op, opset, make_model(opset, [node], inputs, ["y"]), (t([2, 6]),), check)
    ]


@builds("ConstantOfShape")
def _constant_of_shape(op: str, opset: int) -> list[Case]:
    value = numpy_helper.from_array(np.array([7], np.int64), "value")
    node = helper.make_node(op, ["s"], ["y"], value=value)
    plain = helper.make_node(op, ["s"], ["y"])
    shape = {"s": np.array([2, 3], np.int64)}
    return [
        Case(
            op, opset, make_model(opset, [node], [], ["y"], shape), (t([2, 3], "i64"),)
        ),
        Case(op, opset, make_model(opset, [plain], [], ["y"], shape), (t([2, 3]),)),
    ]


@builds("Expand")
def _expand(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s"], ["y"])
    shape = {"s": np.array([2, 1, 4], np.int64)}
    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(3, 1)], ["y"], shape),
            (t([2, 3, 4]),),
        )
    ]


@builds("Flatten")
def _flatten(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], axis=2)
    default = helper.make_node(op, ["x"], ["y"])
    return [
        Case(
            op, opset, make_model(opset, [node], [x(2, 3, 4, 5)], ["y"]), (t([6, 20]),)
        ),
        Case(
            op,
            opset,
            make_model(opset, [default], [x(2, 3, 4, 5)], ["y"]),
            (t([2, 60]),),
        ),
    ]


@builds("Range")
def _range(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["s", "l", "d"], ["y"])
    inits = {
        "s": np.array(1, np.int64),
        "l": np.array(10, np.int64),
        "d": np.array(3, np.int64),
    }
    # 1, 4, 7
    return [
        Case(op, opset, make_model(opset, [node], [], ["y"], inits), (t([3], "i64"),))
    ]


@builds("Reshape")
def _reshape(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s"], ["y"])
    shape = {"s": np.array([0, -1], np.int64)}

    def check(o: DfgOp) -> None:
        assert const_of(o, 1).tolist() == [0, -1]

    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 3, 4)], ["y"], shape),
            (t([2, 12]),),
            check,
        )
    ]


@builds("Shape")
def _shape(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    cases = [
        Case(
            op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"]), (t([3], "i64"),)
        )
    ]
    if opset >= 15:
        sliced = helper.make_node(op, ["x"], ["y"], start=1, end=-1)
        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [sliced], [x(2, 3, 4, 5)], ["y"]),
                (t([2], "i64"),),
            )
        )
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

    cases.append(
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 4)], ["a", "b"], inits),
            (t([2, 1]), t([2, 3])),
            check,
        )
    )
    even = helper.make_node(
        op,
        ["x"],
        ["a", "b", "c"],
        axis=0,
        **({"num_outputs": 3} if opset >= 18 else {}),
    )
    cases.append(
        Case(
            op,
            opset,
            make_model(opset, [even], [x(6, 2)], ["a", "b", "c"]),
            (t([2, 2]),) * 3,
        )
    )
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
        cases.append(
            Case(op, opset, make_model(opset, [every], [x(1, 3, 1)], ["y"]), (t([3]),))
        )
        return cases
    model = make_model(opset, [node], [x(3, 4)], ["y"], inits)
    return [Case(op, opset, model, (t([1, 3, 1, 4]),), check)]


@builds("Tile")
def _tile(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "r"], ["y"])
    inits = {"r": np.array([2, 3], np.int64)}
    return [
        Case(
            op, opset, make_model(opset, [node], [x(2, 3)], ["y"], inits), (t([4, 9]),)
        )
    ]


@builds("Transpose")
def _transpose(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], perm=[2, 0, 1])
    reverse = helper.make_node(op, ["x"], ["y"])
    return [
        Case(
            op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"]), (t([4, 2, 3]),)
        ),
        Case(
            op,
            opset,
            make_model(opset, [reverse], [x(2, 3, 4)], ["y"]),
            (t([4, 3, 2]),),
        ),
    ]


@builds("Size")
def _size(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"])
    return [Case(op, opset, make_model(opset, [node], [x(2, 3, 4)], ["y"]), (t([], "i64"),))]


@builds("EyeLike")
def _eye_like(op: str, opset: int) -> list[Case]:
    shifted = helper.make_node(op, ["x"], ["y"], k=1)
    typed = helper.make_node(op, ["x"], ["y"], dtype=TensorProto.INT64)

    def check(o: DfgOp) -> None:
        assert prop(o, "k") == 1

    return [
        Case(op, opset, make_model(opset, [shifted], [x(3, 4)], ["y"]), (t([3, 4]),), check),
        Case(op, opset, make_model(opset, [typed], [x(2, 2)], ["y"]), (t([2, 2], "i64"),)),
    ]


@builds("DepthToSpace", "SpaceToDepth")
def _blocks(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y"], blocksize=2)
    depth, space = [1, 8, 2, 3], [1, 2, 4, 6]
    given, expected = (depth, space) if op == "DepthToSpace" else (space, depth)

    def check(o: DfgOp) -> None:
        assert prop(o, "blocksize") == 2

    cases = [Case(op, opset, make_model(opset, [node], [x(*given)], ["y"]), (t(expected),), check)]
    if op == "DepthToSpace" and opset >= 11:
        crd = helper.make_node(op, ["x"], ["y"], blocksize=2, mode="CRD")
        cases.append(Case(op, opset, make_model(opset, [crd], [x(*given)], ["y"]), (t(expected),)))
    return cases
