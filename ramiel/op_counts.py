"""Op counts of a module: the before-and-after table and the statistics of each pass.

`op_count_table` is what onnx-simplifier users know, one row per kind of op:

    op                 before  after
    dfg.constant          120     61
    dfg.conv               57     57
    dfg.dropout             1      -
    total                 237    138

`PassStatistics` is a pass pipeline's callback that counts the ops before and after
each pass and times it, for `--pass-statistics`:

    cleanup: 237 -> 138 ops, 0.121 s
      dfg.constant  120 -> 61
      dfg.dropout     1 -> 0
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass, PassPipelineCallbackType

_STRUCTURE = (ModuleOp, func.FuncOp, func.ReturnOp)
"""Ops that hold the graph rather than compute it: not counted."""


def op_counts(module: ModuleOp, kind: type[Operation] = Operation) -> Counter[str]:
    """How many ops of each name `module` holds, of `kind` only; modules, functions and returns left out."""
    return Counter(
        op.name for op in module.walk() if isinstance(op, kind) and not isinstance(op, _STRUCTURE)
    )


def _table(rows: Iterable[tuple[str, ...]]) -> list[str]:
    """`rows` as text columns: the first left-aligned, the others right-aligned."""
    rows = list(rows)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def op_count_table(before: Counter[str], after: Counter[str]) -> list[str]:
    """One row per kind of op with its count before and after (`-` for none), then the totals."""
    names = sorted(set(before) | set(after))
    rows = [("op", "before", "after")]
    rows += [(n, str(before[n] or "-"), str(after[n] or "-")) for n in names]
    rows.append(("total", str(before.total()), str(after.total())))
    return _table(rows)


@dataclass
class PassRecord:
    """What one pass did to the op counts, and how long it took."""

    name: str
    before: Counter[str]
    after: Counter[str]
    seconds: float

    def lines(self) -> list[str]:
        """The pass's line, then one line per kind of op whose count it changed."""
        changed = sorted(n for n in set(self.before) | set(self.after) if self.before[n] != self.after[n])
        head = f"{self.name}: {self.before.total()} -> {self.after.total()} ops, {self.seconds:.3f} s"
        rows = [(f"  {n}", str(self.before[n]), "->", str(self.after[n])) for n in changed]
        return [head, *(_table(rows) if rows else [])]


@dataclass
class PassStatistics:
    """A `PassPipeline` callback recording each pass's op counts and time, then calling `then`.

    A pass's time runs from the end of the callback before it to the start of the one
    after it, so neither counting nor `then` (verification, say) is part of it.
    """

    then: PassPipelineCallbackType | None = None
    records: list[PassRecord] = field(default_factory=list[PassRecord])
    _start: float = 0.0
    _counts: Counter[str] = field(default_factory=Counter[str])

    def __call__(self, done: ModulePass | None, module: ModuleOp, upcoming: ModulePass | None) -> None:
        now = time.perf_counter()
        counts = op_counts(module)
        if done is not None:
            self.records.append(PassRecord(done.name, self._counts, counts, now - self._start))
        if self.then is not None:
            self.then(done, module, upcoming)
        self._counts = counts
        self._start = time.perf_counter()

    def lines(self) -> list[str]:
        """Every pass's statistics, in the order they ran."""
        return [line for record in self.records for line in record.lines()]
