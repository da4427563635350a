"""Private: many kernels applied to one image through one shared forward transform.

Overlap-save: the boundary-extended image is cut into blocks of transform size ``T``
that overlap by ``M - 1`` (``M`` the common kernel extent); each block is transformed once
and multiplied by every kernel's cached spectrum; each product's inverse keeps its last
``T - M + 1`` samples per axis.  Blocks of about 2**18 samples keep a transform in
cache, so one large image costs less per sample than one large transform would.

This helper calls pyFFTW (or scipy.fft when pyFFTW is missing) directly; it is written
so that it can later be replaced by ``sigconv.Convolver`` with shared forward FFTs.
"""

import itertools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.fft as sfft

from .._padding import pad

try:  # pragma: no cover - depends on the installation
    import pyfftw
except ImportError:  # pragma: no cover
    pyfftw = None

_BLOCK_SAMPLES = 1 << 18
# FFTW_MEASURE planning of a 512x512 block costs ~0.3 s once per process and saves
# ~0.8 ms per transform over scipy.fft: plan only when that many transforms follow.
_PLAN_WORTH = 256
_planned = set()
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


def block_shape(image_shape, frame):
    """Transform size per axis: the whole padded image when small, else about
    ``2**18`` samples per block, sized so the blocks waste little past the image."""
    nd = len(frame)
    target = max(int(round(_BLOCK_SAMPLES ** (1 / nd))), 1)
    return tuple(_block_length(n, m, max(target, 4 * (m - 1), m))
                 for n, m in zip(image_shape, frame))


