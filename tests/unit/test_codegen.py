"""Generated Python: numerics against onnxruntime, names, escaping, runtime behaviour.

Small graphs are built with onnx.helper. Their 2-stream versions get their streams
by hand (`compile_streams`), so every cross-stream case is exercised whatever the
scheduler would choose.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, i64

from ramiel import api
from ramiel.codegen import MARKER, MODEL_ATTRIBUTES
from ramiel.codegen.escape import (
    PYTHON_NAMES,
    Namer,
    comment,
    identifier,
    literal,
    module_name,
)
from ramiel.codegen.printer import print_to_string
from ramiel.codegen.weights import write_weights
from ramiel.dialects.dfg import DfgOp
from ramiel.dialects.pyemit import PyModuleOp
from ramiel.errors import RamielError
from ramiel.frontend.onnx_import import import_model
from ramiel.numerics import assert_close
from ramiel.passes.convert_dfg_to_pyemit import ConvertDfgToPyemit
from ramiel.pipeline import apply_passes, lowering_passes

REPO = Path(__file__).resolve().parents[2]

HOSTILE = (
    "__import__('os').system('touch pwned')",
    'a"b\'c\\d',
    "line\nbreak\r\n# comment",
    "class",
    "__init__",
    "self",
    "torch",
    "F",
    "w",
    "call",
    "_bind_inputs",
    "Model",
    "ünïcödé名前",
    "0starts_with_digit",
    "",
    "l",
    '"""',
)


