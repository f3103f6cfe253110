"""Compile time of the largest graphs, in-process: the figure docs/bench.md keeps.

    python -m tests.harness.compile_time [--rounds N]

Each model is compiled with the default pipeline for 2 workers and the static cost
model (`ramiel.api.compile`, into a temporary folder), `--rounds` times after one
untimed compile that warms Python's caches; the table gives the operator ops right
after import, the median and the fastest compile, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable

import onnx

from ramiel import api
from tests.models.export import export_model
from tests.models.light import seeded_light_model

MODELS: dict[str, Callable[[], onnx.ModelProto]] = {
    "swin_block (legacy export)": lambda: onnx.load(export_model("swin_block", "legacy")),
    "light_densenet121": lambda: seeded_light_model("densenet121"),
    "light_inception_v2": lambda: seeded_light_model("inception_v2"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description="Compile time of the largest graphs, in-process.")
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    print("| model | ops after import | median s | fastest s | load |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for name, load in MODELS.items():
            model = load()
            api.compile(model, workers=2, out_dir=folder, name="warm", force=True)
            times: list[float] = []
            ops = 0
            for _ in range(rounds):
                start = time.perf_counter()
                compiled = api.compile(model, workers=2, out_dir=folder, name="timed", force=True)
                times.append(time.perf_counter() - start)
                ops = compiled.summary.ops_before
            load_average = os.getloadavg()[0]
            print(f"| {name} | {ops} | {statistics.median(times):.2f} | {min(times):.2f} | {load_average:.1f} |")


if __name__ == "__main__":
    main()
