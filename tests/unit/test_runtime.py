"""The runtime pasted into generated files: hand-offs, failures, threads, inputs."""

from __future__ import annotations

import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from types import FrameType
from typing import Any

import pytest
import torch

from ramiel import runtime
from ramiel.runtime import common, streams
from ramiel.runtime.common import (
    _bind_inputs,
    _describe,
    _keep_freed_memory,
    _load_weights,
)
from ramiel.runtime.streams import _StreamCall, _StreamRuntime

# A diamond over two streams: stream 0 computes a, hands it to stream 1, and adds
# what stream 1 sends back.


def _stream_0(owner: object, call: _StreamCall) -> None:
    (x,) = call.inputs
    a = x + 1
    call.send(0, a)
    b = call.recv(1)
    assert isinstance(b, torch.Tensor)
    call.output(0, a + b)


def _stream_1(owner: object, call: _StreamCall) -> None:
    a = call.recv(0)
    assert isinstance(a, torch.Tensor)
    if bool((a < 0).any()):
        raise ValueError("negative input reached stream 1")
    call.send(1, a * 2)


class _Owner:
    """Stands for the generated model, which the runtime must not keep alive."""


OWNER = _Owner()


def _diamond(owner: object = OWNER) -> _StreamRuntime:
    return _StreamRuntime(owner, [_stream_0, _stream_1], num_slots=2, num_outputs=1, num_threads=1)


def _within(seconds: float, work: Callable[[], None]) -> None:
    """Run `work` on a thread of its own; fail if it has not returned in time (a hang)."""
    failure: list[BaseException] = []

    def body() -> None:
        try:
            work()
        except BaseException as e:
            failure.append(e)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the runtime hung"
    if failure:
        raise failure[0]


def _check_diamond(rt: _StreamRuntime) -> None:
    x = torch.arange(4.0)
    (y,) = rt.run(OWNER, (x,))
    assert torch.equal(y, (x + 1) * 3)


@contextmanager
def _caller_threads(count: int) -> Iterator[None]:
    """Give the calling thread `count` torch threads for the block, then the process's previous setting."""
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def test_two_streams_compute_the_diamond() -> None:
    rt = _diamond()
    try:
        x = torch.arange(4.0)
        (y,) = rt.run(OWNER, (x,))
        assert torch.equal(y, (x + 1) * 3)
    finally:
        rt.close()


def test_stream_0_runs_on_the_callers_thread_and_the_others_on_workers() -> None:
    seen: dict[int, threading.Thread] = {}

    def recording(index: int, stream: Callable[[object, _StreamCall], None]) -> Callable[[object, _StreamCall], None]:
        def run(owner: object, call: _StreamCall) -> None:
            seen[index] = threading.current_thread()
            stream(owner, call)

        return run

    rt = _StreamRuntime(
        OWNER, [recording(0, _stream_0), recording(1, _stream_1)], num_slots=2, num_outputs=1, num_threads=1
    )
    try:
        _check_diamond(rt)
        assert seen[0] is threading.current_thread()
        assert seen[1].name == "ramiel-stream-1"
    finally:
        rt.close()


def test_every_stream_runs_on_the_models_thread_count_and_the_callers_is_restored() -> None:
    counts: dict[int, int] = {}

    def counting(index: int, stream: Callable[[object, _StreamCall], None]) -> Callable[[object, _StreamCall], None]:
        def run(owner: object, call: _StreamCall) -> None:
            counts[index] = torch.get_num_threads()
            stream(owner, call)

        return run

    def calls() -> None:
        with _caller_threads(2):
            rt = _StreamRuntime(
                OWNER, [counting(0, _stream_0), counting(1, _stream_1)], num_slots=2, num_outputs=1, num_threads=1
            )
            try:
                _check_diamond(rt)
                assert counts == {0: 1, 1: 1}
                assert torch.get_num_threads() == 2
                with pytest.raises(ValueError, match="negative"):
                    rt.run(OWNER, (torch.tensor([-5.0]),))
                assert torch.get_num_threads() == 2
            finally:
                rt.close()

    _within(60, calls)


def test_error_in_a_worker_stream_reaches_the_caller_and_the_runtime_stays_usable() -> None:
    rt = _diamond()
    try:
        with pytest.raises(ValueError, match="negative input reached stream 1"):
            rt.run(OWNER, (torch.tensor([-5.0]),))
        (y,) = rt.run(OWNER, (torch.tensor([1.0]),))
        assert y.item() == 6.0
    finally:
        rt.close()


