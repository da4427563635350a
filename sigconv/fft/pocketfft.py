"""Transform slots on scipy.fft (pocketfft): no plans, a fresh result per execution.

Used where pyFFTW is missing, and for the transforms FFTW_ESTIMATE plans badly
(:mod:`sigconv.fft.plans`).
"""

import numpy as np
import scipy.fft as sfft

__all__ = ["ScipySlot"]


class ScipySlot:
    """A transform slot on scipy.fft: a fresh buffer; ``execute`` returns a new array."""

    def __init__(self, kind, shape, nsp, dtype, threads):
        self.kind, self.nsp, self.threads = kind, nsp, threads
        self.nbytes = 0
        self.real_shape = shape
        self.axes = tuple(range(-nsp, 0))
        cdt = np.result_type(dtype, np.complex64)
        if kind == "r2c":
            self.input = np.empty(shape, dtype=dtype)
        elif kind == "c2r":
            self.input = np.empty(shape[:-1] + (shape[-1] // 2 + 1,), dtype=cdt)
        else:
            self.input = np.empty(shape, dtype=cdt)

    def execute(self):
        kw = dict(axes=self.axes, workers=self.threads)
        if self.kind == "r2c":
            return sfft.rfftn(self.input, **kw)
        if self.kind == "c2r":
            s = self.real_shape[-self.nsp:]
            return sfft.irfftn(self.input, s=s, norm="forward", **kw)
        if self.kind == "fwd":
            return sfft.fftn(self.input, **kw)
        return sfft.ifftn(self.input, norm="forward", **kw)
