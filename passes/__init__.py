"""Ramiel's passes, one per module, registered by name for `ramiel-opt -p` and Python.

Factories import their module lazily, as xDSL's own registry does, so that a tool
pays only for the passes it runs.
"""

import dataclasses
from collections.abc import Callable, Mapping

from xdsl.passes import ModulePass


def _canonicalize() -> type[ModulePass]:
    from xdsl.transforms.canonicalize import CanonicalizePass

    return CanonicalizePass


def _cse() -> type[ModulePass]:
    from xdsl.transforms.common_subexpression_elimination import (
        CommonSubexpressionElimination,
    )

    return CommonSubexpressionElimination


def _dce() -> type[ModulePass]:
    from xdsl.transforms.dead_code_elimination import DeadCodeElimination

    return DeadCodeElimination


def get_all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Every pass `ramiel-opt` offers, by name."""
    return {
        "canonicalize": _canonicalize,
        "cse": _cse,
        "dce": _dce,
    }


def describe_passes(passes: Mapping[str, Callable[[], type[ModulePass]]]) -> str:
    """One line per pass: its name, the first line of its docstring, and its options."""
    lines: list[str] = []
    for name in sorted(passes):
        cls = passes[name]()
        doc = (cls.__doc__ or "").strip().splitlines()
        summary = doc[0].strip() if doc else ""
        options = [
            f"{f.name.replace('_', '-')}={_type_name(f.type)}" for f in dataclasses.fields(cls)
        ]
        suffix = f" {{{' '.join(options)}}}" if options else ""
        lines.append(f"  {name}{suffix}\n      {summary}")
    return "\n".join(lines)


def _type_name(annotation: object) -> str:
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
