"""Convolutions: one row per op, and the oneDNN fast path of 2-D float32 convolutions.

    %y = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>

The plain kernels are `F.convNd` and `F.conv_transposeNd`. A 2-D float32 Conv with
symmetric pads can also be computed by the `conv2d` helper (`conv2d_call`), with
the activation that alone reads it applied inside the same oneDNN call, and with
its weight reordered for oneDNN once, at load (`prepack_conv2d_call`). The
lowering passes write these decisions as two extension ops, `dfg.fused_conv` and
`dfg.prepack_conv2d`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, cast

from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    DenseArrayBase,
    FusedLoc,
    IntegerAttr,
    NameLoc,
    NoneAttr,
    StringAttr,
    TensorType,
    f64,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import (
    ParsePropInAttrDict,
    VarConstraint,
    base,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from ramiel.codegen.escape import literal
from ramiel.costmodel import conv_transpose_work, conv_work
from ramiel.dialects.dfg.activation import clip_bounds
from ramiel.dialects.dfg.base import (
    WINDOW_CHECKS,
    DfgOp,
    KernelOp,
    Shapes,
    at_least,
    expect,
    extension_op,
    int_attribute,
    one_of,
    onnx_op,
    shape_text,
)
from ramiel.dialects.streams import LoadTime
from ramiel.kernels import (
    KernelCall,
    KernelWriter,
    auto_pads,
    float_literal,
    index_expr,
    keyword_args,
    slice_text,
    spatial_keywords,
    tuple_literal,
    window_dilations,
)
from ramiel.onnx_types import static_shape
from ramiel.opview import OpView

_CONV_CHECKS = {**WINDOW_CHECKS, "group": at_least(1)}


def _conv_rank(n: KernelWriter) -> int:
    """The number of spatial axes of a convolution (1 to 3)."""
    rank = n.rank(1) - 2
    if not 1 <= rank <= 3:
        raise n.fail(f"{rank}-D convolution is not supported")
    return rank


def _conv(n: KernelWriter) -> str:
    """Conv: `F.convNd`, asymmetric pads applied by `F.pad` first."""
    from ramiel.runtime_helpers.bounds import torch_pad_arg

    rank = _conv_rank(n)
    kernel = n.shape(1)[2:]
    strides = n.int_list("strides", [1] * rank)
    dilations = window_dilations(n, kernel)
    begins, ends = auto_pads(n, n.shape(0)[2:], kernel, strides, dilations)
    x = n.arg(0)
    if begins != ends:
        x = f"F.pad({x}, {tuple_literal(torch_pad_arg(list(zip(begins, ends, strict=True))))})"
        begins = [0] * rank
    args = [x, n.arg(1)] + ([n.arg(2)] if n.has(2) else [])
    keywords = spatial_keywords(strides, begins, dilations)
    if n.attr("group") != 1:
        keywords["groups"] = str(n.attr("group"))
    return f"F.conv{rank}d({', '.join(args)}{keyword_args(**keywords)})"


@onnx_op("Conv", kernel=_conv, fresh=True, work=conv_work, attribute_values=_CONV_CHECKS)
class ConvOp(DfgOp):
    """ONNX `Conv` in 1 to 3 spatial dimensions, grouped or not.

        %y = dfg.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        verify_conv_shapes(self, shapes)


def verify_conv_shapes(op: DfgOp, shapes: Shapes) -> None:
    """Conv's channel and bias rules (shared by the integer convolutions): input channels are the weight's times the groups, which split the output channels."""
    x, w, *rest = shapes
    assert x is not None
    assert w is not None
    group = int_attribute(op, "group", 1)
    expect(x[1] == w[1] * group, f"input has {x[1]} channels, but the weight expects {w[1]} x {group} (group)")
    expect(w[0] % group == 0, f"{w[0]} output channels do not split into {group} groups")
    bias = rest[0] if rest else None
    expect(bias is None or bias == (w[0],), f"bias has shape {shape_text(bias)}, not {w[0]}")


