"""Straight-line models with static shapes: the support for sizes that the values decide
changes nothing in their code.

Compiled with the inputs' symbolic dimensions kept (`dynamic_dims`) and without, their
files are the same byte for byte, and they hold none of the forms that read a size
when the code runs.
"""

from __future__ import annotations

import re

import pytest

from ramiel.api import compile as compile_model
from tests.models.export import export_model
from tests.models.light import seeded_light_model_path

_RUNTIME_SIZE_FORMS = re.compile(
    r"onnx_reshape\(|onnx_expand\(|onnx_range\(|extreme_over\(|% \w+\.shape\[|torch\.tensor\(\w+\.(shape|numel\(\))"
)
"""The forms the kernels write only for sizes that the values decide."""


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(lambda: export_model("googlenet", "legacy"), id="googlenet-legacy"),
        pytest.param(lambda: export_model("swin_block", "dynamo"), id="swin_block-dynamo"),
        pytest.param(lambda: seeded_light_model_path("inception_v2"), id="light_inception_v2"),
    ],
)
def test_static_models_compile_to_the_same_code_with_unknown_sizes_allowed(path: object) -> None:
    model = path()  # pyright: ignore[reportCallIssue]
    fixed, kept = (compile_model(model, workers=2, name="m", dynamic_dims=dynamic) for dynamic in (False, True))
    assert fixed.source == kept.source
    assert _RUNTIME_SIZE_FORMS.search(fixed.source) is None
