"""Input checking, weight loading and intra-op thread settings, pasted into every generated file.

This file's code after the marker line is pasted verbatim, so it may use only
torch and the standard library, and its names start with `_` so that no name
from a model can shadow them.
"""

# --- generated code starts here ---
import ctypes
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import torch


def _keep_freed_memory() -> None:
    """Make glibc's malloc keep freed memory for reuse rather than give it back to the system.

    Every call allocates and frees activations of up to tens of megabytes. By
    default glibc maps blocks over 128 KiB afresh and trims freed memory, so each
    call faulted its pages in again: setting the mmap threshold to 32 MiB and the
    trim threshold to 128 MiB made two-stream GoogLeNet 13% and nasnet_cells 25%
    faster, and one-stream GoogLeNet 6%. The setting is process-wide; it holds on
    to up to 128 MiB of freed memory. Elsewhere than glibc it does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return  # a C library without mallopt keeps its own policy
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD, in bytes
    mallopt(-1, 128 << 20)  # M_TRIM_THRESHOLD


@contextmanager
def _intra_op_threads(count: int) -> Iterator[None]:
    """Run the block on `count` torch intra-op threads, then restore the caller's setting.

    Prepacked convolution weights suit one thread count: loading prepares them
    under the count the model runs with, and every call runs under it again.
    """
    previous = torch.get_num_threads()
    try:
        if previous != count:
            torch.set_num_threads(count)
        yield
    finally:
        if previous != count:
            torch.set_num_threads(previous)


def _bind_inputs(
    inputs: tuple[object, ...],
    named: dict[str, object],
    spec: tuple[tuple[str, tuple[int | None, ...] | None, torch.dtype], ...],
) -> tuple[torch.Tensor | list[torch.Tensor], ...]:
    """The inputs in `spec`'s order, given by position and then by name.

    A wrong number of inputs, a name unknown or given twice, a value that is not a
    tensor, and a wrong shape or dtype are refused with a message naming the input.
    """
    names = [name for name, _, _ in spec]
    unknown = [name for name in named if name not in names]
    if unknown:
        raise TypeError(f"the model has no input {unknown[0]!r}; its inputs are {names}")
    twice = [name for name in names[: len(inputs)] if name in named]
    if twice:
        raise TypeError(f"input {twice[0]!r} is given both by position and by name")
    values = [*inputs, *(named[name] for name in names[len(inputs) :] if name in named)]
    if len(values) != len(spec):
        listed = ", ".join(repr(name) for name in names)
        given = len(inputs) + len(named)
        raise TypeError(f"the model takes {len(spec)} inputs ({listed}), got {given}")
    tensors: list[torch.Tensor | list[torch.Tensor]] = []
    for value, (name, shape, dtype) in zip(values, spec):
        if shape is None:  # a sequence: a list of tensors
            if not isinstance(value, list | tuple) or any(
                not isinstance(t, torch.Tensor) or t.dtype != dtype for t in value
            ):
                raise TypeError(f"input {name!r} must be a list of {dtype} tensors")
            tensors.append(list(value))
            continue
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"input {name!r} must be a torch.Tensor, got {type(value).__name__}")
        if len(value.shape) != len(shape) or any(
            size not in (None, given) for size, given in zip(shape, value.shape)
        ):
            raise ValueError(
                f"input {name!r} must have shape {_shape_text(shape)}, got {list(value.shape)}"
            )
        if value.dtype != dtype:
            raise ValueError(f"input {name!r} must have dtype {dtype}, got {value.dtype}")
        tensors.append(value)
    return tuple(tensors)


def _describe(
    spec: tuple[tuple[str, tuple[int | None, ...] | None, torch.dtype], ...],
    outputs: tuple[str, ...],
    streams: int,
) -> str:
    """What `print(model)` shows between `Model(` and `)`: inputs, outputs and streams."""
    inputs = ", ".join(
        f"{name}: {str(dtype).removeprefix('torch.')}{_shape_text(shape)}"
        for name, shape, dtype in spec
    )
    return f"inputs=[{inputs}], outputs=[{', '.join(outputs)}], streams={streams}"


def _shape_text(shape: tuple[int | None, ...] | None) -> str:
    """A shape of `_INPUTS` as a list, `?` for a size the values decide: `[1, ?, 32]`; `[...]`
    for a sequence."""
    if shape is None:
        return "[...]"
    return "[" + ", ".join("?" if size is None else str(size) for size in shape) + "]"


def _load_weights(path: str, splats: dict[str, tuple[int, ...]]) -> dict[str, torch.Tensor]:
    """The weights saved beside the generated file; splats are stored as one element."""
    weights = torch.load(path, weights_only=True)
    for name, shape in splats.items():
        weights[name] = weights[name].reshape(()).expand(shape).contiguous()
    return weights
