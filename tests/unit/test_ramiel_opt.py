"""`ramiel-opt`: its errors, its output file, and the xdsl-opt flags it keeps.

Most runs are in-process (`main([...])`); a few go through the installed console
script to check what a user sees, tracebacks included.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from xdsl.ir import Attribute

from ramiel.tools.ramiel_opt import main

RAMIEL_OPT = Path(sys.executable).parent / "ramiel-opt"
F32 = TensorProto.FLOAT


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> Run:
    """`ramiel-opt ARGS` in this process."""
    try:
        main(args)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def run_script(args: list[str], stdin: str | bytes | None = None) -> Run:
    """`ramiel-opt ARGS` as a separate process, as a user runs it."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run([str(RAMIEL_OPT), *args], input=data, capture_output=True, timeout=120)
    return Run(done.returncode, done.stdout.decode(), done.stderr.decode())


def save(path: Path, nodes: list[onnx.NodeProto], inputs: list[tuple[str, int, list[int | str] | None]],
         outputs: list[str], opset: int = 18, initializers: dict[str, np.ndarray] | None = None) -> Path:  # fmt: skip
    model = helper.make_model(
        helper.make_graph(
            nodes,
            "g",
            [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
            [helper.make_empty_tensor_value_info(n) for n in outputs],
            [numpy_helper.from_array(v, k) for k, v in (initializers or {}).items()],
        ),
        opset_imports=[helper.make_opsetid("", opset)],
    )
    model.ir_version = 8
    onnx.save(model, path)
    return path


def relu(path: Path, shape: list[int | str] | None = None, name: str = "x") -> Path:
    return save(path, [helper.make_node("Relu", [name], ["y"], name="relu")], [(name, F32, shape or [1, 3])], ["y"])


def matmul_with_external_data(folder: Path, location: str = "w.data") -> Path:
    w = np.arange(60, dtype=np.float32).reshape(4, 15)
    path = save(folder / "m.onnx", [helper.make_node("MatMul", ["x", "w"], ["y"])], [("x", F32, [1, 4])], ["y"], initializers={"w": w})
    model = onnx.load(path)
    onnx.save(model, path, save_as_external_data=True, location=location, size_threshold=0)
    return path


VALID_IR = """func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = dfg.relu %x : (tensor<2xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
"""

BAD_SHAPE_IR = """func.func @f(%x: tensor<2xf32>) -> tensor<3xf32> {
  %y = dfg.relu %x : (tensor<2xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
"""


# Bad inputs: one line on stderr, status 1, no output file.


@dataclass(frozen=True)
class Bad:
    name: str
    make: Callable[[Path], list[str]]
    """Writes the input files into a folder and returns the arguments."""
    message: str
    """The expected stderr line; `{dir}` is the folder; a regex if it starts with `^`."""


def _not_onnx(d: Path) -> list[str]:
    (d / "a.onnx").write_text("hello world\n")
    return [str(d / "a.onnx")]


def _truncated(d: Path) -> list[str]:
    data = relu(d / "full.onnx").read_bytes()
    (d / "a.onnx").write_bytes(data[: len(data) // 2])
    return [str(d / "a.onnx")]


def _unsupported_op(d: Path) -> list[str]:
    # TfIdfVectorizer works on token ids, outside what Ramiel compiles.
    node = helper.make_node(
        "TfIdfVectorizer", ["x"], ["v"], name="top", mode="TF", min_gram_length=1, max_gram_length=1,
        max_skip_count=0, ngram_counts=[0], ngram_indexes=[0], pool_int64s=[1],
    )
    return [str(save(d / "a.onnx", [node], [("x", TensorProto.INT64, [5])], ["v"], opset=11))]


def _element_type(data_type: int) -> Callable[[Path], list[str]]:
    def make(d: Path) -> list[str]:
        node = helper.make_node("Identity", ["x"], ["y"])
        return [str(save(d / "a.onnx", [node], [("x", data_type, [2])], ["y"]))]

    return make


def _missing_external(d: Path) -> list[str]:
    path = matmul_with_external_data(d)
    (d / "w.data").unlink()
    return [str(path)]


def _outside_external(d: Path) -> list[str]:
    inner = d / "inner"
    inner.mkdir()
    path = matmul_with_external_data(inner)
    model = onnx.load(path, load_external_data=False)
    for entry in model.graph.initializer[0].external_data:
        if entry.key == "location":
            entry.value = "../w.data"
    (inner / "w.data").rename(d / "w.data")
    onnx.save(model, path)
    return [str(path)]


def _cycle(d: Path) -> list[str]:
    nodes = [
        helper.make_node("Relu", ["b"], ["a"], name="r1"),
        helper.make_node("Relu", ["a"], ["b"], name="r2"),
        helper.make_node("Add", ["x", "a"], ["y"], name="add"),
    ]
    return [str(save(d / "a.onnx", nodes, [("x", F32, [3])], ["y"]))]


def _undefined(d: Path) -> list[str]:
    node = helper.make_node("Add", ["x", "nope"], ["y"], name="add")
    return [str(save(d / "a.onnx", [node], [("x", F32, [3])], ["y"]))]


BAD_INPUTS = [
    Bad("not-onnx", _not_onnx, "not an ONNX model, or a truncated one ({dir}/a.onnx)"),
    Bad("truncated", _truncated, "not an ONNX model, or a truncated one ({dir}/a.onnx)"),
    Bad("unsupported-operator", _unsupported_op, "unsupported operator TfIdfVectorizer at opset 11 ({dir}/a.onnx, node 'top')"),
    Bad("complex64", _element_type(TensorProto.COMPLEX64), "unsupported element type complex64 of graph input 'x' ({dir}/a.onnx)"),
    Bad("string", _element_type(TensorProto.STRING), "unsupported element type string of graph input 'x' ({dir}/a.onnx)"),
    Bad("missing-external-data", _missing_external, "missing external data file for tensor 'w' ({dir}/w.data)"),
    Bad("external-data-outside", _outside_external, "external data of tensor 'w' points outside the model's folder (../w.data)"),
    Bad("cycle", _cycle, "the graph has a cycle through add, r1, r2 ({dir}/a.onnx)"),
    Bad("undefined-input", _undefined, "input 'nope' is never defined ({dir}/a.onnx, node 'add')"),
    Bad(
        "symbolic-dimension",
        lambda d: [str(relu(d / "a.onnx", [1, "C"]))],
        "input 'x' has symbolic dimension 'C' at position 1; give its shape with --input-shape x=D0x...xDn ({dir}/a.onnx)",
    ),
    Bad(
        "input-shape-spec",
        lambda d: [str(relu(d / "a.onnx")), "--input-shape", "x=1xa"],
        "expected NAME=D0x...xDn with positive dimensions (--input-shape x=1xa)",
    ),
    Bad(
        "input-shape-name",
        lambda d: [str(relu(d / "a.onnx")), "--input-shape", "z=1x3"],
        "--input-shape names no graph input 'z' (inputs: 'x') ({dir}/a.onnx)",
    ),
    Bad(
        "unknown-pass",
        lambda d: [str(relu(d / "a.onnx")), "-p", "dce,no-such-pass"],
        r"^unknown pass 'no-such-pass' \(passes: [a-z, -]*\bdce\b[a-z, -]*\) \(-p dce,no-such-pass\)$",
    ),
    Bad(
        "pipeline-syntax",
        lambda d: [str(relu(d / "a.onnx")), "-p", "dce{"],
        r"^bad pass pipeline: .* \(-p dce\{\)$",
    ),
    Bad(
        "over-max-memory",
        lambda d: [str(matmul_with_external_data(d)), "--max-memory", "100"],
        # 60 float32 weights, held three times while compiling (ramiel.limits.COMPILE_COPIES).
        "^compiling needs about 720 bytes for the model's tensors, more than the memory budget of "
        r"100 bytes; the largest is 'w' \(240 bytes\)",
    ),
    Bad(
        "bad-max-memory",
        lambda d: [str(relu(d / "a.onnx")), "--max-memory", "0"],
        "argument --max-memory: expected a size of at least one byte, got '0' (command line)",
    ),
    Bad("no-input-file", lambda d: [str(d / "none.onnx")], "no such input file ({dir}/none.onnx)"),
    Bad("no-input-mlir", lambda d: [str(d / "none.mlir")], "no such input file ({dir}/none.mlir)"),
    Bad(
        "unknown-format",
        lambda d: [str(_write(d / "a.txt", VALID_IR))],
        "unknown input format 'txt' (known: mlir, onnx; choose one with -f) ({dir}/a.txt)",
    ),
]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[b.name for b in BAD_INPUTS])
def test_bad_input(bad: Bad, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = bad.make(tmp_path)
    output = tmp_path / "out.mlir"
    result = run([*args, "-o", str(output)], capsys)
    assert result.code == 1
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("ramiel: error: ")
    message = lines[0].removeprefix("ramiel: error: ")
    if bad.message.startswith("^"):
        assert re.match(bad.message, message), message
    else:
        assert message == bad.message.format(dir=tmp_path)
    assert not output.exists()


def test_output_folder_must_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = relu(tmp_path / "a.onnx")
    target = tmp_path / "missing" / "out.mlir"
    result = run([str(path), "-o", str(target)], capsys)
    assert result.code == 1
    assert result.err == f"ramiel: error: the output file's folder does not exist ({target})\n"
    assert not target.parent.exists()


def test_failed_run_leaves_an_existing_output_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = _write(tmp_path / "out.mlir", "previous\n")
    for args in ([str(_not_onnx(tmp_path)[0])], [str(_write(tmp_path / "bad.mlir", BAD_SHAPE_IR))]):
        result = run([*args, "-o", str(output)], capsys)
        assert result.code == 1
        assert output.read_text() == "previous\n"


def test_output_file_written_on_success(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = _write(tmp_path / "out.mlir", "previous\n")
    result = run([str(relu(tmp_path / "a.onnx")), "-o", str(output)], capsys)
    assert result.code == 0
    assert result.out == ""
    assert "dfg.relu %x : (tensor<1x3xf32>) -> tensor<1x3xf32>" in output.read_text()


class Test_script:
    """What a user sees from the console script."""

    def test_bad_model(self, tmp_path: Path) -> None:
        result = run_script(_unsupported_op(tmp_path))
        assert result.code == 1
        assert result.out == ""
        assert result.err == (
            f"ramiel: error: unsupported operator TfIdfVectorizer at opset 11 ({tmp_path}/a.onnx, node 'top')\n"
        )

    def test_invalid_ir(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "bad.mlir", BAD_SHAPE_IR)
        result = run_script([str(path)])
        assert result.code == 1
        assert result.out == ""
        assert "Traceback" not in result.err
        assert result.err.splitlines() == [
            f"{path}:2:3",
            "  %y = dfg.relu %x : (tensor<2xf32>) -> tensor<3xf32>",
            "  " + "^" * len("%y = dfg.relu %x : (tensor<2xf32>) -> tensor<3xf32>"),
            "  'dfg.relu' op result #0 has shape 3, but Relu gives 2",
        ]

    def test_stdin(self) -> None:
        result = run_script([], stdin=VALID_IR)
        assert result.code == 0, result.err
        assert "%y = dfg.relu %x : (tensor<2xf32>) -> tensor<2xf32>" in result.out

    def test_onnx_on_stdin(self, tmp_path: Path) -> None:
        result = run_script(["-f", "onnx"], stdin=relu(tmp_path / "a.onnx").read_bytes())
        assert result.code == 0, result.err
        assert "dfg.relu %x : (tensor<1x3xf32>) -> tensor<1x3xf32>" in result.out


class Test_ir_errors:
    def test_syntax_error(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = _write(tmp_path / "a.mlir", VALID_IR.replace("-> tensor<2xf32>\n  func", "->\n  func"))
        result = run([str(path)], capsys)
        assert result.code == 1
        lines = result.err.splitlines()
        assert lines[0] == f"{path}:3:3"
        assert lines[1] == "  func.return %y : tensor<2xf32>"
        assert lines[-1].strip() == "type expected"

    def test_verification_error_in_a_later_chunk(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = _write(tmp_path / "a.mlir", VALID_IR + "// -----\n" + BAD_SHAPE_IR)
        result = run([str(path), "--split-input-file"], capsys)
        assert result.code == 1
        # Line numbers count from the top of the file, not of the chunk.
        assert result.err.splitlines()[0] == f"{path}:7:3"

    def test_block_rule(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = _write(tmp_path / "a.mlir", "// an empty body\nfunc.func @f(%a: tensor<2xf32>) {\n}\n")
        result = run([str(path)], capsys)
        assert result.code == 1
        lines = result.err.splitlines()
        assert lines[0] == f"{path}:2:1"
        assert lines[-1] == (
            "'func.func' op Operation func.func contains empty block in single-block region "
            "that expects at least a terminator"
        )

    def test_unknown_op(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = _write(tmp_path / "a.mlir", VALID_IR.replace("dfg.relu", "dfg.frobnicate"))
        result = run([str(path)], capsys)
        assert result.code == 1
        lines = result.err.splitlines()
        assert lines[0].startswith(f"{path}:2:")
        assert lines[-1].strip() == "Operation dfg.frobnicate is not registered"


class Test_xdsl_flags:
    def test_split_input_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = _write(tmp_path / "a.mlir", VALID_IR + "// -----\n" + VALID_IR.replace("@f", "@g"))
        result = run([str(path), "--split-input-file"], capsys)
        assert result.code == 0
        first, second = result.out.split("// -----\n")
        assert "func.func @f" in first
        assert "func.func @g" in second

    def test_trailing_separator_gives_an_empty_module(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = _write(tmp_path / "a.mlir", VALID_IR + "// -----\n")
        result = run([str(path), "--split-input-file"], capsys)
        assert result.code == 0, result.err
        assert result.out.split("// -----\n")[1].strip() == "builtin.module {\n}"

    def test_verify_diagnostics(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = _write(tmp_path / "a.mlir", BAD_SHAPE_IR + "// -----\n" + VALID_IR)
        result = run([str(path), "--split-input-file", "--verify-diagnostics"], capsys)
        assert result.code == 0
        assert "'dfg.relu' op result #0 has shape 3, but Relu gives 2" in result.out
        assert "func.func @f(%x: tensor<2xf32>) -> tensor<2xf32>" in result.out

    def test_print_op_generic(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        result = run([str(_write(tmp_path / "a.mlir", VALID_IR)), "--print-op-generic"], capsys)
        assert result.code == 0
        assert '%y = "dfg.relu"(%x) : (tensor<2xf32>) -> tensor<2xf32>' in result.out

    def test_print_between_passes(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = _write(tmp_path / "a.mlir", VALID_IR)
        result = run([str(path), "-p", "dce,cse", "--print-between-passes"], capsys)
        assert result.code == 0, result.err
        # mlir-opt prints the IR between passes on stderr, the result on stdout.
        assert result.err.count("IR after dce:") == 1
        assert result.err.count("dfg.relu") == 1
        assert result.out.count("dfg.relu") == 1

    def test_print_debuginfo_prints_one_location(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        result = run([str(relu(tmp_path / "a.onnx")), "--print-debuginfo"], capsys)
        assert result.code == 0
        line = next(line for line in result.out.splitlines() if "dfg.relu" in line)
        assert line.endswith('tensor<1x3xf32> loc("relu")')

    def test_disable_verify_does_not_leak(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        post_init = Attribute.__post_init__
        result = run([str(_write(tmp_path / "a.mlir", BAD_SHAPE_IR)), "--disable-verify"], capsys)
        assert result.code == 0
        assert "tensor<3xf32>" in result.out
        assert Attribute.__post_init__ is post_init

    def test_empty_input(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        result = run([str(_write(tmp_path / "a.mlir", "// nothing here\n"))], capsys)
        assert result.code == 0, result.err
        assert result.out.strip() == "builtin.module {\n}"

    def test_help_lists_passes(self, capsys: pytest.CaptureFixture[str]) -> None:
        result = run(["--help"], capsys)
        assert result.code == 0
        assert "--input-shape NAME=DIMS" in result.out
        assert "passes:\n" in result.out
        assert re.search(r"^  dce\b", result.out, re.MULTILINE)


class Test_onnx_input:
    def test_output_parses_back(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        w = (np.arange(60, dtype=np.float32) / 7).reshape(4, 15)
        path = save(tmp_path / "m.onnx", [helper.make_node("MatMul", ["x", "w"], ["y"])], [("x", F32, [1, 4])], ["y"], initializers={"w": w})
        first = run([str(path), "-o", str(tmp_path / "m.mlir")], capsys)
        assert first.code == 0, first.err
        text = (tmp_path / "m.mlir").read_text()
        assert "#dfg.resource<w_" in text
        assert w.tobytes().hex() in text
        second = run([str(tmp_path / "m.mlir")], capsys)
        assert second.code == 0, second.err
        assert second.out == text

    def test_external_data(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = matmul_with_external_data(tmp_path)
        assert (tmp_path / "w.data").exists()
        result = run([str(path)], capsys)
        assert result.code == 0, result.err
        w = np.arange(60, dtype=np.float32).reshape(4, 15)
        assert w.tobytes().hex() in result.out

    def test_symbolic_batch(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        result = run([str(relu(tmp_path / "a.onnx", ["batch", 3]))], capsys)
        assert result.code == 0
        assert result.err == "ramiel: note: input 'x': batch dimension 'batch' set to 1\n"
        assert "%x: tensor<1x3xf32>" in result.out

    def test_input_shape_with_odd_names(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = relu(tmp_path / "a.onnx", ["N", "C"], name="in=put:0")
        result = run([str(path), "--input-shape", "in=put:0=2x5"], capsys)
        assert result.code == 0, result.err
        assert result.err == ""
        assert '%in_put: tensor<2x5xf32> {dfg.name = "in=put:0"}' in result.out
