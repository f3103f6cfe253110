"""Every heuristic on every light and zoo model: the big table docs/scheduling.md keeps.

    python -m tests.harness.scheduling_table [--workers 2,4] [--heuristics cp,dsc,...]

The light models are the onnx wheel's (their shapes are what scheduling sees, so their
shipped weights do); the zoo models are `tests/models` exported by the legacy exporter.
Each goes through `ramiel.workbench.compare_modules` with the static cost model, as
`ramiel compare MODELS --cost static` does, and one Markdown table is printed.
"""

from __future__ import annotations

import argparse

from ramiel.api import terminal_progress
from ramiel.scheduling import THREADED_HEURISTICS, available_heuristics, format_table
from ramiel.seeding import LIGHT_MODELS, light_model_path
from ramiel.workbench import compare_modules, prepare
from tests.models.export import export_model

ZOO = (
    "densenet121", "efficientnet_b0", "googlenet", "inception_v3", "mobilenet_v3_small",
    "nasnet_cells", "randwire", "resnet18", "shufflenet_v2", "squeezenet",
    "transformer_encoder", "two_tower",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description="Every heuristic on every light and zoo model.")
    parser.add_argument("--workers", default="2,4")
    parser.add_argument("--heuristics", help="default: every registered one the generated code can run")
    args = parser.parse_args()
    heuristics = (
        args.heuristics.split(",") if args.heuristics
        else [h for h in available_heuristics() if h not in THREADED_HEURISTICS]
    )  # fmt: skip
    modules = {f"light_{name}": prepare(light_model_path(name)) for name in LIGHT_MODELS}
    modules |= {f"{name} (zoo)": prepare(export_model(name, "legacy")) for name in ZOO}
    workers = [int(w) for w in args.workers.split(",")]
    rows = compare_modules(modules, heuristics, workers, "static", terminal_progress())
    print(format_table(rows), end="")


if __name__ == "__main__":
    main()
