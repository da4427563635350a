"""Shared timing helper for the benchmark scripts: median of repeats, in seconds."""

import statistics
import time

import numpy as np


def median_time(fn, *, repeat=5, min_total=0.0):
    """Median wall time of ``fn()`` over ``repeat`` runs (after one warm-up run)."""
    fn()
    times = []
    while len(times) < repeat or sum(times) < min_total:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def interleaved(fns, rounds=7):
    """``{name: (median wall s, median CPU s)}`` of each of ``fns``, timed in turn round by
    round (after one warm-up round), so that a change in the machine's load hits every
    candidate alike.  CPU seconds (summed over threads) are what the work itself costs on
    a shared machine."""
    times = {name: [] for name in fns}
    for r in range(rounds + 1):
        for name, fn in fns.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            if r:
                times[name].append((time.perf_counter() - w0, time.process_time() - c0))
    return {name: tuple(np.median(np.array(t), axis=0)) for name, t in times.items()}
