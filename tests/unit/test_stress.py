"""The parallel runtime of generated code under load and faults.

A compiled four-stream model is called thousands of times, in a loop and from
several caller threads, while a random stream raises on some calls. Every call
must return the right outputs or the very exception that was raised, within a
time limit; closing the model must stop its threads; memory must stay flat; and
a KeyboardInterrupt, wherever it lands, must leave the model usable.

Faults are injected by wrapping the stream methods of the generated `Model` class
(`_stream_0`, ...) before the model is made, which hands them to its `_StreamRuntime`.
"""

from __future__ import annotations

import _thread
import faulthandler
import random
import signal
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from ramiel import api
from ramiel.numerics import assert_close
from ramiel.pipeline import lowering_passes, pipeline_text
from tests.harness.conformance import call_with_timeout

STREAMS = 4
CALL_TIMEOUT = 10.0
"""Seconds one call may take (a few milliseconds each, normally)."""
SEED = 0


class Injected(Exception):
    """The fault a stream raises on purpose."""


def stress_model() -> onnx.ModelProto:
    """Four independent conv branches joined by a Sum: the `heft` heuristic puts each on a stream."""
    rng = np.random.default_rng(SEED)
    nodes, weights, branches = [], [], []
    for b in range(STREAMS):
        weights.append(
            numpy_helper.from_array(
                (rng.standard_normal((8, 8, 3, 3)) * 0.1).astype(np.float32), f"w{b}"
            )
        )
        nodes += [
            helper.make_node("Conv", ["x", f"w{b}"], [f"conv{b}"], pads=[1, 1, 1, 1]),
            helper.make_node("Relu", [f"conv{b}"], [f"relu{b}"]),
            helper.make_node("Mul", [f"relu{b}", "scale"], [f"branch{b}"]),
        ]
        branches.append(f"branch{b}")
    nodes.append(helper.make_node("Sum", branches, ["y"]))
    shape = [1, 8, 16, 16]
    graph = helper.make_graph(
        nodes,
        "stress",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, shape),
            helper.make_tensor_value_info("scale", TensorProto.FLOAT, [1]),
        ],
        [
            helper.make_tensor_value_info(n, TensorProto.FLOAT, shape)
            for n in ("y", "branch0", "branch3")
        ],
        weights,
    )
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8
    )


@dataclass(frozen=True)
class Case:
    """Inputs and the outputs onnxruntime gives for them."""

    inputs: tuple[torch.Tensor, ...]
    expected: tuple[np.ndarray, ...]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> api.CompiledModel:
    pipeline = f"cleanup,cluster{{heuristic=heft workers={STREAMS} cost=static}},{pipeline_text(lowering_passes())}"
    result = api.compile(
        stress_model(), pipeline=pipeline, out_dir=tmp_path_factory.mktemp("stress")
    )
    assert result.summary.streams == STREAMS
    return result


@pytest.fixture(scope="module")
def cases(compiled: api.CompiledModel) -> list[Case]:
    found = []
    for seed in range(6):
        inputs = api.random_inputs(compiled.inputs, seed)
        reference = api.onnxruntime_outputs(stress_model(), inputs)
        found.append(
            Case(
                tuple(torch.from_numpy(inputs[n]) for n, _, _ in compiled.inputs),
                tuple(reference),
            )
        )
    return found


Fault = Callable[[int], None]
"""What a stream does on a planned call, given its index: raise, sleep, interrupt..."""


