"""Kernel cases of the reduction operators."""

import numpy as np

from tests.unit.kernel_cases.core import both, case, i64, rand

both("ReduceMean", rand(2, 3, 4), i64(1, 2), const=(1,))
both("ReduceMean", rand(2, 3, 4), i64(-1), const=(1,), keepdims=0)
case("ReduceMean", rand(2, 3, 4))
case("ReduceMean", rand(2, 3, 4), keepdims=0)
both("ReduceSum", rand(2, 3, 4), i64(0), const=(1,))
both("ReduceSum", rand(2, 3, 4, dtype=np.int64, low=-9, high=9), i64(0, 2), const=(1,), keepdims=0)
case("ReduceSum", rand(2, 3, 4), np.zeros(0, dtype=np.int64), const=(1,), noop_with_empty_axes=1)
case("ReduceSum", rand(2, 1, 4), i64(1), keepdims=1)
case("ReduceSum", rand(2, 3), np.zeros(0, dtype=np.int64), keepdims=0, noop_with_empty_axes=1)
case("ReduceMax", rand(2, 3), np.zeros(0, dtype=np.int64), keepdims=0)
both("ReduceMax", rand(2, 3, 4), i64(1), const=(1,))
case("ReduceMax", rand(2, 3, 4), keepdims=0)
case("ReduceMax", rand(2, 3, 4, dtype=np.int32, low=-9, high=9), i64(-1), const=(1,))
case("ArgMax", rand(3, 4, 5))
case("ArgMax", rand(3, 4, 5), axis=-1, keepdims=0)
case("ArgMax", np.round(rand(3, 6)), axis=1, select_last_index=1)
case("ArgMax", rand(4, 5, dtype=np.int64, low=0, high=3), axis=1, select_last_index=1, keepdims=0)
