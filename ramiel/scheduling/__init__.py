"""Scheduling core: task graphs, heuristics, simulation, validation and reports.

Importing the package registers the built-in heuristics `cp` (default), `dsc`,
`heft` and `serial`; `optimal` (an exact CP-SAT solver, with the `workbench`
extra) and `ios` (IOS's stage dynamic program); `intra` (one stream on every
thread) and `hybrid` (IOS's stages, each inter-op or intra-op), which run ops on
several intra-op threads where the task graph gives their threaded costs and so
are predictions the generated code cannot run yet (`THREADED_HEURISTICS`); and,
where `anrg-saga` is installed, its algorithms as `saga-*`. The workbench also has task-graph sets
with known optima (`graphsets`), STG files (`stg`), suites that score every
heuristic on them (`suite`) and a simulator with memory contention (`contention`).
"""

# The built-in heuristics register themselves when their modules are imported.
from ramiel.scheduling import cp, dsc, exact, heft, ios, saga_adapter, serial  # noqa: F401
from ramiel.scheduling.compare import CompareRow, compare, format_table
from ramiel.scheduling.cp import (
    linear_clusters,
    merge_clusters,
    schedule_clusters,
    should_clone,
)
from ramiel.scheduling.dot import to_dot
from ramiel.scheduling.gantt import gantt_svg
from ramiel.scheduling.graph_svg import graph_svg
from ramiel.scheduling.registry import (
    ENTRY_POINT_GROUP,
    Heuristic,
    HeuristicLoadError,
    available_heuristics,
    get_heuristic,
    load_entry_points,
    load_heuristics_file,
    register_heuristic,
    run_heuristic,
)
from ramiel.scheduling.simulate import Simulation, Timeline, list_schedule, simulate
from ramiel.scheduling.taskgraph import Edge, Node, Schedule, TaskGraph
from ramiel.scheduling.validate import ScheduleError, validate

DEFAULT_HEURISTIC = "cp"

THREADED_HEURISTICS = frozenset({"hybrid", "intra"})
"""The built-in heuristics whose schedules run ops on several intra-op threads."""

__all__ = [
    "DEFAULT_HEURISTIC",
    "ENTRY_POINT_GROUP",
    "THREADED_HEURISTICS",
    "CompareRow",
    "Edge",
    "Heuristic",
    "HeuristicLoadError",
    "Node",
    "Schedule",
    "ScheduleError",
    "Simulation",
    "TaskGraph",
    "Timeline",
    "available_heuristics",
    "compare",
    "format_table",
    "gantt_svg",
    "get_heuristic",
    "graph_svg",
    "linear_clusters",
    "list_schedule",
    "load_entry_points",
    "load_heuristics_file",
    "merge_clusters",
    "register_heuristic",
    "run_heuristic",
    "schedule_clusters",
    "should_clone",
    "simulate",
    "to_dot",
    "validate",
]
