"""Kernel cases of the optional operators, whose outputs the specification gives (onnxruntime
has no opset-28 kernels for them): an optional of a value is the value itself."""

import numpy as np

from tests.unit.kernel_cases.core import case

# Fixed values: drawing from the shared generator would change the cases of the
# families after this one.
_X = np.arange(6, dtype=np.float32).reshape(2, 3)
_PARTS = [np.ones(2, np.float32), np.arange(3, dtype=np.float32)]

case("Optional", _X, reference=(_X,))
case("OptionalHasElement", np.zeros(4, np.float32), reference=(np.array(True),))
case("OptionalHasElement", reference=(np.array(False),))
case("OptionalGetElement", _X, reference=(_X,))
case("OptionalGetElement", _PARTS, reference=(_PARTS,))  # pyright: ignore[reportArgumentType]
