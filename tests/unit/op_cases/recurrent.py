"""Cases of the recurrent operators: 4 steps, batch 2, 3 features, hidden size 5."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import (
    Case,
    _runs,
    builds,
    const_of,
    make_model,
    prop,
    t,
    x,
)

_GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
STEPS, BATCH, FEATURES, HIDDEN = 4, 2, 3, 5


def _weights(op: str, directions: int) -> dict[str, np.ndarray]:
    """W, R and B of `op`, seeded and small enough not to saturate the gates."""
    rng = np.random.default_rng(_GATES[op])
    rows = _GATES[op] * HIDDEN
    shapes = {"w": (directions, rows, FEATURES), "r": (directions, rows, HIDDEN), "b": (directions, 2 * rows)}
    return {name: rng.uniform(-0.5, 0.5, shape).astype(np.float32) for name, shape in shapes.items()}


def _hidden_size(o: DfgOp) -> None:
    assert prop(o, "hidden_size") == HIDDEN


@builds("LSTM")
def _lstm(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "w", "r", "b"], ["y", "y_h", "y_c"], hidden_size=HIDDEN)
    model = make_model(opset, [node], [x(STEPS, BATCH, FEATURES)], ["y", "y_h", "y_c"], _weights(op, 1))
    state = t([1, BATCH, HIDDEN])
    cases = [Case(op, opset, model, (t([STEPS, 1, BATCH, HIDDEN]), state, state), _hidden_size)]
    # Both directions, Y skipped: the op still has it, unused.
    both = helper.make_node(op, ["x", "w", "r", "b"], ["", "y_h"], hidden_size=HIDDEN, direction="bidirectional")
    model = make_model(opset, [both], [x(STEPS, BATCH, FEATURES)], ["y_h"], _weights(op, 2))

    def check(o: DfgOp) -> None:
        assert prop(o, "direction") == "bidirectional"
        assert [str(r.type) for r in o.results] == [t([STEPS, 2, BATCH, HIDDEN]), t([2, BATCH, HIDDEN])]

    cases.append(Case(op, opset, model, (t([2, BATCH, HIDDEN]),), check))
    return cases


@builds("GRU")
def _gru(op: str, opset: int) -> list[Case]:
    node = helper.make_node(
        op, ["x", "w", "r", "b", "", "h"], ["y", "y_h"], hidden_size=HIDDEN, direction="reverse", linear_before_reset=1
    )
    inputs = [x(STEPS, BATCH, FEATURES), x(1, BATCH, HIDDEN, name="h")]
    model = make_model(opset, [node], inputs, ["y", "y_h"], _weights(op, 1))

    def check(o: DfgOp) -> None:
        _hidden_size(o)
        assert prop(o, "linear_before_reset") == 1
        assert prop(o, "direction") == "reverse"

    return [Case(op, opset, model, (t([STEPS, 1, BATCH, HIDDEN]), t([1, BATCH, HIDDEN])), check)]


@builds("RNN")
def _rnn(op: str, opset: int) -> list[Case]:
    node = helper.make_node(
        op, ["x", "w", "r", "b", "lens"], ["y", "y_h"], hidden_size=HIDDEN, activations=["Relu"], clip=2.0
    )
    weights = _weights(op, 1) | {"lens": np.array([STEPS, 2], np.int32)}
    model = make_model(opset, [node], [x(STEPS, BATCH, FEATURES)], ["y", "y_h"], weights)
    # Neither onnxruntime nor onnx's reference evaluator has RNN-1, the same node at opset 7.
    expected = _runs(make_model(7, [node], [x(STEPS, BATCH, FEATURES)], ["y", "y_h"], weights)) if opset < 7 else None

    def check(o: DfgOp) -> None:
        assert prop(o, "activations") == ["Relu"]
        assert const_of(o, 4).tolist() == [STEPS, 2]

    return [Case(op, opset, model, (t([STEPS, 1, BATCH, HIDDEN]), t([1, BATCH, HIDDEN])), check, expected)]
