"""IR text in and out: a context with every Ramiel dialect, parsing, and printing with resources.

    module = parse_module(text)
    text = print_module(module)   # dialect resources one per line, as MLIR prints them
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from xdsl.context import Context
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Dialect
from xdsl.parser import Parser
from xdsl.printer import Printer

from ramiel.dialects import get_all_dialects


def context() -> Context:
    """A context in which every Ramiel dialect is registered (and loaded on first use)."""
    ctx = Context()
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    return ctx


def parse_module(text: str) -> ModuleOp:
    """The module written in `text` (custom or generic syntax)."""
    return Parser(context(), text).parse_module()


def print_module(module: ModuleOp) -> str:
    """`module` as text, with its dialect resources (weights) at the end."""
    stream = io.StringIO()
    printer = ResourcePrinter(stream=stream)
    printer.print_op(module)
    dialects = [factory() for factory in get_all_dialects().values()]
    printer.print_metadata(dialects)
    return stream.getvalue()


class ResourcePrinter(Printer):
    """xDSL's printer, with each dialect resource on its own line, as MLIR prints them.

    (xDSL 0.75 prints all entries of a dialect on one line.)
    """

    def print_metadata(self, dialects: Iterable[Dialect]) -> None:
        interfaces = {
            d.name: interface
            for d in dialects
            if (interface := d.get_interface(OpAsmDialectInterface)) is not None
        }
        sections: dict[str, dict[str, str]] = {}
        for name, keys in self._dialect_resources.items():
            interface = interfaces.get(name)
            if interface is not None and (resources := interface.build_resources(keys)):
                sections[name] = resources
        if not sections:
            return
        lines = ["", "", "{-#", "  dialect_resources: {"]
        for i, (name, resources) in enumerate(sections.items()):
            lines.append(f"    {name}: {{")
            entries = sorted(resources.items())
            lines += [
                f'      {key}: "{blob}"' + ("," if j < len(entries) - 1 else "")
                for j, (key, blob) in enumerate(entries)
            ]
            lines.append("    }" + ("," if i < len(sections) - 1 else ""))
        lines += ["  }", "#-}"]
        self.print_string("\n".join(lines), indent=0)
