"""Parsing IR text through the library: the same checks and diagnostics as ramiel-opt."""

from __future__ import annotations

import pytest
from xdsl.utils.exceptions import ParseError

from ramiel.ir_text import LocatedVerifyException, parse_module, print_module

_USE_BEFORE_DEFINITION = """\
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = dfg.relu %b : (tensor<2xf32>) -> tensor<2xf32>
  %b = dfg.relu %x : (tensor<2xf32>) -> tensor<2xf32>
  func.return %a : tensor<2xf32>
}
"""


def test_round_trip() -> None:
    text = "func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {\n  func.return %x : tensor<2xf32>\n}"
    assert "func.return %x : tensor<2xf32>" in print_module(parse_module(text, verify=True))


def test_text_that_would_hang_the_parser_is_refused_first() -> None:
    with pytest.raises(ParseError, match=r"in\.mlir:1:51\n(.|\n)*brackets nested more than 50 deep"):
        parse_module("(" * 100_000, "in.mlir")


def test_a_verification_error_points_at_the_op() -> None:
    module = parse_module(_USE_BEFORE_DEFINITION, "in.mlir")  # parsing alone does not verify
    assert module is not None
    with pytest.raises(LocatedVerifyException, match=r"in\.mlir:2:3\n.*%a = dfg.relu %b(.|\n)*used before its definition"):
        parse_module(_USE_BEFORE_DEFINITION, "in.mlir", verify=True)
