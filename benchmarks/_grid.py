"""The case grid of issue 3's sweep, shared by compare_scipy, compare_peers and first_calls.

A case is ``(x shape, kernel shape, dtype code, mode)``; the dtype codes are the keys of
:data:`DTYPES`.
"""

import itertools

import numpy as np

DTYPES = {"f8": np.float64, "f4": np.float32, "c16": np.complex128}


def sweep(quick):
    """``(shape pairs, dtype codes, modes)`` of the full sweep, or of compare_scipy's quick
    subset."""
    if quick:
        one = [(10**3, 3), (10**5, 65), (10**5, 4097), (10**6, 65537)]
        two = [(256, 3), (1024, 17), (2048, 129)]
        three = [(64, 9)]
        return [((n,), (k,)) for n, k in one] + [((n, n), (k, k)) for n, k in two] + \
            [((n,) * 3, (k,) * 3) for n, k in three], ["f8", "f4"], ["full", "same"]
    one = [(n, k) for n in (10**3, 10**4, 10**5, 10**6, 10**7)
           for k in (3, 65, 1025, 65537) if k <= n]
    two = [(n, k) for n in (256, 1024, 4096) for k in (3, 17, 129)]
    three = [(n, k) for n in (64, 160) for k in (3, 9, 25)]
    return ([((n,), (k,)) for n, k in one] + [((n, n), (k, k)) for n, k in two]
            + [((n,) * 3, (k,) * 3) for n, k in three]), list(DTYPES), ["full", "same"]


def data(shape, dtype, seed):
    """Seeded standard-normal input of ``shape`` and ``dtype`` (complex: both parts)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


def grid(quick=False):
    """Every case of :func:`sweep`, shapes outermost, then dtypes, then modes."""
    shapes, dtypes, modes = sweep(quick)
    return [(xs, ks, dt, mode)
            for (xs, ks), dt, mode in itertools.product(shapes, dtypes, modes)]


# first_calls.py --quick: eight cases of the full grid across 1-D/2-D/3-D and the method
# crossovers (direct, overlap-add/save, FFT), each dtype and mode at least twice
FIRST_CALLS_QUICK = [
    ((10**3,), (3,), "f8", "full"),
    ((10**5,), (65,), "f8", "same"),
    ((10**5,), (1025,), "f4", "full"),
    ((10**6,), (65537,), "f8", "full"),
    ((256, 256), (3, 3), "f8", "same"),
    ((1024, 1024), (17, 17), "f4", "same"),
    ((1024, 1024), (129, 129), "c16", "full"),
    ((64, 64, 64), (9, 9, 9), "f8", "same"),
]
