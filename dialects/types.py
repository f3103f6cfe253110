"""The value types the dialects share: tensors, `!dfg.sequence` (ONNX's sequence of tensors)
and `!dfg.optional` (a tensor or sequence, or nothing).

    %s = dfg.sequence_construct %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> !dfg.sequence<tensor<?x3xf32>>

A sequence holds any number of tensors of one element type; its element type says
the sizes they share and leaves the others unknown (`?`), or says no rank at all
(`!dfg.sequence<tensor<*xf32>>`) where the model does not. The generated code holds
a sequence as a Python list of tensors.

For the cost models and the kernels' views a sequence looks like a tensor of one
more, leading, dimension of unknown size (`value_shape`): its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import onnx
from onnx import helper
from xdsl.dialects.builtin import TensorType, UnrankedTensorType
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer

from ramiel.onnx_types import UNKNOWN, onnx_dims, onnx_of_element_type


class _OfOneType(ParametrizedAttribute, TypeAttribute):
    """A type of one type parameter, `element`, written in angle brackets: `!dfg.name<type>`."""

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            return (parser.parse_type(),)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.parameters[0])


@irdl_attr_definition
class SequenceType(_OfOneType):
    """ONNX `seq(tensor(...))`: `!dfg.sequence<tensor<?x3xf32>>`."""

    name = "dfg.sequence"

    element: TensorType | UnrankedTensorType

    def __init__(self, element: TensorType | UnrankedTensorType) -> None:
        super().__init__(element)


@irdl_attr_definition
class OptionalType(_OfOneType):
    """ONNX `optional(...)`: a tensor or a sequence, or nothing, `!dfg.optional<tensor<5xf32>>`;
    None in the generated code when it holds nothing."""

    name = "dfg.optional"

    element: TensorType | SequenceType

    def __init__(self, element: TensorType | SequenceType) -> None:
        super().__init__(element)


ValueType = TensorType | SequenceType | OptionalType
"""What a `dfg` value may be: a tensor, a sequence of tensors, or an optional one of them."""


def value_shape(t: Attribute) -> tuple[int, ...]:
    """The shape of a tensor type; of a sequence type, its element shape (none when unranked)
    after an unknown length."""
    if isinstance(t, OptionalType):
        return value_shape(t.element)
    if isinstance(t, SequenceType):
        element = t.element
        return (UNKNOWN, *(element.get_shape() if isinstance(element, TensorType) else ()))
    assert isinstance(t, TensorType)
    return tuple(t.get_shape())


def held_tensor(t: Attribute) -> Attribute:
    """The tensor type a value type holds: itself, a sequence's tensors', what an optional holds."""
    held = t.element if isinstance(t, OptionalType) else t
    return held.element if isinstance(held, SequenceType) else held


def element_type_of(t: Attribute) -> Attribute:
    """The element type of a tensor type, or of the tensors a sequence or optional type holds."""
    tensor = held_tensor(t)
    assert isinstance(tensor, TensorType | UnrankedTensorType)
    return tensor.element_type


def type_proto(t: Attribute) -> onnx.TypeProto:
    """The ONNX type of a tensor, sequence or optional type, an unknown size as a dimension without a value."""
    if isinstance(t, OptionalType):
        return helper.make_optional_type_proto(type_proto(t.element))
    tensor = t.element if isinstance(t, SequenceType) else t
    assert isinstance(tensor, TensorType | UnrankedTensorType)
    dims = onnx_dims(tensor.get_shape()) if isinstance(tensor, TensorType) else None
    proto = helper.make_tensor_type_proto(onnx_of_element_type(tensor.element_type), dims)
    return helper.make_sequence_type_proto(proto) if isinstance(t, SequenceType) else proto


def refines(given: Attribute, declared: Attribute) -> bool:
    """Whether a value of type `given` may stand where `declared` is due: the same type, or
    the same but with sizes (or a rank) where `declared` leaves them unknown. A branch that
    finds nothing yields an empty tensor for the other's `?`; a loop adds tensors of a known
    rank to a sequence that starts without one."""
    if given == declared:
        return True
    if isinstance(given, SequenceType | OptionalType) and type(given) is type(declared):
        return refines(given.element, cast(SequenceType | OptionalType, declared).element)
    if isinstance(declared, UnrankedTensorType):
        return isinstance(given, TensorType | UnrankedTensorType) and given.element_type == declared.element_type
    if not isinstance(given, TensorType) or not isinstance(declared, TensorType):
        return False
    sizes, bounds = given.get_shape(), declared.get_shape()
    return (
        given.get_element_type() == declared.get_element_type()
        and len(sizes) == len(bounds)
        and all(b in (s, UNKNOWN) for s, b in zip(sizes, bounds, strict=True))
    )


def join(first: Attribute, second: Attribute) -> Attribute | None:
    """The most precise type both types refine (see `refines`): sizes they do not share become
    unknown, and a sequence's tensors of different ranks have none; None when there is no
    such type (different element types, or tensors of different ranks)."""
    if refines(first, second):
        return second
    if refines(second, first):
        return first
    if isinstance(first, SequenceType) and isinstance(second, SequenceType):
        element = join(first.element, second.element)
        if element is None and first.element.element_type == second.element.element_type:
            element = UnrankedTensorType(first.element.element_type)
        return None if not isinstance(element, TensorType | UnrankedTensorType) else SequenceType(element)
    if not isinstance(first, TensorType) or not isinstance(second, TensorType):
        return None
    a, b = first.get_shape(), second.get_shape()
    if first.get_element_type() != second.get_element_type() or len(a) != len(b):
        return None
    return TensorType(first.get_element_type(), [x if x == y else UNKNOWN for x, y in zip(a, b, strict=True)])
