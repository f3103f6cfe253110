"""Broken and hostile inputs for Ramiel's commands.

Damaged models, damaged IR text and wrong command lines; IR text that xDSL's
lexer and parser cannot take (unterminated string literals and resource
sections, deep nesting, invalid UTF-8); hostile names and metadata strings;
attribute values outside the spec.

Every input must end in success or in the project's error form: exit status 1,
nothing on stdout, no file written, and on stderr (besides `ramiel: note:`
lines) either one line `ramiel: error: <what> (<where>)` or, for IR text, an
MLIR-style diagnostic (`file:line:col`, the source line, a caret, the message).
`problem_with` says what else happened: a traceback, another exit status, a
hang, stray output; `Session.give` adds a string of the input that ran as code.
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
from typing import Any, cast

import onnx
from onnx import TensorProto, helper

from tests.harness.fuzz.graphs import (
    HEALTH_CHECKS_OFF,
    LOWERING,
    FuzzModel,
    fuzz_models,
)
from tests.harness.fuzz.sandbox import CommandResult, Sandbox, run_command

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
    ("-p", f"cleanup,cluster-cp,merge-clusters{{workers=2}},{LOWERING}"),
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
        _set_attribute(node, rng.choice([a.name for a in node.attribute] or ["axis"]), value)
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
    ("-p", f"cleanup,{LOWERING}", "-t", "python"),
    (
        "-p",
        f"cleanup,cluster{{heuristic=dsc workers=3 cost=static}},{LOWERING}",
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


# Hostile IR text: what xDSL's lexer and parser cannot take.


def resource_seed() -> onnx.ModelProto:
    """A model with a weight large enough that its IR text has a `{-# dialect_resources #-}` section."""
    weight = helper.make_tensor("w", TensorProto.FLOAT, [1, 128], [i / 128 for i in range(128)])
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        "resource",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 128])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 128])],
        [weight],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


LITERAL_EDITS = ("unclosed", "newline", "escape", "control", "truncate", "lone-quote")
"""How `damage_strings` breaks a string literal."""

SECTION_EDITS = ("section-unclosed", "blob-unclosed", "blob-digits", "section-only")
"""How `damage_strings` breaks the resource section."""

_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_BLOB = re.compile(r'"0x[0-9A-Fa-f]*"')
_BAD_ESCAPES = ("\\q", "\\", "\\x", "\\u0041", "\\0", "\\\\\\", "\\4")
_CONTROLS = ("\v", "\f", "\r", "\t", "\x00")


def damage_strings(texts: Sequence[str], rng: random.Random) -> tuple[str, str]:
    """One of `texts` with a string literal or the resource section broken; (the edit, the text).

    Some literals first grow long: xDSL 0.75's lexer takes time exponential in
    the length of a literal it cannot match.
    """
    edit = rng.choice((*LITERAL_EDITS, *SECTION_EDITS))
    if edit in SECTION_EDITS:
        return edit, _damage_section(rng.choice([t for t in texts if "{-#" in t]), edit, rng)
    text = rng.choice(texts)
    start, end = rng.choice(list(_LITERAL.finditer(text))).span()
    body = text[start + 1 : end - 1] + "x" * rng.choice((0, 0, 40, 2000, 100_000))
    before, after = text[:start], text[end:]
    if edit == "unclosed":
        return edit, f'{before}"{body}{after}'
    if edit == "newline":
        return edit, f'{before}"{body}\n{after}'
    if edit in ("escape", "control"):
        inserted = rng.choice(_BAD_ESCAPES if edit == "escape" else _CONTROLS)
        return edit, f'{before}"{body}{inserted}"{after}'
    if edit == "truncate":
        return edit, text[: rng.randint(start + 1, end - 1)]
    at = rng.randrange(len(text))
    return edit, f'{text[:at]}"{"x" * rng.choice((0, 100, 10_000))}{text[at:]}'


def _damage_section(text: str, edit: str, rng: random.Random) -> str:
    """`text` with its resource section broken by `edit` (one of `SECTION_EDITS`)."""
    blobs = list(_BLOB.finditer(text, text.index("{-#")))
    blob = rng.choice(blobs)
    if edit == "blob-unclosed":
        return text[: blob.end() - 1] + text[blob.end() :]
    if edit == "blob-digits":
        at = rng.randint(blob.start() + 3, blob.end() - 1)
        return text[:at] + rng.choice(("zz", "0", "0x", '"', "\\")) + text[at:]
    if edit == "section-only":
        starts = ("{-#", "{-#\n", '{-# dialect_resources: {dfg: {k: "0x')
        return text[: text.index("{-#")] + rng.choice(starts)
    close = text.rfind("#-}")
    return text[:close] + text[close + 3 :]


NESTINGS: dict[str, tuple[str, str, str]] = {
    "array": ("[", "]", "1"),
    "dict": ("{a = ", "}", "1"),
    "tuple": ("tuple<", ">", "i32"),
    "mixed": ("[{a = ", "}]", "1"),
    "function": ("() -> (", ")", "i32"),
    "dense": ("[", "]", "1"),
    "location": ("fused[", "]", "unknown"),
    "region": ('"builtin.module"() ({\n', "}) : () -> ()\n", ""),
    "unbalanced": ("(", "", ""),
}
"""Constructs `nest` repeats: (opening, closing, innermost)."""


def nest(text: str, rng: random.Random, limit: int) -> tuple[str, str]:
    """IR text with a nested construct added, most often around `limit` deep; (its kind, the text)."""
    kind = rng.choice(list(NESTINGS))
    depth = rng.choice((rng.randint(1, 2 * limit), limit, limit - 1, limit + 1, 100_000))
    opening, closing, innermost = NESTINGS[kind]
    nested = opening * depth + innermost + closing * depth
    if kind == "dense":
        nested = f"dense<{nested}> : tensor<{'1x' * depth}i32>"
    elif kind == "location":
        nested = f"loc({nested})"
    if kind == "region":  # modules in modules, the seed innermost
        return kind, opening * depth + text + closing * depth
    if kind == "location":  # the location of the top-level module
        return kind, f"{text.rstrip()} {nested}\n"
    start = text.find("attributes {")
    if start == -1:
        return kind, text[:10] + nested + text[10:]
    at = start + len("attributes {")
    return kind, f"{text[:at]}deep = {nested}, {text[at:]}"


INVALID_UTF8 = (
    b"\xff", b"\xfe\xff", b"\xc3", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
    b"\xe2\x82", b"\xf0\x9f\x98",
)  # fmt: skip
"""Byte sequences that are not UTF-8: invalid, truncated, overlong, surrogate, beyond U+10FFFF."""

VALID_UNICODE = ("é", "\U0001f600", "\ufeff", "\u2028", "\x00", "\u202e")
"""Characters that are UTF-8 but not what IR text usually holds."""


def damage_utf8(text: str, rng: random.Random) -> tuple[str, bytes]:
    """IR text as bytes with invalid UTF-8, or only unusual characters; (the edit, the bytes)."""
    if rng.random() < 0.1:
        return "utf-16", text.encode("utf-16")
    unusual = rng.random() < 0.25
    data = text.encode()
    for _ in range(rng.randint(1, 3)):
        # Half of them inside a string literal, where any character may stand.
        quotes = [i + 1 for i, byte in enumerate(data) if byte == ord('"')]
        at = rng.choice(quotes) if quotes and rng.random() < 0.5 else rng.randrange(len(data) + 1)
        inserted = rng.choice(VALID_UNICODE).encode() if unusual else rng.choice(INVALID_UTF8)
        data = data[:at] + inserted + data[at:]
    return "unusual" if unusual else "invalid", data


# Hostile names and metadata strings.


def hostile_strings(marker: Path) -> list[str]:
    """Strings that break or inject code into whatever prints them unescaped.

    The injections create `marker` when they run: a file that exists afterwards
    means a string became code.
    """
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    return [
        "x coding: unicode_escape", "# -*- coding: utf-16 -*-", "coding=latin-1", "a\nb", "a\rb",
        "\u2028", "\x1b[31m", "'''", '"""', "\\", "$(touch x)", "-o", "--force", "..", " ", "",
        "é", "\U0001f600", "\ufeff", "x" * 300, "%s%n{0}", "\x00", "\x7f\x0c\x0b",
        f"\n{payload}\n#", f"\\n{payload}", f"x coding: unicode_escape \\n{payload}",
        f"'''\n{payload}\n'''", f'"""\n{payload}\n"""', f"')\n{payload}\n#", f'")\n{payload}\n#',
        f"\r{payload}", f"\u2028{payload}", f"\f{payload}", f"{{{payload}}}",
    ]  # fmt: skip


