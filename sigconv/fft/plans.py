"""A thread-safe, byte-bounded LRU cache of FFTW plans, and FFTW wisdom files.

A cached entry is one planned transform (``pyfftw.FFTW``) with its own aligned buffers.
A caller *checks a plan out* for the duration of one use: while it is out no other thread
can see it, so a plan never runs in two threads at once and an entry evicted meanwhile
cannot disappear under its user (it is simply not returned to the cache).  Threads that
need the same shape at the same time get a second plan of that shape.  Planning runs
under one lock (FFTW's planner is not thread-safe), and with a time limit.
"""

import collections
import contextlib
import math
import os
import socket
import tempfile
import threading

import numpy as np

from .._errors import WisdomError
from .backend import option, plan_cache_limit, planning_timelimit, pyfftw_module

__all__ = ["PlanCache", "default_cache", "clear_cache", "cache_info", "save_wisdom",
           "load_wisdom"]

_PLAN_LOCK = threading.Lock()
_quick = threading.local()
#: under quick_planning, transforms of up to this many points are still measured (FFTW
#: measures them in milliseconds; a 2**20-point one takes up to a second)
QUICK_MEASURE_POINTS = 1 << 16


@contextlib.contextmanager
def quick_planning():
    """Within this block (on this thread) the 'auto' planner effort makes FFTW_ESTIMATE
    plans of transforms over more than QUICK_MEASURE_POINTS points (and plans smaller
    ones as usual, measuring is cheap there): for trial runs, such as 'auto' timing its
    candidates, which should not pay for measured plans of the methods that lose, but
    should time the plans the winner would run."""
    with _planning_mode("quick"):
        yield


@contextlib.contextmanager
def measured_planning():
    """Within this block (on this thread) the 'auto' planner effort measures every new
    plan at once (FFTW_MEASURE): for the later trials of 'auto' timing its candidates,
    which must compare the plans each candidate would run once it is chosen (an
    FFTW_ESTIMATE plan ran 1.0-2.7x slower than a measured one here, by a factor that
    differs between the candidates' transform shapes)."""
    with _planning_mode("measure"):
        yield


@contextlib.contextmanager
def _planning_mode(mode):
    """This thread's planning mode for the block; the enclosing one again afterwards."""
    old = getattr(_quick, "mode", None)
    _quick.mode = mode
    try:
        yield
    finally:
        _quick.mode = old


_FLAGS = {"estimate": "FFTW_ESTIMATE", "measure": "FFTW_MEASURE", "patient": "FFTW_PATIENT"}


