"""Transform slots on scipy.fft (pocketfft): no plans, no cached buffers.

Used where pyFFTW is missing, and for the transforms FFTW_ESTIMATE plans badly
(:mod:`sigconv.fft.plans`).  A slot's buffers belong to its one user (``owned``): complex
transforms run in place on ``input`` (scipy.fft's ``overwrite_x``, the same bits as out
of place), and the caller may keep what ``execute`` returns, or hand an array it owns to
the next slot as its ``input``.  Fresh memory is slow to touch on a first call (75 MB:
6-330 ms on the measured VM), so every buffer spared counts (benchmarks/README.md).
"""

import numpy as np
import scipy.fft as sfft

__all__ = ["ScipySlot"]


class ScipySlot:
    """A transform slot on scipy.fft: a fresh ``input`` (allocated when first asked for,
    unless the caller hands one over with :meth:`adopt`); ``execute`` returns ``input``
    transformed in place (complex kinds) or a new array (real kinds)."""

    #: what ``execute`` returns is the caller's, and the caller may hand the slot an array
    #: it owns as ``input`` (:meth:`adopt`; FFTW slots: False, their buffers are cached)
    owned = True

    def __init__(self, kind, shape, nsp, dtype, threads):
        self.kind, self.nsp, self.threads = kind, nsp, threads
        self.nbytes = 0
        self.real_shape = shape
        self.axes = tuple(range(-nsp, 0))
        cdt = np.result_type(dtype, np.complex64)
        if kind == "r2c":
            self._layout = (shape, np.dtype(dtype))
        elif kind == "c2r":
            self._layout = (shape[:-1] + (shape[-1] // 2 + 1,), cdt)
        else:
            self._layout = (shape, cdt)
        self._input = None

    @property
    def input(self):
        if self._input is None:
            self._input = np.empty(*self._layout)
        return self._input

    def hand_over(self):
        """Nothing to do: what ``execute`` returns is the caller's already."""
        return True

    def adopt(self, array):
        """Use ``array`` (the caller's, C-contiguous) as ``input`` where it has the input's
        shape and dtype and none was allocated; returns whether it did."""
        if self._input is not None or (array.shape, array.dtype) != self._layout \
                or not array.flags.c_contiguous:
            return False
        self._input = array
        return True

    def execute(self):
        kw = dict(axes=self.axes, workers=self.threads)
        inplace = dict(kw, overwrite_x=True)
        if self.kind == "r2c":
            return sfft.rfftn(self.input, **kw)
        if self.kind == "c2r":
            s = self.real_shape[-self.nsp:]
            return sfft.irfftn(self.input, s=s, norm="forward", **kw)
        if self.kind == "fwd":
            return sfft.fftn(self.input, **inplace)
        return sfft.ifftn(self.input, norm="forward", **inplace)
