"""Limits checked before parsing and compiling: IR text xDSL cannot take, and memory bombs.

IR text that would hang xDSL's lexer, overflow its parser's recursion or break its
UTF-8 decoding ends in a parse diagnostic, quickly; a model whose compile would
allocate more than the memory budget is refused before shape inference, from its
declared sizes, without the memory. Runs of the commands go through the fuzzers'
sandbox, so that a hang fails a test instead of stopping the suite; memory is
measured in a child process.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper
from xdsl.utils.exceptions import ParseError
from xdsl.utils.lexer import Input
from xdsl.utils.mlir_lexer import MLIRLexer, MLIRTokenKind

from ramiel import seeding
from ramiel.errors import RamielError
from ramiel.frontend.onnx_import import import_file, import_model, load_model_bytes
from ramiel.limits import (
    COMPILE_COPIES,
    DEFAULT_MAX_NESTING,
    DEFAULT_MEMORY_BUDGET,
    byte_size,
    check_ir_text,
    check_memory_budget,
    estimate_memory,
    parse_size,
)
from tests.harness.fuzz.broken import problem_with, resource_seed
from tests.harness.fuzz.sandbox import CommandResult, Sandbox, run_command

BIG = 2**33
"""Elements of the tensors that the memory bombs below declare (32 GiB of floats)."""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    empty = tmp_path_factory.mktemp("warm") / "empty.mlir"
    empty.write_text("builtin.module {\n}\n")
    with Sandbox(timeout=10.0) as box:
        box.run("ramiel-opt", [str(empty)])  # started: the runs below time the command alone
        yield box


def _opt(sandbox: Sandbox, path: Path, *options: str) -> tuple[CommandResult, float]:
    start = time.perf_counter()
    result = sandbox.run("ramiel-opt", [str(path), *options])
    return result, time.perf_counter() - start


def _diagnostic(result: CommandResult) -> list[str]:
    """The diagnostic's lines, after checking that the run ended in one."""
    assert problem_with(result, ir_text=True) is None, result
    assert result.status == 1
    return result.stderr.splitlines()


# IR text.


def test_an_unterminated_resource_string_is_a_diagnostic(sandbox: Sandbox, tmp_path: Path) -> None:
    model = tmp_path / "weights.onnx"
    onnx.save(resource_seed(), model)
    text = run_command("ramiel-opt", [str(model)]).stdout
    blob_end = text.rindex('"\n')
    source = tmp_path / "in.mlir"
    source.write_text(text[:blob_end] + text[blob_end + 1 :])
    assert 1000 < source.stat().st_size < 3000
    result, seconds = _opt(sandbox, source)
    lines = _diagnostic(result)
    line = text[:blob_end].count("\n") + 1
    assert re.fullmatch(rf"{re.escape(str(source))}:{line}:\d+", lines[0])
    assert lines[-1].strip() == "string literal not closed on its line"
    assert seconds < 1.0


