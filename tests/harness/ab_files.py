"""Time generated files of one model against each other, alternated in one run.

    python -m tests.harness.ab_files OLD.py NEW.py [MORE.py ...] [--rounds 40] [--gap 20]

Each file is loaded (weights beside it), checked to give the first file's
outputs within the project tolerance on the same seeded inputs, and timed with
`ramiel bench`'s harness: every round calls each file once, in a shuffled order,
each timed call after an untimed one, on threads of the machine's thread count.
With `--gap`, each timed call follows that many milliseconds of idle. It prints
the median of each file, its quartiles and its ratio to the first file's, and
the load average, one line per file.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

import torch

from ramiel.api import load_model_class
from ramiel.bench import time_configurations
from ramiel.numerics import assert_close


def _inputs(model_class: type, seed: int) -> list[torch.Tensor]:
    """Seeded inputs for a generated Model class, from its file's `_INPUTS`."""
    generator = torch.Generator().manual_seed(seed)
    specs = getattr(model_class, "forward").__globals__["_INPUTS"]  # the generated file's table
    return [
        torch.randn(shape, generator=generator).to(dtype)
        if dtype.is_floating_point
        else torch.randint(0, 4, shape, generator=generator).to(dtype)
        for _, shape, dtype in specs
    ]


def ab(paths: Sequence[Path], rounds: int, gap_ms: float) -> list[str]:
    """The report lines for `paths`, timed alternately."""
    models = [load_model_class(path)() for path in paths]
    tensors = _inputs(type(models[0]), 0)
    first = models[0](*tensors)
    for path, model in zip(paths[1:], models[1:], strict=True):
        outputs = model(*tensors)
        for a, b in zip(first if isinstance(first, tuple) else (first,),
                        outputs if isinstance(outputs, tuple) else (outputs,), strict=True):  # fmt: skip
            assert_close(b.numpy(), a.numpy(), str(path))
    threads = torch.get_num_threads()
    configurations = [
        (str(path), threads, lambda m=model: m(*tensors)) for path, model in zip(paths, models, strict=True)
    ]
    load = os.getloadavg()[0]
    measurements = time_configurations(configurations, rounds, gap_ms / 1e3)
    for model in models:
        model.close()
    base = measurements[0].median
    lines = [f"{rounds} rounds, gap {gap_ms:g} ms, {threads} threads, load {load:.2f} -> {os.getloadavg()[0]:.2f}"]
    for m in measurements:
        q1, q3 = m.quartiles
        lines.append(
            f"{m.name}: median {m.median * 1e3:.2f} ms (quartiles {q1 * 1e3:.2f}-{q3 * 1e3:.2f}), "
            f"{m.median / base:.3f}x the first"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.harness.ab_files", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.py")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--gap", type=float, default=0.0, help="idle milliseconds before each timed call")
    args = parser.parse_args(argv)
    for line in ab(args.files, args.rounds, args.gap):
        print(line)


if __name__ == "__main__":
    main()
