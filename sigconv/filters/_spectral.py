"""Private: many kernels applied to one image as one planned convolution.

The kernels are embedded in one frame with their ndimage anchors (``k // 2``) aligned, so
the bank is a single :class:`sigconv.Convolver` of ``'same'`` mode whose anchor is the
frame's: one forward transform of the image (by tiles) serves every kernel.  One
Convolver is kept per image shape, dtype and boundary (the last few used).
"""

import collections
import threading

import numpy as np

from .._convolve import convolve
from .._convolver import Convolver

_CACHED_SHAPES = 4             # Convolvers kept per bank (least recently used dropped)


def common_frame(shapes):
    """Shape that holds every kernel with their ndimage anchors (``k // 2``) aligned,
    and the anchor in it."""
    before = [max(s[a] // 2 for s in shapes) for a in range(len(shapes[0]))]
    after = [max(s[a] - 1 - s[a] // 2 for s in shapes) for a in range(len(shapes[0]))]
    return tuple(b + a + 1 for b, a in zip(before, after)), tuple(before)


def embed(kernels, frame, anchor, dtype):
    """The kernels stacked in one ``(K, *frame)`` array, anchors at ``anchor``."""
    out = np.zeros((len(kernels),) + frame, dtype=dtype)
    for i, k in enumerate(kernels):
        sl = tuple(slice(c - n // 2, c - n // 2 + n) for c, n in zip(anchor, k.shape))
        out[(i,) + sl] = k
    return out


class SpectralApplier:
    """Kernels applied as one planned bank; thread-safe to share."""

    def __init__(self, kernels):
        self.frame, self.anchor = common_frame([k.shape for k in kernels])
        self.kernels = kernels
        self._convolvers = collections.OrderedDict()
        self._lock = threading.Lock()

    def convolver(self, shape, real, boundary, cval, workers):
        """The :class:`~sigconv.Convolver` of the bank for images of ``shape`` and real
        dtype ``real``."""
        key = (shape, np.dtype(real).str, boundary, cval, workers)
        with self._lock:
            conv = self._convolvers.pop(key, None)
            if conv is None:
                while len(self._convolvers) >= _CACHED_SHAPES:
                    self._convolvers.popitem(last=False)
                complex_ = any(k.dtype.kind == "c" for k in self.kernels)
                dtype = np.result_type(real, np.complex64) if complex_ else real
                stacked = embed(self.kernels, self.frame, self.anchor, dtype)
                conv = Convolver(stacked, shape, "same", boundary=boundary, fillvalue=cval,
                                 center=self.anchor, dtype=real, workers=workers)
            self._convolvers[key] = conv
            return conv

    def apply(self, image, boundary, cval, workers, out=None):
        """``out[k] = convolve(image, kernel_k, 'same')`` with the image extended by
        ``boundary``; shape ``(K, *image.shape)``, written into ``out`` when given.

        A non-finite image is summed directly kernel by kernel, so each NaN or inf
        reaches only the outputs of that kernel's own taps (in the common frame, the
        zeros around a smaller kernel would carry it further: ``0 * nan`` is NaN).
        """
        real = np.result_type(image.dtype, np.float32)
        conv = self.convolver(image.shape, real, boundary, cval, workers)
        if np.all(np.isfinite(image)):
            return conv(image, out=out)
        result = out if out is not None else np.empty(
            (len(self.kernels),) + image.shape, conv.plan.result_dtype)
        for k, kernel in enumerate(self.kernels):
            result[k] = convolve(image, kernel, "same", method="direct", boundary=boundary,
                                 fillvalue=cval, center="ndimage", workers=workers)
        return result

