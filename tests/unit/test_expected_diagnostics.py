"""mlir-opt-style expected diagnostics (`ramiel.expected_diagnostics`)."""

from __future__ import annotations

from ramiel.expected_diagnostics import (
    Diagnostic,
    Expected,
    expectations,
    printed_diagnostics,
    problems,
)

_TEXT = """\
// expected-error@+2 {{two below}}
// expected-error@below {{one below}}
%a = x // expected-error {{same line}}
// expected-error@above {{one above}}
// expected-error@-4 {{four above}}
// expected-note {{a note}} expected-remark@+1 {{and a remark}}
"""


def test_annotations_name_their_lines() -> None:
    assert expectations(_TEXT) == [
        Expected("error", 3, "two below", 1),
        Expected("error", 3, "one below", 2),
        Expected("error", 3, "same line", 3),
        Expected("error", 3, "one above", 4),
        Expected("error", 1, "four above", 5),
        Expected("note", 6, "a note", 6),
        Expected("remark", 7, "and a remark", 6),
    ]


def test_printed_diagnostics_are_read_back() -> None:
    printed = (
        "in.mlir:12:3\n  %w = bad\n  ^^^^^^^^\n  first message\n  goes on\n\n"
        "in.mlir:20:1\n}\n^\nsecond\n"
    )
    assert printed_diagnostics(printed) == [Diagnostic(12, "first message goes on"), Diagnostic(20, "second")]


def test_a_diagnostic_meets_an_expectation_at_its_line_that_it_contains() -> None:
    expected = [Expected("error", 3, "name", 2), Expected("error", 9, "other", 8)]
    found = [Diagnostic(3, "a bad name here"), Diagnostic(4, "stray")]
    assert problems(expected, found, "f.mlir") == [
        "f.mlir:4: error: unexpected error: stray",
        'f.mlir:8: error: expected error "other" was not produced (at line 9)',
    ]
    assert problems(expected[:1], found[:1], "f.mlir") == []
    # A diagnostic meets one expectation only.
    assert problems([], [Diagnostic(3, "x")], "f.mlir") == ["f.mlir:3: error: unexpected error: x"]
