"""Shapes, sizes and data movement: one row per op.

    %y = dfg.reshape %x, %s : (tensor<1x4x4xf32>, tensor<2xi64>) -> tensor<1x16xf32>
    %c = dfg.concat %a, %b {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>

These ops only move elements, so numpy folds them exactly (the exporters' shape
arithmetic folds without torch), and their canonicalizations keep graphs small:
a chain of reshape-like ops is one Reshape to the last shape, two Transposes are
one, and a computed shape operand becomes the constant the static result type
gives.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np
from xdsl.dialects.builtin import DenseArrayBase, TensorType, i64
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import (
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from ramiel.costmodel import view_work
from ramiel.dialects.dfg.base import (
    DfgOp,
    Shapes,
    at_least,
    expect,
    int_attribute,
    one_of,
    onnx_op,
)
from ramiel.dialects.dfg.constant import ConstantOp, constant_array, materialize, splat
from ramiel.dialects.dfg.elementwise import through_int64
from ramiel.dialects.dfg.folding import NumpyFold, Values, ints, known, result_shape
from ramiel.kernels import (
    KernelWriter,
    scalar_literal,
    template,
    tuple_literal,
    varargs,
)
from ramiel.onnx_types import UNKNOWN, numpy_dtype, static_shape


def _same_type(op: DfgOp) -> bool:
    """Whether the op's first input has its result's type (so returning it changes nothing)."""
    source = op.input_values()[0]
    return source is not None and source.type == op.results[0].type


def _element_count(op: DfgOp, shapes: Shapes) -> None:
    source = shapes[0]
    assert source is not None
    result = static_shape(op.results[0].type)
    expect(
        int(np.prod(source)) == int(np.prod(result)),
        f"{op.ONNX_OP_TYPE} of {int(np.prod(source))} elements cannot give {int(np.prod(result))}",
    )


def _shape(n: KernelWriter) -> str:
    """Shape: the static shape, sliced by `start`/`end`, as an int64 literal; the run's shape
    where the values decide a size in it."""
    end = n.node.attrs.get("end")
    picked = slice(n.int_attr("start"), None if end is None else n.int_attr("end"))
    dims = list(n.dims(0))[picked]
    if UNKNOWN in dims:
        sliced = "" if picked == slice(0, None) else f"[{picked.start or ''}:{'' if picked.stop is None else picked.stop}]"
        return f"torch.tensor({n.arg(0)}.shape{sliced}, dtype=torch.int64)"
    return f"torch.tensor({dims}, dtype=torch.int64)"


def _shape_values(op: DfgOp, values: Values) -> list[np.ndarray] | None:
    dims = static_shape(op.operands[0].type)
    attrs = op.python_attributes()
    start, end = cast(int, attrs.get("start", 0)), cast(int | None, attrs.get("end"))
    # Python slicing wraps and clamps `start` and `end` exactly as ONNX's Shape does.
    picked = dims[start:end]
    return None if UNKNOWN in picked else [np.array(picked, dtype=np.int64)]


@onnx_op("Shape", kernel=_shape, fold=NumpyFold(_shape_values, needs=(), exempt=True), work=view_work)
class ShapeOp(DfgOp):
    """ONNX `Shape`: the shape, sliced by `start` and `end`; it folds unless the values decide
    a size in that slice.

        %s = dfg.shape %x : (tensor<1x3x8x8xf32>) -> tensor<4xi64>
    """


def _reshape_values(op: DfgOp, values: Values) -> list[np.ndarray]:
    return [known(values).reshape(result_shape(op))]


_RESHAPED = NumpyFold(_reshape_values, needs=(0,), moves_data=True)


def _reshape_to_output(n: KernelWriter) -> str:
    """Reshape and Flatten (and Squeeze/Unsqueeze with runtime axes): a reshape to the static output shape."""
    x = n.arg(0)
    return x if n.out_shape == n.shape(0) else f"{x}.reshape({varargs(n.out_shape)})"


def _reshape(n: KernelWriter) -> str:
    """Reshape: to the static output shape, or by the `onnx_reshape` helper where the values decide a size."""
    if UNKNOWN in n.out_dims:
        return n.call("onnx_reshape", n.arg(0), n.arg(1), str(bool(n.attr("allowzero"))))
    return _reshape_to_output(n)


@onnx_op("Reshape", kernel=_reshape, fold=_RESHAPED, work=view_work)
class ReshapeOp(DfgOp):
    """ONNX `Reshape`, to the static result shape.

        %y = dfg.reshape %x, %s : (tensor<1x4x4xf32>, tensor<2xi64>) -> tensor<1x16xf32>
    """

    def is_no_op(self) -> bool:
        return _same_type(self)

    def verify_shapes(self, shapes: Shapes) -> None:
        _element_count(self, shapes)

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return (ComposeReshapes(), ConstantShapeOperand())


@onnx_op("Flatten", kernel=_reshape_to_output, fold=_RESHAPED, work=view_work, axis_span=None)
class FlattenOp(DfgOp):
    """ONNX `Flatten` to 2-D at `axis`, a place between axes: in [-r, r] for rank r
    (ONNX's inference checks it).

        %y = dfg.flatten %x : (tensor<1x64x1x1xf32>) -> tensor<1x64xf32>
    """

    def is_no_op(self) -> bool:
        return _same_type(self)

    def verify_shapes(self, shapes: Shapes) -> None:
        _element_count(self, shapes)

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return (ComposeReshapes(),)


def _squeeze(n: KernelWriter) -> str:
    """Squeeze: the constant (or all unit) axes, else a reshape to the static output shape."""
    rank = n.rank(0)
    if n.has(1):
        given = n.ints(1)
        if given is None:
            return _reshape_to_output(n)
        axes = sorted(axis % rank for axis in given)
    else:
        axes = [axis for axis, dim in enumerate(n.shape(0)) if dim == 1]
    x = n.arg(0)
    if not axes:
        return x
    return f"{x}.squeeze({axes[0] if len(axes) == 1 else tuple_literal(axes)})"


@onnx_op("Squeeze", kernel=_squeeze, fold=_RESHAPED, work=view_work)
class SqueezeOp(DfgOp):
    """ONNX `Squeeze`: drops unit axes (the given ones, or all).

        %y = dfg.squeeze %x, %axes : (tensor<1x8x1xf32>, tensor<1xi64>) -> tensor<1x8xf32>
    """

    def is_no_op(self) -> bool:
        return _same_type(self)

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return (ComposeReshapes(),)


def _unsqueeze(n: KernelWriter) -> str:
    """Unsqueeze: `unsqueeze` for one constant axis, else a reshape to the static output shape."""
    axes = n.ints(1)
    if axes is not None and UNKNOWN in n.out_dims:
        # In ascending order, each inserted axis is where the result has it.
        return n.arg(0) + "".join(f".unsqueeze({axis})" for axis in sorted(a % n.out_rank for a in axes))
    if axes is None or len(axes) != 1:
        return _reshape_to_output(n)
    return f"{n.arg(0)}.unsqueeze({axes[0] % n.out_rank})"


@onnx_op("Unsqueeze", kernel=_unsqueeze, fold=_RESHAPED, work=view_work)
class UnsqueezeOp(DfgOp):
    """ONNX `Unsqueeze`: inserts unit axes.

        %y = dfg.unsqueeze %x, %axes : (tensor<8xf32>, tensor<1xi64>) -> tensor<1x8xf32>
    """

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return (ComposeReshapes(),)


@onnx_op("Identity", kernel=template("{0}"), fold=_RESHAPED, work=view_work)
class IdentityOp(DfgOp):
    """ONNX `Identity`: it always folds away.

        %y = dfg.identity %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """

    def is_no_op(self) -> bool:
        return True


def _transpose(n: KernelWriter) -> str:
    """Transpose: `permute` by `perm`, by default reversing the axes."""
    rank = n.rank(0)
    perm = n.int_list("perm", list(reversed(range(rank))))
    x = n.arg(0)
    return x if perm == list(range(rank)) else f"{x}.permute({varargs(perm)})"


def _transpose_values(op: DfgOp, values: Values) -> list[np.ndarray]:
    perm = cast(list[int] | None, op.python_attributes().get("perm"))
    return [np.transpose(known(values), perm)]


def _perm(op: TransposeOp) -> list[int]:
    perm = op.python_attributes().get("perm")
    rank = len(static_shape(op.results[0].type))
    return cast(list[int], perm) if perm is not None else list(reversed(range(rank)))


@onnx_op("Transpose", kernel=_transpose, fold=NumpyFold(_transpose_values, moves_data=True))
class TransposeOp(DfgOp):
    """ONNX `Transpose` by `perm` (by default reversing the axes).

        %y = dfg.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<1x4x8xf32>) -> tensor<1x8x4xf32>
    """

    def is_no_op(self) -> bool:
        return _perm(self) == list(range(len(static_shape(self.results[0].type))))

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return (ComposeTransposes(),)


def _expand(n: KernelWriter) -> str:
    """Expand: a broadcasting view of the static output shape, or of the run's (the `onnx_expand` helper)."""
    x = n.arg(0)
    if UNKNOWN in n.out_dims:
        return n.call("onnx_expand", x, n.arg(1))
    return x if n.out_shape == n.shape(0) else f"{x}.expand({varargs(n.out_shape)})"