def _block_length(n, m, want):
    """The ``2^a 3^b`` length near ``want`` (FFTW's fastest) that covers ``n`` outputs
    with the fewest transformed samples (``blocks * length``, ties to the longer block);
    the whole axis when that is no longer."""
    whole = sfft.next_fast_len(n + m - 1)
    if whole <= want * 5 // 4:
        return whole
    lengths = [t for t in range(max(m, want * 3 // 4), want * 5 // 4 + 1) if _smooth(t)]
    return min(lengths, key=lambda t: (math.ceil(n / (t - m + 1)) * t, -t))


def _smooth(t):
    for p in (2, 3):
        while t % p == 0:
            t //= p
    return t == 1


class SpectralApplier:
    """Kernels held with their spectra cached per block shape; thread-safe to share."""

    def __init__(self, kernels):
        self.frame, self.anchor = common_frame([k.shape for k in kernels])
        self.kernels = kernels
        self.complex = any(np.iscomplexobj(k) for k in kernels)
        self._spectra = {}
        self._lock = threading.Lock()

    def spectra(self, shape, dtype):
        """Kernel spectra for blocks of ``shape`` in complex ``dtype`` (cached)."""
        key = (shape, np.dtype(dtype).str)
        with self._lock:
            if key in self._spectra:
                self._spectra[key] = self._spectra.pop(key)      # most recently used last
            else:
                while len(self._spectra) >= _CACHED_SHAPES:
                    self._spectra.pop(next(iter(self._spectra)))
                stacked = embed(self.kernels, self.frame, self.anchor,
                                dtype if self.complex else _real(dtype))
                fwd = sfft.fftn if self.complex else sfft.rfftn
                axes = tuple(range(1, stacked.ndim))
                # The inverse transform's 1/N is folded into the cached spectra.
                spectra = fwd(stacked, s=shape, axes=axes) / math.prod(shape)
                self._spectra[key] = spectra.astype(dtype)
            return self._spectra[key]

    def apply(self, image, boundary, cval, workers, out=None):
        """``out[k] = convolve(image, kernel_k, 'same')`` with the image extended by
        ``boundary``; shape ``(K, *image.shape)``, written into ``out`` when given."""
        real = np.result_type(image.dtype, np.float32)
        cdt = np.result_type(real, np.complex64)
        out_dt = cdt if self.complex else real
        pads = tuple((m - 1 - a, a) for m, a in zip(self.frame, self.anchor))
        xp = pad(image, pads, boundary, cval, dtype=real)
        shape = block_shape(image.shape, self.frame)
        spectra = self.spectra(shape, cdt)
        valid = tuple(t - m + 1 for t, m in zip(shape, self.frame))
        if out is None:
            out = np.empty((len(self.kernels),) + image.shape, dtype=out_dt)
        counts = [math.ceil(n / v) for n, v in zip(image.shape, valid)]
        blocks = list(itertools.product(*map(range, counts)))
        nthreads = min(_threads(workers), len(blocks))
        groups = [blocks[i::nthreads] for i in range(nthreads)]
        key = (shape, np.dtype(cdt).str, self.complex)
        fftw = pyfftw is not None and (key in _planned
                                       or len(blocks) * (len(spectra) + 1) >= _PLAN_WORTH)
        job = lambda group: self._run_blocks(xp, out, group, shape, valid, spectra, real,
                                             cdt, fftw)
        if nthreads == 1:
            job(groups[0])
        else:
            with ThreadPoolExecutor(nthreads) as pool:
                list(pool.map(job, groups))
        return out

    def _run_blocks(self, xp, out, group, shape, valid, spectra, real, cdt, fftw):
        """Transform each block of ``group`` once and write every kernel's valid part."""
        transforms = _Transforms(shape, real, cdt, self.complex, fftw)
        image_shape = out.shape[1:]
        for index in group:
            starts = [i * v for i, v in zip(index, valid)]
            block = transforms.forward(_block(xp, starts, shape))
            keep = tuple(slice(m - 1, m - 1 + min(v, n - s))
                         for m, v, n, s in zip(self.frame, valid, image_shape, starts))
            dest = tuple(slice(s, s + min(v, n - s))
                         for s, v, n in zip(starts, valid, image_shape))
            for k, spec in enumerate(spectra):
                out[(k,) + dest] = transforms.inverse_product(block, spec)[keep]


def _threads(workers):
    """Worker threads: ``workers`` if given, else the cores this process may use."""
    if workers is not None:
        return max(int(workers), 1)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _real(dtype):
    return np.empty(0, dtype=dtype).real.dtype


def _block(xp, starts, shape):
    """``xp[starts : starts + shape]``, zero-filled past the end, as a new array."""
    src = tuple(slice(s, min(s + t, n)) for s, t, n in zip(starts, shape, xp.shape))
    piece = xp[src]
    if piece.shape == tuple(shape):
        return np.array(piece)
    out = np.zeros(shape, dtype=xp.dtype)
    out[tuple(slice(0, n) for n in piece.shape)] = piece
    return out


class _Transforms:
    """Transforms of one block shape: forward by scipy.fft (once per block), inverse by
    a planned pyFFTW transform when planning pays (once per block and kernel)."""

    def __init__(self, shape, real, cdt, complex_, fftw):
        self.shape, self.complex = shape, complex_
        self.axes = tuple(range(len(shape)))
        self._inv = None
        if fftw:
            self._inv = self._plan(real, cdt)
            _planned.add((shape, np.dtype(cdt).str, complex_))

    def _plan(self, real, cdt):
        # FFTW_ESTIMATE picks slow plans for mid-size blocks on some machines (20x
        # slower at 512x512 here); measuring costs a fraction of a second once per
        # shape and process (FFTW keeps the wisdom, so later plans are instant).
        half = self.shape if self.complex else self.shape[:-1] + (self.shape[-1] // 2 + 1,)
        src = pyfftw.empty_aligned(half, dtype=cdt)
        dst = pyfftw.empty_aligned(self.shape, dtype=cdt if self.complex else real)
        return pyfftw.FFTW(src, dst, axes=self.axes, direction="FFTW_BACKWARD",
                           flags=("FFTW_MEASURE", "FFTW_DESTROY_INPUT"), threads=1,
                           planning_timelimit=1.0)

    def forward(self, block):
        """The block's spectrum (full for complex kernels, half for real ones)."""
        fwd = sfft.fftn if self.complex else sfft.rfftn
        return fwd(block, axes=self.axes)

    def inverse_product(self, block, spec):
        """Inverse transform of ``block * spec``, unnormalized (1/N is in ``spec``)."""
        if self._inv is None:
            inv = sfft.ifftn if self.complex else sfft.irfftn
            return inv(block * spec, s=self.shape, axes=self.axes, norm="forward")
        np.multiply(block, spec, out=self._inv.input_array)
        self._inv.execute()
        return self._inv.output_array
