"""Attention, linear attention and rotary position embeddings: one row per op.

    %y = dfg.attention %q, %k, %v {is_causal = 1 : i64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
    %o, %s = dfg.linear_attention %q, %k, %v {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, update_rule = "linear"} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x2x8x8xf32>)
    %r = dfg.rotary_embedding %x, %cos, %sin, %positions : (tensor<1x4x8x16xf32>, tensor<32x8xf32>, tensor<32x8xf32>, tensor<1x8xi64>) -> tensor<1x4x8x16xf32>

Plain attention, masked or not, is `F.scaled_dot_product_attention`; caches, soft
caps, windows, the extra outputs and masks it would read otherwise than ONNX go
through the `onnx_attention` helper. Linear
attention runs its recurrence token by token in the `linear_attention` helper.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from onnx import TensorProto
from xdsl.dialects.builtin import IntegerAttr, TensorType
from xdsl.ir import Attribute

from ramiel.costmodel import OpWork, elementwise_work
from ramiel.dialects.dfg.base import (
    DfgOp,
    Shapes,
    at_least,
    expect,
    int_attribute,
    one_of,
    onnx_op,
    shape_text,
)
from ramiel.kernels import KernelWriter, float_literal, keyword_args, varargs
from ramiel.onnx_types import ELEMENT_TYPES, UNKNOWN
from ramiel.opview import OpView

_MASK, _PAST_KEY, _PAST_VALUE, _NONPAD = 3, 4, 5, 6
"""Attention's optional inputs, by position."""

_DTYPE_NAMES = {t.onnx: t.name for t in ELEMENT_TYPES}
"""The torch dtype name of each ONNX element type (softmax_precision)."""


def _attention(n: KernelWriter) -> str:
    """Attention: `F.scaled_dot_product_attention` where it computes exactly ONNX's, else the `onnx_attention` helper."""
    scale = n.node.attrs.get("scale")
    keywords = {} if scale is None else {"scale": float_literal(float(scale))}  # pyright: ignore[reportArgumentType]
    softmax_dtype = _softmax_dtype(n)
    plain = (
        len(n.node.output_types) == 1
        and not any(n.has(index) for index in (_PAST_KEY, _PAST_VALUE, _NONPAD))
        and _sdpa_takes_mask(n)
        and n.float_attr("softcap") == 0
        and n.int_attr("left_window_size") == n.int_attr("right_window_size") == -1
        and softmax_dtype is None
        and _kv_length(n) > 0
        # torch computes half-precision attention in float; ONNX in the inputs' type.
        and n.dtype(0) in ("float32", "float64")
    )
    if plain:
        return _scaled_dot_product(n, keywords)
    if n.int_attr("is_causal"):
        keywords["is_causal"] = "True"
    if n.rank(0) == 3:
        keywords |= {"q_num_heads": str(n.int_attr("q_num_heads")), "kv_num_heads": str(n.int_attr("kv_num_heads"))}
    defaults = {"softcap": 0, "qk_matmul_output_mode": 0, "left_window_size": -1, "right_window_size": -1}
    names = {"qk_matmul_output_mode": "qk_mode", "left_window_size": "left_window", "right_window_size": "right_window"}
    for name, default in defaults.items():
        if n.attr(name) != default:
            keywords[names.get(name, name)] = n.float_text(name) if name == "softcap" else str(n.attr(name))
    if softmax_dtype is not None:
        keywords["softmax_dtype"] = f"torch.{softmax_dtype}"
    call = n.call("onnx_attention", *optional_args(n), **keywords)
    count = len(n.node.output_types)
    return f"{call}[0]" if count == 1 else call if count == 4 else f"{call}[:{count}]"


def _sdpa_takes_mask(n: KernelWriter) -> bool:
    """Whether `F.scaled_dot_product_attention` applies the node's mask as ONNX does (true without one).

    It adds a float mask to the scores and keeps the keys a boolean one marks, as
    ONNX does, and gives zeros for a query that may attend no key, as ONNX does;
    but it pads no mask shorter than the keys (ONNX pads with -inf), takes no mask
    beside `is_causal`, and broadcasts a 3-D layout's mask against its 4-D heads.
    """
    if not n.has(_MASK):
        return True
    mask = n.shape(_MASK)
    fits_heads = n.rank(0) == 4 or len(mask) < 3 or mask[0] == 1
    return (
        bool(mask)
        and mask[-1] == _kv_length(n)
        and n.dtype(_MASK) in ("bool", n.dtype(0))
        and not n.int_attr("is_causal")
        and fits_heads
    )


def optional_args(n: KernelWriter) -> list[str]:
    """The expressions of the node's inputs as a helper's positional arguments: `None` for absent ones, trailing ones dropped."""
    inputs = [n.arg(index) if n.has(index) else "None" for index in range(len(n.node.inputs))]
    while inputs and inputs[-1] == "None":
        inputs.pop()
    return inputs


