"""Cases of the control-flow operators."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ramiel.dialects.dfg import DfgOp
from ramiel.dialects.dfg.control_flow import IfOp, LoopOp
from tests.unit.op_cases.core import BOOL, F32, I64, Case, builds, make_model, t, x


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


@builds("Loop")
def _loop(op: str, opset: int) -> list[Case]:
    body = helper.make_graph(
        [
            # MatMul, since the opset-7 converter needs shapes of outer values to adapt Add.
            helper.make_node("MatMul", ["v_in", "b"], ["v_out"]),
            helper.make_node("Relu", ["v_out"], ["slice"]),
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("i", I64, []),
            helper.make_tensor_value_info("cond_in", BOOL, []),
            helper.make_tensor_value_info("v_in", F32, [2, 3]),
        ],
        [
            helper.make_tensor_value_info("cond_out", BOOL, []),
            helper.make_tensor_value_info("v_out", F32, [2, 3]),
            helper.make_tensor_value_info("slice", F32, [2, 3]),
        ],
    )
    node = helper.make_node(op, ["m", "c", "x"], ["v", "s"], body=body)

    def check(o: DfgOp) -> None:
        # Four iterations: a condition that starts true and is passed on cannot end the
        # loop, so it is left out. The body captures the graph input b.
        assert isinstance(o, LoopOp)
        assert o.constant_trips() == 4
        assert o.cond is None
        assert [v.name_hint for v in o.captured] == ["b"]

    model = make_model(opset, [node], [x(2, 3), x(3, 3, name="b")], ["v", "s"], {"m": np.array(4, np.int64), "c": np.array(True)})
    return [Case(op, opset, model, (t([2, 3]), t([4, 2, 3])), check)]
