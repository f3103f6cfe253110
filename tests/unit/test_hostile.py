"""Hostile models: names that try to inject code, external data that points away, outputs that overwrite.

Names reach the generated Python as identifiers, string literals and comments;
none may run, break the file, or merge two values into one. External data must
stay inside the model's folder. `ramiel compile -o DIR` writes only inside DIR
and overwrites only files that Ramiel generated, unless --force.
"""

from __future__ import annotations

import ast
import io
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from ramiel import api
from ramiel.codegen.escape import comment, module_name
from ramiel.errors import RamielError
from ramiel.numerics import assert_close
from tests.harness.fuzz.broken import problem_with
from tests.harness.fuzz.sandbox import run_command

ROOT = Path(__file__).resolve().parents[2]

PAYLOAD = "__import__('os').system('touch PWNED')"
"""Text that runs a shell command if it ever reaches code unescaped."""

HOSTILE_NAMES = (
    "x'\"\n\r\t",
    "class",
    "__init__",
    "ünï\u2028code",
    PAYLOAD,
    "a.b",
    "a_b",
    "a b",
    "self",
    "w",
    "inputs",
    "torch",
    "_check_inputs",
    "Model",
    "call",
    "__builtins__",
    '"""; import os; os.system("touch PWNED"); """',
    "\\",
    "# -*- coding: rot13 -*-",
)
"""Tensor names: quotes and control characters, keywords, dunders, the generated file's own
names, unicode, names that differ only in what becomes `_`, and code."""


def hostile_model() -> onnx.ModelProto:
    """A small graph whose every name is hostile; each output depends on the inputs' order."""
    a, b, c, d, e, f, g, h = HOSTILE_NAMES[:8]
    outputs = HOSTILE_NAMES[8:14]
    nodes = [
        helper.make_node("Sub", [f, g], [outputs[0]], name=PAYLOAD + "\n'''"),
        helper.make_node("Sub", [g, h], [outputs[1]], name='"""', doc_string=PAYLOAD),
        helper.make_node("Div", [a, b], [outputs[2]], name="\\\\"),
        helper.make_node("Sub", [c, d], [HOSTILE_NAMES[14]], name="\n#"),
        helper.make_node(
            "Relu", [HOSTILE_NAMES[14]], [outputs[3]], name=HOSTILE_NAMES[15]
        ),
        helper.make_node(
            "Mul", [e, "__weight__'"], [HOSTILE_NAMES[16]], name=HOSTILE_NAMES[16]
        ),
        helper.make_node(
            "Sub", [HOSTILE_NAMES[16], a], [outputs[4]], name=HOSTILE_NAMES[17]
        ),
        helper.make_node("Sub", [outputs[4], e], [outputs[5]], name=HOSTILE_NAMES[18]),
    ]
    weight = numpy_helper.from_array(
        np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5, "__weight__'"
    )
    graph = helper.make_graph(
        nodes,
        PAYLOAD,
        [
            helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 3])
            for n in HOSTILE_NAMES[:8]
        ],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 3]) for n in outputs],
        [weight],
        doc_string=PAYLOAD,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 18)],
        producer_name=PAYLOAD,
        doc_string='"""' + PAYLOAD,
        ir_version=8,
    )
    helper.set_model_props(model, {PAYLOAD: PAYLOAD})
    return model


def _no_payload_ran(folder: Path) -> None:
    assert not list(folder.rglob("PWNED")), "a name ran as code"
    assert not Path("PWNED").exists()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in an empty folder, where a payload that ran would leave its file."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_hostile_names_compile_to_correct_code_that_runs_nothing(
    workers: int, in_tmp: Path
) -> None:
    model = hostile_model()
    compiled = api.compile(model, workers=workers, out_dir=in_tmp / "out")
    tree = ast.parse(compiled.source)
    called = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert "__import__" not in called
    assert "system" not in {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
    }
    # Every input and output keeps its own name: none merged, none lost.
    assert [name for name, _, _ in compiled.inputs] == list(HOSTILE_NAMES[:8])
    assert compiled.outputs == HOSTILE_NAMES[8:14]
    inputs = api.random_inputs(compiled.inputs, seed=1)
    reference = api.onnxruntime_outputs(model, inputs)
    import torch

    with compiled.load() as loaded:
        outputs = api.call_model(
            loaded,
            [torch.from_numpy(inputs[n]) for n in HOSTILE_NAMES[:8]],
            compiled.outputs,
        )
    for name, expected in zip(compiled.outputs, reference, strict=True):
        assert_close(outputs[name], expected, repr(name))
    _no_payload_ran(in_tmp)