def test_a_megabyte_unterminated_string_is_a_diagnostic_in_well_under_a_second(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    source = tmp_path / "in.mlir"
    source.write_text('builtin.module attributes {note = "' + "x" * 2**20 + "\n} {\n}\n")
    result, seconds = _opt(sandbox, source)
    lines = _diagnostic(result)
    assert lines[0] == f"{source}:1:35"
    assert len(lines[1]) < 300  # the huge line is not printed whole
    assert lines[-1].strip() == "string literal not closed on its line"
    assert seconds < 0.5


def test_nesting_100000_deep_is_a_diagnostic(sandbox: Sandbox, tmp_path: Path) -> None:
    source = tmp_path / "in.mlir"
    source.write_text("builtin.module attributes {a = " + "[" * 100_000 + "]" * 100_000 + "} {\n}\n")
    result, seconds = _opt(sandbox, source)
    lines = _diagnostic(result)
    assert lines[0] == f"{source}:1:{32 + DEFAULT_MAX_NESTING - 1}"
    assert lines[-1].strip() == f"brackets nested more than {DEFAULT_MAX_NESTING} deep"
    assert seconds < 1.0


@pytest.mark.parametrize(
    ("opening", "closing", "innermost"),
    [("[", "]", "1"), ("{a = ", "}", "1"), ("tuple<", ">", "i32"), ("[{a = ", "}]", "1")],
)
@pytest.mark.parametrize("options", [(), ("-p", "cleanup")])
def test_nesting_up_to_the_limit_parses(
    opening: str,
    closing: str,
    innermost: str,
    options: tuple[str, ...],
    sandbox: Sandbox,
    tmp_path: Path,
) -> None:
    # The module's attribute dictionary is the first level.
    levels = (DEFAULT_MAX_NESTING - 1) // sum(opening.count(c) for c in "[{(<")
    source = tmp_path / "in.mlir"
    source.write_text(
        "builtin.module attributes {a = " + opening * levels + innermost + closing * levels + "} {\n}\n"
    )
    result, _ = _opt(sandbox, source, *options)
    assert (result.status, result.stderr, result.crash) == (0, "", "")


def test_invalid_utf8_is_a_diagnostic_at_its_byte(sandbox: Sandbox, tmp_path: Path) -> None:
    source = tmp_path / "in.mlir"
    source.write_bytes(b'builtin.module attributes {\n  a = "caf\xe9"\n} {\n}\n')
    result, _ = _opt(sandbox, source)
    lines = _diagnostic(result)
    assert lines[0] == f"{source}:2:11"
    assert lines[-1].strip() == "invalid UTF-8 (invalid continuation byte: byte 0xe9)"


def test_a_split_input_counts_lines_from_its_chunk(sandbox: Sandbox, tmp_path: Path) -> None:
    source = tmp_path / "in.mlir"
    source.write_text('builtin.module {\n}\n// -----\nbuiltin.module attributes {a = "x\n} {\n}\n')
    result, _ = _opt(sandbox, source, "--split-input-file")
    assert _diagnostic(result)[0] == f"{source}:4:32"


@pytest.mark.parametrize(
    "text",
    [
        '"a\\"b" "\\\\" "\\n\\t\\41" "" "é \r\t" // "unclosed in a comment',
        '"// not a comment" x -> y >= z',
        "{-# dialect_resources: {dfg: {k: \"0x04000000\"}} #-}",
        "(" * DEFAULT_MAX_NESTING + ")" * DEFAULT_MAX_NESTING,
        "<" + "->" * 100 + ">",
    ],
)
def test_text_xdsl_can_take_passes(text: str) -> None:
    assert check_ir_text(text.encode(), "in.mlir") == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"abc', "string literal not closed before the end of the input"),
        ('"abc\ndef"', "string literal not closed on its line"),
        ('"a\\q"', "unknown escape in string literal"),
        ('"a\\"', "string literal not closed before the end of the input"),
        ('"a\fb"', "character '\\x0c' not allowed in a string literal"),
        ("{-# dialect_resources: {}", "resource section not closed"),
        ("(" * (DEFAULT_MAX_NESTING + 1), f"brackets nested more than {DEFAULT_MAX_NESTING} deep"),
    ],
)
def test_text_xdsl_cannot_take_is_refused(text: str, message: str) -> None:
    with pytest.raises(ParseError) as error:
        check_ir_text(text, "in.mlir")
    assert message in error.value.msg


def test_the_text_limits_can_be_changed() -> None:
    with pytest.raises(ParseError, match="more than the limit of 3"):
        check_ir_text(b"abcd", "in.mlir", max_bytes=3)
    check_ir_text("((()))", "in.mlir", max_nesting=3)
    with pytest.raises(ParseError, match="nested more than 2 deep"):
        check_ir_text("((()))", "in.mlir", max_nesting=2)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet='ab"\\\n\tnx0{}[]()<>#-/', max_size=80))
def test_text_that_passes_is_lexed_quickly(text: str) -> None:
    # A string literal xDSL's lexer cannot match takes it time exponential in
    # the literal's length: 2**40 steps and more here, had the check let it by.
    try:
        checked = check_ir_text(text, "in.mlir")
    except ParseError:
        return
    start = time.perf_counter()
    lexer = MLIRLexer(Input(checked, "in.mlir"))
    try:
        while lexer.lex().kind != MLIRTokenKind.EOF:
            pass
    except ParseError:
        pass
    assert time.perf_counter() - start < 0.1


# ONNX models: the memory budget.