NAME_FIELDS = (
    "file-name", "graph-name", "node-name", "input-name", "output-name", "initializer-name",
    "value-name", "doc-string", "producer", "domain", "metadata",
)  # fmt: skip
"""Where `rename` puts a hostile string."""


def rename(model: onnx.ModelProto, field: str, text: str) -> onnx.ModelProto:
    """A copy of `model` with `text` in `field` (one of `NAME_FIELDS` but the file name)."""
    renamed = onnx.ModelProto()
    renamed.CopyFrom(model)
    graph = renamed.graph
    if field == "graph-name":
        graph.name = text
    elif field == "node-name":
        for node in graph.node:
            node.name = text
    elif field == "input-name" and graph.input:
        _rename(graph, graph.input[0].name, text)
    elif field == "output-name":
        _rename(graph, graph.output[0].name, text)
    elif field == "initializer-name" and graph.initializer:
        old = graph.initializer[0].name
        graph.initializer[0].name = text
        _rename(graph, old, text)
    elif field == "value-name" and len(graph.node) > 1:
        _rename(graph, graph.node[0].output[0], text)
    elif field == "doc-string":
        renamed.doc_string = graph.doc_string = text
        for node in graph.node:
            node.doc_string = text
    elif field == "producer":
        renamed.producer_name = renamed.producer_version = text
    elif field == "domain":
        renamed.domain = text
    else:
        helper.set_model_props(renamed, {text: text, "key": text})
    return renamed


