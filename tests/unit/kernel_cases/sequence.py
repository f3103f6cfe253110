"""Kernel cases of the sequence operators: a sequence is a list of arrays."""

import numpy as np

from tests.unit.kernel_cases.core import case, i64, rand, scalar

_PARTS = [rand(2, 3), rand(1, 3), rand(4, 3)]

case("SequenceConstruct", *_PARTS)
case("SequenceEmpty")
case("SequenceEmpty", dtype=7)
case("SequenceAt", _PARTS, scalar(1, np.int64))
case("SequenceAt", _PARTS, scalar(-1, np.int64), const=(1,))
case("SequenceInsert", _PARTS, rand(5, 3))
case("SequenceInsert", _PARTS, rand(5, 3), scalar(0, np.int64), const=(2,))
case("SequenceInsert", _PARTS, rand(5, 3), scalar(-1, np.int32))
case("SequenceErase", _PARTS)
case("SequenceErase", _PARTS, scalar(-3, np.int64), const=(1,))
case("SequenceLength", _PARTS)
case("SplitToSequence", rand(6, 3))
case("SplitToSequence", rand(6, 3), keepdims=0)
case("SplitToSequence", rand(3, 7), scalar(3, np.int64), axis=1)
case("SplitToSequence", rand(3, 7), i64(2, 5), const=(1,), axis=-1)
case("SplitToSequence", rand(3, 7), i64(4, 3), axis=1)
case("ConcatFromSequence", _PARTS, axis=0)
case("ConcatFromSequence", [rand(2, 3), rand(2, 3)], axis=-1, new_axis=1)
case("ConcatFromSequence", [rand(2, 3), rand(2, 3)], axis=1)
