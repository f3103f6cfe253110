"""ONNX exports of the zoo models, cached on disk.

`MODELS` merges the torch zoo of `tests.models.zoo` with those of the `zoo_perf`,
`zoo_ops` and `zoo_control` modules; `DERIVED` holds the ONNX-level models made
from their exports.

Files live in `$RAMIEL_MODEL_CACHE` (default: `<repo>/.cache/models`). Their names
carry a short hash of the sources that define them and of the tool versions, so
editing a model or upgrading torch produces a new export instead of a stale one,
and writing it removes the files of the same model under other hashes, so the
cache holds one version of each.
Concurrent test processes may export the same model at once: each writes into its
own temporary folder and then moves the files into place with `os.replace`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import logging
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import onnx
import onnxruntime
import torch

from tests.models import zoo, zoo_control, zoo_ops, zoo_perf
from tests.models.zoo import DerivedSpec, Exporter, ModelSpec

EXPORTERS: tuple[Exporter, ...] = ("legacy", "dynamo")
OPSETS: dict[Exporter, int] = {"legacy": 17, "dynamo": 18}

Spec = TypeVar("Spec", ModelSpec, DerivedSpec)


def _merge(registries: Sequence[Mapping[str, Spec]]) -> dict[str, Spec]:
    """The registries merged into one; a name defined twice is an error."""
    merged: dict[str, Spec] = {}
    for registry in registries:
        for name, spec in registry.items():
            if name in merged:
                raise ValueError(f"zoo model {name!r} is defined twice")
            merged[name] = spec
    return merged


_ZOOS = (zoo, zoo_perf, zoo_ops, zoo_control)
MODELS = _merge([module.ZOO for module in _ZOOS])
DERIVED = _merge([zoo_ops.DERIVED])

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
    Test processes that want the same file take turns on a lock beside it, so on a
    cold cache one of them makes it and the others wait and read it (exporting a
    zoo model takes seconds; the workers used to export the same models side by side).
    """
    if path.exists():
        return path
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return path
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".tmp-") as tmp:
            target = Path(tmp) / path.name
            write(target)
            for side in Path(tmp).iterdir():
                if side != target:
                    os.replace(side, path.parent / side.name)
            os.replace(target, path)
    _remove_other_versions(path)
    return path


_TAGGED = re.compile(r"(?P<stem>.+)-(?P<tag>[0-9a-f]{12})(?P<suffix>\..+)")
"""A cached file's name: `<stem>-<content_hash>.<suffixes>`."""


def _remove_other_versions(path: Path) -> None:
    """Delete the files of `path`'s model made under another hash (and their side files)."""
    mine = _TAGGED.fullmatch(path.name)
    if mine is None:
        return
    for other in path.parent.iterdir():
        found = _TAGGED.fullmatch(other.name)
        if found is not None and found["stem"] == mine["stem"] and found["tag"] != mine["tag"]:
            other.unlink(missing_ok=True)


def random_inputs(
    shapes: Sequence[Sequence[int]],
    seed: int,
    integer_inputs: Mapping[int, int] | None = None,
) -> list[np.ndarray]:
    """Seeded arrays, one per shape: standard-normal float32, except that inputs
    whose index `integer_inputs` maps to a bound are int64 drawn from [0, bound)."""
    rng = np.random.default_rng(seed)
    bounds = integer_inputs or {}
    return [
        rng.integers(0, bounds[i], tuple(shape), dtype=np.int64)
        if i in bounds
        else rng.standard_normal(tuple(shape), dtype=np.float32)
        for i, shape in enumerate(shapes)
    ]


def model_spec(name: str) -> ModelSpec:
    """The torch zoo entry `name`, or for a derived model that of its base."""
    if name in DERIVED:
        name = DERIVED[name].base
    if name not in MODELS:
        raise KeyError(f"unknown zoo model {name!r}")
    return MODELS[name]


def reference_inputs(name: str, seed: int = 0) -> list[np.ndarray]:
    """Seeded random inputs for zoo model `name`, matching its input shapes."""
    spec = model_spec(name)
    return random_inputs(spec.input_shapes, seed, spec.integer_inputs)


