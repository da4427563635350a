"""A bank of K kernels applied to inputs by overlap-save in cache-sized tiles.

The valid correlation ``out[..., k, i] = sum_m xpad[..., i + m*dilation] * w[k, m]`` of
a zero-padded input (stride 1) is cut into tiles of transform shape ``T`` whose outputs
``V = T - ke + 1`` per axis do not overlap.  Each input tile is transformed once; each
kernel's spectrum for shape ``T`` is computed once (at construction) and multiplied into
the tile's spectrum; the product's inverse keeps its first ``V`` samples per axis, which
the circular wrap-around cannot reach.

Tiles rather than one transform of the whole padded input: a transform of about ``2**17``
points runs from a core's cache, two to three times faster per point than one of millions
of points.  Tiles go to the worker threads one at a time, and every thread writes
disjoint parts of the result.

:func:`tile_shape` (a small pure function) picks ``T``; :class:`TiledBank` holds the
spectra and runs the tiles.
"""

import dataclasses
import functools
import itertools
import math

import numpy as np

from .. import _runtime, _threads
from .fft import KernelSpectrum, remembered, slot

__all__ = ["TiledBank", "tiled_bank", "tile_shape", "tile_cost", "tile_lengths"]

#: transforms of about this many points run from a core's cache (1-D transforms of more
#: than ~2**13 points already lose speed; 2-D and 3-D ones stay fast to ~2**17)
TILE_POINTS = 1 << 17
TILE_POINTS_1D = 1 << 13
#: growth of the per-point cost of larger transforms, per doubling past TILE_POINTS
#: (measured: 2080^2 costs ~2x per point*log2 what 288^2 does)
CACHE_PENALTY = 0.2
#: fixed cost of one tile and kernel (product, transform and copy calls), in the
#: ``points * log2(points)`` units of transform work
TILE_CALL = 90_000
#: spectrum products handed to one inverse call hold about this many points
GROUP_POINTS = 1 << 16
#: below this many output points times kernels, one thread (threads cost more than they save)
THREAD_MIN_WORK = 1 << 20


def tile_lengths(L, ke, odd=(1, 3, 5), last=False):
    """Candidate tile lengths for ``L`` outputs of a kernel of extent ``ke``: the sizes
    ``2^a`` times an ``odd`` factor (FFTW's fastest here: 9 * 2^a runs ~25 % slower per
    point, and in 1-D only powers of two keep up) that are at least ``2 ke``, and the
    single tile covering the axis (on the ``last`` axis an even one: an odd last axis
    slows real transforms, see :func:`~sigconv.fft.lengths.even_fast_len`)."""
    from ..fft.lengths import even_fast_len, next_fast_len
    whole = (even_fast_len if last else next_fast_len)(L + ke - 1)
    out = {whole}
    for t in odd:
        while t < whole:
            if t >= 2 * ke:
                out.add(t)
            t *= 2
    return sorted(out)


