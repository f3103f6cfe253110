"""Reductions, scans, selections along an axis, contractions and losses: one row per op.

    %m = dfg.reduce_mean %x, %axes {keepdims = 1 : i64} : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    %i = dfg.arg_max %x {axis = 1 : i64} : (tensor<1x8xf32>) -> tensor<1x1xi64>
    %v, %k = dfg.top_k %x, %n {axis = 1 : i64} : (tensor<1x8xf32>, tensor<1xi64>) -> (tensor<1x3xf32>, tensor<1x3xi64>)

Every `Reduce*` op is an elementwise step before the reduction (`abs`, `square`),
the reduction, and one after it (`sqrt`, `log`); ONNX applies both steps even
when `noop_with_empty_axes` leaves nothing to reduce. torch reduces, orders and
multiplies few unsigned tensors wider than uint8: int64 ones stand for them
(`elementwise.through_int64`), or they are refused.
"""

from __future__ import annotations

import math

from ramiel.codegen.escape import literal
from ramiel.costmodel import OpWork, elementwise_work
from ramiel.dialects.dfg.base import (
    DfgOp,
    Shapes,
    expect,
    int_attribute,
    one_of,
    onnx_op,
    shape_text,
)
from ramiel.dialects.dfg.elementwise import BITS, ORDERED, Emulation, through_int64
from ramiel.dialects.dfg.indexing import int64_indices
from ramiel.kernels import (
    FLOAT_TYPES,
    KernelWriter,
    highest_value,
    keyword_args,
    lowest_value,
    tuple_literal,
)
from ramiel.onnx_types import UNKNOWN, static_shape
from ramiel.opview import OpView

_REDUCTIONS: dict[str, tuple[str, str, str]] = {
    "ReduceSum": ("{}", "sum", "{}"),
    "ReduceMean": ("{}", "mean", "{}"),
    "ReduceMax": ("{}", "amax", "{}"),
    "ReduceMin": ("{}", "amin", "{}"),
    "ReduceProd": ("{}", "prod", "{}"),
    "ReduceL1": ("{}.abs()", "sum", "{}"),
    "ReduceL2": ("{}.square()", "sum", "{}.sqrt()"),
    "ReduceSumSquare": ("{}.square()", "sum", "{}"),
    "ReduceLogSum": ("{}", "sum", "{}.log()"),
    "ReduceLogSumExp": ("{}", "logsumexp", "{}"),
}
"""Each reduction as (the step before, the reducing tensor method, the step after)."""

_INTEGER_TYPES = frozenset({"int8", "int16", "int32", "uint8", "uint16", "uint32", "uint64"})
"""The integer types (other than int64) whose sums and products torch widens to int64 unless told."""


def _keep_dtype(n: KernelWriter) -> str:
    """`, dtype=...` where torch's sum, product or running sum would widen input 0's integers to int64."""
    return f", dtype=torch.{n.dtype(0)}" if n.dtype(0) in _INTEGER_TYPES else ""


def _reduced_dims(n: KernelWriter) -> tuple[int, ...] | str:
    """The dims to reduce (empty for none), or the text of a list of them known only at run time."""
    rank = n.rank(0)
    axes = n.ints(1) if n.has(1) else []
    if axes is not None:
        if not axes:
            return () if n.attr("noop_with_empty_axes") else tuple(range(rank))
        return tuple(sorted({axis % rank for axis in axes}))
    shape = n.shape(0)
    if n.attr("keepdims"):
        # Reducing an axis of size 1 keeps its values, so the shapes tell the axes that matter.
        return tuple(axis for axis, (size, out) in enumerate(zip(shape, n.out_shape, strict=True)) if size != out)
    if n.out_rank == rank:
        return ()  # Only empty axes with noop_with_empty_axes keep the rank.
    if not n.out_shape:
        return tuple(range(rank))
    return f"{n.arg(1)}.tolist()"


