"""`ramiel`: compile ONNX models into parallel PyTorch code, check and run them.

    ramiel compile model.onnx -o out --workers 4     # out/model.py, out/model.weights.pt
    ramiel check model.onnx --workers 4              # serial and parallel vs onnxruntime
    ramiel run out/model.py --inputs in.npz -o out.npz
    ramiel demo                                      # GoogLeNet, checked and timed
    ramiel bench model.onnx --workers 2 --json b.json --plot b.svg  # against onnxruntime
    ramiel compare a.onnx b.onnx --workers 2,4        # every heuristic, one table
    ramiel show model.onnx --workers 2 -o pictures   # graph SVG, DOT and Gantt chart
    ramiel pipeline --workers 2                      # the default pass pipeline, for ramiel-opt -p

Each command is a thin layer over `ramiel.api`. Errors print one line,
`ramiel: error: <what> (<where>)`, and exit with status 1. Progress goes to
stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import version
from typing import NoReturn

from ramiel.errors import RamielError, run_reporting
from ramiel.limits import add_max_memory
from ramiel.tools.ramiel_workbench import (
    register_commands as register_workbench_commands,
)


class _ArgumentParser(argparse.ArgumentParser):
    """argparse with the project's one-line error instead of usage and status 2."""

    def error(self, message: str) -> NoReturn:
        raise RamielError(message, "command line")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _default_workers() -> int:
    return max(2, os.cpu_count() or 2)


def _note(message: str) -> None:
    print(f"ramiel: note: {message}", file=sys.stderr)


def _shapes(specs: Sequence[str]) -> dict[str, list[int]]:
    from ramiel.frontend.onnx_import import parse_input_shape

    return dict(parse_input_shape(s) for s in specs)


def _dim_bounds(specs: Sequence[str]) -> dict[str, int]:
    from ramiel.ir_graph import parse_dim_bound

    return dict(parse_dim_bound(s) for s in specs)


def _compile(args: argparse.Namespace) -> None:
    from ramiel import api

    compiled = api.compile(
        args.model,
        workers=args.workers,
        pipeline=args.pipeline,
        input_shapes=_shapes(args.input_shape),
        dim_bounds=_dim_bounds(args.dim_bound),
        dynamic_dims=args.dynamic_dims,
        memory_budget=args.max_memory,
        out_dir=args.output,
        force=args.force,
        profile=args.profile,
        progress=api.terminal_progress(),
        note=_note,
    )
    print(f"wrote {compiled.path} and {compiled.weights.name}")
    for line in compiled.summary.lines():
        print(f"  {line}")
    if args.op_counts:
        for line in compiled.summary.op_count_table():
            print(f"  {line}")


def _check(args: argparse.Namespace) -> None:
    from ramiel import api

    report = api.check(
        args.model,
        workers=args.workers,
        inputs=api.load_arrays(args.inputs) if args.inputs else None,
        input_shapes=_shapes(args.input_shape),
        dim_bounds=_dim_bounds(args.dim_bound),
        dynamic_dims=args.dynamic_dims,
        memory_budget=args.max_memory,
        pipeline=args.pipeline,
        profile=args.profile,
        progress=api.terminal_progress(),
        note=_note,
    )
    for line in report.lines():
        print(line)
    if not report.ok:
        reason = "; see the notes on the reference above" if report.notes else ""
        raise RamielError(f"outputs differ from onnxruntime beyond the tolerance{reason}", args.model)


def _run(args: argparse.Namespace) -> None:
    from ramiel import api

    outputs = api.run(args.model, api.load_arrays(args.inputs), num_threads=args.threads)
    api.save_arrays(args.output, outputs)
    print(f"wrote {', '.join(outputs)} to {args.output}")


def _demo(args: argparse.Namespace) -> None:
    from ramiel import api

    report = api.demo(workers=args.workers, runs=args.runs, progress=api.terminal_progress())
    print(f"GoogLeNet ({api.DEMO_MODEL}, seeded weights) on {report.check.workers} workers:")
    for line in (*report.summary.lines(), *report.check.lines(), *report.timing_lines()):
        print(f"  {line}")
    if not report.check.ok:
        raise RamielError("outputs differ from onnxruntime beyond the tolerance", "demo")


def _bench(args: argparse.Namespace) -> None:
    from ramiel import api
    from ramiel.bench import bench

    for path in (args.json, args.plot):
        if path:  # before the benchmark, which takes minutes
            api.check_writable(path)

    report = bench(
        args.model,
        workers=args.workers,
        repeat=args.repeat,
        gap=args.gap / 1e3,
        baseline_runtime=args.baseline_runtime,
        input_shapes=_shapes(args.input_shape),
        dim_bounds=_dim_bounds(args.dim_bound),
        dynamic_dims=args.dynamic_dims,
        memory_budget=args.max_memory,
        pipeline=args.pipeline,
        profile=args.profile,
        progress=api.terminal_progress(),
    )
    for line in report.lines():
        print(line)
    if args.json:
        report.write_json(args.json)
        print(f"wrote {args.json}")
    if args.plot:
        report.write_svg(args.plot)
        print(f"wrote {args.plot}")
    if not report.within_tolerance:
        # After the report and its files: the timings stand, the code is wrong.
        raise RamielError("outputs differ from onnxruntime beyond the tolerance", args.model)


