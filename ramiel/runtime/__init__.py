"""The runtime code that generated files carry with them.

Generated files import only torch and the standard library, so the runtime is
pasted into them: `source()` returns the code of `common.py` (input checks,
weight loading) and, for parallel code, of `streams.py` (worker threads and
hand-offs), each taken from its marker line on, with their imports gathered by
`imports()` for the file's header. The modules stay importable, so the runtime
is tested as ordinary Python.
"""

from pathlib import Path

_MARKER = "# --- generated code starts here ---\n"


def _parts(parallel: bool) -> list[tuple[list[str], str]]:
    parts: list[tuple[list[str], str]] = []
    for module in ("common.py", "streams.py") if parallel else ("common.py",):
        text = (Path(__file__).parent / module).read_text(encoding="utf-8")
        lines = text.split(_MARKER, 1)[1].strip().splitlines()
        imports = [line for line in lines if line.startswith(("import ", "from "))]
        body = [line for line in lines if line not in imports]
        parts.append((imports, "\n".join(body).strip() + "\n"))
    return parts


def imports(parallel: bool) -> list[str]:
    """The import lines the runtime needs, in first-use order, one per module (names merged, sorted)."""
    names: dict[str, set[str]] = {}
    for lines, _ in _parts(parallel):
        for line in lines:
            module, _, imported = line.partition(" import ")
            found = names.setdefault(module, set())
            if module.startswith("from "):
                found.update(name.strip() for name in imported.split(","))
    return [
        f"{module} import {', '.join(sorted(found))}" if found else module for module, found in names.items()
    ]


def source(parallel: bool) -> str:
    """The runtime's code for a generated file (without its imports)."""
    return "\n\n".join(body for _, body in _parts(parallel))
