"""The runtime code that generated files carry with them.

Generated files import only torch and the standard library, so the runtime is
pasted into them: `source()` returns the code of `common.py` (input checks,
weight loading) and, for parallel code, of `streams.py` (worker threads and
hand-offs), each taken from its marker line on, with their imports gathered by
`imports()` for the file's header. The modules stay importable, so the runtime
is tested as ordinary Python. `with_stream_runtime` puts another version of
`streams.py` into a generated file, to measure one runtime against another on
the same code.
"""

from pathlib import Path

_MARKER = "# --- generated code starts here ---\n"


def _split(text: str) -> tuple[list[str], str]:
    """The import lines and the rest of a runtime module's code after its marker line."""
    lines = text.split(_MARKER, 1)[1].strip().splitlines()
    imports = [line for line in lines if line.startswith(("import ", "from "))]
    body = [line for line in lines if line not in imports]
    return imports, "\n".join(body).strip() + "\n"


def _parts(parallel: bool) -> list[tuple[list[str], str]]:
    return [
        _split((Path(__file__).parent / module).read_text(encoding="utf-8"))
        for module in (("common.py", "streams.py") if parallel else ("common.py",))
    ]


def imports(parallel: bool) -> list[str]:
    """The import lines the runtime needs, in first-use order, one per module.

    The names imported from each module are merged and sorted.
    """
    names: dict[str, set[str]] = {}
    for lines, _ in _parts(parallel):
        for line in lines:
            module, _, imported = line.partition(" import ")
            found = names.setdefault(module, set())
            if module.startswith("from "):
                found.update(name.strip() for name in imported.split(","))
    return [
        f"{module} import {', '.join(sorted(found))}" if found else module
        for module, found in names.items()
    ]


def source(parallel: bool) -> str:
    """The runtime's code for a generated file (without its imports)."""
    return "\n\n".join(body for _, body in _parts(parallel))


def with_stream_runtime(source: str, streams_text: str) -> str:
    """A generated parallel file's `source` with its stream runtime replaced by `streams_text`.

    `streams_text` is another version of `streams.py` (with its marker line); its
    import lines go just before its code, since the file's header has only this
    version's.
    """
    if _MARKER not in streams_text:
        raise ValueError(f"not a stream runtime: it has no line {_MARKER.strip()!r}")
    current = _parts(True)[1][1]
    if current not in source:
        raise ValueError("not parallel code generated with this version of the stream runtime")
    imports, body = _split(streams_text)
    return source.replace(current, "\n".join([*imports, "", body]).lstrip("\n"))
