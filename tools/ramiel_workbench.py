"""The `ramiel compare` and `ramiel show` subcommands (the research workbench).

    ramiel compare models/*.onnx --workers 2,4 [--heuristics cp,heft] [--load-heuristics my.py]
    ramiel show model.onnx --workers 2 -o out/

Each is a thin layer over `ramiel.workbench`, imported only when the command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ramiel.errors import RamielError


def register_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `compare` and `show` to the `ramiel` command's subcommands."""
    compare_cmd = commands.add_parser(
        "compare", help="every scheduling heuristic on every model, in one table"
    )
    compare_cmd.add_argument("models", nargs="+", metavar="MODEL.onnx")
    compare_cmd.add_argument(
        "--workers", default="2,4", help="comma-separated worker counts (default 2,4)"
    )
    compare_cmd.add_argument(
        "--heuristics", help="comma-separated heuristics (default: every registered one)"
    )
    _common(compare_cmd)
    compare_cmd.set_defaults(handler=_compare_command)

    show_cmd = commands.add_parser(
        "show", help="draw a model's schedule: the graph as SVG and Graphviz DOT, and a Gantt chart"
    )
    show_cmd.add_argument("model", metavar="MODEL.onnx")
    show_cmd.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    show_cmd.add_argument("--workers", type=int, default=2, help="streams (default 2)")
    show_cmd.add_argument("--heuristic", default="cp", help="scheduling heuristic (default cp)")
    _common(show_cmd)
    show_cmd.set_defaults(handler=_show_command)


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--cost", default="auto", help="cost model: auto or a registered one: static, analytic, profile or a plug-in (default auto)"
    )
    command.add_argument(
        "--load-heuristics", action="append", default=[], metavar="FILE.py",
        help="load the heuristics and cost models a Python file registers (repeatable)",
    )  # fmt: skip


def _load_heuristics(paths: Sequence[str]) -> None:
    from ramiel.scheduling import HeuristicLoadError, load_heuristics_file

    for path in paths:
        try:
            load_heuristics_file(path)
        except HeuristicLoadError as e:
            raise RamielError(str(e), path) from None


def _integers(text: str, option: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        values = []
    if not values or any(v < 1 for v in values):
        raise RamielError("expected comma-separated positive integers", f"{option} {text}")
    return values


def _compare_command(args: argparse.Namespace) -> None:
    from ramiel.scheduling import available_heuristics, format_table
    from ramiel.workbench import compare_modules, prepare

    _load_heuristics(args.load_heuristics)
    heuristics = args.heuristics.split(",") if args.heuristics else available_heuristics()
    unknown = sorted(set(heuristics) - set(available_heuristics()))
    if unknown:
        raise RamielError(f"unknown heuristic '{unknown[0]}'", "--heuristics")
    modules = {Path(path).stem: prepare(path) for path in args.models}
    from ramiel.api import terminal_progress

    rows = compare_modules(
        modules, heuristics, _integers(args.workers, "--workers"), args.cost, terminal_progress()
    )
    print(format_table(rows), end="")


def _show_command(args: argparse.Namespace) -> None:
    from ramiel.scheduling import available_heuristics
    from ramiel.workbench import prepare, show

    _load_heuristics(args.load_heuristics)
    if args.heuristic not in available_heuristics():
        raise RamielError(f"unknown heuristic '{args.heuristic}'", "--heuristic")
    module = prepare(args.model)
    for path in show(
        module, Path(args.model).stem, Path(args.output),
        heuristic=args.heuristic, workers=args.workers, cost=args.cost,
    ):  # fmt: skip
        print(f"wrote {path}")
