"""Small kernels: sigconv's direct engine against OpenCV, scipy.ndimage and the memory
roofline, in one process.

    python benchmarks/bench_small_kernels.py             # issue 30's 2-D and 3-D cases
    python benchmarks/bench_small_kernels.py --quick     # four 2-D cases
    python benchmarks/bench_small_kernels.py --cases 4096

Each case convolves a random image with a random (full-rank) kernel, 'same' size, zero
boundary, and times them in interleaved rounds (``_timing.interleaved``: medians of wall
and CPU time):

* ``sigconv``: ``sigconv.convolve(x, k, 'same', center='ndimage')`` ('auto', default
  workers), which runs the direct engine on OpenCV's filters where installed;
* ``numpy sums``: the same call with the direct engine summing in numpy (as without
  OpenCV, the engine before issue 30);
* ``cv2``: ``cv2.filter2D`` with the flipped kernel and a zero border (2-D only; OpenCV's
  default threads), the peer to match;
* ``ndimage``: ``scipy.ndimage.convolve(x, k, mode='constant')``;
* ``copy``: ``np.copyto`` of the input into a result-sized array, the memory roofline
  (read the input, write the result).

Ratios are the other side's wall time over sigconv's (above 1: sigconv is faster), and
sigconv's over the copy's; the CPU columns (all threads) show what each costs on a
machine shared with other work.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

import numpy as np  # noqa: E402
import scipy.ndimage as ndi  # noqa: E402

import sigconv  # noqa: E402
from sigconv import _runtime  # noqa: E402
from _timing import interleaved  # noqa: E402

CASES = [((1024, 1024), (3, 3), "f4"), ((1024, 1024), (3, 3), "f8"),
         ((1024, 1024), (5, 5), "f4"), ((1024, 1024), (7, 7), "f8"),
         ((1024, 1024), (9, 9), "f4"), ((1024, 1024), (9, 9), "f8"),
         ((1024, 1024), (11, 11), "f4"), ((1024, 1024), (11, 11), "f8"),
         ((4096, 4096), (3, 3), "f4"), ((256, 256), (3, 3), "f8"),
         ((64, 64, 64), (3, 3, 3), "f4"), ((128, 128, 128), (3, 3, 3), "f4"),
         ((128, 128, 128), (5, 5, 5), "f8"), ((128, 128, 128), (7, 7, 7), "f4")]
QUICK = [0, 1, 4, 8]


def _numpy_sums(fn):
    """``fn`` run with the direct engine summing in numpy."""
    def run():
        saved = _runtime.opencv
        _runtime.opencv = lambda: None
        try:
            return fn()
        finally:
            _runtime.opencv = saved
    return run


def sides(x, k):
    cv = _runtime.opencv()
    out = np.empty_like(x)
    s = {"sigconv": lambda: sigconv.convolve(x, k, "same", center="ndimage"),
         "numpy sums": _numpy_sums(lambda: sigconv.convolve(x, k, "same", center="ndimage")),
         "ndimage": lambda: ndi.convolve(x, k, mode="constant"),
         "copy": lambda: np.copyto(out, x)}
    if cv is not None and x.ndim == 2:
        kf = np.ascontiguousarray(k[::-1, ::-1])
        s["cv2"] = lambda: cv.filter2D(x, -1, kf, borderType=cv.BORDER_CONSTANT)
    return s


def measure(shape, kshape, dtype, rounds, skip=()):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    k = rng.standard_normal(kshape).astype(dtype)
    fns = {n: f for n, f in sides(x, k).items() if n not in skip}
    return interleaved(fns, rounds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="four 2-D cases")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cases", metavar="REGEX", help="only the cases whose label matches")
    parser.add_argument("--no-ndimage", action="store_true", help="skip scipy.ndimage (slow)")
    args = parser.parse_args(argv)
    cases = [CASES[i] for i in QUICK] if args.quick else CASES
    cv = _runtime.opencv()
    print(f"bench_small_kernels: sigconv {sigconv.__version__}, OpenCV "
          f"{cv.__version__ if cv else 'absent'} ({cv.getNumThreads() if cv else 0} threads), "
          f"{_runtime.cores()} cores, load {os.getloadavg()[0]:.1f}; medians of "
          f"{args.rounds} interleaved rounds, ms")
    print(f"{'case':<26}{'sigconv':>9}{'cv2':>9}{'ratio':>7}{'numpy':>9}{'ratio':>7}"
          f"{'ndimage':>9}{'ratio':>7}{'copy':>8}{'/copy':>7}   CPU ms: sigconv, cv2, numpy")
    for shape, kshape, dt in cases:
        label = f"{'x'.join(map(str, shape))} * {'x'.join(map(str, kshape))} {dt}"
        if args.cases and not re.search(args.cases, label):
            continue
        t = measure(shape, kshape, np.dtype(dt), args.rounds,
                    skip=("ndimage",) if args.no_ndimage else ())
        s = t["sigconv"][0]

        def col(name):
            if name not in t:
                return f"{'-':>9}{'-':>7}"
            return f"{t[name][0] * 1e3:>9.2f}{t[name][0] / s:>6.2f}x"

        cpu = " ".join(f"{t[n][1] * 1e3:.2f}" if n in t else "-"
                       for n in ("sigconv", "cv2", "numpy sums"))
        print(f"{label:<26}{s * 1e3:>9.2f}{col('cv2')}{col('numpy sums')}{col('ndimage')}"
              f"{t['copy'][0] * 1e3:>8.2f}{s / t['copy'][0]:>6.1f}x   {cpu}")


if __name__ == "__main__":
    main()
