"""The `ramiel compare` and `ramiel show` subcommands (the research workbench).

    ramiel compare models/*.onnx --workers 2,4 [--heuristics cp,heft] [--load-heuristics my.py]
    ramiel compare --suite dc [--suite graphs/] [models/*.onnx] [--plot gaps.svg] [--export-stg DIR]
    ramiel compare model.onnx --scaling [--bandwidth 20]
    ramiel compare model.onnx --measure [--repeat 10]       # predicted against measured
    ramiel show model.onnx --workers 2 -o out/

Each is a thin layer over `ramiel.workbench`, imported only when the command runs.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ramiel.errors import RamielError
from ramiel.scheduling.graphsets import GRAPH_SETS


def register_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `compare` and `show` to the `ramiel` command's subcommands."""
    compare_cmd = commands.add_parser(
        "compare", help="every scheduling heuristic on every model, in one table"
    )
    compare_cmd.add_argument("models", nargs="*", metavar="MODEL.onnx")
    compare_cmd.add_argument(
        "--workers", help="comma-separated worker counts (default 2,4; with --suite 2,4,8; with --scaling 2 to 64; with --measure 2)"
    )
    compare_cmd.add_argument(
        "--heuristics", help="comma-separated heuristics (default: every registered one)"
    )
    suite = compare_cmd.add_argument_group("suites: gaps to the optimum or a lower bound")
    suite.add_argument(
        "--suite", action="append", default=[], metavar="SET",
        help=f"score on a graph set: {', '.join(GRAPH_SETS)}, an .stg file or a folder of them, "
        "or models (repeatable); MODEL files always form the set models",
    )  # fmt: skip
    suite.add_argument("--plot", metavar="FILE.svg", help="write the gaps as a bar chart")
    suite.add_argument("--export-stg", metavar="DIR", help="write every graph of the suite as an STG file")
    suite.add_argument("--processes", type=int, help="local worker processes (default: one per core; 1 runs in this one)")
    suite.add_argument("--address", metavar="HOST:PORT", help="run on this Dask distributed scheduler instead")
    scaling = compare_cmd.add_argument_group("scaling: predicted makespans with memory contention")
    scaling.add_argument(
        "--scaling", action="store_true",
        help="predict each model's makespan for 2 to 64 workers (default heuristic: cp)",
    )  # fmt: skip
    scaling.add_argument(
        "--bandwidth", type=float, metavar="GB/s",
        help="memory bandwidth the streams share (default: the cost model's)",
    )  # fmt: skip
    measured = compare_cmd.add_argument_group("measurements: predicted against measured latency")
    measured.add_argument(
        "--measure", action="store_true",
        help="compile each heuristic's schedule of each model and time them all, alternated",
    )  # fmt: skip
    measured.add_argument("--repeat", type=int, help="timed rounds of --measure (default 10)")
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
    from ramiel.api import terminal_progress
    from ramiel.scheduling import (
        THREADED_HEURISTICS,
        available_heuristics,
        format_table,
    )
    from ramiel.workbench import compare_modules, prepare

    _load_heuristics(args.load_heuristics)
    heuristics = args.heuristics.split(",") if args.heuristics else available_heuristics()
    unknown = sorted(set(heuristics) - set(available_heuristics()))
    if unknown:
        raise RamielError(f"unknown heuristic '{unknown[0]}'", "--heuristics")
    suite_only = [
        flag for flag, given in (("--plot", args.plot), ("--export-stg", args.export_stg),
                                 ("--processes", args.processes), ("--address", args.address))
        if given is not None
    ]  # fmt: skip
    if suite_only and not args.suite:
        raise RamielError("this option scores a suite: add --suite SET", suite_only[0])
    if args.repeat is not None and not args.measure:
        raise RamielError("the rounds are for measurements: add --measure", "--repeat")
    if args.measure and (args.suite or args.scaling):
        raise RamielError("measurements time models' generated code, not suites or scaling curves", "--measure")
    if args.repeat is not None and args.repeat < 1:
        raise RamielError("expected a positive number of rounds", f"--repeat {args.repeat}")
    if args.bandwidth is not None and not args.scaling:
        raise RamielError("the bandwidth is for scaling curves: add --scaling", "--bandwidth")
    if args.scaling and args.suite:
        raise RamielError("scaling curves are predicted for models, not suites", "--scaling")
    if not args.models and not args.suite:
        raise RamielError("give MODEL.onnx files or a graph set to score (--suite SET)", "compare")
    if args.processes is not None and args.processes < 1:
        raise RamielError("expected a positive number of processes", f"--processes {args.processes}")
    modules = {Path(path).stem: prepare(path) for path in args.models}
    if args.suite:
        _suite_command(args, heuristics, modules)
    elif args.measure:
        _measure_command(args, heuristics)
    elif args.scaling:
        from ramiel.scheduling import DEFAULT_HEURISTIC

        _scaling_command(args, heuristics if args.heuristics else [DEFAULT_HEURISTIC], modules)
    else:
        # The generated code cannot run ops on several threads: unless asked for, such
        # heuristics are left to suites, where the task graph prices them.
        if not args.heuristics:
            heuristics = [h for h in heuristics if h not in THREADED_HEURISTICS]
        workers = _integers(args.workers or "2,4", "--workers")
        rows = compare_modules(modules, heuristics, workers, args.cost, terminal_progress())
        print(format_table(rows), end="")


