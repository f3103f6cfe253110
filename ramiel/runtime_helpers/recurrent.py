"""Runtime helpers of the recurrent operators: LSTM, GRU and RNN.

`torch_recurrent` runs torch's fused kernels where they compute what ONNX does;
`onnx_recurrent` steps through the sequence with the ONNX equations and takes
every option of the operators.
"""

import torch
import torch.nn.functional as F


def torch_recurrent(
    function: str,
    x: torch.Tensor,
    w: torch.Tensor,
    r: torch.Tensor,
    b: torch.Tensor | None = None,
    initial_h: torch.Tensor | None = None,
    initial_c: torch.Tensor | None = None,
    direction: str = "forward",
    layout: int = 0,
) -> tuple[torch.Tensor, ...]:
    """ONNX LSTM, GRU (linear_before_reset) or RNN by torch's fused kernel `function`.

    `function` is 'lstm', 'gru', 'rnn_tanh' or 'rnn_relu'.

    The gates of W, R and B are reordered from ONNX's order (LSTM iofc, GRU zrh)
    into torch's (ifco, rzh), and a reverse pass is a forward pass over the
    sequence flipped in time. Returns Y, Y_h (and Y_c for LSTM) in `layout`.
    """
    order = {"lstm": [0, 2, 3, 1], "gru": [1, 0, 2]}.get(function, [0])
    directions, hidden = w.shape[0], r.shape[-1]
    time = 1 if layout else 0

    def torch_order(t: torch.Tensor) -> torch.Tensor:
        return t.unflatten(1, (len(order), hidden))[:, order].flatten(1, 2)

    weights = [torch_order(w), torch_order(r)]
    if b is not None:
        weights += [torch_order(bias) for bias in b.chunk(2, 1)]
    params = [weight[d] for d in range(directions) for weight in weights]
    batch = x.shape[1 - time]
    # torch's states are (directions, batch, hidden) in either layout.
    states = [
        x.new_zeros(directions, batch, hidden) if s is None else s.transpose(0, 1) if layout else s
        for s in (initial_h, initial_c)
    ]
    if direction == "reverse":
        x = x.flip(time)
    hx = (states[0], states[1]) if function == "lstm" else states[0]
    y, *final = getattr(torch, function)(
        x, hx, params, b is not None, 1, 0.0, False, directions == 2, layout == 1
    )
    y = y.unflatten(2, (directions, hidden))
    if direction == "reverse":
        y = y.flip(time)
    if layout:
        return (y, *(s.transpose(0, 1) for s in final))
    return (y.transpose(1, 2), *final)


def recurrent_activation(x: torch.Tensor, name: str, alpha: float, beta: float) -> torch.Tensor:
    """The ONNX activation `name` of a recurrent operator, with its alpha and beta."""
    if name == "Sigmoid":
        return torch.sigmoid(x)
    if name == "Tanh":
        return torch.tanh(x)
    if name == "Relu":
        return torch.relu(x)
    if name == "Affine":
        return x * alpha + beta
    if name == "LeakyRelu":
        return F.leaky_relu(x, alpha)
    if name == "ThresholdedRelu":
        return torch.where(x > alpha, x, 0.0)
    if name == "ScaledTanh":
        return torch.tanh(x * beta) * alpha
    if name == "HardSigmoid":
        return torch.clamp(x * alpha + beta, 0.0, 1.0)
    if name == "Elu":
        return F.elu(x, alpha)
    if name == "Softsign":
        return F.softsign(x)
    if name == "Softplus":
        return F.softplus(x)
    raise ValueError(f"unknown activation {name!r}")


def recurrent_gate(
    x: torch.Tensor, activation: tuple[str, float, float], clip: float | None
) -> torch.Tensor:
    """A gate's activation of its input `x`, which `clip` bounds first."""
    if clip is not None:
        x = x.clamp(-clip, clip)
    return recurrent_activation(x, *activation)


