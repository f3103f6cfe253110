"""Runtime helpers of convolution."""

import torch
import torch.nn.functional as F


def prepack_conv2d(
    weight: torch.Tensor,
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
    input_shape: tuple[int, ...],
) -> torch.Tensor:
    """A 2-D convolution weight reordered once, at load, into oneDNN's layout.

    The layout is the one for inputs of `input_shape`.

    `conv2d` then skips the reorder on every call. Where torch has no oneDNN
    convolution ops, the weight becomes channels-last, which `F.conv2d` prefers
    for channels-last inputs.
    """
    ops = torch.ops.mkldnn
    # oneDNN 3.x computes wrong numbers with a prepacked weight of one input channel,
    # no groups and a kernel 3 wide when the output is one column wide (found by a
    # grid over 66,816 small convolutions); such convolutions are tiny, so all of
    # them take the plain path.
    single_channel = groups == 1 and weight.shape[1] == 1
    if (
        not single_channel
        and weight.dtype == torch.float32
        and torch.backends.mkldnn.is_available()
        and hasattr(ops, "_reorder_convolution_weight")
        and hasattr(ops, "_convolution_pointwise")
    ):
        return ops._reorder_convolution_weight(
            weight, list(padding), list(stride), list(dilation), groups, list(input_shape)
        )
    return weight.contiguous(memory_format=torch.channels_last)


def conv2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int] = (0, 0),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
    activation: str = "none",
    scalars: tuple[float, ...] = (),
) -> torch.Tensor:
    """`F.conv2d` followed by `activation`.

    The two run in one oneDNN call when `weight` comes from `prepack_conv2d`.

    `activation` is a oneDNN post-op: "none", "relu", or "hardtanh" (a clamp to
    the two `scalars`). Under `torch.compile` the call runs eagerly: dynamo cannot
    trace a prepacked weight.
    """
    if torch.compiler.is_compiling():
        eager = torch.compiler.disable(conv2d)  # untyped: pyright guesses a decorator's signature
        return eager(
            x, weight,  # pyright: ignore[reportCallIssue]
            bias, stride, padding, dilation, groups, activation, scalars,
        )  # fmt: skip
    if weight.is_mkldnn:
        return torch.ops.mkldnn._convolution_pointwise(
            x, weight, bias, list(padding), list(stride), list(dilation), groups,
            activation, list(scalars) or [None], "",
        )  # fmt: skip
    y = F.conv2d(x, weight, bias, stride, padding, dilation, groups)
    if activation == "relu":
        return y.relu_()
    if activation == "hardtanh":
        return y.clamp_(scalars[0], scalars[1])
    return y
