"""ONNX exports of the zoo models, cached on disk.

Files live in `$RAMIEL_MODEL_CACHE` (default: `<repo>/.cache/models`). Their names
carry a short hash of the sources that define them and of the tool versions, so
editing a model or upgrading torch produces a new export instead of a stale one.
Concurrent test processes may export the same model at once: each writes into its
own temporary folder and then moves the files into place with `os.replace`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from tests.models import zoo

Exporter = Literal["legacy", "dynamo"]
EXPORTERS: tuple[Exporter, ...] = ("legacy", "dynamo")
OPSETS: dict[Exporter, int] = {"legacy": 17, "dynamo": 18}

REPO_ROOT = Path(__file__).resolve().parents[2]


def cache_dir() -> Path:
    """The folder that holds exported and generated models, created on first use."""
    root = os.environ.get("RAMIEL_MODEL_CACHE")
    path = Path(root) if root else REPO_ROOT / ".cache" / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def content_hash(*parts: str | bytes | Path) -> str:
    """A short hex digest of strings, bytes and the contents of files."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            part = part.read_bytes()
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def cached_file(path: Path, write: Callable[[Path], None]) -> Path:
    """`path`, first made by `write(target)` unless it already exists.

    `write` gets a path with the same file name in a private temporary folder and
    may put side files (such as external data) next to it; they are moved into
    place before the main file, so a reader that sees `path` also sees them.
    Racing writers produce identical content, so the last rename wins harmlessly.
    """
    if path.exists():
        return path
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".tmp-") as tmp:
        target = Path(tmp) / path.name
        write(target)
        for side in Path(tmp).iterdir():
            if side != target:
                os.replace(side, path.parent / side.name)
        os.replace(target, path)
    return path


def random_inputs(shapes: Sequence[Sequence[int]], seed: int) -> list[np.ndarray]:
    """Seeded standard-normal float32 arrays, one per shape."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(tuple(shape), dtype=np.float32) for shape in shapes]


def reference_inputs(name: str, seed: int = 0) -> list[np.ndarray]:
    """Seeded random inputs for zoo model `name`, matching its input shapes."""
    return random_inputs(zoo.ZOO[name].input_shapes, seed)


def input_names(name: str) -> list[str]:
    """The graph input names the exports of zoo model `name` use."""
    return [f"input_{i}" for i in range(len(zoo.ZOO[name].input_shapes))]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the exporters' progress printing, warnings and log messages."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _export(name: str, exporter: Exporter, target: Path) -> None:
    model = zoo.ZOO[name].build()
    args = tuple(torch.from_numpy(x) for x in reference_inputs(name))
    with _quiet(), torch.no_grad():
        torch.onnx.export(
            model,
            args,
            str(target),
            dynamo=exporter == "dynamo",
            opset_version=OPSETS[exporter],
            input_names=input_names(name),
            output_names=["output"],
        )


def export_path(name: str, exporter: Exporter) -> Path:
    """Where the export of zoo model `name` with `exporter` is cached."""
    if name not in zoo.ZOO:
        raise KeyError(f"unknown zoo model {name!r}")
    if exporter not in OPSETS:
        raise ValueError(f"exporter must be one of {EXPORTERS}, not {exporter!r}")
    tag = content_hash(Path(zoo.__file__), Path(__file__), torch.__version__)
    return cache_dir() / f"{name}-{exporter}-opset{OPSETS[exporter]}-{tag}.onnx"


def export_model(name: str, exporter: Exporter) -> Path:
    """The ONNX file of zoo model `name`, exported with `exporter` unless cached.

    "legacy" is the TorchScript exporter at opset 17 and writes one file; "dynamo"
    is the torch.export-based exporter at opset 18 and keeps the weights in an
    external `<file>.data` next to the model, which `onnx.load` reads back.
    """
    path = export_path(name, exporter)
    return cached_file(path, lambda target: _export(name, exporter, target))
