"""What a user meets, sigconv against scipy on the compare_scipy grid, in fresh processes.

    python benchmarks/first_calls.py --quick        # 8 cases, a few minutes
    python benchmarks/first_calls.py                # the 192 cases of compare_scipy.py
    python benchmarks/first_calls.py --tuned        # with the user's sigconv cache

For each case, sigconv.convolve(x, k, mode) and scipy.signal.convolve(x, k, mode) each run
in new Python processes (see sigconv._bench): call 1, calls 1-10 summed, and the steady
state (against scipy's fastest of convolve(method='auto'), fftconvolve and oaconvolve with
scipy.fft workers 1 and the core count), as ratios scipy / sigconv; and sigconv's slowest
of its first ten calls over its median call.  Medians of --repeats processes per side,
the sides interleaved.  Without --tuned, each child gets an empty SIGCONV_CACHE_DIR
(sigconv's shipped defaults, as for a user who never ran `sigconv tune`).
"""

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

import numpy as np  # noqa: E402
import scipy  # noqa: E402

import sigconv  # noqa: E402
from _grid import DTYPES, FIRST_CALLS_QUICK, grid  # noqa: E402
from sigconv import _bench, _bench_report  # noqa: E402


def commit():
    """The checkout's short commit (with '+' when it has changes), or '?'."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=here, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return head + ("+" if dirty else "")


def select(quick, pattern):
    """The cases to run: the grid (or its quick subset) whose labels match ``pattern``."""
    cases = [_bench.Case(xs, ks, DTYPES[dt], mode)
             for xs, ks, dt, mode in (FIRST_CALLS_QUICK if quick else grid())]
    if pattern:
        cases = [c for c in cases if re.search(pattern, c.label)]
    return cases


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 cases of the grid")
    parser.add_argument("--repeats", type=int, default=3,
                        help="processes per case and side (default 3)")
    parser.add_argument("--cases", metavar="REGEX",
                        help="only the cases whose label matches, e.g. 'f4 same' or '^1024x'")
    parser.add_argument("--tuned", action="store_true",
                        help="the children read the user's sigconv cache (calibration, "
                             "wisdom) instead of an empty one")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds after which a child is killed (default 600)")
    parser.add_argument("--out", metavar="FILE", help="also write the table and summary here")
    args = parser.parse_args(argv)
    cases = select(args.quick, args.cases)
    if not cases:
        parser.error(f"no case matches --cases {args.cases!r}")
    header = (f"first_calls {datetime.datetime.now():%Y-%m-%d %H:%M}, commit {commit()}, "
              f"{len(cases)} cases x {args.repeats} repeats, "
              f"{'tuned (user cache)' if args.tuned else 'shipped defaults (empty cache)'}; "
              f"python {platform.python_version()}, numpy {np.__version__}, scipy "
              f"{scipy.__version__}, sigconv {sigconv.__version__}, "
              f"{_bench.default_workers()} cores")
    width = max(len(c.label) for c in cases)
    lines = [header, _bench_report.table_header(width)]
    print("\n".join(lines), flush=True)
    results = []
    for i, case in enumerate(cases):
        def progress(done, total, label, i=i):
            if done < total:
                print(f"  [{i + 1}/{len(cases)}, child {done + 1}/{total}] {label}",
                      file=sys.stderr, flush=True)
        [result] = _bench.run([case], repeats=args.repeats, timeout=args.timeout,
                              cache_dir=_bench.USER_CACHE if args.tuned else None,
                              progress=progress)
        results.append(result)
        lines.append(_bench_report.table_row(result, width))
        print(lines[-1], flush=True)
    lines += ["", _bench_report.format_summary(results, tuned=args.tuned)]
    print("\n".join(lines[-2:]), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
