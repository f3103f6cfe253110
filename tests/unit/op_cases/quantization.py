"""Cases of the quantization operators."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import (
    Case,
    builds,
    const_of,
    make_model,
    prop,
    t,
    without,
    x,
)

U8 = TensorProto.UINT8
I8 = TensorProto.INT8

_SCALE = np.array(0.25, np.float32)


def _zero_point_of_type(o: DfgOp, index: int, dtype: type) -> None:
    assert const_of(o, index).dtype == dtype


@builds("QuantizeLinear")
def _quantize(op: str, opset: int) -> list[Case]:
    per_tensor = helper.make_node(op, ["x", "s", "z"], ["y"])
    inits = {"s": _SCALE, "z": np.array(-3, np.int8)}
    cases = [
        Case(op, opset, make_model(opset, [per_tensor], [x(2, 3, 4)], ["y"], inits), (t([2, 3, 4], "i8"),)),
        # Without a zero point the result is uint8.
        Case(
            op,
            opset,
            make_model(opset, [helper.make_node(op, ["x", "s"], ["y"])], [x(2, 3)], ["y"], {"s": _SCALE}),
            (t([2, 3], "ui8"),),
            without(2),
        ),
    ]
    if opset >= 13:
        per_axis = helper.make_node(op, ["x", "s", "z"], ["y"], axis=0)
        axis_inits = {"s": np.array([0.1, 0.2], np.float32), "z": np.array([3, 200], np.uint8)}

        def check(o: DfgOp) -> None:
            assert prop(o, "axis") == 0

        model = make_model(opset, [per_axis], [x(2, 3)], ["y"], axis_inits)
        cases.append(Case(op, opset, model, (t([2, 3], "ui8"),), check))
    if opset >= 21:
        blocked = helper.make_node(op, ["x", "s", "z"], ["y"], axis=1, block_size=2)
        block_inits = {"s": np.full((2, 2), 0.1, np.float32), "z": np.zeros((2, 2), np.int8)}
        model = make_model(opset, [blocked], [x(2, 3)], ["y"], block_inits)
        cases.append(Case(op, opset, model, (t([2, 3], "i8"),), lambda o: _zero_point_of_type(o, 2, np.int8)))
    return cases


@builds("DequantizeLinear")
def _dequantize(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "s", "z"], ["y"])
    inits = {"s": _SCALE, "z": np.array(130, np.uint8)}
    cases = [
        Case(op, opset, make_model(opset, [node], [x(2, 3, 4, type=U8)], ["y"], inits), (t([2, 3, 4]),)),
        Case(
            op,
            opset,
            make_model(opset, [helper.make_node(op, ["x", "s"], ["y"])], [x(2, 3, type=TensorProto.INT32)], ["y"], {"s": _SCALE}),
            (t([2, 3]),),
            without(2),
        ),
    ]
    if opset >= 13:
        per_axis = helper.make_node(op, ["x", "s", "z"], ["y"], axis=-1)
        axis_inits = {"s": np.array([0.1, 0.2, 0.3], np.float32), "z": np.array([-3, 0, 5], np.int8)}
        model = make_model(opset, [per_axis], [x(2, 3, type=I8)], ["y"], axis_inits)
        cases.append(Case(op, opset, model, (t([2, 3]),), lambda o: _zero_point_of_type(o, 2, np.int8)))
    if opset >= 19:
        half = {"s": _SCALE.astype(np.float16), "z": np.array(1, np.int8)}
        model = make_model(opset, [node], [x(4, type=I8)], ["y"], half)
        cases.append(Case(op, opset, model, (t([4], "f16"),)))
    return cases


@builds("DynamicQuantizeLinear")
def _dynamic_quantize(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x"], ["y", "s", "z"])
    model = make_model(opset, [node], [x(2, 3)], ["y", "s", "z"])
    return [Case(op, opset, model, (t([2, 3], "ui8"), "tensor<f32>", "tensor<ui8>"))]


def _qlinear_inputs(w: np.ndarray) -> dict[str, np.ndarray]:
    """The scales and zero points of a QLinearConv or QLinearMatMul whose weight is `w`, and `w`."""
    return {
        "xs": np.array(0.02, np.float32),
        "xz": np.array(2, np.uint8),
        "w": w,
        "ws": np.array(0.05, np.float32),
        "wz": np.array(1, w.dtype),
        "ys": np.array(0.1, np.float32),
        "yz": np.array(10, np.uint8),
    }


@builds("QLinearConv")
def _qlinear_conv(op: str, opset: int) -> list[Case]:
    inits = _qlinear_inputs(np.arange(-27, 27, dtype=np.int8).reshape(2, 3, 3, 3))
    inits["b"] = np.array([-100, 100], np.int32)
    names = ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"]
    node = helper.make_node(op, [*names, "b"], ["y"], pads=[1, 1, 1, 1], strides=[2, 2])
    # (5 + 2 - 3) // 2 + 1 = 3
    no_bias = helper.make_node(op, names, ["y"])

    def check(o: DfgOp) -> None:
        assert prop(o, "strides") == [2, 2]
        assert const_of(o, 8).dtype == np.int32

    return [
        Case(op, opset, make_model(opset, [node], [x(1, 3, 5, 5, type=U8)], ["y"], inits), (t([1, 2, 3, 3], "ui8"),), check),
        Case(op, opset, make_model(opset, [no_bias], [x(1, 3, 5, 5, type=U8)], ["y"], inits), (t([1, 2, 3, 3], "ui8"),), without(8)),
    ]


@builds("QLinearMatMul")
def _qlinear_matmul(op: str, opset: int) -> list[Case]:
    inits = _qlinear_inputs(np.arange(12, dtype=np.uint8).reshape(4, 3) * 20)
    node = helper.make_node(op, ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"])
    return [Case(op, opset, make_model(opset, [node], [x(2, 5, 4, type=U8)], ["y"], inits), (t([2, 5, 3], "ui8"),))]


@builds("MatMulInteger")
def _matmul_integer(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["a", "b", "za", "zb"], ["y"])
    inits = {"za": np.array(3, np.uint8), "zb": np.array([1, -1, 2], np.int8)}
    inputs = [x(2, 4, name="a", type=U8), x(4, 3, name="b", type=I8)]
    plain = helper.make_node(op, ["a", "b"], ["y"])
    return [
        Case(op, opset, make_model(opset, [node], inputs, ["y"], inits), (t([2, 3], "i32"),)),
        Case(op, opset, make_model(opset, [plain], inputs, ["y"]), (t([2, 3], "i32"),), without(2)),
    ]


@builds("ConvInteger")
def _conv_integer(op: str, opset: int) -> list[Case]:
    w = np.arange(-12, 12, dtype=np.int8).reshape(4, 2, 3, 1)
    node = helper.make_node(op, ["x", "w", "z"], ["y"], pads=[1, 0, 1, 0], group=2)
    # 6 + 2 - 3 + 1 = 6 rows, 6 - 1 + 1 = 6 columns; 4 channels in 2 groups of 2.
    inits = {"w": w, "z": np.array(5, np.uint8)}
    return [
        Case(op, opset, make_model(opset, [node], [x(1, 4, 6, 6, type=U8)], ["y"], inits), (t([1, 4, 6, 6], "i32"),)),
    ]
