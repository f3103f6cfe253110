"""`ramiel-opt`: Ramiel's mlir-opt, on xDSL's `xDSLOptMain`.

    ramiel-opt model.onnx                        # print the imported dfg module
    ramiel-opt in.mlir -p cleanup,cluster{workers=2}
    ramiel-opt --cluster-cp in.mlir              # the default pipeline's clustering passes
    cat in.mlir | ramiel-opt                     # no file: read IR from stdin

All of xdsl-opt's flags keep working. Unlike xDSL's driver:

- a mistake in what the user gave (a bad model, option or pass name, an unwritable
  output) prints one line, `ramiel: error: <what> (<where>)`, and exits with 1;
- a parse or verification error in IR text prints its diagnostic (location, the
  source line, the message) without a Python traceback and exits with 1; under
  `--verify-diagnostics` it is printed and the run goes on, as in xDSL, unless the
  file holds `expected-error` annotations: then they are checked as mlir-opt checks
  them (`ramiel.expected_diagnostics`); text that would hang or crash xDSL's parser
  is refused the same way (`ramiel.limits.check_ir_text`);
- `-o FILE` is written only when the whole run succeeds, so a failed run neither
  creates nor truncates it;
- an input with no operation is an empty module, as in MLIR.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass
from importlib.metadata import version
from io import BytesIO, StringIO
from itertools import accumulate
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute
from xdsl.passes import ModulePass
from xdsl.targets.mlir import MLIRTarget
from xdsl.utils.arg_spec import parse_spec
from xdsl.utils.exceptions import (
    ArgSpecParseError,
    DiagnosticException,
    ParseError,
    PassFailedException,
)
from xdsl.xdsl_opt_main import xDSLOptMain

from ramiel.errors import RamielError, report
from ramiel.ir_text import LocatingParser, ResourcePrinter
from ramiel.limits import add_max_memory, check_ir_text

if TYPE_CHECKING:
    from ramiel.dialects.pyemit import PyModuleOp


@dataclass(frozen=True)
class RamielMLIRTarget(MLIRTarget):
    """xDSL's `mlir` target, printing resources with `ResourcePrinter`."""

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        if self.syntax_highlight:
            return super().emit(ctx, module, output)
        printer = ResourcePrinter(
            stream=output,
            print_generic_format=self.print_generic_format,
            print_properties_as_attributes=self.print_properties_as_attributes,
            print_debuginfo=self.print_debuginfo,
        )
        printer.print_op(module)
        printer.print_metadata(ctx.loaded_dialects)
        print("\n", file=output)


