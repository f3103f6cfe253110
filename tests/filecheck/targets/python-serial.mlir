// RUN: ramiel-opt %s -p convert-dfg-to-pyemit -t python | filecheck %s

// One stream: straight-line code in forward, no threads, no runtime classes.
// Names from the model become distinct identifiers that shadow nothing.

// CHECK:      # Streams: 1
// CHECK-NEXT: # Predicted speedup: 1.00x
// CHECK:      from __future__ import annotations
// CHECK-EMPTY:
// CHECK-NEXT: import ctypes
// CHECK-NEXT: import sys
// CHECK-NEXT: from collections.abc import Iterator
// CHECK-NEXT: from contextlib import contextmanager
// CHECK-NEXT: from pathlib import Path
// CHECK-EMPTY:
// CHECK-NEXT: import torch
// CHECK-EMPTY:
// CHECK-NOT:  threading
// CHECK-NOT:  _StreamRuntime
// CHECK:      _INPUTS = (('in:put', (2, 3), torch.float32), ('self', (2, 3), torch.float32))
// CHECK-NEXT: _OUTPUTS = ("out'put",)
// CHECK-NEXT: _SPLATS: dict[str, tuple[int, ...]] = {}
// CHECK:          def __init__(self, num_threads: int | None = None) -> None:
// CHECK-NEXT:         super().__init__()
// CHECK-NEXT:         _keep_freed_memory()
// CHECK-NEXT:         # The intra-op threads every call runs on: by default, the caller's now.
// CHECK-NEXT:         self._num_threads = num_threads or torch.get_num_threads()
// CHECK-NEXT:         path = Path(__file__).with_suffix('.weights.pt')
// CHECK-NEXT:         self._weights = _load_weights(str(path), _SPLATS)
// CHECK-EMPTY:
// CHECK-NEXT:     def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
// CHECK-NEXT:         _check_inputs(inputs, _INPUTS)
// CHECK-NEXT:         with _intra_op_threads(self._num_threads):
// CHECK-NEXT:             w = self._weights
// CHECK-NEXT:             in_put = inputs[0]
// CHECK-NEXT:             self_ = inputs[1]
// CHECK-NEXT:             torch_ = torch.relu(in_put)
// CHECK-NEXT:             torch_1 = torch_ + self_
// CHECK-NEXT:             v = torch_1 * w['w']
// CHECK-NEXT:             return v
// CHECK-EMPTY:
// CHECK-NEXT:     def close(self) -> None:
// CHECK-NEXT:         """Nothing to stop: the model runs on the caller's thread."""
func.func @main(%in_put: tensor<2x3xf32> {dfg.name = "in:put"}, %self: tensor<2x3xf32> {dfg.name = "self"}) -> (tensor<2x3xf32> {dfg.name = "out'put"}) {
  %w = dfg.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %torch = dfg.relu %in_put : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %torch_1 = dfg.add %torch, %self : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = dfg.mul %torch_1, %w : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %0 : tensor<2x3xf32>
}
