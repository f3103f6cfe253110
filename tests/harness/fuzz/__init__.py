"""Fuzzing Ramiel: random valid graphs against onnxruntime, broken inputs against the tools.

    python -m tests.harness.fuzz --budget 5000                 # every kind, 5000 inputs each
    python -m tests.harness.fuzz valid --budget 500 --seed 3   # random graphs only
    python -m tests.harness.fuzz onnx ir cli --budget 2000     # broken inputs only
    python -m tests.harness.fuzz strings nesting utf8 names attributes   # hostile inputs only

Kinds:

- `valid` (`tests.harness.fuzz.graphs`): random DAGs of supported operators compiled
  with a random worker count (1-4) and clustering heuristic, run, and compared
  with onnxruntime under the project tolerance. Hypothesis drives it, so a
  failure shrinks to a minimal graph, saved (with its worker count and heuristic
  in its metadata) as `<digest>.onnx` under `--save`/valid for a regression test.
- `onnx`, `ir`, `cli` (`tests.harness.fuzz.broken`): damaged models given to
  `ramiel-opt` and `ramiel compile`, damaged IR text given to `ramiel-opt`, and
  command lines with mistakes. Each must end in success or in the project's
  error form; the first input behind each distinct finding is saved under
  `--save`/broken.
  The commands run in a child process (`tests.harness.fuzz.sandbox`), so that a hang
  is reported after `--timeout` seconds instead of stopping the run.
- `strings`, `nesting`, `utf8` (`tests.harness.fuzz.broken`): IR text that xDSL's lexer
  and parser cannot take (unterminated or badly escaped string literals and
  resource sections, brackets nested around the limit and far beyond, invalid
  UTF-8), given to `ramiel-opt`; `names`: models with hostile file names, tensor
  and node names and metadata strings, compiled and run (no string may become
  code); `attributes`: attribute values outside the spec, imported, or compiled
  and run. Each ends as the broken inputs must.

Everything is seeded: the same `--seed` and `--budget` give the same inputs.
The exit status is 1 when anything was found.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

REGRESSIONS = Path(__file__).resolve().parents[2] / "regressions"
"""Where findings are saved by default (in a source checkout)."""

KINDS = ("valid", "onnx", "ir", "cli", "strings", "nesting", "utf8", "names", "attributes")


class ValidFinding(AssertionError):
    """A generated model that Ramiel gets wrong."""


def fuzz_valid(
    budget: int, seed: int, max_nodes: int = 12, tolerate: Sequence[str] = ()
) -> Counter[int]:
    """Check `budget` generated models; how many compiled to each stream count.

    Raises `ValidFinding` for the first model Ramiel gets wrong, after hypothesis
    has shrunk it; its `args` are (problem, FuzzModel). A problem matching one
    of the `tolerate` regexes (a known bug) instead sets the model aside, counted
    under the stream count -1, and the run goes on.
    """
    import re

    from hypothesis import given, reject, settings
    from hypothesis import seed as hypothesis_seed

    from tests.harness.fuzz.graphs import (
        HEALTH_CHECKS_OFF,
        FuzzModel,
        check_model,
        fuzz_models,
    )

    streams: Counter[int] = Counter()
    failing: list[tuple[str, FuzzModel]] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=budget,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=HEALTH_CHECKS_OFF,
    )
    @given(fuzz_models(max_nodes))
    def check(case: FuzzModel) -> None:
        result = check_model(case, seed)
        known = result.problem is not None and any(
            re.search(t, result.problem) for t in tolerate
        )
        streams[-1 if known else result.streams] += 1
        if known:
            reject()
        if result.problem is not None:
            # Hypothesis replays the shrunk model last.
            failing.append((result.problem, case))
            raise ValidFinding(result.problem)

    try:
        check()
    except ValidFinding:
        raise ValidFinding(*failing[-1]) from None
    return streams


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `python -m tests.harness.fuzz`."""
    from tests.harness.fuzz import broken
    from tests.harness.fuzz.graphs import with_metadata
    from tests.harness.fuzz.sandbox import Sandbox

    parser = argparse.ArgumentParser(
        prog="python -m tests.harness.fuzz",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "kinds", nargs="*", metavar="KIND", help=f"{', '.join(KINDS)} (default: all)"
    )
    parser.add_argument(
        "--budget", type=int, default=500, help="inputs per kind (default 500)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--max-nodes", type=int, default=12, help="most operators in a generated graph"
    )
    parser.add_argument(
        "--tolerate",
        action="append",
        default=[],
        metavar="REGEX",
        help="valid: set aside graphs whose problem matches (a known bug) and go on",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        help="seconds before a command counts as hung",
    )
    parser.add_argument(
        "--save",
        metavar="DIR",
        type=Path,
        default=REGRESSIONS,
        help="where findings go: DIR/valid, DIR/broken (default: tests/regressions)",
    )
    args = parser.parse_args(argv)
    unknown = [k for k in args.kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown kind {unknown[0]!r} (kinds: {', '.join(KINDS)})")

    seen: set[str] = set()

    def found(finding: broken.Finding) -> None:
        # One report and one saved input per kind of problem: the rest are repeats.
        if finding.signature() in seen:
            return
        seen.add(finding.signature())
        path = finding.save(args.save / "broken")
        saved = f" [saved as {path.name}]" if path else ""
        print(f"FINDING {finding.line()}{saved}", flush=True)

    failed = False
    with Sandbox(args.timeout) as sandbox:
        for kind in args.kinds or KINDS:
            start = time.perf_counter()
            if kind == "valid":
                try:
                    streams = fuzz_valid(
                        args.budget, args.seed, args.max_nodes, args.tolerate
                    )
                except ValidFinding as e:
                    problem, case = e.args
                    data = with_metadata(case, problem).SerializeToString()
                    path = broken.save_input(data, args.save / "valid", ".onnx")
                    print(
                        f"FINDING valid: {problem}\n{case!r}\n[saved as {path}]",
                        flush=True,
                    )
                    failed = True
                    continue
                counts = ", ".join(
                    f"{n} stream(s): {c}" for n, c in sorted(streams.items()) if n >= 0
                )
                counts += f"; {streams[-1]} set aside as known" if streams[-1] else ""
                summary = f"valid: {args.budget} graphs match onnxruntime ({counts})"
            else:
                report = broken.fuzz(kind, args.budget, args.seed, sandbox, found)
                failed |= bool(report.findings)
                distinct = len({f.signature() for f in report.findings})
                summary = (
                    f"{kind}: {report.inputs} inputs, {report.accepted} accepted, "
                    f"{report.refused} refused, {len(report.findings)} findings "
                    f"({distinct} distinct)"
                )
            print(f"{summary}; {time.perf_counter() - start:.0f} s", flush=True)
    if failed:
        raise SystemExit(1)