def _file_stem(text: str) -> str:
    """`text` as a file name: no slash or NUL, not empty, at most 200 bytes."""
    stem = text.replace("/", "_").replace("\x00", "_").encode()[:200].decode(errors="ignore")
    return stem if stem not in ("", ".", "..") else f"_{stem}"


# Attribute values outside the spec.


def attribute_seeds() -> list[onnx.ModelProto]:
    """One small model for each operator whose attribute values the spec restricts most."""
    x4 = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 5])

    def single(node: onnx.NodeProto, *initializers: TensorProto) -> onnx.ModelProto:
        graph = helper.make_graph(
            [node], node.op_type, [x4], [helper.make_empty_tensor_value_info("y")], list(initializers)
        )
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])

    weight = helper.make_tensor("w", TensorProto.FLOAT, [2, 2, 3, 3], [0.1] * 36)
    scales = helper.make_tensor("scales", TensorProto.FLOAT, [4], [1, 1, 2, 2])
    return [
        single(helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=[1] * 4), weight),
        single(helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="linear"), scales),
        single(helper.make_node("LRN", ["x"], ["y"], size=3)),
        single(helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])),
        single(helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])),
    ]


KNOWN_OUT_OF_SPEC: tuple[tuple[str, str, object], ...] = (
    ("Resize", "mode", "bogus"), ("LRN", "size", 0), ("Conv", "auto_pad", "BOGUS"),
    ("Conv", "strides", [-1, -1]), ("Conv", "group", 0), ("Conv", "dilations", [0, 0]),
    ("MaxPool", "pads", [-1, -1, -1, -1]), ("AveragePool", "auto_pad", "BOGUS"),
    ("Resize", "coordinate_transformation_mode", "bogus"), ("Resize", "nearest_mode", "bogus"),
)  # fmt: skip
"""Out-of-spec values given first, each once: (operator, attribute, value)."""

OUT_OF_SPEC: dict[int, tuple[object, ...]] = {
    onnx.AttributeProto.INT: (0, -1, -2, 3, 7, 2**31, -(2**31), 2**62),
    onnx.AttributeProto.FLOAT: (float("nan"), float("inf"), -float("inf"), 0.0, -1.0, 1e38),
    onnx.AttributeProto.STRING: ("bogus", "", "BOGUS", "NOTSET ", "linear\x00", "é"),
    onnx.AttributeProto.INTS: ([], [0], [-1], [-1, -1], [0, 0, 0, 0], [2**40, 1], [1] * 9),
    onnx.AttributeProto.FLOATS: ([], [float("nan")], [-1.0], [0.0] * 9),
}
"""Values for each attribute type, most of them outside what some operator allows."""