def lstm_step(
    gates: torch.Tensor,
    h: torch.Tensor,
    c: torch.Tensor,
    r: torch.Tensor,
    p: torch.Tensor,
    activations: list[tuple[str, float, float]],
    clip: float | None,
    input_forget: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One LSTM step: the new hidden and cell states from `gates` and the states before.

    `gates` is X W^T + Wb + Rb, in iofc order.
    """
    f, g, h_activation = activations
    i, o, forget, cell = (gates + h @ r.T).chunk(4, -1)
    p_i, p_o, p_f = p.chunk(3)
    i = recurrent_gate(i + p_i * c, f, clip)
    # A coupled forget gate is what the input gate leaves (as onnxruntime couples them).
    forget = 1 - i if input_forget else recurrent_gate(forget + p_f * c, f, clip)
    c = forget * c + i * recurrent_gate(cell, g, clip)
    o = recurrent_gate(o + p_o * c, f, clip)
    return o * recurrent_activation(c, *h_activation), c


def gru_step(
    gates: torch.Tensor,
    h: torch.Tensor,
    r: torch.Tensor,
    rb_h: torch.Tensor,
    activations: list[tuple[str, float, float]],
    clip: float | None,
    linear_before_reset: bool,
) -> torch.Tensor:
    """One GRU step: the new hidden state from `gates`.

    `gates` is X W^T + Wb + Rb, in zrh order; Rbh is left out with linear_before_reset.
    """
    f, g = activations
    hidden = h.shape[-1]
    zr = gates[:, : 2 * hidden] + h @ r[: 2 * hidden].T
    z = recurrent_gate(zr[:, :hidden], f, clip)
    reset = recurrent_gate(zr[:, hidden:], f, clip)
    r_h = r[2 * hidden :]
    if linear_before_reset:
        candidate = gates[:, 2 * hidden :] + reset * (h @ r_h.T + rb_h)
    else:
        candidate = gates[:, 2 * hidden :] + (reset * h) @ r_h.T
    return (1 - z) * recurrent_gate(candidate, g, clip) + z * h


def onnx_recurrent(
    cell: str,
    x: torch.Tensor,
    w: torch.Tensor,
    r: torch.Tensor,
    b: torch.Tensor | None = None,
    sequence_lens: torch.Tensor | None = None,
    initial_h: torch.Tensor | None = None,
    initial_c: torch.Tensor | None = None,
    p: torch.Tensor | None = None,
    *,
    direction: str = "forward",
    activations: tuple[str, ...],
    alphas: tuple[float, ...] | None = None,
    betas: tuple[float, ...] | None = None,
    clip: float | None = None,
    layout: int = 0,
    input_forget: bool = False,
    linear_before_reset: bool = False,
) -> tuple[torch.Tensor, ...]:
    """ONNX LSTM, GRU or RNN (`cell`) stepped through the sequence with the ONNX equations.

    `activations` names the activations of each direction in turn, the forward
    direction's first; `alphas` and `betas` (default 0) hold their parameters.
    Past a sequence's length Y is zero and the states stay as they were, so a
    reverse pass starts at the sequence's last element; a sequence of length 0
    ends in zero states, as in onnxruntime. Returns Y, Y_h (and Y_c for LSTM)
    in `layout`.
    """
    if layout:
        x = x.transpose(0, 1)
        initial_h = None if initial_h is None else initial_h.transpose(0, 1)
        initial_c = None if initial_c is None else initial_c.transpose(0, 1)
    steps, batch = x.shape[0], x.shape[1]
    directions, gates, hidden = w.shape[0], w.shape[1] // r.shape[-1], r.shape[-1]
    per_direction = len(activations) // directions
    zeros = (0.0,) * len(activations)
    functions = list(zip(activations, alphas or zeros, betas or zeros, strict=True))
    if b is None:
        b = x.new_zeros(directions, 2 * gates * hidden)
    if p is None:
        p = x.new_zeros(directions, 3 * hidden)
    lengths = None if sequence_lens is None else sequence_lens.long().reshape(batch, 1)
    ys, hs, cs = [], [], []
    for d in range(directions):
        wb, rb = b[d].chunk(2)
        rb_h = rb[2 * hidden :]
        if cell == "GRU" and linear_before_reset:
            # Rbh is added inside the reset gate's product, not to the inputs.
            rb = torch.cat((rb[: 2 * hidden], torch.zeros_like(rb_h)))
        projected = x @ w[d].T + (wb + rb)
        acts = functions[d * per_direction : (d + 1) * per_direction]
        h = x.new_zeros(batch, hidden) if initial_h is None else initial_h[d]
        c = x.new_zeros(batch, hidden) if initial_c is None else initial_c[d]
        backward = direction == "reverse" or d == 1
        y = []
        for t in reversed(range(steps)) if backward else range(steps):
            if cell == "LSTM":
                new_h, new_c = lstm_step(projected[t], h, c, r[d], p[d], acts, clip, input_forget)
            elif cell == "GRU":
                new_h, new_c = (
                    gru_step(projected[t], h, r[d], rb_h, acts, clip, linear_before_reset),
                    c,
                )
            else:
                new_h, new_c = recurrent_gate(projected[t] + h @ r[d].T, acts[0], clip), c
            if lengths is not None:
                valid = t < lengths
                new_h, new_c = torch.where(valid, new_h, h), torch.where(valid, new_c, c)
                y.append(torch.where(valid, new_h, 0.0))
            else:
                y.append(new_h)
            h, c = new_h, new_c
        if lengths is not None:
            h, c = torch.where(lengths > 0, h, 0.0), torch.where(lengths > 0, c, 0.0)
        ys.append(torch.stack(y[::-1] if backward else y))
        hs.append(h)
        cs.append(c)
    outputs = [torch.stack(ys, 1), torch.stack(hs), torch.stack(cs)][: 3 if cell == "LSTM" else 2]
    if layout:
        outputs = [outputs[0].permute(2, 0, 1, 3), *(s.transpose(0, 1) for s in outputs[1:])]
    return tuple(outputs)
