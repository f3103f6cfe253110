"""Functions that generated code calls where an ONNX operator is not one readable torch expression.

The code printer pastes the source of the functions a model needs into the generated
file (see `ramiel.kernels.helper_source`), so every function here is self-contained:
it refers only to `torch`, `F` (`torch.nn.functional`), Python builtins and other
helpers (imported from their module), and it never reads module-level state.

Some of them also serve `ramiel.kernels` at compile time, which normalises constant
operands with the same code that handles runtime operands: `slice_bounds`,
`pad_widths`, `torch_pad_arg`, `resize_coordinates` and `nearest_indices`.

One module per operator family (named as in `ramiel.dialects.dfg`); a new
module is found by its name. Helper names are unique across modules, since the
printer pastes them into one namespace.
"""

import importlib
import pkgutil
from types import ModuleType


def modules() -> list[ModuleType]:
    """The helper modules, in name order."""
    return [
        importlib.import_module(f"{__name__}.{m.name}")
        for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
    ]
