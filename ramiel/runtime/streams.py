"""The stream runtime of parallel generated code.

This file's code after the marker line is pasted verbatim into every generated
file with more than one stream, so it may use only torch and the standard
library, and its names start with `_` so that no name from a model can shadow
them.

Each call runs every stream on its own daemon worker thread, started on the
first call and kept, while the caller waits. A worker sets its torch intra-op
threads (`num_threads`; the generated `Model` passes its share of the caller's)
once and never again: the caller's thread setting is left alone, and no thread
runs the same convolutions under two thread counts, which makes oneDNN rebuild
its kernels and reorder prepacked weights on every call. Streams hand
tensors to each other through numbered slots: `send` stores a value and sets
the slot's event, `recv` blocks on it (no busy-waiting, so a waiting stream
never takes a core from a working one). If a stream raises, every slot is
released so that no stream waits forever, the other streams stop at their next
hand-off, and the caller gets the original exception. Calls from several
threads are serialised.
"""

# --- generated code starts here ---
import threading
from collections.abc import Callable, Sequence

import torch


class _Cancelled(Exception):
    """Stops a stream whose call already failed elsewhere."""


class _StreamCall:
    """The state one call shares between its streams: inputs, slots, outputs."""

    def __init__(self, num_slots: int, num_outputs: int, num_workers: int) -> None:
        self.inputs: tuple[torch.Tensor, ...] = ()
        self._values: list[object] = [None] * num_slots
        self._ready = [threading.Event() for _ in range(num_slots)]
        self._outputs: list[object] = [None] * num_outputs
        self._num_workers = num_workers
        self._lock = threading.Lock()
        self._running = 0
        self._finished = threading.Event()
        self._finished.set()
        self._error: BaseException | None = None
        self._cancelled = False

    def start(self, inputs: tuple[torch.Tensor, ...]) -> None:
        """Reset for a new call; the previous call must have finished."""
        self.inputs = inputs
        for event in self._ready:
            event.clear()
        self._values = [None] * len(self._values)
        self._outputs = [None] * len(self._outputs)
        self._error = None
        self._cancelled = False
        self._running = self._num_workers
        if self._num_workers:
            self._finished.clear()

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
            self._cancelled = True
        for event in self._ready:
            event.set()

    def worker_done(self) -> None:
        """Count a worker stream as finished."""
        with self._lock:
            self._running -= 1
            if self._running == 0:
                self._finished.set()

    def wait_workers(self) -> None:
        """Block until every worker stream of this call has finished."""
        self._finished.wait()

    def result(self) -> list[object]:
        """The outputs, or the first error of any stream."""
        if self._error is not None:
            raise self._error
        return self._outputs


class _StreamRuntime:
    """Runs one call's streams in parallel, each on its own worker thread."""

    def __init__(
        self,
        streams: Sequence[Callable[[_StreamCall], None]],
        num_slots: int,
        num_outputs: int,
        num_threads: int,
    ) -> None:
        self._streams = tuple(streams)
        self._num_threads = num_threads
        self._call = _StreamCall(num_slots, num_outputs, len(streams))
        self._lock = threading.Lock()
        self._jobs: list[threading.Semaphore] = []
        self._threads: list[threading.Thread] = []
        self._closed = False

    def run(self, inputs: tuple[torch.Tensor, ...]) -> list[object]:
        """Run every stream on `inputs` and return the outputs in order."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the model is closed")
            if not self._threads:
                self._start_workers()
            call = self._call
            call.wait_workers()  # an interrupted call may still be finishing
            call.start(inputs)
            for job in self._jobs:
                job.release()
            try:
                call.wait_workers()
            except BaseException as e:  # KeyboardInterrupt while waiting
                call.fail(e)
                raise
            return call.result()

    def close(self) -> None:
        """Stop the worker threads; later calls raise."""
        with self._lock:
            self._closed = True
            self._call.wait_workers()
            threads, self._threads = self._threads, []
            for job in self._jobs:
                job.release()
            for thread in threads:
                thread.join()
            self._jobs = []

    def _start_workers(self) -> None:
        for index in range(len(self._streams)):
            job = threading.Semaphore(0)
            thread = threading.Thread(
                target=self._work,
                args=(self._streams[index], job),
                name=f"ramiel-stream-{index}",
                daemon=True,
            )
            self._jobs.append(job)
            self._threads.append(thread)
            thread.start()

    def _work(self, stream: Callable[[_StreamCall], None], job: threading.Semaphore) -> None:
        torch.set_num_threads(self._num_threads)
        while True:
            job.acquire()
            if self._closed:
                return
            call = self._call
            try:
                stream(call)
            except BaseException as e:
                call.fail(e)
            finally:
                call.worker_done()
