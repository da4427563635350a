"""Threaded transforms: sigconv with pyFFTW's OpenMP threads spinning briefly (its default)
and waiting passively, against scipy, in one run.

    python benchmarks/bench_threads.py            # every case
    python benchmarks/bench_threads.py --rounds 5

Each policy runs in its own process (libgomp reads its settings once, when pyFFTW loads
it): ``spin``, sigconv's default (``GOMP_SPINCOUNT`` set while pyFFTW is imported, see
``sigconv._runtime``), and ``passive``, ``OMP_WAIT_POLICY=PASSIVE`` set by the user (the
default before the tenth session).  In each process ``sigconv.convolve(x, k, mode)`` and
scipy's ``fftconvolve`` with 1 and 2 workers are timed in interleaved rounds (medians of
wall and CPU time, after a warm-up round); then, after one more sigconv call, the CPU
the process burns while its caller sleeps 20 ms (threads spinning after the work).

The cases are threaded FFTs of the compare_scipy grid and shapes whose transforms have an
odd length on an axis (64^3 * 12^3 'full': 75 points an axis).  Ratios are scipy's
fastest over sigconv (above 1: sigconv is faster).
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = [((64, 64, 64), (9, 9, 9), "f4", "same"), ((64, 64, 64), (12, 12, 12), "f8", "full"),
         ((128, 128, 128), (7, 7, 7), "f4", "same"), ((96, 96, 96), (25, 25, 25), "f8", "same"),
         ((1024, 1024), (17, 17), "f8", "same"), ((2048, 2048), (65, 65), "f4", "same"),
         ((300, 300), (75, 75), "f8", "full"), ((10**6,), (65537,), "f8", "full")]
POLICIES = {"spin": {}, "passive": {"OMP_WAIT_POLICY": "PASSIVE"}}


def label(case):
    xs, ks, dt, mode = case
    return f"{'x'.join(map(str, xs))} * {'x'.join(map(str, ks))} {dt} {mode}"


def child(rounds):
    """Time every case in this process; print one JSON line per case."""
    sys.path.insert(0, HERE)
    sys.path.insert(0, os.path.join(HERE, os.pardir))
    import scipy.fft
    import scipy.signal as ss

    import sigconv
    from _grid import DTYPES, data
    from _timing import interleaved
    for case in CASES:
        xs, ks, dt, mode = case
        x, k = data(xs, DTYPES[dt], 1), data(ks, DTYPES[dt], 2)

        def scipy_fft(workers):
            def run():
                with scipy.fft.set_workers(workers):
                    return ss.fftconvolve(x, k, mode)
            return run
        t = interleaved({"sigconv": lambda: sigconv.convolve(x, k, mode),
                         "scipy w=1": scipy_fft(1), "scipy w=2": scipy_fft(2)}, rounds)
        sigconv.convolve(x, k, mode)
        c0 = time.process_time()
        time.sleep(0.02)
        idle = time.process_time() - c0
        print(json.dumps({"case": label(case), "idle": idle,
                          **{n: [float(v) for v in wc] for n, wc in t.items()}}), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.rounds)
    results = {}
    for name, env in POLICIES.items():
        environ = {k: v for k, v in os.environ.items()
                   if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
        environ.update(env)
        out = subprocess.run([sys.executable, __file__, "--child", "--rounds", str(args.rounds)],
                             env=environ, capture_output=True, text=True, check=True).stdout
        results[name] = {r["case"]: r for r in map(json.loads, out.splitlines())}
    print(f"bench_threads: medians of {args.rounds} interleaved rounds per process, ms; "
          f"ratio = scipy's fastest / sigconv; idle = CPU ms burnt in a 20 ms sleep after "
          f"a sigconv call; load {os.getloadavg()[0]:.1f}")
    print(f"{'case':<34}{'policy':>8}{'sigconv':>9}{'CPU':>7}{'scipy':>9}{'ratio':>8}"
          f"{'idle':>7}")
    ratios = {name: [] for name in POLICIES}
    for case in map(label, CASES):
        for name in POLICIES:
            r = results[name][case]
            best = min(r["scipy w=1"][0], r["scipy w=2"][0])
            ratio = best / r["sigconv"][0]
            ratios[name].append(ratio)
            print(f"{case if name == 'spin' else '':<34}{name:>8}{r['sigconv'][0] * 1e3:>9.2f}"
                  f"{r['sigconv'][1] * 1e3:>7.1f}{best * 1e3:>9.2f}{ratio:>7.2f}x"
                  f"{r['idle'] * 1e3:>7.2f}")
    for name, rs in ratios.items():
        gm = math.exp(sum(map(math.log, rs)) / len(rs))
        print(f"  {name}: geometric mean {gm:.2f}x over scipy's fastest, lowest {min(rs):.2f}x")


if __name__ == "__main__":
    main()
