"""Random valid ONNX graphs (a hypothesis strategy) and their check against onnxruntime.

    from hypothesis import given
    from tests.harness.fuzz.graphs import check_model, fuzz_models

    @given(fuzz_models())
    def test_matches_onnxruntime(case):
        assert check_model(case).problem is None

A generated model is a random DAG over one to three graph inputs: each step
applies a random supported operator to values the graph already has (so
branches fork and join), and every value nothing reads is an output. All
tensors are float32 and small, so that a case compiles and runs in tens of
milliseconds. Each model comes with a random worker count (1-4) and clustering
heuristic. Hypothesis shrinks a failing model towards fewer, simpler operators.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from hypothesis import HealthCheck
from onnx import TensorProto, helper, numpy_helper, version_converter

from ramiel import api
from ramiel.errors import RamielError
from ramiel.pipeline import lowering_passes, pipeline_text
from tests.harness.fuzz.sandbox import root_cause

OPSET = 18
"""The opset of generated models (the importer's normalised one, so nothing is converted)."""

IR_VERSION = 8
"""The IR version of generated models (opset 18's)."""

HEURISTICS = ("cp", "dsc", "heft", "serial")
"""The clustering heuristics a generated model is compiled with."""

MAX_WORKERS = 4

ELEMENT_LIMIT = 4096
"""Values larger than this are not used further, so that a case runs in milliseconds."""

META_WORKERS = "ramiel.fuzz.workers"
META_HEURISTIC = "ramiel.fuzz.heuristic"
META_FINDING = "ramiel.fuzz.finding"
"""Metadata keys of a saved failing model: how it was compiled and what went wrong."""

HEALTH_CHECKS_OFF = (
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.large_base_example,
)
"""Hypothesis health checks that generated graphs trip by design (they are slow and large)."""

LOWERING = pipeline_text(lowering_passes())
"""The passes that end every pipeline: the lowering to the printed program."""

Draw = Callable[[Any], Any]
"""Hypothesis's `draw`: takes a strategy, returns a value from it."""


def pipeline(heuristic: str, workers: int) -> str:
    """The pass pipeline that compiles a generated model with `heuristic` onto `workers` streams.

    The static cost model keeps the schedule independent of this machine's caches.
    """
    return f"cleanup,cluster{{heuristic={heuristic} workers={workers} cost=static}},{LOWERING}"


@dataclass(frozen=True)
class FuzzModel:
    """A generated model and how to compile it."""

    model: onnx.ModelProto = field(repr=False)
    workers: int
    heuristic: str

    def __repr__(self) -> str:
        # What hypothesis prints for a failing example: the graph, readably.
        graph = onnx.printer.to_text(self.model.graph)
        return (
            f"FuzzModel(workers={self.workers}, heuristic={self.heuristic!r})\n{graph}"
        )


@dataclass(frozen=True)
class _Value:
    name: str
    shape: tuple[int, ...]


_UNARY = (
    "Relu", "Sigmoid", "Tanh", "Abs", "Neg", "LeakyRelu", "HardSigmoid", "HardSwish", "Erf",
    "Exp", "Sqrt", "Log", "Reciprocal", "Clip", "Softmax", "LogSoftmax", "Identity", "Dropout",
    "Gelu", "Pow",
)  # fmt: skip
"""The one-input operators `_GraphBuilder.unary` draws from."""


class _GraphBuilder:
    """Grows a random ONNX graph one operator at a time, from values it already has.

    Each operator method returns False when no value fits it; the caller then
    draws another operator.
    """

    def __init__(self, draw: Draw) -> None:
        import hypothesis.strategies as st

        self._st = st
        self._draw = draw
        self._rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.inputs: list[_Value] = []
        self.values: list[_Value] = []
        self.extra_outputs: list[onnx.ValueInfoProto] = []
        self.used: set[str] = set()
        self._count = 0

    # Drawing.

    def integer(self, low: int, high: int) -> int:
        return self._draw(self._st.integers(low, high))

    def choice(self, options: Sequence[Any]) -> Any:
        return self._draw(self._st.sampled_from(list(options)))

    def flag(self) -> bool:
        return self._draw(self._st.booleans())

    def subset(self, options: Sequence[int], min_size: int = 1) -> list[int]:
        return sorted(
            self._draw(
                self._st.sets(self._st.sampled_from(list(options)), min_size=min_size)
            )
        )

    def pick(self, accept: Callable[[_Value], bool] = lambda _: True) -> _Value | None:
        candidates = [v for v in self.values if accept(v)]
        return self.choice(candidates) if candidates else None

    def any_value(self) -> _Value:
        value = self.pick()
        assert value is not None  # there is always a graph input
        return value

    # Graph pieces.

    def _name(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def add_input(self) -> None:
        rank = self.choice((4, 2, 3, 1))
        if rank == 4:
            shape = (1, self.integer(1, 4), self.integer(2, 8), self.integer(2, 8))
        else:
            shape = tuple(self.integer(1, 6) for _ in range(rank))
        value = _Value(self._name("in"), shape)
        self.inputs.append(value)
        self.values.append(value)

    def constant(self, array: np.ndarray, prefix: str = "w") -> str:
        name = self._name(prefix)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def weights(self, shape: Sequence[int], scale: float = 1.0) -> str:
        return self.constant(
            (self._rng.standard_normal(tuple(shape)) * scale).astype(np.float32)
        )

    def positive(self, shape: Sequence[int]) -> str:
        return self.constant(
            self._rng.uniform(0.5, 2.0, tuple(shape)).astype(np.float32)
        )

    def ints(self, values: Sequence[int]) -> str:
        return self.constant(np.array(values, dtype=np.int64), "i")

    def node(
        self,
        op: str,
        inputs: Sequence[str],
        shapes: Sequence[tuple[int, ...]],
        **attrs: Any,
    ) -> list[_Value]:
        """Add a node whose float outputs have `shapes`; its outputs."""
        outputs = [_Value(self._name(op.lower()), s) for s in shapes]
        self.nodes.append(
            helper.make_node(op, list(inputs), [o.name for o in outputs], **attrs)
        )
        self.used.update(inputs)
        self.values.extend(o for o in outputs if math.prod(o.shape) <= ELEMENT_LIMIT)
        return outputs

    # Operators.

    def unary(self) -> bool:
        x = self.any_value()
        op = self.choice(_UNARY)
        name = x.name
        if op == "Exp":  # bounded first, so that nothing overflows
            name = self.node("Tanh", [name], [x.shape])[0].name
        elif op in ("Sqrt", "Log", "Reciprocal", "Pow"):  # away from zero and negatives
            name = self.node(
                "Add",
                [self.node("Abs", [name], [x.shape])[0].name, self.positive((1,))],
                [x.shape],
            )[0].name
        attrs: dict[str, Any] = {}
        inputs = [name]
        if op == "LeakyRelu":
            attrs["alpha"] = self.choice((0.01, 0.2, 1.5))
        elif op == "HardSigmoid":
            attrs["alpha"], attrs["beta"] = self.choice(((0.2, 0.5), (0.5, 0.1)))
        elif op == "Gelu":
            op = "Erf"  # Gelu is opset 20; opset-18 models spell it with Erf
        elif op == "Pow":
            inputs.append(
                self.constant(
                    np.array(self.choice((2.0, 0.5, -1.0, 3.0)), np.float32), "c"
                )
            )
        elif op == "Clip":
            low = self.choice((-1.0, -0.5, 0.0))
            inputs.append(self.constant(np.array(low, np.float32), "c"))
            if self.flag():
                inputs.append(
                    self.constant(
                        np.array(low + self.choice((0.5, 1.0, 2.0)), np.float32), "c"
                    )
                )
        elif op in ("Softmax", "LogSoftmax"):
            attrs["axis"] = self.integer(-len(x.shape), len(x.shape) - 1)
        self.node(op, inputs, [x.shape], **attrs)
        return True

    def binary(self) -> bool:
        x = self.any_value()
        op = self.choice(("Add", "Sub", "Mul", "Max", "Min", "Div", "Where"))
        same = [v.name for v in self.values if v.shape == x.shape]
        if op not in ("Div", "Where") and self.flag():
            other = self.choice(same)
        else:
            # A constant that broadcasts: some dimensions 1, maybe fewer of them.
            shape = tuple(
                d if self.flag() else 1
                for d in x.shape[self.integer(0, len(x.shape)) :]
            )
            if op == "Div":  # well away from zero
                signs = self._rng.choice([-1.0, 1.0], shape)
                other = self.constant(
                    (self._rng.uniform(0.5, 2.0, shape) * signs).astype(np.float32)
                )
            else:
                other = self.weights(shape)
        if op == "Where":
            compare = self.choice(("Greater", "Less"))
            condition = self._name(compare.lower())
            self.nodes.append(
                helper.make_node(compare, [x.name, self.weights((1,))], [condition])
            )
            self.node("Where", [condition, x.name, other], [x.shape])
            return True
        operands = [x.name, other] if op == "Div" or self.flag() else [other, x.name]
        self.node(op, operands, [x.shape])
        return True

    def variadic(self) -> bool:
        x = self.any_value()
        same = [v.name for v in self.values if v.shape == x.shape]
        operands = [self.choice(same) for _ in range(self.integer(1, 3))]
        self.node(self.choice(("Sum", "Max", "Min")), [x.name, *operands], [x.shape])
        return True

    def constant_branch(self) -> bool:
        """Operators on constants only (the clean-up folds them), joined to a value."""
        x = self.any_value()
        (folded,) = self.node(
            self.choice(("Relu", "Tanh", "Neg")), [self.weights(x.shape)], [x.shape]
        )
        self.values.remove(folded)
        self.node("Add", [x.name, folded.name], [x.shape])
        return True

    def conv(self) -> bool:
        x = self.pick(lambda v: len(v.shape) == 4)
        if x is None:
            return False
        n, c, h, w = x.shape
        kernel = (self.integer(1, 3), self.integer(1, 3))
        strides = (self.integer(1, 2), self.integer(1, 2))
        dilations = (self.integer(1, 2), self.integer(1, 2))
        pads = [self.integer(0, k - 1) for k in kernel] * 2
        extent = [(k - 1) * d + 1 for k, d in zip(kernel, dilations, strict=True)]
        out_hw = [
            (size + pads[i] + pads[i + 2] - extent[i]) // strides[i] + 1
            for i, size in enumerate((h, w))
        ]
        if min(out_hw) < 1:
            return False
        group = c if c > 1 and self.flag() else 1
        out_channels = group * self.integer(1, 2) if group > 1 else self.integer(1, 6)
        fan_in = c // group * math.prod(kernel)
        inputs = [
            x.name,
            self.weights((out_channels, c // group, *kernel), 1 / math.sqrt(fan_in)),
        ]
        if self.flag():
            inputs.append(self.weights((out_channels,), 0.1))
        self.node(
            "Conv",
            inputs,
            [(n, out_channels, *out_hw)],
            kernel_shape=list(kernel),
            strides=list(strides),
            dilations=list(dilations),
            pads=pads,
            group=group,
        )
        return True

    def conv_transpose(self) -> bool:
        x = self.pick(lambda v: len(v.shape) == 4)
        if x is None:
            return False
        n, c, h, w = x.shape
        kernel = (self.integer(1, 3), self.integer(1, 3))
        strides = (self.integer(1, 2), self.integer(1, 2))
        pads = [self.integer(0, k - 1) for k in kernel] * 2
        out_hw = [
            (size - 1) * strides[i] + kernel[i] - pads[i] - pads[i + 2]
            for i, size in enumerate((h, w))
        ]
        if min(out_hw) < 1:
            return False
        out_channels = self.integer(1, 4)
        inputs = [
            x.name,
            self.weights(
                (c, out_channels, *kernel), 1 / math.sqrt(c * math.prod(kernel))
            ),
        ]
        self.node(
            "ConvTranspose",
            inputs,
            [(n, out_channels, *out_hw)],
            kernel_shape=list(kernel),
            strides=list(strides),
            pads=pads,
        )
        return True

    def pool(self) -> bool:
        x = self.pick(lambda v: len(v.shape) == 4)
        if x is None:
            return False
        n, c, h, w = x.shape
        op = self.choice(
            ("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LRN")
        )
        if op.startswith("Global"):
            self.node(op, [x.name], [(n, c, 1, 1)])
            return True
        if op == "LRN":
            self.node(
                op,
                [x.name],
                [x.shape],
                size=self.choice((1, 3, 5)),
                alpha=1e-3,
                beta=0.75,
                bias=1.0,
            )
            return True
        kernel = (self.integer(1, min(3, h)), self.integer(1, min(3, w)))
        strides = (self.integer(1, 2), self.integer(1, 2))
        pads = [self.integer(0, k // 2) for k in kernel] * 2
        ceil_mode = int(self.flag())
        out_hw = []
        for i, size in enumerate((h, w)):
            span = size + pads[i] + pads[i + 2] - kernel[i]
            out = -(-span // strides[i]) + 1 if ceil_mode else span // strides[i] + 1
            if ceil_mode and (out - 1) * strides[i] >= size + pads[i]:
                # A last window starting in the end padding: onnxruntime drops it,
                # ONNX's shape inference keeps it, and Ramiel refuses the model.
                return False
            out_hw.append(out)
        attrs: dict[str, Any] = {
            "kernel_shape": list(kernel),
            "strides": list(strides),
            "pads": pads,
            "ceil_mode": ceil_mode,
        }
        if op == "AveragePool":
            attrs["count_include_pad"] = int(self.flag())
        self.node(op, [x.name], [(n, c, *out_hw)], **attrs)
        return True

    def normalization(self) -> bool:
        x = self.pick(lambda v: len(v.shape) >= 3)
        if x is None:
            return False
        c = x.shape[1]
        op = self.choice(
            ("BatchNormalization", "InstanceNormalization", "LayerNormalization")
        )
        if op == "BatchNormalization":
            params = [
                self.weights((c,)),
                self.weights((c,), 0.1),
                self.weights((c,), 0.1),
                self.positive((c,)),
            ]
            self.node(op, [x.name, *params], [x.shape], epsilon=1e-5)
        elif op == "InstanceNormalization":
            self.node(
                op,
                [x.name, self.weights((c,)), self.weights((c,), 0.1)],
                [x.shape],
                epsilon=1e-5,
            )
        else:
            axis = self.integer(1, len(x.shape) - 1)
            normalized = x.shape[axis:]
            self.node(
                op,
                [x.name, self.weights(normalized), self.weights(normalized, 0.1)],
                [x.shape],
                axis=axis,
                epsilon=1e-5,
            )
        return True

    def concat(self) -> bool:
        x = self.any_value()
        axis = self.integer(0, len(x.shape) - 1)

        def fits(v: _Value) -> bool:
            return len(v.shape) == len(x.shape) and all(
                a == b
                for i, (a, b) in enumerate(zip(v.shape, x.shape, strict=True))
                if i != axis
            )

        others = [
            self.choice([v for v in self.values if fits(v)])
            for _ in range(self.integer(1, 2))
        ]
        shape = list(x.shape)
        shape[axis] += sum(v.shape[axis] for v in others)
        self.node(
            "Concat",
            [x.name, *(v.name for v in others)],
            [tuple(shape)],
            axis=axis - len(x.shape) if self.flag() else axis,
        )
        return True

    def split(self) -> bool:
        x = self.pick(lambda v: max(v.shape) >= 2)
        if x is None:
            return False
        axis = self.choice([i for i, d in enumerate(x.shape) if d >= 2])
        size = x.shape[axis]
        cuts = self.subset(range(1, size), min_size=1)[:2]
        sizes = [b - a for a, b in zip([0, *cuts], [*cuts, size], strict=True)]
        shapes = [
            tuple(s if i == axis else d for i, d in enumerate(x.shape)) for s in sizes
        ]
        if self.flag() and len(set(sizes)) == 1:
            self.node("Split", [x.name], shapes, axis=axis, num_outputs=len(sizes))
        else:
            self.node("Split", [x.name, self.ints(sizes)], shapes, axis=axis)
        return True

    def matmul(self) -> bool:
        x = self.pick(lambda v: len(v.shape) >= 2)
        if x is None:
            return False
        rank = len(x.shape)
        if self.flag() and rank <= 3:
            # x times its own transpose: both operands computed.
            perm = [*range(rank - 2), rank - 1, rank - 2]
            (t,) = self.node(
                "Transpose", [x.name], [tuple(x.shape[p] for p in perm)], perm=perm
            )
            self.node("MatMul", [x.name, t.name], [(*x.shape[:-1], x.shape[rank - 2])])
            return True
        k, n = x.shape[-1], self.integer(1, 8)
        self.node(
            "MatMul",
            [x.name, self.weights((k, n), 1 / math.sqrt(k))],
            [(*x.shape[:-1], n)],
        )
        return True

    def gemm(self) -> bool:
        x = self.pick(lambda v: len(v.shape) == 2)
        if x is None:
            return False
        m, k = x.shape
        n = self.integer(1, 8)
        trans_b = int(self.flag())
        inputs = [x.name, self.weights((n, k) if trans_b else (k, n), 1 / math.sqrt(k))]
        if self.flag():
            inputs.append(self.weights(self.choice(((n,), (1, n), (m, n))), 0.1))
        self.node(
            "Gemm",
            inputs,
            [(m, n)],
            transB=trans_b,
            alpha=self.choice((1.0, 0.5)),
            beta=self.choice((1.0, 2.0)),
        )
        return True

    def layout(self) -> bool:
        x = self.any_value()
        rank = len(x.shape)
        op = self.choice(
            (
                "Reshape",
                "ShapeReshape",
                "Transpose",
                "Flatten",
                "Unsqueeze",
                "Squeeze",
                "Expand",
                "Tile",
            )
        )
        if op == "Reshape":
            shape = self._factorisation(math.prod(x.shape))
            target = list(shape)
            if self.flag():
                target[self.integer(0, len(target) - 1)] = -1
            self.node("Reshape", [x.name, self.ints(target)], [shape])
        elif op == "ShapeReshape":
            # A shape computed from the graph (the clean-up folds it): keep the first dimension.
            dims = self._name("shape")
            first = self._name("gather")
            target = self._name("concat")
            self.nodes += [
                helper.make_node("Shape", [x.name], [dims]),
                helper.make_node(
                    "Slice", [dims, self.ints([0]), self.ints([1])], [first]
                ),
                helper.make_node("Concat", [first, self.ints([-1])], [target], axis=0),
            ]
            self.node(
                "Reshape", [x.name, target], [(x.shape[0], math.prod(x.shape[1:]))]
            )
        elif op == "Transpose":
            perm = list(self._draw(self._st.permutations(list(range(rank)))))
            self.node(
                "Transpose", [x.name], [tuple(x.shape[p] for p in perm)], perm=perm
            )
        elif op == "Flatten":
            axis = self.integer(0, rank)
            self.node(
                "Flatten",
                [x.name],
                [(math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))],
                axis=axis,
            )
        elif op == "Unsqueeze":
            if rank >= 5:
                return False
            axis = self.integer(0, rank)
            self.node(
                "Unsqueeze",
                [x.name, self.ints([axis - (rank + 1) * self.flag()])],
                [(*x.shape[:axis], 1, *x.shape[axis:])],
            )
        elif op == "Squeeze":
            ones = [i for i, d in enumerate(x.shape) if d == 1]
            if not ones or rank == 1:
                return False
            axis = self.choice(ones)
            self.node(
                "Squeeze",
                [x.name, self.ints([axis])],
                [x.shape[:axis] + x.shape[axis + 1 :]],
            )
        elif op == "Expand":
            target = tuple(self.choice((d, 2, 3)) if d == 1 else d for d in x.shape)
            self.node("Expand", [x.name, self.ints(target)], [target])
        else:
            repeats = [self.integer(1, 2) for _ in x.shape]
            self.node(
                "Tile",
                [x.name, self.ints(repeats)],
                [tuple(d * r for d, r in zip(x.shape, repeats, strict=True))],
            )
        return True

    def _factorisation(self, size: int) -> tuple[int, ...]:
        """A random shape of `size` elements, rank 1 to 4."""
        factors: list[int] = []
        rest = size
        for _ in range(self.integer(0, 3)):
            d = self.choice([d for d in range(1, rest + 1) if rest % d == 0])
            factors.append(d)
            rest //= d
        return (*factors, rest)

    def reduce(self) -> bool:
        x = self.any_value()
        op = self.choice(("ReduceSum", "ReduceMean", "ReduceMax", "ArgMax"))
        keep = int(self.flag())
        if op == "ArgMax":
            axis = self.integer(0, len(x.shape) - 1)
            name = self._name("argmax")
            self.nodes.append(
                helper.make_node(op, [x.name], [name], axis=axis, keepdims=keep)
            )
            self.used.add(x.name)
            shape = [
                1 if i == axis else d
                for i, d in enumerate(x.shape)
                if keep or i != axis
            ]
            self.extra_outputs.append(
                helper.make_tensor_value_info(name, TensorProto.INT64, shape)
            )
            return True
        axes = self.subset(range(len(x.shape)))
        shape = tuple(
            1 if i in axes else d
            for i, d in enumerate(x.shape)
            if keep or i not in axes
        )
        if not shape:
            return False
        self.node(op, [x.name, self.ints(axes)], [shape], keepdims=keep)
        return True

    def integer_branch(self) -> bool:
        """A detour through integers: scaled, truncated, integer arithmetic, back to float."""
        x = self.any_value()
        dtype = self.choice((TensorProto.INT64, TensorProto.INT32))
        (scaled,) = self.node(
            "Mul", [x.name, self.constant(np.array(4.0, np.float32), "c")], [x.shape]
        )
        self.values.remove(scaled)
        name = self._name("cast")
        self.nodes.append(helper.make_node("Cast", [scaled.name], [name], to=dtype))
        op = self.choice(
            ("Div", "Mod", "FMod", "Add", "Mul", "Max", "Min", "Abs", "Neg")
        )
        attrs: dict[str, Any] = {}
        inputs = [name]
        if op not in ("Abs", "Neg"):
            # Nonzero divisors of both signs, so that rounding towards zero shows.
            divisors = self._rng.choice([-3, -2, 2, 3, 5], x.shape[-1:])
            inputs.append(
                self.constant(
                    divisors.astype(helper.tensor_dtype_to_np_dtype(dtype)), "c"
                )
            )
        if op == "FMod":
            op, attrs["fmod"] = "Mod", 1
        result = self._name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [result], **attrs))
        self.node("Cast", [result], [x.shape], to=TensorProto.FLOAT)
        return True

    def slice(self) -> bool:
        x = self.pick(lambda v: max(v.shape) >= 2)
        if x is None:
            return False
        axis = self.choice([i for i, d in enumerate(x.shape) if d >= 2])
        size = x.shape[axis]
        op = self.choice(("Slice", "Gather", "Pad", "Resize", "Cast"))
        shape = list(x.shape)
        if op == "Slice":
            start = self.integer(0, size - 1)
            end = self.integer(start + 1, size)
            step = self.integer(1, 2)
            shape[axis] = len(range(start, end, step))
            self.node(
                op,
                [
                    x.name,
                    self.ints([start]),
                    self.ints([end]),
                    self.ints([axis]),
                    self.ints([step]),
                ],
                [tuple(shape)],
            )
        elif op == "Gather":
            indices = [self.integer(-size, size - 1) for _ in range(self.integer(1, 3))]
            shape[axis : axis + 1] = [len(indices)]
            self.node(op, [x.name, self.ints(indices)], [tuple(shape)], axis=axis)
        elif op == "Pad":
            mode = self.choice(("constant", "reflect", "edge"))
            before, after = (
                self.integer(0, min(2, size - 1)),
                self.integer(0, min(2, size - 1)),
            )
            pads = [0] * (2 * len(shape))
            pads[axis], pads[axis + len(shape)] = before, after
            shape[axis] += before + after
            self.node(op, [x.name, self.ints(pads)], [tuple(shape)], mode=mode)
        elif op == "Resize":
            if len(shape) != 4:
                return False
            scales = [1.0, 1.0, float(self.choice((2, 3))), float(self.choice((1, 2)))]
            out = (*shape[:2], shape[2] * int(scales[2]), shape[3] * int(scales[3]))
            self.node(
                op,
                [x.name, "", self.constant(np.array(scales, np.float32), "s")],
                [out],
                mode=self.choice(("nearest", "linear")),
            )
        else:
            (half,) = self.node("Cast", [x.name], [x.shape], to=TensorProto.FLOAT16)
            self.values.remove(half)
            self.node("Cast", [half.name], [x.shape], to=TensorProto.FLOAT)
        return True

    def model(self) -> onnx.ModelProto:
        """The graph so far: every value nothing reads is an output, and a few others."""
        produced = [v for v in self.values if v not in self.inputs]
        outputs = [v for v in produced if v.name not in self.used]
        outputs += [
            v for v in produced if v.name in self.used and self.integer(0, 5) == 0
        ]
        if not outputs and not self.extra_outputs:
            outputs = [produced[-1]] if produced else []
        graph = helper.make_graph(
            self.nodes,
            "fuzz",
            [
                helper.make_tensor_value_info(v.name, TensorProto.FLOAT, v.shape)
                for v in self.inputs
            ],
            [
                helper.make_tensor_value_info(v.name, TensorProto.FLOAT, v.shape)
                for v in outputs
            ]
            + self.extra_outputs,
            self.initializers,
        )
        return helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION
        )


OPERATORS: tuple[str, ...] = (
    "unary", "binary", "variadic", "constant_branch", "conv", "conv_transpose", "pool",
    "normalization", "concat", "split", "matmul", "gemm", "layout", "reduce", "slice",
    "integer_branch",
)  # fmt: skip
"""The operator families a graph grows from (`_GraphBuilder` methods)."""


OLDER_OPSETS = (OPSET, OPSET, OPSET, 17, 15, 13, 11)
"""The opsets a generated model is written in; older ones exercise the importer's conversion."""


def _older(model: onnx.ModelProto, opset: int) -> onnx.ModelProto:
    """`model` converted down to `opset` by onnx's version converter, if it can."""
    if opset == OPSET:
        return model
    try:
        older = version_converter.convert_version(model, opset)
        onnx.checker.check_model(older, full_check=True)
    except (
        Exception
    ):  # the converter has no adapter for some operator: keep the newer form
        return model
    return older


def fuzz_models(max_nodes: int = 12) -> Any:
    """A hypothesis strategy of `FuzzModel`s: random graphs with a random compile setting."""
    import hypothesis.strategies as st

    @st.composite
    def build(draw: Draw) -> FuzzModel:
        builder = _GraphBuilder(draw)
        for _ in range(draw(st.integers(1, 3))):
            builder.add_input()
        for _ in range(draw(st.integers(1, max_nodes))):
            while not getattr(builder, draw(st.sampled_from(OPERATORS)))():
                pass
        model = _older(builder.model(), draw(st.sampled_from(OLDER_OPSETS)))
        return FuzzModel(
            model, draw(st.integers(1, MAX_WORKERS)), draw(st.sampled_from(HEURISTICS))
        )

    return build()


@dataclass(frozen=True)
class CheckResult:
    """How one generated model compared with onnxruntime."""

    problem: str | None
    """What went wrong, or None."""
    streams: int
    """Streams of the generated code (0 when it did not compile)."""


def check_model(case: FuzzModel, seed: int = 0) -> CheckResult:
    """Compile `case`, run it on seeded inputs and compare it with onnxruntime.

    Any refusal is a problem: generated models use only what Ramiel supports.
    """
    import torch

    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        try:
            compiled = api.compile(
                case.model,
                pipeline=pipeline(case.heuristic, case.workers),
                out_dir=folder,
                name="fuzz",
            )
        except RamielError as e:
            return CheckResult(f"compiling failed: {e}", 0)
        except Exception as e:
            return CheckResult(f"compiling raised {root_cause(e)}", 0)
        inputs = api.random_inputs(compiled.inputs, seed)
        reference = api.onnxruntime_outputs(case.model, inputs)
        try:
            tensors = [torch.from_numpy(inputs[name]) for name, _, _ in compiled.inputs]
            with compiled.load() as loaded:
                outputs = api.call_model(loaded, tensors, compiled.outputs)
        except Exception as e:
            return CheckResult(
                f"running raised {root_cause(e)}", compiled.summary.streams
            )
    wrong = [
        f"{e.name}: abs {e.absolute:.3g}, rel {e.relative:.3g}"
        for e in api.compare(outputs, reference)
        if not e.ok
    ]
    problem = f"outputs differ from onnxruntime: {'; '.join(wrong)}" if wrong else None
    return CheckResult(problem, compiled.summary.streams)


def with_metadata(case: FuzzModel, problem: str) -> onnx.ModelProto:
    """`case.model` with its compile setting and `problem` in its metadata."""
    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    helper.set_model_props(
        model,
        {
            META_WORKERS: str(case.workers),
            META_HEURISTIC: case.heuristic,
            META_FINDING: problem,
        },
    )
    return model


def load_saved(path: str | os.PathLike[str]) -> FuzzModel:
    """A model saved with `with_metadata`, with its compile setting."""
    model = onnx.load(path)
    props = {p.key: p.value for p in model.metadata_props}
    return FuzzModel(model, int(props[META_WORKERS]), props[META_HEURISTIC])
