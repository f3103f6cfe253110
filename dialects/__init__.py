"""Ramiel's dialects, registered lazily by name (as in xDSL's `get_all_dialects`)."""

from collections.abc import Callable

from xdsl.ir import Dialect


def _builtin() -> Dialect:
    from xdsl.dialects.builtin import Builtin

    return Builtin


def _func() -> Dialect:
    from xdsl.dialects.func import Func

    return Func


def _dfg() -> Dialect:
    from ramiel.dialects.dfg import Dfg

    return Dfg


def _streams() -> Dialect:
    from ramiel.dialects.streams import Streams

    return Streams


def _pyemit() -> Dialect:
    from ramiel.dialects.pyemit import PyEmit

    return PyEmit


def get_all_dialects() -> dict[str, Callable[[], Dialect]]:
    """Every dialect Ramiel's IR uses, by name."""
    return {"builtin": _builtin, "func": _func, "dfg": _dfg, "streams": _streams, "pyemit": _pyemit}
