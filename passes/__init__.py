"""Ramiel's passes, one per module, registered by name for `ramiel-opt -p` and Python.

A pass is registered by one line of `PASSES`: its name and where its class lives.
Classes are imported on first use, as in xDSL's own registry, so that a tool pays
only for the passes it runs.
"""

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from functools import partial

from xdsl.passes import ModulePass

PASSES: dict[str, str] = {
    "canonicalize": "ramiel.passes.canonicalize:Canonicalize",
    "channels-last": "ramiel.passes.channels_last:ChannelsLast",
    "cleanup": "ramiel.passes.cleanup:Cleanup",
    "clone": "ramiel.passes.clone:Clone",
    "cluster": "ramiel.passes.cluster:Cluster",
    "cluster-cp": "ramiel.passes.cluster_cp:ClusterCP",
    "convert-dfg-to-pyemit": "ramiel.passes.convert_dfg_to_pyemit:ConvertDfgToPyemit",
    "cse": "xdsl.transforms.common_subexpression_elimination:CommonSubexpressionElimination",
    "dce": "xdsl.transforms.dead_code_elimination:DeadCodeElimination",
    "fold-batchnorm": "ramiel.passes.fold_batchnorm:FoldBatchNorm",
    "fold-constants": "ramiel.passes.fold_constants:FoldConstants",
    "fuse-attention": "ramiel.passes.fuse_attention:FuseAttention",
    "fuse-conv-activation": "ramiel.passes.fuse_conv_activation:FuseConvActivation",
    "fuse-gelu": "ramiel.passes.fuse_gelu:FuseGelu",
    "fuse-normalization": "ramiel.passes.fuse_normalization:FuseNormalization",
    "merge-clusters": "ramiel.passes.merge_clusters:MergeClusters",
    "outline-streams": "ramiel.passes.outline_streams:OutlineStreams",
    "prepack-weights": "ramiel.passes.prepack_weights:PrepackWeights",
    "schedule-report": "ramiel.passes.schedule_report:ScheduleReport",
    "select-streams": "ramiel.passes.select_streams:SelectStreams",
    "split-ops": "ramiel.passes.split_ops:SplitOps",
    "write-in-place": "ramiel.passes.write_in_place:WriteInPlace",
}
"""Each pass's name and its class, as `module:Class`."""

SUMMARIES: dict[str, str] = {
    "cse": "xDSL's common subexpression elimination: merges equal constants and ops.",
    "dce": "xDSL's dead code elimination: erases ops whose results nothing uses.",
}
"""One-line descriptions of passes whose class has no docstring."""


def _load(target: str) -> type[ModulePass]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def get_all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Every pass `ramiel-opt` offers, by name."""
    return {name: partial(_load, target) for name, target in PASSES.items()}


def describe_passes(passes: Mapping[str, Callable[[], type[ModulePass]]]) -> str:
    """One line per pass: its name, the first line of its docstring, and its options."""
    lines: list[str] = []
    for name in sorted(passes):
        cls = passes[name]()
        doc = (cls.__doc__ or "").strip().splitlines()
        summary = doc[0].strip() if doc else SUMMARIES.get(name, "")
        options = [
            f"{f.name.replace('_', '-')}={_type_name(f.type)}" for f in dataclasses.fields(cls)
        ]
        suffix = f" {{{' '.join(options)}}}" if options else ""
        lines.append(f"  {name}{suffix}\n      {summary}")
    return "\n".join(lines)


def _type_name(annotation: object) -> str:
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
