"""The default pass pipeline, defined once, and running pipelines of typed passes.

Every entry point (`ramiel compile`, `check`, `bench`, `compare`, `show`, the Python
API, and `ramiel-opt -p "$(ramiel pipeline)"`) runs the passes `default_pipeline`
gives, so they produce the same module and the same generated file:

    cleanup                                  clean-up: folding, identities, BatchNorm folding, CSE
    fuse-gelu                                GELU written out in elementary ops as one op
    fuse-normalization                       LayerNorm and RMSNorm written out with reductions as one op
    fuse-attention                           attention written as MatMul, Softmax, MatMul as one op
    cluster-cp{cost}                         critical-path linear clusters
    merge-clusters{workers cost}             clusters onto at most `workers` streams
    select-streams{workers cost}             the parallel schedule, or one stream where it does not pay
    split-ops{cost}                          heavy ops split by channel where another stream idles
    clone{cost}                              cheap shared ops recomputed where they are read
    fuse-conv-activation                     2-D float32 convolutions fused with their Relu or Clip
    prepack-weights                          their constant weights reordered for oneDNN at load
    channels-last                            4-D float tensors channels-last in graphs with such convolutions
    write-in-place                           ops that may write over their first input marked `inplace`
    outline-streams                          one stream function per stream, with explicit hand-offs
    convert-dfg-to-pyemit                    the kernel calls and weights of the program printed as Python

The last six are the lowering (`lowering_passes`): the first four make decisions
for the Python target in `dfg` ops, `outline-streams` is target-neutral, and
`convert-dfg-to-pyemit` asks each op its kernel. With one worker only `cleanup`,
the fusions and the lowering run. Machine-dependent values
(how many cores) are never defaults of a pass: the command line fills them in and
passes them here.

The module keeps the pipeline it went through as its `ramiel.pipeline` attribute,
in the canonical text of its passes, which the generated file's header shows; a
module run through several pipelines (`ramiel-opt a.onnx -p cleanup -o a.mlir`,
then `ramiel-opt a.mlir -p ...`) keeps them all, in order, so its header is the
same as if one pipeline had run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from difflib import get_close_matches

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.passes import ModulePass, PassPipeline
from xdsl.utils.arg_spec import ArgSpec
from xdsl.utils.arg_spec import parse_pipeline as parse_pass_specs

from ramiel.errors import RamielError

PIPELINE_ATTR = "ramiel.pipeline"
"""Module attribute holding the text of the pipeline the module went through."""

MODEL_ATTR = "ramiel.model"
"""Module attribute naming the model, set on import (default: `main`)."""

PassCallback = Callable[[ModulePass | None, ModuleOp, ModulePass | None], None]
"""Called between passes, as xDSL's `PassPipeline` calls it: (done, module, upcoming)."""


def clustering_passes(
    workers: int, cost: str = "auto", *, heuristic: str | None = None, min_speedup: float | None = None
) -> list[ModulePass]:
    """The passes that schedule a cleaned-up module onto `workers` streams (none for one).

    `heuristic` replaces the default clustering (`cluster-cp,merge-clusters`, which
    `cluster{heuristic=cp}` equals) by `cluster{heuristic=...}`; `min_speedup`
    overrides `select-streams`' threshold (0 keeps every parallel schedule).
    """
    from ramiel.passes.clone import Clone
    from ramiel.passes.cluster import Cluster
    from ramiel.passes.cluster_cp import ClusterCP
    from ramiel.passes.merge_clusters import MergeClusters
    from ramiel.passes.select_streams import SelectStreams
    from ramiel.passes.split_ops import SplitOps
    from ramiel.scheduling import DEFAULT_HEURISTIC

    if workers < 2:
        return []
    clustering: list[ModulePass] = (
        [ClusterCP(cost=cost), MergeClusters(workers=workers, cost=cost)]
        if heuristic in (None, DEFAULT_HEURISTIC)
        else [Cluster(heuristic=heuristic, workers=workers, cost=cost)]
    )
    return [
        *clustering,
        SelectStreams(workers=workers, cost=cost)
        if min_speedup is None
        else SelectStreams(workers=workers, cost=cost, min_speedup=min_speedup),
        SplitOps(cost=cost),
        Clone(cost=cost),
    ]


def lowering_passes() -> list[ModulePass]:
    """The passes that lower a scheduled module to the program the `python` target prints."""
    from ramiel.passes.channels_last import ChannelsLast
    from ramiel.passes.convert_dfg_to_pyemit import ConvertDfgToPyemit
    from ramiel.passes.fuse_conv_activation import FuseConvActivation
    from ramiel.passes.outline_streams import OutlineStreams
    from ramiel.passes.prepack_weights import PrepackWeights
    from ramiel.passes.write_in_place import WriteInPlace

    return [FuseConvActivation(), PrepackWeights(), ChannelsLast(), WriteInPlace(), OutlineStreams(), ConvertDfgToPyemit()]


