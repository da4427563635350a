"""Batch chunks spread over threads, each thread running single-threaded BLAS.

A convolution layer is a loop over small batch chunks (a cache-sized im2col block and
its matrix products).  Letting BLAS thread every small product costs one thread
handshake per product, which is slow on a loaded machine; instead the chunks themselves
go to threads, one contiguous run of chunks per thread (the calling thread takes a run
too, and the runs a late worker has not started), while BLAS runs single-threaded inside
them.  Each run sums into its own state, and the states are summed in run order, so a
gradient is the same from call to call.  The thread count is the one numpy's BLAS
is set to (:func:`sigconv._runtime.blas_threads`; ``threadpoolctl.threadpool_limits``
changes both); without threadpoolctl the loop runs on the calling thread.
"""

import contextlib
import types

import numpy as np

from .. import _runtime, _threads

Buffers = types.SimpleNamespace      # one thread's work buffers, by name


_PARALLEL_MIN = 1 << 18    # elements below which threads cost more than they save


def each(n, size, fn):
    """``fn(lo, hi)`` over ``range(n)`` split into one part per thread (serially when the
    ``size`` elements of work are few)."""
    parts = split(n) if size >= _PARALLEL_MIN else [(0, n)]
    run(parts, lambda _, lo, hi: fn(lo, hi), lambda: None)


def split(n):
    """``n`` items as one ``(lo, hi)`` range per thread."""
    k = max(1, min(n, _runtime.blas_threads()))
    bounds = [n * i // k for i in range(k + 1)]
    return [(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]


def threads_for(parts):
    """How many threads ``run`` uses for ``parts``."""
    return min(_runtime.blas_threads(), len(parts))


def run(parts, work, make_state):
    """Call ``work(state, lo, hi)`` for every ``(lo, hi)`` in ``parts``.  The parts are cut
    into one contiguous run per thread, each with its own ``state = make_state()``, and
    the runs are shared by the calling thread and the workers
    (:func:`sigconv._threads.share`).  Returns the states in the order of the runs, so
    whatever thread ran a run, sums over the states are the same from call to call."""
    threads = max(1, threads_for(parts))
    if threads == 1:            # the calling thread alone: no hand-out to set up
        state = make_state()
        for lo, hi in parts:
            work(state, lo, hi)
        return [state]
    bounds = [len(parts) * i // threads for i in range(threads + 1)]
    states = [None] * threads

    def participant(take):
        for slot in iter(take, None):
            state = make_state()
            for lo, hi in parts[bounds[slot]:bounds[slot + 1]]:
                work(state, lo, hi)
            states[slot] = state

    blas = _runtime.single_threaded_blas() if threads > 1 else contextlib.nullcontext()
    with blas:
        _threads.share(range(threads), threads, participant)
    return states


def matmul(a, b):
    """``a @ b`` of 2-D arrays with numpy's BLAS on one thread, row blocks of ``a`` spread
    over the threads (:func:`run`).  BLAS's own thread pool never wakes: its idle
    workers spin for about 0.1 s after a threaded product, and on two cores take one from
    the layers that follow (the 28x28 net step of benchmarks/nn_bench.py: 76 ms with the
    dense layers' products threaded by BLAS, 52 ms without).  Products of fewer than
    ``_PARALLEL_MIN`` multiply-adds run as they are."""
    work = a.shape[0] * a.shape[1] * b.shape[1]
    if work < _PARALLEL_MIN or _runtime.blas_threads() == 1:
        return np.matmul(a, b)          # (BLAS runs products this small on one thread)
    out = np.empty((a.shape[0], b.shape[1]), np.result_type(a, b))
    parts = split(a.shape[0])

    def rows(_, lo, hi):
        np.matmul(a[lo:hi], b, out=out[lo:hi])
    run(parts, rows, lambda: None)          # (single-threaded BLAS inside)
    return out
