"""Cases of the convolution variants: deformable, and causal with a state."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import Case, builds, make_model, prop, t, without, x


@builds("DeformConv")
def _deform_conv(op: str, opset: int) -> list[Case]:
    rng = np.random.default_rng(opset)
    # A 2x2 kernel over 4x5 padded by 1 on each side: (4 + 2 - 2) + 1 = 5 by (5 + 2 - 2) + 1 = 6.
    weights = {"w": rng.uniform(-1, 1, (3, 2, 2, 2)).astype(np.float32), "b": np.arange(3, dtype=np.float32)}
    offsets = {"o": rng.uniform(-1.5, 1.5, (1, 2 * 4 * 2, 5, 6)).astype(np.float32)}
    node = helper.make_node(op, ["x", "w", "o"], ["y"], pads=[1, 1, 1, 1])
    masked = helper.make_node(op, ["x", "w", "o", "b", "m"], ["y"], pads=[1, 1, 1, 1], offset_group=2)
    mask = {"m": rng.uniform(0, 1, (1, 2 * 4, 5, 6)).astype(np.float32)}

    def check(o: DfgOp) -> None:
        assert prop(o, "offset_group") == 2

    return [
        Case(op, opset, make_model(opset, [node], [x(1, 2, 4, 5)], ["y"], {"w": weights["w"], "o": offsets["o"][:, :8]}), (t([1, 3, 5, 6]),), without(3)),
        Case(op, opset, make_model(opset, [masked], [x(1, 2, 4, 5)], ["y"], weights | offsets | mask), (t([1, 3, 5, 6]),), check),
    ]


@builds("CausalConvWithState")
def _causal_conv_with_state(op: str, opset: int) -> list[Case]:
    # A kernel of 3 taps over 3 channels: the state holds 2 positions.
    weights = {"w": np.linspace(-1, 1, 9, dtype=np.float32).reshape(3, 1, 3), "b": np.full(3, 0.5, np.float32)}
    plain = helper.make_node(op, ["x", "w"], ["y", "s"])
    stateful = helper.make_node(op, ["x", "w", "b", "p"], ["y", "s"], activation="silu")

    def check(o: DfgOp) -> None:
        assert prop(o, "activation") == "silu"

    outputs = (t([2, 3, 5]), t([2, 3, 2]))
    return [
        Case(op, opset, make_model(opset, [plain], [x(2, 3, 5)], ["y", "s"], {"w": weights["w"]}), outputs),
        Case(op, opset, make_model(opset, [stateful], [x(2, 3, 5), x(2, 3, 2, name="p")], ["y", "s"], weights), outputs, check),
    ]
