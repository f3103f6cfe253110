"""The stream runtime of parallel generated code.

This file's code after the marker line is pasted verbatim into every generated
file with more than one stream, after the code of `common.py`, so it may use
only torch, the standard library and `common.py`'s names, and its names start
with `_` so that no name from a model can shadow them.

The caller's thread runs stream 0 of each call itself; every other stream runs
on a daemon worker thread of its own, started with the model and kept. So a
call wakes one thread fewer than there are streams, and the stream that starts
the call is already awake. (After an idle spell, a guest kernel that packs
vCPUs can queue the woken workers behind the running caller for milliseconds:
docs/performance.md, "Idle gaps".)

Thread counts: a worker sets its torch intra-op threads (`num_threads`; the
generated `Model` passes its share of the caller's) once and never again, and
the caller runs stream 0 under the same count, set for the call and restored
afterwards (`_intra_op_threads`): the caller's setting is left alone, and the
model's convolutions always run under the count their weights were prepacked
for. One case is the caller's to avoid: a thread that calls the model and also
runs convolutions of the same shapes under another count itself makes oneDNN
rebuild its kernels and reorder weights at every switch (docs/performance.md);
such work belongs on a thread of its own.

Streams hand tensors to each other through numbered slots: `send` stores a
value and sets the slot's event; `recv` spins on the event for a bounded time
(`_SPIN_SECONDS`), then blocks on it, and the caller waits for the call's end
the same way. If a stream raises, every slot is released so that no stream
waits forever, the other streams stop at their next hand-off, and the caller
gets the original exception at once.

Every state survives an exception or an interrupt (Ctrl-C) at any point of a
call:

- each call has a `_StreamCall` of its own, so nothing a call leaves behind
  reaches another;
- the caller holds no lock: the state it shares with the workers changes only
  by single operations (a queue put, a list append, an event set);
- the caller puts the call on the first worker's queue, a single operation,
  inside the block that cancels the call on any exception: the call reaches
  every worker or none, and no worker waits for a stream 0 that its caller
  abandoned. The first worker passes each call on to the others, so every
  worker takes calls in the same order;
- a call that failed, or whose caller stopped waiting, runs on each worker to
  that stream's next hand-off, and the worker's later calls follow it.

Calls from several threads: each gives its own results, and the workers take
them one at a time in the order they were given, but their stream 0 parts run
side by side, each on its caller's thread (a lock that made callers take turns
could be left held by an interrupt).

The workers hold no reference to the model between calls (each call passes it
along with its stream functions, which are plain functions), so a model nobody
references is collected: its finalizer stops the workers once the calls given
to them are done, and its weights are freed, even without `close()`.
"""

# Generated files paste `common.py` before this file's code; importing from it
# here keeps the module runnable on its own.
from ramiel.runtime.common import _intra_op_threads

# isort: split
# --- generated code starts here ---
import os
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from queue import SimpleQueue
from typing import Any

import torch

_SPIN_SECONDS = 0.0005
"""How long a hand-off spins before it blocks.

A thread blocked on an event lets its core go idle, and a woken thread
resumes tens of microseconds to milliseconds later. Spinning covers the
short waits inside a call. On two-stream GoogLeNet (2 vCPUs,
docs/performance.md, "Idle gaps"), back to back, 0.5 ms was 4-13% faster than
no spin and as fast as 2 ms. It costs about 2 ms of CPU time per call. No
budget changed the calls that follow 20 ms of idle time.
"""

_yield = getattr(os, "sched_yield", lambda: time.sleep(0))
"""Gives up the interpreter lock and the core for a moment, once per spin."""


def _await(event: threading.Event, alive: Callable[[], bool]) -> None:
    """Return once `event` is set: spin for `_SPIN_SECONDS`, then block.

    Raise if `alive()` says it never will be.
    """
    deadline = time.perf_counter() + _SPIN_SECONDS
    while not event.is_set() and time.perf_counter() < deadline:
        # Spinning without the interpreter lock: a waiting stream that held it
        # would stop the working one from dispatching its next op.
        _yield()
    while not event.wait(0.1):
        if not alive():
            raise RuntimeError("the model is closed")


class _Cancelled(Exception):
    """Stops a stream whose call failed, or was abandoned, elsewhere."""