def _reduce(n: KernelWriter) -> str:
    """The Reduce* ops over `axes` (an input, constant or not), with `keepdims` and `noop_with_empty_axes`."""
    before, method, after = _REDUCTIONS[n.node.op_type]
    dims = _reduced_dims(n)
    if n.node.op_type == "ReduceL2":
        if n.dtype(0) not in FLOAT_TYPES:
            # ONNX truncates the integer square root.
            after = f"{{}}.double().sqrt().to(torch.{n.dtype(0)})"
        elif dims != ():
            # torch's norm accumulates half-precision squares in float32 and rounds once, as onnxruntime does.
            before, method, after = "{}", "norm", "{}"
    x = before.format(n.arg(0))
    if dims != ():
        x = _reduction(n, method, x, dims)
    return after.format(x)


def _reduction(n: KernelWriter, method: str, x: str, dims: tuple[int, ...] | str) -> str:
    """`x` reduced over `dims` by the tensor method `method` (or "norm", the 2-norm), as ONNX reduces."""
    keepdim = bool(n.attr("keepdims"))
    keyword = ", keepdim=True" if keepdim else ""
    dtype = n.out_dtype
    if method in ("amax", "amin") and UNKNOWN in n.dims(0):
        # Whether there is nothing to reduce only the run tells.
        dims_text = dims if isinstance(dims, str) else tuple_literal(dims)
        return n.call("extreme_over", x, dims_text, str(keepdim), str(method == "amax"))
    if method in ("amax", "amin") and math.prod(n.shape(0)) == 0 and math.prod(n.out_shape) > 0:
        # The extreme of nothing is the type's end; torch refuses empty reductions.
        end = lowest_value(dtype) if method == "amax" else highest_value(dtype)
        return f"torch.full({tuple_literal(n.out_shape)}, {end}, dtype=torch.{dtype})"
    if method == "prod":
        if isinstance(dims, str):
            return n.call("prod_over", x, dims, str(keepdim))
        # torch's prod takes one dim at a time: the last first, so the others keep their place.
        for dim in reversed(dims):
            x = f"{x}.prod({dim}{keyword}{_keep_dtype(n)})"
        return x
    dim = dims if isinstance(dims, str) else tuple_literal(dims)
    if method == "norm":
        return f"torch.linalg.vector_norm({x}, dim={dim}{keyword})"
    if method == "mean" and dtype not in FLOAT_TYPES:
        # ONNX's integer mean truncates the quotient.
        count = math.prod(n.shape(0)) // max(1, math.prod(n.out_shape))
        if count == 0:
            raise n.fail("the integer mean of no elements is undefined")
        return f"torch.div({x}.sum(dim={dim}{keyword}{_keep_dtype(n)}), {count}, rounding_mode='trunc')"
    widen = _keep_dtype(n) if method == "sum" else ""
    return f"{x}.{method}(dim={dim}{keyword}{widen})"


# torch reduces no uint32 or uint64 tensors: uint32 ones reduce as int64 values,
# uint64 ones as their bits where wrapping int64 arithmetic gives the same bits,
# or with the top bit flipped where only order matters; the others are refused.
_UINT64_REDUCTIONS: dict[str, Emulation | None] = {
    "ReduceSum": BITS,
    "ReduceProd": BITS,
    "ReduceSumSquare": BITS,
    "ReduceMax": ORDERED,
    "ReduceMin": ORDERED,
}
_REDUCE_KERNELS = {op: through_int64(_reduce, _UINT64_REDUCTIONS.get(op)) for op in _REDUCTIONS}


def _reduce_kernel(n: KernelWriter) -> str:
    """The Reduce* ops, unsigned integers emulated in int64."""
    return _REDUCE_KERNELS[n.node.op_type](n)


@onnx_op("ReduceMean", kernel=_reduce_kernel)
class ReduceMeanOp(DfgOp):
    """ONNX `ReduceMean` over `axes` (an input), keeping them or not; integer means truncate.

        %m = dfg.reduce_mean %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceSum", kernel=_reduce_kernel)
class ReduceSumOp(DfgOp):
    """ONNX `ReduceSum` over `axes` (an input), keeping them or not.

        %s = dfg.reduce_sum %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceMax", kernel=_reduce_kernel)
