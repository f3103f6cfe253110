"""Cases of the control-flow operators."""

from __future__ import annotations

from onnx import helper

from ramiel.dialects.dfg import DfgOp
from ramiel.dialects.dfg.control_flow import IfOp
from tests.unit.op_cases.core import BOOL, Case, builds, make_model, t, x


@builds("If")
def _if(op: str, opset: int) -> list[Case]:
    then_branch = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"])], "then", [], [helper.make_empty_tensor_value_info("r")]
    )
    else_branch = helper.make_graph(
        [helper.make_node("Neg", ["x"], ["n"])], "else", [], [helper.make_empty_tensor_value_info("n")]
    )
    node = helper.make_node(op, ["c"], ["y"], then_branch=then_branch, else_branch=else_branch)

    def check(o: DfgOp) -> None:
        # The branches read the graph input x: it is captured, once for both.
        assert isinstance(o, IfOp)
        assert [v.name_hint for v in o.captured] == ["x"]
        assert [type(b.block.first_op).__name__ for b in o.branches] == ["ReluOp", "NegOp"]

    model = make_model(opset, [node], [x(name="c", type=BOOL), x(2, 3)], ["y"])
    return [Case(op, opset, model, (t([2, 3]),), check)]