class _StreamCall:
    """The state one call shares between its streams: inputs, slots, outputs, the first error."""

    def __init__(
        self,
        owner: object,
        inputs: tuple[torch.Tensor, ...],
        num_slots: int,
        num_outputs: int,
        num_streams: int,
        alive: Callable[[], bool],
    ) -> None:
        self.owner = owner
        self.inputs = inputs
        self._values: list[object] = [None] * num_slots
        self._ready = [threading.Event() for _ in range(num_slots)]
        self._outputs: list[object] = [None] * num_outputs
        self._num_streams = num_streams
        # Appending to a list is atomic: the call's state needs no lock, which an
        # interrupt could leave held (the stream 0 part runs on the caller's thread).
        self._done: list[None] = []
        self._errors: list[BaseException] = []
        self._settled = threading.Event()
        self._alive = alive
        self._cancelled = False

    def send(self, slot: int, value: object) -> None:
        """Hand `value` to the streams that `recv` this slot."""
        if self._cancelled:
            raise _Cancelled
        self._values[slot] = value
        self._ready[slot].set()

    def recv(self, slot: int) -> object:
        """The value sent to this slot, once it is there."""
        _await(self._ready[slot], self._alive)
        if self._cancelled:
            raise _Cancelled
        return self._values[slot]

    def output(self, index: int, value: object) -> None:
        """Set the call's output `index`."""
        self._outputs[index] = value

    def fail(self, error: BaseException) -> None:
        """Record a real error and release every waiting stream and the caller.

        The first real error recorded is the one raised.
        """
        if not isinstance(error, _Cancelled):
            self._errors.append(error)
        self.cancel()

    def cancel(self) -> None:
        """Make every stream stop at its next hand-off, and the caller stop waiting (idempotent)."""
        self._cancelled = True
        for event in self._ready:
            event.set()
        self._settled.set()

    def stream_done(self) -> None:
        """Count a stream as finished; the last one lets the caller go on."""
        self._done.append(None)
        if len(self._done) == self._num_streams:
            self.owner = None
            self._settled.set()

    def wait(self) -> None:
        """Return once every stream has finished or the call has failed."""
        _await(self._settled, self._alive)

    def result(self) -> list[object]:
        """The outputs of the finished call, or the first error of any stream."""
        if self._errors:
            raise self._errors[0]
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


def _work(stream: _Stream, queues: Sequence[_Jobs], num_threads: int) -> None:
    """Run `stream` of each call taken from `queues[0]`, until None.

    Each call is passed on to `queues[1:]` first.

    The first worker is given every queue and the others their own, so every
    worker sees the calls in the order the callers gave them.
    """
    torch.set_num_threads(num_threads)
    while True:
        call = queues[0].get()
        for queue in queues[1:]:
            queue.put(call)
        if call is None:
            return
        _run_stream(stream, call)
        call = None  # the model may go while the worker waits for its next call


class _StreamRuntime:
    """Runs the streams of each call on threads.

    Stream 0 runs on the caller's thread, and every other stream on a worker thread of its own.
    """

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
        self._num_threads = num_threads
        self._queues: tuple[_Jobs, ...] = tuple(SimpleQueue() for _ in self._streams[1:])
        self._threads: list[threading.Thread] = []
        self._stopping = False
        # Registered before any thread starts, so that a model whose construction
        # was interrupted still stops the threads it started.
        weakref.finalize(owner, self._stop)
        for index in range(1, len(self._streams)):
            thread = threading.Thread(
                target=_work,
                args=(
                    self._streams[index],
                    self._queues if index == 1 else self._queues[index - 1 : index],
                    num_threads,
                ),
                name=f"ramiel-stream-{index}",
                daemon=True,
            )
            self._threads.append(thread)
            thread.start()

    # dynamo would trace the calling thread's stream into a graph of its own and lose
    # the hand-offs: under torch.compile the streams run as they do without it.
    @torch.compiler.disable
    def run(self, owner: object, inputs: tuple[torch.Tensor, ...]) -> list[object]:
        """Run every stream of `owner` (the model) on `inputs`; the outputs in order."""
        if self._stopping:
            raise RuntimeError("the model is closed")
        call = _StreamCall(
            owner, inputs, self._num_slots, self._num_outputs, len(self._streams), self._running
        )
        with _intra_op_threads(self._num_threads):
            try:
                if self._queues:
                    self._queues[0].put(call)
                _run_stream(self._streams[0], call)
                call.wait()
            except BaseException:
                call.cancel()  # the caller stopped: stop the streams early
                raise
        return call.result()

    def close(self) -> None:
        """Finish the calls given so far, stop the worker threads and wait for them.

        Later calls raise.
        """
        self._stop()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()

    def _running(self) -> bool:
        """Whether every worker still runs: a call given after `close()` never finishes."""
        return all(thread.is_alive() for thread in self._threads)

    def _stop(self) -> None:
        """Tell the workers to stop once the calls given to them are done, without waiting."""
        self._stopping = True
        if self._queues:
            self._queues[0].put(None)
