"""Named plug-ins of one kind: built-ins, researchers' files and installed packages.

Scheduling heuristics and cost models are found the same three ways: modules that
register them with a decorator (the built-ins); Python files run with `load_file`;
and installed packages that declare an entry point in the kind's group, e.g. in
their pyproject.toml::

    [project.entry-points."ramiel.heuristics"]
    my-idea = "my_package.sched:my_idea"

Entry points are loaded on the first lookup and registered under the entry
point's name.
"""

from __future__ import annotations

import importlib.metadata
import os
import runpy
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")


class PluginLoadError(RuntimeError):
    """A plug-in file or entry point failed to load."""


class Registry(Generic[T]):
    """The plug-ins of one kind (`kind` names it in messages), by name."""

    def __init__(self, kind: str, group: str, error: type[PluginLoadError] = PluginLoadError) -> None:
        self.kind = kind
        self.group = group
        """The entry-point group installed packages advertise plug-ins in."""
        self.error = error
        """What a failed load raises."""
        self.entries: dict[str, T] = {}
        self.entry_points_loaded = False

    def add(self, name: str, entry: T) -> None:
        """Register `entry` under `name`; a different entry under a taken name raises `ValueError`."""
        if not callable(entry):
            raise TypeError(f"{self.kind} {name!r} is not callable: {entry!r}")
        if name in self.entries and self.entries[name] is not entry:
            raise ValueError(f"a {self.kind} named {name!r} is already registered ({self.entries[name]!r})")
        self.entries[name] = entry

    def register(self, name: str) -> Callable[[U], U]:
        """Decorator registering what it decorates under `name` (see `add`)."""

        def decorate(entry: U) -> U:
            self.add(name, entry)  # pyright: ignore[reportArgumentType]
            return entry

        return decorate

    def load_entry_points(self) -> list[str]:
        """Register every plug-in advertised in the entry-point group; the names loaded.

        A plug-in may also register itself with the same name and entry: that is
        not a duplicate.
        """
        self.entry_points_loaded = True
        names = []
        for ep in sorted(importlib.metadata.entry_points(group=self.group), key=lambda e: e.name):
            try:
                entry = ep.load()
            except Exception as exc:
                raise self.error(f"entry point {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
            self.add(ep.name, entry)
            names.append(ep.name)
        return names

    def load_file(self, path: str | os.PathLike[str]) -> list[str]:
        """Run a Python file so that its decorators register; the new names, sorted."""
        before = set(self.entries)
        try:
            runpy.run_path(os.fspath(path), run_name=f"ramiel_{self.group.rpartition('.')[2]}_file")
        except Exception as exc:
            raise self.error(f"{self.kind}s file {os.fspath(path)!r} failed to load: {exc!r}") from exc
        return sorted(set(self.entries) - before)

    def get(self, name: str) -> T:
        """The entry registered under `name` (KeyError listing the known names if none)."""
        self._ensure_entry_points()
        try:
            return self.entries[name]
        except KeyError:
            raise KeyError(f"no {self.kind} named {name!r}; available: {', '.join(sorted(self.entries))}") from None

    def names(self) -> list[str]:
        """The names of every registered entry, sorted."""
        self._ensure_entry_points()
        return sorted(self.entries)

    def _ensure_entry_points(self) -> None:
        if not self.entry_points_loaded:
            self.load_entry_points()
