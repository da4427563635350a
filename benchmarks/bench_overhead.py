"""Per-call overhead: tiny sigconv.convolve calls against np.convolve, in one process.

    python benchmarks/bench_overhead.py            # 1-D cases of 100 to 10 000 samples
    python benchmarks/bench_overhead.py --calls 20000

Each round times one call of each side in turn (``_timing.interleaved``, after a warm-up
round); the figures are medians over the rounds, in microseconds, and the ratio is
sigconv / numpy (issue 30's goal: at most 1.5 for 1000 x 3).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

import numpy as np  # noqa: E402

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


def measure(calls, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for label, n, k, dtype, mode in CASES:
        if np.dtype(dtype).kind == "i":
            x, w = rng.integers(-9, 10, n).astype(dtype), rng.integers(-9, 10, k).astype(dtype)
        else:
            x, w = rng.standard_normal(n).astype(dtype), rng.standard_normal(k).astype(dtype)
        if np.dtype(dtype).kind == "c":
            x = x + 1j * rng.standard_normal(n)
        t = interleaved({"numpy": lambda: np.convolve(x, w, mode),
                         "sigconv": lambda: sigconv.convolve(x, w, mode)}, rounds=calls)
        a, b = t["numpy"][0] * 1e6, t["sigconv"][0] * 1e6
        rows.append((label, a, b, b / a))
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


if __name__ == "__main__":
    main()
