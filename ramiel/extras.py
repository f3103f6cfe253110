"""Optional dependencies: what only some commands need, imported where it is used.

The core (import, passes, code generation, the generated code) needs only the
packages `pyproject.toml` lists as dependencies. The rest come with an extra:

    pip install 'ramiel[check]'       onnxruntime: `ramiel check`, `ramiel bench`, seeding with statistics
    pip install 'ramiel[workbench]'   OR-Tools, anrg-saga, Dask: the optimal scheduler, saga-* heuristics, sweeps

`require` imports one of them, or fails with the one-line error naming the extra.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ramiel.errors import RamielError

EXTRAS: dict[str, tuple[str, str]] = {
    "onnxruntime": ("onnxruntime", "check"),
    "ortools.sat.python.cp_model": ("ortools", "workbench"),
    "saga": ("anrg-saga", "workbench"),
    "dask.distributed": ("dask", "workbench"),
}
"""Each optional module: the distribution (its name on the package index) that brings it and the extra that installs it."""


class MissingExtraError(RamielError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def missing(module: str, purpose: str) -> MissingExtraError:
    """The error for `module`, one of `EXTRAS`, being absent; `purpose` says what needs it."""
    distribution, extra = EXTRAS[module]
    return MissingExtraError(
        f"{purpose} needs {distribution}, which is not installed; install it with: pip install 'ramiel[{extra}]'",
        module,
    )


def require(module: str, purpose: str) -> ModuleType:
    """Import `module`, one of `EXTRAS`, or raise `missing(module, purpose)`."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise missing(module, purpose) from None
