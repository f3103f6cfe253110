r"""The one escaping rule for text that reaches a generated file from a model or a file name.

Everything a model, an IR file or a file name says reaches the generated Python
through one of three functions, and through nothing else:

- `identifier` (and `Namer`, which keeps names distinct): names of values and weights;
- `literal`: strings in code (graph input and output names, weight keys, attribute values);
- `comment`: text in comments, the header included.

    >>> namer = Namer(reserved={"torch"})
    >>> [namer.fresh(n) for n in ("conv/1", "conv.1", "class", "torch", "0", None)]
    ['conv_1', 'conv_1_1', 'class_', 'torch_', 'v0', 'v']
    >>> print(literal('say "hi"'), literal("two\nlines"), literal("it's"))
    'say "hi"' 'two\nlines' "it's"
    >>> print(comment("x coding: unicode_escape"))
    x coding\x3a unicode_escape

All three give printable ASCII on one line, so a generated file is ASCII whatever the
model holds. A comment never holds a PEP 263 declaration (`coding:` or `coding=`):
Python reads one on the first two lines of a file to choose how to decode the rest,
and `unicode_escape` would turn the escaped newlines of later comments into real
ones. The header's first two lines are fixed text besides; `comment` makes the rule
hold wherever a comment lands. Nor does a comment hold a formatter's pragma
(`fmt: off`), which would leave the rest of the file as printed.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
from collections.abc import Iterable

_INVALID = re.compile(r"[^0-9A-Za-z_]+")

_PRAGMA = re.compile(r"(coding|fmt|yapf)([:=])")
"""What PEP 263's declaration needs (`coding` right before `:` or `=`), and what
formatters read as an instruction (`fmt: off`, `fmt: skip`, `yapf: disable`)."""

PYTHON_NAMES: frozenset[str] = frozenset(
    (*keyword.kwlist, *keyword.softkwlist, *dir(builtins), "l", "I", "O")
)
"""Names a model's values never take: keywords, soft keywords, builtins, and the
letters that linters reject as ambiguous (`l`, `I`, `O`)."""


def identifier(name: str | None) -> str:
    """`name` as an ASCII identifier without a leading underscore.

    Runs of other characters become one `_`; a name that would start with a digit,
    or be empty, gets a `v` in front. The generated file's own names start with `_`,
    so no model can shadow them.
    """
    text = _INVALID.sub("_", name or "").lstrip("_")
    return text if text and not text[0].isdigit() else "v" + text


_TAKEN_MODULES = frozenset((*keyword.kwlist, *sys.stdlib_module_names, "torch"))
"""Names a generated module avoids: `import class` is no statement, and a `json.py` or
`torch.py` beside a script would be imported in place of the real module."""


def module_name(name: str | None) -> str:
    """`name` as the name of an importable module that shadows no standard module or torch.

    >>> [module_name(n) for n in ("googlenet-opset18", "class", "json", "2nets")]
    ['googlenet_opset18', 'class_', 'json_', 'v2nets']
    """
    text = identifier(name)
    return text + "_" if text in _TAKEN_MODULES else text


def literal(text: str) -> str:
    """`text` as an ASCII Python string literal (quotes, newlines and all escaped)."""
    return ascii(text)


def comment(text: str) -> str:
    """`text` made safe for a `#` comment: one line of printable ASCII, escapes visible.

    A backslash prints as two, so the `\\x3a` that stands for the colon of a
    `coding:` or `fmt:` (and `\\x3d` for `=`) cannot be confused with text from the model.
    """
    escaped = ascii(text)[1:-1]
    return _PRAGMA.sub(lambda m: f"{m.group(1)}\\x{ord(m.group(2)):02x}", escaped)


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
