"""A thread-safe, bounded LRU cache of FFTW plans.

A cached entry is one planned transform (``pyfftw.FFTW``) with its own aligned buffers.
A caller *checks a plan out* for the duration of one use: while it is out no other thread
can see it, so a plan never runs in two threads at once and an entry evicted meanwhile
cannot disappear under its user (it is simply not returned to the cache).  Threads that
need the same shape at the same time get a second plan of that shape.

Planning runs under one lock (FFTW's planner is not thread-safe).  With the default
effort, FFTW_ESTIMATE, a plan is made by rule -- after a search of FFTW's solvers that
takes 1-7 ms for a new size, skipped for the sizes :mod:`~sigconv.fft.plan_record`
holds -- and from wisdom where wisdom holds a measured plan of that transform, so every
plan of one transform in a process -- and in every process with the same wisdom --
computes the same bits.  The one
exception to FFTW: a complex transform over two or more axes that wisdom does not hold
(asked once per shape, and again after :func:`~sigconv.fft.load_wisdom`) runs on
scipy.fft (:class:`~sigconv.fft.pocketfft.ScipySlot`, fresh buffers each time, kept by
nobody), because FFTW_ESTIMATE plans
its strided axes badly (256^2 complex: 13.9 ms, against 0.49 ms measured and 0.9 ms for
pocketfft; 1024^2: 158 ms against 38 and 51; benchmarks/README.md).  A process forked
after its parent made threaded plans plans on one thread (:func:`_after_fork_in_child`).
"""

import collections
import math
import os
import threading

import numpy as np

from .. import _runtime
from . import plan_record
from .pocketfft import ScipySlot
from .wisdom import PLANNER_LOCK, autoload, generation

__all__ = ["PlanCache", "default_cache", "clear_cache", "cache_info", "planning_seconds"]

_FLAGS = {"estimate": "FFTW_ESTIMATE", "measure": "FFTW_MEASURE", "patient": "FFTW_PATIENT"}


def planning_seconds(points, timelimit):
    """Seconds FFTW may spend measuring plans for a transform of ``points`` points:
    ``timelimit``, or for 'auto' 1 s per 2 million points, between 0.1 s and 10 s.

    Examples
    --------
    >>> from sigconv.fft.plans import planning_seconds
    >>> planning_seconds(4096, 'auto'), planning_seconds(8_000_000, 'auto')
    (0.1, 4.0)
    """
    if timelimit != "auto":
        return float(timelimit)
    return min(10.0, max(0.1, points / 2_000_000))


class _Slot:
    """One checked-out FFTW plan: ``input`` buffer and ``execute()`` -> output buffer."""

    __slots__ = ("fftw", "nbytes", "input")
    owned = False           # the buffers stay with the cached plan (see ScipySlot.owned)

    def __init__(self, fftw, nbytes):
        self.fftw, self.nbytes = fftw, nbytes
        self.input = fftw.input_array

    def execute(self):
        self.fftw.execute()
        return self.fftw.output_array

    def hand_over(self):
        """Give up the output buffer to the caller: the plan writes to a new one from now
        on (pyFFTW's ``update_arrays``, ~1 us; a buffer of the result pool,
        :func:`~sigconv.fft.plan_record.aligned`, first touched by the next transform).
        Returns whether it did (False where pyFFTW refuses the buffer: the caller then
        copies)."""
        fftw = self.fftw
        out = fftw.output_array
        try:
            fftw.update_arrays(fftw.input_array, plan_record.aligned(
                _runtime.pyfftw(), out.shape, out.dtype, keep=True))
        except ValueError:
            return False
        return True


