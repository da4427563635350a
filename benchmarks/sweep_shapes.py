"""Seeded random shapes, sigconv against scipy: the cases a grid of round sizes misses.

    python benchmarks/sweep_shapes.py                 # 150 cases
    python benchmarks/sweep_shapes.py --cases 40 --seed 3

Each case draws a dimensionality (1-D, 2-D or 3-D), signal and kernel extents spread
over their usual ranges (odd and prime lengths included), a dtype (float32, float64,
complex128) and a mode, then times ``sigconv.convolve(x, k, mode)`` and
``scipy.signal.convolve(x, k, mode)`` (its own 'auto' choice) in interleaved rounds
after one warm-up call each: medians, and the ratio scipy / sigconv (above 1: sigconv is
faster).  Direct sums estimated over a second are not drawn.  The summary gives the
geometric mean and lists the cases below 0.8x with the method sigconv chose.
"""

import argparse
import math
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

import numpy as np  # noqa: E402
import scipy.signal as ss  # noqa: E402

import sigconv  # noqa: E402

#: (signal extent range, kernel extent range) per dimensionality, drawn log-uniformly
RANGES = {1: ((100, 2_000_000), (2, 70_000)), 2: ((16, 2500), (2, 160)),
          3: ((8, 180), (2, 30))}
DTYPES = (np.float32, np.float64, np.complex128)
MODES = ("full", "same", "valid")
#: multiply-adds of the 'full' direct sum above which a draw is rejected (FFT-sized
#: problems of that many points are still drawn: the limit is on points, below)
MAX_POINTS = 40_000_000


def draw(rng):
    """One case ``(x shape, kernel shape, dtype, mode)``."""
    while True:
        nd = int(rng.choice([1, 2, 3], p=[0.45, 0.4, 0.15]))
        (n0, n1), (k0, k1) = RANGES[nd]
        xs = tuple(int(round(math.exp(rng.uniform(math.log(n0), math.log(n1)))))
                   for _ in range(nd))
        if nd > 1 and rng.random() < 0.6:
            xs = (xs[0],) * nd
        ks = tuple(min(int(round(math.exp(rng.uniform(math.log(k0), math.log(k1))))), n)
                   for n in xs)
        if nd > 1 and rng.random() < 0.7:
            ks = (min(ks[0], min(xs)),) * nd
        full = math.prod(n + k - 1 for n, k in zip(xs, ks))
        if full <= MAX_POINTS:
            return xs, ks, DTYPES[int(rng.integers(3))], MODES[int(rng.integers(3))]


def timed(fns, rounds):
    """Median seconds of each function, interleaved round by round after a warm-up."""
    times = {name: [] for name in fns}
    for r in range(rounds + 1):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            if r:
                times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(t) for name, t in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    print(f"sweep_shapes: {args.cases} cases, seed {args.seed}, medians of {args.rounds} "
          f"interleaved rounds; sigconv {sigconv.__version__}, load "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{'case':<44}{'sigconv ms':>11}{'scipy ms':>10}{'ratio':>8}  method")
    rows = []
    for _ in range(args.cases):
        xs, ks, dt, mode = draw(rng)
        x = rng.standard_normal(xs).astype(dt)
        k = rng.standard_normal(ks).astype(dt)
        if np.dtype(dt).kind == "c":
            x.imag, k.imag = rng.standard_normal(xs), rng.standard_normal(ks)
        t = timed({"sigconv": lambda: sigconv.convolve(x, k, mode),
                   "scipy": lambda: ss.convolve(x, k, mode)}, args.rounds)
        method = sigconv.choose_method(x, k, mode).method
        label = (f"{'x'.join(map(str, xs))} * {'x'.join(map(str, ks))} "
                 f"{np.dtype(dt).name} {mode}")
        ratio = t["scipy"] / t["sigconv"]
        rows.append((label, ratio, method))
        print(f"{label:<44}{t['sigconv'] * 1e3:>11.3f}{t['scipy'] * 1e3:>10.3f}"
              f"{ratio:>7.2f}x  {method}", flush=True)
    ratios = [r for _, r, _ in rows]
    gm = math.exp(sum(map(math.log, ratios)) / len(ratios))
    slow = sorted((r, label, m) for label, r, m in rows if r < 0.8)
    print(f"\nsummary: geometric mean {gm:.2f}x over scipy.signal.convolve, lowest "
          f"{min(ratios):.2f}x, {len(slow)} of {len(rows)} cases below 0.8x")
    for r, label, m in slow:
        print(f"  {label:<44}{r:.2f}x ({m})")


if __name__ == "__main__":
    main()