def test_the_generated_file_is_lint_clean(in_tmp: Path) -> None:
    compiled = api.compile(hostile_model(), workers=2, out_dir=in_tmp / "out")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--config",
            str(ROOT / "pyproject.toml"),
            str(compiled.path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    _no_payload_ran(in_tmp)


def test_hostile_names_through_the_commands(in_tmp: Path) -> None:
    model_path = in_tmp / "model.onnx"
    onnx.save(hostile_model(), model_path)
    result = run_command(
        "ramiel", ["compile", str(model_path), "-o", "out", "--workers", "2"]
    )
    assert (result.status, problem_with(result, ir_text=False)) == (0, None)
    inputs = api.random_inputs(
        api.compile(hostile_model(), out_dir=in_tmp / "probe").inputs, seed=2
    )
    api.save_arrays(in_tmp / "in.npz", inputs)
    result = run_command(
        "ramiel", ["run", "out/model.py", "--inputs", "in.npz", "-o", "out.npz"]
    )
    assert (result.status, result.stderr) == (0, "")
    with np.load(in_tmp / "out.npz") as saved:
        assert sorted(saved.files) == sorted(HOSTILE_NAMES[8:14])
        reference = api.onnxruntime_outputs(hostile_model(), inputs)
        for name, expected in zip(HOSTILE_NAMES[8:14], reference, strict=True):
            assert_close(saved[name], expected, repr(name))
    result = run_command(
        "ramiel-opt",
        [str(model_path), "-p", "cleanup,cluster-cp,merge-clusters{workers=2}"],
    )
    assert (result.status, problem_with(result, ir_text=False)) == (0, None)
    _no_payload_ran(in_tmp)


def test_a_nul_in_an_input_name_survives_ramiel_run(in_tmp: Path) -> None:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x\x00y"], ["y"])],
        "nul",
        [helper.make_tensor_value_info("x\x00y", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    compiled = api.compile(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]),
        out_dir="out",
    )
    api.save_arrays("in.npz", {"x\x00y": np.array([-1.0, 2.0], np.float32)})
    result = run_command(
        "ramiel", ["run", str(compiled.path), "--inputs", "in.npz", "-o", "out.npz"]
    )
    assert (result.status, result.stderr) == (0, "")


# Source encodings: PEP 263 reads a `coding:` declaration on either of a file's first
# two lines, and `unicode_escape` would turn the escaped newlines of every later
# comment into real ones.

CODING_STEMS = (
    "x coding: unicode_escape",
    "x coding=utf-16",
    "x coding: undefined",
    "-*- coding: rot13 -*-",
    "vim: set fileencoding=latin-1 :",
)
"""File stems (they become the model's name in the header) that declare an encoding."""

INDENTED_PAYLOAD = "n\n            __import__('os').system('touch PWNED')\n            #"
"""A node name that, were its escaped newlines decoded, would be a statement of `forward`."""


def _relu_model() -> onnx.ModelProto:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name=INDENTED_PAYLOAD)],
        "coding: unicode_escape",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


@pytest.mark.parametrize("stem", CODING_STEMS)
def test_an_encoding_declared_by_a_file_name_changes_nothing(stem: str, in_tmp: Path) -> None:
    model_path = in_tmp / f"{stem}.onnx"
    onnx.save(_relu_model(), model_path)
    result = run_command("ramiel", ["compile", str(model_path), "-o", "out", "--workers", "1"])
    assert (result.status, problem_with(result, ir_text=False)) == (0, None)
    path = in_tmp / "out" / f"{module_name(stem)}.py"
    data = path.read_bytes()
    assert data.isascii()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    assert encoding == "utf-8"
    assert not re.search(rb"coding[:=]", data), "a declaration reached the file"
    # A fresh interpreter reads the file as Python would read it from disk.
    script = "import runpy, sys, torch; m = runpy.run_path(sys.argv[1]); print(m['Model']()(torch.ones(1, 4)).sum().item())"
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "4.0"), done.stderr
    _no_payload_ran(in_tmp)