class PlanCache:
    """Planned FFTW transforms kept between calls, bounded by ``max_bytes`` (LRU).

    Parameters
    ----------
    max_bytes : int or None
        Bound on the bytes of idle plans' buffers; None reads the ``plan_cache_bytes``
        option at each release.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.fft.plans import PlanCache
    >>> cache = PlanCache(1 << 20)
    >>> with cache.slot('r2c', (8,), 1, np.dtype(np.float64), 1) as s:
    ...     s.input[:] = 1
    ...     s.execute()[:2]
    array([8.+0.j, 0.+0.j])
    >>> cache.info()['plans'], cache.info()['bytes']
    (1, 144)
    """

    def __init__(self, max_bytes=None):
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._idle = collections.OrderedDict()    # key -> list of idle _Slot, LRU order
        # key FFTW had no wisdom for -> (wisdom generation it was asked in, ScipySlot args)
        self._pocket = {}
        self._bytes = 0
        self.planned = 0

    @property
    def max_bytes(self):
        if self._max_bytes is not None:
            return self._max_bytes
        return _runtime.cache_bytes("plan")

    def slot(self, kind, shape, nsp, real_dtype, threads, *, effort="estimate",
             timelimit="auto"):
        """Check out a plan for ``kind`` over the last ``nsp`` axes of ``shape``, made with
        planner ``effort`` where FFTW has no wisdom for it.  A context manager:
        ``with cache.slot(...) as s`` lends the :class:`_Slot` ``s`` for the block."""
        key = (kind, shape, nsp, np.dtype(real_dtype).str, int(threads), effort)
        return _Lease(self, key, timelimit)

    def _check_out(self, key, timelimit):
        """An idle plan of ``key``, or a new one (planned outside the cache's lock)."""
        with self._lock:
            found = self._pocket.get(key)
            if found is not None and found[0] == generation():   # a fresh one each time
                return ScipySlot(*found[1])
            slots = self._idle.get(key)
            if slots:
                self._idle.move_to_end(key)
                slot = slots.pop()
                self._bytes -= slot.nbytes
                if not slots:
                    del self._idle[key]
                return slot
        return self._plan(key, timelimit)

    def _plan(self, key, timelimit):
        pyfftw = _runtime.pyfftw()
        autoload()
        kind, shape, nsp, real_str, threads, effort = key
        if threads > 1:
            if _openmp["forked"]:
                threads = 1
            _openmp["used"] = True
        real = np.dtype(real_str)
        a, b, direction = plan_record.aligned_buffers(pyfftw, kind, shape, real)
        flags = (_FLAGS[effort], "FFTW_DESTROY_INPUT")
        limit = None if effort == "estimate" else planning_seconds(math.prod(shape), timelimit)
        axes = tuple(range(len(shape) - nsp, len(shape)))
        by_wisdom_only = effort == "estimate" and kind in ("fwd", "inv") and nsp >= 2
        with PLANNER_LOCK:
            if effort == "estimate" and threads == 1 and 1 <= nsp <= min(2, len(shape)) \
                    and shape[-1] == shape[-nsp]:
                plan_record.prime(real_str, nsp, shape[-1])
            try:
                fftw = pyfftw.FFTW(a, b, axes=axes, direction=direction, threads=threads,
                                   flags=flags + (("FFTW_WISDOM_ONLY",) if by_wisdom_only
                                                  else ()), planning_timelimit=limit)
            except RuntimeError:             # no wisdom for it: FFTW_WISDOM_ONLY refused
                args = (kind, shape, nsp, real, threads)
                with self._lock:
                    self._pocket[key] = (generation(), args)
                return ScipySlot(*args)
            self.planned += 1
        return _Slot(fftw, a.nbytes + b.nbytes)

    def _give_back(self, key, slot):
        if slot.owned:                  # its buffers are its user's: nothing to keep
            return
        limit = self.max_bytes
        with self._lock:
            if slot.nbytes <= limit:
                self._idle.setdefault(key, []).append(slot)
                self._idle.move_to_end(key)
                self._bytes += slot.nbytes
            while self._bytes > limit and self._idle:
                old_key, slots = next(iter(self._idle.items()))
                self._bytes -= slots.pop(0).nbytes
                if not slots:
                    del self._idle[old_key]

    def clear(self):
        """Drop every idle plan (plans checked out now are dropped when returned)."""
        with self._lock:
            self._idle.clear()
            self._pocket.clear()
            self._bytes = 0

    def info(self):
        """``{'plans': idle plans, 'bytes': their buffer bytes, 'max_bytes': bound,
        'planned': plans made so far}``."""
        with self._lock:
            n = sum(len(v) for v in self._idle.values())
            return {"plans": n, "bytes": self._bytes, "max_bytes": self.max_bytes,
                    "planned": self.planned}


class _Lease:
    """``with`` support for :meth:`PlanCache.slot` (a class: it runs on every transform,
    and a generator-based context manager costs several microseconds more)."""

    __slots__ = ("cache", "key", "timelimit", "slot")

    def __init__(self, cache, key, timelimit):
        self.cache, self.key, self.timelimit = cache, key, timelimit

    def __enter__(self):
        self.slot = self.cache._check_out(self.key, self.timelimit)
        return self.slot

    def __exit__(self, *exc):
        self.cache._give_back(self.key, self.slot)
        return False


_DEFAULT = PlanCache()
#: whether this process made a threaded FFTW plan, and whether it is a child forked after
#: its parent did (see :func:`_after_fork_in_child`)
_openmp = {"used": False, "forked": False}


def _after_fork_in_child():
    """In a child forked after threaded FFTW plans were made: drop the idle plans and make
    every later plan on one thread.  pyFFTW's threads are OpenMP's (libgomp), which
    cannot run a parallel region in a child forked after its parent ran one: the child's
    first threaded transform waited forever (a ``multiprocessing`` pool on Linux hung).
    So the child's transforms run on one thread, and their last bits may differ from the
    parent's."""
    if _openmp["used"]:
        _openmp["forked"] = True
        _DEFAULT._lock = threading.Lock()    # (a parent's thread may have held it)
        _DEFAULT.clear()


if hasattr(os, "register_at_fork"):        # (POSIX)
    os.register_at_fork(after_in_child=_after_fork_in_child)


def default_cache():
    """The process-wide :class:`PlanCache` the engines use."""
    return _DEFAULT


def clear_cache():
    """Drop every cached FFTW plan of the process-wide cache.

    Examples
    --------
    >>> import sigconv.fft
    >>> sigconv.fft.clear_cache(); sigconv.fft.cache_info()['plans']
    0
    """
    _DEFAULT.clear()


def cache_info():
    """Plans, bytes and bound of the process-wide plan cache.

    Returns
    -------
    dict
        ``plans`` (idle plans kept), ``bytes`` (their buffers), ``max_bytes`` (the bound)
        and ``planned`` (plans made so far).

    Examples
    --------
    >>> import sigconv.fft
    >>> info = sigconv.fft.cache_info()
    >>> info['bytes'] <= info['max_bytes']
    True
    """
    return _DEFAULT.info()


