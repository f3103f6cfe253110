"""Conversions between ONNX's element types and attributes and their xDSL forms.

The frontend, the `dfg` dialect (schema defaults, verification through ONNX shape
inference) and the kernel table all speak about the same element types and
attribute values; this module is the one place that translates between them.

numpy has no bfloat16 of its own: bfloat16 arrays are `ml_dtypes.bfloat16` arrays
(what `onnx.numpy_helper` gives, `ml_dtypes` being a dependency of `onnx`), which
`torch.from_numpy` does not take, so arrays and tensors cross between numpy and
torch through `torch_of_numpy` and `numpy_of_torch`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import ml_dtypes
import numpy as np
from onnx import AttributeProto, TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    AnyDenseElement,
    AnyFloat,
    ArrayAttr,
    BFloat16Type,
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    TensorType,
    f32,
    i1,
    i64,
)
from xdsl.ir import Attribute

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class ElementType:
    """One element type in all its spellings: ONNX's data type, xDSL's type, numpy's and torch's name."""

    onnx: int
    """ONNX's `TensorProto.DataType`."""
    name: str
    """numpy's name, which torch also uses (`torch.<name>`)."""
    xdsl: Attribute
    """The element type of `dfg` tensors."""
    size: int
    """Bytes per element."""
    aliases: tuple[str, ...] = ()
    """Other spellings (ONNX's, MLIR's) that name it, in lower case."""
    supported: bool = True
    """Whether Ramiel compiles tensors of it."""


ELEMENT_TYPES: tuple[ElementType, ...] = (
    ElementType(TensorProto.FLOAT, "float32", Float32Type(), 4, ("float", "f32")),
    ElementType(TensorProto.FLOAT16, "float16", Float16Type(), 2, ("half", "f16")),
    ElementType(TensorProto.DOUBLE, "float64", Float64Type(), 8, ("double", "f64")),
    ElementType(TensorProto.BFLOAT16, "bfloat16", BFloat16Type(), 2, ("bf16",)),
    ElementType(TensorProto.INT64, "int64", IntegerType(64), 8, ("i64", "si64")),
    ElementType(TensorProto.INT32, "int32", IntegerType(32), 4, ("i32", "si32")),
    ElementType(TensorProto.INT16, "int16", IntegerType(16), 2, ("i16", "si16")),
    ElementType(TensorProto.INT8, "int8", IntegerType(8), 1, ("i8", "si8")),
    ElementType(TensorProto.UINT8, "uint8", IntegerType(8, Signedness.UNSIGNED), 1, ("ui8", "u8")),
    ElementType(TensorProto.UINT16, "uint16", IntegerType(16, Signedness.UNSIGNED), 2, ("ui16", "u16")),
    ElementType(TensorProto.UINT32, "uint32", IntegerType(32, Signedness.UNSIGNED), 4, ("ui32", "u32")),
    ElementType(TensorProto.UINT64, "uint64", IntegerType(64, Signedness.UNSIGNED), 8, ("ui64", "u64")),
    ElementType(TensorProto.BOOL, "bool", i1, 1, ("i1",)),
)
"""Every element type Ramiel knows, the one table all spellings come from."""

_ELEMENT_TYPES: dict[int, tuple[Attribute, str]] = {t.onnx: (t.xdsl, t.name) for t in ELEMENT_TYPES if t.supported}
_ONNX_OF_XDSL: dict[Attribute, int] = {t: k for k, (t, _) in _ELEMENT_TYPES.items()}
_NUMPY_OF_XDSL: dict[Attribute, str] = {t: n for t, n in _ELEMENT_TYPES.values()}
_XDSL_OF_NUMPY: dict[str, Attribute] = {n: t for t, n in _ELEMENT_TYPES.values()}
_BY_SPELLING: dict[str, ElementType] = {
    spelling: t for t in ELEMENT_TYPES for spelling in (t.name, *t.aliases)
}

# ONNX type-constraint strings ("tensor(float)") -> xDSL element types.
_XDSL_OF_TYPE_STR: dict[str, Attribute] = {
    f"tensor({helper.tensor_dtype_to_string(k).removeprefix('TensorProto.').lower()})": t
    for k, (t, _) in _ELEMENT_TYPES.items()
} | {"tensor(float)": Float32Type(), "tensor(double)": Float64Type()}


