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


def light_models_in_budget(names: list[str]) -> list[object]:
    """`names` as parameters, the largest light models skipped outside the long run, saying so."""
    return [
        pytest.param(
            name,
            marks=pytest.mark.skipif(
                name in LARGEST_LIGHT_MODELS and not LONG,
                reason="RAMIEL_LONG_TESTS=1 runs the largest light models",
            ),
        )
        for name in names
    ]
