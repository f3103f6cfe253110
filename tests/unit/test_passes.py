"""The pass registry, the `cleanup` pipeline, determinism and lazy torch."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from io import StringIO

import pytest
from xdsl.passes import ModulePass, PassPipeline
from xdsl.printer import Printer

from ramiel.frontend.onnx_import import import_file
from ramiel.ir_text import context
from ramiel.passes import describe_passes, get_all_passes
from ramiel.passes.cleanup import Cleanup
from ramiel.pipeline import apply_passes
from ramiel.seeding import LIGHT_DIR

OURS = ("canonicalize", "cleanup", "fold-batchnorm", "fold-constants")


@pytest.mark.parametrize("name", OURS)
def test_pass_is_documented_frozen_dataclass(name: str) -> None:
    cls = get_all_passes()[name]()
    assert issubclass(cls, ModulePass)
    assert cls.name == name
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name)
    assert dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen  # pyright: ignore[reportAttributeAccessIssue]
    doc = (cls.__doc__ or "").strip()
    assert doc.splitlines()[0].endswith(".")
    assert "dfg." in doc  # an IR example


def test_describe_lists_options() -> None:
    text = describe_passes(get_all_passes())
    assert "fold-constants {max-bytes=int}" in text
    assert "cleanup\n" in text


def test_option_parses() -> None:
    pipeline = PassPipeline.parse_spec(get_all_passes(), "fold-constants{max-bytes=100}")
    assert pipeline.passes[0].max_bytes == 100  # pyright: ignore[reportAttributeAccessIssue]


def _text(name: str) -> str:
    module = import_file(LIGHT_DIR / f"light_{name}.onnx")
    apply_passes(module, [Cleanup()])
    out = StringIO()
    Printer(stream=out).print_op(module)
    return out.getvalue()


def test_cleanup_is_deterministic() -> None:
    assert _text("resnet50") == _text("resnet50")


def test_cleanup_is_its_pipeline() -> None:
    path = LIGHT_DIR / "light_resnet50.onnx"
    by_name, by_spec = import_file(path), import_file(path)
    Cleanup().apply(context(), by_name)
    PassPipeline.parse_spec(get_all_passes(), "canonicalize,fold-batchnorm,canonicalize,cse").apply(context(), by_spec)
    assert str(by_name) == str(by_spec)


def test_shape_folds_do_not_import_torch() -> None:
    script = (
        "import sys\n"
        "from ramiel.frontend.onnx_import import import_file\n"
        "from ramiel.passes.cleanup import Cleanup\n"
        "from ramiel.pipeline import apply_passes\n"
        "from ramiel.seeding import LIGHT_DIR\n"
        "apply_passes(import_file(LIGHT_DIR / 'light_inception_v1.onnx'), [Cleanup()])\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
