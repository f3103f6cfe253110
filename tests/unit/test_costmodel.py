"""Tests of the cost models: FLOP and byte formulas, constants, signatures and loading."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest

from ramiel.costmodel import (
    ANALYTIC_CACHE_FILE,
    CONSTANT_KEYS,
    COST_MODEL_ENTRY_POINT_GROUP,
    COST_MODEL_REGISTRY,
    INTRA_OP_KEYS,
    PROFILE_CACHE_FILE,
    AnalyticCostModel,
    CostModel,
    ProfileCostModel,
    StaticCostModel,
    available_cost_models,
    load_cost_model,
    op_signature,
    op_work,
    register_cost_model,
    static_constants,
)
from ramiel.errors import RamielError
from ramiel.ir_graph import cost_model_name
from ramiel.opview import OpView
from ramiel.registry import PluginLoadError

F32 = "float32"


def view(
    op_type: str,
    input_shapes: tuple[tuple[int, ...] | None, ...] = (),
    input_dtypes: tuple[str | None, ...] = (),
    output_shapes: tuple[tuple[int, ...] | None, ...] = (),
    output_dtypes: tuple[str | None, ...] = (),
    attrs: dict[str, object] | None = None,
) -> OpView:
    """An op's view from shapes and dtypes given apart (float32 where a dtype is not given)."""

    def types(shapes: tuple[tuple[int, ...] | None, ...], dtypes: tuple[str | None, ...]) -> tuple:
        named = [*dtypes, *[None] * (len(shapes) - len(dtypes))]
        return tuple(None if s is None else (s, d or F32) for s, d in zip(shapes, named, strict=False))

    outputs = types(output_shapes, output_dtypes)
    return OpView(
        op_type,
        input_types=types(input_shapes, input_dtypes),
        output_types=tuple(t for t in outputs if t is not None),
        attrs=attrs or {},  # type: ignore[arg-type]
    )


def conv_op(with_output: bool = True) -> OpView:
    """ResNet's stem: 7x7 stride-2 conv, 3 -> 64 channels, 224x224 -> 112x112."""
    return view(
        "Conv",
        input_shapes=((1, 3, 224, 224), (64, 3, 7, 7), None),
        input_dtypes=(F32, F32, None),
        output_shapes=((1, 64, 112, 112),) if with_output else (None,),
        output_dtypes=(F32,),
        attrs={
            "kernel_shape": [7, 7],
            "strides": [2, 2],
            "pads": [3, 3, 3, 3],
            "group": 1,
        },
    )


def test_conv_flops_and_bytes_by_hand() -> None:
    work = op_work(conv_op())
    # 2 * N * Cout * Hout * Wout * (Cin / group) * kh * kw
    assert work.flops == 2 * 1 * 64 * 112 * 112 * 3 * 7 * 7 == 236_027_904
    assert work.nbytes == 4 * (3 * 224 * 224 + 64 * 3 * 7 * 7 + 64 * 112 * 112)
    assert work.kind == "gemm"
    # Without the output shape, the same size follows from pads, strides and kernel.
    assert op_work(conv_op(with_output=False)).flops == work.flops


def test_depthwise_conv_divides_by_groups() -> None:
    op = view(
        "Conv",
        input_shapes=((1, 32, 56, 56), (32, 1, 3, 3)),
        output_shapes=((1, 32, 56, 56),),
        attrs={"group": 32, "pads": [1, 1, 1, 1]},
    )
    assert op_work(op).flops == 2 * 32 * 56 * 56 * 1 * 3 * 3


def test_matmul_gemm_and_transposed_conv() -> None:
    matmul = view(
        "MatMul", input_shapes=((1, 64, 256), (256, 128)), output_shapes=((1, 64, 128),)
    )
    assert op_work(matmul).flops == 2 * 64 * 128 * 256
    assert (
        op_work(view("MatMul", input_shapes=((4, 64, 256), (4, 256, 128)))).flops
        == 2 * 4 * 64 * 128 * 256
    )
    gemm = view(
        "Gemm", input_shapes=((1, 512), (1000, 512), (1000,)), attrs={"transB": 1}
    )
    assert op_work(gemm).flops == 2 * 1 * 1000 * 512
    deconv = view("ConvTranspose", input_shapes=((1, 16, 8, 8), (16, 4, 2, 2)))
    assert op_work(deconv).flops == 2 * 16 * 8 * 8 * 4 * 2 * 2