class ReduceMaxOp(DfgOp):
    """ONNX `ReduceMax` over `axes` (an input); the maximum of nothing is the type's lowest value.

        %m = dfg.reduce_max %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceMin", kernel=_reduce_kernel)
class ReduceMinOp(DfgOp):
    """ONNX `ReduceMin` over `axes` (an input); the minimum of nothing is the type's highest value.

        %m = dfg.reduce_min %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceProd", kernel=_reduce_kernel)
class ReduceProdOp(DfgOp):
    """ONNX `ReduceProd` over `axes` (an input); the product of nothing is one.

        %p = dfg.reduce_prod %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceL1", kernel=_reduce_kernel)
class ReduceL1Op(DfgOp):
    """ONNX `ReduceL1`: the sum of absolute values over `axes` (an input).

        %n = dfg.reduce_l1 %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceL2", kernel=_reduce_kernel)
class ReduceL2Op(DfgOp):
    """ONNX `ReduceL2`: the square root of the sum of squares over `axes` (an input), truncated for integers.

        %n = dfg.reduce_l2 %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceSumSquare", kernel=_reduce_kernel)
class ReduceSumSquareOp(DfgOp):
    """ONNX `ReduceSumSquare`: the sum of squares over `axes` (an input).

        %s = dfg.reduce_sum_square %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceLogSum", kernel=_reduce_kernel)
class ReduceLogSumOp(DfgOp):
    """ONNX `ReduceLogSum`: the logarithm of the sum over `axes` (an input).

        %s = dfg.reduce_log_sum %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


@onnx_op("ReduceLogSumExp", kernel=_reduce_kernel)
class ReduceLogSumExpOp(DfgOp):
    """ONNX `ReduceLogSumExp` over `axes` (an input), computed without overflow.

        %s = dfg.reduce_log_sum_exp %x, %axes : (tensor<1x4x8xf32>, tensor<1xi64>) -> tensor<1x4x1xf32>
    """


def _arg_extreme(n: KernelWriter) -> str:
    """ArgMax and ArgMin along `axis`, the first or (`select_last_index`) last extreme."""
    shape = n.shape(0)
    axis = n.int_attr("axis") % len(shape)
    keyword = ", keepdim=True" if n.attr("keepdims") else ""
    function = "torch.argmax" if n.node.op_type == "ArgMax" else "torch.argmin"
    x = n.arg(0)
    if n.attr("select_last_index"):
        # torch returns the first extreme; searching the flipped tensor finds the last.
        return f"{shape[axis] - 1} - {function}({x}.flip({axis}), dim={axis}{keyword})"
    return f"{function}({x}, dim={axis}{keyword})"


# torch finds no extremes of uint16 to uint64 tensors; int64 ones ordered alike stand for them.
_arg_extreme_kernel = through_int64(_arg_extreme, ORDERED)


@onnx_op("ArgMax", kernel=_arg_extreme_kernel)
class ArgMaxOp(DfgOp):
    """ONNX `ArgMax` along `axis`, the first or (`select_last_index`) last maximum.

        %i = dfg.arg_max %x {axis = 1 : i64} : (tensor<1x8xf32>) -> tensor<1x1xi64>
    """


@onnx_op("ArgMin", kernel=_arg_extreme_kernel)
class ArgMinOp(DfgOp):
    """ONNX `ArgMin` along `axis`, the first or (`select_last_index`) last minimum.

        %i = dfg.arg_min %x {axis = 1 : i64} : (tensor<1x8xf32>) -> tensor<1x1xi64>
    """


def _hardmax(n: KernelWriter) -> str:
    """Hardmax: one at the first maximum along `axis`, zero elsewhere."""
    axis = n.int_attr("axis") % n.rank(0)
    x = n.arg(0)
    return f"torch.zeros_like({x}).scatter({axis}, {x}.argmax({axis}, keepdim=True), 1.0)"


@onnx_op("Hardmax", kernel=_hardmax)
class HardmaxOp(DfgOp):
    """ONNX `Hardmax` along `axis` (opset 13: that axis alone): one at the first maximum, zero elsewhere.

        %y = dfg.hardmax %x : (tensor<2x8xf32>) -> tensor<2x8xf32>
    """


def _top_k(n: KernelWriter) -> str:
    """TopK, sorted, ties in index order: the `onnx_top_k` helper (`unsigned_top_k` for uint16 to uint64, which torch does not sort); k is the static size of the results' axis, else the run's K."""
    axis = n.int_attr("axis") % n.rank(0)
    largest = bool(n.attr("largest"))
    helper = "unsigned_top_k" if n.dtype(0) in ("uint16", "uint32", "uint64") else "onnx_top_k"
    k = n.out_dims[axis]
    return n.call(helper, n.arg(0), f"int({n.arg(1)})" if k == UNKNOWN else str(k), str(axis), str(largest))


@onnx_op("TopK", kernel=_top_k)
class TopKOp(DfgOp):
    """ONNX `TopK` along `axis`: the K largest (or smallest) values and their indices, sorted, ties in index order.

        %v, %k = dfg.top_k %x, %n {axis = 1 : i64} : (tensor<1x8xf32>, tensor<1xi64>) -> (tensor<1x3xf32>, tensor<1x3xi64>)

    K may be computed: the static result types give it. Unsorted results
    (`sorted = 0`, whose order ONNX leaves open) come sorted too.
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x = shapes[0]
        assert x is not None
        axis = int_attribute(self, "axis", -1) % max(len(x), 1)
        values, indices = (static_shape(result.type) for result in self.results)
        kept = [size for dim, size in enumerate(x) if dim != axis]
        expect(
            values == indices
            and len(values) == len(x)
            and [size for dim, size in enumerate(values) if dim != axis] == kept
            and values[axis] <= x[axis],
            f"results of TopK must both have the input's shape {shape_text(x)} but a smaller axis {axis}, "
            f"not {shape_text(values)} and {shape_text(indices)}",
        )


