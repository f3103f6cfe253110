"""Constants of the `dfg` dialect: `dfg.constant`, its resources, and reading and making constant values.

`dfg.constant` holds small tensors inline as `dense<...>`; a splat (every element
equal) stays inline as `dense<v>` with a one-element buffer whatever its size.
Other tensors hold a `#dfg.resource<key : type>` whose bytes live in the
dialect's resource store and print once, as hex, in the
`{-# dialect_resources: {dfg: ...} #-}` section at the end of the module, so the
op text stays readable.

The resource store is content-addressed: a key is the tensor's sanitised name, an
underscore, and the first 8 bytes of the BLAKE2b hash of its bytes in hex
(`conv1_w_0_5f0c2a9e1b7d3c4a`). Keys are never renamed. Equal keys mean equal
bytes, so parsing the same module twice in one process, or two models sharing a
tensor, is harmless, and a parsed blob whose bytes do not match its key is a
parse error. (xDSL's builtin store renames a key it already holds while the
attribute keeps the old one, silently losing the data.) The store is
process-wide and only grows; equal bytes under different names are kept once.

Folds compute numpy arrays; `constant_value` turns one into the attribute a
`dfg.constant` holds, and `materialize` into a `dfg.constant` that takes the
place, the SSA name and the location of the value it replaces. A splat array
(every stride zero, as `np.broadcast_to` and `ConstantOp.numpy()` give for
splats) stays one element whatever its shape, without touching its elements, so
a folded 400 MB weight costs nothing.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import cast

import numpy as np
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseIntOrFPElementsAttr,
    StringAttr,
    TensorType,
    i1,
)
from xdsl.interfaces import HasFolderInterface
from xdsl.ir import Attribute, Operation, ParametrizedAttribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_attr_definition,
    irdl_op_definition,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.parser import AttrParser, Parser, attribute_parser
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.printer import Printer
from xdsl.traits import ConstantLike, Pure
from xdsl.utils.exceptions import VerifyException

from ramiel.onnx_types import (
    UNKNOWN,
    bytes_to_numpy,
    dense_attr,
    dense_to_numpy,
    has_unknown_dims,
    is_supported_element_type,
    numpy_dtype,
    static_shape,
)

INLINE_CONSTANT_LIMIT = 16
"""Constants with at most this many elements print inline as `dense<...>`."""


def sanitize_identifier(name: str) -> str:
    """`name` as an MLIR bare identifier: invalid characters become `_`.

    A name must start with a letter or `_`, and xDSL drops a `_<digits>` tail
    from SSA names as a uniquing suffix, so a name that is only underscores and
    digits (ONNX tensors named `0`, `1`, ...) gets a leading `v` to stay non-empty.
    """
    cleaned = re.sub(r"[^A-Za-z0-9_$.]", "_", name)
    if not re.match(r"[A-Za-z_]", cleaned) or re.fullmatch(r"[_\d]*", cleaned):
        return "v" + cleaned
    return cleaned


def is_static_supported_tensor(t: Attribute) -> bool:
    """Whether `t` is a statically shaped tensor of an element type Ramiel compiles."""
    return is_supported_tensor(t) and not has_unknown_dims(t)


def is_supported_tensor(t: Attribute) -> bool:
    """Whether `t` is a ranked tensor of an element type Ramiel compiles, each dimension a
    size or unknown (`?`)."""
    return (
        isinstance(t, TensorType)
        and all(d >= 0 or d == UNKNOWN for d in t.get_shape())
        and is_supported_element_type(t.get_element_type())
    )


class ResourceStore(OpAsmDialectInterface):
    """The bytes of `#dfg.resource` constants, keyed by name and content digest.

    A key is `<name>_<digest>`, where the digest is the first 8 bytes of the
    BLAKE2b hash of the bytes, in hex. Keys name their content, so they are never
    renamed: seeing a key twice (the same module parsed twice, two models sharing
    a tensor) means seeing the same bytes, and parsing a blob whose key does not
    match its bytes is an error. Equal bytes under different names are stored once.
    The store lives as long as the process and only grows.
    """

    _blobs: dict[str, bytes]
    _by_digest: dict[str, bytes]

    def __init__(self) -> None:
        super().__init__()
        self._blobs = {}
        self._by_digest = {}

    def add(self, name_hint: str, data: bytes) -> str:
        """Store `data` and return its key."""
        digest = resource_digest(data)
        key = f"{sanitize_identifier(name_hint)}_{digest}"
        self._blobs[key] = self._by_digest.setdefault(digest, data)
        return key

    def get(self, key: str) -> bytes | None:
        """The bytes stored under `key`, or None."""
        return self._blobs.get(key)

    def declare_resource(self, key: str) -> str:
        return key

    def parse_resource(self, key: str, val: str) -> None:
        if not val.startswith("0x") or len(val) < 2 + 2 * _HEADER_BYTES:
            raise ValueError(f"resource '{key}' must be a hex blob with an alignment header")
        try:
            data = bytes.fromhex(val[2 + 2 * _HEADER_BYTES :])
        except ValueError:
            raise ValueError(f"resource '{key}' is not valid hex") from None
        digest = resource_digest(data)
        if not key.endswith("_" + digest):
            raise ValueError(
                f"resource key '{key}' does not name its content: keys end in '_{digest}', "
                "the BLAKE2b-64 digest of the bytes"
            )
        self._blobs[key] = self._by_digest.setdefault(digest, data)

    def lookup(self, key: str) -> str | None:
        data = self._blobs.get(key)
        return None if data is None else "0x" + _ALIGNMENT_HEADER + data.hex()

    def build_resources(self, keys: Iterable[str]) -> dict[str, str]:
        return {key: blob for key in sorted(keys) if (blob := self.lookup(key))}


def resource_digest(data: bytes) -> str:
    """The content part of a resource key: BLAKE2b with an 8-byte digest, in hex."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


