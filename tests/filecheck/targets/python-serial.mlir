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
// CHECK:      _INPUTS = (("in:put", (2, 3), torch.float32), ("self", (2, 3), torch.float32))
// CHECK-NEXT: _OUTPUTS = ("out'put",)
// CHECK-NEXT: _SPLATS: dict[str, tuple[int, ...]] = {}
// CHECK:          def __init__(self, num_threads: int | None = None, *, keep_freed_memory: bool = True) -> None:
// CHECK-NEXT:         super().__init__()
// CHECK-NEXT:         if keep_freed_memory:
// CHECK-NEXT:             _keep_freed_memory()
// CHECK-NEXT:         # The intra-op threads every call runs on: by default, the caller's now.
// CHECK-NEXT:         self._num_threads = num_threads or torch.get_num_threads()
// CHECK-NEXT:         # The weights, in ONNX's layout, are the buffers of the state dict.
// CHECK-NEXT:         path = Path(__file__).with_suffix(".weights.pt")
// CHECK-NEXT:         for name, tensor in _load_weights(str(path), _SPLATS).items():
// CHECK-NEXT:             self.register_buffer(name, tensor)
// CHECK-NEXT:         self._prepare()
// CHECK-NEXT:         self.register_load_state_dict_post_hook(Model._prepare)
// CHECK-EMPTY:
// CHECK-NEXT:     def _prepare(self, *_: object) -> None:
// CHECK-NEXT:         """What calls read: the buffers, some prepared here once for the threads calls run on."""
// CHECK-NEXT:         self._weights = dict(self.named_buffers())
// CHECK-EMPTY:
// CHECK-NEXT:     def forward(self, *inputs: torch.Tensor, **named: torch.Tensor) -> torch.Tensor:
// CHECK-NEXT:         """Run the model on its inputs, given in the order of `_INPUTS` or by name."""
// CHECK-NEXT:         inputs = _bind_inputs(inputs, named, _INPUTS)
// CHECK-NEXT:         with _intra_op_threads(self._num_threads):
// CHECK-NEXT:             w = self._weights
// CHECK-NEXT:             in_put = inputs[0]
// CHECK-NEXT:             self_ = inputs[1]
// CHECK-NEXT:             torch_ = torch.relu(in_put)
// CHECK-NEXT:             torch_1 = torch_ + self_
// CHECK-NEXT:             v = torch_1 * w["w"]
// CHECK-NEXT:             return v
// CHECK-EMPTY:
// CHECK-NEXT:     def extra_repr(self) -> str:
// CHECK-NEXT:         return _describe(_INPUTS, _OUTPUTS, 1)
// CHECK-EMPTY:
// CHECK-NEXT:     def __prepare_scriptable__(self) -> Model:
// CHECK-NEXT:         raise TypeError(
// CHECK-NEXT:             "torch.jit.script cannot compile the generated Model: its forward takes "
// CHECK-NEXT:             "any number of inputs; torch.compile(Model()) works"
// CHECK-NEXT:         )
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
