"""Shared timing helper for the benchmark scripts: median of repeats, in seconds."""

import statistics
import time


def median_time(fn, *, repeat=5, min_total=0.0):
    """Median wall time of ``fn()`` over ``repeat`` runs (after one warm-up run)."""
    fn()
    times = []
    while len(times) < repeat or sum(times) < min_total:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
