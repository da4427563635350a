"""sigconv.ndimage against scipy.ndimage, in one run (issue 27).

    python benchmarks/compare_ndimage.py            # 2048^2 and 256^3 float32
    python benchmarks/compare_ndimage.py --quick    # 1024^2 and 128^3, a few minutes

Cases: gaussian_filter (sigma 1, 4), uniform_filter (size 3, 15), sobel, and convolve
with random kernels (2-D: 3x3, 9x9, 31x31; 3-D: 3^3, 9^3, 15^3 -- a 31^3 kernel would
take scipy ten minutes or more per call on 256^3).  Every call uses the defaults
(mode='reflect', the input's dtype).  Each case times the two libraries in interleaved
rounds (medians; a round alternates which goes first) after warm-up calls: sigconv is
called 12 times (at most 40 s) first, for 'auto' to settle on its methods (its first
calls of a shape time the candidate methods), so the times compare steady-state speed.
The ratios are scipy / sigconv (> 1: sigconv is faster) of wall time, the goal, and of
CPU time summed over threads, the work: scipy runs on one thread, so with the cores free
the wall ratio is about the CPU ratio times sigconv's gain from threads (at most the
number of cores), and on a loaded machine the CPU ratio is the steadier of the two.  The
summary prints the geometric means and the slowest case.  Results are compared too
(max |difference| / max |scipy|).
"""

import argparse
import math
import os
import statistics
import sys
import time

import numpy as np
import scipy.ndimage as snd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

from sigconv import ndimage as gnd  # noqa: E402
from sigconv.fft import available_cores  # noqa: E402


#: sigconv's warm-up: 'auto' times its candidate methods on the first calls of a shape
#: (three timed runs each, in pairs), so up to this many calls, within WARM_SECONDS
WARM_CALLS = 12
WARM_SECONDS = 40.0


def cases(ndim, n, rng):
    """``(name, call)`` pairs; ``call(module)`` runs the case with scipy.ndimage's or
    sigconv.ndimage's functions."""
    x = rng.random((n,) * ndim, dtype=np.float32)
    sizes = (3, 9, 31) if ndim == 2 else (3, 9, 15)
    kernels = {k: rng.standard_normal((k,) * ndim).astype(np.float32) for k in sizes}
    out = [("gaussian_filter sigma=1", lambda m: m.gaussian_filter(x, 1)),
           ("gaussian_filter sigma=4", lambda m: m.gaussian_filter(x, 4)),
           ("uniform_filter size=3", lambda m: m.uniform_filter(x, 3)),
           ("uniform_filter size=15", lambda m: m.uniform_filter(x, 15)),
           ("sobel", lambda m: m.sobel(x))]
    for k, w in kernels.items():
        out.append((f"convolve {'x'.join([str(k)] * ndim)}",
                    lambda m, w=w: m.convolve(x, w)))
    return out


def timed(fn):
    """(wall seconds, CPU seconds of every thread, result) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - w0, time.process_time() - c0, result


def measure(call, rounds, budget):
    """{'scipy': (wall, cpu), 'sigconv': (wall, cpu)}: medians of ``rounds`` interleaved
    rounds (fewer when scipy's call alone exceeds ``budget`` seconds: then its first
    call is its only timing), and the relative difference of the results."""
    first = timed(lambda: call(snd))
    ref = first[2]
    warm, start = 0, time.perf_counter()
    while warm < WARM_CALLS and (warm < 3 or time.perf_counter() - start < WARM_SECONDS):
        got = timed(lambda: call(gnd))[2]
        warm += 1
    diff = float(np.max(np.abs(got.astype(np.float64) - ref))) / float(np.max(np.abs(ref)))
    rounds = max(1, min(rounds, int(budget / max(first[0], 1e-9))))
    times = {"scipy": [first[:2]] if rounds == 1 else [], "sigconv": []}
    for r in range(rounds):
        for who in (("scipy", "sigconv") if r % 2 else ("sigconv", "scipy")):
            if who == "scipy" and rounds == 1:
                continue
            times[who].append(timed(lambda: call(snd if who == "scipy" else gnd))[:2])
    return {who: tuple(statistics.median(t[i] for t in ts) for i in (0, 1))
            for who, ts in times.items()}, diff


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1024^2 and 128^3 inputs")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds of scipy time per case (fewer rounds beyond it)")
    args = parser.parse_args()
    rng = np.random.default_rng(20261124)
    shapes = [(2, 1024), (3, 128)] if args.quick else [(2, 2048), (3, 256)]
    print(f"sigconv.ndimage vs scipy.ndimage, float32, {available_cores()} cores: "
          "medians in ms; ratio = scipy / sigconv, of wall time (the goal) and of CPU "
          "time summed over threads (the work)")
    print(f"{'case':34s} {'scipy':>9s} {'sigconv':>9s} {'ratio':>6s} {'cpu sc':>9s} "
          f"{'cpu sg':>9s} {'ratio':>6s} {'rel.diff':>8s}")
    ratios, cpu_ratios = {}, {}
    for ndim, n in shapes:
        for name, call in cases(ndim, n, rng):
            label = f"{n}^{ndim} {name}"
            t, diff = measure(call, args.rounds, args.budget)
            (sw, sc), (gw, gc) = t["scipy"], t["sigconv"]
            ratios[label], cpu_ratios[label] = sw / gw, sc / gc
            print(f"{label:34s} {sw * 1e3:9.1f} {gw * 1e3:9.1f} {sw / gw:6.2f} "
                  f"{sc * 1e3:9.1f} {gc * 1e3:9.1f} {sc / gc:6.2f} {diff:8.1e}", flush=True)
    for what, r in (("wall", ratios), ("CPU", cpu_ratios)):
        geo = math.exp(statistics.fmean(math.log(v) for v in r.values()))
        worst = min(r, key=r.get)
        print(f"{what}: geometric mean {geo:.2f}x over {len(r)} cases; slowest: {worst} "
              f"{r[worst]:.2f}x; cases below 1x: {sum(v < 1 for v in r.values())}")


if __name__ == "__main__":
    main()
