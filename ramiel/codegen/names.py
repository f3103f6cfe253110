"""Python names for values whose names come from a model.

Every name that reaches generated code goes through `identifier`: the result is an
ASCII identifier that does not start with `_` (the generated file's own names do),
so no model can shadow the runtime. `Namer` then keeps names apart from Python's
keywords and builtins, from the file's module-level names and from each other:

    >>> namer = Namer(reserved={"torch"})
    >>> [namer.fresh(n) for n in ("conv/1", "conv.1", "class", "torch", "0", None)]
    ['conv_1', 'conv_1_1', 'class_', 'torch_', 'v0', 'v']
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Iterable

_INVALID = re.compile(r"[^0-9A-Za-z_]+")

PYTHON_NAMES: frozenset[str] = frozenset(
    (*keyword.kwlist, *keyword.softkwlist, *dir(builtins), "l", "I", "O")
)
"""Names a model's values never take: keywords, soft keywords, builtins, and the
letters that linters reject as ambiguous (`l`, `I`, `O`)."""


def identifier(name: str | None) -> str:
    """`name` as an ASCII identifier without a leading underscore.

    Runs of other characters become one `_`; a name that would start with a digit,
    or be empty, gets a `v` in front.
    """
    text = _INVALID.sub("_", name or "").lstrip("_")
    return text if text and not text[0].isdigit() else "v" + text


class Namer:
    """Hands out distinct identifiers in one scope, avoiding `reserved` names."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: set[str] = set(PYTHON_NAMES) | set(reserved)
        self._reserved = frozenset(self._taken)

    def fresh(self, hint: str | None) -> str:
        """A new name from `hint`: `_` appended if reserved, `_1`, `_2`... if taken."""
        base = identifier(hint)
        name = base + "_" if base in self._reserved else base
        suffix = 0
        while name in self._taken:
            suffix += 1
            name = f"{base}_{suffix}"
        self._taken.add(name)
        return name
