"""Cases of the sequence operators: each model ends in tensors (a length, a concatenation,
one element), which the import gives types of the sizes the values decide where needed."""

from __future__ import annotations

import numpy as np
from onnx import helper

from tests.unit.op_cases.core import Case, builds, make_model, t, x

_INPUTS = [x(2, 3), x(4, 3, name="y")]
_AT = {"i": np.array(-1, np.int64)}


def _case(op: str, opset: int, nodes: list[object], outputs: tuple[str, ...], consts: dict[str, np.ndarray] | None = None) -> Case:
    names = [f"r{i}" for i in range(len(outputs))]
    return Case(op, opset, make_model(opset, nodes, _INPUTS, names, consts), outputs)  # pyright: ignore[reportArgumentType]


def _construct() -> object:
    return helper.make_node("SequenceConstruct", ["x", "y"], ["s"])


@builds("SequenceConstruct")
def _sequence_construct(op: str, opset: int) -> list[Case]:
    return [_case(op, opset, [_construct(), helper.make_node("ConcatFromSequence", ["s"], ["r0"], axis=0)], (t(["?", 3]),))]


@builds("ConcatFromSequence")
def _concat_from_sequence(op: str, opset: int) -> list[Case]:
    pieces = helper.make_node("SequenceConstruct", ["x", "x"], ["s"])
    return [_case(op, opset, [pieces, helper.make_node(op, ["s"], ["r0"], axis=1, new_axis=1)], (t([2, "?", 3]),))]


@builds("SequenceAt")
def _sequence_at(op: str, opset: int) -> list[Case]:
    return [_case(op, opset, [_construct(), helper.make_node(op, ["s", "i"], ["r0"])], (t(["?", 3]),), _AT)]


@builds("SequenceInsert")
def _sequence_insert(op: str, opset: int) -> list[Case]:
    insert = helper.make_node(op, ["s", "x", "i"], ["u"])
    length = helper.make_node("SequenceLength", ["u"], ["r0"])
    return [_case(op, opset, [_construct(), insert, length], (t([], "i64"),), _AT)]


@builds("SequenceErase")
def _sequence_erase(op: str, opset: int) -> list[Case]:
    erase = helper.make_node(op, ["s"], ["u"])
    last = helper.make_node("SequenceAt", ["u", "i"], ["r0"])
    return [_case(op, opset, [_construct(), erase, last], (t(["?", 3]),), _AT)]


@builds("SequenceLength")
def _sequence_length(op: str, opset: int) -> list[Case]:
    return [_case(op, opset, [_construct(), helper.make_node(op, ["s"], ["r0"])], (t([], "i64"),))]


@builds("SequenceEmpty")
def _sequence_empty(op: str, opset: int) -> list[Case]:
    empty = helper.make_node(op, [], ["s"])
    return [_case(op, opset, [empty, helper.make_node("SequenceLength", ["s"], ["r0"])], (t([], "i64"),))]


@builds("SplitToSequence")
def _split_to_sequence(op: str, opset: int) -> list[Case]:
    split = helper.make_node(op, ["y", "sizes"], ["s"])
    last = helper.make_node("SequenceAt", ["s", "i"], ["r0"])
    rows = helper.make_node(op, ["y"], ["s"], keepdims=0)
    count = helper.make_node("SequenceLength", ["s"], ["r0"])
    consts = {**_AT, "sizes": np.array([1, 3], np.int64)}
    return [
        _case(op, opset, [split, last], (t(["?", 3]),), consts),
        _case(op, opset, [rows, count], (t([], "i64"),)),
    ]