class _Slot:
    """One checked-out FFTW plan: ``input`` buffer and ``execute()`` -> output buffer."""

    def __init__(self, fftw, effort, nbytes):
        self.fftw, self.effort, self.nbytes = fftw, effort, nbytes
        self.input = fftw.input_array

    def execute(self):
        self.fftw.execute()
        return self.fftw.output_array


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
        self._uses = collections.OrderedDict()    # key -> number of check-outs (bounded)
        self._bytes = 0
        self.planned = 0

    @property
    def max_bytes(self):
        if self._max_bytes is not None:
            return self._max_bytes
        return plan_cache_limit()

    def slot(self, kind, shape, nsp, real_dtype, threads, *, repeated=False):
        """Check out a plan for ``kind`` over the last ``nsp`` axes of ``shape``
        (``repeated``: it will run many times, so the 'auto' effort measures at once).
        A context manager: ``with cache.slot(...) as s`` lends the :class:`_Slot` ``s``
        for the block."""
        return _Lease(self, (kind, shape, nsp, np.dtype(real_dtype).str, int(threads)),
                      repeated)

    def _check_out(self, key, repeated):
        """Count a use of ``key`` and take an idle plan of it planned with at least the
        effort this use asks for, or plan one (outside the cache's lock)."""
        effort, after = option("planner_effort"), option("measure_after")
        with self._lock:
            uses = self._uses.pop(key, 0) + 1
            self._uses[key] = uses
            if len(self._uses) > 4096:
                self._uses.popitem(last=False)
            if effort == "auto":
                effort = self._auto_effort(key, uses, repeated, after)
            slot = self._take(key, effort)
        return slot if slot is not None else self._plan(key, effort)

    @staticmethod
    def _auto_effort(key, uses, repeated, after):
        kind, shape, nsp = key[:3]
        mode = getattr(_quick, "mode", None)
        if mode == "measure":
            return "measure"
        if mode == "quick" and math.prod(shape[len(shape) - nsp:]) > QUICK_MEASURE_POINTS:
            return "estimate"
        return "measure" if repeated or uses >= after else "estimate"

    def _take(self, key, effort):
        """An idle plan of ``key`` (lock held), or None."""
        slots = self._idle.get(key)
        if not slots:
            return None
        self._idle.move_to_end(key)
        slot = slots.pop()
        self._bytes -= slot.nbytes
        if not slots:
            del self._idle[key]
        if slot.effort == "estimate" and effort != "estimate":
            return None          # re-plan a repeated shape more carefully
        return slot

    def _plan(self, key, effort):
        import pyfftw
        kind, shape, nsp, real_str, threads = key
        real = np.dtype(real_str)
        cplx = np.result_type(real, np.complex64)
        half = shape[:-1] + (shape[-1] // 2 + 1,)
        ins = {"r2c": (shape, real), "c2r": (half, cplx)}.get(kind, (shape, cplx))
        outs = {"r2c": (half, cplx), "c2r": (shape, real)}.get(kind, (shape, cplx))
        a = pyfftw.empty_aligned(ins[0], dtype=ins[1])
        b = pyfftw.empty_aligned(outs[0], dtype=outs[1])
        direction = "FFTW_BACKWARD" if kind in ("c2r", "inv") else "FFTW_FORWARD"
        flags = (_FLAGS[effort], "FFTW_DESTROY_INPUT")
        limit = planning_timelimit(math.prod(shape))
        with _PLAN_LOCK:
            fftw = pyfftw.FFTW(a, b, axes=tuple(range(len(shape) - nsp, len(shape))),
                               direction=direction, flags=flags, threads=threads,
                               planning_timelimit=limit)
            self.planned += 1
        return _Slot(fftw, effort, a.nbytes + b.nbytes)

    def _give_back(self, key, slot):
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
            self._uses.clear()
            self._bytes = 0

    def info(self):
        """``{'plans': idle plans, 'bytes': their buffer bytes, 'max_bytes': bound}``."""
        with self._lock:
            n = sum(len(v) for v in self._idle.values())
            return {"plans": n, "bytes": self._bytes, "max_bytes": self.max_bytes,
                    "planned": self.planned}


class _Lease:
    """``with`` support for :meth:`PlanCache.slot` (a class: it runs on every transform,
    and a generator-based context manager costs several microseconds more)."""

    __slots__ = ("cache", "key", "repeated", "slot")

    def __init__(self, cache, key, repeated):
        self.cache, self.key, self.repeated = cache, key, repeated

    def __enter__(self):
        self.slot = self.cache._check_out(self.key, self.repeated)
        return self.slot

    def __exit__(self, *exc):
        self.cache._give_back(self.key, self.slot)
        return False


_DEFAULT = PlanCache()


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


# ---------------------------------------------------------------- wisdom files

_MAGIC = "# sigconv FFTW wisdom 1"
_SECTIONS = ("double", "single", "longdouble")


def _fftw_version():
    import pyfftw
    head = pyfftw.export_wisdom()[0].split(b" ")[0]
    return head.lstrip(b"(").decode("ascii", "replace")


def _require_pyfftw(func):
    if pyfftw_module() is None:
        raise WisdomError(f"{func}: FFTW wisdom needs pyFFTW, which cannot be imported")


def save_wisdom(path):
    """Write the FFTW wisdom gathered so far to ``path`` as text, atomically.

    The file records the FFTW version and host; :func:`load_wisdom` refuses files from
    another FFTW build.  The old file stays intact if writing fails.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    int
        Bytes written.

    Examples
    --------
    >>> import os, tempfile, sigconv.fft
    >>> p = os.path.join(tempfile.mkdtemp(), 'w.txt')
    >>> sigconv.fft.save_wisdom(p) > 0 and sigconv.fft.load_wisdom(p)
    True
    """
    import pyfftw
    _require_pyfftw("save_wisdom")
    path = os.fspath(path)
    with _PLAN_LOCK:
        parts = pyfftw.export_wisdom()
    lines = [_MAGIC, f"# fftw {_fftw_version()}", f"# host {socket.gethostname()}"]
    for name, blob in zip(_SECTIONS, parts):
        text = blob.decode("ascii")
        lines += [f"[{name}]", text.rstrip("\n")]
    data = "\n".join(lines) + "\n"
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".wisdom-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return len(data)


def load_wisdom(path):
    """Load FFTW wisdom saved by :func:`save_wisdom`.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    bool
        True once every section has been accepted by FFTW.

    Raises
    ------
    WisdomError
        The file is missing, empty, truncated, not a sigconv wisdom file, from another
        FFTW version, or FFTW rejects a section.

    Examples
    --------
    See :func:`save_wisdom`.
    """
    import pyfftw
    func = "load_wisdom"
    _require_pyfftw(func)
    sections = _parse_wisdom(os.fspath(path), func)
    blobs = tuple(sections[name].encode("ascii") for name in _SECTIONS)
    with _PLAN_LOCK:
        accepted = pyfftw.import_wisdom(blobs)
    for name, ok, blob in zip(_SECTIONS, accepted, blobs):
        if not ok:
            raise WisdomError(f"{func}: {name}-precision wisdom in {path!s} was rejected "
                              "by FFTW")
    return True


def _parse_wisdom(path, func):
    try:
        with open(path, "rb") as fh:
            raw = fh.read(1 << 24)
    except OSError as exc:
        raise WisdomError(f"{func}: cannot read wisdom file {path!r} ({exc})") from None
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise WisdomError(f"{func}: {path!r} is not a sigconv wisdom file (binary data)") from None
    lines = text.split("\n")
    if not lines or lines[0] != _MAGIC:
        raise WisdomError(f"{func}: {path!r} is not a sigconv wisdom file (expected the "
                          f"first line {_MAGIC!r}; got {lines[0][:40]!r})")
    version = lines[1][len("# fftw "):] if len(lines) > 1 and lines[1].startswith("# fftw ") else None
    if version != _fftw_version():
        raise WisdomError(f"{func}: {path!r} holds wisdom of {version or 'an unknown FFTW'}; "
                          f"this FFTW is {_fftw_version()}")
    sections, current = {}, None
    for line in lines[3:]:
        if line.startswith("[") and line.endswith("]") and line[1:-1] in _SECTIONS:
            current = line[1:-1]
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    out = {}
    for name in _SECTIONS:
        body = "\n".join(sections.get(name, ())).strip()
        if not body.startswith("(fftw-") or not body.endswith(")") \
                or body.count("(") != body.count(")"):
            raise WisdomError(f"{func}: {path!r} is truncated or corrupt ({name} section)")
        out[name] = body + "\n"
    return out
