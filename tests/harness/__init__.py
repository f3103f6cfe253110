"""Harnesses that drive the compiler from outside: measurements behind docs/, not shipped.

Run from the repository, as modules of this package:

    python -m tests.harness.stats     node counts and pipeline times (docs/cleanup.md)

They may use what only the repository has: the test models of `tests.models`,
and the development dependencies.
"""
