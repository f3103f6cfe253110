"""ONNX backend conformance: ONNX's backend test cases run through `RamielBackend`, tallied.

    python -m tests.harness.conformance                          # every suite, workers 1 and 2
    python -m tests.harness.conformance --suite node -k conv     # node cases whose name matches 'conv'
    python -m tests.harness.conformance --markdown docs/conformance.md

Suites: `node`, the node test cases that the `onnx` package generates in memory
(`onnx.backend.test.case.node.collect_testcases`), and the model data sets shipped
in the onnx wheel: `simple`, `pytorch-converted`, `pytorch-operator`, and `real`
(the "light" models: real architectures whose large weights are placeholder
constants, with inputs and expected outputs made as ONNX's test runner makes them).

Each case is compiled through the full pipeline once per worker count and run on
each of its data sets; the passing node cases, one operator each (so one stream
whatever the worker count), are then compiled side by side onto two streams and
checked again (`parallel_check`). A case's outcome is one of:

- passed: every output has the expected shape and element type and is within
  the case's own rtol/atol (ONNX's runner comparison), with every worker count;
- unsupported: compiling raised `RamielError`, the one-line error that names what
  Ramiel does not support (an operator, element type, opset or attribute);
- failed: anything else: wrong numbers, types or shapes, an exception other than
  `RamielError`, an error at run time, a call that hangs.

The exit status is 1 when any case failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import json
import os
import re
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal, TypeVar

import numpy as np
import onnx
import onnx.compose
from onnx import numpy_helper

from ramiel.backend import RamielBackend, RamielRep
from ramiel.errors import RamielError
from ramiel.pipeline import default_pipeline

Status = Literal["passed", "failed", "unsupported"]
T = TypeVar("T")
DataSet = tuple[list[Any], list[Any]]
"""Inputs and expected outputs: arrays, or lists for ONNX sequence values."""

NODE_SUITE = "node"
DATA_SUITES = ("simple", "pytorch-converted", "pytorch-operator", "real")
SUITES = (NODE_SUITE, *DATA_SUITES)
"""Every suite, in the order the tally lists them."""

WORKERS = (1, 2)
"""The worker counts every case is compiled with."""

CALL_TIMEOUT = 120.0
"""Seconds one run of a compiled case may take before it counts as hung."""

_DATA_DIR = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data")
_LIGHT_URL = "onnx/backend/test/data/light/"
_DETAIL_LIMIT = 240


@dataclass(frozen=True)
class Case:
    """One backend test case: a model, its data sets and its tolerances."""

    name: str
    suite: str
    operator: str
    """What the case tests: its operator, or its operators joined by `+`."""
    model: onnx.ModelProto
    data: Callable[[], list[DataSet]]
    """Loads the (inputs, expected outputs) pairs."""
    rtol: float
    atol: float


@dataclass(frozen=True)
class Outcome:
    """How one case went."""

    case: str
    suite: str
    operator: str
    status: Status
    detail: str
    """Why it failed or is unsupported; empty when it passed."""
    seconds: float
    dfg_operators: bool
    """Whether every operator of the case has a `dfg` op (a refusal then names something else)."""


# Collecting cases.


def _operator_label(model: onnx.ModelProto) -> str:
    ops = sorted(
        {
            n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}.{n.op_type}"
            for n in model.graph.node
        }
    )
    return "+".join(ops) or "(no node)"


def node_cases(pattern: str | None = None) -> list[Case]:
    """ONNX's generated node test cases whose name matches `pattern` (a regex)."""
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings():
        # Some generators overflow on purpose while making their expected outputs.
        warnings.simplefilter("ignore", RuntimeWarning)
        collected = collect_testcases(None)
    single = {
        c.name: c.model.graph.node[0].op_type
        for c in collected
        if c.model is not None and len(c.model.graph.node) == 1
    }
    cases: list[Case] = []
    for c in collected:
        if c.model is None or c.data_sets is None or not _matches(c.name, pattern):
            continue
        # An expanded case is its operator's function body: count it under that operator.
        base = c.name.split("_expanded")[0]
        operator = single.get(base) if "_expanded" in c.name else None
        data_sets = [
            ([_array(i) for i in inputs], [_array(o) for o in outputs])
            for inputs, outputs in c.data_sets
        ]
        cases.append(
            Case(
                c.name,
                NODE_SUITE,
                operator or _operator_label(c.model),
                c.model,
                partial(list, data_sets),
                c.rtol,
                c.atol,
            )
        )
    return cases


