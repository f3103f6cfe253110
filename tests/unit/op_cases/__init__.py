"""Tiny one-operator ONNX models, one per supported operator and opset version.

`CASES` holds, for every operator with a `dfg` op, a model at each opset where
the operator's schema changed (from opset 6, or the operator's first opset, up to
the newest opset `onnx` knows), written in the operator's form at that opset: an
opset-9 `Slice` has `starts`/`ends` attributes, an opset-6 `Add` the legacy
`broadcast`/`axis` attributes. Each case states the graph outputs' types, worked
out by hand from the operator's definition, and may check how the importer
normalised the node.

`core` holds the case type and the model builders; each other module holds the
cases of one operator family (named as in `ramiel.dialects.dfg`) and is found
by its name.
"""

from __future__ import annotations

import importlib
import pkgutil

from ramiel.dialects.dfg import OPS
from tests.unit.op_cases.core import (
    BOOL,
    BUILDERS,
    F32,
    I64,
    NEWEST,
    Case,
    make_model,
    opsets_of,
    t,
    x,
)

for _family in sorted(
    m.name for m in pkgutil.iter_modules(__path__) if m.name != "core"
):
    importlib.import_module(f"{__name__}.{_family}")


def cases_of(op: str) -> list[Case]:
    """Every case of operator `op`, over all its opsets."""
    return [case for opset in opsets_of(op) for case in BUILDERS[op](opset)]


CASES: list[Case] = [case for op in OPS for case in cases_of(op)]
"""Every case, operators in `OPS` order."""

assert set(BUILDERS) == set(OPS), set(OPS) ^ set(BUILDERS)

__all__ = [
    "BOOL",
    "CASES",
    "F32",
    "I64",
    "NEWEST",
    "Case",
    "cases_of",
    "make_model",
    "opsets_of",
    "t",
    "x",
]
