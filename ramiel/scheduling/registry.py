"""Named scheduling heuristics: built-ins, researchers' files and installed plug-ins.

A heuristic is any callable `(graph, workers) -> Schedule`. Register one with the
decorator::

    @register_heuristic("my-idea")
    def my_idea(graph: TaskGraph, workers: int) -> Schedule: ...

Heuristics are found as every plug-in of `ramiel.registry` is: modules that use the
decorator (the built-ins), Python files run with `load_heuristics_file`, and
installed packages with an entry point in the `ramiel.heuristics` group::

    [project.entry-points."ramiel.heuristics"]
    my-idea = "my_package.sched:my_idea"
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from ramiel.registry import PluginLoadError, Registry
from ramiel.scheduling.taskgraph import Schedule, TaskGraph
from ramiel.scheduling.validate import validate

Heuristic = Callable[[TaskGraph, int], Schedule]
H = TypeVar("H", bound=Heuristic)
ENTRY_POINT_GROUP = "ramiel.heuristics"


class HeuristicLoadError(PluginLoadError):
    """A heuristics file or entry point failed to load."""


HEURISTICS: Registry[Heuristic] = Registry("heuristic", ENTRY_POINT_GROUP, HeuristicLoadError)
"""Every heuristic, by name."""


def register_heuristic(name: str) -> Callable[[H], H]:
    """Decorator registering a `(graph, workers) -> Schedule` callable under `name`.

    Registering a different callable under a taken name raises `ValueError`.
    """
    return HEURISTICS.register(name)


def load_entry_points() -> list[str]:
    """Register every heuristic advertised in the `ramiel.heuristics` entry-point group; the names loaded."""
    return HEURISTICS.load_entry_points()


def load_heuristics_file(path: str | os.PathLike[str]) -> list[str]:
    """Run a Python file so that its `@register_heuristic` decorators register; return the new names."""
    return HEURISTICS.load_file(path)


def get_heuristic(name: str) -> Heuristic:
    """The heuristic registered under `name` (KeyError listing the known names if none)."""
    return HEURISTICS.get(name)


def available_heuristics() -> list[str]:
    """Names of all registered heuristics, sorted."""
    return HEURISTICS.names()


def run_heuristic(name: str, graph: TaskGraph, workers: int) -> Schedule:
    """Run the named heuristic and validate its schedule (raising `ScheduleError` naming it)."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    schedule = get_heuristic(name)(graph, workers)
    validate(graph, schedule, workers, heuristic=name)
    return schedule