def data_cases(suite: str, pattern: str | None = None) -> list[Case]:
    """The cases of one of the onnx wheel's model data sets (`DATA_SUITES`)."""
    from onnx.backend.test.loader import load_model_tests

    cases: list[Case] = []
    for test in sorted(load_model_tests(_DATA_DIR, suite), key=lambda t: t.name):
        if not _matches(test.name, pattern):
            continue
        if test.model_dir is not None:
            model = onnx.load(os.path.join(test.model_dir, "model.onnx"))
            data = partial(_data_sets, model, test.model_dir)
        elif test.url is not None and test.url.startswith(_LIGHT_URL):
            path = os.path.join(_DATA_DIR, "light", test.url.removeprefix(_LIGHT_URL))
            model = onnx.load(path)
            data = partial(_light_data_set, model, path)
        else:  # a model to download: not shipped, so not counted
            continue
        cases.append(
            Case(
                test.name,
                suite,
                _operator_label(model),
                model,
                data,
                test.rtol,
                test.atol,
            )
        )
    return cases


def collect(suites: Iterable[str] = SUITES, pattern: str | None = None) -> list[Case]:
    """The cases of `suites` whose name matches `pattern`."""
    cases: list[Case] = []
    for suite in suites:
        cases += (
            node_cases(pattern) if suite == NODE_SUITE else data_cases(suite, pattern)
        )
    return cases


def sample(cases: Sequence[Case], every: int) -> list[Case]:
    """The node cases a shorter run takes: each operator's first, and every `every`-th in order.

    Every operator keeps at least one case; the data suites (whole models, the slowest
    cases) are left to the full run.
    """
    node = [c for c in cases if c.suite == NODE_SUITE]
    firsts = {c.operator: c.name for c in reversed(node)}
    return [c for index, c in enumerate(node) if index % every == 0 or firsts[c.operator] == c.name]


def has_dfg_operators(model: onnx.ModelProto) -> bool:
    """Whether every node of `model` is an ONNX operator that has a `dfg` op (or `Constant`)."""
    from ramiel.dialects.dfg import OPS

    return all(
        n.domain in ("", "ai.onnx") and (n.op_type in OPS or n.op_type == "Constant")
        for n in model.graph.node
    )


def _matches(name: str, pattern: str | None) -> bool:
    return pattern is None or re.search(pattern, name) is not None


def _array(value: object) -> object:
    """A test value with tensors as arrays (the generators give some as `TensorProto`s)."""
    return (
        numpy_helper.to_array(value) if isinstance(value, onnx.TensorProto) else value
    )


def _load_tensor(path: str) -> np.ndarray:
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def _data_sets(model: onnx.ModelProto, folder: str) -> list[DataSet]:
    """The `test_data_set_*` folders of a data case, as ONNX's runner reads them."""
    if any(
        not i.type.HasField("tensor_type")
        for i in (*model.graph.input, *model.graph.output)
    ):
        # Sequence, map or optional values: no Ramiel model takes or returns them.
        raise RamielError("only tensor inputs and outputs are supported", folder)
    sets: list[DataSet] = []
    for data_dir in sorted(glob.glob(os.path.join(folder, "test_data_set*"))):
        inputs = [_load_tensor(p) for p in _numbered(os.path.join(data_dir, "input"))]
        outputs = [_load_tensor(p) for p in _numbered(os.path.join(data_dir, "output"))]
        sets.append((inputs, outputs))
    return sets


def _numbered(prefix: str) -> list[str]:
    """`PREFIX_0.pb`, `PREFIX_1.pb`, ... as many as exist."""
    count = len(glob.glob(f"{glob.escape(prefix)}_*.pb"))
    return [f"{prefix}_{i}.pb" for i in range(count)]


def _light_data_set(model: onnx.ModelProto, path: str) -> list[DataSet]:
    """A light model's data set: ONNX's runner's deterministic inputs and the shipped output."""
    from onnx.backend.test.runner import Runner

    initializers = {t.name for t in model.graph.initializer}
    inputs = [
        Runner.generate_dummy_data(i, seed=0, random=False)
        for i in model.graph.input
        if i.name not in initializers
    ]
    outputs = [
        _load_tensor(p) for p in _numbered(f"{os.path.splitext(path)[0]}_output")
    ]
    return [(inputs, outputs)]


