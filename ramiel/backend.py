"""Ramiel as an ONNX backend (`onnx.backend.base.Backend`), for ONNX's backend tests.

    from ramiel.backend import RamielBackend

    rep = RamielBackend.prepare(model, "CPU", workers=2)   # compiles into generated code
    outputs = rep.run([x, y])                              # numpy arrays in, numpy arrays out

`prepare` runs the whole pipeline (`ramiel.api.compile`) into a temporary folder,
loads the generated `Model` and removes the folder again (the model keeps its
weights in memory). A model Ramiel cannot compile raises `RamielError` there.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx import helper
from onnx.backend.base import Backend, BackendRep, Device, DeviceType

from ramiel import api
from ramiel.errors import RamielError


class RamielRep(BackendRep):
    """A compiled model, loaded and ready to run; `close()` stops its worker threads."""

    def __init__(
        self, compiled: api.CompiledModel, num_threads: int | None = None
    ) -> None:
        self.compiled = compiled
        """What the compilation produced (its files are gone once `prepare` returns)."""
        self.model = compiled.load(num_threads)
        """The generated `Model` instance."""

    @property
    def input_names(self) -> list[str]:
        """The ONNX names of the inputs `run` takes, in order (initializers excluded)."""
        return [name for name, _, _ in self.compiled.inputs]

    def run(self, inputs: Any, **kwargs: Any) -> tuple[np.ndarray, ...]:
        """Run on inputs given in order (a sequence or one array) or by name (a mapping)."""
        del kwargs
        names = self.input_names
        if isinstance(inputs, Mapping):
            api.check_inputs(self.compiled.inputs, inputs, "inputs")
            arrays = [inputs[n] for n in names]
        else:
            arrays = list(inputs) if isinstance(inputs, Sequence) else [inputs]
            if len(arrays) != len(names):
                raise RamielError(
                    f"the model takes {len(names)} inputs ({', '.join(map(repr, names))}), "
                    f"got {len(arrays)}",
                    "inputs",
                )
        tensors = [api.torch_value(a) for a in arrays]
        outputs = api.call_model(self.model, tensors, self.compiled.outputs)
        return tuple(outputs.values())

    def close(self) -> None:
        """Stop the generated model's worker threads."""
        self.model.close()

    def __enter__(self) -> RamielRep:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class RamielBackend(Backend):
    """Compiles ONNX models into Ramiel's generated PyTorch code and runs them on the CPU."""

    @classmethod
    def prepare(
        cls,
        model: onnx.ModelProto,
        device: str = "CPU",
        workers: int = 1,
        pipeline: api.Pipeline | None = None,
        num_threads: int | None = None,
        input_shapes: Mapping[str, Sequence[int]] | None = None,
        **kwargs: Any,
    ) -> RamielRep:
        """Compile `model` through the full pipeline (`workers` streams, `input_shapes` as for
        `ramiel.api.compile`) and load it.

        Raises `RamielError` for what Ramiel does not support. Other keyword
        arguments (such as the test runner's `rtol`/`atol`) are ignored.
        """
        del kwargs
        if not cls.supports_device(device):
            raise RamielError("Ramiel runs on the CPU only", f"device {device}")
        with tempfile.TemporaryDirectory(prefix="ramiel-backend-") as folder:
            compiled = api.compile(
                model, workers=workers, pipeline=pipeline, out_dir=folder, name="model", input_shapes=input_shapes
            )
            return RamielRep(compiled, num_threads)

    @classmethod
    def run_model(
        cls, model: onnx.ModelProto, inputs: Any, device: str = "CPU", **kwargs: Any
    ) -> tuple[np.ndarray, ...]:
        """Compile, run once on `inputs`, and stop the worker threads."""
        with cls.prepare(model, device, **kwargs) as rep:
            return rep.run(inputs)

    @classmethod
    def run_node(
        cls,
        node: onnx.NodeProto,
        inputs: Any,
        device: str = "CPU",
        outputs_info: Sequence[tuple[np.dtype, tuple[int, ...]]] | None = None,
        **kwargs: Any,
    ) -> tuple[np.ndarray, ...]:
        """Run one node on `inputs` (arrays in the node's input order), at `opset_version`.

        Output types come from ONNX shape inference unless `outputs_info` gives them.
        """
        arrays = [np.asarray(a) for a in inputs]
        names = [n for n in node.input if n]
        if len(arrays) != len(names):
            raise RamielError(
                f"the node takes {len(names)} inputs, got {len(arrays)}", "inputs"
            )
        graph_inputs = [
            helper.make_tensor_value_info(
                n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape
            )
            for n, a in zip(names, arrays, strict=True)
        ]
        if outputs_info is None:
            graph_outputs = [
                helper.make_empty_tensor_value_info(n) for n in node.output if n
            ]
        else:
            graph_outputs = [
                helper.make_tensor_value_info(
                    n, helper.np_dtype_to_tensor_dtype(np.dtype(t)), s
                )
                for n, (t, s) in zip(
                    (n for n in node.output if n), outputs_info, strict=False
                )
            ]
        opset = kwargs.pop("opset_version", onnx.defs.onnx_opset_version())
        model = helper.make_model(
            helper.make_graph([node], "node", graph_inputs, graph_outputs),
            opset_imports=[helper.make_opsetid("", opset)],
        )
        return cls.run_model(model, arrays, device, **kwargs)

    @classmethod
    def supports_device(cls, device: str) -> bool:
        """Only the CPU."""
        return Device(device).type == DeviceType.CPU


prepare = RamielBackend.prepare
run_model = RamielBackend.run_model
run_node = RamielBackend.run_node
supports_device = RamielBackend.supports_device