def _cumulative(n: KernelWriter) -> str:
    """CumSum, CumProd along the `axis` input: `torch.cumsum`/`torch.cumprod`, or the `onnx_cumulative` helper when `exclusive` or `reverse`."""
    axis_value = n.ints(1)
    axis = f"{n.arg(1)}.item()" if axis_value is None else str(axis_value[0] % n.rank(0))
    exclusive, reverse = bool(n.attr("exclusive")), bool(n.attr("reverse"))
    product = n.node.op_type == "CumProd"
    x = n.arg(0)
    if exclusive or reverse:
        return n.call("onnx_cumulative", x, axis, str(exclusive), str(reverse), str(product))
    return f"torch.{'cumprod' if product else 'cumsum'}({x}, {axis}{_keep_dtype(n)})"


class CumulativeOp(DfgOp):
    """The rule CumSum and CumProd share: the axis is one value."""

    def verify_shapes(self, shapes: Shapes) -> None:
        axis = shapes[1]
        expect(
            axis is not None and math.prod(axis) == 1,
            f"axis of {self.ONNX_OP_TYPE} must hold one value, not shape {shape_text(axis)}",
        )


# torch has no running sums or products of uint32 and uint64; the wrapped int64
# ones keep their low bits.
_cumulative_kernel = through_int64(_cumulative)


@onnx_op("CumSum", kernel=_cumulative_kernel)
class CumSumOp(CumulativeOp):
    """ONNX `CumSum` along the `axis` input, inclusive or `exclusive`, forward or `reverse`.

        %y = dfg.cum_sum %x, %axis {exclusive = 1 : i64} : (tensor<2x8xf32>, tensor<i64>) -> tensor<2x8xf32>
    """


@onnx_op("CumProd", kernel=_cumulative_kernel)
class CumProdOp(CumulativeOp):
    """ONNX `CumProd` along the `axis` input, inclusive or `exclusive` (starting from one), forward or `reverse`.

        %y = dfg.cum_prod %x, %axis {reverse = 1 : i64} : (tensor<2x8xf32>, tensor<i64>) -> tensor<2x8xf32>
    """


def _einsum(n: KernelWriter) -> str:
    """Einsum: `torch.einsum`, which reads ONNX's equations alike (spaces, ellipses, implicit outputs in ASCII order)."""
    return f"torch.einsum({literal(str(n.attr('equation')))}, {', '.join(n.args())})"


