"""Broken inputs for Ramiel's commands: damaged models, damaged IR text, wrong command lines.

Every input must end in success or in the project's error form: exit status 1,
nothing on stdout, no file written, and on stderr (besides `ramiel: note:`
lines) either one line `ramiel: error: <what> (<where>)` or, for IR text, an
MLIR-style diagnostic (`file:line:col`, the source line, a caret, the message).
`problem_with` says what else happened: a traceback, another exit status, a
hang, stray output.
"""

from __future__ import annotations

import hashlib
import random
import re
import shlex
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import onnx
from onnx import TensorProto, helper

from ramiel.fuzz.graphs import HEALTH_CHECKS_OFF, FuzzModel, fuzz_models
from ramiel.fuzz.sandbox import CommandResult, Sandbox, run_command

_ERROR_LINE = re.compile(r"ramiel: error: .+ \(.+\)")
_DIAGNOSTIC_START = re.compile(r"\S.*:\d+:\d+")
_NOTE = "ramiel: note: "
ARGS_PREFIX = "// ramiel-opt"
"""First line of a saved IR input: this, then the options it failed with (shell-quoted)."""


def problem_with(
    result: CommandResult, *, ir_text: bool, written: Path | None = None
) -> str | None:
    """Why `result` is not an acceptable end for a broken input, or None.

    `written` is a folder that a failed command must leave without files.
    """
    if result.hung:
        return "no result in time (a hang)"
    if result.crash:
        return f"traceback: {result.crash}"
    if "Traceback (most recent call last)" in result.stderr:
        return f"traceback on stderr: {result.stderr.strip().splitlines()[-1]}"
    lines = [line for line in result.stderr.splitlines() if not line.startswith(_NOTE)]
    if result.status == 0:
        stray = [line for line in lines if line.strip()]
        return f"success, but stderr says: {stray[0]}" if stray else None
    if result.status != 1:
        return f"exit status {result.status}: {' | '.join(lines[:3])}"
    if result.stdout:
        return f"failed, but wrote to stdout: {result.stdout[:80]!r}"
    if (
        written is not None
        and written.is_dir()
        and any(p.is_file() for p in written.iterdir())
    ):
        return f"failed, but left files in {written.name}"
    if len(lines) == 1 and _ERROR_LINE.fullmatch(lines[0]):
        return None
    if ir_text and len(lines) >= 2 and _DIAGNOSTIC_START.fullmatch(lines[0]):
        return None
    return f"not the error form: {' | '.join(lines[:4])!r}"


# Inputs to damage.


def seed_models(seed: int, count: int = 8) -> list[onnx.ModelProto]:
    """Small valid generated models, the raw material of damaged ones."""
    from hypothesis import Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    models: list[onnx.ModelProto] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=HEALTH_CHECKS_OFF,
    )
    @given(fuzz_models(6))
    def collect(case: FuzzModel) -> None:
        models.append(case.model)

    collect()
    return models


SEED_PASSES = (
    (),
    ("-p", "cleanup"),
    ("-p", "cleanup,cluster-cp,merge-clusters{workers=2}"),
    ("-p", "cleanup,cluster-cp,merge-clusters{workers=2},convert-dfg-to-pyemit"),
)
"""How seed IR texts are made from seed models: as imported, cleaned up, clustered, lowered."""


def seed_texts(models: Sequence[onnx.ModelProto]) -> list[str]:
    """IR texts to damage: each model printed at one of the `SEED_PASSES` stages."""
    texts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        for index, model in enumerate(models):
            path = Path(folder) / f"seed{index}.onnx"
            onnx.save(model, path)
            result = run_command(
                "ramiel-opt", [str(path), *SEED_PASSES[index % len(SEED_PASSES)]]
            )
            if result.status != 0:
                raise RuntimeError(f"a seed model does not compile: {result.stderr}")
            texts.append(result.stdout)
    return texts


# Damage.


