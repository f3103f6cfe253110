"""Named scheduling heuristics: built-ins, researchers' files and installed plug-ins.

A heuristic is any callable `(graph, workers) -> Schedule`. Register one with the
decorator::

    @register_heuristic("my-idea")
    def my_idea(graph: TaskGraph, workers: int) -> Schedule: ...

Heuristics are found in three ways: modules that use the decorator (the built-ins);
Python files run with `load_heuristics_file`; and installed packages that declare an
entry point in the `ramiel.heuristics` group, e.g. in their pyproject.toml::

    [project.entry-points."ramiel.heuristics"]
    my-idea = "my_package.sched:my_idea"

Entry points are loaded on first lookup and registered under the entry point's name.
"""

from __future__ import annotations

import importlib.metadata
import os
import runpy
from collections.abc import Callable
from typing import TypeVar

from ramiel.scheduling.taskgraph import Schedule, TaskGraph
from ramiel.scheduling.validate import validate

Heuristic = Callable[[TaskGraph, int], Schedule]
H = TypeVar("H", bound=Heuristic)
ENTRY_POINT_GROUP = "ramiel.heuristics"

_HEURISTICS: dict[str, Heuristic] = {}
_entry_points_loaded = False


class HeuristicLoadError(RuntimeError):
    """A heuristics file or entry point failed to load."""


def _add(name: str, heuristic: Heuristic) -> None:
    if not callable(heuristic):
        raise TypeError(f"heuristic {name!r} is not callable: {heuristic!r}")
    if name in _HEURISTICS and _HEURISTICS[name] is not heuristic:
        raise ValueError(
            f"a heuristic named {name!r} is already registered ({_HEURISTICS[name]!r})"
        )
    _HEURISTICS[name] = heuristic


def register_heuristic(name: str) -> Callable[[H], H]:
    """Decorator registering a `(graph, workers) -> Schedule` callable under `name`.

    Registering a different callable under a taken name raises `ValueError`.
    """

    def decorate(heuristic: H) -> H:
        _add(name, heuristic)
        return heuristic

    return decorate


def load_entry_points() -> list[str]:
    """Register every heuristic advertised in the `ramiel.heuristics` entry-point group.

    Returns the names loaded. A plug-in may also use `register_heuristic` itself with
    the same name and callable; that is not a duplicate.
    """
    global _entry_points_loaded
    _entry_points_loaded = True
    names = []
    for ep in sorted(
        importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
    ):
        try:
            heuristic = ep.load()
        except Exception as exc:
            raise HeuristicLoadError(
                f"entry point {ep.name!r} ({ep.value}) failed to load: {exc}"
            ) from exc
        _add(ep.name, heuristic)
        names.append(ep.name)
    return names


def _ensure_entry_points() -> None:
    if not _entry_points_loaded:
        load_entry_points()


def load_heuristics_file(path: str | os.PathLike[str]) -> list[str]:
    """Run a Python file so that its `@register_heuristic` decorators register; return the new names."""
    before = set(_HEURISTICS)
    try:
        runpy.run_path(os.fspath(path), run_name="ramiel_heuristics_file")
    except Exception as exc:
        raise HeuristicLoadError(
            f"heuristics file {os.fspath(path)!r} failed to load: {exc!r}"
        ) from exc
    return sorted(set(_HEURISTICS) - before)


def get_heuristic(name: str) -> Heuristic:
    """The heuristic registered under `name` (KeyError listing the known names if none)."""
    _ensure_entry_points()
    try:
        return _HEURISTICS[name]
    except KeyError:
        raise KeyError(
            f"no heuristic named {name!r}; available: {', '.join(sorted(_HEURISTICS))}"
        ) from None


def available_heuristics() -> list[str]:
    """Names of all registered heuristics, sorted."""
    _ensure_entry_points()
    return sorted(_HEURISTICS)


def run_heuristic(name: str, graph: TaskGraph, workers: int) -> Schedule:
    """Run the named heuristic and validate its schedule (raising `ScheduleError` naming it)."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    schedule = get_heuristic(name)(graph, workers)
    validate(graph, schedule, workers, heuristic=name)
    return schedule
