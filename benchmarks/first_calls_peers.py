"""A fresh process's first ten calls against every peer, in one run.

    python benchmarks/first_calls_peers.py --quick      # first_calls.py's 8 cases
    python benchmarks/first_calls_peers.py              # compare_scipy's quick grid
    python benchmarks/first_calls_peers.py --cases '^1000 ' --repeats 5

For each case of the grid and each candidate of compare_peers.py (sigconv, scipy's
methods, numpy, scipy.ndimage, OpenCV, PyTorch, the pyFFTW recipe; see _peers.py), a new
Python process makes the seeded inputs (untimed), imports the candidate's library (timed
on its own, left out), builds the candidate (timed as *setup*: the pyFFTW recipe plans
there with FFTW_MEASURE, the others do next to nothing) and times calls 1 to 10 one by
one.  A candidate whose first call takes over a second is timed once.  Each candidate
runs in ``--repeats`` processes (default 3, the candidates of a case interleaved), and
its figures are the medians.  sigconv gets an empty ``SIGCONV_CACHE_DIR`` (its shipped
defaults).

Per case it prints sigconv's first call (setup included) and the sum of its first ten
calls, and the fastest peer's of each, as ratios peer / sigconv (above 1: sigconv is
faster); the summary gives their geometric means and the cases below 0.5x and 1.0x.
"""

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _grid import FIRST_CALLS_QUICK, grid  # noqa: E402

LIBRARIES = {"sigconv": "sigconv", "scipy": "scipy.signal", "opencv": "cv2",
             "torch": "torch", "pyfftw": "pyfftw"}

CHILD = r"""
import json, sys, time
sys.path[:0] = [{here!r}, {root!r}]
spec = json.loads(sys.argv[1])
from _grid import DTYPES, data
x, k = data(spec["x"], DTYPES[spec["dtype"]], 1), data(spec["k"], DTYPES[spec["dtype"]], 2)
out = {{}}
t0 = time.perf_counter()
try:
    __import__(spec["library"])
except ImportError as exc:
    print(json.dumps({{"skipped": str(exc)}})); sys.exit()
out["import"] = time.perf_counter() - t0
import _peers
t0 = time.perf_counter()
fns, skipped = _peers.candidates(spec["group"], x, k, spec["mode"], spec["cores"])
out["setup"] = time.perf_counter() - t0
if spec["name"] is None:
    print(json.dumps({{"names": sorted(fns), "skipped": skipped}})); sys.exit()
fn, calls = fns[spec["name"]], []
for i in range(10):
    t0 = time.perf_counter(); fn(); calls.append(time.perf_counter() - t0)
    if calls[0] > 1.0:
        break
out["calls"] = calls
print(json.dumps(out))
"""


def child(spec, env):
    """One fresh process's JSON answer for ``spec``."""
    src = CHILD.format(here=HERE, root=os.path.dirname(HERE))
    done = subprocess.run([sys.executable, "-c", src, json.dumps(spec)], env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def label(xs, ks, dt, mode):
    return f"{'x'.join(map(str, xs))} * {'x'.join(map(str, ks))} {dt} {mode}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", help="only the cases whose label matches this regex")
    parser.add_argument("--quick", action="store_true", help="first_calls.py's 8 cases")
    parser.add_argument("--repeats", type=int, default=3, help="processes per candidate")
    args = parser.parse_args(argv)
    cores = len(os.sched_getaffinity(0))
    base = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
    sig_env = dict(base, SIGCONV_CACHE_DIR=tempfile.mkdtemp(prefix="sigconv-untuned-"))
    rows = []
    print(f"{'case':34s} {'sigconv 1st':>11s} {'peer 1st':>9s} {'ratio':>6s} {'first peer':>20s}"
          f" {'sigconv 10':>10s} {'peer 10':>9s} {'ratio':>6s} {'ten peer':>20s}", flush=True)
    for xs, ks, dt, mode in (FIRST_CALLS_QUICK if args.quick else grid(True)):
        name = label(xs, ks, dt, mode)
        if args.cases and not re.search(args.cases, name):
            continue
        specs = []
        for group, library in LIBRARIES.items():
            spec = {"x": list(xs), "k": list(ks), "dtype": dt, "mode": mode, "cores": cores,
                    "group": group, "library": library, "name": None}
            env = sig_env if group == "sigconv" else base
            specs += [(dict(spec, name=c), env) for c in child(spec, env).get("names", [])]
        runs = {spec["name"]: [] for spec, _ in specs}
        for _ in range(args.repeats):
            for spec, env in specs:
                r = child(spec, env)
                if "calls" in r:
                    ten = r["setup"] + sum(r["calls"]) if len(r["calls"]) == 10 else math.inf
                    runs[spec["name"]].append((r["setup"] + r["calls"][0], ten))
        got = {c: (statistics.median(v[0] for v in t), statistics.median(v[1] for v in t))
               for c, t in runs.items() if t}
        sc = got.pop("sigconv", None)
        if sc is None or not got:
            print(f"{name:34s} (not timed)", flush=True)
            continue
        p1 = min(got, key=lambda c: got[c][0])
        p10 = min(got, key=lambda c: got[c][1])
        r1, r10 = got[p1][0] / sc[0], got[p10][1] / sc[1]
        rows.append((name, r1, r10))
        print(f"{name:34s} {sc[0] * 1e3:11.3f} {got[p1][0] * 1e3:9.3f} {r1:5.2f}x {p1:>20s}"
              f" {sc[1] * 1e3:10.3f} {got[p10][1] * 1e3:9.3f} {r10:5.2f}x {p10:>20s}",
              flush=True)
    if rows:
        gm = lambda v: math.exp(sum(map(math.log, v)) / len(v))  # noqa: E731
        print(f"\nsummary over {len(rows)} cases (times in ms; ratio = fastest peer / sigconv; "
              "setup included, imports not)")
        for i, what in ((1, "first call"), (2, "sum of the first ten calls")):
            vals = [r[i] for r in rows]
            print(f"  {what}: geometric mean {gm(vals):.2f}x; below 1.0x in "
                  f"{sum(v < 1 for v in vals)}, below 0.5x in {sum(v < 0.5 for v in vals)}: "
                  + ", ".join(f"{r[0]} {r[i]:.2f}x" for r in rows if r[i] < 0.5))


if __name__ == "__main__":
    main()