_SOFTMAX_PRECISIONS = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE, TensorProto.BFLOAT16}
"""The element types softmax_precision may name: floating-point ones."""


def _float_type_code(value: object) -> str | None:
    codes = ", ".join(map(str, sorted(_SOFTMAX_PRECISIONS)))
    return None if value in _SOFTMAX_PRECISIONS else f"must name a float type ({codes}), not {value!r}"


def _softmax_dtype(n: KernelWriter) -> str | None:
    """The type softmax_precision asks the softmax in, None when it is the inputs' own."""
    precision = n.node.attrs.get("softmax_precision")
    if precision is None:
        return None
    name = _DTYPE_NAMES[int(precision)]  # pyright: ignore[reportArgumentType]
    return None if name == n.dtype(0) else name


def _kv_length(n: KernelWriter) -> int:
    """The number of keys each query may attend: the past's and the new ones (`UNKNOWN` where
    the values decide how many new ones there are)."""
    k = n.dims(1)
    new = k[1] if len(k) == 3 else k[2]
    past = n.shape(_PAST_KEY)[2] if n.has(_PAST_KEY) else 0
    return UNKNOWN if new == UNKNOWN else past + new


def _scaled_dot_product(n: KernelWriter, keywords: dict[str, str]) -> str:
    """Attention without caches or extra outputs, with a mask it takes (`_sdpa_takes_mask`), as
    `F.scaled_dot_product_attention` (which aligns causal masks top-left, as ONNX does without a cache)."""
    q, k, v = n.arg(0), n.arg(1), n.arg(2)
    three_d = n.rank(0) == 3
    if three_d:
        q_heads, kv_heads = n.int_attr("q_num_heads"), n.int_attr("kv_num_heads")
        q, k, v = (
            f"{x}.reshape({varargs((*n.shape(i)[:2], heads, -1))}).transpose(1, 2)"
            for i, x, heads in ((0, q, q_heads), (1, k, kv_heads), (2, v, kv_heads))
        )
    else:
        q_heads, kv_heads = n.shape(0)[1], n.shape(1)[1]
    if n.int_attr("is_causal"):
        keywords["is_causal"] = "True"
    if n.has(_MASK):
        keywords["attn_mask"] = n.arg(_MASK)
    if q_heads != kv_heads:
        keywords["enable_gqa"] = "True"
    call = f"F.scaled_dot_product_attention({q}, {k}, {v}{keyword_args(**keywords)})"
    return f"{call}.transpose(1, 2).reshape({varargs(n.out_shape)})" if three_d else call


def _attention_work(op: OpView) -> OpWork:
    """The two matrix products: 2 FLOPs per query element and per output element for each key attended."""
    q, k = op.input_shapes[0], op.input_shapes[1]
    if q is None or k is None or not op.output_shapes:
        return elementwise_work(op)
    past = op.input_shapes[_PAST_KEY] if len(op.input_shapes) > _PAST_KEY else None
    keys = (k[1] if len(k) == 3 else k[2]) + (past[2] if past else 0)
    flops = 2.0 * keys * (math.prod(q) + math.prod(op.output_shapes[0]))
    return OpWork(flops, elementwise_work(op).nbytes, "gemm")


