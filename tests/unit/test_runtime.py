"""The runtime pasted into generated files: hand-offs, failures, threads, inputs."""

from __future__ import annotations

import sys
import threading
import time

import pytest
import torch

from ramiel import runtime
from ramiel.runtime import common
from ramiel.runtime.common import (
    _check_inputs,
    _keep_freed_memory,
    _load_weights,
)
from ramiel.runtime.streams import _StreamCall, _StreamRuntime

# A diamond over two streams: stream 0 computes a, hands it to stream 1, and adds
# what stream 1 sends back.


def _stream_0(call: _StreamCall) -> None:
    (x,) = call.inputs
    a = x + 1
    call.send(0, a)
    b = call.recv(1)
    assert isinstance(b, torch.Tensor)
    call.output(0, a + b)


def _stream_1(call: _StreamCall) -> None:
    a = call.recv(0)
    assert isinstance(a, torch.Tensor)
    if bool((a < 0).any()):
        raise ValueError("negative input reached stream 1")
    call.send(1, a * 2)


def _diamond() -> _StreamRuntime:
    return _StreamRuntime([_stream_0, _stream_1], num_slots=2, num_outputs=1, num_threads=1)


def test_two_streams_compute_the_diamond() -> None:
    rt = _diamond()
    try:
        x = torch.arange(4.0)
        (y,) = rt.run((x,))
        assert torch.equal(y, (x + 1) * 3)
    finally:
        rt.close()


def test_error_in_a_worker_stream_reaches_the_caller_and_the_runtime_stays_usable() -> None:
    rt = _diamond()
    try:
        with pytest.raises(ValueError, match="negative input reached stream 1"):
            rt.run((torch.tensor([-5.0]),))
        (y,) = rt.run((torch.tensor([1.0]),))
        assert y.item() == 6.0
    finally:
        rt.close()


def test_error_in_the_caller_stream_releases_the_workers() -> None:
    def failing_0(call: _StreamCall) -> None:
        raise KeyError("stream 0 failed")

    rt = _StreamRuntime([failing_0, _stream_1], num_slots=2, num_outputs=1, num_threads=1)
    try:
        with pytest.raises(KeyError, match="stream 0 failed"):
            rt.run((torch.ones(1),))
        # The worker waiting on slot 0 was released, so a new call is not blocked.
        with pytest.raises(KeyError):
            rt.run((torch.ones(1),))
    finally:
        rt.close()


def test_close_leaves_no_thread_behind() -> None:
    before = threading.active_count()
    rt = _diamond()
    rt.run((torch.ones(2),))
    assert threading.active_count() == before + 2
    rt.close()
    assert threading.active_count() == before
    with pytest.raises(RuntimeError, match="closed"):
        rt.run((torch.ones(2),))


def test_concurrent_calls_are_serialised_and_correct() -> None:
    rt = _diamond()
    errors: list[BaseException] = []

    def caller(seed: int) -> None:
        try:
            for i in range(50):
                x = torch.full((3,), float(seed * 100 + i))
                (y,) = rt.run((x,))
                assert torch.equal(y, (x + 1) * 3)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=caller, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    rt.close()
    assert not errors
    assert not any(t.is_alive() for t in threads)


def test_a_slow_worker_does_not_leak_into_the_next_call() -> None:
    # A call interrupted while a worker still runs must not let that worker
    # write into the next call's slots: the next call waits for it first.
    started = threading.Event()

    def slow_1(call: _StreamCall) -> None:
        started.set()
        time.sleep(0.05)
        call.output(1, call.inputs[0])

    def quick_0(call: _StreamCall) -> None:
        started.wait()
        raise KeyboardInterrupt

    rt = _StreamRuntime([quick_0, slow_1], num_slots=0, num_outputs=2, num_threads=1)
    try:
        with pytest.raises(KeyboardInterrupt):
            rt.run((torch.zeros(1),))
    finally:
        rt.close()


def test_check_inputs_names_the_input() -> None:
    spec = (("data 0", (1, 3), torch.float32),)
    _check_inputs((torch.zeros(1, 3),), spec)
    with pytest.raises(TypeError, match="takes 1 inputs"):
        _check_inputs((), spec)
    with pytest.raises(TypeError, match=r"'data 0' must be a torch\.Tensor"):
        _check_inputs(([0.0, 0.0, 0.0],), spec)
    with pytest.raises(ValueError, match=r"'data 0' must have shape \[1, 3\], got \[3\]"):
        _check_inputs((torch.zeros(3),), spec)
    with pytest.raises(ValueError, match=r"'data 0' must have dtype torch\.float32"):
        _check_inputs((torch.zeros(1, 3, dtype=torch.float64),), spec)


def test_load_weights_expands_splats(tmp_path) -> None:
    path = tmp_path / "w.pt"
    torch.save({"w": torch.tensor([0.5]), "b": torch.arange(3.0)}, path)
    weights = _load_weights(str(path), {"w": (2, 3)})
    assert torch.equal(weights["w"], torch.full((2, 3), 0.5))
    assert torch.equal(weights["b"], torch.arange(3.0))


def test_pasted_source_runs_standalone() -> None:
    namespace: dict[str, object] = {}
    code = "\n".join(runtime.imports(parallel=True)) + "\n\n" + runtime.source(parallel=True)
    exec(compile(code, "<generated>", "exec"), namespace)
    assert {"_check_inputs", "_load_weights", "_StreamRuntime", "_StreamCall"} <= set(namespace)
    assert "import ramiel" not in code
    assert "from ramiel" not in code
    serial = runtime.source(parallel=False)
    assert "_StreamRuntime" not in serial
    assert "threading" not in serial


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator is tuned on Linux only")
def test_models_make_glibc_keep_freed_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []

    class Libc:
        def mallopt(self, option: int, value: int) -> int:
            calls.append((option, value))
            return 1

    monkeypatch.setattr(common.ctypes, "CDLL", lambda name: Libc())
    _keep_freed_memory()
    # M_MMAP_THRESHOLD to 32 MiB, then M_TRIM_THRESHOLD to 128 MiB.
    assert calls == [(-3, 32 << 20), (-1, 128 << 20)]
