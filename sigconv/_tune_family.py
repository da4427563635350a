"""The transforms ``sigconv tune`` measures FFTW plans for (:func:`transform_family`).

They follow the engines' own size and thread rules over common problem sizes, so a later
process finds the plans of its calls in wisdom: the overlap-save tiles of 2-D and 3-D
images and their kernel groups, the single transforms of those images, the batched rows
of 1-D overlap-save, and single 1-D transforms of round lengths.
"""

import math

import numpy as np

from . import _runtime
from ._plan import geometry
from .engines import cost, overlap, tiled
from .engines.fft import THREAD_MIN_ELEMENTS, transform_sizes
from .fft.lengths import cheapest_len

__all__ = ["transform_family"]

#: image sides and kernel sides whose overlap-save tiles get measured plans
SIDES_2D = (128, 256, 512, 1024, 2048, 4096)
KERNELS_2D = (3, 5, 7, 9, 11, 15, 17, 21, 25, 31, 33, 41, 51, 65, 129)
SIDES_3D = (32, 64, 96, 128, 160, 256)
KERNELS_3D = (3, 5, 7, 9, 13, 17, 25)
#: kernel lengths whose 1-D overlap-save rows get measured plans
KERNELS_1D = tuple(2 ** i + 1 for i in range(1, 17))
#: round signal lengths whose single transforms (with a short kernel) get measured plans
LENGTHS_1D = (1000, 1024, 4096, 10_000, 16_384, 65_536, 100_000, 262_144)
#: the largest single transforms of 2-D and 3-D images a full tune measures (184 plans,
#: ~55 s here; the 72 larger ones would take 2 s each; a quick tune measures none)
SINGLE_POINTS = 1 << 22
#: kernels in a bank whose inverse tile transforms are grouped (1: one kernel)
BANK_SIZES = (1, 16)


def transform_family(*, quick=False):
    """The transforms whose plans ``tune`` measures: sorted, distinct
    ``(kind, shape, nsp, dtype char, threads)`` tuples, derived from the engines' own
    size rules (:func:`sigconv.engines.tiled.tile_shape`,
    :func:`sigconv.engines.overlap.row_block`,
    :func:`sigconv.engines.fft.transform_sizes`) over common problem sizes."""
    dtypes = ("f", "d")
    cores = _runtime.cores()
    family = set()
    sides2 = SIDES_2D[1:4] if quick else SIDES_2D
    kern2 = KERNELS_2D[::3] if quick else KERNELS_2D
    cases = [((n, n), (k, k)) for n in sides2 for k in kern2 if k < n]
    if not quick:
        cases += [((n,) * 3, (k,) * 3) for n in SIDES_3D for k in KERNELS_3D if k < n]
    for dt in dtypes:
        for n, k in cases:
            for L in (n, tuple(a + b - 1 for a, b in zip(n, k))):          # same, full
                tile = tiled.tile_shape(L, k)
                family.add(("r2c", tile, len(tile), dt, 1))
                for bank in BANK_SIZES:
                    g = max(1, min(bank, tiled.GROUP_POINTS // math.prod(tile)))
                    family.add(("c2r", (g,) + tile, len(tile), dt, 1))
            if not quick:
                for mode in ("same", "full"):
                    family.update(_single(n, k, mode, dt, cores))
        for ke in KERNELS_1D[:8] if quick else KERNELS_1D:
            N, _, B = overlap.row_block(ke, 1 << 20, cost.row_factors(
                _runtime.calibration(), np.dtype(dt).itemsize))
            family.add(("r2c", (N,), 1, dt, 1))
            for threads in sorted({1, cores}):
                groups, per = overlap.row_groups(-(-(1 << 20) // B), N, np.dtype(dt).itemsize,
                                                 threads)
                for kind in ("r2c", "c2r"):
                    family.add((kind, (per, N), 1, dt, 1))
        for n in LENGTHS_1D[:4] if quick else LENGTHS_1D:
            N = cheapest_len(n + 2)
            threads = cores if N >= THREAD_MIN_ELEMENTS else 1
            # float32's threads follow f32_row_threads, which tune measures: plan both
            for t in {1, threads} if dt == "f" else {threads}:
                for kind in ("r2c", "c2r"):
                    family.add((kind, (N,), 1, dt, t))
    return sorted(family, key=lambda t: (math.prod(t[1]), t))


def _single(n, k, mode, dt, cores):
    """The forward and inverse transforms the single-transform engine runs for
    ``convolve(x, w, mode)`` of an image of shape ``n`` and a kernel of shape ``k`` on
    ``cores`` threads, as :func:`sigconv._plan.geometry` places them and
    :func:`sigconv.engines.fft.correlate_valid` sizes and threads them; none over
    SINGLE_POINTS (with their measured plans, 64^3 x 9^3 float32 'full' on two threads
    took 3.3 ms a call against 4.4 with estimated ones)."""
    ones = (1,) * len(n)
    pads, L = geometry("convolve", mode, "scipy", n, k, ones, ones, "tune")
    shape = tuple(N for N, _ in transform_sizes(n, k, L, ones, pads))
    if math.prod(shape) > SINGLE_POINTS:
        return set()
    threads = cores if math.prod(shape) >= THREAD_MIN_ELEMENTS else 1
    return {("r2c", shape, len(shape), dt, threads), ("c2r", shape, len(shape), dt, threads)}
