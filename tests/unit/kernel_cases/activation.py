"""Kernel cases of the activation operators (the older ones are with the elementwise cases).

In float16 and bfloat16 the expected outputs are the definitions computed in
float64 and rounded once: onnxruntime and ONNX's reference evaluator round some
steps to the type on the way, which moves results by a unit in the last place,
past the tolerance. (onnxruntime has no bfloat16 kernels at all.)
"""

import math
from collections.abc import Callable

import numpy as np
from onnx import defs

from tests.unit.kernel_cases.core import case, f32, rand

BF16 = np.dtype("bfloat16")

_Definition = Callable[[np.ndarray, dict[str, float]], np.ndarray]


def _elu(x: np.ndarray, alpha: float) -> np.ndarray:
    return np.where(x > 0, x, alpha * np.expm1(x))


def _gelu(x: np.ndarray, a: dict[str, float]) -> np.ndarray:
    if a["approximate"] == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


_DEFINITIONS: dict[str, tuple[dict[str, float | str], _Definition]] = {
    "Elu": ({"alpha": 1.0}, lambda x, a: _elu(x, a["alpha"])),
    "Selu": (
        {"alpha": 1.67326319217681884765625, "gamma": 1.05070102214813232421875},
        lambda x, a: a["gamma"] * _elu(x, a["alpha"]),
    ),
    "Celu": ({"alpha": 1.0}, lambda x, a: np.maximum(0, x) + np.minimum(0, a["alpha"] * np.expm1(x / a["alpha"]))),
    "ThresholdedRelu": ({"alpha": 1.0}, lambda x, a: np.where(x > a["alpha"], x, 0)),
    "Shrink": (
        {"lambd": 0.5, "bias": 0.0},
        lambda x, a: np.where(x < -a["lambd"], x + a["bias"], np.where(x > a["lambd"], x - a["bias"], 0)),
    ),
    "LeakyRelu": ({"alpha": 0.01}, lambda x, a: np.where(x < 0, a["alpha"] * x, x)),
    "HardSigmoid": ({"alpha": 0.2, "beta": 0.5}, lambda x, a: np.clip(a["alpha"] * x + a["beta"], 0, 1)),
    "HardSwish": ({}, lambda x, a: x * np.clip(x / 6 + 0.5, 0, 1)),
    "Gelu": ({"approximate": "none"}, _gelu),
    "Sigmoid": ({}, lambda x, a: 1 / (1 + np.exp(-x))),
    "Softplus": ({}, lambda x, a: np.log1p(np.exp(x))),
    "Softsign": ({}, lambda x, a: x / (1 + np.abs(x))),
    "Mish": ({}, lambda x, a: x * np.tanh(np.log1p(np.exp(x)))),
    "Swish": ({"alpha": 1.0}, lambda x, a: x / (1 + np.exp(-a["alpha"] * x))),
}
"""Each activation's attribute defaults and definition (in float64)."""


def _defined(op: str, x: np.ndarray, attrs: dict[str, float | str]) -> tuple[np.ndarray]:
    """The output of `op` on `x` by its definition, in float64 rounded once to x's type."""
    defaults, definition = _DEFINITIONS[op]
    # ONNX float attributes are float32.
    values = {k: v if isinstance(v, str) else float(np.float32(v)) for k, v in (defaults | attrs).items()}
    return (definition(x.astype(np.float64), values).astype(x.dtype),)


def _types(op: str, **attrs: float | str) -> None:
    """Cases of a float activation in float16, bfloat16 (where its schema allows it) and float64."""
    allowed = defs.get_schema(op).type_constraints[0].allowed_type_strs
    for dtype in (np.float16, BF16)[: 2 if "tensor(bfloat16)" in allowed else 1]:
        x = rand(2, 3, low=-4, high=4).astype(dtype)
        case(op, x, reference=_defined(op, x, attrs), **attrs)
    case(op, rand(2, 3, low=-4, high=4).astype(np.float64), reference="onnx", **attrs)


