"""The suite's one switch between its budgets.

`RAMIEL_LONG_TESTS=1` runs the long budgets: fuzzing, the whole conformance
tally at every worker count, the largest light models and the larger scheduling
sets. CI leaves it unset, and the suite then fits its ten-minute limit.
"""

import os

import pytest

LONG = os.environ.get("RAMIEL_LONG_TESTS") == "1"
"""Whether the long budgets run."""

LARGEST_LIGHT_MODELS = ("vgg19", "zfnet512", "bvlc_alexnet", "resnet50")
"""The light models whose seeded copies take seconds each to build, run and compile."""

LARGEST_ZOO_MODELS = ("inception_v3", "two_tower")
"""The zoo models whose exports are largest (about 95 MB each, for each exporter) and slowest
to export and import; the other zoo models cover their operators and export styles."""


def in_budget(names: list[str], largest: tuple[str, ...] = LARGEST_LIGHT_MODELS) -> list[object]:
    """`names` as parameters, those in `largest` skipped outside the long run, saying so."""
    return [
        pytest.param(
            name,
            marks=pytest.mark.skipif(
                name in largest and not LONG,
                reason="RAMIEL_LONG_TESTS=1 runs the largest models",
            ),
        )
        for name in names
    ]