# MLIR blobs start with their alignment as a little-endian 32-bit integer.
_HEADER_BYTES = 4
_ALIGNMENT_HEADER = (16).to_bytes(_HEADER_BYTES, "little").hex()

RESOURCES = ResourceStore()
"""The process-wide store of `#dfg.resource` bytes."""


@irdl_attr_definition
class ResourceAttr(ParametrizedAttribute):
    """A tensor whose bytes live in the resource store: `#dfg.resource<key : tensor<4xf32>>`."""

    name = "dfg.resource"

    key: StringAttr
    type: TensorType

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            key = parser.parse_identifier()
            parser.parse_punctuation(":")
            type = parser.parse_type()
        return (StringAttr(key), type)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_resource_handle("dfg", self.key.data)
            printer.print_string(" : ")
            printer.print_attribute(self.type)

    def verify(self) -> None:
        if RESOURCES.get(self.key.data) is not None:
            self.verify_data()
        # Otherwise the blob section, parsed after the ops, may still provide it.

    def verify_data(self) -> None:
        """Check that the store holds bytes for this key, as many as the type needs."""
        data = RESOURCES.get(self.key.data)
        if data is None:
            raise VerifyException(f"resource '{self.key.data}' has no data")
        expected = self.type.element_count() * _itemsize(self.type)
        if len(data) != expected:
            raise VerifyException(
                f"resource '{self.key.data}' holds {len(data)} bytes, "
                f"but {self.type} needs {expected}"
            )


def _itemsize(t: TensorType) -> int:
    element = t.get_element_type()
    return 1 if element == i1 else numpy_dtype(element).itemsize



def _compact_splat(value: DenseIntOrFPElementsAttr) -> DenseIntOrFPElementsAttr:
    """`value` with one element if all are equal (xDSL parses `dense<v>` into all of them).

    A value of an unsupported type is left as it is, for verification to report.
    """
    if len(value) <= 1 or not is_static_supported_tensor(value.type):
        return value
    flat = dense_to_numpy(value).reshape(-1)
    if not _all_bytes_equal(flat):
        return value
    itemsize = len(value.data.data) // len(value)
    return DenseIntOrFPElementsAttr(value.type, BytesAttr(value.data.data[:itemsize]))


def _all_bytes_equal(flat: np.ndarray) -> bool:
    """Whether every element of a 1-D array has the same bytes (so -0.0 != 0.0)."""
    raw = np.ascontiguousarray(flat).view(f"u{flat.dtype.itemsize}")
    return bool((raw == raw[0]).all())



@irdl_op_definition
class ConstantOp(IRDLOperation, HasFolderInterface):
    """A constant tensor; ONNX initializers and `Constant` nodes become this op.

        %shape = dfg.constant dense<[1, -1]> : tensor<2xi64>
        %w = dfg.constant #dfg.resource<conv1_w_5f0c2a9e1b7d3c4a : tensor<64x3x7x7xf32>>
    """

    name = "dfg.constant"

    value = prop_def(DenseIntOrFPElementsAttr | ResourceAttr)
    output = result_def(TensorType)

    traits = traits_def(Pure(), ConstantLike())

    def __init__(self, value: DenseIntOrFPElementsAttr | ResourceAttr) -> None:
        super().__init__(properties={"value": value}, result_types=[value.type])

    @staticmethod
    def of_array(array: np.ndarray, name_hint: str = "const") -> ConstantOp:
        """The constant holding `array` (see `constant_value`)."""
        return ConstantOp(constant_value(array, name_hint))

    def numpy(self) -> np.ndarray:
        """The constant's value (read-only, without copying the bytes).

        A splat is a broadcast view of its one element.
        """
        value = self.value
        if isinstance(value, DenseIntOrFPElementsAttr):
            return dense_to_numpy(value)
        data = RESOURCES.get(value.key.data)
        if data is None:
            raise VerifyException(f"resource '{value.key.data}' has no data")
        return bytes_to_numpy(cast(TensorType, value.type), data)

    def is_splat(self) -> bool:
        """Whether the value is stored as one repeated element."""
        value = self.value
        return isinstance(value, DenseIntOrFPElementsAttr) and len(value) == 1

    def fold(self) -> tuple[Attribute]:
        return (self.value,)

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        start = parser.pos
        value = parser.parse_attribute()
        if not isinstance(value, DenseIntOrFPElementsAttr | ResourceAttr):
            parser.raise_error("expected a dense<...> or #dfg.resource<...> value", start, parser.pos)
        attrs = parser.parse_optional_attr_dict()
        op = ConstantOp(_compact_splat(value) if isinstance(value, DenseIntOrFPElementsAttr) else value)
        op.attributes.update(attrs)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attribute(self.value)
        printer.print_op_attributes(self.attributes)

    def verify_(self) -> None:
        if not is_static_supported_tensor(self.output.type):
            raise VerifyException(
                f"constant must be a statically shaped tensor of a supported element "
                f"type, got {self.output.type}"
            )
        if self.value.type != self.output.type:
            raise VerifyException(
                f"value type {self.value.type} does not match result type {self.output.type}"
            )
        if isinstance(self.value, ResourceAttr):
            self.value.verify_data()
        elif len(self.value) not in (1, self.output.type.element_count()):
            raise VerifyException(
                f"dense value holds {len(self.value)} elements, but "
                f"{self.output.type} needs {self.output.type.element_count()} (or 1, a splat)"
            )