class FaultyModel:
    """A loaded model whose streams run planned faults on some calls.

    A call is recognised by the identity of its first input tensor, so that
    callers on several threads can each plan their own calls.
    """

    def __init__(self, compiled: api.CompiledModel) -> None:
        self.outputs = compiled.outputs
        self._plans: dict[int, tuple[Mapping[int, Fault], bool]] = {}
        self._lock = threading.Lock()
        cls = api.load_model_class(compiled.path)
        for index in range(STREAMS):
            name = f"_stream_{index}"
            setattr(cls, name, self._wrap(index, getattr(cls, name)))
        self.model = cls()

    def _wrap(self, index: int, stream: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
        def faulty(model: Any, call: Any) -> None:
            with self._lock:
                faults, after = self._plans.get(id(call.inputs[0]), ({}, False))
            fault = faults.get(index)
            if fault is None:
                stream(model, call)
            elif after:  # the stream's work done, its values sent, then the fault
                stream(model, call)
                fault(index)
            else:
                fault(index)
                stream(model, call)

        return faulty

    def __call__(
        self, case: Case, faults: Mapping[int, Fault] | None = None, after: bool = False
    ) -> dict[str, np.ndarray]:
        """Call the model on `case`; each stream in `faults` runs its fault during the call."""
        inputs = (
            case.inputs[0].clone(),
            *case.inputs[1:],
        )  # a tensor of this call's own
        key = id(inputs[0])
        with self._lock:
            self._plans[key] = (faults or {}, after)
        try:
            return api.call_model(self.model, inputs, self.outputs)
        finally:
            with self._lock:
                self._plans.pop(key, None)

    def forget(self) -> None:
        """Drop every plan (an interrupted call may not have dropped its own)."""
        with self._lock:
            self._plans.clear()

    def close(self) -> None:
        """Stop the stream threads (a stuck thread makes this time out, not hang)."""
        call_with_timeout(self.model.close, CALL_TIMEOUT)


def _raise(error: BaseException) -> Fault:
    def fault(index: int) -> None:
        del index
        raise error

    return fault


def _check(outputs: dict[str, np.ndarray], case: Case) -> None:
    for (name, ours), expected in zip(outputs.items(), case.expected, strict=True):
        assert_close(ours, expected, name)


def _check_all(model: FaultyModel, cases: list[Case]) -> None:
    """Every case, called once without faults, gives its expected outputs."""
    for case in cases:
        _check(call_with_timeout(lambda case=case: model(case), CALL_TIMEOUT), case)


@contextmanager
def _watched(model: FaultyModel) -> Iterator[None]:
    """Close `model` afterwards; a hang inside stops the process with tracebacks rather than the suite."""
    faulthandler.dump_traceback_later(60, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        model.close()


def _run_calls(
    model: FaultyModel, cases: list[Case], calls: int, seed: int
) -> Counter[str]:
    """`calls` calls, a fifth of them with an injected fault; how many ended each way."""
    rng = random.Random(seed)
    ends: Counter[str] = Counter()
    for _ in range(calls):
        case = rng.choice(cases)
        if rng.random() < 0.2:
            error = Injected(rng.random())
            stream, after = rng.randrange(STREAMS), rng.random() < 0.5
            with pytest.raises(Injected) as raised:
                call_with_timeout(
                    lambda: model(case, {stream: _raise(error)}, after), CALL_TIMEOUT
                )
            assert (
                raised.value is error
            )  # the original exception, not a wrapper or another stream's
            ends["raised"] += 1
        else:
            _check(call_with_timeout(lambda: model(case), CALL_TIMEOUT), case)
            ends["ok"] += 1
    return ends


@pytest.fixture
def no_leaks() -> Iterator[None]:
    """Fail if the test leaves threads running (stream threads, or callers it started)."""
    before = set(threading.enumerate())
    yield
    left = [t.name for t in threading.enumerate() if t not in before]
    assert not left, f"threads left running: {left}"


def test_thousands_of_calls_with_faults_in_a_loop(
    compiled: api.CompiledModel, cases: list[Case], no_leaks: None
) -> None:
    model = FaultyModel(compiled)
    try:
        ends = _run_calls(model, cases, 2000, SEED)
        threads = list(model.model._runtime._threads)
        assert threads
        assert all(t.is_alive() for t in threads)
    finally:
        model.close()
    assert ends["raised"] > 300
    assert ends["ok"] > 1500


def test_calls_from_several_threads_with_faults(
    compiled: api.CompiledModel, cases: list[Case], no_leaks: None
) -> None:
    model = FaultyModel(compiled)
    errors: list[BaseException] = []

    def caller(seed: int) -> None:
        try:
            _run_calls(model, cases, 300, seed)
        except BaseException as e:  # reported below, on the test's thread
            errors.append(e)

    threads = [
        threading.Thread(target=caller, args=(seed,), name=f"caller-{seed}")
        for seed in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300 * CALL_TIMEOUT)
    try:
        assert not any(t.is_alive() for t in threads), "a caller hung"
        assert not errors, errors[0]
    finally:
        model.close()


def test_closing_stops_the_threads_and_later_calls_fail(
    compiled: api.CompiledModel, cases: list[Case], no_leaks: None
) -> None:
    model = FaultyModel(compiled)
    try:
        _check(call_with_timeout(lambda: model(cases[0]), CALL_TIMEOUT), cases[0])
        threads = list(model.model._runtime._threads)
        assert threads
    finally:
        model.close()
    assert not any(t.is_alive() for t in threads)
    with pytest.raises(RuntimeError, match="the model is closed"):
        call_with_timeout(lambda: model(cases[0]), CALL_TIMEOUT)


def test_memory_stays_flat(
    compiled: api.CompiledModel, cases: list[Case], no_leaks: None
) -> None:
    model = FaultyModel(compiled)
    try:
        _run_calls(model, cases, 300, SEED)  # warm up: caches, thread pools
        tracemalloc.start()
        rss_before, traced_before = _rss(), tracemalloc.get_traced_memory()[0]
        _run_calls(model, cases, 1500, SEED + 1)
        rss_after, traced_after = _rss(), tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        model.close()
    # Generous bounds: a leak of one input per call would be 1.5 MB traced and 12 MB resident.
    assert traced_after - traced_before < 1 << 20
    assert rss_after - rss_before < 64 << 20


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.parametrize(
    ("stream", "after"), [(0, False), (0, True), (2, False), (3, True)]
)
def test_a_keyboard_interrupt_in_a_stream_reaches_the_caller(
    stream: int,
    after: bool,
    compiled: api.CompiledModel,
    cases: list[Case],
    no_leaks: None,
) -> None:
    model = FaultyModel(compiled)
    try:
        interrupt = KeyboardInterrupt()
        with pytest.raises(KeyboardInterrupt) as raised:
            call_with_timeout(
                lambda: model(cases[1], {stream: _raise(interrupt)}, after),
                CALL_TIMEOUT,
            )
        assert raised.value is interrupt
        _check_all(model, cases)
    finally:
        model.close()


@pytest.mark.parametrize("delay", [0.0, 0.001, 0.005, 0.02])
def test_an_interrupt_of_the_caller_leaves_the_model_usable(
    delay: float, compiled: api.CompiledModel, cases: list[Case], no_leaks: None
) -> None:
    # Ctrl-C while the caller (the main thread) is inside the call: a stream interrupts
    # the main thread `delay` seconds into its work.
    assert threading.current_thread() is threading.main_thread()

    def interrupt_main(index: int) -> None:
        del index
        time.sleep(delay)
        _thread.interrupt_main()

    model = FaultyModel(compiled)
    with _watched(model):

        def call_and_linger() -> None:
            model(cases[2], {1: interrupt_main})
            time.sleep(1)  # the interrupt lands during the call or right after it

        with pytest.raises(KeyboardInterrupt):
            call_and_linger()
        model.forget()
        _check_all(model, cases)


def test_a_signal_while_the_caller_waits_leaves_the_model_usable(
    compiled: api.CompiledModel, cases: list[Case], no_leaks: None
) -> None:
    # A real SIGINT interrupts the caller's wait while a slow stream is still running;
    # the next call must wait for that stream rather than mix the two calls.
    main = threading.main_thread().ident
    assert main is not None
    assert threading.get_ident() == main

    def slow(index: int) -> None:
        del index
        time.sleep(0.3)

    def interrupt(index: int) -> None:
        del index
        time.sleep(0.05)
        signal.pthread_kill(main, signal.SIGINT)

    model = FaultyModel(compiled)
    with _watched(model):
        with pytest.raises(KeyboardInterrupt):
            model(cases[4], {1: slow, 2: interrupt})
        model.forget()
        _check_all(model, cases)


def test_the_first_error_of_a_call_is_the_one_raised(
    compiled: api.CompiledModel, cases: list[Case], no_leaks: None
) -> None:
    first, second = Injected("first"), Injected("second")

    def late(index: int) -> None:
        del index
        time.sleep(0.1)
        raise second

    model = FaultyModel(compiled)
    try:
        with pytest.raises(Injected) as raised:
            call_with_timeout(
                lambda: model(cases[5], {0: _raise(first), 3: late}), CALL_TIMEOUT
            )
        assert raised.value is first
    finally:
        model.close()


def test_bad_inputs_are_refused_without_disturbing_the_streams(
    compiled: api.CompiledModel, cases: list[Case], no_leaks: None
) -> None:
    model = FaultyModel(compiled)
    try:
        wrong_shape = (torch.zeros(1, 8, 16, 15), cases[0].inputs[1])
        for _ in range(50):
            with pytest.raises(ValueError, match="must have shape"):
                call_with_timeout(lambda: model.model(*wrong_shape), CALL_TIMEOUT)
            with pytest.raises(TypeError, match="takes 2 inputs"):
                call_with_timeout(lambda: model.model(wrong_shape[0]), CALL_TIMEOUT)
            _check(call_with_timeout(lambda: model(cases[3]), CALL_TIMEOUT), cases[3])
    finally:
        model.close()
