"""Missing data: sigconv against astropy.convolution, in one run (issue 28).

    python benchmarks/compare_astropy.py             # 2048^2 float64 and 256^3 float32
    python benchmarks/compare_astropy.py --quick     # 1024^2 and 128^3

Cases (seeded):

* 2-D: a 2048^2 float64 image with 1% NaN, smoothed with a 31x31 Gaussian (sigma 5):
  astropy's ``convolve`` and ``convolve_fft`` (``nan_treatment='interpolate'``,
  ``boundary='fill'``, ``normalize_kernel=True``) against ``sigconv.convolve(...,
  nan_policy='interpolate')`` with the normalized kernel ('auto');
* 3-D: a 256^3 float32 cube with 1% NaN and a 9^3 Gaussian (sigma 1.5), and the same
  cube with a 9^3 kernel of random positive weights (no separable shortcut).

sigconv runs with ``method='auto'`` (the goal's figure) and, for reference, with
``method='fft'``: with the shipped calibration, 'auto' picks overlap-save for the 3-D
cases, which measured about twice the CPU time of one FFT here (benchmarks/README.md).

Each case times the candidates in interleaved rounds (medians; astropy's direct
``convolve`` runs once per round and, on 256^3, only in the first ``--slow-rounds``
rounds, as it takes tens of seconds a call).  Ratios are astropy / sigconv of wall time
(> 1: sigconv is faster), against the faster of astropy's two functions; the goal is 5x.
CPU seconds (summed over threads) are printed too: astropy runs on one thread.  The
results are compared (max |difference| over the outputs astropy's two functions agree
on).
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

import sigconv  # noqa: E402
from sigconv.fft import available_cores  # noqa: E402

try:
    from astropy.convolution import convolve as astropy_convolve, convolve_fft
except ImportError:                                   # pragma: no cover
    sys.exit("compare_astropy needs astropy (pip install -e '.[test]')")


def gaussian(size, sigma, ndim):
    g = np.exp(-0.5 * ((np.arange(size) - size // 2) / sigma) ** 2)
    k = g
    for _ in range(ndim - 1):
        k = np.multiply.outer(k, g)
    return k / k.sum()


def cases(quick, rng):
    n2, n3 = (1024, 128) if quick else (2048, 256)
    img = rng.standard_normal((n2, n2))
    img[rng.random(img.shape) < 0.01] = np.nan
    cube = rng.standard_normal((n3,) * 3).astype(np.float32)
    cube[rng.random(cube.shape) < 0.01] = np.nan
    rand = rng.random((9, 9, 9))
    return [(f"{n2}^2 float64, 31x31 Gaussian", img, gaussian(31, 5.0, 2)),
            (f"{n3}^3 float32, 9^3 Gaussian", cube, gaussian(9, 1.5, 3)),
            (f"{n3}^3 float32, 9^3 random", cube, rand / rand.sum())]


def candidates(x, k):
    kw = dict(boundary="fill", fill_value=0.0, nan_treatment="interpolate",
              normalize_kernel=True)
    big = dict(allow_huge=True)
    return {
        "astropy convolve": lambda: astropy_convolve(x, k, **kw),
        "astropy convolve_fft": lambda: convolve_fft(x, k, **kw, **big),
        "sigconv": lambda: sigconv.convolve(x, k.astype(x.dtype), "same",
                                            nan_policy="interpolate"),
        "sigconv method='fft'": lambda: sigconv.convolve(x, k.astype(x.dtype), "same", "fft",
                                                         nan_policy="interpolate"),
    }


def timed(fns, rounds, slow, slow_rounds):
    """``{name: (median wall, median cpu, runs)}``; ``slow`` runs only in the first
    ``slow_rounds`` rounds.  Every candidate runs once, untimed, first."""
    times = {name: [] for name in fns}
    results = {name: fn() for name, fn in fns.items()}
    for r in range(rounds):
        order = list(fns) if r % 2 == 0 else list(fns)[::-1]
        for name in order:
            if name == slow and r >= slow_rounds:
                continue
            w0, c0 = time.perf_counter(), time.process_time()
            fns[name]()
            times[name].append((time.perf_counter() - w0, time.process_time() - c0))
    summary = {name: (statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts),
                      len(ts)) for name, ts in times.items()}
    return summary, results


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="1024^2 and 128^3")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--slow-rounds", type=int, default=1,
                   help="rounds of astropy's direct convolve on 3-D (default 1)")
    args = p.parse_args(argv)
    rng = np.random.default_rng(2026)
    print(f"sigconv {sigconv.__version__}, {available_cores()} cores; "
          f"{args.rounds} interleaved rounds")
    warnings.simplefilter("ignore")                  # astropy's notes on NaN left
    for name, x, k in cases(args.quick, rng):
        fns = candidates(x, k)
        slow_rounds = args.slow_rounds if x.ndim == 3 else args.rounds
        t, res = timed(fns, args.rounds, "astropy convolve", slow_rounds)
        agree = np.isclose(res["astropy convolve"], res["astropy convolve_fft"],
                           rtol=1e-5, atol=1e-5)
        diff = np.nanmax(np.abs(res["sigconv"] - res["astropy convolve"])[agree])
        print(f"\n{name}  (sigconv - astropy, where astropy's two agree: {diff:.2g})")
        for cand, (wall, cpu, runs) in t.items():
            print(f"  {cand:22s} wall {wall:8.3f} s   cpu {cpu:8.3f} s   ({runs} runs)")
        best = min(t["astropy convolve"][0], t["astropy convolve_fft"][0])
        best_cpu = min(t["astropy convolve"][1], t["astropy convolve_fft"][1])
        for cand in ("sigconv", "sigconv method='fft'"):
            print(f"  ratio: faster astropy / {cand} = {best / t[cand][0]:.1f}x wall, "
                  f"{best_cpu / t[cand][1]:.1f}x cpu")


if __name__ == "__main__":
    main()