def test_error_in_the_caller_stream_releases_the_workers() -> None:
    def failing_0(owner: object, call: _StreamCall) -> None:
        raise KeyError("stream 0 failed")

    rt = _StreamRuntime(OWNER, [failing_0, _stream_1], num_slots=2, num_outputs=1, num_threads=1)
    try:
        with pytest.raises(KeyError, match="stream 0 failed"):
            rt.run(OWNER, (torch.ones(1),))
        # The worker waiting on slot 0 was released, so a new call is not blocked.
        with pytest.raises(KeyError):
            rt.run(OWNER, (torch.ones(1),))
    finally:
        rt.close()


def test_a_failed_call_returns_while_a_worker_stream_is_still_busy() -> None:
    busy = threading.Event()

    def failing_0(owner: object, call: _StreamCall) -> None:
        (x,) = call.inputs
        if bool((x < 0).any()):
            raise KeyError("stream 0 failed")
        _stream_0(owner, call)

    def slow_1(owner: object, call: _StreamCall) -> None:
        busy.wait()  # work of its own, not a hand-off: cancelling cannot stop it
        _stream_1(owner, call)

    def calls() -> None:
        rt = _StreamRuntime(OWNER, [failing_0, slow_1], num_slots=2, num_outputs=1, num_threads=1)
        try:
            with pytest.raises(KeyError, match="stream 0 failed"):
                rt.run(OWNER, (torch.tensor([-1.0]),))
            # Stream 1 of the failed call is still in its work; the next call follows it.
            busy.set()
            _check_diamond(rt)
        finally:
            busy.set()
            rt.close()

    _within(60, calls)


def test_close_leaves_no_thread_behind() -> None:
    before = threading.active_count()
    rt = _diamond()
    assert threading.active_count() == before + 1
    rt.run(OWNER, (torch.ones(2),))
    rt.close()
    assert threading.active_count() == before
    with pytest.raises(RuntimeError, match="closed"):
        rt.run(OWNER, (torch.ones(2),))


def test_a_call_the_stopped_workers_never_take_says_closed() -> None:
    # A call that passed the closed check just as close() stopped the workers: its
    # stream 0 waits for stream 1 on the caller's thread, and must not wait forever.
    def stopped() -> None:
        rt = _diamond()
        rt.close()
        rt._stopping = False  # as if the check had run before close()
        with pytest.raises(RuntimeError, match="closed"):
            _check_diamond(rt)

    _within(60, stopped)


def _three_streams(order: dict[int, list[float]]) -> _StreamRuntime:
    """Stream 0 feeds streams 1 and 2 and adds what they send back: 2(x + 1) + 3(x + 2)."""

    def stream_0(owner: object, call: _StreamCall) -> None:
        (x,) = call.inputs
        call.send(0, x + 1)
        call.send(1, x + 2)
        b, c = call.recv(2), call.recv(3)
        assert isinstance(b, torch.Tensor)
        assert isinstance(c, torch.Tensor)
        call.output(0, b + c)

    def worker(index: int, factor: float) -> Callable[[object, _StreamCall], None]:
        def stream(owner: object, call: _StreamCall) -> None:
            order[index].append(float(call.inputs[0][0]))
            value = call.recv(index - 1)
            assert isinstance(value, torch.Tensor)
            call.send(index + 1, value * factor)

        return stream

    return _StreamRuntime(OWNER, [stream_0, worker(1, 2.0), worker(2, 3.0)], num_slots=4, num_outputs=1, num_threads=1)


def test_concurrent_calls_are_correct_and_every_worker_takes_them_in_one_order() -> None:
    order: dict[int, list[float]] = {1: [], 2: []}
    rt = _three_streams(order)
    errors: list[BaseException] = []

    def caller(seed: int) -> None:
        try:
            for i in range(50):
                x = torch.full((3,), float(seed * 100 + i))
                (y,) = rt.run(OWNER, (x,))
                assert torch.equal(y, 5 * x + 8)
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
    assert len(order[1]) == 200
    assert order[1] == order[2]


def test_a_hand_off_spins_giving_up_the_interpreter_lock_then_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    ready = threading.Event()
    turns: list[None] = []

    def turn() -> None:
        turns.append(None)
        if len(turns) == 3:
            ready.set()

    monkeypatch.setattr(streams, "_SPIN_SECONDS", 60.0)
    monkeypatch.setattr(streams, "_yield", turn)
    streams._await(ready, lambda: True)
    assert len(turns) == 3  # it spun, yielding each turn, until the event was set

    # With the spin budget spent, it blocks until another thread sets the event...
    monkeypatch.setattr(streams, "_SPIN_SECONDS", 0.0)
    late = threading.Event()
    timer = threading.Timer(0.05, late.set)
    timer.start()
    _within(60, lambda: streams._await(late, lambda: True))
    timer.join()
    assert len(turns) == 3
    # ... and gives up when nothing will set it.
    with pytest.raises(RuntimeError, match="closed"):
        streams._await(threading.Event(), lambda: False)


