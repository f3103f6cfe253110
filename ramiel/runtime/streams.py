"""The stream runtime of parallel generated code.

This file's code after the marker line is pasted verbatim into every generated
file with more than one stream, so it may use only torch and the standard
library, and its names start with `_` so that no name from a model can shadow
them.

Each stream runs on a daemon worker thread of its own, started with the model
and kept, while the caller waits. A worker sets its torch intra-op threads
(`num_threads`; the generated `Model` passes its share of the caller's) once
and never again: the caller's thread setting is left alone, and no thread runs
the same convolutions under two thread counts, which makes oneDNN rebuild its
kernels and reorder prepacked weights on every call. Streams hand tensors to
each other through numbered slots: `send` stores a value and sets the slot's
event, `recv` blocks on it (no busy-waiting, so a waiting stream never takes a
core from a working one). If a stream raises, every slot is released so that
no stream waits forever, the other streams stop at their next hand-off, and
the caller gets the original exception.

A caller hands its call over in one step and then only waits, so every state
survives an exception or an interrupt (Ctrl-C) at any point of a call:

- each call has a `_StreamCall` of its own, so nothing a call leaves behind
  reaches another;
- the caller puts the call on the first worker's queue, a single operation: the
  call is either given to every stream or to none. The first worker passes it
  on to the others, so every worker takes calls in the same order, calls from
  several threads cannot interleave their streams, and no lock is needed;
- a call whose caller stopped waiting runs to its end (or stops at its next
  hand-off, when the caller could cancel it), and later calls follow it.

The workers hold no reference to the model between calls (each call passes it
along with its stream functions, which are plain functions), so a model nobody
references is collected: its finalizer stops the workers once the calls given
to them are done, and its weights are freed, even without `close()`.
"""

# --- generated code starts here ---
import threading
import weakref
from collections.abc import Callable, Sequence
from queue import SimpleQueue
from typing import Any

import torch


class _Cancelled(Exception):
    """Stops a stream whose call failed, or was abandoned, elsewhere."""


class _StreamCall:
    """The state one call shares between its streams: inputs, slots, outputs, the first error."""

    def __init__(
        self, owner: object, inputs: tuple[torch.Tensor, ...], num_slots: int, num_outputs: int, num_streams: int
    ) -> None:
        self.owner = owner
        self.inputs = inputs
        self._values: list[object] = [None] * num_slots
        self._ready = [threading.Event() for _ in range(num_slots)]
        self._outputs: list[object] = [None] * num_outputs
        self._lock = threading.Lock()
        self._running = num_streams
        self._finished = threading.Event()
        self._error: BaseException | None = None
        self._cancelled = False

    def send(self, slot: int, value: object) -> None:
        """Hand `value` to the streams that `recv` this slot."""
        if self._cancelled:
            raise _Cancelled
        self._values[slot] = value
        self._ready[slot].set()

    def recv(self, slot: int) -> object:
        """The value sent to this slot, waiting for it without spinning."""
        self._ready[slot].wait()
        if self._cancelled:
            raise _Cancelled
        return self._values[slot]

    def output(self, index: int, value: object) -> None:
        """Set the call's output `index`."""
        self._outputs[index] = value

    def fail(self, error: BaseException) -> None:
        """Record the first real error and release every waiting stream."""
        with self._lock:
            if self._error is None and not isinstance(error, _Cancelled):
                self._error = error
        self.cancel()

    def cancel(self) -> None:
        """Make every stream stop at its next hand-off (idempotent)."""
        self._cancelled = True
        for event in self._ready:
            event.set()

    def stream_done(self) -> None:
        """Count a stream as finished; the last one lets the caller go on."""
        with self._lock:
            self._running -= 1
            if self._running == 0:
                self.owner = None
                self._finished.set()

    def wait(self, alive: Callable[[], bool]) -> None:
        """Block until every stream has finished; raise if `alive()` says they never will."""
        while not self._finished.wait(0.1):
            if not alive():
                raise RuntimeError("the model is closed")

    def result(self) -> list[object]:
        """The outputs of the finished call, or the first error of any stream."""
        if self._error is not None:
            raise self._error
        return self._outputs


_Stream = Callable[[Any, _StreamCall], None]
"""A stream function: it takes the model and the call."""

_Jobs = SimpleQueue[_StreamCall | None]
"""A worker's queue: the calls it runs, in order, then None to stop."""


def _run_stream(stream: _Stream, call: _StreamCall) -> None:
    """Run one stream of a call; its references to the call end with this frame."""
    try:
        stream(call.owner, call)
    except BaseException as e:
        call.fail(e)
    finally:
        call.stream_done()


def _work(index: int, streams: Sequence[_Stream], queues: Sequence[_Jobs], num_threads: int) -> None:
    """Worker `index`: run stream `index` of each call it takes, until None.

    Worker 0 takes calls from the callers and passes each on to the others first,
    so every worker sees the same order.
    """
    torch.set_num_threads(num_threads)
    followers = queues[1:] if index == 0 else ()
    while True:
        call = queues[index].get()
        for queue in followers:
            queue.put(call)
        if call is None:
            return
        _run_stream(streams[index], call)
        call = None  # the model may go while the worker waits for its next call


class _StreamRuntime:
    """Runs each call's streams in parallel, each on a worker thread of its own."""

    def __init__(
        self,
        owner: object,
        streams: Sequence[_Stream],
        num_slots: int,
        num_outputs: int,
        num_threads: int,
    ) -> None:
        self._streams = tuple(streams)
        self._num_slots = num_slots
        self._num_outputs = num_outputs
        self._queues: tuple[_Jobs, ...] = tuple(SimpleQueue() for _ in self._streams)
        self._threads: list[threading.Thread] = []
        self._stopping = False
        # Registered before any thread starts, so that a model whose construction
        # was interrupted still stops the threads it started.
        weakref.finalize(owner, self._stop)
        for index in range(len(self._streams)):
            thread = threading.Thread(
                target=_work,
                args=(index, self._streams, self._queues, num_threads),
                name=f"ramiel-stream-{index}",
                daemon=True,
            )
            self._threads.append(thread)
            thread.start()

    def run(self, owner: object, inputs: tuple[torch.Tensor, ...]) -> list[object]:
        """Run every stream of `owner` (the model) on `inputs`; the outputs in order."""
        if self._stopping:
            raise RuntimeError("the model is closed")
        call = _StreamCall(owner, inputs, self._num_slots, self._num_outputs, len(self._streams))
        self._queues[0].put(call)
        try:
            call.wait(self._running)
        except BaseException:
            call.cancel()  # the caller stopped waiting: stop the streams early
            raise
        return call.result()

    def close(self) -> None:
        """Finish the calls given so far, stop the worker threads and wait for them; later calls raise."""
        self._stop()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()

    def _running(self) -> bool:
        """Whether any worker still runs: a call given after `close()` never finishes."""
        return any(thread.is_alive() for thread in self._threads)

    def _stop(self) -> None:
        """Tell the workers to stop once the calls given to them are done, without waiting."""
        self._stopping = True
        self._queues[0].put(None)