def element_type_named(spelling: str) -> ElementType | None:
    """The element type a name spells (numpy's, ONNX's or MLIR's, any case), or None."""
    return _BY_SPELLING.get(spelling.lower())


class UnsupportedType(ValueError):
    """An ONNX element type that Ramiel does not compile."""


def is_supported_element_type(t: Attribute) -> bool:
    """Whether `t` is one of the element types Ramiel compiles."""
    return t in _ONNX_OF_XDSL


def element_type_of_onnx(data_type: int) -> Attribute:
    """The xDSL element type of an ONNX `TensorProto.DataType`."""
    if data_type not in _ELEMENT_TYPES:
        try:
            name = helper.tensor_dtype_to_string(data_type).removeprefix("TensorProto.").lower()
        except KeyError:  # a code ONNX does not define
            name = str(data_type)
        raise UnsupportedType(f"unsupported element type {name}")
    return _ELEMENT_TYPES[data_type][0]


def onnx_of_element_type(t: Attribute) -> int:
    """The ONNX `TensorProto.DataType` of an xDSL element type."""
    return _ONNX_OF_XDSL[t]


def numpy_dtype(t: Attribute) -> np.dtype:
    """The numpy dtype of an xDSL element type."""
    return np.dtype(_NUMPY_OF_XDSL[t])


def dtype_name(t: Attribute) -> str:
    """The numpy dtype name ("float32", "int64", "bool", ...) of an element type."""
    return _NUMPY_OF_XDSL[t]


def torch_of_numpy(array: np.ndarray) -> torch.Tensor:
    """A tensor holding a copy of `array` (bfloat16 ones through their bits, which is exact)."""
    import torch

    # A copy: numpy arrays of the IR are read-only, and torch wants a writable one.
    copy = np.array(array)
    if copy.dtype.name == "bfloat16":
        return torch.from_numpy(copy.view(np.uint16)).view(torch.bfloat16)
    return torch.from_numpy(copy)


def numpy_of_torch(tensor: torch.Tensor) -> np.ndarray:
    """The numpy array of a CPU tensor, sharing its memory (bfloat16 as `ml_dtypes.bfloat16`)."""
    import torch

    if tensor.dtype == torch.bfloat16:
        return tensor.view(torch.uint16).numpy().view(ml_dtypes.bfloat16)
    return tensor.numpy()


def element_type_of_numpy(dtype: np.dtype) -> Attribute:
    """The xDSL element type of a numpy dtype."""
    if dtype.name not in _XDSL_OF_NUMPY:
        raise UnsupportedType(f"unsupported element type {dtype.name}")
    return _XDSL_OF_NUMPY[dtype.name]


def element_types_of_constraint(type_strs: Sequence[str]) -> frozenset[Attribute]:
    """The supported xDSL element types among ONNX constraint strings."""
    return frozenset(_XDSL_OF_TYPE_STR[s] for s in type_strs if s in _XDSL_OF_TYPE_STR)


def tensor_type(shape: Sequence[int], element_type: Attribute) -> TensorType:
    """A static `tensor<...>` type."""
    return TensorType(element_type, list(shape))


def static_shape(t: Attribute) -> tuple[int, ...]:
    """The shape of a tensor type, as a tuple (`UNKNOWN` for a dimension written `?`)."""
    assert isinstance(t, TensorType)
    return tuple(t.get_shape())


UNKNOWN = DYNAMIC_INDEX
"""A dimension whose size the values decide (written `?`), as shapes hold it."""


def onnx_dims(shape: Sequence[int]) -> list[int | None]:
    """A shape as `onnx.helper.make_tensor_type_proto` takes it: None for an unknown dimension."""
    return [None if d == UNKNOWN else d for d in shape]


def bounded(shape: Sequence[int], bound: int) -> tuple[int, ...]:
    """`shape` with each unknown dimension counted as `bound`."""
    return tuple(bound if d == UNKNOWN else d for d in shape)


def has_unknown_dims(t: Attribute) -> bool:
    """Whether `t` is a tensor type with a dimension of unknown size (`tensor<?x4xf32>`)."""
    return isinstance(t, TensorType) and UNKNOWN in t.get_shape()


