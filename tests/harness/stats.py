"""Node counts before and after a pass pipeline, and the pipeline's time.

    python -m tests.harness.stats                         # every onnx "light" model, `cleanup`
    python -m tests.harness.stats model.onnx -p canonicalize --ops
    python -m tests.harness.stats --zoo transformer_encoder --exporter legacy
    python -m tests.harness.stats --dynamic-batch transformer_encoder --repeat 5

For each model: its ONNX node count (Constant nodes included), the `dfg` ops after
import and after the pipeline (constants counted apart, as ONNX counts
initializers apart), and the pipeline's time in this process once every module it
needs is imported: the pipeline first runs on a throw-away copy, which also loads
torch if a fold needs it. `--repeat N` reports the median of N runs, `--ops` each
op type's count before and after. `--zoo` and `--dynamic-batch` export the zoo
models of `tests.models` (so run them from the repository): `--zoo` the cached
exports, `--dynamic-batch` legacy exports with a symbolic batch dimension.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import onnx
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import PassPipeline

from ramiel.dialects.dfg import ConstantOp, DfgOp
from ramiel.ir_text import context
from ramiel.seeding import LIGHT_DIR

CONSTANT = "constant"
"""The key `op_counts` uses for `dfg.constant` ops."""


def op_counts(module: ModuleOp) -> Counter[str]:
    """How many ops of each ONNX type the module holds (`CONSTANT` for constants)."""
    counts: Counter[str] = Counter()
    for op in module.walk():
        if isinstance(op, DfgOp):
            counts[op.ONNX_OP_TYPE] += 1
        elif isinstance(op, ConstantOp):
            counts[CONSTANT] += 1
    return counts


def _ops(counts: Counter[str]) -> int:
    return sum(n for k, n in counts.items() if k != CONSTANT)


@dataclass(frozen=True)
class Measure:
    """One model's figures, or why it could not be measured."""

    model: str
    onnx_nodes: int
    before: Counter[str]
    after: Counter[str]
    seconds: float
    error: str | None = None


def measure(name: str, path: Path, pipeline: str, repeat: int = 1) -> Measure:
    """Import `path`, then time `pipeline` on it (the median of `repeat` fresh imports)."""
    from ramiel.errors import RamielError
    from ramiel.frontend.onnx_import import import_file
    from ramiel.passes import get_all_passes

    nodes = len(onnx.load(path, load_external_data=False).graph.node)
    passes = PassPipeline.parse_spec(get_all_passes(), pipeline)
    try:
        passes.apply(context(), import_file(path))
    except RamielError as e:
        return Measure(name, nodes, Counter(), Counter(), 0.0, str(e))
    runs = [_timed(passes, path) for _ in range(max(1, repeat))]
    before, module, _ = runs[-1]
    module.verify()
    seconds = statistics.median(t for *_, t in runs)
    return Measure(name, nodes, before, op_counts(module), seconds)


def _timed(passes: PassPipeline, path: Path) -> tuple[Counter[str], ModuleOp, float]:
    """The op counts of a fresh import of `path`, the module after `passes`, their time."""
    from ramiel.frontend.onnx_import import import_file

    module = import_file(path)
    before = op_counts(module)
    start = time.perf_counter()
    passes.apply(context(), module)
    return before, module, time.perf_counter() - start


def _light_models() -> list[tuple[str, Path]]:
    return [
        (p.stem.removeprefix("light_"), p) for p in sorted(LIGHT_DIR.glob("light_*.onnx"))
    ]


def _zoo_models(names: Sequence[str], exporters: Sequence[str]) -> list[tuple[str, Path]]:
    from tests.models.export import export_model
    from tests.models.zoo import ZOO

    return [
        (f"{name} ({exporter})", export_model(name, exporter))  # pyright: ignore[reportArgumentType]
        for name in names or sorted(ZOO)
        for exporter in exporters
    ]


def export_dynamic_batch(name: str, path: Path) -> None:
    """Export zoo model `name` with the legacy exporter and a symbolic batch dimension.

    That is how a model served at any batch size is exported: every view then
    computes its shape at run time (`Shape -> Gather -> Unsqueeze -> Concat`).
    """
    import torch

    from tests.models.export import OPSETS, input_names, reference_inputs
    from tests.models.zoo import ZOO

    inputs = input_names(name)
    args = tuple(torch.from_numpy(x) for x in reference_inputs(name))
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            ZOO[name].build(),
            args,
            str(path),
            dynamo=False,
            opset_version=OPSETS["legacy"],
            input_names=inputs,
            output_names=["output"],
            dynamic_axes={i: {0: "batch"} for i in inputs},
        )


def _dynamic_batch_exports(names: Sequence[str], folder: Path) -> list[tuple[str, Path]]:
    from tests.models.zoo import ZOO

    models: list[tuple[str, Path]] = []
    for name in names or sorted(ZOO):
        export_dynamic_batch(name, folder / f"{name}.onnx")
        models.append((f"{name} (legacy, dynamic batch)", folder / f"{name}.onnx"))
    return models


def table(measures: Sequence[Measure], with_ops: bool) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| model | ONNX nodes | dfg ops imported | dfg ops after | constants after | time (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in measures:
        if m.error is not None:
            lines.append(f"| {m.model} | {m.onnx_nodes} | not imported: {m.error} | | | |")
            continue
        lines.append(
            f"| {m.model} | {m.onnx_nodes} | {_ops(m.before)} | {_ops(m.after)} "
            f"| {m.after[CONSTANT]} | {m.seconds:.3f} |"
        )
    if with_ops:
        for m in measures:
            if m.error is not None:
                continue
            kinds = sorted(set(m.before) | set(m.after), key=lambda k: (-m.before[k], k))
            counts = ", ".join(f"{k} {m.before[k]}->{m.after[k]}" for k in kinds)
            lines.append(f"\n{m.model}: {counts}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `python -m tests.harness.stats`."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.harness.stats",
        description="Node counts before and after a pass pipeline, and the pipeline's time.",
    )
    parser.add_argument("models", nargs="*", type=Path, help=".onnx files (default: the light models)")
    parser.add_argument("-p", "--pipeline", default="cleanup", help="pass pipeline (default: cleanup)")
    parser.add_argument("--ops", action="store_true", help="also list each op type's counts")
    parser.add_argument("--repeat", type=int, default=1, help="time this many runs, report the median")
    parser.add_argument("--zoo", nargs="*", metavar="NAME", help="zoo models to export and measure (none named: all)")
    parser.add_argument(
        "--exporter", action="append", choices=("legacy", "dynamo"), help="zoo exporter (repeatable; default: both)"
    )
    parser.add_argument(
        "--dynamic-batch", nargs="*", metavar="NAME", help="zoo models to export with a symbolic batch (none named: all)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        models = [(p.stem, p) for p in args.models]
        if args.zoo is not None:
            models += _zoo_models(args.zoo, args.exporter or ("legacy", "dynamo"))
        if args.dynamic_batch is not None:
            models += _dynamic_batch_exports(args.dynamic_batch, Path(folder))
        measures = [
            measure(name, path, args.pipeline, args.repeat)
            for name, path in models or _light_models()
        ]
    print(f"pipeline: {args.pipeline}\n")
    print(table(measures, args.ops))


if __name__ == "__main__":
    main()
