"""Runtime helpers of Attention, LinearAttention and RotaryEmbedding."""

import torch


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """`a @ b`, half-precision products accumulated in float32 and rounded once.

    That is how ONNX's reference computes them.
    """
    if a.dtype in (torch.float16, torch.bfloat16):
        return (a.float() @ b.float()).to(a.dtype)
    return a @ b


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax along `dim` in `x`'s type, each step rounded as ONNX's reference rounds it.

    An all -inf row gives zeros.
    """
    peak = x.amax(dim, keepdim=True)
    exponentials = torch.exp(x - torch.where(peak == -torch.inf, 0, peak))
    total = exponentials.sum(dim, keepdim=True)
    return exponentials / torch.where(total == 0, 1, total)


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """(batch, sequence, heads * size) as (batch, heads, sequence, size)."""
    return x.reshape(x.shape[0], x.shape[1], heads, -1).transpose(1, 2)


def attention_bias(
    q_length: int,
    kv_length: int,
    dtype: torch.dtype,
    mask: torch.Tensor | None,
    offset: torch.Tensor,
    is_causal: bool,
    left_window: int,
    right_window: int,
    nonpad_kv_seqlen: torch.Tensor | None,
) -> torch.Tensor:
    """The additive bias of ONNX Attention, with -inf where a rule disallows a key.

    Elsewhere it is the mask, padded with -inf to `kv_length`.

    `offset` is the absolute position of the first query, a scalar or one per
    batch (shape (batch, 1, 1, 1)); a query at `offset + i` attends key `j` when
    `j <= offset + i` (causal) and the window bounds allow it.
    """
    bias = torch.zeros((q_length, kv_length), dtype=dtype)
    if mask is not None:
        if mask.dtype == torch.bool:
            mask = torch.zeros(mask.shape, dtype=dtype).masked_fill(~mask, -torch.inf)
        pad = kv_length - mask.shape[-1]
        bias = bias + torch.cat(
            (mask.to(dtype), torch.full((*mask.shape[:-1], pad), -torch.inf, dtype=dtype)), -1
        )
    # How far each key lies behind each query's absolute position.
    distance = offset + torch.arange(q_length).reshape(-1, 1) - torch.arange(kv_length)
    allowed = torch.ones(distance.shape, dtype=torch.bool)
    if is_causal:
        allowed &= distance >= 0
    if left_window >= 0:
        allowed &= distance <= left_window
    if right_window >= 0:
        allowed &= -distance <= right_window
    if nonpad_kv_seqlen is not None:
        allowed = allowed & (torch.arange(kv_length) < nonpad_kv_seqlen.reshape(-1, 1, 1, 1))
    return torch.where(allowed, bias, -torch.inf)


def onnx_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    past_key: torch.Tensor | None = None,
    past_value: torch.Tensor | None = None,
    nonpad_kv_seqlen: torch.Tensor | None = None,
    scale: float | None = None,
    is_causal: bool = False,
    q_num_heads: int = 0,
    kv_num_heads: int = 0,
    softcap: float = 0.0,
    softmax_dtype: torch.dtype | None = None,
    qk_mode: int = 0,
    left_window: int = -1,
    right_window: int = -1,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """ONNX Attention: its outputs Y, present_key, present_value and qk_matmul_output.

    The qk_matmul_output is the one `qk_mode` selects.

    3-D inputs are split into `q_num_heads` and `kv_num_heads` heads. Each key
    head serves q_num_heads / kv_num_heads consecutive query heads. A query row
    whose bias disallows every key gives zeros, in Y and in the probabilities.
    """
    rank = q.dim()
    if rank == 3:
        q, k, v = (
            split_heads(q, q_num_heads),
            split_heads(k, kv_num_heads),
            split_heads(v, kv_num_heads),
        )
    past_length = 0
    if past_key is not None and past_value is not None:
        past_length = past_key.shape[2]
        k, v = torch.cat((past_key, k), 2), torch.cat((past_value, v), 2)
    present_key, present_value = k, v
    q_length, kv_length = q.shape[2], k.shape[2]
    # Without a past, an external cache's queries are its last valid positions.
    offset = torch.tensor(past_length)
    if past_key is None and nonpad_kv_seqlen is not None:
        offset = nonpad_kv_seqlen.reshape(-1, 1, 1, 1) - q_length
    bias = attention_bias(
        q_length,
        kv_length,
        q.dtype,
        mask,
        offset,
        is_causal,
        left_window,
        right_window,
        nonpad_kv_seqlen,
    )
    if q.shape[1] != k.shape[1]:
        k = k.repeat_interleave(q.shape[1] // k.shape[1], 1)
        v = v.repeat_interleave(q.shape[1] // v.shape[1], 1)
    # ONNX scales both operands by the square root of the scale, rounded to their type;
    # a negative scale's sign goes to the queries.
    product_scale = scale if scale is not None else 1 / q.shape[3] ** 0.5
    factor = torch.tensor(abs(product_scale) ** 0.5, dtype=q.dtype)
    scores = matmul(q * (factor if product_scale >= 0 else -factor), (k * factor).transpose(2, 3))
    qk = scores
    if softcap > 0:
        # The soft cap is a float32 attribute: ONNX's reference caps half-precision
        # scores in float32.
        scores = (
            torch.tanh(scores.to(torch.promote_types(q.dtype, torch.float32)) / softcap) * softcap
        )
        if qk_mode == 1:
            qk = scores
    scores = scores + bias
    if qk_mode == 2:
        qk = scores
    probabilities = softmax(scores if softmax_dtype is None else scores.to(softmax_dtype))
    masked_rows = bias.amax(-1, keepdim=True) == -torch.inf
    probabilities = probabilities.masked_fill(masked_rows, 0).to(q.dtype)
    if qk_mode == 3:
        qk = probabilities
    y = matmul(probabilities, v)
    if rank == 3:
        y = y.transpose(1, 2).reshape(y.shape[0], q_length, -1)
    return y, present_key, present_value, qk.to(q.dtype)


def linear_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    past_state: torch.Tensor | None = None,
    decay: torch.Tensor | None = None,
    beta: torch.Tensor | None = None,
    q_num_heads: int = 1,
    kv_num_heads: int = 1,
    scale: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """ONNX LinearAttention: its output and present_state.

    The recurrence is run token by token in float32.

    Each token decays the state by exp(decay) when decay is given, replaces the value by
    beta * (value - state^T key) when beta is given, adds key (x) value, then each
    query head reads scale * query^T state of its key head. The output has the
    query's type, present_state the past state's (else the query's).
    """
    batch, length, _ = query.shape
    q, k, v = (
        split_heads(x, heads).float()
        for x, heads in ((query, q_num_heads), (key, kv_num_heads), (value, kv_num_heads))
    )
    d_k, d_v = q.shape[-1], v.shape[-1]
    state = (
        torch.zeros((batch, kv_num_heads, d_k, d_v)) if past_state is None else past_state.float()
    )
    # As (batch, heads, tokens, size), the size 1 where one value serves a whole
    # head (or all heads).
    decay = split_heads(decay, kv_num_heads).float().exp() if decay is not None else None
    beta = split_heads(beta, beta.shape[-1]).float() if beta is not None else None
    factor = scale or 1 / d_k**0.5
    outputs = []
    for t in range(length):
        if decay is not None:
            state = state * decay[:, :, t, :, None]
        update = v[:, :, t]
        if beta is not None:
            update = beta[:, :, t] * (update - torch.einsum("bhkv,bhk->bhv", state, k[:, :, t]))
        state = state + k[:, :, t, :, None] * update[:, :, None, :]
        read = state.repeat_interleave(q_num_heads // kv_num_heads, 1)
        outputs.append(factor * torch.einsum("bhk,bhkv->bhv", q[:, :, t], read))
    output = torch.stack(outputs, 2).transpose(1, 2).reshape(batch, length, -1).to(query.dtype)
    return output, state.to(query.dtype if past_state is None else past_state.dtype)


def rotary_embedding(
    x: torch.Tensor,
    cos_cache: torch.Tensor,
    sin_cache: torch.Tensor,
    position_ids: torch.Tensor | None = None,
    interleaved: bool = False,
    rotary_dim: int = 0,
    num_heads: int = 0,
) -> torch.Tensor:
    """ONNX RotaryEmbedding of `x`.

    `x` is (batch, heads, sequence, size) or (batch, sequence, heads * size).

    The first `rotary_dim` (default all) elements of each head rotate in pairs:
    its two halves, or its even and odd elements when `interleaved`.
    """
    # As (batch, sequence, heads, size).
    heads = x.transpose(1, 2) if x.dim() == 4 else x.reshape(x.shape[0], x.shape[1], num_heads, -1)
    dim = rotary_dim or heads.shape[-1]
    if position_ids is not None:
        cos_cache, sin_cache = cos_cache[position_ids], sin_cache[position_ids]
    cos, sin = cos_cache.unsqueeze(2), sin_cache.unsqueeze(2)
    rotated, kept = heads[..., :dim], heads[..., dim:]
    if interleaved:
        first, second = rotated[..., 0::2], rotated[..., 1::2]
    else:
        first, second = rotated.chunk(2, -1)
    real, imaginary = cos * first - sin * second, sin * first + cos * second
    if interleaved:
        rotated = torch.stack((real, imaginary), -1).flatten(-2)
    else:
        rotated = torch.cat((real, imaginary), -1)
    y = torch.cat((rotated, kept), -1)
    return y.transpose(1, 2) if x.dim() == 4 else y.reshape(x.shape)