def _model(
    nodes: list[onnx.NodeProto],
    initializers: list[TensorProto],
    output: str = "y",
    inputs: list[onnx.ValueInfoProto] | None = None,
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes, "bomb", inputs or [], [helper.make_empty_tensor_value_info(output)], initializers
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def _ints(name: str, values: list[int], dims: list[int] | None = None) -> TensorProto:
    return helper.make_tensor(name, TensorProto.INT64, [len(values)] if dims is None else dims, values)


def _reduced(node: onnx.NodeProto) -> list[onnx.NodeProto]:
    """`node`, then a sum of its output: a tiny model output of a huge tensor."""
    return [node, helper.make_node("ReduceSum", [node.output[0]], ["y"], keepdims=0)]


BOMBS = {
    "constant-of-shape": _model(
        _reduced(helper.make_node("ConstantOfShape", ["shape"], ["big"])), [_ints("shape", [BIG])]
    ),
    "range": _model(
        _reduced(helper.make_node("Range", ["start", "limit", "delta"], ["big"])),
        [_ints("start", [0], []), _ints("limit", [BIG], []), _ints("delta", [1], [])],
    ),
    "tile": _model(
        _reduced(helper.make_node("Tile", ["one", "repeats"], ["big"])),
        [helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0]), _ints("repeats", [BIG])],
    ),
    "graph-output": _model(
        [helper.make_node("ConstantOfShape", ["shape"], ["y"])], [_ints("shape", [BIG])]
    ),
    "constant-of-shape-2-62": _model(
        [helper.make_node("ConstantOfShape", ["shape"], ["y"])], [_ints("shape", [2**62, 2**62])]
    ),
    # The reshapes' shapes are computed (by Div, which ONNX's data propagation does
    # not follow); the additions broadcast three 1000-element tensors to 1000**3.
    "computed-shapes": _model(
        [
            helper.make_node("Constant", [], ["x"], value=_ints("x", list(range(1000)))),
            *(
                helper.make_node("Div", [f"s{axis}", "two"], [f"d{axis}"])
                for axis in range(3)
            ),
            *(helper.make_node("Reshape", ["x", f"d{axis}"], [f"r{axis}"]) for axis in range(3)),
            helper.make_node("Add", ["r0", "r1"], ["r01"]),
            helper.make_node("Add", ["r01", "r2"], ["big"]),
            helper.make_node("ReduceSum", ["big"], ["y"], keepdims=0),
        ],
        [
            _ints("two", [2, 2, 2]),
            *(_ints(f"s{axis}", [2000 if a == axis else 2 for a in range(3)]) for axis in range(3)),
        ],
    ),
}
"""Tiny models whose compile would allocate far more than the budget."""

_MEASURE = """
import json, resource, sys, time
import numpy as np
import onnx
from ramiel.errors import RamielError
from ramiel.frontend.onnx_import import import_file, import_model

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

warm = onnx.load(sys.argv[1])
import_model(warm)
# A runaway allocation fails here instead of taking the machine's memory.
with open("/proc/self/statm") as f:
    mapped = int(f.read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (mapped + (4 << 30), resource.RLIM_INFINITY))
results = {}
for path in sys.argv[2:]:
    before, start = peak(), time.perf_counter()
    try:
        import_file(path)
        error = None
    except RamielError as e:
        error = str(e)
    results[path] = {"error": error, "seconds": time.perf_counter() - start, "grew": peak() - before}
print(json.dumps(results))
"""
"""Imports models in a fresh interpreter: how each ended, its time and how much the peak memory grew."""


def _measured_imports(paths: list[Path], tmp_path: Path) -> dict[str, dict[str, Any]]:
    warm = tmp_path / "warm.onnx"
    relu = [helper.make_node("Relu", ["x"], ["y"])]
    onnx.save(_model(relu, [helper.make_tensor("x", TensorProto.FLOAT, [2], [1, 2])]), warm)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(warm), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


def _external_weight(folder: Path, elements: int) -> Path:
    """A model of one float weight of `elements` elements in external data (a sparse file)."""
    weight = TensorProto()
    weight.name, weight.data_type, weight.data_location = "w", TensorProto.FLOAT, TensorProto.EXTERNAL
    weight.dims.append(elements)
    entry = weight.external_data.add()
    entry.key, entry.value = "location", "w.bin"
    with open(folder / "w.bin", "wb") as f:
        f.truncate(4 * elements)
    path = folder / "external.onnx"
    model = _model(_reduced(helper.make_node("Identity", ["w"], ["big"])), [weight])
    path.write_bytes(model.SerializeToString())
    return path


