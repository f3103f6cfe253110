"""mlir-opt's `--verify-diagnostics`: diagnostics checked against `expected-error` annotations.

An IR file says which diagnostics it expects where, as MLIR's tests do:

    // expected-error@+1 {{weight name 'conv.w' cannot name a buffer}}
    %w = pyemit.weight "conv.w" = dense<1.0> : tensor<4xf32>

`@+N` and `@-N` count lines from the annotation, `@above` and `@below` are one
line away, and no `@` is the annotation's own line. A diagnostic matches an
expectation at its line whose text it contains. Every diagnostic must be
expected and every expectation met; `problems` lists what is not, in MLIR's
words. Ramiel's diagnostics are all errors, so an `expected-warning`,
`expected-note` or `expected-remark` can never be met.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ANNOTATION = re.compile(
    r"expected-(?P<kind>error|warning|note|remark)\s*(?:@(?P<where>[+-]\d+|above|below))?\s*\{\{(?P<text>.*?)\}\}"
)

_LOCATION = re.compile(r"^(?P<file>.*):(?P<line>\d+):(?P<column>\d+)$")


@dataclass(frozen=True)
class Expected:
    """A diagnostic an annotation asks for."""

    kind: str
    line: int
    """The 1-based line of the input it must point at."""
    text: str
    """What its message must contain."""
    annotation_line: int


@dataclass(frozen=True)
class Diagnostic:
    """A diagnostic as ramiel-opt prints it: location, source line, caret line, message."""

    line: int
    message: str


def has_annotations(text: str) -> bool:
    """Whether `text` holds any `expected-...` annotation."""
    return _ANNOTATION.search(text) is not None


def expectations(text: str) -> list[Expected]:
    """The annotations of an input file, in order."""
    found: list[Expected] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _ANNOTATION.finditer(line):
            where = match["where"]
            offset = {None: 0, "above": -1, "below": 1}.get(where)
            target = number + (int(where) if offset is None else offset)
            found.append(Expected(match["kind"], target, match["text"], number))
    return found


def printed_diagnostics(text: str) -> list[Diagnostic]:
    """The diagnostics in ramiel-opt's printed output: each a location line, the source and caret lines, a message."""
    lines = text.splitlines()
    found: list[Diagnostic] = []
    index = 0
    while index < len(lines):
        location = _LOCATION.match(lines[index])
        if location is None or index + 2 >= len(lines):
            index += 1
            continue
        message: list[str] = []
        index += 3
        while index < len(lines) and lines[index].strip() and not _LOCATION.match(lines[index]):
            message.append(lines[index].strip())
            index += 1
        found.append(Diagnostic(int(location["line"]), " ".join(message)))
    return found


def problems(expected: list[Expected], found: list[Diagnostic], name: str) -> list[str]:
    """What does not match: unexpected diagnostics, then expectations no diagnostic met."""
    unmet = list(expected)
    unexpected: list[Diagnostic] = []
    for diagnostic in found:
        match = next(
            (e for e in unmet if e.kind == "error" and e.line == diagnostic.line and e.text in diagnostic.message),
            None,
        )
        if match is None:
            unexpected.append(diagnostic)
        else:
            unmet.remove(match)
    return [
        *(f"{name}:{d.line}: error: unexpected error: {d.message}" for d in unexpected),
        *(
            f"{name}:{e.annotation_line}: error: expected {e.kind} \"{e.text}\" was not produced (at line {e.line})"
            for e in unmet
        ),
    ]