def _expand_values(op: DfgOp, values: Values) -> list[np.ndarray]:
    return [np.broadcast_to(known(values), result_shape(op))]


@onnx_op("Expand", kernel=_expand, fold=NumpyFold(_expand_values, needs=(0,), moves_data=True), work=view_work)
class ExpandOp(DfgOp):
    """ONNX `Expand`: a broadcasting view of the static result shape.

        %y = dfg.expand %x, %s : (tensor<1x8xf32>, tensor<2xi64>) -> tensor<4x8xf32>
    """

    def is_no_op(self) -> bool:
        return _same_type(self)

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return (ConstantShapeOperand(),)


def _tile(n: KernelWriter) -> str:
    """Tile: `repeat`, with the repeats taken from the constant input or from the static shapes."""
    repeats = n.ints(1)
    if repeats is None:
        repeats = [out // dim if dim else 1 for dim, out in zip(n.shape(0), n.out_shape, strict=True)]
    x = n.arg(0)
    return x if all(repeat == 1 for repeat in repeats) else f"{x}.repeat({varargs(repeats)})"


def _tile_values(op: DfgOp, values: Values) -> list[np.ndarray]:
    return [np.tile(known(values), ints(values, 1) or [])]


@onnx_op("Tile", kernel=_tile, fold=NumpyFold(_tile_values, moves_data=True))
class TileOp(DfgOp):
    """ONNX `Tile`: the input repeated along each axis.

        %y = dfg.tile %x, %r : (tensor<1x8xf32>, tensor<2xi64>) -> tensor<2x8xf32>
    """

    def is_no_op(self) -> bool:
        return _same_type(self)


def _concat(n: KernelWriter) -> str:
    """Concat along `axis`."""
    return f"torch.cat({tuple_literal(n.args())}, dim={n.attr('axis')})"


def _concat_values(op: DfgOp, values: Values) -> list[np.ndarray]:
    axis = cast(int, op.python_attributes()["axis"])
    return [np.concatenate([v for v in values if v is not None], axis=axis)]


@onnx_op("Concat", kernel=_concat, fold=NumpyFold(_concat_values), fresh=True)
class ConcatOp(DfgOp):
    """ONNX `Concat` along `axis`.

        %c = dfg.concat %a, %b {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
    """

    def is_no_op(self) -> bool:
        return len(self.operands) == 1 and _same_type(self)


def _split(n: KernelWriter) -> str:
    """Split: the piece sizes come from the static output shapes, whether from `split` or `num_outputs`."""
    axis = n.int_attr("axis") % n.rank(0)
    x = n.arg(0)
    sizes = [shape[axis] for shape, _ in n.node.output_types]
    if UNKNOWN in sizes:
        raise n.fail("the sizes of the pieces are known only when it runs")
    return x if len(sizes) == 1 else f"torch.split({x}, {tuple_literal(sizes)}, dim={axis})"


@onnx_op("Split", kernel=_split, work=view_work)
class SplitOp(DfgOp):
    """ONNX `Split` along `axis`, into the pieces the static result shapes give.

        %a, %b = dfg.split %x {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<1x4xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>)
    """


def _dropout(n: KernelWriter) -> str:
    """Dropout in inference: the input itself, and an all-true mask when requested."""
    if n.has(2):
        training = n.value(2)
        if training is None or training.any():
            raise n.fail("training mode (or a non-constant training_mode) is not supported")
    x = n.arg(0)
    if len(n.node.output_types) == 1:
        return x
    return f"({x}, torch.ones({tuple_literal(n.shape(0))}, dtype=torch.bool))"


@onnx_op("Dropout", kernel=_dropout, foldable=False, work=view_work)
class DropoutOp(DfgOp):
    """ONNX `Dropout`, which passes its data through in inference (it is random in training, so never folds).

        %y = dfg.dropout %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    """

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return (RemoveInferenceDropout(),)


def _constant_of_shape(n: KernelWriter) -> str:
    """ConstantOfShape: the static output shape (or the run's) filled with `value` (default float32 zero)."""
    value = n.node.attrs.get("value")
    fill = 0 if value is None else np.asarray(value).reshape(-1)[0].item()
    unknown = UNKNOWN in n.out_dims
    shape = f"{n.arg(0)}.tolist()" if unknown else tuple_literal(n.out_shape)
    return f"torch.full({shape}, {scalar_literal(fill, n.out_dtype)}, dtype=torch.{n.out_dtype})"


def _constant_of_shape_values(op: DfgOp, values: Values) -> list[np.ndarray]:
    value = op.python_attributes().get("value")
    element = np.zeros((), np.float32) if value is None else cast(np.ndarray, value)
    return [splat(element, result_shape(op))]


@onnx_op("ConstantOfShape", kernel=_constant_of_shape, fold=NumpyFold(_constant_of_shape_values, needs=(), exempt=True))
class ConstantOfShapeOp(DfgOp):
    """ONNX `ConstantOfShape`: the static result shape filled with one value; it always folds, to a splat.

        %w = dfg.constant_of_shape %s {value = dense<2.000000e-02> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<64x64xf32>
    """


def _range(n: KernelWriter) -> str:
    """Range: `torch.arange` over constant bounds; otherwise start + i * delta for the static
    count, or the `onnx_range` helper where the values decide the count."""
    dtype = n.out_dtype
    if n.out_dims == (UNKNOWN,):
        return n.call("onnx_range", *n.args())
    count = n.out_shape[0]
    values = [n.value(index) for index in range(3)]
    if all(value is not None for value in values):
        start, limit, delta = (value.item() for value in values if value is not None)
        # torch refuses empty ranges whose delta points away from the limit.
        if count and math.ceil((limit - start) / delta) == count:
            return f"torch.arange({scalar_literal(start, dtype)}, {scalar_literal(limit, dtype)}, {scalar_literal(delta, dtype)}, dtype=torch.{dtype})"
    # The static element count makes the limit unnecessary.
    expr = f"torch.arange({count}, dtype=torch.{dtype})"
    delta, start = values[2], values[0]
    if delta is None or delta.item() != 1:
        expr += f" * {n.arg(2) if delta is None else scalar_literal(delta.item(), dtype)}"
    if start is None or start.item() != 0:
        expr = f"{n.arg(0) if start is None else scalar_literal(start.item(), dtype)} + {expr}"
    return expr


@onnx_op("Range", kernel=_range)
class RangeOp(DfgOp):
    """ONNX `Range`: start, start + delta, ... below limit.

        %r = dfg.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<8xi64>
    """


def _size(n: KernelWriter) -> str:
    """Size: the static element count as an int64 scalar, the run's where the values decide a size."""
    if UNKNOWN in n.dims(0):
        return f"torch.tensor({n.arg(0)}.numel(), dtype=torch.int64)"
    return f"torch.tensor({math.prod(n.shape(0))}, dtype=torch.int64)"


def _size_values(op: DfgOp, values: Values) -> list[np.ndarray] | None:
    dims = static_shape(op.operands[0].type)
    return None if UNKNOWN in dims else [np.array(math.prod(dims), dtype=np.int64)]


@onnx_op("Size", kernel=_size, fold=NumpyFold(_size_values, needs=(), exempt=True), work=view_work)
class SizeOp(DfgOp):
    """ONNX `Size`: the static element count; it always folds.

        %n = dfg.size %x : (tensor<1x3x8x8xf32>) -> tensor<i64>
    """


def _eye_like(n: KernelWriter) -> str:
    """EyeLike: ones on diagonal `k` of the static shape, zeros elsewhere, in the result's type."""
    rows, columns = n.out_shape
    k = n.int_attr("k")
    dtype = f"dtype=torch.{n.out_dtype}"
    if k == 0:
        return f"torch.eye({rows}, {columns}, {dtype})"
    # Keeping the columns j <= i + k and then j >= i + k leaves j == i + k.
    return f"torch.ones({rows}, {columns}, {dtype}).tril({k}).triu({k})"


def _eye_like_values(op: DfgOp, values: Values) -> list[np.ndarray]:
    rows, columns = result_shape(op)
    k = cast(int, op.python_attributes()["k"])
    element = cast(TensorType, op.results[0].type).get_element_type()
    return [np.eye(rows, columns, k, dtype=numpy_dtype(element))]


@onnx_op("EyeLike", kernel=through_int64(_eye_like), fold=NumpyFold(_eye_like_values, needs=()))
class EyeLikeOp(DfgOp):
    """ONNX `EyeLike`: ones on diagonal `k` of the input's 2-D shape, in `dtype` (by default the input's); it always folds.

        %e = dfg.eye_like %x {k = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
    """


_BLOCK_CHECKS = {"mode": one_of("DCR", "CRD"), "blocksize": at_least(1)}


def _blocks(x: str, split: tuple[int, ...], perm: tuple[int, ...], out: tuple[int, ...]) -> str:
    """`x` split into block dims, permuted and merged again: how ONNX defines DepthToSpace and SpaceToDepth."""
    return f"{x}.reshape({varargs(split)}).permute({varargs(perm)}).reshape({varargs(out)})"


def _depth_to_space(n: KernelWriter) -> str:
    """DepthToSpace: `F.pixel_shuffle` in CRD mode; in DCR mode ONNX's reshape and permutation."""
    block = n.int_attr("blocksize")
    x = n.arg(0)
    if n.attr("mode") == "CRD":
        return f"F.pixel_shuffle({x}, {block})"
    batch, channels, height, width = n.shape(0)
    split = (batch, block, block, channels // block**2, height, width)
    return _blocks(x, split, (0, 3, 4, 1, 5, 2), n.out_shape)


@onnx_op("DepthToSpace", kernel=_depth_to_space, attribute_values=_BLOCK_CHECKS)
class DepthToSpaceOp(DfgOp):
    """ONNX `DepthToSpace`: channels moved into `blocksize` x `blocksize` spatial blocks, in DCR or CRD order.

        %y = dfg.depth_to_space %x {blocksize = 2 : i64} : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x4xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        # ONNX's inference divides the channels and rounds down.
        channels, block = (shapes[0] or (0, 0))[1], int_attribute(self, "blocksize", 1)
        expect(channels % (block * block) == 0, f"{channels} channels do not make blocks of {block} x {block}")


def _space_to_depth(n: KernelWriter) -> str:
    """SpaceToDepth: `F.pixel_unshuffle` in CRD mode; in DCR mode ONNX's reshape and permutation."""
    block = n.int_attr("blocksize")
    x = n.arg(0)
    if n.attr("mode") == "CRD":
        return f"F.pixel_unshuffle({x}, {block})"
    batch, channels, height, width = n.shape(0)
    split = (batch, channels, height // block, block, width // block, block)
    return _blocks(x, split, (0, 3, 5, 1, 2, 4), n.out_shape)


@onnx_op("SpaceToDepth", kernel=_space_to_depth, attribute_values=_BLOCK_CHECKS)
class SpaceToDepthOp(DfgOp):
    """ONNX `SpaceToDepth`: `blocksize` x `blocksize` spatial blocks moved into channels, in DCR or CRD order.

        %y = dfg.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x8x2x2xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        # ONNX's inference divides the height and width and rounds down.
        *_, height, width = shapes[0] or (0, 0)
        block = int_attribute(self, "blocksize", 1)
        expect(height % block == 0 and width % block == 0, f"a {height} x {width} image does not make blocks of {block} x {block}")


# Canonicalizations.

_RESHAPES = ReshapeOp | FlattenOp | SqueezeOp | UnsqueezeOp
"""The ops that only change their input's shape."""


def _source(op: DfgOp) -> SSAValue:
    """The first input of `op`, which every op here requires."""
    source = op.input_values()[0]
    assert source is not None
    return source


def _shape_constant(dims: tuple[int, ...], result: SSAValue) -> ConstantOp:
    constant = ConstantOp.of_array(np.array(dims, dtype=np.int64))
    constant.output.name_hint = f"{result.name_hint or 'v'}_shape"
    return constant


class ComposeReshapes(RewritePattern):
    """A reshape-like op of a reshape-like op becomes one Reshape to the last shape, or nothing.

        %a = dfg.flatten %x {axis = 1 : i64} : (tensor<1x64x1x1xf32>) -> tensor<1x64xf32>
        %b = dfg.unsqueeze %a, %axes : (tensor<1x64xf32>, tensor<1xi64>) -> tensor<1x1x64xf32>

    becomes

        %b_shape = dfg.constant dense<[1, 1, 64]> : tensor<3xi64>
        %b = dfg.reshape %x, %b_shape : (tensor<1x64x1x1xf32>, tensor<3xi64>) -> tensor<1x1x64xf32>

    One Reshape with a constant shape is the form kernels write best
    (`x.reshape(1, 1, 64)`), whatever ops the chain held; a chain back to the first
    shape (a Squeeze undoing an Unsqueeze) is nothing at all.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ReshapeOp | FlattenOp | SqueezeOp | UnsqueezeOp, rewriter: PatternRewriter, /) -> None:
        inner = _source(op).owner
        if not isinstance(inner, _RESHAPES):
            return
        source = _source(inner)
        result = op.results[0]
        dims = static_shape(result.type)
        if UNKNOWN in dims:
            return  # Equal types may hold different shapes; no constant spells the result's.
        if source.type == result.type:
            rewriter.replace(op, [], [source])
            return
        if 0 in dims:
            return  # Reshape would read a 0 as "keep the input's dimension".
        shape = _shape_constant(dims, result)
        reshape = ReshapeOp.build([source, shape.output], [result.type])
        reshape.location = shape.location = op.location
        rewriter.replace(op, [shape, reshape])


class ConstantShapeOperand(RewritePattern):
    """A Reshape or Expand whose shape is computed takes its result shape as a constant.

        %s = dfg.concat %n, %c {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
        %y = dfg.reshape %x, %s : (tensor<1x4x4xf32>, tensor<2xi64>) -> tensor<1x16xf32>

    becomes `%y = dfg.reshape %x, %y_shape`, with `%y_shape = dfg.constant dense<[1, 16]>`,
    so the exporters' `Shape -> Gather -> Unsqueeze -> Concat` chains die.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ReshapeOp | ExpandOp, rewriter: PatternRewriter, /) -> None:
        shape = op.input_values()[1]
        dims = static_shape(op.results[0].type)
        if shape is None or constant_array(shape) is not None or 0 in dims or UNKNOWN in dims:
            return
        constant = _shape_constant(dims, op.results[0])
        constant.location = op.location
        rewriter.insert(constant, InsertPoint.before(op))
        rewriter.replace_uses_with_if(shape, constant.output, lambda use: use.operation is op)


class ComposeTransposes(RewritePattern):
    """A Transpose of a Transpose becomes one Transpose, or nothing when they cancel.

        %a = dfg.transpose %x {perm = array<i64: 0, 2, 1>} : ...
        %b = dfg.transpose %a {perm = array<i64: 1, 0, 2>} : ...

    becomes `%b = dfg.transpose %x {perm = array<i64: 2, 0, 1>}`.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: TransposeOp, rewriter: PatternRewriter, /) -> None:
        inner = _source(op).owner
        if not isinstance(inner, TransposeOp):
            return
        first, second = _perm(inner), _perm(op)
        perm = [first[axis] for axis in second]
        if perm == list(range(len(perm))):
            rewriter.replace(op, [], [_source(inner)])
            return
        transpose = TransposeOp.build([_source(inner)], [op.results[0].type], {"perm": DenseArrayBase.from_list(i64, perm)})
        transpose.location = op.location
        rewriter.replace(op, transpose)


class RemoveInferenceDropout(RewritePattern):
    """An inference `Dropout` passes its data through; a used mask is all true.

        %y, %mask = dfg.dropout %x : (tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<1x8xi1>)

    becomes `%x`, and `%mask = dfg.constant dense<true> : tensor<1x8xi1>`.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: DropoutOp, rewriter: PatternRewriter, /) -> None:
        source, _, training = op.input_values()
        if training is not None:
            mode = constant_array(training)
            if mode is None or mode.any():
                return
        new_ops: list[Operation] = []
        new_results: list[SSAValue | None] = [source]
        if len(op.results) > 1:
            mask = op.results[1]
            if mask.uses:
                true = materialize(splat(np.True_, static_shape(mask.type)), mask)
                new_ops.append(true)
                new_results.append(true.output)
            else:
                new_results.append(None)
        rewriter.replace(op, new_ops, new_results)
