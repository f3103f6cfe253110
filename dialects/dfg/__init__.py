"""The `dfg` dialect: an ONNX graph as typed dataflow ops, over tensors and sequences of them.

One op per ONNX operator, each declared once, with everything Ramiel knows about
it, in the module of its family (see `base` for what an op's row holds):

    activation     Relu, Sigmoid, Gelu, Swish, SwiGLU, Clip, Elu, Softplus, PRelu and the other activations, Softmax, LogSoftmax
    elementwise    arithmetic, comparisons, logic and bitwise ops, Where, Cast, CastLike, BitCast, unary math
    shape          Shape, reshapes, Transpose, Expand, Tile, Concat, Split, Identity, Dropout, ConstantOfShape, Range, DepthToSpace
    indexing       Slice, Gather, Pad, the Gather and Scatter forms, OneHot, Trilu, Compress, TensorScatter
    conv           Conv, ConvTranspose
    conv_variants  DeformConv, CausalConvWithState
    pool           MaxPool, AveragePool, the global pools, LpPool, MaxUnpool, RoiAlign
    normalization  BatchNormalization, InstanceNormalization, LayerNormalization, RMSNormalization, GroupNormalization, LRN
    reduction      the Reduce ops, ArgMax, ArgMin, Hardmax, TopK, CumSum, CumProd, Einsum
    linalg         MatMul, Gemm, Det
    resize         Resize, GridSample, AffineGrid
    attention      Attention, LinearAttention, RotaryEmbedding
    fourier        DFT, STFT
    signal         the Hann, Hamming and Blackman windows, MelWeightMatrix
    quantization   QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear and the integer MatMul and Conv forms
    recurrent      LSTM, GRU, RNN
    data_dependent NonZero, Unique, NonMaxSuppression, whose result sizes the values decide
    sequence       SequenceConstruct, SequenceAt, SequenceInsert and the other ops over `!dfg.sequence`
    optional       Optional, OptionalHasElement, OptionalGetElement, over `!dfg.optional`
    control_flow   If and Loop, whose bodies are regions ending in `dfg.yield`

and `dfg.constant` (`constant`), which ONNX initializers and `Constant` nodes
become. Adding an operator is a class in its family's module; a new family is
a new module, found by its name.

    %w = dfg.constant #dfg.resource<conv1_w_5f0c2a9e1b7d3c4a : tensor<64x3x7x7xf32>>
    %y = dfg.conv %x, %w {pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>

Folding is xDSL's: each op's `fold()` gives its first input when it changes
nothing and its values when they are known, and the dialect materializes
folded values as `dfg.constant`.

Besides, extension ops (`EXTENSIONS`) are what lowering decisions make, no ONNX
operator: `dfg.fused_conv` and `dfg.prepack_conv2d` (`conv`), `dfg.memory_format`
(`layout`). Every op a target lowers is a `KernelOp`: it gives its kernel call.
"""

import importlib
import pkgutil

from xdsl.dialect_interfaces.constant_materialization import (
    ConstantMaterializationInterface,
)
from xdsl.ir import Attribute, Dialect, Operation

from ramiel.dialects.dfg.base import EXTENSIONS, OPS, DfgOp, KernelOp, dfg_name
from ramiel.dialects.dfg.constant import (
    INLINE_CONSTANT_LIMIT,
    RESOURCES,
    ConstantOp,
    ConstantValue,
    ResourceAttr,
    sanitize_identifier,
)
from ramiel.dialects.types import OptionalType, SequenceType

_NOT_FAMILIES = frozenset({"base", "constant", "folding"})
"""The package's modules that declare no operator family."""

# Each family module declares its ops into `OPS` as it is imported; a new
# family is a new module here and nothing else.
for _family in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _NOT_FAMILIES):
    importlib.import_module(f"{__name__}.{_family}")


class ConstantMaterializer(ConstantMaterializationInterface):
    """Folded values become `dfg.constant` ops."""

    def materialize_constant(self, value: Attribute, type: Attribute) -> Operation | None:
        if not isinstance(value, ConstantValue) or value.type != type:
            return None
        return ConstantOp(value)


def op_class(op_type: str) -> type[DfgOp]:
    """The `dfg` op class of an ONNX operator (KeyError if unsupported)."""
    return OPS[op_type]


from ramiel.dialects.dfg.control_flow import YieldOp  # noqa: E402  (after the families it ends)

Dfg = Dialect(
    "dfg",
    [ConstantOp, *OPS.values(), *EXTENSIONS.values(), YieldOp],
    [ResourceAttr, SequenceType, OptionalType],
    [RESOURCES, ConstantMaterializer()],
)

__all__ = [
    "EXTENSIONS",
    "INLINE_CONSTANT_LIMIT",
    "OPS",
    "RESOURCES",
    "ConstantOp",
    "Dfg",
    "DfgOp",
    "KernelOp",
    "OptionalType",
    "ResourceAttr",
    "SequenceType",
    "dfg_name",
    "op_class",
    "sanitize_identifier",
]
