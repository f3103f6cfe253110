"""Cases of the attention operators."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from tests.unit.op_cases.core import I64, Case, absent, builds, make_model, prop, t, x


@builds("Attention")
def _attention(op: str, opset: int) -> list[Case]:
    # 4-D: (batch, heads, sequence, head size); 2 query heads share 1 key head.
    plain = helper.make_node(op, ["q", "k", "v"], ["y"], is_causal=1)
    inputs = [x(1, 2, 3, 4, name="q"), x(1, 1, 5, 4, name="k"), x(1, 1, 5, 6, name="v")]
    # 3-D with a past: present is 2 past + 5 new positions; QK is (1, 2, 3, 7).
    cached = helper.make_node(
        op,
        ["q", "k", "v", "m", "pk", "pv"],
        ["y", "present_k", "present_v", "qk"],
        q_num_heads=2,
        kv_num_heads=2,
        softcap=0.5,
    )
    cached_inputs = [
        x(1, 3, 8, name="q"),
        x(1, 5, 8, name="k"),
        x(1, 5, 12, name="v"),
        x(3, 7, name="m"),
        x(1, 2, 2, 4, name="pk"),
        x(1, 2, 2, 6, name="pv"),
    ]

    def check(o: DfgOp) -> None:
        assert prop(o, "softcap") == 0.5
        assert prop(o, "q_num_heads") == 2

    # QK without the present key and value, which ONNX's inference does not type when
    # there is no past: they are K and V with their heads split out.
    qk_only = helper.make_node(op, ["q", "k", "v"], ["y", "", "", "qk"], q_num_heads=2, kv_num_heads=2)

    def presents(o: DfgOp) -> None:
        assert [str(r.type) for r in o.results[1:3]] == [t([1, 2, 5, 4]), t([1, 2, 5, 6])]
        assert not o.results[1].uses
        assert not o.results[2].uses

    cases = [
        Case(op, opset, make_model(opset, [plain], inputs, ["y"]), (t([1, 2, 3, 6]),)),
        Case(
            op,
            opset,
            make_model(opset, [cached], cached_inputs, ["y", "present_k", "present_v", "qk"]),
            (t([1, 3, 12]), t([1, 2, 7, 4]), t([1, 2, 7, 6]), t([1, 2, 3, 7])),
            check,
        ),
        Case(
            op,
            opset,
            make_model(opset, [qk_only], cached_inputs[:3], ["y", "qk"]),
            (t([1, 3, 12]), t([1, 2, 3, 5])),
            presents,
        ),
    ]
    if opset >= 24:
        # An external cache: each batch's number of valid keys.
        lengths = helper.make_node(op, ["q", "k", "v", "", "", "", "n"], ["y"], is_causal=1)
        cases.append(
            Case(
                op,
                opset,
                make_model(opset, [lengths], [*inputs, x(1, name="n", type=I64)], ["y"]),
                (t([1, 2, 3, 6]),),
                _has_lengths,
            )
        )
    if opset >= 25:
        window = helper.make_node(op, ["q", "k", "v"], ["y"], left_window_size=1)
        cases.append(
            Case(op, opset, make_model(opset, [window], inputs, ["y"]), (t([1, 2, 3, 6]),))
        )
    return cases


def _has_lengths(o: DfgOp) -> None:
    assert not absent(o, 6), "nonpad_kv_seqlen is absent"


@builds("RotaryEmbedding")
def _rotary_embedding(op: str, opset: int) -> list[Case]:
    node = helper.make_node(op, ["x", "cos", "sin", "p"], ["y"], interleaved=1, rotary_embedding_dim=4)
    caches = {"cos": np.cos(np.arange(16, dtype=np.float32)).reshape(8, 2), "sin": np.sin(np.arange(16, dtype=np.float32)).reshape(8, 2)}
    three_d = helper.make_node(op, ["x", "cos", "sin"], ["y"], num_heads=2)
    per_position = {key: np.tile(value[:3, :1], (2, 1, 3)).reshape(2, 3, 3) for key, value in caches.items()}

    def check(o: DfgOp) -> None:
        assert prop(o, "interleaved") == 1
        assert prop(o, "rotary_embedding_dim") == 4

    return [
        Case(
            op,
            opset,
            make_model(opset, [node], [x(2, 2, 3, 6), x(2, 3, name="p", type=I64)], ["y"], caches),
            (t([2, 2, 3, 6]),),
            check,
        ),
        Case(
            op,
            opset,
            make_model(opset, [three_d], [x(2, 3, 12)], ["y"], per_position),
            (t([2, 3, 12]),),
        ),
    ]


@builds("LinearAttention")
def _linear_attention(op: str, opset: int) -> list[Case]:
    # 4 query heads share 2 key heads of key size 3 and value size 2; 3 tokens.
    heads = {"q_num_heads": 4, "kv_num_heads": 2}
    qkv = [x(1, 3, 12, name="q"), x(1, 3, 6, name="k"), x(1, 3, 4, name="v")]
    gated_delta = helper.make_node(op, ["q", "k", "v", "", "g", "b"], ["y", "s"], **heads)
    # Small decays and rates keep the state from growing over the tokens.
    rates = {"g": np.full((1, 3, 2), -0.5, np.float32), "b": np.full((1, 3, 2), 0.5, np.float32)}
    linear = helper.make_node(op, ["q", "k", "v", "p"], ["y", "s"], update_rule="linear", scale=0.25, **heads)

    def check(o: DfgOp) -> None:
        assert prop(o, "update_rule") == "linear"
        assert prop(o, "kv_num_heads") == 2

    outputs = (t([1, 3, 8]), t([1, 2, 3, 2]))
    return [
        Case(op, opset, make_model(opset, [gated_delta], qkv, ["y", "s"], rates), outputs),
        Case(op, opset, make_model(opset, [linear], [*qkv, x(1, 2, 3, 2, name="p")], ["y", "s"]), outputs, check),
    ]