# Interrupts and exceptions at every bytecode. A tracer counts the opcodes that run
# in the runtime's own code (and, for streams, in the stream function) and raises at
# the k-th; every k is tried on one runtime, each followed by a plain call, which
# must return the right result: no state of the runtime may be left broken. How many
# opcodes a call runs depends on how long its hand-offs spin, so the spin is kept
# short here, and a k beyond a run's count may leave that run uninterrupted.

RUNTIME_FILE = streams.__file__


@pytest.fixture
def short_spin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "_SPIN_SECONDS", 20e-6)


class Injected(Exception):
    """The exception a test raises inside a stream."""


def _raising_at(step: int, error: type[BaseException], files: frozenset[str]) -> tuple[Any, list[int]]:
    """A trace function that raises `error` at the `step`-th opcode run in `files`, and its counter."""
    seen = [0]

    def local(frame: FrameType, event: str, arg: object) -> Any:
        del arg
        if event == "opcode":
            seen[0] += 1
            if seen[0] == step:
                raise error
        return local

    def dispatch(frame: FrameType, event: str, arg: object) -> Any:
        del event, arg
        if frame.f_code.co_filename not in files:
            return None
        frame.f_trace_opcodes = True
        return local

    return dispatch, seen


def _steps_of(call: Callable[[], object], files: frozenset[str]) -> int:
    """How many opcodes of `files` one uninterrupted `call` runs on this thread."""
    trace, seen = _raising_at(0, KeyboardInterrupt, files)
    sys.settrace(trace)
    try:
        call()
    finally:
        sys.settrace(None)
    return seen[0]


@pytest.mark.usefixtures("short_spin")
def test_an_interrupt_of_the_caller_at_any_bytecode_leaves_the_runtime_usable() -> None:
    files = frozenset({RUNTIME_FILE})

    def every_step() -> None:
        # The caller's own thread count differs from the model's, so each call
        # switches it and must switch it back, whatever the interrupt cut short.
        with _caller_threads(2):
            rt = _diamond()
            try:
                steps = _steps_of(lambda: _check_diamond(rt), files)
                assert steps > 50
                for step in range(1, steps + 1):
                    trace, _ = _raising_at(step, KeyboardInterrupt, files)
                    sys.settrace(trace)
                    try:
                        _check_diamond(rt)
                    except KeyboardInterrupt:
                        pass
                    finally:
                        sys.settrace(None)
                    assert torch.get_num_threads() == 2
                    _check_diamond(rt)
            finally:
                rt.close()

    _within(120, every_step)


def test_an_interrupt_while_closing_leaves_close_able_to_finish() -> None:
    files = frozenset({RUNTIME_FILE})

    def every_step() -> None:
        before = threading.active_count()
        rt = _diamond()
        _check_diamond(rt)
        steps = _steps_of(rt.close, files)
        assert steps > 5
        for step in range(1, steps + 1):
            rt = _diamond()
            _check_diamond(rt)
            trace, _ = _raising_at(step, KeyboardInterrupt, files)
            sys.settrace(trace)
            try:
                rt.close()
            except KeyboardInterrupt:
                pass
            finally:
                sys.settrace(None)
            rt.close()
            assert threading.active_count() == before

    _within(120, every_step)


@pytest.mark.usefixtures("short_spin")
@pytest.mark.parametrize("stream", [0, 1])
def test_an_exception_in_a_stream_at_any_bytecode_reaches_the_caller(stream: int) -> None:
    # The stream function and the hand-offs it calls, on the stream's thread.
    plan: dict[str, int] = {}
    files = frozenset({RUNTIME_FILE, __file__})
    counted: list[int] = []

    def traced(real: Callable[[object, _StreamCall], None]) -> Callable[[object, _StreamCall], None]:
        def run(owner: object, call: _StreamCall) -> None:
            trace, seen = _raising_at(plan.get("step", 0), Injected, files)
            sys.settrace(trace)
            try:
                real(owner, call)
            finally:
                sys.settrace(None)
                counted.append(seen[0])

        return run

    functions = [_stream_0, _stream_1]
    functions[stream] = traced(functions[stream])

    def every_step() -> None:
        rt = _StreamRuntime(OWNER, functions, num_slots=2, num_outputs=1, num_threads=1)
        try:
            _check_diamond(rt)
            steps = counted[-1]
            assert steps > 10
            for step in range(1, steps + 1):
                plan["step"] = step
                try:
                    _check_diamond(rt)
                except Injected:
                    pass
                else:
                    # Only a run that spun less than the first never reached the step.
                    assert counted[-1] < step
                plan["step"] = 0
                _check_diamond(rt)
        finally:
            rt.close()

    _within(120, every_step)


