"""Running Ramiel's commands on hostile inputs: in this process, or in a child that can be stopped.

`run_command("ramiel-opt", [...])` calls the command's `main` here and captures
what it printed and how it ended. A `Sandbox` does the same in a child process
(started once, reused for every input), so that an input that hangs the command
(a regular expression backtracking forever holds the interpreter lock, and no
thread can stop it) or kills the interpreter is reported, and the child replaced.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import multiprocessing
import os
import resource
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

TOOLS = {"ramiel-opt": "ramiel.tools.ramiel_opt", "ramiel": "ramiel.tools.ramiel_cli"}
"""The commands, by name, and the modules whose `main(argv)` runs them."""

MEMORY_LIMIT = 4 << 30
"""Address space a sandboxed command may add (bytes): more raises MemoryError."""


@dataclass(frozen=True)
class CommandResult:
    """How one run of a command ended."""

    status: int | None
    """Exit status; None when the command raised, hung or died."""
    stdout: str
    stderr: str
    crash: str = ""
    """The exception that escaped the command (its root cause: type and first line), or why
    the child died; empty if none did."""
    hung: bool = False


def run_command(tool: str, argv: Sequence[str]) -> CommandResult:
    """Run `tool`'s `main(argv)` in this process, capturing its output and exit status.

    Warnings show every time they happen (a command must not print them), except
    deprecations, which Python hides from users.
    """
    main = importlib.import_module(TOOLS[tool]).main
    out, err = io.StringIO(), io.StringIO()
    status: int | None = 0
    crash = ""
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            main(list(argv))
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception as e:
            status, crash = None, root_cause(e)
    return CommandResult(status, out.getvalue(), err.getvalue(), crash)


def root_cause(error: BaseException) -> str:
    """The innermost exception behind `error`, as `Type: first line of its message`."""
    while (inner := error.__cause__ or error.__context__) is not None:
        error = inner
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _serve(connection: Connection, native_stderr: str) -> None:
    """The child's loop: run each (tool, argv) received, send back the result.

    What native code writes to the process's stderr (an assertion that aborts it)
    goes to the file `native_stderr`, emptied before each run.
    """
    for tool in TOOLS.values():
        importlib.import_module(tool)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as f:
        limit = int(f.read().split()[0]) * resource.getpagesize() + MEMORY_LIMIT
    if hard == resource.RLIM_INFINITY or limit < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    sink = os.open(native_stderr, os.O_WRONLY | os.O_TRUNC)
    os.dup2(sink, 2)
    connection.send("ready")  # imports done: time limits apply from here
    while True:
        try:
            request: Any = connection.recv()
        except EOFError:
            return
        os.ftruncate(2, 0)
        os.lseek(2, 0, os.SEEK_SET)
        connection.send(run_command(*request))


class Sandbox:
    """Runs commands in a child process, with a time limit per run.

    The child is spawned (not forked: this process may have started torch's
    thread pools), imports the tools once, and is replaced after a run that
    hangs or kills it.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._connection: Connection | None = None
        handle, self._native_stderr = tempfile.mkstemp(
            prefix="ramiel-sandbox-", suffix=".log"
        )
        os.close(handle)

    def _start(self) -> Connection:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(
            target=_serve, args=(child, self._native_stderr), daemon=True
        )
        self._process.start()
        child.close()
        self._connection = parent
        try:
            parent.recv()
        except EOFError:
            self.close()
            raise RuntimeError("the sandbox's process did not start") from None
        return parent

    def run(self, tool: str, argv: Sequence[str]) -> CommandResult:
        """Run `tool argv` in the child; a hang or death is a result too."""
        connection = self._connection or self._start()
        connection.send((tool, list(argv)))
        if not connection.poll(self.timeout):
            self.close()
            return CommandResult(None, "", "", hung=True)
        try:
            return connection.recv()
        except EOFError:
            self._process.join(self.timeout)  # the exit code is known once it is reaped
            code = self._process.exitcode
            self.close()
            with open(self._native_stderr, errors="replace") as f:
                said = [line.strip() for line in f if line.strip()]
            why = f": {said[-1]}" if said else ""
            return CommandResult(
                None, "", "", crash=f"the process died (exit code {code}){why}"
            )

    def close(self) -> None:
        """Stop the child (a later run starts another)."""
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
        os.unlink(self._native_stderr)