def test_memory_bombs_are_refused_quickly_and_without_the_memory(tmp_path: Path) -> None:
    paths = []
    for name, model in BOMBS.items():
        paths.append(tmp_path / f"{name}.onnx")
        onnx.save(model, paths[-1])
    (tmp_path / "external").mkdir()
    paths.append(_external_weight(tmp_path / "external", 2**28))  # 1 GiB, read by nothing
    for path, outcome in _measured_imports(paths, tmp_path).items():
        assert outcome["error"] is not None, path
        assert "more than the memory budget of 2.0 GiB" in outcome["error"], path
        assert "raise the budget with --max-memory" in outcome["error"]
        assert outcome["seconds"] < 0.5, path
        assert outcome["grew"] < 200 << 20, path


def test_a_refusal_names_the_largest_tensor_and_its_node() -> None:
    with pytest.raises(RamielError) as error:
        import_model(BOMBS["constant-of-shape"], where="bomb.onnx")
    assert error.value.where == "bomb.onnx, node 'big'"
    assert error.value.what.startswith("compiling needs about 32.0 GiB for the model's tensors")
    assert "the largest is 'big' (32.0 GiB)" in error.value.what


def test_a_larger_budget_lets_a_large_model_through() -> None:
    model = BOMBS["graph-output"]
    with pytest.raises(RamielError, match="memory budget"):
        import_model(model)
    import_model(model, memory_budget=64 << 30)  # folding is what would allocate


def test_a_tensor_the_model_would_compute_counts_against_the_budget() -> None:
    """The output of a ConvTranspose dilated 2**20 apart: 2 x (2 * 2**20 + 4) x 6 float32 values, 96 MiB."""
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", dilations=[2**20, 1])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])
    weight = numpy_helper.from_array(np.ones((3, 2, 3, 3), np.float32), "w")
    model = _model([node], [weight], inputs=[x])
    with pytest.raises(RamielError) as error:
        import_model(model, where="m.onnx", memory_budget=64 << 20)
    assert error.value.where == "m.onnx, node 'up'"
    assert error.value.what == (
        "tensor 'y' would take 96.0 MiB when the model runs, more than the memory budget of "
        "64.0 MiB; raise the budget with --max-memory"
    )
    import_model(model, memory_budget=97 << 20)


def test_an_initializer_counts_once_per_copy_compiling_holds() -> None:
    weight = helper.make_tensor("w", TensorProto.FLOAT, [1000], [0.0] * 1000)
    model = _model([helper.make_node("Identity", ["w"], ["y"])], [weight])
    estimate = estimate_memory(model)
    assert estimate.total == COMPILE_COPIES * 4000 + 4000  # the weights, and the folded copy
    assert estimate.largest is not None
    assert (estimate.largest.name, estimate.largest.nbytes) == ("w", 4000)
    check_memory_budget(model, estimate.total, "m.onnx")
    with pytest.raises(RamielError, match=r"needs about 15\.6 KiB"):
        check_memory_budget(model, estimate.total - 1, "m.onnx")


def test_the_shape_arithmetic_of_an_exporter_is_followed() -> None:
    # Shape -> Gather -> Unsqueeze -> Concat -> Expand of a constant, as exporters write.
    data = helper.make_tensor_value_info("data", TensorProto.FLOAT, [4, 3000])
    nodes = [
        helper.make_node("Shape", ["data"], ["shape"]),
        helper.make_node("Gather", ["shape", "one"], ["width"], axis=0),
        helper.make_node("Unsqueeze", ["width", "zero"], ["width1"]),
        helper.make_node("Mul", ["width1", "width1"], ["square"]),
        helper.make_node("Concat", ["square", "width1"], ["target"], axis=0),
        helper.make_node("Expand", ["half", "target"], ["y"]),
    ]
    initializers = [
        _ints("one", [1], []),
        _ints("zero", [0]),
        helper.make_tensor("half", TensorProto.FLOAT, [], [0.5]),
    ]
    estimate = estimate_memory(_model(nodes, initializers, inputs=[data]))
    assert estimate.largest is not None
    assert (estimate.largest.name, estimate.largest.nbytes) == ("y", 3000**3 * 4)


