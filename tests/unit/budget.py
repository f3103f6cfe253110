"""The suite's one switch between its budgets.

`RAMIEL_LONG_TESTS=1` runs the long budgets: fuzzing, conformance at every
worker count, the largest light models and the larger scheduling sets. CI
leaves it unset, and the suite then fits its ten-minute limit.
"""

import os

LONG = os.environ.get("RAMIEL_LONG_TESTS") == "1"
"""Whether the long budgets run."""
