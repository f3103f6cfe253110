"""The `python` target: a `pyemit` module as a Python file, and its weights.

    ramiel-opt model.onnx -p 'cleanup,convert-dfg-to-pyemit' -t python -o model.py

The printed file loads its weights from `<its name>.weights.pt` beside it:
`ramiel-opt -o model.py` writes them there, as `ramiel compile` does. Printing
to standard output, `weights` names where to save them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.target import Target

from ramiel.errors import RamielError

if TYPE_CHECKING:
    from ramiel.dialects.pyemit import PyModuleOp


@dataclass(frozen=True)
class PythonTarget(Target):
    """Print the module's `pyemit.module` as Python and save its weights."""

    name = "python"

    weights: str | None = None
    """Where to save the weights (`torch.save`); none are saved when absent."""

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from ramiel.codegen.printer import print_python
        from ramiel.codegen.weights import write_weights

        del ctx
        program = python_program(module)
        print_python(program, output)
        if self.weights:
            write_weights(program, self.weights)


def python_program(module: ModuleOp) -> PyModuleOp:
    """The one `pyemit.module` of `module`, which the target prints."""
    from ramiel.dialects.pyemit import PyModuleOp

    programs = [op for op in module.ops if isinstance(op, PyModuleOp)]
    if len(programs) != 1:
        raise RamielError(
            f"the python target needs exactly one pyemit.module, found {len(programs)}; "
            "run convert-dfg-to-pyemit first",
            "-t python",
        )
    return programs[0]
