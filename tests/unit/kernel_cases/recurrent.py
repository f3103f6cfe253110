"""Kernel cases of the recurrent operators: the fused torch path and the step-by-step one."""

from typing import Any

import numpy as np
from onnx import TensorProto, helper

from tests.unit.dfg_eval import run_model
from tests.unit.kernel_cases.core import case, rand

STEPS, BATCH, FEATURES, HIDDEN = 4, 2, 3, 3


def _weights(gates: int, directions: int = 1, dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W, R and B of a recurrent operator with `gates` gates."""
    return (
        rand(directions, gates * HIDDEN, FEATURES, dtype=dtype, low=-1, high=1),
        rand(directions, gates * HIDDEN, HIDDEN, dtype=dtype, low=-1, high=1),
        rand(directions, 2 * gates * HIDDEN, dtype=dtype, low=-1, high=1),
    )


def _x(batch: int = BATCH, dtype: type = np.float32, layout: int = 0) -> np.ndarray:
    """The input sequence X, sequence-first or (layout 1) batch-first."""
    return rand(batch, STEPS, FEATURES, dtype=dtype) if layout else rand(STEPS, batch, FEATURES, dtype=dtype)


def _state(directions: int = 1, batch: int = BATCH, layout: int = 0) -> np.ndarray:
    """An initial state, directions first or (layout 1) batch first."""
    return rand(batch, directions, HIDDEN) if layout else rand(directions, batch, HIDDEN)


def _lengths(*values: int) -> np.ndarray:
    """A sequence_lens input."""
    return np.array(values, dtype=np.int32)


def recurrent(
    op: str,
    *inputs: np.ndarray | None,
    outputs: int,
    const: tuple[int, ...] = (),
    spelled_out: dict[str, Any] | None = None,
    **attrs: Any,
) -> None:
    """Add a case of recurrent operator `op` (onnxruntime needs its hidden_size).

    Where onnxruntime does not run the node as it is, the reference is what it
    computes for the same node in a form it runs (`onnxruntime_in_form`), with
    the `spelled_out` attributes where it departs from the spec's defaults.
    """
    attrs["hidden_size"] = HIDDEN
    x = inputs[0]
    assert x is not None
    runs = not attrs.get("layout") and x.dtype == np.float32 and spelled_out is None
    reference = "onnxruntime" if runs else onnxruntime_in_form(op, inputs, outputs, **attrs, **(spelled_out or {}))
    case(op, *inputs, const=const, outputs=outputs, reference=reference, **attrs)


def onnxruntime_in_form(op: str, inputs: tuple[np.ndarray | None, ...], outputs: int, **attrs: Any) -> tuple[np.ndarray, ...]:
    """onnxruntime's outputs for the node in the form it runs, which the spec defines the node by.

    onnxruntime has neither layout 1 nor float64: the batch-first layout is the
    transpose of the sequence-first one (X, initial_h and initial_c in; Y, Y_h
    and Y_c out), and float64 inputs run in float32, the outputs coming back
    in float64.
    """
    layout = attrs.pop("layout", 0)
    names = [f"in{i}" if value is not None else "" for i, value in enumerate(inputs)]
    given = {}
    for index, (name, value) in enumerate(zip(names, inputs, strict=True)):
        if value is not None:
            value = value.astype(np.float32) if value.dtype == np.float64 else value
            given[name] = value.transpose(1, 0, 2) if layout and index in (0, 5, 6) else value
    elements = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int32): TensorProto.INT32}
    results = [f"out{i}" for i in range(outputs)]
    graph = helper.make_graph(
        [helper.make_node(op, names, results, **attrs)],
        "case",
        [helper.make_tensor_value_info(name, elements[value.dtype], value.shape) for name, value in given.items()],
        [helper.make_empty_tensor_value_info(name) for name in results],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    got = run_model(model, list(given.values()))
    if layout:
        got = [got[0].transpose(2, 0, 1, 3), *(state.transpose(1, 0, 2) for state in got[1:])]
    dtype = next(value.dtype for value in inputs if value is not None)
    return tuple(out.astype(dtype) for out in got)


# LSTM: gates iofc; the fused path first (default activations, no clip, peepholes
# or coupled gates, full-length sequences).
_LSTM = _weights(4)
_LSTM_BI = _weights(4, 2)
recurrent("LSTM", _x(), *_LSTM, const=(1, 2, 3), outputs=3)
recurrent("LSTM", _x(), *_LSTM[:2], outputs=1)
recurrent("LSTM", _x(), *_LSTM_BI, None, _state(2), _state(2), outputs=3, direction="bidirectional")
recurrent("LSTM", _x(layout=1), *_LSTM, None, _state(layout=1), _state(layout=1), outputs=3, direction="reverse", layout=1)
recurrent("LSTM", _x(), *_LSTM, _lengths(STEPS, STEPS), const=(1, 2, 3, 4), outputs=2)
recurrent("LSTM", _x(dtype=np.float64), *_weights(4, dtype=np.float64), outputs=3, direction="reverse")
# The step-by-step path.
recurrent("LSTM", _x(), *_LSTM, None, _state(), _state(), rand(1, 3 * HIDDEN), const=(1, 2, 3, 7), outputs=3)
recurrent("LSTM", _x(), *_LSTM_BI, None, None, None, rand(2, 3 * HIDDEN), outputs=3, direction="bidirectional", clip=0.5)
recurrent("LSTM", _x(), *_LSTM, outputs=3, input_forget=1)
recurrent("LSTM", _x(3), *_LSTM_BI, _lengths(4, 1, 0), _state(2, 3), _state(2, 3), outputs=3, direction="bidirectional")
recurrent("LSTM", _x(3, layout=1), *_LSTM, _lengths(2, 4, 3), outputs=3, direction="reverse", layout=1)
recurrent(
    "LSTM", _x(), *_LSTM, outputs=3,
    activations=["HardSigmoid", "LeakyRelu", "Softsign"], activation_alpha=[0.3, 0.2], activation_beta=[0.4],
)  # fmt: skip
# The output activations (the third of each direction) are bounded, so that no state
# grows past what onnxruntime's Softplus, log(1 + exp(x)), takes without overflowing.
recurrent(
    "LSTM", _x(), *_LSTM_BI, outputs=3, direction="bidirectional",
    activations=["Elu", "Softplus", "Sigmoid", "Relu", "Affine", "ScaledTanh"],
    activation_alpha=[1.5, 0.8, 0.5], activation_beta=[0.9, 0.1],
)  # fmt: skip
recurrent("LSTM", _x(), *_LSTM, outputs=3, activations=["Sigmoid", "LeakyRelu", "HardSigmoid"])
# onnxruntime gives ThresholdedRelu an alpha of 0, the spec that of the operator, 1.
recurrent(
    "LSTM", _x(), *_LSTM, outputs=2, activations=["ThresholdedRelu", "Tanh", "Tanh"],
    spelled_out={"activation_alpha": [1.0]},
)  # fmt: skip
recurrent("LSTM", _x(dtype=np.float64), *_weights(4, dtype=np.float64), outputs=3, clip=1.0)

# GRU: gates zrh; torch's GRU is the linear_before_reset form.
_GRU = _weights(3)
_GRU_BI = _weights(3, 2)
recurrent("GRU", _x(), *_GRU, const=(1, 2, 3), outputs=2, linear_before_reset=1)
recurrent("GRU", _x(layout=1), *_GRU_BI, None, _state(2, layout=1), outputs=2, direction="bidirectional", layout=1, linear_before_reset=1)
recurrent("GRU", _x(), *_GRU[:2], outputs=1, direction="reverse", linear_before_reset=1)
recurrent("GRU", _x(dtype=np.float64), *_weights(3, dtype=np.float64), outputs=2, linear_before_reset=1)
recurrent("GRU", _x(), *_GRU, const=(1, 2, 3), outputs=2)
recurrent("GRU", _x(), *_GRU_BI, None, _state(2), outputs=2, direction="bidirectional")
recurrent("GRU", _x(3), *_GRU, _lengths(4, 0, 2), _state(batch=3), outputs=2, direction="reverse", clip=0.7)
recurrent("GRU", _x(3, layout=1), *_GRU_BI, _lengths(1, 3, 4), outputs=2, direction="bidirectional", layout=1, linear_before_reset=1)
recurrent("GRU", _x(), *_GRU, outputs=2, clip=0.4, linear_before_reset=1)
recurrent("GRU", _x(), *_GRU, outputs=2, activations=["HardSigmoid", "Softsign"])
recurrent("GRU", _x(), *_GRU[:2], outputs=1, activations=["Sigmoid", "Relu"], linear_before_reset=1)

# RNN: one gate.
_RNN = _weights(1)
_RNN_BI = _weights(1, 2)
recurrent("RNN", _x(), *_RNN, const=(1, 2, 3), outputs=2)
recurrent("RNN", _x(layout=1), *_RNN_BI, None, _state(2, layout=1), outputs=2, direction="bidirectional", layout=1, activations=["Relu", "Relu"])
recurrent("RNN", _x(), *_RNN[:2], outputs=1, direction="reverse")
recurrent("RNN", _x(3), *_RNN, _lengths(4, 1, 3), _state(batch=3), outputs=2, direction="reverse")
recurrent("RNN", _x(3), *_RNN_BI, _lengths(2, 4, 3), outputs=2, direction="bidirectional", clip=0.6)
recurrent("RNN", _x(), *_RNN, outputs=2, activations=["LeakyRelu"], activation_alpha=[0.2])
recurrent("RNN", _x(), *_RNN_BI, outputs=2, direction="bidirectional", activations=["Tanh", "Relu"])
recurrent(
    "RNN", _x(), *_RNN_BI, outputs=2, direction="bidirectional",
    activations=["LeakyRelu", "Elu"], activation_alpha=[0.1, 0.7],
)  # fmt: skip
# onnxruntime's RNN takes 0 for every alpha not given, the spec the operator's default.
recurrent("RNN", _x(), *_RNN, outputs=2, activations=["LeakyRelu"], spelled_out={"activation_alpha": [0.01]})
recurrent("RNN", _x(dtype=np.float64), *_weights(1, dtype=np.float64), outputs=2)