# Running cases.


def run_case(
    case: Case, workers: Sequence[int] = WORKERS, timeout: float = CALL_TIMEOUT
) -> Outcome:
    """Compile and run `case` with each worker count; its outcome."""
    start = time.perf_counter()

    def outcome(status: Status, detail: str = "") -> Outcome:
        return Outcome(
            case.name,
            case.suite,
            case.operator,
            status,
            _one_line(detail),
            time.perf_counter() - start,
            has_dfg_operators(case.model),
        )

    data: list[DataSet] | None = None
    for count in workers:
        label = f"workers {count}"
        try:
            if data is None:
                data = case.data()
            rep = RamielBackend.prepare(case.model, workers=count, input_shapes=_symbolic_input_shapes(case.model, data))
        except RamielError as e:
            if count == workers[0]:
                return outcome("unsupported", e.what)
            return outcome(
                "failed", f"{label}: refused after compiling with {workers[0]}: {e}"
            )
        except Exception as e:  # a crash instead of Ramiel's one-line error is a bug
            return outcome("failed", f"{label}: compiling raised {_describe(e)}")
        try:
            problem = _run_data_sets(rep, data, case, timeout)
        except Exception as e:
            problem = f"loading the data sets raised {_describe(e)}"
        if problem is not None:
            return outcome("failed", f"{label}: {problem}")
    return outcome("passed")


def _symbolic_input_shapes(model: onnx.ModelProto, data: Sequence[DataSet]) -> dict[str, list[int]]:
    """The shapes the data sets give the tensor inputs that the model declares with symbolic
    dimensions, where every data set gives the same (as ONNX's runner feeds them)."""
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    shapes: dict[str, list[int]] = {}
    for position, value in enumerate(inputs):
        dims = value.type.tensor_type.shape.dim if value.type.HasField("tensor_type") else ()
        if not any(not d.HasField("dim_value") for d in dims):
            continue
        given = {np.shape(inputs_[position]) for inputs_, _ in data if position < len(inputs_)}
        if len(given) == 1:
            shapes[value.name] = list(given.pop())
    return shapes


def _run_data_sets(
    rep: RamielRep, data: list[DataSet], case: Case, timeout: float
) -> str | None:
    """Run every data set on `rep`, then close it; what went wrong, or None."""
    from onnx.backend.test.runner import Runner

    for index, (inputs, expected) in enumerate(data):
        where = f"data set {index}"
        try:
            outputs = call_with_timeout(lambda inputs=inputs: rep.run(inputs), timeout)
        except TimeoutError:
            # The call's threads are stuck: leave the model open rather than wait on them.
            return f"{where}: the call did not finish within {timeout:g} s"
        except Exception as e:
            rep.close()
            return f"{where}: running raised {_describe(e)}"
        try:
            Runner.assert_similar_outputs(expected, list(outputs), case.rtol, case.atol)
        except AssertionError as e:
            rep.close()
            return f"{where}: {_assertion_summary(e)}"
    rep.close()
    return None


def call_with_timeout(function: Callable[[], T], timeout: float) -> T:
    """`function()` on a daemon thread: its result or exception, or TimeoutError if it does
    not return in time (the thread is then left running)."""
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(function())
        except BaseException as e:
            error.append(e)

    thread = threading.Thread(
        target=target, name="ramiel-call-with-timeout", daemon=True
    )
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError
    if error:
        raise error[0]
    return result[0]


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _assertion_summary(error: AssertionError) -> str:
    """The informative lines of numpy's assertion message."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    keep = [line for line in lines if not line.startswith(("x:", "y:", "[", "array("))]
    return " ".join(keep)


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 3] + "..."


def run_cases(
    cases: Iterable[Case],
    workers: Sequence[int] = WORKERS,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Each case's outcome, in order."""
    outcomes: list[Outcome] = []
    for case in cases:
        outcomes.append(run_case(case, workers))
        if progress is not None:
            progress(outcomes[-1])
    return outcomes


def tally(
    cases: Sequence[Case],
    progress: Callable[[Outcome], None] | None = None,
    workers: Sequence[int] = WORKERS,
) -> Tally:
    """Run `cases` one by one with each of `workers`, then the passing node cases side by
    side on `max(WORKERS)` streams."""
    return Tally(tuple(parallel_check(cases, run_cases(cases, workers, progress))))


