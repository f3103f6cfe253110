"""ONNX's sequence ops, over `!dfg.sequence` values, which the generated code holds as lists.

    %s = dfg.sequence_construct %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> !dfg.sequence<tensor<?x3xf32>>
    %t = dfg.sequence_at %s, %i : (!dfg.sequence<tensor<?x3xf32>>, tensor<i64>) -> tensor<?x3xf32>
    %c = dfg.concat_from_sequence %s {axis = 0 : i64} : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<?x3xf32>

How many tensors a sequence holds is a size that the values decide; none of these
ops folds.
"""

from __future__ import annotations

from ramiel.costmodel import view_work
from ramiel.dialects.dfg.base import DfgOp, onnx_op
from ramiel.kernels import KernelWriter, template


def _position(n: KernelWriter, index: int) -> str:
    """A position input as a Python int: its value when constant, else read when the code runs."""
    value = n.ints(index)
    return str(value[0]) if value is not None else f"int({n.arg(index)})"


def _sequence_construct(n: KernelWriter) -> str:
    """SequenceConstruct: a list of the inputs."""
    return f"[{', '.join(n.args())}]"


def _sequence_at(n: KernelWriter) -> str:
    """SequenceAt: indexing the list (a negative position counts from the end, as ONNX's)."""
    return f"{n.arg(0)}[{_position(n, 1)}]"


def _sequence_insert(n: KernelWriter) -> str:
    """SequenceInsert: the `sequence_insert` helper."""
    return n.call("sequence_insert", n.arg(0), n.arg(1), _position(n, 2) if n.has(2) else "None")


def _sequence_erase(n: KernelWriter) -> str:
    """SequenceErase: the `sequence_erase` helper."""
    return n.call("sequence_erase", n.arg(0), _position(n, 1) if n.has(1) else "None")


def _sequence_length(n: KernelWriter) -> str:
    """SequenceLength: the list's length as an int64 scalar."""
    return f"torch.tensor(len({n.arg(0)}), dtype=torch.int64)"


def _split_to_sequence(n: KernelWriter) -> str:
    """SplitToSequence along `axis`: pieces of the given sizes, or of the given size (the last
    one smaller), or of size 1, which `keepdims = 0` drops."""
    x, axis = n.arg(0), n.int_attr("axis") % n.rank(0)
    if not n.has(1):
        return f"list(torch.split({x}, 1, {axis}))" if n.attr("keepdims") else f"list(torch.unbind({x}, {axis}))"
    split = n.ints(1)
    value = n.value(1)
    if split is None:
        sizes = f"{n.arg(1)}.tolist()"
    else:
        sizes = str(split[0]) if value is not None and value.ndim == 0 else str(split)
    return f"list(torch.split({x}, {sizes}, {axis}))"


def _concat_from_sequence(n: KernelWriter) -> str:
    """ConcatFromSequence along `axis`: `torch.cat`, or `torch.stack` along a new axis."""
    function = "torch.stack" if n.attr("new_axis") else "torch.cat"
    return f"{function}({n.arg(0)}, {n.int_attr('axis')})"


@onnx_op("SequenceConstruct", kernel=_sequence_construct, foldable=False, work=view_work)
class SequenceConstructOp(DfgOp):
    """ONNX `SequenceConstruct`: the sequence of its inputs, in order.

        %s = dfg.sequence_construct %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> !dfg.sequence<tensor<?x3xf32>>
    """


@onnx_op("SequenceEmpty", kernel=template("[]"), foldable=False, work=view_work)
class SequenceEmptyOp(DfgOp):
    """ONNX `SequenceEmpty`: a sequence of no tensors, of element type `dtype` (float32 by default).

        %s = dfg.sequence_empty : () -> !dfg.sequence<tensor<?xf32>>
    """


@onnx_op("SequenceAt", kernel=_sequence_at, foldable=False, work=view_work)
class SequenceAtOp(DfgOp):
    """ONNX `SequenceAt`: the tensor at `position`, counted from the end when negative.

        %t = dfg.sequence_at %s, %i : (!dfg.sequence<tensor<?x3xf32>>, tensor<i64>) -> tensor<?x3xf32>
    """


@onnx_op("SequenceInsert", kernel=_sequence_insert, foldable=False, work=view_work)
class SequenceInsertOp(DfgOp):
    """ONNX `SequenceInsert`: the sequence with a tensor inserted at `position` (at the end without one).

        %u = dfg.sequence_insert %s, %t : (!dfg.sequence<tensor<?x3xf32>>, tensor<1x3xf32>) -> !dfg.sequence<tensor<?x3xf32>>
    """


@onnx_op("SequenceErase", kernel=_sequence_erase, foldable=False, work=view_work)
class SequenceEraseOp(DfgOp):
    """ONNX `SequenceErase`: the sequence without its tensor at `position` (the last without one).

        %u = dfg.sequence_erase %s : (!dfg.sequence<tensor<?x3xf32>>) -> !dfg.sequence<tensor<?x3xf32>>
    """


@onnx_op("SequenceLength", kernel=_sequence_length, foldable=False, work=view_work)
class SequenceLengthOp(DfgOp):
    """ONNX `SequenceLength`: how many tensors the sequence holds.

        %n = dfg.sequence_length %s : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<i64>
    """


@onnx_op("SplitToSequence", kernel=_split_to_sequence, foldable=False, work=view_work)
class SplitToSequenceOp(DfgOp):
    """ONNX `SplitToSequence` along `axis`: pieces of the sizes `split` gives (all of its size
    when a scalar, the last one smaller), or of size 1, squeezed away with `keepdims = 0`.

        %s = dfg.split_to_sequence %x, %sizes : (tensor<6x3xf32>, tensor<2xi64>) -> !dfg.sequence<tensor<?x3xf32>>
    """


@onnx_op("ConcatFromSequence", kernel=_concat_from_sequence, foldable=False, axis_span=None)
class ConcatFromSequenceOp(DfgOp):
    """ONNX `ConcatFromSequence` along `axis`, or stacked along a new one with `new_axis = 1`
    (ONNX's inference checks the axis against the tensors' rank).

        %c = dfg.concat_from_sequence %s {axis = 0 : i64} : (!dfg.sequence<tensor<?x3xf32>>) -> tensor<?x3xf32>
    """