for _op, _attrs in (
    ("Elu", {"alpha": 0.5}),
    ("Selu", {"alpha": 2.0, "gamma": 3.0}),
    ("Celu", {"alpha": 2.0}),
    ("ThresholdedRelu", {"alpha": 0.5}),
    ("ThresholdedRelu", {"alpha": -1.0}),
    ("Shrink", {"lambd": 1.5, "bias": 1.5}),
    ("Shrink", {"lambd": 0.5, "bias": 1.0}),
    ("Shrink", {"lambd": -1.0}),
    ("LeakyRelu", {"alpha": 0.2}),
    ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}),
    ("Gelu", {"approximate": "tanh"}),
    ("Swish", {"alpha": 0.5}),
    ("Swish", {"alpha": -1.5}),
):
    case(_op, rand(2, 3, 4, low=-4, high=4), **_attrs)
    _types(_op, **_attrs)
for _op in ("Elu", "Selu", "Celu", "Softplus", "Softsign", "Mish", "ThresholdedRelu", "Shrink", "Gelu", "Sigmoid",
            "HardSwish", "HardSigmoid", "Swish"):  # fmt: skip
    case(_op, rand(2, 3, 4, low=-4, high=4))
    _types(_op)
# Far from zero, where exp overflows float32 unless the kernel avoids it.
case("Softplus", f32(-100.0, -25.0, -1.0, 0.0, 1.0, 25.0, 100.0))
case("Selu", rand(3, 4, low=-4, high=4).astype(np.float64), alpha=2.0, gamma=3.0, reference="onnx")
# Integers compute in float64 and truncate toward zero.
for _dtype in (np.int8, np.uint8, np.int16, np.int32):
    case("Shrink", rand(3, 4, dtype=_dtype, low=0 if _dtype == np.uint8 else -9, high=9), lambd=2.0, bias=1.5)
for _dtype in (np.uint16, np.uint32):
    case("Shrink", rand(3, 4, dtype=_dtype, low=0, high=9), lambd=2.0, bias=1.5, reference="onnx")

# PRelu: slopes that broadcast to the input's shape in every way ONNX allows.
_IMAGE = rand(2, 3, 4, 4)
for _slope in (rand(3, 1, 1, low=0, high=1), rand(4, low=0, high=1), rand(1, low=0, high=1), rand(2, 3, 4, 4)):
    case("PRelu", _IMAGE, _slope)
case("PRelu", _IMAGE, f32(0.25), const=(1,))
case("PRelu", rand(2, 3, dtype=np.int32, low=-9, high=9), rand(3, dtype=np.int32, low=-3, high=3))
case("PRelu", rand(2, 3, dtype=np.int64, low=-9, high=9), rand(3, dtype=np.int64, low=-3, high=3))
case("PRelu", rand(2, 3, dtype=np.uint32, low=0, high=9), rand(3, dtype=np.uint32, low=0, high=3), reference="onnx")
case("PRelu", np.array([0, 2**63, 2**64 - 1], np.uint64), np.array([3], np.uint64), reference="onnx")
case("PRelu", rand(2, 3).astype(np.float16), rand(3).astype(np.float16))
case("PRelu", rand(2, 3).astype(np.float64), rand(3).astype(np.float64), reference="onnx")
case("PRelu", rand(2, 3).astype(BF16), rand(3).astype(BF16), reference="onnx")

# SwiGLU: Swish of the gate times the value; onnxruntime has no Swish kernel at
# SwiGLU's opset, so ONNX's reference evaluator expands its function body.
for _alpha in (1.0, 0.5, -2.0):
    _gate, _value = rand(2, 3, 4, low=-4, high=4), rand(2, 3, 4, low=-4, high=4)
    case("SwiGLU", _gate, _value, alpha=_alpha, reference="onnx")
    for _dtype in (np.float16, BF16):
        _g, _v = _gate.astype(_dtype), _value.astype(_dtype)
        _swish = _DEFINITIONS["Swish"][1](_g.astype(np.float64), {"alpha": float(np.float32(_alpha))})
        case("SwiGLU", _g, _v, alpha=_alpha, reference=((_swish * _v.astype(np.float64)).astype(_dtype),))
    case("SwiGLU", _gate.astype(np.float64), _value.astype(np.float64), alpha=_alpha, reference="onnx")