def is_lowering(step: ModulePass) -> bool:
    """Whether `step` is one of the lowering passes: what runs after it sees the module lowered, or partly."""
    return step.name in {p.name for p in lowering_passes()}


def graph_passes() -> list[ModulePass]:
    """The passes that make the graph the scheduling passes see: `cleanup`, then the
    fusions that put back, as one op each, the composite ops exporters write out."""
    from ramiel.passes.cleanup import Cleanup
    from ramiel.passes.fuse_attention import FuseAttention
    from ramiel.passes.fuse_gelu import FuseGelu
    from ramiel.passes.fuse_normalization import FuseNormalization

    return [Cleanup(), FuseGelu(), FuseNormalization(), FuseAttention()]


def default_pipeline(workers: int, cost: str = "auto", min_speedup: float | None = None) -> list[ModulePass]:
    """The default pipeline for `workers` streams (see the module docstring and `clustering_passes`)."""
    if workers < 1:
        raise RamielError("--workers must be at least 1", f"--workers {workers}")
    return [*graph_passes(), *clustering_passes(workers, cost, min_speedup=min_speedup), *lowering_passes()]


def pipeline_text(passes: Sequence[ModulePass]) -> str:
    """The `-p` text of `passes`, options in canonical form (defaults left out)."""
    return ",".join(str(p.pipeline_pass_spec()) for p in passes)


def parse_pipeline(text: str) -> list[ModulePass]:
    """The passes a `-p` pipeline text names, with their options; RamielError if it is wrong."""
    from xdsl.utils.exceptions import ArgSpecParseError

    from ramiel.passes import get_all_passes

    available = get_all_passes()
    where = f"-p {text}"
    try:
        specs = list(parse_pass_specs(text))
        unknown = [s.name for s in specs if s.name not in available]
        if unknown:
            known = ", ".join(sorted(available))
            raise RamielError(f"unknown pass '{unknown[0]}'{did_you_mean(unknown[0], available)} (passes: {known})", where)
        classes = [available[s.name]() for s in specs]
        for spec, pass_class in zip(specs, classes, strict=True):
            _check_option_names(spec, pass_class, where)
        return [c.from_pass_spec(_with_float_options(s, c)) for s, c in zip(specs, classes, strict=True)]
    except (ArgSpecParseError, ValueError) as e:
        raise RamielError(f"bad pass pipeline: {' '.join(str(e).split())}", where) from None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the known name closest to a misspelled `name`, else nothing."""
    close = get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _check_option_names(spec: ArgSpec, pass_class: type[ModulePass], where: str) -> None:
    """Refuse an option `pass_class` does not have, suggesting the one meant."""
    options = [f.name.replace("_", "-") for f in dataclasses.fields(pass_class)]
    for name in spec.parameters:
        if name.replace("_", "-") not in options:
            listed = ", ".join(options) or "none"
            raise RamielError(
                f"pass '{spec.name}' has no option '{name}'{did_you_mean(name, options)} (options: {listed})", where
            )


def _with_float_options(spec: ArgSpec, pass_class: type[ModulePass]) -> ArgSpec:
    """`spec` with whole numbers given to float options as floats: `min-gain=1` means 1.0, as in mlir-opt."""
    floats = {f.name for f in dataclasses.fields(pass_class) if f.type in (float, "float")}
    parameters = {
        name: tuple(float(v) if name.replace("-", "_") in floats and type(v) is int else v for v in values)
        for name, values in spec.parameters.items()
    }
    return ArgSpec(spec.name, parameters)


def record_pipeline(module: ModuleOp, passes: Sequence[ModulePass]) -> None:
    """Note on `module` the pipeline it is about to go through, after any it went through."""
    if not passes:
        return
    earlier = module.attributes.get(PIPELINE_ATTR)
    text = pipeline_text(passes)
    module.attributes[PIPELINE_ATTR] = StringAttr(f"{earlier.data},{text}" if isinstance(earlier, StringAttr) else text)


def run_pipeline(
    module: ModuleOp, passes: Sequence[ModulePass], callback: PassCallback | None = None
) -> None:
    """Record and apply `passes` to `module`, then verify it; a failure is a RamielError."""
    from xdsl.utils.exceptions import DiagnosticException, VerifyException

    from ramiel.ir_text import context

    record_pipeline(module, passes)
    try:
        PassPipeline(tuple(passes), callback).apply(context(), module)
        module.verify()
    except (DiagnosticException, VerifyException) as e:
        raise RamielError(
            f"the pipeline failed: {' '.join(str(e).split())}", pipeline_text(passes)
        ) from None


def apply_passes(module: ModuleOp, passes: Sequence[ModulePass], ctx: Context | None = None) -> None:
    """Apply `passes` in order inside another pass (no recording, no verification between them)."""
    from ramiel.ir_text import context

    PassPipeline(tuple(passes)).apply(ctx or context(), module)
