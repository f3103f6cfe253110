"""Kernel cases of the attention operators."""

import numpy as np

from tests.unit.kernel_cases.core import case, i64, rand

_Q, _K, _V = rand(1, 2, 3, 4), rand(1, 2, 5, 4), rand(1, 2, 5, 6)
_PAST_K, _PAST_V = rand(1, 2, 2, 4), rand(1, 2, 2, 6)
_ROW_MASKED = np.ones((3, 5), dtype=np.bool_)
_ROW_MASKED[1] = False

# Plain attention: F.scaled_dot_product_attention.
case("Attention", _Q, _K, _V)
case("Attention", _Q, _K, _V, is_causal=1, scale=0.3)
case("Attention", rand(1, 4, 3, 4), _K, _V, is_causal=1)
case("Attention", rand(2, 3, 8), rand(2, 5, 4), rand(2, 5, 6), q_num_heads=2, kv_num_heads=1)
case("Attention", rand(1, 2, 3, 4, dtype=np.float64), rand(1, 2, 5, 4, dtype=np.float64), rand(1, 2, 5, 4, dtype=np.float64))
# The helper: masks, caches, extra outputs, soft caps, windows.
case("Attention", _Q, _K, _V, rand(3, 5))
case("Attention", _Q, _K, _V, rand(3, 4), is_causal=1)
case("Attention", _Q, _K, _V, rand(1, 2, 3, 5) > 0)
case("Attention", _Q, _K, _V, _ROW_MASKED, outputs=4, qk_matmul_output_mode=3)
case("Attention", _Q, _K, _V, rand(2, 3, 5, dtype=np.int64, low=-3, high=3))
case("Attention", _Q, _K, _V, None, _PAST_K, _PAST_V, outputs=3, is_causal=1)
case("Attention", rand(1, 3, 8), rand(1, 5, 8), rand(1, 5, 12), rand(3, 7), _PAST_K, _PAST_V, outputs=3, q_num_heads=2, kv_num_heads=2)
case("Attention", _Q, _K, _V, outputs=4, softcap=0.5)
case("Attention", _Q, _K, _V, rand(3, 5), outputs=4, softcap=0.5, qk_matmul_output_mode=1)
case("Attention", rand(1, 4, 3, 4), _K, _V, rand(3, 5), outputs=4, qk_matmul_output_mode=2)
case("Attention", _Q, _K, _V, None, None, None, i64(3), is_causal=1)
case("Attention", rand(2, 2, 3, 4), rand(2, 2, 5, 4), rand(2, 2, 5, 6), rand(2, 1, 3, 4), None, None, i64(4, 2))
case("Attention", _Q, _K, _V, left_window_size=1, right_window_size=2)
case("Attention", _Q, _K, _V, None, _PAST_K, _PAST_V, outputs=3, is_causal=1, left_window_size=2)
case("Attention", _Q, _K, _V, softmax_precision=11)
# Half precision: the products accumulated in float32, the softmax rounded at each step, as ONNX's reference does.
_HALF = [value.astype(np.float16) for value in (rand(2, 3, 4, 8, low=0, high=1), rand(2, 3, 6, 8, low=0, high=1), rand(2, 3, 6, 8, low=0, high=1))]
case("Attention", *_HALF, is_causal=1, reference="onnx")
case("Attention", *_HALF, outputs=4, softcap=2.0, qk_matmul_output_mode=1, reference="onnx")

_X = rand(2, 3, 4, 8)
_POSITIONS = rand(2, 4, dtype=np.int64, low=0, high=10)
case("RotaryEmbedding", _X, rand(10, 4), rand(10, 4), _POSITIONS)
case("RotaryEmbedding", _X, rand(10, 4), rand(10, 4), _POSITIONS, interleaved=1)
case("RotaryEmbedding", _X, rand(10, 2), rand(10, 2), _POSITIONS, rotary_embedding_dim=4)
case("RotaryEmbedding", _X, rand(10, 2), rand(10, 2), _POSITIONS, rotary_embedding_dim=4, interleaved=1)
case("RotaryEmbedding", _X, rand(2, 4, 4), rand(2, 4, 4))
case("RotaryEmbedding", rand(2, 4, 24), rand(10, 2), rand(10, 2), _POSITIONS, num_heads=3, rotary_embedding_dim=4)
case("RotaryEmbedding", rand(2, 4, 24).astype(np.float16), rand(2, 4, 4).astype(np.float16), rand(2, 4, 4).astype(np.float16), num_heads=3, reference="onnx")

# LinearAttention: every update rule, per-head and per-key decays, shared key heads, a past state.
_LQ, _LK, _LV = rand(2, 4, 12), rand(2, 4, 6), rand(2, 4, 4)
_PER_HEAD, _PER_KEY = rand(2, 4, 2, low=-1, high=0), rand(2, 4, 6, low=-1, high=0)
_RATES = rand(2, 4, 2, low=0, high=1)
_HEADS = {"q_num_heads": 4, "kv_num_heads": 2}
case("LinearAttention", _LQ, _LK, _LV, outputs=2, update_rule="linear", **_HEADS)
case("LinearAttention", _LQ, _LK, _LV, rand(2, 2, 3, 2), outputs=2, update_rule="linear", scale=0.5, **_HEADS)
case("LinearAttention", _LQ, _LK, _LV, None, _PER_KEY, outputs=2, update_rule="gated", **_HEADS)
case("LinearAttention", _LQ, _LK, _LV, None, None, _RATES, outputs=2, update_rule="delta", **_HEADS)
case("LinearAttention", _LQ, _LK, _LV, rand(2, 2, 3, 2), _PER_HEAD, _RATES, outputs=2, **_HEADS)
case("LinearAttention", _LQ, _LK, _LV, None, _PER_HEAD, _RATES[..., :1], outputs=2, **_HEADS)
case("LinearAttention", rand(1, 1, 8), rand(1, 1, 8), rand(1, 1, 4), rand(1, 2, 4, 2), rand(1, 1, 8, low=-1, high=0), rand(1, 1, 2, low=0, high=1), outputs=2, q_num_heads=2, kv_num_heads=2)
case("LinearAttention", *(value.astype(np.float16) for value in (_LQ, _LK, _LV)), None, _PER_HEAD.astype(np.float16), _RATES.astype(np.float16), outputs=2, reference="onnx", **_HEADS)
