"""Runtime helpers of the Fourier transforms: DFT and STFT."""

import torch


def onnx_dft(
    x: torch.Tensor, length: int | None, axis: int, inverse: bool, onesided: bool
) -> torch.Tensor:
    """ONNX DFT of `x` along `axis`.

    The last axis of `x` holds real values (size 1) or real and imaginary parts
    (size 2).

    The signal is cut or zero-padded to `length` samples (by default its own,
    or 2 * (size - 1) for the inverse of a one-sided spectrum). A one-sided
    forward transform keeps the first length // 2 + 1 values; a one-sided
    inverse reads a one-sided spectrum and gives real values. The transform is
    computed in float64 and rounded once to the signal's type: a float32
    transform's own rounding errors, about 1e-7 of the largest value, would
    show in the values near zero.
    """
    dtype = x.dtype
    x = x.double()
    axis %= x.dim()
    signal = x[..., 0] if x.shape[-1] == 1 else torch.view_as_complex(x.contiguous())
    if length is None:
        length = 2 * (x.shape[axis] - 1) if inverse and onesided else x.shape[axis]
    if inverse and onesided:
        return torch.fft.irfft(signal, length, axis).unsqueeze(-1).to(dtype)
    spectrum = (torch.fft.ifft if inverse else torch.fft.fft)(signal, length, axis)
    if onesided:
        spectrum = spectrum.narrow(axis, 0, length // 2 + 1)
    # The inverse of a real signal is a conjugate view, which view_as_real refuses.
    return torch.view_as_real(spectrum.resolve_conj()).to(dtype)


def onnx_stft(
    signal: torch.Tensor, step: int, window: torch.Tensor | None, length: int | None, onesided: bool
) -> torch.Tensor:
    """ONNX STFT: the DFT of each frame, times the window.

    The frames are of `length` samples (the window's, else the signal's), `step`
    apart.

    `signal` is batch x samples x 1 (real) or 2 (complex); the result is batch x
    frames x frequencies x 2.
    """
    if length is None:
        length = signal.shape[1] if window is None else window.shape[0]
    frames = signal.unfold(1, length, step).transpose(2, 3)
    if window is not None:
        frames = frames * window.reshape(-1, 1)
    return onnx_dft(frames, length, 2, False, onesided)
