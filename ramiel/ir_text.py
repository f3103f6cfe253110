"""IR text in and out: a context with every Ramiel dialect, parsing, and printing with resources.

    module = parse_module(text, "in.mlir", verify=True)
    text = print_module(module)   # dialect resources one per line, as MLIR prints them

Parsing takes untrusted text: it is checked first (`ramiel.limits.check_ir_text`)
for what would hang or crash xDSL's parser, and its errors, parse or
verification, are diagnostics at the place in the source, as MLIR gives them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from xdsl.context import Context
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute, Dialect, Operation, OpResult, TypeAttribute
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.lexer import Span
from xdsl.utils.mlir_lexer import MLIRTokenKind

from ramiel.dialects import get_all_dialects
from ramiel.limits import check_ir_text

MAX_INTEGER_WIDTH = (1 << 24) - 1
"""The widest integer type parsed, MLIR's limit. xDSL computes a type's value range
as Python integers of its width: `i2147483648` alone takes seconds and a gigabyte."""

_INTEGER_TYPE = re.compile(r"[su]?i([0-9]+)")


def context() -> Context:
    """A context in which every Ramiel dialect is registered (and loaded on first use)."""
    ctx = Context()
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    return ctx


def parse_module(text: str | bytes, name: str = "<text>", *, verify: bool = False) -> ModuleOp:
    """The module written in `text` (custom or generic syntax), verified when `verify` is set.

    Raises `ParseError`, or `LocatedVerifyException` for a module that does not
    verify, with the diagnostic located in `name`.
    """
    parser = LocatingParser(context(), check_ir_text(text, name), name)
    module = parser.parse_module()
    if verify:
        parser.verify_module(module)
    return module


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


class LocatedVerifyException(VerifyException):
    """A verification error of parsed IR, shown at the op's place in the source."""


class LocatingParser(Parser):
    """An MLIR parser that remembers where each operation starts in the source.

    `verify_module` then reports the first op that fails verification the way a
    parse error is reported: file, line and column, the source line, the message.
    """

    def __init__(self, ctx: Context, input: str | bytes, name: str, line_offset: int = 0) -> None:
        super().__init__(ctx, input, name)
        self.line_offset = line_offset
        self.op_starts: dict[Operation, int] = {}

    def parse_operation(self) -> Operation:
        start = self._current_token.span.start
        op = super().parse_operation()
        self.op_starts[op] = start
        return op

    def parse_optional_attribute(self) -> Attribute | None:
        """As xDSL's, but an attribute that cannot be built is a parse error at its place.

        xDSL lets through what building one raises: a failed check of its value
        (VerifyException, or ValueError for a dense literal whose values do not fit
        its element type), and sizes or widths beyond what Python or numpy handle.
        """
        start = self._current_token.span.start
        try:
            return super().parse_optional_attribute()
        except (VerifyException, ValueError, OverflowError, MemoryError, NotImplementedError) as e:
            # The parser may already stand at the next token, lines further on.
            end = min(self.pos, self.lexer.input.get_end_of_line(start))
            self.raise_error(f"invalid attribute: {e}", start, max(end, start + 1))

    def _parse_optional_integer_or_float_type(self) -> TypeAttribute | None:
        """As xDSL's, but an integer type wider than `MAX_INTEGER_WIDTH` is a parse error."""
        token = self._current_token
        if token.kind == MLIRTokenKind.BARE_IDENT and (
            (match := _INTEGER_TYPE.fullmatch(token.text)) is not None
            and int(match.group(1)) > MAX_INTEGER_WIDTH
        ):
            self.raise_error(f"integer bitwidth is limited to {MAX_INTEGER_WIDTH} bits", token.span)
        return super()._parse_optional_integer_or_float_type()

    def parse_module(self, allow_implicit_module: bool = True) -> ModuleOp:
        if self._current_token.kind == MLIRTokenKind.EOF:
            return ModuleOp([])  # MLIR reads an empty input as an empty module
        return super().parse_module(allow_implicit_module)

    def verify_module(self, module: ModuleOp) -> None:
        """Verify `module`; on failure, raise at the first op that fails, outer ops first."""
        try:
            module.verify()
        except VerifyException as error:
            for op in module.walk():
                try:
                    op.verify(verify_nested_ops=False)
                except VerifyException as e:
                    raise LocatedVerifyException(self._located(op, str(e))) from None
            # A rule about blocks: blame the innermost op with regions that fails.
            failing = [op for op in module.walk() if op.regions and not _verifies(op)]
            raise LocatedVerifyException(
                self._located(failing[-1], str(error)) if failing else str(error)
            ) from None
        self._verify_definitions_come_first(module)

    def _verify_definitions_come_first(self, module: ModuleOp) -> None:
        """Raise at the first op using a result of an op that comes later (or of itself).

        xDSL does not check dominance, and the passes that order ops by their
        operands fail on such a use.
        """
        seen: set[Operation] = set()
        for op in module.walk():  # definitions in outer blocks come before nested uses
            for index, operand in enumerate(op.operands):
                if isinstance(operand, OpResult) and operand.op not in seen:
                    raise LocatedVerifyException(
                        self._located(op, f"operand #{index} is used before its definition")
                    )
            seen.add(op)

    def _located(self, op: Operation, message: str) -> str:
        start = self.op_starts.get(op)
        text = f"'{op.name}' op {message}"
        if start is None:  # the implicit module
            return text
        source = self.lexer.input
        end = min(source.get_end_of_line(start), start + 200)  # the op's first line
        span = Span(start, max(end, start + 1), source, self.line_offset)
        return span.print_with_context(text).rstrip()


def _verifies(op: Operation) -> bool:
    try:
        op.verify()
    except VerifyException:
        return False
    return True
