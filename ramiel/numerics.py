"""The project's one numeric tolerance for comparing an output with a reference.

Per output: max|ours - ref| <= 1e-4 * max(1, max|ref|) over the finite elements, with
NaN and infinite values required at the same positions (infinities with the same
sign). Integer and bool outputs must be equal. Shapes and element types must match.
Outputs are numpy arrays or torch tensors, in any mix.
"""

import numpy as np
import torch

RELATIVE_TOLERANCE = 1e-4
"""Largest allowed max|ours - ref| / max(1, max|ref|)."""

Array = np.ndarray | torch.Tensor


def _numpy(value: Array) -> np.ndarray:
    """The value as a numpy array (bfloat16 widened to float32)."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach().cpu()
        # numpy has no bfloat16; float32 holds its values exactly.
        return (tensor.float() if tensor.dtype == torch.bfloat16 else tensor).numpy()
    array = np.asarray(value)
    # Nor is ml_dtypes' bfloat16 a numpy floating type.
    return array.astype(np.float32) if array.dtype.name == "bfloat16" else array


def _dtype_name(value: Array) -> str:
    """The element type name, spelled alike for numpy and torch ("float32", "int64", "bool", ...)."""
    if isinstance(value, torch.Tensor):
        return str(value.dtype).removeprefix("torch.")
    return np.asarray(value).dtype.name


def _is_float(value: np.ndarray) -> bool:
    """Whether the array holds floating-point values."""
    return np.issubdtype(value.dtype, np.floating)


def max_errors(ours: Array, ref: Array) -> tuple[float, float]:
    """Largest absolute error over the finite elements, and that divided by max(1, max|ref|).

    Both are infinite when NaN or infinite values differ in position (or sign).
    Raises ValueError when the shapes differ.
    """
    a, b = _numpy(ours), _numpy(ref)
    if a.shape != b.shape:
        raise ValueError(f"shape {a.shape} differs from reference shape {b.shape}")
    a, b = a.astype(np.float64), b.astype(np.float64)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    special = nan_a | nan_b | np.isinf(a) | np.isinf(b)
    if (nan_a != nan_b).any() or (a[special & ~nan_a] != b[special & ~nan_b]).any():
        return float("inf"), float("inf")
    finite = ~special
    if not finite.any():
        return 0.0, 0.0
    error = float(np.abs(a[finite] - b[finite]).max())
    return error, error / max(1.0, float(np.abs(b[finite]).max()))


def _mismatch(ours: Array, ref: Array) -> str | None:
    """Why `ours` is not within tolerance of `ref`, or None when it is."""
    ours_type, ref_type = _dtype_name(ours), _dtype_name(ref)
    if ours_type != ref_type:
        return f"element type {ours_type} differs from reference type {ref_type}"
    a, b = _numpy(ours), _numpy(ref)
    if a.shape != b.shape:
        return f"shape {a.shape} differs from reference shape {b.shape}"
    if not _is_float(b):
        if np.array_equal(a, b):
            return None
        wrong = np.argwhere(a != b)
        first = tuple(int(i) for i in wrong[0])
        return f"{len(wrong)} elements differ, first at {first}: {a[first]!r} vs reference {b[first]!r}"
    error, relative = max_errors(a, b)
    if relative <= RELATIVE_TOLERANCE:
        return None
    if error == float("inf"):
        return "NaN or infinite values differ from the reference in position or sign"
    return f"max abs error {error:.3g} is {relative:.3g} of max(1, max|ref|), over the tolerance {RELATIVE_TOLERANCE}"


def within_tolerance(ours: Array, ref: Array) -> bool:
    """Whether `ours` matches `ref` under the project tolerance (exactly, for integer and bool types)."""
    return _mismatch(ours, ref) is None


def assert_close(ours: Array, ref: Array, what: str) -> None:
    """Raise AssertionError, naming `what` and the reason, unless `ours` is within tolerance of `ref`."""
    reason = _mismatch(ours, ref)
    if reason is not None:
        raise AssertionError(f"{what}: {reason}")