def out_of_spec(model: onnx.ModelProto, rng: random.Random) -> tuple[str, onnx.ModelProto]:
    """A copy of `model` with one node's attribute (declared by its schema) set to an odd value.

    Returns the operator and attribute, and the model. Some node of `model` must
    have such an attribute (see `_odd_attributes`).
    """
    changed = onnx.ModelProto()
    changed.CopyFrom(model)
    node = rng.choice([n for n in changed.graph.node if _odd_attributes(n)])
    name, kind = rng.choice(_odd_attributes(node))
    _set_attribute(node, name, rng.choice(OUT_OF_SPEC[kind]), kind)
    return f"{node.op_type}.{name}", changed


_ATTRIBUTE_TYPES: dict[onnx.defs.OpSchema.AttrType, int] = {
    onnx.defs.OpSchema.AttrType.INT: onnx.AttributeProto.INT,
    onnx.defs.OpSchema.AttrType.FLOAT: onnx.AttributeProto.FLOAT,
    onnx.defs.OpSchema.AttrType.STRING: onnx.AttributeProto.STRING,
    onnx.defs.OpSchema.AttrType.INTS: onnx.AttributeProto.INTS,
    onnx.defs.OpSchema.AttrType.FLOATS: onnx.AttributeProto.FLOATS,
}
"""Schema attribute types that `OUT_OF_SPEC` has values for, as attributes spell them."""


def _odd_attributes(node: onnx.NodeProto) -> list[tuple[str, int]]:
    """The attributes (name, type) `node`'s schema declares that `OUT_OF_SPEC` has values for."""
    attributes = onnx.defs.get_schema(node.op_type, 18).attributes
    return [(n, _ATTRIBUTE_TYPES[a.type]) for n, a in attributes.items() if a.type in _ATTRIBUTE_TYPES]


def _set_attribute(
    node: onnx.NodeProto, name: str, value: object, attr_type: int | None = None
) -> None:
    """Give `node` attribute `name` the `value` (of `attr_type`, else of its Python type)."""
    kept = [a for a in node.attribute if a.name != name]
    del node.attribute[:]
    node.attribute.extend([*kept, helper.make_attribute(name, value, attr_type=attr_type)])


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


@dataclass(frozen=True)
class Session:
    """Where a fuzz run gives its inputs, and what it saw."""

    sandbox: Sandbox
    report: Report
    found: Found

    def give(
        self,
        kind: str,
        tool: str,
        argv: Sequence[str],
        data: bytes | None,
        *,
        command: str,
        ir_text: bool = False,
        written: Path | None = None,
        suffix: str = ".onnx",
        marker: Path | None = None,
    ) -> bool:
        """Run `tool argv` on input `data` (of `kind`); whether it succeeded as it may.

        A problem (see `problem_with`) is recorded as a finding named by
        `command`; so is a `marker` file that exists afterwards: code that a
        string in the input injected.
        """
        result = self.sandbox.run(tool, argv)
        problem = problem_with(result, ir_text=ir_text, written=written)
        if marker is not None and marker.exists():
            marker.unlink()
            problem = "a string in the input ran as code"
        self.report.add(kind, result, problem)
        if problem is not None:
            self.report.find(Finding(kind, command, problem, data, suffix), self.found)
        return problem is None and result.status == 0


