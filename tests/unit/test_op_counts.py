"""The op-count table and the per-pass statistics (`ramiel.op_counts`)."""

from __future__ import annotations

from collections import Counter

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from ramiel.ir_text import parse_module
from ramiel.op_counts import PassStatistics, op_count_table, op_counts

_TEXT = """
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = dfg.constant dense<1.0> : tensor<4xf32>
  %r = dfg.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %s = dfg.relu %r : (tensor<4xf32>) -> tensor<4xf32>
  %y = dfg.add %s, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
"""


def test_op_counts_leave_out_the_module_the_function_and_its_return() -> None:
    module = parse_module(_TEXT)
    assert op_counts(module) == Counter({"dfg.relu": 2, "dfg.constant": 1, "dfg.add": 1})


def test_the_table_has_a_row_per_kind_then_the_totals() -> None:
    table = op_count_table(Counter({"dfg.conv": 12, "dfg.dropout": 1}), Counter({"dfg.conv": 12, "dfg.slice": 4}))
    assert table == [
        "op           before  after",
        "dfg.conv         12     12",
        "dfg.dropout       1      -",
        "dfg.slice         -      4",
        "total            13     16",
    ]


class _DropRelus(ModulePass):
    name = "drop-relus"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        for relu in [o for o in op.walk() if o.name == "dfg.relu"]:
            relu.results[0].replace_all_uses_with(relu.operands[0])
            relu.detach()
            relu.erase()


class _Nothing(ModulePass):
    name = "nothing"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx, op


def test_statistics_give_each_pass_its_changes_and_call_on() -> None:
    module = parse_module(_TEXT)
    seen: list[str | None] = []
    statistics = PassStatistics(lambda done, _module, _next: seen.append(done and done.name))
    drop, nothing = _DropRelus(), _Nothing()
    statistics(None, module, drop)
    drop.apply(Context(), module)
    statistics(drop, module, nothing)
    nothing.apply(Context(), module)
    statistics(nothing, module, None)
    assert seen == [None, "drop-relus", "nothing"]
    lines = statistics.lines()
    assert lines[0].startswith("drop-relus: 4 -> 2 ops, ")
    assert lines[1] == "  dfg.relu  2  ->  0"
    assert lines[2].startswith("nothing: 2 -> 2 ops, ")
    assert len(lines) == 3
