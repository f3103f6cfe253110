"""How far the exact solver proves optimality: the figure docs/scheduling.md keeps.

    python -m tests.harness.exact_proofs [--set dc-small]

Every graph of the set is solved on as many workers as its construction used (so its
optimum is known and the solver's result can be checked against it) with the
default deterministic limit, one at a time in this process; the table gives, per
size, how many solves proved their optimum, whether each proved one equals the
constructed optimum, and the median and slowest wall-clock times, with the load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from ramiel.scheduling.exact import solve_optimal
from ramiel.scheduling.graphsets import GRAPH_SETS


def main() -> None:
    parser = argparse.ArgumentParser(description="Proofs of the exact solver on a generated set.")
    parser.add_argument("--set", default="dc-small", choices=sorted(GRAPH_SETS))
    name = parser.parse_args().set
    load = os.getloadavg()[0]
    by_size: dict[int, list[tuple[bool, bool, float]]] = {}
    for case in GRAPH_SETS[name].graphs():
        start = time.perf_counter()
        result = solve_optimal(case.graph, case.processors)
        seconds = time.perf_counter() - start
        agrees = not result.proven_optimal or result.makespan == case.optimum
        by_size.setdefault(len(case.graph), []).append((result.proven_optimal, agrees, seconds))
    print(f"Set {name}, load average {load:.2f} at the start.")
    print()
    print("| tasks | graphs | proved optimal | equal to the constructed optimum | median s | slowest s |")
    print("|------:|-------:|---------------:|---------------------------------:|---------:|----------:|")
    for size, runs in sorted(by_size.items()):
        proved = sum(p for p, _, _ in runs)
        agree = sum(a for p, a, _ in runs if p)
        times = [s for _, _, s in runs]
        print(
            f"| {size} | {len(runs)} | {proved} | {agree} of {proved} | "
            f"{statistics.median(times):.2f} | {max(times):.2f} |"
        )


if __name__ == "__main__":
    main()
