"""Single-node kernel cases, one module per operator family (named as in
`ramiel.dialects.dfg`), found by name; `test_kernels` checks each against
onnxruntime.

Each case is one node with seeded random inputs, run in onnxruntime (optimizations
off) at the op's newest opset; the kernel gets the same inputs, with the inputs in
`const` also given as compile-time values, as constant folding would see them.
"""

import importlib
import pkgutil

from tests.unit.kernel_cases.core import CASES, Case, case, f32, i64, rand, scalar

for _family in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "core"):
    importlib.import_module(f"{__name__}.{_family}")

__all__ = ["CASES", "Case", "case", "f32", "i64", "rand", "scalar"]
