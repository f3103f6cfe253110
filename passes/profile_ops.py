"""The `profile-ops` pass: time the module's ops on this machine for the profile cost model."""

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from ramiel.costmodel import ANALYTIC_CACHE_FILE
from ramiel.ir_graph import cache_dir


@dataclass(frozen=True)
class ProfileOps(ModulePass):
    """Times every op signature of the module missing from the profile cache; the IR is unchanged.

    Each op runs in isolation at one intra-op thread, as the generated code runs
    it (see `ramiel.profiling`); the analytic constants are calibrated first when
    the cache has none, so that ops that cannot be timed get calibrated estimates.
    The cache (`$RAMIEL_CACHE`, else `~/.cache/ramiel`) is only ever extended, and
    later passes with `cost=auto` use it:

        ramiel-opt model.onnx -p 'cleanup,profile-ops,cluster-cp,merge-clusters{workers=2}'
    """

    name = "profile-ops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from ramiel.profiling import calibrate, profile_module

        directory = cache_dir()
        if not (directory / ANALYTIC_CACHE_FILE).is_file():
            calibrate(directory)
        profile_module(op, directory)