@onnx_op(
    "Attention",
    kernel=_attention,
    fresh=True,
    work=_attention_work,
    attribute_values={
        "scale": at_least(0.0),
        "softcap": at_least(0.0),
        "softmax_precision": _float_type_code,
    },
)
class AttentionOp(DfgOp):
    """ONNX `Attention` on 4-D (batch, heads, sequence, size) or 3-D (batch, sequence, heads * size) inputs.

    Optional masks (boolean, or added to the scores), a past key and value
    (giving the present ones), an external cache's valid lengths, causal and
    window masks aligned on the last query, grouped-query heads, a soft cap and
    the QK output of any mode.

        %y = dfg.attention %q, %k, %v {is_causal = 1 : i64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
    """

    @classmethod
    def skipped_output_type(
        cls, index: int, inputs: Sequence[TensorType | None], properties: Mapping[str, Attribute]
    ) -> TensorType | None:
        """Without a past key and value, the present ones (outputs 1 and 2) are K and V
        (inputs 1 and 2) with their heads split out."""
        if index not in (1, 2) or any(t is not None for t in inputs[_PAST_KEY : _PAST_VALUE + 1]):
            return None
        given = inputs[index]
        heads = properties.get("kv_num_heads")
        if given is None:
            return None
        shape = list(given.get_shape())
        if len(shape) == 3:
            if not isinstance(heads, IntegerAttr) or heads.value.data <= 0:
                return None
            count = heads.value.data
            shape = [shape[0], count, shape[1], shape[2] // count]
        return TensorType(given.get_element_type(), shape)

    def verify_shapes(self, shapes: Shapes) -> None:
        q, k, v = shapes[:3]
        assert q is not None
        assert k is not None
        assert v is not None
        expect(
            len(q) in (3, 4) and len(k) == len(v) == len(q),
            f"Q, K and V of shapes {shape_text(q)}, {shape_text(k)} and {shape_text(v)} are not all 3-D or all 4-D",
        )
        if len(q) == 3:
            # ONNX's inference has required both head counts.
            q_heads, kv_heads = int_attribute(self, "q_num_heads", 0), int_attribute(self, "kv_num_heads", 0)
            for name, shape, heads in (("Q", q, q_heads), ("K", k, kv_heads), ("V", v, kv_heads)):
                expect(shape[2] % heads == 0, f"{name} of shape {shape_text(shape)} does not split into {heads} heads")
        else:
            q_heads, kv_heads = q[1], k[1]
        expect(q_heads % kv_heads == 0, f"{q_heads} query heads do not share {kv_heads} key heads evenly")


def _linear_attention(n: KernelWriter) -> str:
    """LinearAttention: the `linear_attention` helper, the update rule given by which of decay and beta are present.

    The chunk size only tunes other implementations.
    """
    keywords = {"q_num_heads": str(n.int_attr("q_num_heads")), "kv_num_heads": str(n.int_attr("kv_num_heads"))}
    if n.float_attr("scale"):
        keywords["scale"] = n.float_text("scale")
    return n.call("linear_attention", *optional_args(n), **keywords)


def _linear_attention_work(op: OpView) -> OpWork:
    """Per token, about 4 FLOPs per element of each key head's state (decay, correction, update) and 2 per element read by each query head."""
    q = op.input_shapes[0]
    if q is None or len(op.output_shapes) < 2:
        return elementwise_work(op)
    batch, length, q_size = q
    _, kv_heads, d_k, d_v = op.output_shapes[1]
    # q_size is the query heads times d_k.
    flops = float(batch * length * d_v * (4 * kv_heads * d_k + 2 * q_size))
    return OpWork(flops, elementwise_work(op).nbytes, "vector")


@onnx_op(
    "LinearAttention",
    kernel=_linear_attention,
    fresh=True,
    work=_linear_attention_work,
    attribute_values={
        "update_rule": one_of("linear", "gated", "delta", "gated_delta"),
        "q_num_heads": at_least(1),
        "kv_num_heads": at_least(1),
    },
)
class LinearAttentionOp(DfgOp):
    """ONNX `LinearAttention`: the linear, gated, delta or gated-delta recurrence over a (key size, value size) state per key head.

    Query, key and value are 3-D (batch, tokens, heads * size); each key head
    serves q_num_heads / kv_num_heads consecutive query heads. The decay is per
    head or per key element, beta per head or one for all. ONNX's shape
    inference checks every shape and which inputs the update rule takes.

        %o, %s = dfg.linear_attention %q, %k, %v {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, update_rule = "linear"} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x2x8x8xf32>)
    """


def _rotary_embedding(n: KernelWriter) -> str:
    """RotaryEmbedding: the `rotary_embedding` helper."""
    keywords = {}
    if n.has(3):
        keywords["position_ids"] = n.arg(3)
    if n.int_attr("interleaved"):
        keywords["interleaved"] = "True"
    for name, keyword in (("rotary_embedding_dim", "rotary_dim"), ("num_heads", "num_heads")):
        if n.node.attrs.get(name):
            keywords[keyword] = str(n.int_attr(name))
    return n.call("rotary_embedding", n.arg(0), n.arg(1), n.arg(2), **keywords)


@onnx_op(
    "RotaryEmbedding",
    kernel=_rotary_embedding,
    fresh=True,
    attribute_values={"num_heads": at_least(0), "rotary_embedding_dim": at_least(0)},
)
class RotaryEmbeddingOp(DfgOp):
    """ONNX `RotaryEmbedding` of 4-D (batch, heads, sequence, size) or 3-D (batch, sequence, heads * size) input.

    The caches are indexed by the position ids, or are already (batch, sequence, dim / 2).

        %r = dfg.rotary_embedding %x, %cos, %sin, %positions : (tensor<1x4x8x16xf32>, tensor<32x8xf32>, tensor<32x8xf32>, tensor<1x8xi64>) -> tensor<1x4x8x16xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, cos = shapes[0], shapes[1]
        assert x is not None
        assert cos is not None
        heads = int_attribute(self, "num_heads", 0)
        expect(len(x) in (3, 4), f"input of shape {shape_text(x)} is not 3-D or 4-D")
        expect(len(x) == 4 or heads > 0, "a 3-D input needs num_heads")
        size = x[3] if len(x) == 4 else x[2] // heads
        dim = int_attribute(self, "rotary_embedding_dim", 0) or size
        expect(
            dim % 2 == 0 and dim <= size and cos[-1] * 2 == dim,
            f"caches of shape {shape_text(cos)} do not rotate {dim} of the {size} elements of each head",
        )