def damage_bytes(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """`data` with one to four byte-level edits (`other` is spliced in by some)."""
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buffer:
            break
        edit = rng.choice(
            ("flip", "byte", "truncate", "delete", "insert", "duplicate", "splice")
        )
        at = rng.randrange(len(buffer))
        if edit == "flip":
            buffer[at] ^= 1 << rng.randrange(8)
        elif edit == "byte":
            buffer[at] = rng.choice((0, 0xFF, 0x7F, 0x80, rng.randrange(256)))
        elif edit == "truncate":
            del buffer[at:]
        elif edit == "delete":
            del buffer[at : at + rng.randint(1, 16)]
        elif edit == "insert":
            buffer[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif edit == "duplicate":
            buffer[at:at] = buffer[at : at + rng.randint(1, 32)]
        else:
            buffer[at:] = other[rng.randrange(len(other)) :] if other else b""
    return bytes(buffer)


def _tensor_names(graph: onnx.GraphProto) -> list[str]:
    return (
        [i.name for i in graph.input]
        + [t.name for t in graph.initializer]
        + [o for n in graph.node for o in n.output]
    )


def _rename(graph: onnx.GraphProto, old: str, new: str) -> None:
    for node in graph.node:
        for names in (node.input, node.output):
            for i, name in enumerate(names):
                if name == old:
                    names[i] = new
    for value in (*graph.input, *graph.output):
        if value.name == old:
            value.name = new


STRUCTURAL = (
    "cycle", "self-loop", "dangling-input", "duplicate-output", "duplicate-graph-output",
    "duplicate-input", "undefined-graph-output", "attribute-type", "attribute-value",
    "unknown-attribute", "operator", "domain", "input-count", "output-count",
    "initializer-shape", "initializer-data", "initializer-type", "input-shape", "output-shape",
    "element-type", "value-info", "opset", "ir-version", "empty-graph", "no-outputs",
    "no-graph", "names", "external-data", "huge-constant",
)  # fmt: skip
"""The structural defects `damage_structure` makes."""


def damage_structure(
    model: onnx.ModelProto, kind: str, rng: random.Random
) -> onnx.ModelProto:
    """A copy of `model` with one structural defect of `kind` (one of `STRUCTURAL`)."""
    broken = onnx.ModelProto()
    broken.CopyFrom(model)
    graph = broken.graph
    nodes = list(graph.node)
    node = rng.choice(nodes)
    if kind == "cycle" and len(nodes) >= 2:
        # An earlier node reads a later one's output: a cycle when the later one depends on it.
        first, last = sorted(rng.sample(range(len(nodes)), 2))
        nodes[first].input[0] = nodes[last].output[0]
    elif kind == "self-loop":
        node.input[rng.randrange(len(node.input))] = node.output[0]
    elif kind == "dangling-input":
        node.input[rng.randrange(len(node.input))] = rng.choice(
            ("missing", " ", "in1 ")
        )
    elif kind == "duplicate-output":
        node.output[0] = rng.choice(
            [n for n in _tensor_names(graph) if n != node.output[0]]
        )
    elif kind == "duplicate-graph-output":
        graph.output.append(graph.output[0])
    elif kind == "duplicate-input":
        graph.input.append(graph.input[0])
    elif kind == "undefined-graph-output":
        graph.output[0].name = "nowhere"
    elif kind == "attribute-type" and node.attribute:
        attr = rng.choice(node.attribute)
        others = [
            t for t in onnx.AttributeProto.AttributeType.values() if t != attr.type
        ]
        attr.type = cast(onnx.AttributeProto.AttributeType, rng.choice(others))
    elif kind == "attribute-value":
        value = rng.choice(
            (2**62, -(2**62), 0, -1, 7, 1e30, float("nan"), "x", [0], [2**40, -5])
        )
        name = rng.choice([a.name for a in node.attribute] or ["axis"])
        kept = [a for a in node.attribute if a.name != name]
        del node.attribute[:]
        node.attribute.extend([*kept, helper.make_attribute(name, value)])
    elif kind == "unknown-attribute":
        node.attribute.append(helper.make_attribute("bogus", 1))
    elif kind == "operator":
        node.op_type = rng.choice(
            ("Bogus", "", "relu", "Loop", "If", "NonZero", "Constant")
        )
    elif kind == "domain":
        node.domain = rng.choice(("com.microsoft", "ai.onnx.ml", "x"))
    elif kind == "input-count":
        if len(node.input) <= 1 or rng.random() < 0.5:
            node.input.extend(node.input[:1] * rng.randint(1, 5))
        else:
            del node.input[rng.randrange(len(node.input)) :]
    elif kind == "output-count":
        node.output.append(f"extra{rng.randrange(100)}")
    elif kind == "initializer-shape" and graph.initializer:
        rng.choice(graph.initializer).dims.append(rng.choice((0, 2, 3, 1000)))
    elif kind == "initializer-data" and graph.initializer:
        tensor = rng.choice(graph.initializer)
        tensor.raw_data = tensor.raw_data[: rng.randrange(len(tensor.raw_data) + 1)]
    elif kind == "initializer-type" and graph.initializer:
        rng.choice(graph.initializer).data_type = rng.choice((0, 7, 8, 10, 16, 1000))
    elif kind == "input-shape":
        dims = rng.choice(graph.input).type.tensor_type.shape.dim
        dim = rng.choice(dims)
        change = rng.choice(("wrong", "zero", "negative", "huge", "symbolic"))
        if change == "symbolic":
            dim.dim_param = "n"
        else:
            dim.dim_value = {
                "wrong": dim.dim_value + 1,
                "zero": 0,
                "negative": -3,
                "huge": 2**40,
            }[change]
    elif kind == "output-shape":
        shape = graph.output[0].type.tensor_type.shape
        if shape.dim:
            rng.choice(shape.dim).dim_value += rng.choice((1, 5))
        else:
            shape.dim.add().dim_value = 2
    elif kind == "element-type":
        value = rng.choice([*graph.input, *graph.output])
        value.type.tensor_type.elem_type = rng.choice((0, 6, 7, 8, 9, 11, 16, 1000))
    elif kind == "value-info":
        info = graph.value_info.add()
        info.CopyFrom(graph.output[0])
        info.name = rng.choice(_tensor_names(graph))
        info.type.tensor_type.shape.dim.add().dim_value = 3
    elif kind == "opset":
        del broken.opset_import[:]
        if rng.random() < 0.8:
            domain = rng.choice(("", "ai.onnx", "x"))
            broken.opset_import.append(
                helper.make_opsetid(domain, rng.choice((0, 1, 5, 6, 7, 12, 99, -1)))
            )
    elif kind == "ir-version":
        broken.ir_version = rng.choice((0, 1, 3, 99, -1))
    elif kind == "empty-graph":
        del graph.node[:]
    elif kind == "no-outputs":
        del graph.output[:]
    elif kind == "no-graph":
        broken.ClearField("graph")
    elif kind == "names":
        new = rng.choice(
            ("", "\x00", "a\nb", "x" * 10_000, "é", "'\"", "%0", "0", "in1")
        )
        _rename(graph, rng.choice([*graph.input, *graph.output]).name, new)
    elif kind == "external-data" and graph.initializer:
        tensor = rng.choice(graph.initializer)
        tensor.data_location = TensorProto.EXTERNAL
        entry = tensor.external_data.add()
        entry.key, entry.value = (
            "location",
            rng.choice(("../x", "/etc/passwd", "missing.bin", "", ".")),
        )
        tensor.ClearField("raw_data")
    elif kind == "huge-constant":
        # Folding this constant would take 8 GB.
        graph.initializer.append(
            helper.make_tensor("huge_dims", TensorProto.INT64, [1], [2**31])
        )
        graph.node.append(helper.make_node("ConstantOfShape", ["huge_dims"], ["huge"]))
        graph.node.append(
            helper.make_node("ReduceSum", ["huge"], ["huge_sum"], keepdims=0)
        )
        graph.output.append(
            helper.make_tensor_value_info("huge_sum", TensorProto.FLOAT, [])
        )
    return broken


IR_TOKENS = (
    "%", "{", "}", "(", ")", "<", ">", ":", ",", "=", '"', "x", "0", "-1", "?", "_", "@",
    "tensor<", "f32", "i64", "i1", "f16", "dfg.add", "dfg.conv", "func.return", "dense<",
    "#dfg.resource<", "0x", "99999999999999999999", "1e400", "\n", "//", "{-#", "#-}",
    "array<i64: ", "-> (", "builtin.module", "%x", "%0", "^bb0", "\\", "\U0001f600",
)  # fmt: skip
"""What `damage_text` inserts: IR punctuation, keywords, extreme numbers."""


def damage_text(text: str, rng: random.Random) -> str:
    """IR text with one to three random edits."""
    for _ in range(rng.randint(1, 3)):
        if not text:
            break
        edit = rng.choice(
            ("delete", "insert", "replace", "swap", "duplicate", "truncate", "number")
        )
        at = rng.randrange(len(text))
        if edit == "delete":
            text = text[:at] + text[at + rng.randint(1, 12) :]
        elif edit == "insert":
            text = text[:at] + rng.choice(IR_TOKENS) + text[at:]
        elif edit == "replace":
            text = text[:at] + rng.choice(IR_TOKENS) + text[at + rng.randint(1, 6) :]
        elif edit == "truncate":
            text = text[:at]
        elif edit == "number":
            numbers = list(re.finditer(r"\d+", text))
            if numbers:
                m = rng.choice(numbers)
                text = (
                    text[: m.start()]
                    + str(rng.choice((0, 1, 7, 2**31, 2**63, 10**30)))
                    + text[m.end() :]
                )
        else:
            lines = text.splitlines(keepends=True)
            if len(lines) >= 2:
                i, j = rng.sample(range(len(lines)), 2)
                if edit == "swap":
                    lines[i], lines[j] = lines[j], lines[i]
                else:
                    lines.insert(j, lines[i])
            text = "".join(lines)
    return text


IR_OPTIONS: tuple[tuple[str, ...], ...] = (
    (),
    ("-p", "cleanup"),
    ("-p", "cleanup,cluster-cp,merge-clusters{workers=2},clone"),
    ("-p", "cleanup,convert-dfg-to-pyemit", "-t", "python"),
    (
        "-p",
        "cleanup,cluster{heuristic=dsc workers=3 cost=static},convert-dfg-to-pyemit",
        "-t",
        "python",
    ),
)
"""What `ramiel-opt` runs on damaged IR text."""


def cli_mistakes(model: str, folder: str) -> list[tuple[str, list[str]]]:
    """Command lines with one mistake each, for `ramiel-opt` and `ramiel` (a valid `model` given)."""
    missing = str(Path(folder) / "missing.onnx")
    nowhere = str(Path(folder) / "no" / "such" / "out")
    opt = [
        [model, "-p", "cleanup{"], [model, "-p", "bogus"], [model, "-p", "cluster{workers=x}"],
        [model, "-p", "cluster{heuristic=none}"], [model, "-p", ",,"],
        [model, "--cluster-cp", "--workers", "0"], [model, "--workers", "x"], [model, "--bogus"],
        [missing], [model, "-o", nowhere], [model, "-o", folder], [model, "-t", "bogus"],
        [model, "-f", "bogus"], [model, "--input-shape", "x"], [model, "--input-shape", "in1=0x2"],
        [model, "--input-shape", "zz=1"], [model, "--load-heuristics", missing], [folder],
    ]  # fmt: skip
    cli = [
        [], ["bogus"], ["compile", model], ["compile", missing, "-o", folder],
        ["compile", model, "-o", folder, "--workers", "0"],
        ["compile", model, "-o", folder, "--workers", "-3"],
        ["compile", model, "-o", folder, "--pipeline", "cleanup{"],
        ["compile", model, "-o", nowhere + "\x00"],
        ["compile", model, "-o", folder, "--input-shape", "="],
        ["run", missing, "--inputs", missing, "-o", folder],
        ["run", model, "--inputs", model, "-o", str(Path(folder) / "o.npz")], ["check", missing],
        ["check", model, "--inputs", model], ["demo", "--runs", "0"], ["compile", folder, "-o", folder],
    ]  # fmt: skip
    return [("ramiel-opt", a) for a in opt] + [("ramiel", a) for a in cli]


# Fuzzing.


@dataclass(frozen=True)
class Finding:
    """A broken input that did not end in the error form."""

    kind: str
    command: str
    problem: str
    data: bytes | None
    """The input, to save (None when the command line is the input)."""
    suffix: str = ".onnx"

    def line(self) -> str:
        """The finding as one line of the fuzz report."""
        return f"{self.kind} ({self.command}): {self.problem}"

    def signature(self) -> str:
        """What findings of one cause share: the tool and the problem without its details."""
        problem = re.sub(r"'[^']*'|\d+", "_", self.problem)
        return f"{self.kind.split('/')[0]} {self.command.split()[0]}: {problem[:60]}"

    def save(self, folder: Path) -> Path | None:
        """Write the input into `folder` (see `save_input`); its path."""
        return None if self.data is None else save_input(self.data, folder, self.suffix)


def save_input(data: bytes, folder: Path, suffix: str) -> Path:
    """Write an input behind a finding into `folder`, named by its digest; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.blake2b(data, digest_size=6).hexdigest()}{suffix}"
    path.write_bytes(data)
    return path


@dataclass
class Report:
    """What a broken-input run saw."""

    inputs: int = 0
    accepted: int = 0
    refused: int = 0
    findings: list[Finding] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, result: CommandResult, problem: str | None) -> None:
        """Count one input's result."""
        self.inputs += 1
        self.kinds[kind] += 1
        self.accepted += problem is None and result.status == 0
        self.refused += problem is None and result.status == 1

    def find(self, finding: Finding, found: Found) -> None:
        """Record a finding and pass it on."""
        self.findings.append(finding)
        found(finding)


Found = Callable[[Finding], None]


def fuzz_onnx(budget: int, seed: int, sandbox: Sandbox, found: Found) -> Report:
    """Give `budget` damaged models to `ramiel-opt` and `ramiel compile`, half each."""
    rng = random.Random(seed)
    models = seed_models(seed)
    serialised = [m.SerializeToString() for m in models]
    report = Report()
    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        for index in range(budget):
            if rng.random() < 0.4:
                kind, data = (
                    "onnx/bytes",
                    damage_bytes(rng.choice(serialised), rng, rng.choice(serialised)),
                )
            else:
                defect = rng.choice(STRUCTURAL)
                kind, data = (
                    f"onnx/{defect}",
                    damage_structure(
                        rng.choice(models), defect, rng
                    ).SerializeToString(),
                )
            path = Path(folder) / f"input{index}.onnx"
            path.write_bytes(data)
            out = Path(folder) / f"out{index}"
            if index % 2:
                command = [
                    "compile",
                    str(path),
                    "-o",
                    str(out),
                    "--workers",
                    str(rng.randint(1, 3)),
                ]
                result = sandbox.run("ramiel", command)
                problem = problem_with(result, ir_text=False, written=out)
            else:
                command = [str(path)]
                result = sandbox.run("ramiel-opt", command)
                problem = problem_with(result, ir_text=False)
            report.add(kind, result, problem)
            if problem is not None:
                tool = "ramiel compile" if index % 2 else "ramiel-opt"
                report.find(Finding(kind, tool, problem, data), found)
            path.unlink()
    return report


def fuzz_ir(budget: int, seed: int, sandbox: Sandbox, found: Found) -> Report:
    """Give `budget` damaged IR texts to `ramiel-opt`, with and without passes."""
    rng = random.Random(seed)
    texts = seed_texts(seed_models(seed))
    report = Report()
    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        for index in range(budget):
            text = damage_text(rng.choice(texts), rng)
            options = rng.choice(IR_OPTIONS)
            path = Path(folder) / f"input{index}.mlir"
            path.write_text(text, encoding="utf-8")
            result = sandbox.run("ramiel-opt", [str(path), *options])
            problem = problem_with(result, ir_text=True)
            report.add("ir", result, problem)
            if problem is not None:
                saved = f"{ARGS_PREFIX} {shlex.join(options)}\n{text}".encode()
                report.find(
                    Finding(
                        "ir",
                        " ".join(["ramiel-opt", *options]),
                        problem,
                        saved,
                        ".mlir",
                    ),
                    found,
                )
            path.unlink()
    return report


def fuzz_cli(budget: int, seed: int, sandbox: Sandbox, found: Found) -> Report:
    """Run `budget` command lines with mistakes: each known one, then random combinations."""
    rng = random.Random(seed)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        model = str(Path(folder) / "model.onnx")
        onnx.save(seed_models(seed, 1)[0], model)
        mistakes = cli_mistakes(model, folder)
        for index in range(budget):
            tool, argv = mistakes[index % len(mistakes)]
            if index >= len(mistakes):
                extra = rng.choice(mistakes)[1]
                argv = argv + extra[rng.randrange(len(extra) + 1) :]
            result = sandbox.run(tool, argv)
            problem = problem_with(result, ir_text=False)
            report.add("cli", result, problem)
            if problem is not None:
                report.find(
                    Finding(
                        "cli",
                        " ".join([tool, *argv]).replace(folder, "DIR"),
                        problem,
                        None,
                    ),
                    found,
                )
    return report