def dense_attr(array: np.ndarray) -> DenseIntOrFPElementsAttr:
    """A dense elements attribute holding `array`'s bytes (fast even for weights)."""
    element = element_type_of_numpy(array.dtype)
    # xDSL stores i1 true as all ones (-1), as it parses `dense<true>`; the same
    # bytes make equal values equal attributes.
    stored = -array.astype(np.int8) if array.dtype == np.bool_ else array
    return DenseIntOrFPElementsAttr(
        cast(TensorType[AnyDenseElement], TensorType(element, list(array.shape))),
        BytesAttr(np.ascontiguousarray(stored).tobytes()),
    )


def dense_to_numpy(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    """The value of a dense elements attribute as a numpy array of its own shape."""
    return bytes_to_numpy(cast(TensorType, attr.get_type()), attr.data.data)


def bytes_to_numpy(t: TensorType, data: bytes) -> np.ndarray:
    """The value of type `t` stored in `data` as a dense elements attribute stores it (read-only, no copy)."""
    element = t.get_element_type()
    shape = static_shape(t)
    raw_dtype = np.int8 if element == i1 else numpy_dtype(element)
    flat = np.frombuffer(data, dtype=raw_dtype)
    if flat.size == 1 and int(np.prod(shape)) != 1:
        flat = np.broadcast_to(flat, (int(np.prod(shape)),))
    return flat.reshape(shape).astype(numpy_dtype(element), copy=False)


AttrValue = int | float | str | list[int] | list[float] | list[str] | np.ndarray


def attribute_of_onnx(attr: AttributeProto) -> Attribute:
    """The xDSL property value of an ONNX attribute."""
    match attr.type:
        case AttributeProto.INT:
            return IntegerAttr(attr.i, i64)
        case AttributeProto.FLOAT:
            return FloatAttr(attr.f, f32)
        case AttributeProto.STRING:
            return StringAttr(attr.s.decode("utf-8", errors="replace"))
        case AttributeProto.INTS:
            return DenseArrayBase.from_list(i64, list(attr.ints))
        case AttributeProto.FLOATS:
            return DenseArrayBase.from_list(f32, list(attr.floats))
        case AttributeProto.STRINGS:
            return ArrayAttr(
                [StringAttr(s.decode("utf-8", errors="replace")) for s in attr.strings]
            )
        case AttributeProto.TENSOR:
            # numpy_helper raises a bare TypeError on a tensor without an element type.
            try:
                element_type_of_onnx(attr.t.data_type)
            except UnsupportedType as e:
                raise UnsupportedType(f"{e} of attribute '{attr.name}'") from None
            return dense_attr(numpy_helper.to_array(attr.t))
        case _:
            kind = AttributeProto.AttributeType.Name(attr.type)
            raise UnsupportedType(f"attribute '{attr.name}' of kind {kind} is not supported")


def python_of_attribute(attr: Attribute) -> AttrValue:
    """The plain Python value of a property (what the kernel table takes)."""
    match attr:
        case IntegerAttr():
            return attr.value.data
        case FloatAttr():
            return float(attr.value.data)  # pyright: ignore[reportUnknownArgumentType]
        case StringAttr():
            return attr.data
        case DenseArrayBase():
            values = cast(DenseArrayBase[IntegerType | AnyFloat], attr).get_values()  # pyright: ignore[reportAttributeAccessIssue, reportUnknownVariableType]
            if isinstance(attr.elt_type, AnyFloat):
                return [float(v) for v in values]
            return [int(v) for v in values]
        case ArrayAttr():
            return [python_of_attribute(a) for a in attr.data]  # pyright: ignore
        case DenseIntOrFPElementsAttr():
            return dense_to_numpy(attr)
        case _:
            raise UnsupportedType(f"no Python value for attribute {attr}")


def onnx_of_attribute(name: str, attr: Attribute) -> AttributeProto:
    """The ONNX attribute of a property (for ONNX shape inference and export)."""
    match attr:
        case DenseArrayBase():
            kind = AttributeProto.FLOATS if isinstance(attr.elt_type, AnyFloat) else AttributeProto.INTS
            return helper.make_attribute(name, python_of_attribute(attr), attr_type=kind)
        case ArrayAttr():
            return helper.make_attribute(
                name, python_of_attribute(attr), attr_type=AttributeProto.STRINGS
            )
        case DenseIntOrFPElementsAttr():
            return helper.make_attribute(name, numpy_helper.from_array(dense_to_numpy(attr)))
        case _:
            return helper.make_attribute(name, python_of_attribute(attr))
