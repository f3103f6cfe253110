"""Measuring this machine for the `analytic` and `profile` cost models.

Measuring is the command line's job (`--profile`), never a pass's: passes read
the cache it writes, so the same input, options and cache give the same IR.
`profile_pipeline()` calibrates and profiles what a pipeline will see.
`calibrate()` times a few micro-benchmarks (a large convolution, a large
element-wise add, a tiny op, a hand-off between two threads) and writes the
analytic model's constants to `cost_analytic.json`, with the static intra-op
constants, which a micro-benchmark does not predict (a whole model's threads
wake and wait between its ops). `profile_module()` times
each distinct op signature of a module in isolation, with the torch call the
generated code makes by default (the kernel table's expression; for a 2-D
convolution, the `conv2d` helper with a prepacked weight, on channels-last
tensors when the graph is kept channels-last), and adds it to
`cost_profile.json`. Both run at one intra-op thread, as a stream does, and
keep the median of several runs, in CPU time of the running thread (wall
time for hand-offs), so that a busy machine does not inflate them. A cache is
only ever extended, so the same cache gives the same costs and the same
schedules.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from ramiel.costmodel import (
    ANALYTIC_CACHE_FILE,
    PROFILE_CACHE_FILE,
    op_signature,
    with_intra_op_constants,
)
from ramiel.dialects.dfg import DfgOp
from ramiel.ir_graph import main_function

if TYPE_CHECKING:
    import torch

    from ramiel.opview import OpView

_REPEATS = 15
"""Timed runs per measurement; the median is kept."""


def _median_seconds(
    run: Callable[[], object], repeats: int = _REPEATS, clock: Callable[[], float] = time.thread_time
) -> float:
    """The median time of `run`, by default in CPU time of this thread.

    An op at one intra-op thread runs on this thread alone, so its CPU time is its
    latency on an idle core, whatever else the machine runs: profiles taken on a
    busy machine stay comparable. Waiting on other threads needs wall time.
    """
    run()  # warm-up: first calls allocate and pick kernels
    times: list[float] = []
    for _ in range(repeats):
        start = clock()
        run()
        times.append(clock() - start)
    return statistics.median(times)


@contextmanager
def _one_thread() -> Iterator[None]:
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _write_json(path: Path, data: dict[str, float]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    temporary.replace(path)


def _read_json(path: Path) -> dict[str, float]:
    if not path.is_file():
        return {}
    return {str(k): float(v) for k, v in json.loads(path.read_text()).items()}


def calibrate(cache_dir: Path) -> dict[str, float]:
    """Measure the analytic cost model's constants and cache them."""
    import torch
    import torch.nn.functional as F

    with _one_thread():
        x = torch.randn(1, 128, 28, 28)
        w = torch.randn(128, 128, 3, 3)
        conv = _median_seconds(lambda: F.conv2d(x, w, padding=1))
        conv_flops = 2.0 * 128 * 28 * 28 * 128 * 9
        a = torch.randn(4_000_000)
        b = torch.randn(4_000_000)
        add = _median_seconds(lambda: torch.add(a, b))
        tiny = torch.randn(8)
        overhead = _median_seconds(lambda: torch.relu(tiny), repeats=200)
        small = _handoff_seconds(torch.randn(16))
        big = torch.randn(1_000_000)
        large = _handoff_seconds(big)
    call = _parallel_call_seconds()
    memory = 3 * a.numel() * a.element_size() / max(add - overhead, 1e-9)
    constants = with_intra_op_constants({
        "gemm_flop_per_s": conv_flops / max(conv - overhead, 1e-9),
        "vector_flop_per_s": a.numel() / max(add - overhead, 1e-9),
        "memory_bytes_per_s": memory,
        "op_overhead_s": overhead,
        "handoff_overhead_s": small,
        # The consumer reads the whole tensor on its own core after the hand-off.
        "handoff_bytes_per_s": big.numel() * big.element_size() / (large - small)
        if large > small
        else memory,
        "parallel_call_s": call,
    })
    _write_json(cache_dir / ANALYTIC_CACHE_FILE, constants)
    return constants


def _handoff_seconds(value: torch.Tensor) -> float:
    """Median time for another thread to receive `value` and touch all of it."""
    ready = threading.Event()
    done = threading.Event()
    box: list[torch.Tensor] = []
    stop = False

    def consumer() -> None:
        while True:
            ready.wait()
            ready.clear()
            if stop:
                return
            box[0].sum()
            done.set()

    thread = threading.Thread(target=consumer, daemon=True)
    thread.start()

    def once() -> None:
        box[:] = [value]
        ready.set()
        done.wait()
        done.clear()

    seconds = _median_seconds(once, repeats=50, clock=time.perf_counter)
    stop = True
    ready.set()
    thread.join()
    return seconds


IDLE_GAP_S = 0.03
"""The idle time before each call that `_parallel_call_seconds` measures after."""