def _conv_transpose(n: KernelWriter) -> str:
    """ConvTranspose: `F.conv_transposeNd`, with a slice for pads torch cannot express."""
    rank = _conv_rank(n)
    kernel = n.shape(1)[2:]
    strides = n.int_list("strides", [1] * rank)
    dilations = window_dilations(n, kernel)
    adjustments = n.int_list("output_padding", [0] * rank)
    out_sizes = n.out_shape[2:]
    # Length of the unpadded output, output_padding included, along each spatial axis.
    full = [
        (size - 1) * stride + (k - 1) * dilation + 1 + adjustment
        for size, stride, k, dilation, adjustment in zip(
            n.shape(0)[2:], strides, kernel, dilations, adjustments, strict=True
        )
    ]
    auto_pad = n.attr("auto_pad")
    if n.int_list("output_shape", []) or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        begins, ends = [], []
        for length, size in zip(full, out_sizes, strict=True):
            # A longer output than the full one extends the tail: a negative end pad.
            total = length - size
            head = max(0, total // 2 if auto_pad == "SAME_UPPER" else total - total // 2)
            begins.append(head)
            ends.append(total - head)
    else:
        begins, ends = auto_pads(n, n.shape(0)[2:], kernel, strides, dilations)
    padding, output_padding, crops = [], [], []
    for begin, end, adjustment, stride, dilation, length, size in zip(
        begins, ends, adjustments, strides, dilations, full, out_sizes, strict=True
    ):
        if begin < 0 or length - begin - end != size:
            raise n.fail("pads do not match the output shape")
        # torch crops `padding` at both ends and extends the tail by `output_padding`.
        if 0 <= adjustment + begin - end < max(stride, dilation):
            padding.append(begin)
            output_padding.append(adjustment + begin - end)
            crops.append(":")
        elif end >= 0 and adjustment < max(stride, dilation):
            padding.append(min(begin, end))
            output_padding.append(adjustment)
            cropped = size + begin + end - 2 * min(begin, end)
            crops.append(slice_text(begin - padding[-1], cropped - (end - padding[-1]), 1, cropped))
        else:
            raise n.fail("the output extends past what torch's output_padding (below stride or dilation) reaches")
    args = [n.arg(0), n.arg(1)] + ([n.arg(2)] if n.has(2) else [])
    keywords = spatial_keywords(strides, padding)
    if any(output_padding):
        keywords["output_padding"] = tuple_literal(output_padding)
    if n.attr("group") != 1:
        keywords["groups"] = str(n.attr("group"))
    keywords |= spatial_keywords(dilations=dilations)
    return index_expr(f"F.conv_transpose{rank}d({', '.join(args)}{keyword_args(**keywords)})", [":", ":", *crops])


@onnx_op("ConvTranspose", kernel=_conv_transpose, fresh=True, work=conv_transpose_work, attribute_values=_CONV_CHECKS)
class ConvTransposeOp(DfgOp):
    """ONNX `ConvTranspose` in 1 to 3 spatial dimensions.

        %y = dfg.conv_transpose %x, %w {strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x2x2x2xf32>) -> tensor<1x2x16x16xf32>
    """

    def verify_shapes(self, shapes: Shapes) -> None:
        x, w, *rest = shapes
        assert x is not None
        assert w is not None
        group = int_attribute(self, "group", 1)
        expect(x[1] == w[0], f"input has {x[1]} channels, but the weight expects {w[0]}")
        bias = rest[0] if rest else None
        channels = w[1] * group
        expect(bias is None or bias == (channels,), f"bias has shape {shape_text(bias)}, not {channels}")
        output_shape = self.python_attributes().get("output_shape")
        expect(
            not output_shape or len(cast(list[int], output_shape)) == len(x) - 2,
            f"output_shape {output_shape} does not give the {len(x) - 2} spatial sizes",
        )
        # ONNX's inference can give another rank when output_shape is odd.
        result = static_shape(self.results[0].type)
        expect(len(result) == len(x), f"the result has rank {len(result)}, not the input's {len(x)}")


# The oneDNN fast path.


@dataclass(frozen=True)
class Activation:
    """An activation oneDNN applies inside a convolution: its post-op name and scalars."""

    name: str
    scalars: tuple[float, ...] = ()


POST_OPS: Mapping[str, tuple[str, int]] = {"relu": ("Relu", 0), "hardtanh": ("Clip", 2)}
"""Each post-op `conv2d` applies: the ONNX operator it computes and its number of scalars."""


def fusable_activation(node: OpView) -> Activation | None:
    """The convolution post-op computing `node` on the convolution's output, or None when there is none.

    Only activations that round nothing (Relu, Clip) are fused, so a fused
    convolution gives the same bits as the two ops apart, as they run when the
    schedule puts them on different streams.
    """
    if node.op_type == "Relu":
        return Activation("relu")
    if node.op_type == "Clip" and (bounds := clip_bounds(KernelWriter(node))) is not None:
        return Activation("hardtanh", bounds)
    return None


Conv2dParameters = tuple[list[int], list[int], list[int], int]
"""Padding (both sides alike), stride and dilation of each spatial axis, and groups."""


def _conv2d_parameters(n: KernelWriter) -> Conv2dParameters | None:
    """The parameters of a 2-D float32 convolution with symmetric pads, else None."""
    if n.rank(1) != 4 or n.dtype(0) != "float32" or n.dtype(1) != "float32":
        return None
    strides = n.int_list("strides", [1, 1])
    dilations = window_dilations(n, n.shape(1)[2:])
    begins, ends = auto_pads(n, n.shape(0)[2:], n.shape(1)[2:], strides, dilations)
    if begins != ends:
        return None
    return begins, strides, dilations, n.int_attr("group")


def _conv2d_expr(n: KernelWriter, activation: Activation | None) -> str | None:
    """The `conv2d` helper call computing the convolution and then `activation`, None when `conv2d` cannot."""
    parameters = _conv2d_parameters(n)
    if parameters is None:
        return None
    padding, strides, dilations, groups = parameters
    args = [n.arg(0), n.arg(1), n.arg(2) if n.has(2) else "None"]
    keywords = spatial_keywords(strides, padding, dilations)
    if groups != 1:
        keywords["groups"] = str(groups)
    if activation is not None:
        keywords["activation"] = literal(activation.name)
        if activation.scalars:
            keywords["scalars"] = tuple_literal(float_literal(value) for value in activation.scalars)
    return n.call("conv2d", *args, **keywords)


def conv2d_call(conv: OpView, activation: Activation | None = None) -> KernelCall | None:
    """The `conv2d` helper call computing a 2-D float32 Conv and then `activation` on its result.

    None when the Conv is not one `conv2d` computes (other ranks or types,
    asymmetric pads); the plain kernels apply then.
    """
    n = KernelWriter(conv)
    expr = _conv2d_expr(n, activation)
    return None if expr is None else KernelCall(expr, frozenset(n.helpers), frozenset(n.used))


def _prepack_expr(weight: str, parameters: Conv2dParameters, input_shape: Sequence[int]) -> str:
    """The load-time call reordering `weight` for a convolution with these parameters on inputs of `input_shape`."""
    padding, strides, dilations, groups = parameters
    args = [tuple_literal(strides), tuple_literal(padding), tuple_literal(dilations), str(groups), tuple_literal(input_shape)]
    return f"prepack_conv2d({weight}, {', '.join(args)})"


def prepack_conv2d_call(conv: OpView) -> KernelCall | None:
    """The load-time call preparing the weight (input 1) of a Conv that `conv2d_call` computes, else None."""
    n = KernelWriter(conv)
    parameters = _conv2d_parameters(n)
    if parameters is None:
        return None
    return KernelCall(_prepack_expr(n.arg(1), parameters, n.shape(0)), frozenset({"prepack_conv2d"}), frozenset(n.used))


def _fused_conv(n: KernelWriter) -> str:
    """FusedConv: the `conv2d` helper, with the activation inside the same oneDNN call."""
    name = n.attr("activation")
    scalars = n.attr("activation_scalars")
    assert isinstance(scalars, list)
    activation = None if name == "none" else Activation(str(name), tuple(float(v) for v in scalars))
    expr = _conv2d_expr(n, activation)
    if expr is None:
        raise n.fail("the conv2d helper computes 2-D float32 convolutions with symmetric pads only")
    return expr


@onnx_op(
    "Conv",
    extension="FusedConv",
    kernel=_fused_conv,
    fresh=True,
    foldable=False,
    attribute_values={**_CONV_CHECKS, "activation": one_of("none", *POST_OPS)},
)
class FusedConvOp(DfgOp):
    """A 2-D float32 Conv with symmetric pads, computed by the `conv2d` helper, with the activation that alone read its result.

        %r = dfg.fused_conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
        %c = dfg.fused_conv %x, %w {activation = "hardtanh", activation_scalars = array<f64: 0.0, 6.0>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>

    Conv's operands and attributes, and the activation as a oneDNN post-op: "none",
    "relu", or "hardtanh" (a clamp to the two `activation_scalars`). Its weight may
    be prepacked (`dfg.prepack_conv2d`). Its location fuses the convolution's and the
    activation's, and its comment names both nodes.
    """

    activation = prop_def(StringAttr, default_value=StringAttr("none"))
    """The post-op applied to the convolution's result."""
    activation_scalars = prop_def(DenseArrayBase.constr(f64), default_value=DenseArrayBase.from_list(f64, ()))
    """The post-op's scalars: hardtanh's bounds, low first."""

    @staticmethod
    def of(conv: ConvOp, activation: DfgOp | None = None) -> FusedConvOp:
        """`conv` computed by `conv2d`, with `activation`, a fusable Relu or Clip that alone reads it, if given.

        The new op computes `activation`'s result (else `conv`'s) and keeps `conv`'s discardable attributes.
        """
        properties = dict(conv.properties)
        location = conv.location
        replaced = conv
        if activation is not None:
            post = fusable_activation(activation.view())
            assert post is not None, f"{activation.name} is not a fusable activation"
            properties["activation"] = StringAttr(post.name)
            properties["activation_scalars"] = DenseArrayBase.from_list(f64, post.scalars)
            location = FusedLoc(ArrayAttr([conv.location, activation.location]), NoneAttr())
            replaced = activation
        fused = cast(FusedConvOp, FusedConvOp.build(conv.input_values(), [replaced.results[0].type], properties, conv.attributes))
        fused.location = location
        fused.results[0].name_hint = replaced.results[0].name_hint
        return fused

    def verify_shapes(self, shapes: Shapes) -> None:
        verify_conv_shapes(self, shapes)
        expect(
            _conv2d_parameters(KernelWriter(self.view())) is not None,
            "a fused convolution is a 2-D float32 convolution with symmetric pads",
        )
        activation = self.activation.data
        wanted = POST_OPS[activation][1] if activation in POST_OPS else 0
        count = len(self.activation_scalars.get_values())
        expect(count == wanted, f"activation {activation!r} takes {wanted} scalars, not {count}")

    def comment(self) -> str | None:
        """The convolution's and the activation's nodes, those the model named."""
        location = self.location
        if not isinstance(location, FusedLoc):
            return super().comment()
        op_types = ("Conv", POST_OPS[self.activation.data][0]) if self.activation.data in POST_OPS else ("Conv",)
        named = zip(op_types, cast(ArrayAttr[Attribute], location.locations).data, strict=False)
        return ", ".join(f"{t} {loc.desc.data}" for t, loc in named if isinstance(loc, NameLoc)) or None


def computes_with_conv2d(op: Operation) -> bool:
    """Whether the `conv2d` helper computes `op`: a fused convolution, or a Conv it can compute."""
    return isinstance(op, FusedConvOp) or (isinstance(op, ConvOp) and conv2d_call(op.view()) is not None)


def prepack_properties(conv: DfgOp) -> dict[str, Attribute] | None:
    """The `dfg.prepack_conv2d` properties for the weight of `conv`, None when `conv2d` cannot compute it."""
    n = KernelWriter(conv.view())
    parameters = _conv2d_parameters(n)
    if parameters is None:
        return None
    padding, strides, dilations, groups = parameters
    return {
        "strides": DenseArrayBase.from_list(i64, strides),
        "pads": DenseArrayBase.from_list(i64, padding),
        "dilations": DenseArrayBase.from_list(i64, dilations),
        "group": IntegerAttr(groups, i64),
        "input_shape": DenseArrayBase.from_list(i64, n.shape(0)),
    }


@extension_op
class PrepackConv2dOp(KernelOp):
    """The weight of a fused convolution reordered into oneDNN's layout, once, when the model loads.

        %p = dfg.prepack_conv2d %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, input_shape = array<i64: 1, 4, 8, 8>} : tensor<4x4x3x3xf32>

    The properties are those of the convolutions that read it (all alike): `pads`
    holds one padding per spatial axis, for both sides. Only `dfg.fused_conv` reads
    a prepacked weight, as its weight operand.
    """

    name = "dfg.prepack_conv2d"

    T: ClassVar = VarConstraint("T", base(TensorType))

    weight = operand_def(T)
    result = result_def(T)
    strides = prop_def(DenseArrayBase.constr(i64))
    """The convolution's stride on each spatial axis."""
    pads = prop_def(DenseArrayBase.constr(i64))
    """The convolution's padding on each spatial axis (both sides alike)."""
    dilations = prop_def(DenseArrayBase.constr(i64))
    """The convolution's dilation on each spatial axis."""
    group = prop_def(IntegerAttr[I64])
    """The convolution's groups."""
    input_shape = prop_def(DenseArrayBase.constr(i64))
    """The shape of the convolution's input."""

    traits = traits_def(Pure(), LoadTime())
    assembly_format = "$weight attr-dict `:` type($weight)"
    irdl_options = (ParsePropInAttrDict(),)

    @staticmethod
    def of(conv: DfgOp) -> PrepackConv2dOp:
        """The prepacked weight of `conv`, a convolution `conv2d` computes."""
        properties = prepack_properties(conv)
        if properties is None:
            raise ValueError(f"the conv2d helper cannot compute {conv.name}")
        op = PrepackConv2dOp.create(
            operands=[conv.operands[1]], result_types=[conv.operands[1].type], properties=properties
        )
        op.result.name_hint = conv.operands[1].name_hint
        return op

    def kernel_call(self, name: Callable[[SSAValue], str] | None = None) -> KernelCall:
        """`prepack_conv2d(weight, stride, padding, dilation, groups, input shape)`."""
        spell = name or (lambda v: v.name_hint or "x")
        parameters = (
            list(self.pads.get_values()),
            list(self.strides.get_values()),
            list(self.dilations.get_values()),
            self.group.value.data,
        )
        expr = _prepack_expr(spell(self.weight), parameters, self.input_shape.get_values())
        return KernelCall(expr, frozenset({"prepack_conv2d"}), frozenset({0}))

    def kernel_inputs(self) -> list[SSAValue]:
        return [self.weight]

    def verify_(self) -> None:
        if len(cast(TensorType, self.weight.type).get_shape()) != 4 or len(self.input_shape.get_values()) != 4:
            raise VerifyException("a prepacked weight is 4-D, for 4-D inputs")
        for use in self.result.uses:
            user = use.operation
            if not isinstance(user, FusedConvOp) or use.index != 1:
                raise VerifyException(f"a prepacked weight is read only as the weight of dfg.fused_conv, not by {user.name}")
            if prepack_properties(user) != self.properties:
                raise VerifyException("the prepacked weight's properties are not those of the convolution reading it")


def conv2d_weight_readers(value: SSAValue) -> list[DfgOp] | None:
    """The convolutions reading `value`, when `conv2d` computes each of them and each reads it as its weight
    only; None when something else reads it, or nothing does."""
    readers: list[DfgOp] = []
    for use in value.uses:
        if use.index != 1 or not computes_with_conv2d(use.operation):
            return None
        readers.append(cast(DfgOp, use.operation))
    return readers or None
