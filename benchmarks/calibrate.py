"""Measure the constants of sigconv's cost model on this machine.

    python benchmarks/calibrate.py            # print the constants
    python benchmarks/calibrate.py --write    # also rewrite sigconv/engines/_calibration.py

Times (medians of repeats) FFTW real and complex transforms per N*log2(N), the fixed cost
of one transform call through sigconv's plan cache, elementwise throughput, the direct
engine's seconds per multiply-add and per tap call, and the speed-up of all cores on
large transforms.  The written file records the host, date, versions and load.
"""

import argparse
import datetime
import math
import os
import platform
import pprint
import socket
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

import pyfftw  # noqa: E402

from sigconv.engines import direct  # noqa: E402
from sigconv.fft.backend import available_cores, transform  # noqa: E402

REPEATS = 7


def median_time(fn, repeats=REPEATS):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def fft_per_nlogn(real, dtype, threads=1):
    """Median over sizes of seconds / (N log2 N) for one transform of N points."""
    out = []
    for shape in [(1 << 14,), (1 << 18,), (720, 720), (96, 96, 96)]:
        n = math.prod(shape)
        kind = "r2c" if real else "fwd"
        cdt = np.result_type(dtype, np.complex64)
        a = pyfftw.empty_aligned(shape, dtype=dtype if real else cdt)
        b = pyfftw.empty_aligned(shape[:-1] + (shape[-1] // 2 + 1,) if real else shape,
                                 dtype=cdt)
        plan = pyfftw.FFTW(a, b, axes=tuple(range(len(shape))), flags=("FFTW_MEASURE",),
                           threads=threads, planning_timelimit=5.0)
        a[...] = 1
        out.append(median_time(plan.execute) / (n * math.log2(n)))
        del kind
    return float(np.median(out))


def call_overhead():
    """A transform of 8 points through the plan cache: the fixed cost per call."""
    def once():
        with transform("r2c", (8,), 1, np.float64, 1) as slot:
            slot.input[...] = 1
            slot.execute()
    return median_time(once, 200)


def per_element(itemsize):
    dt = {4: np.complex64, 8: np.complex64, 16: np.complex128, 32: np.clongdouble}[itemsize]
    a = np.ones(1 << 20, dtype=dt)
    b = np.ones(1 << 20, dtype=dt)
    c = np.empty_like(a)
    return median_time(lambda: np.multiply(a, b, out=c)) / a.size


def direct_constants():
    macs, tap_calls = {}, []
    for dt in (np.float32, np.float64, np.int64, np.complex64, np.complex128, np.longdouble):
        x = np.ones((1, 200_000), dtype=dt)
        w = np.ones((1, 31), dtype=dt)
        out_shape = (1, 200_000 - 30)
        t = median_time(lambda: direct.shift_add(x, w, out_shape, (1,), (1,), workers=1), 3)
        macs[np.dtype(dt).char] = t / (out_shape[1] * 31)
    x = np.ones((1, 300)), np.ones((1, 101))
    t = median_time(lambda: direct.shift_add(x[0], x[1], (1, 200), (1,), (1,), workers=1))
    tap_calls.append(t / 101)
    return macs, float(np.median(tap_calls))


def thread_speedup(cores):
    if cores < 2:
        return 1.0
    one = fft_per_nlogn(True, np.float64, 1)
    many = fft_per_nlogn(True, np.float64, cores)
    return max(1.0, one / many)


def measure():
    cores = available_cores()
    macs, tap_call = direct_constants()
    return {
        "source": (f"benchmarks/calibrate.py on {socket.gethostname()} "
                   f"({platform.processor() or platform.machine()}, {cores} cores, load "
                   f"{os.getloadavg()[0]:.1f}) at {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
                   f"numpy {np.__version__}, pyfftw {pyfftw.__version__}"),
        "fft_real": {4: fft_per_nlogn(True, np.float32), 8: fft_per_nlogn(True, np.float64),
                     16: fft_per_nlogn(True, np.longdouble)},
        "fft_complex": {4: fft_per_nlogn(False, np.float32),
                        8: fft_per_nlogn(False, np.float64),
                        16: fft_per_nlogn(False, np.longdouble)},
        "fft_call": call_overhead(),
        "per_element": {k: per_element(k) for k in (4, 8, 16, 32)},
        "direct_mac": macs,
        "direct_tap_call": tap_call,
        "direct_call": 15e-6,
        "thread_speedup": thread_speedup(cores),
        "cores": cores,
    }


def render(constants):
    body = pprint.pformat(constants, width=92, sort_dicts=False)
    return ('"""Cost-model constants measured by ``benchmarks/calibrate.py`` (regenerate with '
            '--write).\n\nsource: ' + constants["source"] + '\n"""\n\nCALIBRATION = '
            + body + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true",
                        help="rewrite sigconv/engines/_calibration.py")
    args = parser.parse_args(argv)
    constants = measure()
    text = render(constants)
    print(text)
    if args.write:
        path = os.path.join(os.path.dirname(__file__), os.pardir, "sigconv", "engines",
                            "_calibration.py")
        with open(path, "w") as fh:
            fh.write(text)
        print(f"wrote {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