def test_a_runtime_whose_owner_is_dropped_stops_its_threads() -> None:
    before = threading.active_count()
    owner = _Owner()
    rt = _diamond(owner)
    rt.run(owner, (torch.ones(2),))
    assert threading.active_count() == before + 1
    gone = weakref.ref(owner)
    del owner
    assert gone() is None, "the runtime keeps its owner alive"
    for _ in range(200):
        if threading.active_count() == before:
            break
        time.sleep(0.01)
    assert threading.active_count() == before
    with pytest.raises(RuntimeError, match="closed"):
        _check_diamond(rt)  # its threads are gone, so it cannot run: it must not hang


def test_bind_inputs_names_the_input() -> None:
    spec = (("data 0", (1, 3), torch.float32),)
    x = torch.zeros(1, 3)
    assert _bind_inputs((x,), {}, spec)[0] is x
    with pytest.raises(TypeError, match="takes 1 inputs"):
        _bind_inputs((), {}, spec)
    with pytest.raises(TypeError, match=r"'data 0' must be a torch\.Tensor"):
        _bind_inputs(([0.0, 0.0, 0.0],), {}, spec)
    with pytest.raises(ValueError, match=r"'data 0' must have shape \[1, 3\], got \[3\]"):
        _bind_inputs((torch.zeros(3),), {}, spec)
    with pytest.raises(ValueError, match=r"'data 0' must have dtype torch\.float32"):
        _bind_inputs((torch.zeros(1, 3, dtype=torch.float64),), {}, spec)


def test_bind_inputs_takes_names_after_positions() -> None:
    spec = (("a", (1,), torch.float32), ("b.1", (2,), torch.float32), ("c", (3,), torch.float32))
    a, b, c = torch.zeros(1), torch.zeros(2), torch.zeros(3)
    assert _bind_inputs((), {"c": c, "a": a, "b.1": b}, spec) == (a, b, c)
    assert _bind_inputs((a,), {"c": c, "b.1": b}, spec) == (a, b, c)
    with pytest.raises(TypeError, match=r"no input 'd'; its inputs are \['a', 'b.1', 'c'\]"):
        _bind_inputs((a, b, c), {"d": c}, spec)
    with pytest.raises(TypeError, match="'a' is given both by position and by name"):
        _bind_inputs((a, b), {"a": a, "c": c}, spec)
    with pytest.raises(TypeError, match=r"takes 3 inputs .* got 2"):
        _bind_inputs((a,), {"c": c}, spec)
    with pytest.raises(TypeError, match=r"takes 3 inputs .* got 4"):
        _bind_inputs((a, b, c, c), {}, spec)
    with pytest.raises(ValueError, match=r"'c' must have shape \[3\]"):
        _bind_inputs((a, b), {"c": b}, spec)


def test_describe_lists_inputs_outputs_and_streams() -> None:
    spec = (("x", (1, 3), torch.float32), ("n", (), torch.int64))
    assert _describe(spec, ("y", "z"), 2) == "inputs=[x: float32[1, 3], n: int64[]], outputs=[y, z], streams=2"


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
    assert {"_bind_inputs", "_load_weights", "_StreamRuntime", "_StreamCall"} <= set(namespace)
    assert "import ramiel" not in code
    assert "from ramiel" not in code
    serial = runtime.source(parallel=False)
    assert "_StreamRuntime" not in serial
    assert "threading" not in serial


def test_another_stream_runtime_takes_this_ones_place_in_generated_code() -> None:
    code = "\n".join(runtime.imports(parallel=True)) + "\n\n" + runtime.source(parallel=True)
    other = runtime._MARKER + "import fractions\n\n_BASELINE = fractions.Fraction(1, 2)\n"
    swapped = runtime.with_stream_runtime(code, other)
    namespace: dict[str, object] = {}
    exec(compile(swapped, "<generated>", "exec"), namespace)
    assert namespace["_BASELINE"] == Fraction(1, 2)
    assert "_StreamRuntime" not in namespace
    assert "_bind_inputs" in namespace  # the rest of the runtime stays
    with pytest.raises(ValueError, match="no line"):
        runtime.with_stream_runtime(code, "_BASELINE = 1\n")
    with pytest.raises(ValueError, match="not parallel code"):
        runtime.with_stream_runtime(swapped, other)


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
