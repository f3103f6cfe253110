"""The weights file of a generated model: a `torch.save`d dict of tensors.

Keys are the `pyemit.weight` names. A splat weight (one value repeated) is saved
as that one element; the generated file lists its shape in `_SPLATS`, and loading
expands it, so a weight of identical elements costs a few bytes on disk. The
same weights always give the same bytes.
"""

from __future__ import annotations

import os

from ramiel.dialects.pyemit import PyModuleOp
from ramiel.onnx_types import torch_of_numpy


def write_weights(program: PyModuleOp, path: str | os.PathLike[str]) -> None:
    """Save the weights of `program` to `path`."""
    import torch

    tensors: dict[str, torch.Tensor] = {}
    for weight in program.weights:
        array = weight.numpy()
        if weight.is_splat():
            array = array.reshape(-1)[:1]
        tensors[weight.weight_name.data] = torch_of_numpy(array)
    # Through a file object, torch names the archive "archive" instead of after the
    # file, so the bytes do not depend on the (temporary) file name.
    with open(path, "wb") as f:
        torch.save(tensors, f)
