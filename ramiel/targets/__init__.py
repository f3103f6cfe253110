"""Ramiel's `-t` targets for `ramiel-opt`, by name."""

from collections.abc import Callable

from xdsl.utils.target import Target


def _python() -> type[Target]:
    from ramiel.targets.python import PythonTarget

    return PythonTarget


def get_all_targets() -> dict[str, Callable[[], type[Target]]]:
    """Every target Ramiel adds to xDSL's `mlir`."""
    return {"python": _python}