def test_pooling_reductions_views_and_elementwise() -> None:
    pool = view(
        "MaxPool",
        input_shapes=((1, 64, 112, 112),),
        attrs={"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]},
    )
    assert op_work(pool).flops == 64 * 56 * 56 * 9
    gap = view(
        "GlobalAveragePool",
        input_shapes=((1, 512, 7, 7),),
        output_shapes=((1, 512, 1, 1),),
    )
    assert op_work(gap).flops == 512 * 49
    assert (
        op_work(view("Reshape", input_shapes=((1, 512, 1, 1), (2,)))).kind == "view"
    )
    add = view(
        "Add",
        input_shapes=((1, 64, 56, 56),) * 2,
        input_dtypes=(F32, F32),
        output_shapes=((1, 64, 56, 56),),
        output_dtypes=(F32,),
    )
    n = 64 * 56 * 56
    assert (op_work(add).flops, op_work(add).nbytes, op_work(add).kind) == (
        n,
        3 * 4 * n,
        "vector",
    )
    half = view(
        "Relu",
        input_shapes=((10,),),
        input_dtypes=("FLOAT16",),
        output_shapes=((10,),),
        output_dtypes=("f16",),
    )
    assert op_work(half).nbytes == 2 * 10 * 2


def test_static_model_times() -> None:
    model = StaticCostModel()
    c = static_constants()
    assert sorted(c) == sorted(CONSTANT_KEYS)
    conv = op_work(conv_op())
    expected = (
        max(conv.flops / c["gemm_flop_per_s"], conv.nbytes / c["memory_bytes_per_s"])
        + c["op_overhead_s"]
    )
    assert model.node_cost(conv_op()) == pytest.approx(expected)
    assert (
        model.node_cost(view("Flatten", input_shapes=((1, 512, 1, 1),)))
        == c["op_overhead_s"]
    )
    assert model.edge_cost(1_000_000) == pytest.approx(
        c["handoff_overhead_s"] + 1e6 / c["handoff_bytes_per_s"]
    )
    # Plausibility of the checked-in machine: a ResNet stem conv takes milliseconds, dispatch microseconds.
    assert 1e-3 < model.node_cost(conv_op()) < 2e-2
    assert 1e-6 < c["op_overhead_s"] < 1e-4


def test_analytic_model_checks_constants() -> None:
    constants = static_constants()
    fast = AnalyticCostModel(
        {**constants, "gemm_flop_per_s": 2 * constants["gemm_flop_per_s"]}
    )
    assert fast.node_cost(conv_op()) < StaticCostModel().node_cost(conv_op())
    with pytest.raises(ValueError, match="missing"):
        AnalyticCostModel({k: v for k, v in constants.items() if k != "op_overhead_s"})
    with pytest.raises(ValueError, match="unknown"):
        AnalyticCostModel({**constants, "flops": 1.0})
    with pytest.raises(ValueError, match="out of range"):
        AnalyticCostModel({**constants, "memory_bytes_per_s": 0.0})
    with pytest.raises(ValueError, match="out of range"):
        AnalyticCostModel({**constants, "intra_op_speedup": 0.5})


def test_intra_op_costs() -> None:
    """Below the grain an op pays a wake-up on more threads; from it on it runs faster, up to linearly."""
    model = StaticCostModel()
    c = static_constants()
    small, large = c["intra_op_grain_s"] / 2, c["intra_op_grain_s"] * 10
    op = conv_op()
    assert model.intra_op_cost(op, small, 1) == small
    assert model.intra_op_cost(op, small, 2) == pytest.approx(small + c["intra_op_small_overhead_s"])
    assert model.intra_op_cost(op, large, 2) == pytest.approx(large / c["intra_op_speedup"] + c["intra_op_overhead_s"])
    # Three threads: each added one gains what the second did.
    three = min(3.0, 1 + 2 * (c["intra_op_speedup"] - 1))
    assert model.intra_op_cost(op, large, 3) == pytest.approx(large / three + c["intra_op_overhead_s"])
    # A model that does not say predicts no change: the code keeps the caller's threads.
    assert CostModel.intra_op_cost(model, op, large, 2) == large


def test_a_profile_scales_its_times_as_its_fallback_predicts() -> None:
    """A profiled op changes on more threads by the ratio the fallback predicts for its own estimate."""
    static = StaticCostModel()
    tiny = view("Relu", ((4,),), (F32,), ((4,),), (F32,))
    profile = ProfileCostModel({op_signature(tiny): 1e-3, op_signature(conv_op()): 1e-3}, static)
    for op in (tiny, conv_op()):
        estimate = static.node_cost(op)
        ratio = static.intra_op_cost(op, estimate, 2) / estimate
        assert profile.intra_op_cost(op, 1e-3, 2) == pytest.approx(1e-3 * ratio)
    # The Relu stays small however long its profile says it takes: it pays the wake-up, the convolution gains.
    assert profile.intra_op_cost(tiny, 1e-3, 2) > 1e-3 > profile.intra_op_cost(conv_op(), 1e-3, 2)


def test_op_signature_is_canonical() -> None:
    a = view(
        "Conv",
        ((1, 3, 8, 8), None),
        ("FLOAT", None),
        ((1, 4, 8, 8),),
        ("float32",),
        {"pads": [1, 1, 1, 1], "group": 1},
    )
    b = view(
        "Conv",
        ((1, 3, 8, 8), None),
        ("float32", None),
        ((1, 4, 8, 8),),
        ("f32",),
        {"group": 1, "pads": [1, 1, 1, 1]},
    )
    assert (
        op_signature(a)
        == op_signature(b)
        == "Conv(1x3x8x8:float32,?:float32)->(1x4x8x8:float32){group=1,pads=[1,1,1,1]}"
    )
    assert (
        op_signature(view("Add", ((), ()), (), ((),)))
        == "Add(scalar:float32,scalar:float32)->(scalar:float32){}"
    )
    assert (
        op_signature(view("LeakyRelu", attrs={"alpha": 0.1, "mode": b"x"}))
        == "LeakyRelu()->(){alpha=0.1,mode=x}"
    )


def test_load_cost_model(tmp_path: Path) -> None:
    assert isinstance(load_cost_model("static"), StaticCostModel)
    with pytest.warns(UserWarning, match="cost_analytic.json"):
        assert isinstance(load_cost_model("analytic", tmp_path), StaticCostModel)
    with pytest.warns(UserWarning, match="cost_profile.json"):
        assert isinstance(load_cost_model("profile", tmp_path), StaticCostModel)
    with pytest.raises(ValueError, match="choose one of analytic, profile, static"):
        load_cost_model("magic", tmp_path)

    calibrated = {**static_constants(), "op_overhead_s": 1e-3}
    (tmp_path / ANALYTIC_CACHE_FILE).write_text(json.dumps(calibrated))
    analytic = load_cost_model("analytic", tmp_path)
    assert isinstance(analytic, AnalyticCostModel)
    assert analytic.constants == calibrated

    conv = conv_op()
    (tmp_path / PROFILE_CACHE_FILE).write_text(json.dumps({op_signature(conv): 0.0042}))
    profile = load_cost_model("profile", tmp_path)
    assert isinstance(profile, ProfileCostModel)
    assert profile.node_cost(conv) == 0.0042
    relu = view("Relu", ((4,),), (F32,), ((4,),), (F32,))
    assert profile.node_cost(relu) == analytic.node_cost(relu)
    assert profile.edge_cost(100) == analytic.edge_cost(100)

    # A calibration written before the intra-op constants existed takes the static ones.
    older = {k: v for k, v in calibrated.items() if k not in INTRA_OP_KEYS}
    (tmp_path / ANALYTIC_CACHE_FILE).write_text(json.dumps(older))
    analytic = load_cost_model("analytic", tmp_path)
    assert isinstance(analytic, AnalyticCostModel)
    assert analytic.constants == calibrated

    (tmp_path / PROFILE_CACHE_FILE).write_text("{not json")
    with pytest.raises(RamielError, match="the cost cache is not a JSON object of numbers"):
        load_cost_model("profile", tmp_path)


def test_a_registered_cost_model_is_named_like_the_built_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(COST_MODEL_REGISTRY, "entries", dict(COST_MODEL_REGISTRY.entries))
    monkeypatch.setattr(COST_MODEL_REGISTRY, "entry_points_loaded", True)
    seen: list[Path | None] = []

    @register_cost_model("flat")
    def flat(cache_dir: Path | None) -> CostModel:
        seen.append(cache_dir)
        return StaticCostModel()

    assert "flat" in available_cost_models()
    assert isinstance(load_cost_model("flat", "cache"), StaticCostModel)
    assert seen == [Path("cache")]
    with pytest.raises(ValueError, match="already registered"):
        register_cost_model("flat")(lambda cache_dir: StaticCostModel())
    # The passes' `cost` option takes the new name as it takes the built-in ones.
    assert cost_model_name("flat") == "flat"


def plugged_model(cache_dir: Path | None) -> CostModel:
    """A cost model factory as an installed package would advertise it."""
    del cache_dir
    return StaticCostModel()


def test_cost_models_come_from_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(COST_MODEL_REGISTRY, "entries", dict(COST_MODEL_REGISTRY.entries))
    monkeypatch.setattr(COST_MODEL_REGISTRY, "entry_points_loaded", False)
    group = COST_MODEL_ENTRY_POINT_GROUP
    fake = [importlib.metadata.EntryPoint("plugged", f"{__name__}:plugged_model", group)]
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda *, group: fake if group == COST_MODEL_ENTRY_POINT_GROUP else [])
    assert "plugged" in available_cost_models()
    assert isinstance(load_cost_model("plugged"), StaticCostModel)
    fake[:] = [importlib.metadata.EntryPoint("broken", "ramiel.no_such_module:x", group)]
    with pytest.raises(PluginLoadError, match="entry point 'broken'"):
        COST_MODEL_REGISTRY.load_entry_points()


def test_a_researcher_can_replace_the_model() -> None:
    class Flat(CostModel):
        def node_cost(self, op: OpView) -> float:
            return 1.0

        def edge_cost(self, nbytes: int) -> float:
            return 0.0

    assert Flat().node_cost(conv_op()) == 1.0
    with pytest.raises(TypeError):
        CostModel()  # type: ignore[abstract]