# Node cases side by side.

MERGED_BATCH = 48
"""How many passing node cases `parallel_check` compiles together as one model."""


def merge_models(models: Sequence[onnx.ModelProto]) -> onnx.ModelProto:
    """One model holding `models` side by side as independent branches.

    Every name of model `i` gets the prefix `m<i>_`, in its subgraphs too (by
    `onnx.compose`); the models must share their opset imports.
    """
    graph = onnx.GraphProto(name="merged")
    for index, model in enumerate(models):
        part = onnx.compose.add_prefix_graph(model.graph, f"m{index}_")
        for field in ("node", "input", "output", "value_info", "initializer"):
            getattr(graph, field).extend(getattr(part, field))
    merged = onnx.ModelProto()
    merged.CopyFrom(models[0])
    merged.graph.CopyFrom(graph)
    merged.ir_version = max(m.ir_version for m in models)
    return merged


def parallel_check(
    cases: Sequence[Case], outcomes: Sequence[Outcome], workers: int = max(WORKERS)
) -> list[Outcome]:
    """Check passing node cases again, compiled side by side onto `workers` streams.

    A node case alone is one operator, so its code has one stream whatever the
    worker count. Compiled together, `MERGED_BATCH` at a time, independent cases
    land on different streams and hand values over, so the parallel runtime runs
    them. A batch that does not compile is halved until the case at fault is alone;
    a case whose outputs then differ becomes a failure. Returns `outcomes` updated.
    """
    by_name = {c.name: c for c in cases}
    updated = {o.case: o for o in outcomes}
    groups: dict[tuple[tuple[str, int], ...], list[Case]] = {}
    for o in outcomes:
        if o.suite == NODE_SUITE and o.status == "passed":
            case = by_name[o.case]
            key = tuple(sorted((i.domain, i.version) for i in case.model.opset_import))
            groups.setdefault(key, []).append(case)
    for group in groups.values():
        for start in range(0, len(group), MERGED_BATCH):
            for case, problem in _check_side_by_side(
                group[start : start + MERGED_BATCH], workers
            ):
                old = updated[case.name]
                detail = f"workers {workers}, compiled with other cases: {problem}"
                updated[case.name] = dataclasses.replace(
                    old, status="failed", detail=_one_line(detail)
                )
    return [updated[o.case] for o in outcomes]


def _check_side_by_side(batch: Sequence[Case], workers: int) -> list[tuple[Case, str]]:
    """The cases of `batch` that fail when compiled together, with what went wrong."""
    from onnx.backend.test.runner import Runner

    shapes = {
        f"m{index}_{name}": shape
        for index, case in enumerate(batch)
        for name, shape in _symbolic_input_shapes(case.model, case.data()[:1]).items()
    }
    try:
        # The streams of a batch too small to be predicted to pay for them are
        # kept: the parallel runtime is what this checks.
        rep = RamielBackend.prepare(
            merge_models([c.model for c in batch]),
            workers=workers,
            pipeline=default_pipeline(workers, min_speedup=0.0),
            input_shapes=shapes,
        )
    except Exception as e:
        if len(batch) == 1:
            return [(batch[0], f"compiling raised {_describe(e)}")]
        half = len(batch) // 2
        return [
            *_check_side_by_side(batch[:half], workers),
            *_check_side_by_side(batch[half:], workers),
        ]
    feed: dict[str, Any] = {}
    for index, case in enumerate(batch):
        inputs, _ = case.data()[0]
        initializers = {t.name for t in case.model.graph.initializer}
        names = [i.name for i in case.model.graph.input if i.name not in initializers]
        feed.update((f"m{index}_{n}", a) for n, a in zip(names, inputs, strict=True))
    try:
        outputs = list(call_with_timeout(lambda: rep.run(feed), CALL_TIMEOUT))
    except TimeoutError:
        return [
            (c, f"the call did not finish within {CALL_TIMEOUT:g} s") for c in batch
        ]
    except Exception as e:
        rep.close()
        return [(c, f"running raised {_describe(e)}") for c in batch]
    rep.close()
    problems: list[tuple[Case, str]] = []
    for case in batch:
        count = len(case.model.graph.output)
        ours, outputs = outputs[:count], outputs[count:]
        try:
            Runner.assert_similar_outputs(case.data()[0][1], ours, case.rtol, case.atol)
        except AssertionError as e:
            problems.append((case, _assertion_summary(e)))
    return problems