class RamielOptMain(xDSLOptMain):
    """The `ramiel-opt` driver: xdsl-opt with Ramiel's dialects, passes, frontends and targets."""

    _output: _Collected

    version_format = f"ramiel-opt {version('ramiel')}, built on xdsl {{xdsl_version}}"

    def register_all_dialects(self) -> None:
        from ramiel.dialects import get_all_dialects

        for name, factory in get_all_dialects().items():
            self.ctx.register_dialect(name, factory)

    def register_all_frontends(self) -> None:
        super().register_all_frontends()
        # Importing ONNX needs the command-line shapes, so `parse_chunk` handles it.
        self.available_frontends["onnx"] = lambda _stream: ModuleOp([])

    def register_all_passes(self) -> None:
        from ramiel.passes import get_all_passes

        for name, factory in get_all_passes().items():
            self.register_pass(name, factory)

    def register_all_targets(self) -> None:
        # Only Ramiel's: xDSL's other targets expect dialects Ramiel does not lower to.
        from ramiel.targets import get_all_targets

        self.available_targets = {"mlir": lambda: RamielMLIRTarget, **get_all_targets()}

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.error = _usage_error  # type: ignore[method-assign]
        arg_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        # The pass list loads every pass class: only for --help.
        format_help = arg_parser.format_help

        def format_help_with_passes() -> str:
            arg_parser.epilog = _passes_help(self.available_passes)
            return format_help()

        arg_parser.format_help = format_help_with_passes
        arg_parser.add_argument(
            "--input-shape",
            action="append",
            default=[],
            metavar="NAME=DIMS",
            help="fix the shape of an ONNX graph input, e.g. data=1x3x224x224 (repeatable; "
            "the last '=' separates the name)",
        )
        add_max_memory(arg_parser)
        arg_parser.add_argument(
            "--cluster-cp",
            action="store_true",
            help="after -p, run the default pipeline's clustering passes for --workers streams",
        )
        arg_parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="worker count for --cluster-cp (default: the machine's cores)",
        )
        arg_parser.add_argument(
            "--op-counts",
            action="store_true",
            help="print on stderr how many ops of each kind the input and the output hold",
        )
        arg_parser.add_argument(
            "--pass-statistics",
            action="store_true",
            help="print on stderr, for each pass, its time and the op counts it changed",
        )
        arg_parser.add_argument(
            "--load-heuristics",
            action="append",
            default=[],
            metavar="FILE.py",
            help="load the clustering heuristics and cost models a Python file registers",
        )

    def setup_pipeline(self) -> None:
        self._check_output_folder()
        if self.args.cluster_cp:
            if self.args.workers < 1:
                raise RamielError("--workers must be at least 1", f"--workers {self.args.workers}")
            from ramiel.pipeline import clustering_passes, pipeline_text

            extra = pipeline_text(clustering_passes(self.args.workers))
            self.args.passes = f"{self.args.passes},{extra}" if self.args.passes else extra
        if self.args.load_heuristics:
            from ramiel.scheduling.registry import (
                HeuristicLoadError,
                load_heuristics_file,
            )

            for path in self.args.load_heuristics:
                try:
                    load_heuristics_file(path)
                except HeuristicLoadError as e:
                    raise RamielError(str(e), path) from None
        where = f"-p {self.args.passes}"
        from ramiel.pipeline import parse_pipeline as parse_passes
        from ramiel.pipeline import pipeline_text

        # Ramiel's reading of the pipeline (unknown passes and options refused with a
        # suggestion, a whole number for a float option as mlir-opt takes it), in the
        # text xDSL's driver parses again.
        self.args.passes = pipeline_text(parse_passes(self.args.passes)) if self.args.passes else ""
        try:
            super().setup_pipeline()
        except (ValueError, ArgSpecParseError) as e:
            raise RamielError(f"bad pass pipeline: {_one_line(e)}", where) from None
        if self.args.pass_statistics:
            from xdsl.passes import PassPipeline

            from ramiel.op_counts import PassStatistics

            self.pipeline = PassPipeline(self.pipeline.passes, PassStatistics(self.pipeline.callback))

    def _check_output_folder(self) -> None:
        path = self.args.output_file
        if path is None:
            return
        folder = Path(path).parent
        if not folder.is_dir():
            raise RamielError("the output file's folder does not exist", path)
        if Path(path).is_dir():
            raise RamielError("the output file is a folder", path)

    def prepare_input(self) -> tuple[list[tuple[IO[bytes], int]], str]:
        # As xDSL's, but the format is the one -f names, else the file extension.
        stream, extension = self.get_input_stream()
        key = parse_spec(self.args.frontend).name if self.args.frontend else extension
        if key not in self.available_frontends:
            stream.close()
            known = ", ".join(sorted(self.available_frontends))
            raise RamielError(
                f"unknown input format '{key}' (known: {known}; choose one with -f)",
                self.get_input_name(),
            )
        if not self.args.split_input_file or key == "onnx":
            return [(stream, 0)], extension
        pieces = stream.read().split(b"// -----")
        stream.close()
        offsets = accumulate([0, *(p.count(b"\n") for p in pieces[:-1])])
        return [(BytesIO(p), o) for p, o in zip(pieces, offsets, strict=True)], extension

    def parse_chunk(
        self, chunk: IO[bytes], file_extension: str, start_offset: int = 0
    ) -> ModuleOp | None:
        key = parse_spec(self.args.frontend or file_extension).name
        if key == "onnx":
            return self._import_onnx(chunk)
        if key != "mlir":
            return super().parse_chunk(chunk, file_extension, start_offset)
        name = self.get_input_name()
        text = check_ir_text(chunk.read(), name, start_offset)
        parser = LocatingParser(self.ctx, text, name, start_offset)
        module = parser.parse_module(not self.args.no_implicit_module)
        if not self.args.disable_verify:
            parser.verify_module(module)
        return module

    def _import_onnx(self, chunk: IO[bytes]) -> ModuleOp:
        from ramiel.frontend.onnx_import import import_bytes, parse_input_shape

        shapes = dict(parse_input_shape(s) for s in self.args.input_shape)
        path = self.args.input_file
        folder = Path(path).parent if path is not None else Path.cwd()
        self.ctx.get_dialect("dfg")  # loads it, so its resources print
        name = Path(path).stem if path is not None else None
        return import_bytes(
            chunk.read(), self.get_input_name(), folder, shapes, _note,
            memory_budget=self.args.max_memory, name=name,
        )  # fmt: skip

    def apply_passes(self, prog: ModuleOp) -> None:
        from ramiel.op_counts import PassStatistics, op_count_table, op_counts
        from ramiel.pipeline import record_pipeline

        record_pipeline(prog, self.pipeline.passes)
        before = op_counts(prog) if self.args.op_counts else None
        # What passes print (--time-passes, --print-between-passes) goes to stderr, as
        # mlir-opt's does, so that the output stays parseable IR.
        with redirect_stdout(sys.stderr):
            super().apply_passes(prog)
        lines: list[str] = []
        if isinstance(self.pipeline.callback, PassStatistics):
            lines += self.pipeline.callback.lines()
            self.pipeline.callback.records.clear()  # the next chunk reports its own
        if before is not None:
            lines += op_count_table(before, op_counts(prog))
        for line in lines:
            print(line, file=sys.stderr)

    def prepare_output(self) -> IO[str]:
        # Collected and written by `run_to_completion` once the whole run has succeeded.
        self._output = _Collected()
        return self._output

    def get_input_stream(self) -> tuple[IO[bytes], str]:
        path = self.args.input_file
        if path is not None and not os.path.isfile(path):
            raise RamielError("no such input file", path)
        return super().get_input_stream()

    def output_resulting_program(self, prog: ModuleOp) -> str:
        target = parse_spec(self.args.target)
        if target.name == "python" and self.args.output_file is not None and "weights" in target.parameters:
            raise RamielError("with -o, the weights go beside the output file: leave out 'weights'", "-t")
        if target.name == "python":
            from ramiel.targets.python import python_program

            self._programs.append(python_program(prog))
        return super().output_resulting_program(prog)

    def _annotated_input(self) -> str | None:
        """Under --verify-diagnostics, the input file's text if it holds `expected-...` annotations."""
        from ramiel.expected_diagnostics import has_annotations

        path = self.args.input_file
        if not self.args.verify_diagnostics or path is None or not os.path.isfile(path):
            return None
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        return text if has_annotations(text) else None

    def _run_checking_diagnostics(self, text: str) -> None:
        """Run, and hold the diagnostics against the file's annotations, as mlir-opt does.

        Any mismatch is printed on stderr, MLIR-style, and the run exits with 1.
        """
        from ramiel.expected_diagnostics import (
            expectations,
            printed_diagnostics,
            problems,
        )

        self.args.parsing_diagnostics = True  # parse errors are diagnostics to check too
        printed = StringIO()
        with redirect_stdout(printed):
            self.run()
        found = problems(expectations(text), printed_diagnostics(printed.getvalue()), self.get_input_name())
        for line in found:
            print(line, file=sys.stderr)
        if found:
            raise SystemExit(1)

    def run_to_completion(self) -> None:
        """Run, then write the output; errors leave no output file behind.

        With `-t python -o FILE.py`, the weights go beside it, as `ramiel compile`
        writes them: the two files appear together or not at all.
        """
        self._programs: list[PyModuleOp] = []
        annotated = self._annotated_input()
        if annotated is None:
            self.run()
        else:
            self._run_checking_diagnostics(annotated)
        text = self._output.getvalue()
        if self.args.output_file is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            if self._programs and "weights" not in parse_spec(self.args.target).parameters:
                _note("no weights file was written: give -o FILE.py to write FILE.weights.pt beside it")
            return
        if self._programs:
            from ramiel.api import write_generated

            if len(self._programs) != 1:
                raise RamielError("-t python -o writes one model; the input holds several", self.args.output_file)
            write_generated(Path(self.args.output_file), text, self._programs[0])
            return
        try:
            with open(self.args.output_file, "w") as f:
                f.write(text)
        except OSError as e:
            raise RamielError(
                f"cannot write the output: {e.strerror}", self.args.output_file
            ) from None


def _usage_error(message: str) -> NoReturn:
    """argparse's error hook: the project's one-line error instead of usage and status 2."""
    raise RamielError(message, "command line")


class _Collected(StringIO):
    """The run's output, kept open after xDSL's driver closes its output stream."""

    def close(self) -> None:
        pass


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def _note(message: str) -> None:
    print(f"ramiel: note: {message}", file=sys.stderr)


def _passes_help(passes: Mapping[str, Callable[[], type[ModulePass]]]) -> str:
    from ramiel.passes import describe_passes

    return "passes:\n" + describe_passes(passes)


def main(args: Sequence[str] | None = None) -> None:
    """Entry point of the `ramiel-opt` console script (and of in-process runs)."""
    post_init = Attribute.__post_init__  # --disable-verify replaces it process-wide
    try:
        RamielOptMain(description="Ramiel's modular optimizer driver", args=args).run_to_completion()
    except RamielError as e:
        report(e)
    except PassFailedException as e:
        # A pass that refuses its input has no source location to point at.
        report(RamielError(str(e), "pass pipeline"))
    except (ParseError, DiagnosticException) as e:
        print(str(e).rstrip(), file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        Attribute.__post_init__ = post_init


if __name__ == "__main__":
    main()
