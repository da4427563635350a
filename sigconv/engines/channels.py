"""Multichannel correlation by FFT: the spectral form of a convolution layer.

A layer's grouped correlation of a zero-padded input ``xp`` of shape ``(N, C, *S)`` with
a weight ``w`` of shape ``(O, C/G, *K)``::

    y[n, o, i] = sum_{c in group(o)} sum_m  xp[n, c, i*s + m*d] * w[o, c, m]

is, per frequency ``f``, a matrix product over the channels of a group:
``Y[n, o, f] = sum_c X[n, c, f] W[o, c, f]``.  The transforms are the FFT engine's
(:class:`~sigconv.engines.fft.KernelSpectrum` places the weight for circular
correlation, :func:`~sigconv.engines.fft.fold` takes the stride in the spectrum), so the
nn layers' large kernels run on the same FFTW plans as every other convolution.
"""

import math

import numpy as np

from .fft import KernelSpectrum, fold, place, slot, threads_for, transform_sizes

__all__ = ["correlate_channels"]


def correlate_channels(xp, w, strides, dilations, groups, out_spatial, *, res):
    """``y`` of shape ``(N, O, *out_spatial)`` (see the module's formula), by real FFTs.

    Parameters
    ----------
    xp : ndarray
        ``(N, C, *S)`` real input, already zero-padded.
    w : ndarray
        ``(O, C // groups, *K)`` real weight.
    strides, dilations : tuple of int
    groups : int
    out_spatial : tuple of int
        The valid output extents (``floor((S - d*(K-1) - 1) / s) + 1``).
    res : sigconv._runtime.Resources

    Returns
    -------
    ndarray
        In the result dtype of ``xp`` and ``w``.
    """
    nsp = len(strides)
    n, c = xp.shape[:2]
    o, cg = w.shape[:2]
    og = o // groups
    dtype = np.result_type(xp.dtype, w.dtype)
    xp, w = xp.astype(dtype, copy=False), w.astype(dtype, copy=False)
    ke = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dilations)]
    sizes = transform_sizes(xp.shape[2:], ke, out_spatial, strides, ((0, 0),) * nsp)
    ks = KernelSpectrum(w.reshape((groups, og, cg) + w.shape[2:]), [N for N, _ in sizes],
                        strides, dilations, (0,) * nsp, real=True, res=res)
    half = ks.spectrum.shape[3:]
    F = math.prod(half)
    threads = threads_for(res, n * c * math.prod(ks.sizes))
    with slot("r2c", (n, c) + ks.sizes, nsp, dtype, threads, res) as fwd:
        place(fwd.input, xp, (0,) * nsp)
        sx = fwd.execute().reshape(n, groups, cg, F).transpose(1, 3, 0, 2)   # (G, F, N, Cg)
        sw = ks.spectrum.reshape(groups, og, cg, F).transpose(0, 3, 2, 1)    # (G, F, Cg, Og)
        sy = np.matmul(sx, sw).transpose(2, 0, 3, 1).reshape((n, o) + half)  # (N, O, *half)
    if any(s > 1 for s in strides):
        sy = fold(sy, ks)
    threads = threads_for(res, n * o * math.prod(ks.folded))
    with slot("c2r", (n, o) + ks.folded, nsp, dtype, threads, res) as inv:
        inv.input[...] = sy
        full = inv.execute()
        return np.ascontiguousarray(full[(Ellipsis,) + tuple(slice(0, L) for L in out_spatial)])