def tile_cost(shape, L, ke):
    """Relative cost of tiles of ``shape``: tiles x (transform work with its cache
    penalty + fixed cost per call).  ``shape`` may hold arrays of candidate lengths per
    axis that broadcast against each other (a grid of candidate tiles)."""
    tiles, P = 1, 1
    for n, t, k in zip(L, shape, ke):
        tiles = tiles * -(-n // (np.asarray(t) - k + 1))
        P = P * np.asarray(t)
    fast = TILE_POINTS_1D if len(shape) == 1 else TILE_POINTS
    P = np.asarray(P, dtype=float)
    penalty = 1 + CACHE_PENALTY * np.maximum(0.0, np.log2(P / fast))
    return tiles * (P * np.maximum(np.log2(P), 1) * penalty + TILE_CALL)


@functools.lru_cache(maxsize=1024)
def tile_shape(L, ke):
    """The tile transform shape minimizing :func:`tile_cost` for outputs ``L``.

    Examples
    --------
    >>> tile_shape((2048, 2048), (31, 31))
    (384, 384)
    >>> tile_shape((100,), (5,))
    (104,)
    """
    L, ke = tuple(L), tuple(ke)
    # 2-D tiles may be 3 or 5 times a power of two; 1-D and 3-D ones are powers of two
    # (FFTW's estimated 3-D plans: 40x40x96 5.7e-10 s per N log2 N, 64^3 1.4e-10)
    odd = (1, 3, 5) if len(L) == 2 else (1,)
    lengths = [tile_lengths(n, k, odd, i == len(L) - 1) for i, (n, k) in enumerate(zip(L, ke))]
    keep = max(4, int(4096 ** (1 / len(L))))    # bound the search in many dimensions
    lengths = [np.array(c if len(c) <= keep else _thin(c, keep)) for c in lengths]
    grid = np.meshgrid(*lengths, indexing="ij")
    best = np.unravel_index(int(np.argmin(tile_cost(grid, L, ke))), grid[0].shape)
    return tuple(int(g[best]) for g in grid)


def _thin(lengths, keep):
    """``keep`` of the sorted ``lengths``, evenly spread, always with the largest."""
    idx = np.unique(np.linspace(0, len(lengths) - 1, keep).round().astype(int))
    return [lengths[i] for i in idx]


def tiled_bank(w, in_shape, pads, dilations, *, dtype, res, complex_input=False):
    """A :class:`TiledBank` with the default tiles, remembered for kernels seen again
    (one-off calls of ``convolve`` with a kernel used before skip the kernels' spectra
    and the tile search; the bank is read-only and shared between threads)."""
    key = ("tiles", tuple(in_shape), tuple(pads), tuple(dilations), np.dtype(dtype).str,
           bool(complex_input))
    return remembered(w, key, res, lambda: TiledBank(
        w, in_shape, pads, dilations, dtype=dtype, res=res, complex_input=complex_input))


class TiledBank:
    """K kernels' spectra for overlap-save tiles, applied to inputs of one shape.

    Parameters
    ----------
    w : ndarray
        ``(K, *k)`` correlation-orientation kernels (real or complex).
    in_shape : tuple of int
        Spatial shape of the inputs (before the implicit zero padding).
    pads : tuple of (int, int)
        Zeros implicitly added before and after each axis.
    dilations : tuple of int
    dtype : dtype
        Precision of the computation (float32 or float64; complex when inputs are).
        The spectra are computed in ``w``'s precision and then rounded to it.
    res : sigconv._runtime.Resources
        Planner effort of the transforms (the kernels' spectra use one thread).
    complex_input : bool
        Whether inputs are complex.
    tile : tuple of int, optional
        The tile transform shape (default :func:`tile_shape`); each length must exceed the
        kernel's extent on its axis.

    Notes
    -----
    ``apply(x)[..., k, i] = sum_m xpad[..., i + m*d] * w[k, m]`` for ``i`` in the valid
    range of the padded input, ``L = n + before + after - (k - 1)*d``.  Complex kernels on
    real inputs run as 2K real kernels (their real and imaginary parts), so every
    transform stays real.
    """

    def __init__(self, w, in_shape, pads, dilations, *, dtype, res, complex_input=False,
                 tile=None):
        nsp = len(in_shape)
        self.in_shape, self.pads = tuple(in_shape), tuple(pads)
        self.ke = tuple(d * (k - 1) + 1 for k, d in zip(w.shape[1:], dilations))
        self.L = tuple(n + b + a - k + 1 for n, (b, a), k in zip(in_shape, pads, self.ke))
        self.K = w.shape[0]
        self.real_dtype = np.dtype(np.dtype(dtype).char.lower())
        self.split = w.dtype.kind == "c" and not complex_input
        if self.split:
            w = np.concatenate([w.real, w.imag])
        self.complex = w.dtype.kind == "c" or complex_input
        self.out_dtype = np.result_type(self.real_dtype, np.complex64) \
            if self.complex or self.split else self.real_dtype
        self.tile = tuple(tile) if tile is not None else tile_shape(self.L, self.ke)
        self.valid = tuple(t - k + 1 for t, k in zip(self.tile, self.ke))
        one = dataclasses.replace(res, threads=1)
        ks = KernelSpectrum(w, self.tile, (1,) * nsp, dilations, (0,) * nsp,
                            real=not self.complex, res=one)
        spectrum_dtype = np.result_type(self.real_dtype, np.complex64)
        self.spectrum = ks.spectrum.astype(spectrum_dtype)
        self.spectrum.flags.writeable = False
        self.group = max(1, min(self.K, GROUP_POINTS // math.prod(self.tile)))
        counts = [-(-n // v) for n, v in zip(self.L, self.valid)]
        self.origins = [tuple(i * v for i, v in zip(index, self.valid))
                        for index in itertools.product(*map(range, counts))]

    def apply(self, x, *, res, out=None):
        """``(*batch, K, *L)`` responses of ``x`` (``(*batch, *in_shape)``), written into
        ``out`` when given, on up to ``res.threads`` threads."""
        nsp = len(self.in_shape)
        batch = x.shape[:x.ndim - nsp]
        if out is None:
            out = _runtime.empty(batch + (self.K,) + self.L, self.out_dtype)
        tasks = list(itertools.product(np.ndindex(batch), self.origins))
        work = len(tasks) * math.prod(self.tile) * self.K
        threads = max(1, min(res.threads, len(tasks))) if work >= THREAD_MIN_WORK else 1
        _threads.share(tasks, threads, lambda take: self._run(x, out, take, res))
        return out

    def _run(self, x, out, take, res):
        """Take tiles from ``take()`` until it gives None: forward once, then per kernel
        group the product, the inverse and the copy of the valid part."""
        nsp, G, K = len(self.tile), self.group, self.K
        fwd_kind, inv_kind = ("fwd", "inv") if self.complex else ("r2c", "c2r")
        task = take()
        if task is None:
            return
        with slot(fwd_kind, self.tile, nsp, self.real_dtype, 1, res) as fwd, \
                slot(inv_kind, (G,) + self.tile, nsp, self.real_dtype, 1, res) as inv:
            while task is not None:
                b, origin = task
                self._fill(fwd.input, x[b], origin)
                spec = fwd.execute()
                kept = tuple(min(v, n - o) for v, n, o in zip(self.valid, self.L, origin))
                keep = tuple(slice(0, c) for c in kept)
                dest = tuple(slice(o, o + c) for o, c in zip(origin, kept))
                for part, target in enumerate((out.real, out.imag) if self.split else (out,)):
                    for g0 in range(0, K, G):
                        g = min(G, K - g0)
                        j = part * K + g0
                        np.multiply(spec, self.spectrum[j:j + g], out=inv.input[:g])
                        y = inv.execute()
                        target[b + (slice(g0, g0 + g),) + dest] = y[(slice(0, g),) + keep]
                task = take()

    def _fill(self, buf, x, origin):
        """The tile of the zero-padded input starting at ``origin`` (padded coords)."""
        src, dst, whole = [], [], True
        for o, t, n, (before, _) in zip(origin, self.tile, self.in_shape, self.pads):
            lo, hi = max(o - before, 0), min(o - before + t, n)
            hi = max(hi, lo)
            src.append(slice(lo, hi))
            dst.append(slice(lo - (o - before), hi - (o - before)))
            whole = whole and hi - lo == t
        if not whole:
            buf[...] = 0
        buf[tuple(dst)] = x[tuple(src)]
