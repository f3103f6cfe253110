"""The user-facing error of every Ramiel entry point.

A `RamielError` is a mistake in what the user gave us (a file, an option, an input
at run time), not a bug. Command-line tools print it as one line,
`ramiel: error: <what> (<where>)`, and exit with status 1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn


class RamielError(Exception):
    """A user error: `what` went wrong, `where` (a file, node, tensor or option)."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(what, where)
        self.what = what
        self.where = where

    def __str__(self) -> str:
        return f"{self.what} ({self.where})"


def report(error: RamielError) -> NoReturn:
    """Print `error` in the project's one-line form and exit with status 1."""
    what = " ".join(error.what.split())
    print(f"ramiel: error: {what} ({error.where})", file=sys.stderr)
    raise SystemExit(1)


def run_reporting(main: Callable[[], None]) -> None:
    """Run a command's body; a `RamielError` becomes the one-line error and exit 1."""
    try:
        main()
    except RamielError as e:
        report(e)
    except KeyboardInterrupt:
        print("ramiel: error: interrupted (keyboard)", file=sys.stderr)
        raise SystemExit(1) from None