def _einsum_work(op: OpView) -> OpWork:
    """Einsum: a multiply and an add for every combination of the labels' values; gemm work with two operands or more."""
    equation = str(op.attrs.get("equation", "")).replace(" ", "")
    sizes: dict[str, int] = {}
    for term, shape in zip(equation.split("->")[0].split(","), op.input_shapes, strict=False):
        if shape is None:
            continue
        # The dims an ellipsis stands for get labels counted from its end, as they broadcast.
        count = len(shape) - len(term.replace("...", ""))
        labels = term.replace("...", "".join(chr(0x100 + i) for i in range(count, 0, -1)))
        for label, size in zip(labels, shape, strict=False):
            sizes[label] = max(sizes.get(label, 1), size)
    kind = "gemm" if len(op.input_shapes) > 1 else "vector"
    return OpWork(2.0 * math.prod(sizes.values()), elementwise_work(op).nbytes, kind)


# torch has no unsigned matrix products; wrapping int64 ones keep their low bits.
@onnx_op("Einsum", kernel=through_int64(_einsum), work=_einsum_work)
class EinsumOp(DfgOp):
    """ONNX `Einsum` by its `equation`.

        %c = dfg.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    """


_LOSS_REDUCTIONS = one_of("none", "sum", "mean")


def _loss_keywords(n: KernelWriter) -> dict[str, str]:
    """The weight, ignore_index and reduction keywords of torch's losses that differ from their defaults."""
    keywords = {}
    if n.has(2):
        keywords["weight"] = n.arg(2)
    if "ignore_index" in n.node.attrs:
        keywords["ignore_index"] = str(n.int_attr("ignore_index"))
    if n.attr("reduction") != "mean":
        keywords["reduction"] = literal(str(n.attr("reduction")))
    return keywords


def _negative_log_likelihood(n: KernelWriter) -> str:
    """NegativeLogLikelihoodLoss: `F.nll_loss`, which weighs, ignores and averages as ONNX does."""
    return f"F.nll_loss({n.arg(0)}, {int64_indices(n, 1)}{keyword_args(**_loss_keywords(n))})"


@onnx_op(
    "NegativeLogLikelihoodLoss",
    kernel=_negative_log_likelihood,
    attribute_values={"reduction": _LOSS_REDUCTIONS},
)
class NegativeLogLikelihoodLossOp(DfgOp):
    """ONNX `NegativeLogLikelihoodLoss` of log-probabilities, weighted, with an `ignore_index`, reduced or not.

        %l = dfg.negative_log_likelihood_loss %x, %t : (tensor<2x5xf32>, tensor<2xi64>) -> tensor<f32>
    """


def _softmax_cross_entropy(n: KernelWriter) -> str:
    """SoftmaxCrossEntropyLoss: `F.cross_entropy`, or the `softmax_cross_entropy` helper for the log-probabilities too."""
    scores, labels = n.arg(0), n.arg(1)
    keywords = _loss_keywords(n)
    if len(n.node.output_types) == 1:
        return f"F.cross_entropy({scores}, {int64_indices(n, 1)}{keyword_args(**keywords)})"
    # torch's default ignore_index, -100, is no class ONNX labels can name.
    ignore = keywords.get("ignore_index", "-100")
    reduction = literal(str(n.attr("reduction")))
    return n.call("softmax_cross_entropy", scores, labels, keywords.get("weight", "None"), ignore, reduction)


@onnx_op(
    "SoftmaxCrossEntropyLoss",
    kernel=_softmax_cross_entropy,
    attribute_values={"reduction": _LOSS_REDUCTIONS},
)
class SoftmaxCrossEntropyLossOp(DfgOp):
    """ONNX `SoftmaxCrossEntropyLoss` of scores, weighted, with an `ignore_index`, reduced or not, and optionally its log-probabilities.

        %l, %p = dfg.softmax_cross_entropy_loss %x, %t : (tensor<2x5xf32>, tensor<2xi64>) -> (tensor<f32>, tensor<2x5xf32>)
    """
