"""`ramiel-opt`: Ramiel's mlir-opt, on xDSL's `xDSLOptMain`.

    ramiel-opt model.onnx                        # print the imported dfg module
    ramiel-opt in.mlir -p cleanup,cluster{workers=2}
    ramiel-opt --cluster-cp in.mlir              # cluster-cp,merge-clusters,clone

All of xdsl-opt's flags keep working. Unlike xDSL's driver, a parse or
verification error prints its diagnostic without a Python traceback and exits
with status 1, and `-o FILE` is written only when the whole run succeeds.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from io import StringIO
from typing import IO

from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException, ParseError, VerifyException
from xdsl.xdsl_opt_main import xDSLOptMain

from ramiel.errors import RamielError, report


def _cluster_cp_pipeline(workers: int) -> str:
    return f"cluster-cp,merge-clusters{{workers={workers}}},clone"


class RamielOptMain(xDSLOptMain):
    """The `ramiel-opt` driver: xdsl-opt with Ramiel's dialects, passes and frontends."""

    _output: _Collected

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
        super().register_all_targets()
        from ramiel.targets import get_all_targets

        self.available_targets.update(get_all_targets())

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        arg_parser.epilog = _passes_help(self.available_passes)
        arg_parser.add_argument(
            "--input-shape",
            action="append",
            default=[],
            metavar="NAME=DIMS",
            help="fix the shape of an ONNX graph input, e.g. data=1x3x224x224 (repeatable)",
        )
        arg_parser.add_argument(
            "--cluster-cp",
            action="store_true",
            help="run cluster-cp,merge-clusters{workers=N},clone after -p",
        )
        arg_parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="worker count for --cluster-cp (default: the machine's cores)",
        )
        arg_parser.add_argument(
            "--load-heuristics",
            action="append",
            default=[],
            metavar="FILE.py",
            help="load clustering heuristics registered in a Python file",
        )

    def setup_pipeline(self) -> None:
        if self.args.cluster_cp:
            if self.args.workers < 1:
                raise RamielError("--workers must be at least 1", f"--workers {self.args.workers}")
            extra = _cluster_cp_pipeline(self.args.workers)
            self.args.passes = f"{self.args.passes},{extra}" if self.args.passes else extra
        if self.args.load_heuristics:
            from ramiel.scheduling.registry import load_heuristics_file

            for path in self.args.load_heuristics:
                load_heuristics_file(path)
        super().setup_pipeline()

    def parse_chunk(
        self, chunk: IO[bytes], file_extension: str, start_offset: int = 0
    ) -> ModuleOp | None:
        if (self.args.frontend or file_extension) != "onnx":
            return super().parse_chunk(chunk, file_extension, start_offset)
        from ramiel.frontend.onnx_import import import_file, parse_input_shape

        shapes = dict(parse_input_shape(s) for s in self.args.input_shape)
        self.ctx.get_dialect("dfg")  # loads it, so its resources print
        return import_file(self.args.input_file, shapes, note=_note)

    def prepare_output(self) -> IO[str]:
        # Collected and written by `main` once the whole run has succeeded.
        self._output = _Collected()
        return self._output

    def get_input_stream(self) -> tuple[IO[bytes], str]:
        path = self.args.input_file
        if path is not None and not os.path.isfile(path):
            raise RamielError("no such input file", path)
        return super().get_input_stream()

    def run_to_completion(self) -> None:
        """Run, then write the output; errors leave no output file behind."""
        self.run()
        text = self._output.getvalue()
        if self.args.output_file is None:
            sys.stdout.write(text)
            return
        try:
            with open(self.args.output_file, "w") as f:
                f.write(text)
        except OSError as e:
            raise RamielError(f"cannot write the output: {e.strerror}", self.args.output_file) from None


class _Collected(StringIO):
    """The run's output, kept open after xDSL's driver closes its output stream."""

    def close(self) -> None:
        pass


def _note(message: str) -> None:
    print(f"ramiel: note: {message}", file=sys.stderr)


def _passes_help(passes: Mapping[str, Callable[[], type[ModulePass]]]) -> str:
    from ramiel.passes import describe_passes

    return "passes:\n" + describe_passes(passes)


def main(args: Sequence[str] | None = None) -> None:
    """Entry point of the `ramiel-opt` console script."""
    try:
        RamielOptMain(description="Ramiel's modular optimizer driver", args=args).run_to_completion()
    except RamielError as e:
        report(e)
    except (ParseError, DiagnosticException, VerifyException) as e:
        print(str(e).rstrip(), file=sys.stderr)
        raise SystemExit(1) from None
    except ValueError as e:
        # xDSL raises ValueError for bad pipelines and unknown file extensions.
        print(f"ramiel: error: {e} (command line)", file=sys.stderr)
        raise SystemExit(1) from None

if __name__ == "__main__":
    main()