def input_names(name: str) -> list[str]:
    """The graph input names the exports of zoo model `name` use."""
    return [f"input_{i}" for i in range(len(model_spec(name).input_shapes))]


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
    spec = MODELS[name]
    model: torch.nn.Module = spec.build()
    options: dict[str, Any] = (
        {"custom_translation_table": dict(spec.translations)}
        if spec.translations and exporter == "dynamo"
        else {}
    )
    args = tuple(torch.from_numpy(x) for x in reference_inputs(name))
    with _quiet(), torch.no_grad():
        if spec.script and exporter == "legacy":
            model = torch.jit.script(model)
        torch.onnx.export(
            model,
            args,
            str(target),
            dynamo=exporter == "dynamo",
            opset_version=OPSETS[exporter],
            input_names=input_names(name),
            output_names=list(spec.output_names),
            dynamic_axes={k: dict(v) for k, v in spec.dynamic_axes.items()} or None,
            **options,
        )


def _check_exporter(name: str, exporter: Exporter) -> None:
    if exporter not in OPSETS:
        raise ValueError(f"exporter must be one of {EXPORTERS}, not {exporter!r}")
    if exporter not in model_spec(name).exporters:
        raise ValueError(f"zoo model {name!r} is not exported with {exporter!r}")


def _sources(name: str) -> list[Path]:
    """The files whose contents define zoo model `name` and its export: the models
    of `tests.models.zoo` use that module alone; the others use building blocks
    of all the zoo modules."""
    modules = (zoo,) if name in zoo.ZOO else _ZOOS
    return [*(Path(module.__file__ or "") for module in modules), Path(__file__)]


def export_path(name: str, exporter: Exporter) -> Path:
    """Where the export of zoo model `name` with `exporter` is cached."""
    if name not in MODELS:
        raise KeyError(f"unknown zoo model {name!r}")
    _check_exporter(name, exporter)
    tag = content_hash(*_sources(name), torch.__version__)
    return cache_dir() / f"{name}-{exporter}-opset{OPSETS[exporter]}-{tag}.onnx"


def export_model(name: str, exporter: Exporter) -> Path:
    """The ONNX file of zoo model `name`, exported with `exporter` unless cached.

    "legacy" is the TorchScript exporter at opset 17 and writes one file; "dynamo"
    is the torch.export-based exporter at opset 18 and keeps the weights in an
    external `<file>.data` next to the model, which `onnx.load` reads back.
    """
    path = export_path(name, exporter)
    return cached_file(path, lambda target: _export(name, exporter, target))


def derived_model_path(name: str, exporter: Exporter) -> Path:
    """The ONNX file of derived model `name`, made from the `exporter` export of its
    base model unless cached; the tag also covers onnxruntime's version, whose
    quantization tools some derived models use."""
    if name not in DERIVED:
        raise KeyError(f"unknown derived zoo model {name!r}")
    _check_exporter(name, exporter)
    spec = DERIVED[name]
    source = export_model(spec.base, exporter)
    tag = content_hash(*_sources(name), source.name, onnxruntime.__version__)
    path = cache_dir() / f"{name}-{exporter}-opset{OPSETS[exporter]}-{tag}.onnx"

    def write(target: Path) -> None:
        with _quiet():
            spec.write(source, target)

    return cached_file(path, write)


def run_onnxruntime(model: Path | onnx.ModelProto, inputs: list[np.ndarray]) -> list[Any]:
    """Outputs of the model (a file or in memory) on `inputs` (in graph input order), on CPU:
    arrays, and lists of them for sequences."""
    options = onnxruntime.SessionOptions()
    # Light models carry unused initializers that onnxruntime warns about.
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(
        str(model) if isinstance(model, Path) else model.SerializeToString(),
        options,
        providers=["CPUExecutionProvider"],
    )
    feeds = {v.name: x for v, x in zip(session.get_inputs(), inputs, strict=True)}
    return [output if isinstance(output, list) else np.asarray(output) for output in session.run(None, feeds)]