def _memoise_dense_literal_constraint() -> None:
    """Make xDSL's parser build the type constraint of `dense<...>` literals once.

    xDSL 0.75 rebuilds `base(RankedStructure[...])` for every dense literal it
    parses, about a millisecond each: most of the time of parsing a module with a
    few thousand inline constants. The constraint depends only on its (hashable)
    argument, so the `base` that the attribute parser calls is memoised.
    """
    if hasattr(attribute_parser.base, "__wrapped__"):  # pyright: ignore[reportPrivateImportUsage]
        return
    memoised = functools.cache(attribute_parser.base)  # pyright: ignore[reportPrivateImportUsage]
    attribute_parser.base = memoised  # pyright: ignore[reportPrivateImportUsage]


_memoise_dense_literal_constraint()

ConstantValue = DenseIntOrFPElementsAttr | ResourceAttr
"""What a `dfg.constant` holds."""


def constant_value(array: np.ndarray, name_hint: str = "const") -> ConstantValue:
    """The value a `dfg.constant` holding `array` has: inline when small or a splat, else a resource.

    A splat is stored as one element, as xDSL parses `dense<v>`, so that equal
    values are equal attributes; a broadcast view is never expanded to find one.
    """
    if array.size > 1 and (is_splat(array) or _all_bytes_equal(array.reshape(-1))):
        splat = dense_attr(np.ascontiguousarray(array.reshape(-1)[:1]))
        return DenseIntOrFPElementsAttr(TensorType(splat.get_element_type(), list(array.shape)), splat.data)
    # np.ascontiguousarray makes a 0-d array 1-d: keep a scalar a scalar.
    contiguous = np.ascontiguousarray(array).reshape(array.shape)
    if array.size <= INLINE_CONSTANT_LIMIT:
        return dense_attr(contiguous)
    stored = dense_attr(contiguous)
    return ResourceAttr(StringAttr(RESOURCES.add(name_hint, stored.data.data)), cast(TensorType, stored.type))


def constant_array(value: SSAValue | None) -> np.ndarray | None:
    """The value of `value` when a `dfg.constant` defines it, else None."""
    if value is None or not isinstance(value.owner, ConstantOp):
        return None
    return value.owner.numpy()


def is_splat(array: np.ndarray) -> bool:
    """Whether `array` is known to hold one repeated element without reading it."""
    return array.size <= 1 or not any(array.strides)


def splat(element: np.ndarray | np.generic, shape: Sequence[int]) -> np.ndarray:
    """The read-only array of `shape` whose elements all equal `element` (no copy)."""
    return np.broadcast_to(np.asarray(element).reshape(()), tuple(shape))


def materialize(array: np.ndarray, replaced: SSAValue) -> ConstantOp:
    """The `dfg.constant` holding `array`, named and located after `replaced`."""
    op = ConstantOp.of_array(array, replaced.name_hint or "const")
    op.output.name_hint = replaced.name_hint
    if isinstance(replaced.owner, Operation):
        op.location = replaced.owner.location
    return op


def replace_with_constants(
    rewriter: PatternRewriter, op: Operation, arrays: Sequence[np.ndarray]
) -> None:
    """Replace every result of `op` by a constant holding the matching array."""
    constants = [materialize(a, r) for a, r in zip(arrays, op.results, strict=True)]
    rewriter.replace(op, constants, [c.output for c in constants])


def same_type(array: np.ndarray, value: SSAValue) -> bool:
    """Whether `array` has the shape and element type of `value` (folds never change types)."""
    t = cast(TensorType, value.type)
    return array.shape == static_shape(t) and array.dtype == numpy_dtype(t.get_element_type())