def test_googlenet_is_estimated_in_milliseconds_and_fits_the_budget() -> None:
    model = onnx.load(seeding.light_model_path("inception_v1"))
    estimate_memory(model)
    start = time.perf_counter()
    estimate = estimate_memory(model)
    assert time.perf_counter() - start < 0.1
    assert estimate.total < DEFAULT_MEMORY_BUDGET // 16


def test_external_data_is_counted_at_its_declared_length(tmp_path: Path) -> None:
    path = _external_weight(tmp_path, 4)
    model = load_model_bytes(path.read_bytes(), "m.onnx", tmp_path)
    assert model.graph.initializer[0].raw_data == bytes(16)
    with pytest.raises(RamielError) as error:
        load_model_bytes(path.read_bytes(), "m.onnx", tmp_path, memory_budget=COMPILE_COPIES * 16 - 1)
    assert "the largest is 'w' (16 bytes)" in error.value.what
    # Without a length, the whole file is read: the budget counts it.
    (tmp_path / "w.bin").write_bytes(bytes(2**20))
    with pytest.raises(RamielError, match=r"the largest is 'w' \(1.0 MiB\)"):
        load_model_bytes(path.read_bytes(), "m.onnx", tmp_path, memory_budget=2**20)


@pytest.mark.parametrize(("key", "value"), [("offset", "-4"), ("length", "x"), ("length", "-1")])
def test_a_malformed_external_offset_or_length_is_refused(key: str, value: str, tmp_path: Path) -> None:
    model = onnx.load(_external_weight(tmp_path, 4), load_external_data=False)
    entry = model.graph.initializer[0].external_data.add()
    entry.key, entry.value = key, value
    with pytest.raises(RamielError, match="malformed offset or length"):
        load_model_bytes(model.SerializeToString(), "m.onnx", tmp_path)


def test_a_nul_in_an_external_data_location_is_one_line(tmp_path: Path) -> None:
    model = onnx.load(_external_weight(tmp_path, 4), load_external_data=False)
    model.graph.initializer[0].external_data[0].value = "w\x00.bin"
    path = tmp_path / "nul.onnx"
    path.write_bytes(model.SerializeToString())
    with pytest.raises(RamielError) as error:
        import_file(path)
    assert (error.value.what, error.value.where) == (
        "the external data location of tensor 'w' holds a NUL byte",
        str(path),
    )


def test_a_constant_of_shape_beyond_numpy_is_not_folded(tmp_path: Path) -> None:
    huge = "4611686018427387904x4611686018427387904xf32"
    source = tmp_path / "in.mlir"
    source.write_text(
        "builtin.module {\n"
        f"  func.func @main() -> tensor<{huge}> {{\n"
        "    %s = dfg.constant dense<4611686018427387904> : tensor<2xi64>\n"
        f"    %c = dfg.constant_of_shape %s : (tensor<2xi64>) -> tensor<{huge}>\n"
        f"    func.return %c : tensor<{huge}>\n"
        "  }\n}\n"
    )
    result = run_command("ramiel-opt", [str(source), "-p", "cleanup"])
    assert (result.status, result.crash, result.stderr) == (0, "", "")
    assert "dfg.constant_of_shape" in result.stdout


@pytest.mark.parametrize(
    ("count", "text"),
    [(100, "100 bytes"), (1536, "1.5 KiB"), (2 << 30, "2.0 GiB"), (2**126, "7.38e+19 EiB")],
)
def test_byte_sizes_read_as_people_write_them(count: int, text: str) -> None:
    assert byte_size(count) == text


@pytest.mark.parametrize(
    ("text", "size"),
    [("100000", 100000), ("4G", 4 << 30), ("512MiB", 512 << 20), ("1.5g", 3 << 29), ("2 kb", 2048), ("1T", 1 << 40)],
)
def test_a_size_is_bytes_with_a_binary_unit(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "-1G", "0", "0.1", "4X", "4GG", "1e9"])
def test_a_size_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="expected a size"):
        parse_size(text)