def _model(
    nodes: Sequence[onnx.NodeProto],
    inputs: Sequence[onnx.ValueInfoProto],
    outputs: Sequence[onnx.ValueInfoProto],
    initializers: Sequence[onnx.TensorProto] = (),
    doc: str = "",
) -> onnx.ModelProto:
    graph = helper.make_graph(list(nodes), "g", list(inputs), list(outputs), list(initializers), doc_string=doc)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def _f32(name: str, shape: Sequence[int]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def _const(name: str, array: np.ndarray) -> onnx.TensorProto:
    return onnx.numpy_helper.from_array(array, name)


def diamond_model(names: Callable[[str], str] = lambda n: n) -> onnx.ModelProto:
    """Conv branches joined by Add, a Split with two results, and three outputs."""
    rng = np.random.default_rng(0)
    n = names
    w1 = _const(n("w1"), rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    w2 = _const(n("w2"), rng.standard_normal((4, 3, 1, 1)).astype(np.float32))
    bias = _const(n("bias"), np.full((4,), 0.25, np.float32))
    nodes = [
        helper.make_node("Relu", [n("x")], [n("a")], name=n("relu")),
        helper.make_node("Conv", [n("a"), n("w1"), n("bias")], [n("b")], name=n("conv1"), pads=[1, 1, 1, 1]),
        helper.make_node("Conv", [n("a"), n("w2")], [n("c")], name=n("conv2")),
        helper.make_node("Sigmoid", [n("c")], [n("d")], name=n("sigmoid")),
        helper.make_node("Add", [n("b"), n("d")], [n("e")], name=n("add")),
        helper.make_node("Split", [n("e")], [n("s1"), n("s2")], name=n("split"), axis=1, num_outputs=2),
        helper.make_node("Mul", [n("s1"), n("y")], [n("p")], name=n("mul")),
        helper.make_node("Tanh", [n("s2")], [n("q")], name=n("tanh")),
    ]
    return _model(
        nodes,
        [_f32(n("x"), [1, 3, 6, 6]), _f32(n("y"), [1, 2, 6, 6])],
        [_f32(n("p"), [1, 2, 6, 6]), _f32(n("q"), [1, 2, 6, 6]), _f32(n("d"), [1, 4, 6, 6])],
        [w1, w2, bias],
        doc=n("doc"),
    )


def branches_model() -> onnx.ModelProto:
    """Two 3x3 convolutions of one stem, joined: worth two streams to any cost model."""
    rng = np.random.default_rng(0)
    weights = [
        _const(name, (rng.standard_normal((64, 64, 3, 3)) * 0.05).astype(np.float32))
        for name in ("left.w", "right.w")
    ]
    nodes = [
        helper.make_node("Relu", ["x"], ["stem"], name="stem/relu"),
        helper.make_node("Conv", ["stem", "left.w"], ["left"], name="left/conv", pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["stem", "right.w"], ["right"], name="right/conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["right"], ["right_act"], name="right/relu"),
        helper.make_node("Add", ["left", "right_act"], ["out"], name="join"),
    ]
    return _model(nodes, [_f32("x", [1, 64, 56, 56])], [_f32("out", [1, 64, 56, 56])], weights)


def compile_streams(
    model: onnx.ModelProto, folder: Path, streams: Callable[[int, DfgOp], int] | None, stem: str = "m"
) -> Path:
    """Lower `model` with `streams(position, op)` as each op's stream; write `stem.py` and weights."""
    module = import_model(model)
    if streams is not None:
        ops = [op for op in module.walk() if isinstance(op, DfgOp)]
        for position, op in enumerate(ops):
            op.attributes["stream"] = IntegerAttr(streams(position, op), i64)
    apply_passes(module, lowering_passes())
    module.verify()
    program = next(op for op in module.ops if isinstance(op, PyModuleOp))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.py"
    path.write_text(print_to_string(program), encoding="utf-8")
    write_weights(program, folder / f"{stem}.weights.pt")
    return path


def alternate(position: int, op: DfgOp) -> int:
    """Ops alternate between two streams: every edge crosses."""
    del op
    return position % 2


def _inputs(model: onnx.ModelProto, seed: int = 0) -> dict[str, np.ndarray]:
    specs = [
        (i.name, tuple(d.dim_value for d in i.type.tensor_type.shape.dim),
         onnx.helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type).name)
        for i in model.graph.input
    ]  # fmt: skip
    return api.random_inputs(specs, seed)


def _check_against_onnxruntime(model: onnx.ModelProto, path: Path) -> None:
    feed = _inputs(model)
    reference = api.onnxruntime_outputs(model, feed)
    ours = api.run(path, feed)
    assert list(ours) == [o.name for o in model.graph.output]
    for (name, value), ref in zip(ours.items(), reference, strict=True):
        assert_close(value, ref, name)


@pytest.mark.parametrize("streams", [None, alternate, lambda p, op: 1 - p % 2], ids=["serial", "alternate", "swapped"])
def test_diamond_matches_onnxruntime(tmp_path: Path, streams: Callable[[int, DfgOp], int] | None) -> None:
    model = diamond_model()
    _check_against_onnxruntime(model, compile_streams(model, tmp_path, streams))


def test_serial_code_has_no_threads(tmp_path: Path) -> None:
    source = compile_streams(diamond_model(), tmp_path, None).read_text()
    assert "threading" not in source
    assert "_StreamRuntime" not in source
    assert source.startswith(MARKER)


def test_parallel_code_shows_every_hand_off(tmp_path: Path) -> None:
    source = compile_streams(diamond_model(), tmp_path, alternate).read_text()
    assert "def _stream_0(self, call: _StreamCall) -> None:" in source
    assert "def _stream_1(self, call: _StreamCall) -> None:" in source
    sends = source.count("call.send(")
    assert sends > 0
    assert source.count("call.recv(") >= sends


def test_three_streams_share_one_sent_value(tmp_path: Path) -> None:
    model = _model(
        [
            helper.make_node("Relu", ["x"], ["r"]),
            helper.make_node("Exp", ["r"], ["a"]),
            helper.make_node("Neg", ["r"], ["b"]),
            helper.make_node("Mul", ["a", "b"], ["y"]),
        ],
        [_f32("x", [3])],
        [_f32("y", [3])],
    )
    path = compile_streams(model, tmp_path, lambda p, op: [0, 1, 2, 0][p])
    source = path.read_text()
    assert "_slot_r = 0" in source
    assert source.count("call.send(_slot_r, r)") == 1
    assert source.count("r = call.recv(_slot_r)") == 2
    _check_against_onnxruntime(model, path)


def test_splat_weights_are_saved_as_one_element(tmp_path: Path) -> None:
    big = _const("big", np.full((64, 64), 0.5, np.float32))
    model = _model([helper.make_node("Add", ["x", "big"], ["y"])], [_f32("x", [64, 64])], [_f32("y", [64, 64])], [big])
    path = compile_streams(model, tmp_path, None)
    saved = torch.load(tmp_path / "m.weights.pt", weights_only=True)
    assert saved["big"].numel() == 1
    assert '_SPLATS: dict[str, tuple[int, ...]] = {"big": (64, 64)}' in path.read_text()
    _check_against_onnxruntime(model, path)


def test_constants_inlined_by_kernels_are_not_weights(tmp_path: Path) -> None:
    shape = _const("shape", np.array([2, 8], np.int64))
    model = _model([helper.make_node("Reshape", ["x", "shape"], ["y"])], [_f32("x", [4, 4])], [_f32("y", [2, 8])], [shape])
    path = compile_streams(model, tmp_path, None)
    assert torch.load(tmp_path / "m.weights.pt", weights_only=True) == {}
    assert "y = x.reshape(2, 8)" in path.read_text()


def test_mixed_stream_attributes_are_an_error() -> None:
    module = import_model(diamond_model())
    next(op for op in module.walk() if isinstance(op, DfgOp)).attributes["stream"] = IntegerAttr(0, i64)
    with pytest.raises(RamielError, match="some ops have a 'stream' attribute and others do not"):
        ConvertDfgToPyemit().apply(Context(), module)


# Names and escaping.


@pytest.mark.parametrize("name", HOSTILE)
def test_identifiers_are_safe(name: str) -> None:
    ident = identifier(name)
    assert ident.isidentifier()
    assert ident.isascii()
    assert not ident.startswith("_")
    fresh = Namer({"torch", "F", "self", "w", "call", "Model"}).fresh(name)
    assert fresh.isidentifier()
    assert fresh not in PYTHON_NAMES
    assert fresh not in {"torch", "F", "self", "w", "call", "Model"}


def test_names_that_sanitise_alike_stay_distinct() -> None:
    namer = Namer()
    names = [namer.fresh(n) for n in ("a/b", "a.b", "a:b", "a_b", "a_b_1")]
    assert len(set(names)) == len(names)
    assert names[:2] == ["a_b", "a_b_1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_literals_and_comments_are_escaped(text: str) -> None:
    code = literal(text)
    assert code.isascii()
    assert ast.literal_eval(code) == text
    note = comment(text)
    assert note.isascii()
    assert "\n" not in note
    assert "\r" not in note


@pytest.mark.parametrize(
    ("name", "expected"),
    [("googlenet-dynamo-opset18", "googlenet_dynamo_opset18"), ("class", "class_"), ("json", "json_"),
     ("torch", "torch_"), ("2nets", "v2nets"), ("resnet", "resnet")],
)  # fmt: skip
def test_module_names_are_importable_and_shadow_nothing(name: str, expected: str) -> None:
    assert module_name(name) == expected


def test_a_compiled_file_is_importable_whatever_the_onnx_file_is_called(tmp_path: Path) -> None:
    onnx.save(diamond_model(), tmp_path / "diamond-opset18.onnx")
    compiled = api.compile(tmp_path / "diamond-opset18.onnx", workers=1, out_dir=tmp_path / "out")
    assert compiled.path.name == "diamond_opset18.py"
    assert compiled.weights.name == "diamond_opset18.weights.pt"
    assert "# Model: diamond-opset18" in compiled.source
    found = subprocess.run(
        [sys.executable, "-c", "import diamond_opset18; print(diamond_opset18.Model().extra_repr())"],
        cwd=compiled.path.parent, capture_output=True, text=True,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert "streams=1" in found.stdout


def test_comments_hold_no_formatter_pragma() -> None:
    assert comment("fmt: off") == "fmt\\x3a off"
    assert comment("x  # fmt:skip") == "x  # fmt\\x3askip"
    assert comment("yapf: disable") == "yapf\\x3a disable"


def test_hostile_names_compile_and_run_harmlessly(tmp_path: Path) -> None:
    def hostile(name: str) -> str:
        return f"{name}: __import__('os').system('touch {tmp_path / 'pwned'}')\n\"\"\"'; import os #"

    model = diamond_model(hostile)
    for streams in (None, alternate):
        path = compile_streams(model, tmp_path / str(streams is None), streams)
        ast.parse(path.read_text())
        _check_against_onnxruntime(model, path)
    assert not (tmp_path / "pwned").exists()


def test_names_that_shadow_python_and_the_runtime(tmp_path: Path) -> None:
    # Each ONNX name is one Python would trip over.
    names = iter(["class", "torch", "F", "self", "w", "call", "inputs", "Model", "len", "x"])
    mapping: dict[str, str] = {}
    model = diamond_model(lambda n: mapping.setdefault(n, next(names, f"{n}_")))
    path = compile_streams(model, tmp_path, alternate)
    _check_against_onnxruntime(model, path)


# Generated code quality.


def _assert_ruff_clean(path: Path) -> None:
    """`ruff check` with the project's rules passes on `path`."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("streams", [None, alternate], ids=["serial", "parallel"])
def test_generated_code_passes_ruff(tmp_path: Path, streams: Callable[[int, DfgOp], int] | None) -> None:
    path = compile_streams(diamond_model(), tmp_path, streams)
    _assert_ruff_clean(path)


@pytest.mark.parametrize("streams", [None, alternate], ids=["serial", "parallel"])
def test_generated_code_is_as_ruff_format_leaves_it(tmp_path: Path, streams: Callable[[int, DfgOp], int] | None) -> None:
    plain = compile_streams(diamond_model(), tmp_path / "plain", streams)
    hostile = compile_streams(diamond_model(lambda n: f"{n} # fmt: off\n{'x' * 120}"), tmp_path / "hostile", streams)
    for path in (plain, hostile):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", "format", "--isolated", "--line-length", "100", "--check", str(path)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    long = [line for line in plain.read_text().splitlines() if len(line) > 100]
    assert long == []


def test_generated_code_imports_only_torch_and_the_standard_library(tmp_path: Path) -> None:
    tree = ast.parse(compile_streams(diamond_model(), tmp_path, alternate).read_text())
    modules = {
        (alias.name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert modules - set(sys.stdlib_module_names) == {"torch"}


def test_compiling_twice_gives_identical_files(tmp_path: Path) -> None:
    model = diamond_model()
    first = compile_streams(model, tmp_path / "one", alternate)
    second = compile_streams(model, tmp_path / "two", alternate)
    assert first.read_bytes() == second.read_bytes()
    assert (tmp_path / "one" / "m.weights.pt").read_bytes() == (tmp_path / "two" / "m.weights.pt").read_bytes()


# Behaviour of the generated Model.


def _load(path: Path, **kwargs: Any) -> Any:
    return api.load_model_class(path)(**kwargs)


def _feed(model: onnx.ModelProto) -> list[torch.Tensor]:
    return [torch.from_numpy(a) for a in _inputs(model).values()]


@pytest.mark.parametrize("streams", [None, alternate], ids=["serial", "parallel"])
def test_wrong_inputs_are_refused_by_name(tmp_path: Path, streams: Callable[[int, DfgOp], int] | None) -> None:
    model = diamond_model()
    x, y = _feed(model)
    with _load(compile_streams(model, tmp_path, streams)) as m:
        with pytest.raises(TypeError, match=r"takes 2 inputs \('x', 'y'\), got 1"):
            m(x)
        with pytest.raises(ValueError, match=r"input 'y' must have shape \[1, 2, 6, 6\]"):
            m(x, y[:, :1])
        with pytest.raises(ValueError, match=r"input 'x' must have dtype torch.float32"):
            m(x.double(), y)
        with pytest.raises(TypeError, match=r"input 'x' must be a torch.Tensor"):
            m(x.numpy(), y)
        assert len(m(x, y)) == 3


@pytest.mark.parametrize("streams", [None, alternate], ids=["serial", "parallel"])
def test_inputs_can_be_given_by_name(tmp_path: Path, streams: Callable[[int, DfgOp], int] | None) -> None:
    model = diamond_model()
    x, y = _feed(model)
    with _load(compile_streams(model, tmp_path, streams)) as m:
        expected = m(x, y)
        for outputs in (m(x=x, y=y), m(y=y, x=x), m(x, y=y)):
            assert all(torch.equal(a, b) for a, b in zip(outputs, expected, strict=True))
        with pytest.raises(TypeError, match="the model has no input 'z'"):
            m(x, z=y)
        with pytest.raises(TypeError, match="'x' is given both by position and by name"):
            m(x, x=x)


def _scaled(model: onnx.ModelProto, factor: float) -> onnx.ModelProto:
    scaled = onnx.ModelProto()
    scaled.CopyFrom(model)
    for tensor in scaled.graph.initializer:
        tensor.CopyFrom(onnx.numpy_helper.from_array(onnx.numpy_helper.to_array(tensor) * factor, tensor.name))
    return scaled


@pytest.mark.parametrize("streams", [None, alternate], ids=["serial", "parallel"])
def test_the_state_dict_holds_the_onnx_weights_and_loads_others(
    tmp_path: Path, streams: Callable[[int, DfgOp], int] | None
) -> None:
    model = diamond_model()
    path = compile_streams(model, tmp_path / "one", streams)
    assert "prepack_conv2d(" in path.read_text()  # a buffer and what calls read differ
    with _load(path) as m, _load(compile_streams(_scaled(model, 3.0), tmp_path / "three", streams)) as other:
        state = m.state_dict()
        assert set(state) == set(torch.load(tmp_path / "one" / "m.weights.pt", weights_only=True))
        for tensor in model.graph.initializer:
            assert np.array_equal(state[tensor.name].numpy(), onnx.numpy_helper.to_array(tensor)), tensor.name
        feed = _feed(model)
        before = m(*feed)
        m.load_state_dict(other.state_dict())
        after, expected = m(*feed), other(*feed)
        assert all(torch.equal(a, b) for a, b in zip(after, expected, strict=True))
        assert not torch.equal(after[0], before[0])


def test_print_and_attributes_of_the_model(tmp_path: Path) -> None:
    with _load(compile_streams(diamond_model(), tmp_path, alternate)) as m:
        assert str(m) == "Model(inputs=[x: float32[1, 3, 6, 6], y: float32[1, 2, 6, 6]], outputs=[p, q, d], streams=2)"
        # Weights are buffers: none of them may take a name the Model already has.
        assert {n for n in dir(m) if not n.startswith("_")} - set(m._buffers) <= MODEL_ATTRIBUTES


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_torch_jit_script_is_refused_with_a_reason(tmp_path: Path) -> None:
    with _load(compile_streams(diamond_model(), tmp_path, None)) as m, pytest.raises(TypeError, match=r"torch\.compile"):
        torch.jit.script(m)


def test_the_process_wide_malloc_setting_can_be_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cls = api.load_model_class(compile_streams(diamond_model(), tmp_path, None))
    calls: list[None] = []
    monkeypatch.setitem(cls.__init__.__globals__, "_keep_freed_memory", lambda: calls.append(None))
    cls(keep_freed_memory=False)
    assert calls == []
    cls()
    assert calls == [None]


def _division_model() -> onnx.ModelProto:
    """Stream 1 divides integers by a run-time input: a zero divisor fails there."""
    i64 = TensorProto.INT64
    return _model(
        [
            helper.make_node("Abs", ["a"], ["r"]),
            helper.make_node("Div", ["r", "b"], ["q"]),
            helper.make_node("Add", ["r", "a"], ["s"]),
            helper.make_node("Mul", ["q", "s"], ["y"]),
        ],
        [helper.make_tensor_value_info("a", i64, [3]), helper.make_tensor_value_info("b", i64, [3])],
        [helper.make_tensor_value_info("y", i64, [3])],
    )


def test_an_error_in_a_stream_reaches_the_caller_and_the_model_stays_usable(tmp_path: Path) -> None:
    path = compile_streams(_division_model(), tmp_path, lambda p, op: [0, 1, 0, 0][p])
    assert "q = call.recv(_slot_q)" in path.read_text()
    a = torch.tensor([4, 6, 8])
    with _load(path) as m:
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            m(a, torch.tensor([1, 0, 2]))
        assert torch.equal(m(a, torch.tensor([2, 3, 4])), torch.tensor([16, 24, 32]))


def test_close_leaves_no_thread_behind(tmp_path: Path) -> None:
    model = diamond_model()
    feed = _feed(model)
    with _load(compile_streams(model, tmp_path, alternate)) as m:
        m(*feed)
        assert any(t.name.startswith("ramiel-stream-") for t in threading.enumerate())
    assert not any(t.name.startswith("ramiel-stream-") for t in threading.enumerate())
    with pytest.raises(RuntimeError, match="closed"):
        m(*feed)


def test_concurrent_calls_give_the_serial_results(tmp_path: Path) -> None:
    model = diamond_model()
    serial = _load(compile_streams(model, tmp_path / "serial", None))
    feeds = [[torch.from_numpy(a) for a in _inputs(model, seed).values()] for seed in range(6)]
    expected = [serial(*f) for f in feeds]
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def worker(m: Any, index: int) -> None:
        try:
            for _ in range(5):
                results[index] = m(*feeds[index])
        except BaseException as e:
            errors.append(e)

    with _load(compile_streams(model, tmp_path / "parallel", alternate)) as m:
        threads = [threading.Thread(target=worker, args=(m, i)) for i in range(len(feeds))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    for index, outputs in enumerate(expected):
        for ours, ref in zip(results[index], outputs, strict=True):
            assert torch.equal(ours, ref)


@pytest.mark.parametrize("threads", [1, 2])
def test_every_stream_runs_on_the_threads_asked_for(tmp_path: Path, threads: int) -> None:
    model = diamond_model()
    cls = api.load_model_class(compile_streams(model, tmp_path, alternate))
    seen: list[int] = []
    for name in ("_stream_0", "_stream_1"):
        stream = getattr(cls, name)

        def recording(m: Any, call: Any, stream: Any = stream) -> None:
            seen.append(torch.get_num_threads())
            stream(m, call)

        setattr(cls, name, recording)
    with cls(num_threads=threads) as m:
        m(*_feed(model))
    assert seen == [threads, threads]


def test_a_dropped_model_stops_its_threads_and_frees_its_weights(tmp_path: Path) -> None:
    model = diamond_model()
    cls = api.load_model_class(compile_streams(model, tmp_path, alternate))
    before = threading.active_count()
    for _ in range(20):
        m = cls()
        m(*_feed(model))
        weight = weakref.ref(next(iter(m._weights.values())))
        gone = weakref.ref(m)
        del m  # no close()
        assert gone() is None, "something keeps the model alive"
        assert weight() is None, "something keeps its weights alive"
    for _ in range(500):
        if threading.active_count() == before:
            break
        time.sleep(0.01)
    assert threading.active_count() == before


def test_ramiel_opt_python_target_writes_source_and_weights(tmp_path: Path) -> None:
    from ramiel.tools.ramiel_opt import main as ramiel_opt

    model = diamond_model()
    onnx.save(model, tmp_path / "d.onnx")
    ramiel_opt([str(tmp_path / "d.onnx"), "-p", "cleanup,convert-dfg-to-pyemit", "-t", "python", "-o", str(tmp_path / "d.py")])
    assert (tmp_path / "d.weights.pt").is_file()
    _check_against_onnxruntime(model, tmp_path / "d.py")
    # Printed to standard output, the target saves the weights where it is told.
    weights = tmp_path / "elsewhere.weights.pt"
    ramiel_opt([str(tmp_path / "d.onnx"), "-p", "cleanup,convert-dfg-to-pyemit", "-t", f'python{{weights="{weights}"}}'])
    assert weights.read_bytes() == (tmp_path / "d.weights.pt").read_bytes()


def test_unused_results_of_a_multi_result_call_are_underscores(tmp_path: Path) -> None:
    model = _model(
        [
            helper.make_node("Split", ["x"], ["a", "b", "c"], axis=0, num_outputs=3),
            helper.make_node("Add", ["a", "c"], ["y"]),
        ],
        [_f32("x", [6])],
        [_f32("y", [2])],
    )
    path = compile_streams(model, tmp_path, None)
    assert "a, _, c = " in path.read_text()
    _check_against_onnxruntime(model, path)
    _assert_ruff_clean(path)
