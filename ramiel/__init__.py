"""Ramiel: compile ONNX models into readable, parallel PyTorch code.

The Python API (`ramiel.compile`, `ramiel.check`, `ramiel.run`, `ramiel.demo`,
...) lives in `ramiel.api`, and `ramiel.bench` in `ramiel.bench`; both are
imported on first use, so `import ramiel` stays cheap.
"""

from typing import Any

_API = (
    "CheckReport",
    "CompiledModel",
    "CompileSummary",
    "check",
    "compile",
    "demo",
    "run",
)


def __getattr__(name: str) -> Any:
    if name == "bench":
        from ramiel.bench import bench

        return bench
    if name == "default_pipeline":
        from ramiel.pipeline import default_pipeline

        return default_pipeline
    if name in _API:
        from ramiel import api

        return getattr(api, name)
    raise AttributeError(f"module 'ramiel' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted((*globals(), *_API, "bench", "default_pipeline"))