def fuzz_onnx(budget: int, seed: int, sandbox: Sandbox, found: Found) -> Report:
    """Give `budget` damaged models to `ramiel-opt` and `ramiel compile`, half each."""
    rng = random.Random(seed)
    models = seed_models(seed)
    serialised = [m.SerializeToString() for m in models]
    session = Session(sandbox, Report(), found)
    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        for index in range(budget):
            if rng.random() < 0.4:
                kind = "onnx/bytes"
                data = damage_bytes(rng.choice(serialised), rng, rng.choice(serialised))
            else:
                defect = rng.choice(STRUCTURAL)
                kind = f"onnx/{defect}"
                data = damage_structure(rng.choice(models), defect, rng).SerializeToString()
            path = Path(folder) / f"input{index}.onnx"
            path.write_bytes(data)
            out = Path(folder) / f"out{index}"
            if index % 2:
                workers = str(rng.randint(1, 3))
                argv = ["compile", str(path), "-o", str(out), "--workers", workers]
                session.give(kind, "ramiel", argv, data, command="ramiel compile", written=out)
            else:
                session.give(kind, "ramiel-opt", [str(path)], data, command="ramiel-opt")
            path.unlink()
    return session.report


def fuzz_ir(budget: int, seed: int, sandbox: Sandbox, found: Found) -> Report:
    """Give `budget` damaged IR texts to `ramiel-opt`, with and without passes."""
    rng = random.Random(seed)
    texts = seed_texts(seed_models(seed))
    session = Session(sandbox, Report(), found)
    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        for index in range(budget):
            text = damage_text(rng.choice(texts), rng)
            path = Path(folder) / f"input{index}.mlir"
            give_ir(session, "ir", text.encode(), rng.choice(IR_OPTIONS), path)
    return session.report


def give_ir(session: Session, kind: str, data: bytes, options: Sequence[str], path: Path) -> None:
    """Run `ramiel-opt` with `options` on IR text `data`, written at `path` (then removed)."""
    path.write_bytes(data)
    saved = f"{ARGS_PREFIX} {shlex.join(options)}\n".encode() + data
    command = " ".join(["ramiel-opt", *options])
    argv = [str(path), *options]
    session.give(kind, "ramiel-opt", argv, saved, command=command, ir_text=True, suffix=".mlir")
    path.unlink()


def fuzz_cli(budget: int, seed: int, sandbox: Sandbox, found: Found) -> Report:
    """Run `budget` command lines with mistakes: each known one, then random combinations."""
    rng = random.Random(seed)
    session = Session(sandbox, Report(), found)
    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        model = str(Path(folder) / "model.onnx")
        onnx.save(seed_models(seed, 1)[0], model)
        mistakes = cli_mistakes(model, folder)
        for index in range(budget):
            tool, argv = mistakes[index % len(mistakes)]
            if index >= len(mistakes):
                extra = rng.choice(mistakes)[1]
                argv = argv + extra[rng.randrange(len(extra) + 1) :]
            command = " ".join([tool, *argv]).replace(folder, "DIR")
            session.give("cli", tool, argv, None, command=command)
    return session.report


TEXT_CLASSES = ("strings", "nesting", "utf8")
"""The kinds of hostile IR text `fuzz_text` makes."""


def fuzz_text(kind: str, budget: int, seed: int, sandbox: Sandbox, found: Found) -> Report:
    """Give `budget` IR texts of hostile `kind` (one of `TEXT_CLASSES`) to `ramiel-opt`."""
    from ramiel.limits import DEFAULT_MAX_NESTING

    rng = random.Random(seed)
    texts = seed_texts([*seed_models(seed), resource_seed()])
    session = Session(sandbox, Report(), found)
    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        for index in range(budget):
            if kind == "strings":
                edit, damaged = damage_strings(texts, rng)
                data = damaged.encode()
            elif kind == "nesting":
                edit, damaged = nest(rng.choice(texts), rng, DEFAULT_MAX_NESTING)
                data = damaged.encode()
            else:
                edit, data = damage_utf8(rng.choice(texts), rng)
            path = Path(folder) / f"input{index}.mlir"
            give_ir(session, f"{kind}/{edit}", data, rng.choice(IR_OPTIONS), path)
    return session.report