@given(st.text())
def test_no_comment_declares_an_encoding(text: str) -> None:
    note = comment(text)
    assert note.isascii()
    assert note.isprintable()
    assert not re.search(r"coding[:=]", note)


# External data.


def _with_external_data(folder: Path, location: str) -> Path:
    """A model in `folder` whose weight is stored at `location` (relative to the folder or not)."""
    weight = numpy_helper.from_array(np.arange(4, dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        "external",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
        [weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    onnx.save(
        model,
        folder / "model.onnx",
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="weights.bin",
        size_threshold=0,
    )
    saved = onnx.load(folder / "model.onnx", load_external_data=False)
    entry = next(
        e for e in saved.graph.initializer[0].external_data if e.key == "location"
    )
    entry.value = location
    onnx.save(saved, folder / "model.onnx")
    return folder / "model.onnx"


def test_external_data_inside_the_folder_loads(tmp_path: Path) -> None:
    path = _with_external_data(tmp_path, "weights.bin")
    with api.compile(path, out_dir=tmp_path / "out").load() as loaded:
        import torch

        (y,) = api.call_model(loaded, [torch.ones(4)], ["y"]).values()
    np.testing.assert_array_equal(y, np.arange(4, dtype=np.float32) + 1)


def _outside_locations(tmp_path: Path) -> list[str]:
    """Locations of the weights that lead out of the model's folder, each made to exist."""
    folder = tmp_path / "model"
    folder.mkdir()
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(4, dtype=np.float32).tobytes())
    (folder / "link.bin").symlink_to(secret)
    (folder / "linked").symlink_to(tmp_path)
    return [
        "../secret.bin",
        "../../" * 8 + str(secret).lstrip("/"),
        str(secret),
        "link.bin",
        "linked/secret.bin",
        "./../model/../secret.bin",
    ]


@pytest.mark.parametrize("index", range(6))
def test_external_data_outside_the_folder_is_refused(
    index: int, tmp_path: Path
) -> None:
    location = _outside_locations(tmp_path)[index]
    path = _with_external_data(tmp_path / "model", location)
    with pytest.raises(RamielError, match="points outside the model's folder"):
        api.compile(path, out_dir=tmp_path / "out")
    result = run_command("ramiel", ["compile", str(path), "-o", str(tmp_path / "out")])
    assert result.status == 1
    assert problem_with(result, ir_text=False, written=tmp_path / "out") is None
    assert "points outside the model's folder" in result.stderr
    result = run_command("ramiel-opt", [str(path)])
    assert (result.status, problem_with(result, ir_text=False)) == (1, None)


# Where `ramiel compile -o DIR` writes.


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        if p.is_file() and not p.is_symlink()
        else b"<dir or link>"
        for p in sorted(folder.rglob("*"))
    }


def _model_file(folder: Path, name: str = "model.onnx") -> Path:
    path = folder / name
    onnx.save(hostile_model(), path)
    return path


@pytest.mark.parametrize(
    "name", ["model.onnx", "...onnx", "..onnx", "x.py.onnx", "a b'\".onnx"]
)
def test_compile_writes_only_inside_its_folder(name: str, in_tmp: Path) -> None:
    model = _model_file(in_tmp, name)
    before = _snapshot(in_tmp)
    result = run_command("ramiel", ["compile", str(model), "-o", "out"])
    assert (result.status, problem_with(result, ir_text=False)) == (0, None)
    after = _snapshot(in_tmp)
    written = {k for k in after if k not in before}
    assert written, "nothing was written"
    assert all(Path(k).parts[0] == "out" for k in written), written
    assert all(after[k] == before[k] for k in before)
    assert sorted(p.name for p in (in_tmp / "out").iterdir()) == sorted(
        f"{module_name(Path(name).stem)}{suffix}" for suffix in (".py", ".weights.pt")
    )


def test_compile_refuses_to_overwrite_a_file_it_did_not_write(in_tmp: Path) -> None:
    model = _model_file(in_tmp)
    out = in_tmp / "out"
    out.mkdir()
    mine = out / "model.py"
    mine.write_text("print('my own work')\n")
    result = run_command("ramiel", ["compile", str(model), "-o", str(out)])
    assert result.status == 1
    assert (
        result.stderr
        == f"ramiel: error: refusing to overwrite a file that Ramiel did not generate (use --force) ({mine})\n"
    )
    assert mine.read_text() == "print('my own work')\n"
    assert sorted(p.name for p in out.iterdir()) == ["model.py"]
    result = run_command("ramiel", ["compile", str(model), "-o", str(out), "--force"])
    assert result.status == 0
    assert mine.read_text().startswith("# Generated by Ramiel")


def test_compile_refuses_to_overwrite_weights_it_did_not_write(in_tmp: Path) -> None:
    model = _model_file(in_tmp)
    out = in_tmp / "out"
    out.mkdir()
    (out / "model.weights.pt").write_bytes(b"precious")
    result = run_command("ramiel", ["compile", str(model), "-o", str(out)])
    assert result.status == 1
    assert (out / "model.weights.pt").read_bytes() == b"precious"
    assert not (out / "model.py").exists()


def test_compile_overwrites_its_own_files(in_tmp: Path) -> None:
    model = _model_file(in_tmp)
    for _ in range(2):
        result = run_command("ramiel", ["compile", str(model), "-o", "out"])
        assert (result.status, result.stderr) == (0, "")
    assert sorted(os.listdir(in_tmp / "out")) == ["model.py", "model.weights.pt"]


def test_compile_replaces_a_link_but_not_what_it_points_to(in_tmp: Path) -> None:
    model = _model_file(in_tmp)
    outside = in_tmp / "outside.py"
    outside.write_text("# Generated by Ramiel, but not here\n")
    out = in_tmp / "out"
    out.mkdir()
    (out / "model.py").symlink_to(outside)
    result = run_command("ramiel", ["compile", str(model), "-o", str(out)])
    assert (result.status, result.stderr) == (0, "")
    assert outside.read_text() == "# Generated by Ramiel, but not here\n"
    assert not (out / "model.py").is_symlink()


# Every command line the README shows, given files that are missing or are not what they claim.

_README = Path(__file__).resolve().parents[2] / "README.md"

_BROKEN_FILES = {
    ".onnx": b"not a model",
    ".mlir": b'"unterminated {{',
    ".py": b"print('not generated by Ramiel')\n",
    ".npz": b"PK\x03\x04 not an archive",
}


def _readme_commands() -> list[list[str]]:
    """The `ramiel` and `ramiel-opt` lines of the README's shell blocks that name an input file."""
    import shlex

    blocks = re.findall(r"```sh\n(.*?)```", _README.read_text(encoding="utf-8"), re.S)
    commands = [shlex.split(line, comments=True) for block in blocks for line in block.splitlines()]
    return [
        argv for argv in commands
        if argv and argv[0] in ("ramiel", "ramiel-opt") and any(Path(a).suffix in _BROKEN_FILES for a in argv)
    ]  # fmt: skip


@pytest.mark.parametrize("present", [False, True], ids=["missing", "broken"])
@pytest.mark.parametrize("argv", _readme_commands(), ids=" ".join)
def test_every_readme_command_line_fails_in_one_line(argv: list[str], present: bool, in_tmp: Path) -> None:
    inputs = [a for a in argv[1:] if Path(a).suffix in _BROKEN_FILES and a not in ("b.svg", "out.npz")]
    if present:
        for name in inputs:
            (in_tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (in_tmp / name).write_bytes(_BROKEN_FILES[Path(name).suffix])
    result = run_command(argv[0], argv[1:])
    assert result.status == 1, result.stderr
    # One `ramiel: error:` line, or for broken IR text its MLIR-style diagnostic.
    written = None if any(n.startswith("out/") for n in inputs) else in_tmp / "out"
    assert problem_with(result, ir_text=present, written=written) is None, result.stderr
    assert not (in_tmp / "out.npz").exists()
    assert not (in_tmp / "pictures").exists()
