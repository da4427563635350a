"""The direct sum of few outputs as one matrix-vector product over their windows.

For a single kernel ``w`` of ``K`` taps and ``P`` outputs (over every batch), the valid
correlation ``y[i] = sum_m x[i*s + m*d] * w[m]`` is the product of the ``(P, K)`` matrix
of the outputs' windows (gathered from a strided view of ``x``) with ``w`` flattened:
one gather and one product, where the shifted sums
(:func:`sigconv.engines.direct.shift_add`) make a numpy call per tap (~2.4 us each here:
63x63 by 63x63 'valid', one output, 9.7 ms shifted and 9 us as windows).  The product is
numpy's einsum, not BLAS: OpenBLAS splits a long row's sum over its threads, so its bits
would follow the BLAS thread count (one row of 2^20: 7.5e-12 apart on one thread and on
two), where einsum's are those of the inputs (2-3x BLAS's time on the product alone).
It applies where the window matrix is small (:func:`applies`); more outputs go back to
the shifted sums, which stream through memory (65536 outputs of 9 taps: 278 us shifted,
865 as windows).
"""

import math

import numpy as np

__all__ = ["applies", "correlate_valid", "WINDOW_OUTPUTS", "WINDOW_ELEMENTS"]

#: outputs and window-matrix elements up to which the windows run (4096 outputs of 25
#: taps: 99 us as windows, 107 shifted; 10000 of 9: 141 against 57)
WINDOW_OUTPUTS, WINDOW_ELEMENTS = 4096, 1 << 20
#: outputs of a 2-D problem up to which the windows run where OpenCV's filters could
#: (float32 16^2 outputs of 31x31: 52 us against 169; 32^2 of 15x15: 67 against 66;
#: 64^2 of 3x3: 56 against 30); in 3-D always (16^3 of 3^3: 149 against 641)
WINDOW_OUTPUTS_2D_FILTERS = 256


def applies(outputs, taps, kbatch, kind, nsp, filters):
    """Whether ``outputs`` outputs (all batches) of one kernel (``kbatch`` 1) with
    ``taps`` taps (its whole extent, zeros included) of dtype kind ``kind`` over ``nsp``
    axes run as windows, where OpenCV's filters could run them (``filters``) or not."""
    return (kbatch == 1 and kind in "iufc" and 2 <= taps and outputs <= WINDOW_OUTPUTS
            and outputs * taps <= WINDOW_ELEMENTS
            and (not filters or nsp >= 3 or outputs <= WINDOW_OUTPUTS_2D_FILTERS))


def correlate_valid(x, w, out_shape, strides, dilations):
    """Valid correlation of ``x`` (batch + spatial, already padded) with the single
    kernel ``w`` (leading axes of size 1) on the trailing ``len(strides)`` axes: the
    windows' matrix times the kernel (see the module).  Returns a new array of
    ``out_shape`` in ``x``'s dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.engines.windows import correlate_valid
    >>> correlate_valid(np.arange(6.0), np.array([1.0, 2.0]), (2,), (2,), (1,))
    array([2., 8.])
    """
    nsp = len(strides)
    kshape = w.shape[w.ndim - nsp:]
    lead = x.shape[:x.ndim - nsp]
    xs = x.strides[x.ndim - nsp:]
    view = np.lib.stride_tricks.as_strided(
        x, lead + tuple(out_shape[len(out_shape) - nsp:]) + kshape,
        x.strides[:x.ndim - nsp] + tuple(t * s for t, s in zip(xs, strides))
        + tuple(t * d for t, d in zip(xs, dilations)), writeable=False)
    matrix = view.reshape(math.prod(out_shape), math.prod(kshape))
    return np.einsum("ij,j->i", matrix, w.reshape(-1)).reshape(out_shape)