def _pipeline(args: argparse.Namespace) -> None:
    from ramiel.pipeline import default_pipeline, pipeline_text

    print(pipeline_text(default_pipeline(args.workers)))


def _parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(
        prog="ramiel",
        description="Compile ONNX models into readable, parallel PyTorch code.",
    )
    parser.add_argument("--version", action="version", version=f"ramiel {version('ramiel')}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("model", metavar="MODEL.onnx")
        sub.add_argument(
            "--workers", type=_positive, default=_default_workers(),
            help="streams of the parallel code (default: the machine's cores, at least 2)",
        )  # fmt: skip
        sub.add_argument(
            "--pipeline", help="pass pipeline, as for ramiel-opt -p (default: `ramiel pipeline --workers N`)"
        )
        sub.add_argument(
            "--profile", action="store_true",
            help="time the model's ops on this machine first (cached) and schedule with those costs",
        )  # fmt: skip
        sub.add_argument(
            "--input-shape", action="append", default=[], metavar="NAME=DIMS",
            help="fix the shape of a graph input, e.g. data=1x3x224x224 (repeatable)",
        )  # fmt: skip
        sub.add_argument(
            "--dim-bound", action="append", default=[], metavar="[NAME=]N",
            help="the size the costs assume where the values decide one: of tensor NAME, or of all others "
            "(default: 64; repeatable)",
        )  # fmt: skip
        sub.add_argument(
            "--dynamic-dims", action="store_true",
            help="keep the inputs' symbolic dimensions: the code runs for every size (--dim-bound names the one "
            "to schedule for)",
        )  # fmt: skip
        add_max_memory(sub)

    compile_cmd = commands.add_parser("compile", help="compile a model into OUTDIR")
    common(compile_cmd)
    compile_cmd.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    compile_cmd.add_argument(
        "--force", action="store_true", help="overwrite files that Ramiel did not generate"
    )
    compile_cmd.add_argument(
        "--op-counts", action="store_true",
        help="also print each kind of operator's count after import and when lowered",
    )  # fmt: skip
    compile_cmd.set_defaults(handler=_compile)

    check_cmd = commands.add_parser("check", help="compare generated code with onnxruntime")
    common(check_cmd)
    check_cmd.add_argument("--inputs", metavar="FILE.npz", help="inputs (default: seeded random)")
    check_cmd.set_defaults(handler=_check)

    run_cmd = commands.add_parser("run", help="run a compiled model on inputs from an .npz")
    run_cmd.add_argument("model", metavar="MODEL.py")
    run_cmd.add_argument("--inputs", required=True, metavar="IN.npz")
    run_cmd.add_argument("-o", "--output", required=True, metavar="OUT.npz")
    run_cmd.add_argument("--threads", type=_positive, help="intra-op threads")
    run_cmd.set_defaults(handler=_run)

    bench_cmd = commands.add_parser(
        "bench", help="time serial, intra-op and parallel code against onnxruntime, alternating"
    )
    common(bench_cmd)
    bench_cmd.add_argument("--repeat", type=_positive, default=20, help="timed rounds (default 20)")
    bench_cmd.add_argument(
        "--gap", type=float, default=0.0, metavar="MS",
        help="sleep MS milliseconds before each timed call, as a model called now and then (default 0: back to back)",
    )  # fmt: skip
    bench_cmd.add_argument(
        "--baseline-runtime", metavar="STREAMS.py",
        help="also time the parallel code with this version of ramiel/runtime/streams.py",
    )
    bench_cmd.add_argument("--json", metavar="FILE", help="write the measurements as JSON")
    bench_cmd.add_argument(
        "--plot", metavar="FILE.svg", help="write a bar chart and the measured and predicted timelines"
    )
    bench_cmd.set_defaults(handler=_bench)

    demo_cmd = commands.add_parser("demo", help="compile, check and time GoogLeNet")
    demo_cmd.add_argument("--workers", type=_positive, help="streams (default: the machine's cores)")
    demo_cmd.add_argument("--runs", type=_positive, default=7, help="timed runs of each version")
    demo_cmd.set_defaults(handler=_demo)

    pipeline_cmd = commands.add_parser("pipeline", help="print the default pass pipeline")
    pipeline_cmd.add_argument(
        "--workers", type=_positive, default=_default_workers(),
        help="streams (default: the machine's cores, at least 2)",
    )  # fmt: skip
    pipeline_cmd.set_defaults(handler=_pipeline)

    register_workbench_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `ramiel` console script."""
    run_reporting(lambda: _dispatch(_parser().parse_args(argv)))


def _dispatch(args: argparse.Namespace) -> None:
    workers, cores = getattr(args, "workers", None), os.cpu_count() or 1
    if isinstance(workers, int) and workers > cores:
        _note(
            f"{workers} streams on {cores} cores: they will take turns on the cores, "
            "which the predicted speedup does not count"
        )
    args.handler(args)


if __name__ == "__main__":
    main()
