"""Per-call overhead: tiny sigconv.convolve calls against np.convolve, in one process.

    python benchmarks/bench_overhead.py            # 1-D cases of 100 to 10 000 samples
    python benchmarks/bench_overhead.py --calls 20000

Each round times one call of each side in turn (``_timing.interleaved``, after a warm-up
round); the figures are medians over the rounds, in microseconds, and the ratio is
sigconv / numpy (issue 30's goal: at most 1.5 for 1000 x 3).  A second table gives
each call a signal of a new length (the lengths grow by one sample a round, the same
for every side), as a script filtering records of varying lengths does, with
scipy.signal.convolve beside numpy.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

import numpy as np  # noqa: E402
import scipy.signal  # noqa: E402

import sigconv  # noqa: E402
from _timing import interleaved  # noqa: E402

#: (label, n, k, dtype, mode)
CASES = [("1000 x 3 full f8", 1000, 3, np.float64, "full"),
         ("1000 x 3 same f8", 1000, 3, np.float64, "same"),
         ("100 x 3 full f8", 100, 3, np.float64, "full"),
         ("10000 x 5 full f8", 10_000, 5, np.float64, "full"),
         ("1000 x 3 full f4", 1000, 3, np.float32, "full"),
         ("1000 x 3 full i8", 1000, 3, np.int64, "full"),
         ("1000 x 3 full c16", 1000, 3, np.complex128, "full")]


def _draw(rng, n, dtype):
    """``n`` seeded samples of ``dtype``: small integers, or standard normal (complex:
    both parts)."""
    kind = np.dtype(dtype).kind
    if kind == "i":
        return rng.integers(-9, 10, n).astype(dtype)
    a = rng.standard_normal(n)
    return (a + 1j * rng.standard_normal(n) if kind == "c" else a).astype(dtype)


def measure(calls, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for label, n, k, dtype, mode in CASES:
        x, w = _draw(rng, n, dtype), _draw(rng, k, dtype)
        t = interleaved({"numpy": lambda: np.convolve(x, w, mode),
                         "sigconv": lambda: sigconv.convolve(x, w, mode)}, rounds=calls)
        a, b = t["numpy"][0] * 1e6, t["sigconv"][0] * 1e6
        rows.append((label, a, b, b / a))
    return rows


#: (label, first n, k, dtype, mode) of the table of new lengths
NEW_LENGTH_CASES = [("1000+ x 3 full f8", 1000, 3, np.float64, "full"),
                    ("1000+ x 3 same f4", 1000, 3, np.float32, "same"),
                    ("1000+ x 9 valid f8", 1000, 9, np.float64, "valid"),
                    ("10000+ x 5 full f8", 10_000, 5, np.float64, "full"),
                    ("1000+ x 3 full i8", 1000, 3, np.int64, "full")]


def measure_new_lengths(calls, seed=0):
    """Per case ``(label, numpy us, scipy us, sigconv us)``: every call a new length."""
    rng = np.random.default_rng(seed)
    rows = []
    for label, n, k, dtype, mode in NEW_LENGTH_CASES:
        xs = [_draw(rng, n + i, dtype) for i in range(calls + 1)]
        w = _draw(rng, k, dtype)

        def each(f):
            inputs = iter(xs)
            return lambda: f(next(inputs), w, mode)
        t = interleaved({"numpy": each(np.convolve), "scipy": each(scipy.signal.convolve),
                         "sigconv": each(sigconv.convolve)}, rounds=calls)
        rows.append((label,) + tuple(t[side][0] * 1e6 for side in ("numpy", "scipy",
                                                                     "sigconv")))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=5000, help="rounds per case")
    args = parser.parse_args(argv)
    print(f"bench_overhead: numpy {np.__version__}, sigconv {sigconv.__version__}, "
          f"load {os.getloadavg()[0]:.1f}, medians of {args.calls} interleaved rounds (us)")
    print(f"{'case':<20}{'np.convolve':>12}{'sigconv':>10}{'ratio':>8}")
    for label, a, b, r in measure(args.calls):
        print(f"{label:<20}{a:>12.2f}{b:>10.2f}{r:>8.2f}")
    calls = min(args.calls, 2000)
    print(f"\na new length every call ({calls} rounds; ratio: sigconv / numpy, and scipy / "
          "sigconv)")
    print(f"{'case':<20}{'np.convolve':>12}{'scipy':>10}{'sigconv':>10}{'/numpy':>8}"
          f"{'scipy/':>8}")
    for label, a, c, b in measure_new_lengths(calls):
        print(f"{label:<20}{a:>12.2f}{c:>10.2f}{b:>10.2f}{b / a:>8.2f}{c / b:>8.2f}")


if __name__ == "__main__":
    main()
