"""The benchmark suite behind docs/bench.md (`make bench`): `ramiel bench` over the onnx wheel's light models and the zoo's graphs.

    python -m tests.harness.bench_suite [OUT.md]

runs every model of `suite_cases` and writes its tables into OUT.md (default
`docs/bench.md`). It lives with the tests because the zoo models do.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ramiel.bench import (
    EAGER,
    INTRA_OP,
    ORT_PARALLEL,
    ORT_SEQUENTIAL,
    PARALLEL,
    SERIAL,
    BenchReport,
    bench,
)

if TYPE_CHECKING:
    import onnx
    import torch


@dataclass(frozen=True)
class SuiteCase:
    """One model of the suite: its ONNX proto and, for torch-defined models, a factory of the module."""

    name: str
    kind: str
    """What kind of graph it is, for the table (e.g. "light", "wide", "torch export")."""
    proto: Callable[[], onnx.ModelProto]
    module: Callable[[], torch.nn.Module] | None = None


def suite_cases() -> list[SuiteCase]:
    """The suite: the onnx wheel's light models with seeded weights, and the zoo's wide graphs and torch exports.

    The zoo models live in the repository's `tests/models`, so the suite runs from
    a checkout (`make bench`).
    """
    import onnx

    from ramiel.seeding import LIGHT_MODELS, light_model_path, seed_weights
    from tests.models import zoo
    from tests.models.export import export_model

    cases = [
        SuiteCase(f"light_{name}", "light", lambda name=name: seed_weights(onnx.load(light_model_path(name)), 0))
        for name in LIGHT_MODELS
    ]
    for name, kind in (
        ("nasnet_cells", "wide"), ("randwire", "wide"), ("two_tower", "wide"),
        ("googlenet", "torch export"), ("inception_v3", "torch export"),
    ):  # fmt: skip
        cases.append(
            SuiteCase(
                name, kind,
                lambda name=name: onnx.load(export_model(name, "legacy")),
                lambda name=name: zoo.ZOO[name].build(),
            )
        )  # fmt: skip
    return cases


def predicted_work(model: onnx.ModelProto) -> dict[str, float]:
    """W, the predicted one-stream latency of the cleaned-up graph, under each cost model (seconds).

    Calibrated and profiled costs come from the cost cache (`ramiel.ir_graph.cache_dir`).
    """
    from ramiel import api
    from ramiel.costmodel import COST_MODELS
    from ramiel.ir_graph import FunctionGraph, load_named_cost_model

    module = api.cleaned_module(model)
    return {name: FunctionGraph.of(module, load_named_cost_model(name)).graph.total_work for name in COST_MODELS}


def cost_model_table(rows: Sequence[tuple[str, float, Mapping[str, float]]]) -> list[str]:
    """`(model, measured serial CPU seconds, W by cost model)` rows as a Markdown table of W / measured."""
    from ramiel.costmodel import COST_MODELS

    head = "| model | serial CPU ms | " + " | ".join(f"{name} W ms (W / measured)" for name in COST_MODELS) + " |"
    lines = [head, "|" + "---|" * (2 + len(COST_MODELS))]
    for name, measured, work in rows:
        cells = " | ".join(f"{work[c] * 1e3:.1f} ({work[c] / measured:.2f})" for c in COST_MODELS)
        lines.append(f"| {name} | {measured * 1e3:.1f} | {cells} |")
    errors = {
        c: statistics.mean(abs(math.log(work[c] / measured)) for _, measured, work in rows) for c in COST_MODELS
    }
    lines.append(
        "| mean abs log error | | " + " | ".join(f"{errors[c]:.3f}" for c in COST_MODELS) + " |"
    )
    return lines


def suite_table(reports: Sequence[tuple[SuiteCase, BenchReport]]) -> list[str]:
    """The suite's results as a Markdown table: medians in ms and the ratios that the targets name."""
    n = reports[0][1].workers if reports else 2
    head = (
        f"| model | kind | load | serial 1T | intra-op {n}T | parallel | ort 1T | ort {n}T | ort par | eager best "
        "| par/serial | bound | quality | par/intra | serial/ort1T | par/eager |"
    )
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for case, report in reports:

        def ms(label: str, r: BenchReport = report) -> str:
            m = r.get(label)
            return "" if m is None else f"{m.median * 1e3:.1f}"

        eager = min((m for m in report.measurements if m.name == EAGER), key=lambda m: m.median, default=None)
        ratios = report.ratios()

        def ratio(key: str, r: Mapping[str, float] = ratios) -> str:
            return f"{r[key]:.2f}" if key in r else ""

        serial_over_ort = report.ratio(f"{SERIAL} (1T)", f"{ORT_SEQUENTIAL} (1T)")
        lines.append(
            f"| {case.name} | {case.kind} | {report.load_average[0]:.1f} | {ms(f'{SERIAL} (1T)')} "
            f"| {ms(f'{INTRA_OP} ({n}T)')} | {ms(f'{PARALLEL} ({n}T)')} | {ms(f'{ORT_SEQUENTIAL} (1T)')} "
            f"| {ms(f'{ORT_SEQUENTIAL} ({n}T)')} | {ms(f'{ORT_PARALLEL} ({n}T)')} "
            f"| {'' if eager is None else f'{eager.median * 1e3:.1f}'} "
            f"| {ratio('parallel speedup over serial')} | {report.bound:.2f} "
            f"| {ratio('scheduling quality (speedup / bound)')} | {ratio('parallel over intra-op')} "
            f"| {'' if serial_over_ort is None else f'{serial_over_ort:.2f}'} "
            f"| {ratio('parallel over best PyTorch eager')} |"
        )
    return lines


def write_suite_table(path: Path, lines: Sequence[str], table: str = "bench") -> None:
    """Put `lines` between the markers of `table` in `path` (appending markers and lines when absent)."""
    start, end = f"<!-- {table} table: start -->", f"<!-- {table} table: end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = "\n".join([start, *lines, end])
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text + ("\n" if text and not text.endswith("\n") else "") + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Run the suite and write its tables (`make bench`).

    Each model's ops are profiled first (into the cost cache), so the parallel
    code is scheduled with the profile cost model, the default once cached.
    """
    parser = argparse.ArgumentParser(prog="python -m tests.harness.bench_suite", description="Run the benchmark suite.")
    parser.add_argument("out", nargs="?", type=Path, default=Path("docs/bench.md"), help="where the tables go")
    out: Path = parser.parse_args(argv).out
    workers = max(2, os.cpu_count() or 2)
    repeat = int(os.environ.get("RAMIEL_BENCH_REPEAT", "10"))
    reports: list[tuple[SuiteCase, BenchReport]] = []
    accuracy: list[tuple[str, float, Mapping[str, float]]] = []
    for case in suite_cases():
        print(f"bench: {case.name}", file=sys.stderr, flush=True)
        proto = case.proto()
        report = bench(
            proto, workers=workers, repeat=repeat, name=case.name, profile=True,
            torch_module=case.module() if case.module else None,
        )  # fmt: skip
        print("\n".join(report.lines()), flush=True)
        reports.append((case, report))
        serial = report.get(f"{SERIAL} (1T)")
        assert serial is not None
        accuracy.append((case.name, serial.cpu_median, predicted_work(proto)))
    write_suite_table(out, suite_table(reports))
    write_suite_table(out, cost_model_table(accuracy), "cost model")
    print(f"wrote the tables into {out}")


if __name__ == "__main__":
    main()
