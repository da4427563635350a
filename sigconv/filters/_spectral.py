"""Private: many kernels applied to one image through shared forward transforms.

The kernels are embedded in one frame with their ndimage anchors (``k // 2``) aligned and
point-reflected, which turns the bank's convolutions into valid correlations of the
boundary-extended image; :class:`sigconv.engines.tiled.TiledBank` computes those by
overlap-save in cache-sized tiles (each tile transformed once, multiplied by every
kernel's spectrum, cached per image shape).
"""

import os
import threading

import numpy as np

from .._padding import pad
from ..engines.tiled import TiledBank

_CACHED_SHAPES = 4             # kernel spectra kept per bank (least recently used dropped)


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
    """Kernels held with their tile spectra cached per image shape; thread-safe to share."""

    def __init__(self, kernels):
        self.frame, self.anchor = common_frame([k.shape for k in kernels])
        self.kernels = kernels
        self.complex = any(np.iscomplexobj(k) for k in kernels)
        stacked = embed(kernels, self.frame, self.anchor,
                        np.complex128 if self.complex else np.float64)
        # convolution with the anchored frame = correlation with its point reflection
        self._flipped = np.ascontiguousarray(stacked[(slice(None),)
                                                     + (slice(None, None, -1),) * len(self.frame)])
        self._spectra = {}
        self._lock = threading.Lock()

    def spectra(self, shape, real):
        """The :class:`TiledBank` for padded images of ``shape`` computing in ``real``."""
        key = (shape, np.dtype(real).str)
        with self._lock:
            if key in self._spectra:
                self._spectra[key] = self._spectra.pop(key)      # most recently used last
            else:
                while len(self._spectra) >= _CACHED_SHAPES:
                    self._spectra.pop(next(iter(self._spectra)))
                nd = len(shape)
                self._spectra[key] = TiledBank(self._flipped, shape, ((0, 0),) * nd,
                                               (1,) * nd, dtype=real)
            return self._spectra[key]

    def apply(self, image, boundary, cval, workers, out=None):
        """``out[k] = convolve(image, kernel_k, 'same')`` with the image extended by
        ``boundary``; shape ``(K, *image.shape)``, written into ``out`` when given."""
        real = np.result_type(image.dtype, np.float32)
        pads = tuple((m - 1 - a, a) for m, a in zip(self.frame, self.anchor))
        xp = pad(image, pads, boundary, cval, dtype=real)
        return self.spectra(xp.shape, real).apply(xp, out=out, workers=_threads(workers))


def _threads(workers):
    """Worker threads: ``workers`` if given, else the cores this process may use."""
    if workers is not None:
        return max(int(workers), 1)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