def _suite_command(args: argparse.Namespace, heuristics: list[str], modules: dict[str, Any]) -> None:
    from ramiel.api import terminal_progress, write_text
    from ramiel.scheduling.suite import format_suite, run_suite, summarize
    from ramiel.scheduling.suite_svg import suite_svg
    from ramiel.workbench import export_stg, suite_sets

    workers = _integers(args.workers or "2,4,8", "--workers")
    sets = suite_sets(args.suite, modules, args.cost, max(workers))
    if args.export_stg:
        for path in export_stg(sets, Path(args.export_stg)):
            print(f"wrote {path}")
    rows = run_suite(
        sets, heuristics, workers, address=args.address, processes=args.processes, progress=terminal_progress()
    )
    summaries = summarize(rows)
    print(format_suite(summaries), end="")
    if args.plot:
        names = ", ".join(dict.fromkeys(s.split()[0] for s in sets))
        write_text(Path(args.plot), suite_svg(summaries, f"Gaps to the optimum or lower bound: {names}"))
        print(f"wrote {args.plot}")


def _measure_command(args: argparse.Namespace, heuristics: list[str]) -> None:
    from ramiel.api import terminal_progress
    from ramiel.workbench import format_measured, measure_heuristics

    workers = _integers(args.workers or "2", "--workers")
    load = os.getloadavg()[0]
    rows = [
        row
        for path in args.models
        for row in measure_heuristics(path, heuristics, workers, args.cost, args.repeat or 10, terminal_progress())
    ]
    print(format_measured(rows, load), end="")


def _scaling_command(args: argparse.Namespace, heuristics: list[str], modules: dict[str, Any]) -> None:
    from ramiel.costmodel import static_constants
    from ramiel.scheduling.contention import (
        SCALING_WORKERS,
        format_scaling,
        scaling_curve,
    )
    from ramiel.workbench import task_graph

    workers = _integers(args.workers, "--workers") if args.workers else list(SCALING_WORKERS)
    bandwidth = args.bandwidth * 1e9 if args.bandwidth is not None else static_constants()["memory_bytes_per_s"]
    if not bandwidth > 0:
        raise RamielError("expected a positive bandwidth in GB/s", f"--bandwidth {args.bandwidth}")
    for name, module in modules.items():
        graph = task_graph(module, args.cost, max(workers))
        for heuristic in heuristics:
            print(f"{name}, {heuristic}:")
            print(format_scaling(scaling_curve(graph, heuristic, bandwidth, workers), bandwidth))


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
