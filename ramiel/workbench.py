"""The research workbench: every heuristic on the same graphs, and pictures of a schedule.

    ramiel compare models/*.onnx --workers 2,4        # one table, every heuristic
    ramiel show model.onnx --workers 2 -o out/        # DOT (+ SVG with Graphviz) and a Gantt chart

Both work on cleaned-up `dfg` modules, costed by the same cost models as the
clustering passes, and schedule them with the registered heuristics (the
built-ins, `--load-heuristics FILE.py`, and installed `ramiel.heuristics`
entry points), so a researcher's heuristic is compared exactly like `cp`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from ramiel.frontend.onnx_import import import_file
from ramiel.ir_graph import FunctionGraph, cost_model
from ramiel.passes.cleanup import run_cleanup
from ramiel.scheduling import (
    CompareRow,
    TaskGraph,
    compare,
    gantt_svg,
    run_heuristic,
    simulate,
    to_dot,
)


def prepare(path: str | os.PathLike[str]) -> ModuleOp:
    """An ONNX file imported and cleaned up, as the clustering passes see it."""
    module = import_file(path)
    run_cleanup(module)
    return module


def task_graph(module: ModuleOp, cost: str = "auto") -> TaskGraph:
    """The task graph of a `dfg` module under the named cost model."""
    return FunctionGraph.of(module, cost_model(cost)).graph


def compare_modules(
    modules: Mapping[str, ModuleOp],
    heuristics: Sequence[str],
    workers: Sequence[int],
    cost: str = "auto",
) -> list[CompareRow]:
    """Every heuristic at every worker count on every module: makespan, speedup, clusters, edges, time."""
    graphs = {name: task_graph(module, cost) for name, module in modules.items()}
    return compare(graphs, heuristics, workers)


def show(
    module: ModuleOp,
    name: str,
    out_dir: Path,
    *,
    heuristic: str = "cp",
    workers: int = 2,
    cost: str = "auto",
) -> list[Path]:
    """Write the scheduled graph as DOT (and SVG when Graphviz's `dot` exists) and its Gantt chart.

    Returns the files written: `<name>.dot`, `<name>.svg` when `dot` is on PATH,
    and `<name>.gantt.svg` (written without any external program).
    """
    graph = task_graph(module, cost)
    schedule = run_heuristic(heuristic, graph, workers)
    simulation = simulate(graph, schedule)
    out_dir.mkdir(parents=True, exist_ok=True)
    title = f"{name}: {heuristic}, {workers} workers, predicted {simulation.speedup:.2f}x"
    dot_path = out_dir / f"{name}.dot"
    dot_path.write_text(to_dot(graph, schedule, title=name), encoding="utf-8")
    gantt_path = out_dir / f"{name}.gantt.svg"
    gantt_path.write_text(gantt_svg(simulation, graph, title), encoding="utf-8")
    written = [dot_path, gantt_path]
    dot = shutil.which("dot")
    if dot is not None:
        svg_path = out_dir / f"{name}.svg"
        subprocess.run([dot, "-Tsvg", str(dot_path), "-o", str(svg_path)], check=True)
        written.insert(1, svg_path)
    return written