# The tally.


def reason(detail: str) -> str:
    """A refusal's message with the model's own names left out, so that equal reasons group."""
    return re.sub(r"'[^']*'", "'…'", detail)


@dataclass(frozen=True)
class Tally:
    """Outcomes counted per suite and per operator."""

    outcomes: tuple[Outcome, ...]

    def count(self, status: Status) -> int:
        """How many cases have `status`."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def failures(self) -> list[Outcome]:
        """The failed cases."""
        return [o for o in self.outcomes if o.status == "failed"]

    def _rows(
        self, key: Callable[[Outcome], str], outcomes: Iterable[Outcome] | None = None
    ) -> Iterator[tuple[str, int, int, int, int, str]]:
        """Per group: name, cases, passed, failed, unsupported, the commonest reason unsupported."""
        groups: dict[str, list[Outcome]] = {}
        for o in self.outcomes if outcomes is None else outcomes:
            groups.setdefault(key(o), []).append(o)
        for name in sorted(groups, key=lambda n: (n.lower(), n)):
            group = groups[name]
            counts = Counter(o.status for o in group)
            reasons = Counter(
                reason(o.detail) for o in group if o.status == "unsupported"
            )
            top = reasons.most_common(1)[0][0] if reasons else ""
            yield (
                name,
                len(group),
                counts["passed"],
                counts["failed"],
                counts["unsupported"],
                top,
            )

    def headline(self) -> str:
        """The totals in one line."""
        supported = self.count("passed") + self.count("failed")
        return (
            f"{len(self.outcomes)} cases: {supported} supported ({self.count('passed')} passed, "
            f"{self.count('failed')} failed), {self.count('unsupported')} unsupported"
        )

    def _node_outcomes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.suite == NODE_SUITE]

    def _data_not_passed(self) -> list[Outcome]:
        return [
            o for o in self.outcomes if o.suite != NODE_SUITE and o.status != "passed"
        ]

    def lines(self) -> list[str]:
        """The tally as text: totals, per suite, per node operator, data cases not passing, failures."""
        header = f"{'cases':>6} {'passed':>6} {'failed':>6} {'unsupp':>6}"
        lines = [self.headline(), "", f"{'suite':<20} {header}"]
        lines += [
            f"{s:<20} {n:>6} {p:>6} {f:>6} {u:>6}"
            for s, n, p, f, u, _ in self._rows(lambda o: o.suite)
        ]
        lines += [
            "",
            f"{'node cases by operator':<28} {header}  main reason unsupported",
        ]
        lines += [
            f"{op:<28} {n:>6} {p:>6} {f:>6} {u:>6}  {r}"
            for op, n, p, f, u, r in self._rows(
                lambda o: o.operator, self._node_outcomes()
            )
        ]
        lines += ["", "model data cases not passing:"]
        lines += [
            f"  {o.status} {o.suite}/{o.case}: {o.detail}"
            for o in self._data_not_passed()
        ]
        if self.failures:
            lines += ["", "failures:"]
            lines += [
                f"  {o.suite}/{o.case} ({o.operator}): {o.detail}"
                for o in self.failures
            ]
        return lines

    def markdown(self, command: str) -> str:
        """The tally as the Markdown of docs/conformance.md."""

        def cell(text: str) -> str:
            return text.replace("|", "\\|")

        out = [
            "# ONNX backend conformance",
            "",
            f"Generated by `{command}`; regenerate it after changing what Ramiel supports.",
            "",
            "Every case of ONNX's backend tests is compiled through the full pipeline with",
            f"{' and '.join(map(str, WORKERS))} workers (`ramiel.backend.RamielBackend`) and run "
            "on its data sets.",
            "A case *passes* when every output matches in shape, element type and value",
            "under the case's own rtol/atol; it is *unsupported* when compiling stops with",
            "Ramiel's one-line error (`RamielError`) naming what is missing; anything else",
            "(wrong numbers, a crash, a hang) *fails*. A node case is one operator, so its",
            "code has one stream: the passing node cases are also compiled side by side,",
            f"{MERGED_BATCH} at a time, as models of independent branches on "
            f"{max(WORKERS)} streams, and checked again. Node cases come from",
            "`onnx.backend.test.case.node`; the other suites are the model data sets shipped",
            "in the onnx wheel (`real` holds the light models, with ONNX's own inputs and",
            "expected outputs).",
            "",
            f"**{self.headline()}.**",
            "",
            "| suite | cases | passed | failed | unsupported |",
            "|---|---:|---:|---:|---:|",
        ]
        out += [
            f"| {s} | {n} | {p} | {f} | {u} |"
            for s, n, p, f, u, _ in self._rows(lambda o: o.suite)
        ]
        if self.failures:
            out += [
                "",
                "## Failures",
                "",
                "| case | operator | what went wrong |",
                "|---|---|---|",
            ]
            out += [
                f"| {o.suite}/{o.case} | {cell(o.operator)} | {cell(o.detail)} |"
                for o in self.failures
            ]
        out += [
            "",
            "## Node cases by operator",
            "",
            "An expanded case (`*_expanded`, the operator's function body) counts under its operator.",
            "",
            "| operator | cases | passed | failed | unsupported | main reason unsupported |",
            "|---|---:|---:|---:|---:|---|",
        ]
        out += [
            f"| {cell(op)} | {n} | {p} | {f} | {u} | {cell(r)} |"
            for op, n, p, f, u, r in self._rows(
                lambda o: o.operator, self._node_outcomes()
            )
        ]
        out += [
            "",
            "## Model data cases not passing",
            "",
            "| case | outcome | why |",
            "|---|---|---|",
        ]
        out += [
            f"| {o.suite}/{o.case} | {o.status} | {cell(o.detail)} |"
            for o in self._data_not_passed()
        ]
        refused = [
            o for o in self.outcomes if o.status == "unsupported" and o.dfg_operators
        ]
        out += [
            "",
            "## Refused although every operator has a dfg op",
            "",
            f"{len(refused)} unsupported cases use only operators that Ramiel has; what stops them:",
            "",
            "| cases | reason | examples |",
            "|---:|---|---|",
        ]
        out += [
            f"| {len(group)} | {cell(r)} | {', '.join(o.case for o in group[:3])} |"
            for r, group in _grouped(refused)
        ]
        out += [
            "",
            "## Every reason for unsupported cases",
            "",
            "| cases | reason |",
            "|---:|---|",
        ]
        unsupported = [o for o in self.outcomes if o.status == "unsupported"]
        out += [f"| {len(group)} | {cell(r)} |" for r, group in _grouped(unsupported)]
        return "\n".join(out) + "\n"


def _grouped(outcomes: Iterable[Outcome]) -> list[tuple[str, list[Outcome]]]:
    """Outcomes grouped by `reason`, largest group first."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(reason(o.detail), []).append(o)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `python -m tests.harness.conformance`."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.harness.conformance",
        description="Run ONNX's backend test cases through Ramiel and print the tally.",
    )
    parser.add_argument(
        "--suite",
        action="append",
        choices=SUITES,
        help="a suite to run (repeatable; default: all)",
    )
    parser.add_argument(
        "-k", dest="pattern", metavar="REGEX", help="only cases whose name matches"
    )
    parser.add_argument(
        "--markdown", metavar="FILE.md", help="also write the tally as Markdown"
    )
    parser.add_argument(
        "--json", metavar="FILE.json", help="also write every outcome as JSON"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print each case as it ends"
    )
    args = parser.parse_args(argv)
    suites = args.suite or list(SUITES)

    def progress(o: Outcome) -> None:
        print(
            f"{o.status:<11} {o.suite}/{o.case} ({o.seconds:.2f} s) {o.detail}",
            file=sys.stderr,
        )

    start = time.perf_counter()
    result = tally(collect(suites, args.pattern), progress if args.verbose else None)
    for line in result.lines():
        print(line)
    print(f"\n{time.perf_counter() - start:.0f} s")
    if args.markdown:
        shown = [
            "python -m tests.harness.conformance",
            *(f"--suite {s}" for s in args.suite or []),
            *([f"-k {args.pattern}"] if args.pattern else []),
            f"--markdown {args.markdown}",
        ]
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(result.markdown(" ".join(shown)))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([o.__dict__ for o in result.outcomes], f, indent=1)
    if result.failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