def _parallel_call_seconds(repeats: int = 9) -> float:
    """How much longer two threads take for the same work after an idle gap than back to back.

    Each thread multiplies matrices for about a millisecond. After an idle spell a
    machine may run the second thread beside the first only later (a virtual CPU
    halted by its host, a core in a deep sleep state); the median delay is what a
    call of parallel code pays once.
    """
    import torch

    a = torch.randn(192, 192)
    start = threading.Barrier(3)
    done = threading.Barrier(3)
    stop = False

    def worker() -> None:
        torch.set_num_threads(1)
        while True:
            start.wait()
            if stop:
                return
            for _ in range(8):
                torch.mm(a, a)
            done.wait()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()

    def call() -> float:
        begin = time.perf_counter()
        start.wait()
        done.wait()
        return time.perf_counter() - begin

    call()  # warm-up
    hot, cold = [], []
    for _ in range(repeats):
        hot.append(call())
        time.sleep(IDLE_GAP_S)
        cold.append(call())
    stop = True
    start.wait()
    for thread in threads:
        thread.join()
    return max(0.0, statistics.median(cold) - statistics.median(hot))


def profile_pipeline(
    module: ModuleOp,
    passes: Sequence[ModulePass],
    cache_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Time, into the cache, every op `passes` give before the lowering, on a copy of `module`.

    The analytic constants are calibrated first when the cache has none, so that ops
    that cannot be timed get calibrated estimates. Ops are timed after each pass, so
    that those a pass replaces (a split op) are timed as well as what replaces them;
    the passes run on the copy see the costs measured so far, as they do afterwards.
    `progress` hears `timing ops (i/n)` as each op is timed.
    """
    from ramiel.pipeline import apply_passes, is_lowering

    if not (cache_dir / ANALYTIC_CACHE_FILE).is_file():
        calibrate(cache_dir)
    probe = module.clone()
    profile_module(probe, cache_dir, progress)
    for step in passes:
        if is_lowering(step):
            return
        apply_passes(probe, [step])
        profile_module(probe, cache_dir, progress)


def profile_module(
    module: ModuleOp, cache_dir: Path, progress: Callable[[str], None] | None = None
) -> dict[str, float]:
    """Time every op signature of `module` missing from the profile cache; return the cache.

    `progress` hears `timing ops (i/n)` before each of the n ops is timed.
    """
    from ramiel.dialects.dfg.conv import ConvOp, conv2d_call
    from ramiel.kernels import UnsupportedKernel

    path = cache_dir / PROFILE_CACHE_FILE
    table = _read_json(path)
    todo: dict[str, DfgOp] = {}
    # The ops in the regions of control-flow ops too, which are priced from them.
    for op in main_function(module).walk():
        if isinstance(op, DfgOp) and not op.regions:
            todo.setdefault(op_signature(op.view()), op)
    fresh = {signature: op for signature, op in todo.items() if signature not in table}
    if not fresh:
        return table
    nodes = {signature: op.view() for signature, op in fresh.items()}
    # The lowering keeps a graph channels-last when `conv2d` computes one of its convolutions.
    channels_last = any(conv2d_call(op.view()) is not None for op in todo.values() if isinstance(op, ConvOp))
    rng = np.random.default_rng(0)
    with _one_thread():
        for done, (signature, node) in enumerate(sorted(nodes.items())):
            if progress is not None:
                progress(f"timing ops ({done + 1}/{len(nodes)})")
            values = [
                None if sig is None else _sample(rng, sig, known, channels_last)
                for sig, known in zip(node.input_types, node.input_values, strict=True)
            ]
            try:
                table[signature] = _median_seconds(_kernel(node, values))
            except (UnsupportedKernel, RuntimeError, ValueError, IndexError):
                continue  # the cost model falls back to its formulas for this op
    _write_json(path, table)
    return table


def _kernel(node: OpView, values: list[torch.Tensor | None]) -> Callable[[], object]:
    """The call the generated code makes for `node` on `values`, weights prepared as at load."""
    from ramiel.dialects.dfg.conv import conv2d_call, prepack_conv2d_call
    from ramiel.kernels import evaluate

    if node.op_type == "Conv" and conv2d_call(node) is not None:
        values = list(values)
        values[1] = evaluate(node, values, prepack_conv2d_call)[0]
        return lambda: evaluate(node, values, conv2d_call)
    return lambda: evaluate(node, values)


def _sample(
    rng: np.random.Generator, sig: tuple[tuple[int, ...], str], known: np.ndarray | None, channels_last: bool
) -> torch.Tensor:
    """A value for an op input: its constant, else random; 4-D floats channels-last when the graph is."""
    import torch

    from ramiel.onnx_types import torch_of_numpy

    if known is not None:
        value = torch_of_numpy(known)
    else:
        shape, dtype = sig
        if dtype == "bool":
            return torch.from_numpy(rng.random(shape) < 0.5)
        if dtype.startswith(("int", "uint")):
            # Small non-negative values are valid indices for Gather and friends.
            return torch.from_numpy(rng.integers(0, 2, size=shape).astype(dtype))
        value = torch_of_numpy(rng.standard_normal(shape).astype(dtype))
    if channels_last and value.dim() == 4 and value.is_floating_point():
        return value.contiguous(memory_format=torch.channels_last)
    return value