def fuzz_names(budget: int, seed: int, sandbox: Sandbox, found: Found) -> Report:
    """Compile and run `budget` models with hostile names and metadata strings, each field in turn.

    Each ends in success or the error form, and no string becomes code.
    """
    rng = random.Random(seed)
    models = seed_models(seed)
    session = Session(sandbox, Report(), found)
    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        marker = Path(folder) / "injected"
        strings = hostile_strings(marker)
        for index in range(budget):
            field, text = NAME_FIELDS[index % len(NAME_FIELDS)], rng.choice(strings)
            model = rng.choice(models)
            case = Path(folder) / f"case{index}"
            case.mkdir()
            if field == "file-name":
                path = case / f"{_file_stem(text)}.onnx"
                path.write_bytes(model.SerializeToString())
            else:
                path = case / "model.onnx"
                path.write_bytes(rename(model, field, text).SerializeToString())
            give_model(session, f"names/{field}", path, run=True, marker=marker)
    return session.report


def give_model(
    session: Session, kind: str, path: Path, *, run: bool, marker: Path | None = None
) -> None:
    """`ramiel compile` the model at `path` into a folder beside it; if `run`, `ramiel run` the result.

    The generated model runs on zeros of the graph inputs' declared shapes.
    `marker` is as for `Session.give`.
    """
    data = path.read_bytes()
    out = path.parent / "out"
    argv = ["compile", str(path), "-o", str(out)]
    compiled = session.give(
        kind, "ramiel", argv, data, command="ramiel compile", written=out, marker=marker
    )
    if not compiled:
        return
    generated = sorted(out.glob("*.py"))
    inputs, outputs = path.parent / "inputs.npz", path.parent / "outputs.npz"
    if run and generated and _write_zero_inputs(onnx.load_from_string(data), inputs):
        argv = ["run", str(generated[0]), "--inputs", str(inputs), "-o", str(outputs)]
        session.give(kind, "ramiel", argv, data, command="ramiel run", marker=marker)


def _write_zero_inputs(model: onnx.ModelProto, path: Path) -> bool:
    """Save zeros for the graph inputs of `model` as an .npz; whether their shapes allow it."""
    import numpy as np

    arrays: dict[str, Any] = {}
    for value in model.graph.input:
        tensor = value.type.tensor_type
        if not all(d.HasField("dim_value") for d in tensor.shape.dim):
            return False
        dtype = helper.tensor_dtype_to_np_dtype(tensor.elem_type)
        arrays[value.name] = np.zeros([d.dim_value for d in tensor.shape.dim], dtype)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return True


def fuzz_attributes(budget: int, seed: int, sandbox: Sandbox, found: Found) -> Report:
    """Import, or compile and run, `budget` models with attribute values outside the spec.

    The known cases come first. Refusing such values is the importer's job; until
    it does, each must end in success or the error form.
    """
    rng = random.Random(seed)
    seeds = attribute_seeds()
    generated = seed_models(seed, 16)
    models = [*seeds, *(m for m in generated if any(map(_odd_attributes, m.graph.node)))]
    session = Session(sandbox, Report(), found)
    with tempfile.TemporaryDirectory(prefix="ramiel-fuzz-") as folder:
        for index in range(budget):
            if index < len(KNOWN_OUT_OF_SPEC):
                op_type, name, value = KNOWN_OUT_OF_SPEC[index]
                model = onnx.ModelProto()
                model.CopyFrom(next(m for m in seeds if m.graph.node[0].op_type == op_type))
                _set_attribute(model.graph.node[0], name, value)
                what = f"{op_type}.{name}"
            else:
                what, model = out_of_spec(rng.choice(models), rng)
            case = Path(folder) / f"case{index}"
            case.mkdir()
            path = case / "model.onnx"
            path.write_bytes(model.SerializeToString())
            kind = f"attributes/{what}"
            if index % 2:
                give_model(session, kind, path, run=True)
            else:
                data = path.read_bytes()
                session.give(kind, "ramiel-opt", [str(path)], data, command="ramiel-opt")
    return session.report


def fuzz(kind: str, budget: int, seed: int, sandbox: Sandbox, found: Found) -> Report:
    """Run the broken-input fuzzer of `kind` (any of `tests.harness.fuzz.KINDS` but `valid`)."""
    if kind in TEXT_CLASSES:
        return fuzz_text(kind, budget, seed, sandbox, found)
    fuzzers = {
        "onnx": fuzz_onnx, "ir": fuzz_ir, "cli": fuzz_cli, "names": fuzz_names,
        "attributes": fuzz_attributes,
    }  # fmt: skip
    return fuzzers[kind](budget, seed, sandbox, found)
