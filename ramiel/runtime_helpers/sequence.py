"""Runtime helpers of SequenceInsert and SequenceErase: new lists, as ONNX's sequences are values."""

import torch


def sequence_insert(sequence: list[torch.Tensor], tensor: torch.Tensor, position: int | None) -> list[torch.Tensor]:
    """The sequence with `tensor` inserted at `position` (at the end without one); a negative
    position counts from the end, as Python's `list.insert` does."""
    inserted = list(sequence)
    inserted.insert(len(inserted) if position is None else position, tensor)
    return inserted


def sequence_erase(sequence: list[torch.Tensor], position: int | None) -> list[torch.Tensor]:
    """The sequence without its tensor at `position` (the last without one)."""
    erased = list(sequence)
    del erased[-1 if position is None else position]
    return erased
