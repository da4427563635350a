"""Who computes the transforms: pyFFTW when it imports, scipy.fft otherwise.

The rest of sigconv asks for a transform with :func:`transform`, a context manager that
lends out an exclusive *transform slot*: a writable input buffer and an ``execute()``
that returns the (unnormalized) transform.  With pyFFTW the slot is a cached FFTW plan and
its aligned buffers (see :mod:`sigconv.fft.plans`); with scipy.fft it is a fresh buffer.
Either way the caller copies out what it keeps, so nothing returned to a user aliases a
cached buffer.
"""

import bisect
import contextlib
import functools
import math
import os
import threading
import time
import warnings

import numpy as np
import scipy.fft as sfft

#: pyFFTW's wheels thread FFTW with OpenMP (their own copy of libgomp).  By default an
#: OpenMP worker keeps spinning after each threaded transform: here for ~9 ms of CPU
#: (measured: a process sleeping 20 ms after a threaded 1024^2 transform used 8.6 ms of
#: CPU), which on a two-core machine takes a core from whatever runs next (an
#: overlap-save call right after a threaded FFT used 15-17 CPU-ms instead of 7).  Unless
#: the user chose a policy, that copy of libgomp is loaded with passive waiting (its
#: threads sleep between transforms; the threaded transforms themselves ran as fast or
#: faster).  The variable is set only while pyfftw is imported: libgomp reads it once,
#: when loaded, and other OpenMP libraries the process loads later do not see it.
_OMP_POLICY = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")


def _import_pyfftw():
    """``(pyfftw module or None, the exception that prevented importing it or None)``."""
    unset = not any(name in os.environ for name in _OMP_POLICY)
    if unset:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:  # pragma: no cover - which branch runs depends on the installation
        import pyfftw
    except Exception as exc:  # ImportError, or a broken shared library
        return None, exc
    finally:
        if unset:
            os.environ.pop("OMP_WAIT_POLICY", None)
    return pyfftw, None


_pyfftw, _IMPORT_ERROR = _import_pyfftw()

__all__ = ["backend", "set_backend", "next_fast_len", "cheapest_len", "transform", "get_options",
           "set_options", "options", "available_cores", "fftw_dtypes"]

BACKENDS = ("pyfftw", "scipy")
PLANNER_EFFORTS = ("auto", "estimate", "measure", "patient")

_state = {"backend": "pyfftw" if _pyfftw is not None else "scipy", "warned": False}
_options = {
    "max_memory": None,          # bytes an FFT may use; None: half the available memory
    "plan_cache_bytes": None,    # None: 1/16 of physical memory, between 256 MiB and 1 GiB
    "planner_effort": "auto",    # 'auto': ESTIMATE first, MEASURE once a shape repeats
    "planning_timelimit": "auto",   # seconds FFTW may spend planning one transform
    "measure_after": 3,          # 'auto' effort: calls of one shape before it is measured
    "spectrum_cache_bytes": None,   # kernel spectra kept for repeated one-off calls
    "autotune": True,            # 'auto' times close candidates on a shape's first calls
    "result_pool_bytes": None,   # result buffers kept for reuse (sigconv._alloc)
}
_options_lock = threading.Lock()


def backend():
    """The FFT library in use: ``'pyfftw'`` (FFTW) or ``'scipy'`` (pocketfft fallback).

    Returns
    -------
    str

    Examples
    --------
    >>> import sigconv.fft
    >>> sigconv.fft.backend() in ('pyfftw', 'scipy')
    True
    """
    if _state["backend"] == "scipy" and _IMPORT_ERROR is not None and not _state["warned"]:
        _state["warned"] = True
        warnings.warn(f"sigconv.fft: pyFFTW is not available ({_IMPORT_ERROR}); using "
                      "scipy.fft, which is slower", RuntimeWarning, stacklevel=2)
    return _state["backend"]


def set_backend(name):
    """Choose the FFT library: ``'pyfftw'`` or ``'scipy'``; returns the previous one.

    Examples
    --------
    >>> import sigconv.fft
    >>> old = sigconv.fft.set_backend('scipy'); sigconv.fft.backend()
    'scipy'
    >>> _ = sigconv.fft.set_backend(old)
    """
    from .._validate import one_of
    name = one_of(name, BACKENDS, "name", "set_backend")
    if name == "pyfftw" and _pyfftw is None:
        raise ImportError(f"set_backend: pyFFTW cannot be imported ({_IMPORT_ERROR})")
    old, _state["backend"] = _state["backend"], name
    return old


def get_options():
    """A copy of the FFT settings (see :func:`set_options`).

    Returns
    -------
    dict

    Examples
    --------
    >>> import sigconv.fft
    >>> sorted(sigconv.fft.get_options())
    ['autotune', 'max_memory', 'measure_after', 'plan_cache_bytes', 'planner_effort', 'planning_timelimit', 'result_pool_bytes', 'spectrum_cache_bytes']
    """
    with _options_lock:
        return dict(_options)


def option(name):
    """The current value of one FFT setting (no copy of the others: read on every call).

    Examples
    --------
    >>> from sigconv.fft.backend import option
    >>> option('measure_after')
    3
    """
    return _options[name]


def set_options(**changes):
    """Change FFT settings process-wide; returns the previous values of those changed.

    Parameters
    ----------
    max_memory : int or None
        Bytes one FFT convolution may allocate.  Over it, ``method='auto'`` works in
        overlap blocks and an explicit ``method='fft'`` raises ResourceLimitError.
        None (default): half the memory available when the call starts.
    plan_cache_bytes : int or None
        Bound on the bytes of FFTW plans and buffers kept between calls (LRU).  None
        (default): 1/16 of physical memory, at least 256 MiB and at most 1 GiB.
    planner_effort : {'auto', 'estimate', 'measure', 'patient'}
        'auto' plans a new shape with FFTW_ESTIMATE and re-plans it with FFTW_MEASURE once
        it has been used ``measure_after`` times.  A re-planned transform can round the
        last bit differently; use 'estimate' for bit-identical results from the first
        call on (at some cost in speed).
    planning_timelimit : float or 'auto'
        Seconds FFTW may spend planning one transform.  'auto' (default) scales the
        limit with the transform: 1 s per PLANNING_POINTS_PER_SECOND (2 million) points,
        batch included, at least 1 s and at most 10 s.  A limit FFTW reaches leaves it
        with the best plan found so far, which for large transforms can run no faster
        than FFTW_ESTIMATE's (a 189**3 complex transform: 0.079 s after 1 s of measuring,
        0.054 s after the 2.5 s a full FFTW_MEASURE took).
    measure_after : int
    spectrum_cache_bytes : int or None
        Bound on the bytes of kernel spectra that one-off calls keep (LRU): convolving
        many inputs with one kernel transforms the kernel once.  None (default): as
        ``plan_cache_bytes`` (1/16 of physical memory, 256 MiB to 1 GiB; the spectrum of
        a 129x129 kernel padded for a 4096x4096 image alone takes 143 MB).  0 turns the
        cache off.
    autotune : bool
        Let ``method='auto'`` settle close calls by timing: where the cost model's
        estimates for several methods are within a factor 1.6 and the problem takes over
        0.2 ms, the first calls of that shape run each of them (twice) and the fastest is
        kept.  Results are correct either way, but may differ in the last bits between
        those first calls; False makes 'auto' follow the cost model alone.
    result_pool_bytes : int or None
        Bound on the bytes of result buffers (of 2 MiB and more) kept and handed out
        again once no array refers to them: memory a process frees is given back to the
        host and costs far more to fault in again (a 256 MB result after one second idle:
        0.3 s of system time instead of 0.03).  None (default): 1/32 of physical memory,
        at least 128 MiB and at most 512 MiB.  0 keeps none.

    Returns
    -------
    dict
        The previous values of the options changed (pass them back to restore).

    Examples
    --------
    >>> import sigconv.fft
    >>> old = sigconv.fft.set_options(planning_timelimit=1.0)
    >>> sigconv.fft.get_options()['planning_timelimit']
    1.0
    >>> _ = sigconv.fft.set_options(**old)
    """
    from .._validate import one_of
    func = "set_options"
    for key, value in changes.items():
        if key not in _options:
            raise TypeError(f"{func}: unknown option {key!r}; options are {sorted(_options)}")
        if key == "planner_effort":
            one_of(value, PLANNER_EFFORTS, key, func)
        elif key in ("max_memory", "plan_cache_bytes", "spectrum_cache_bytes",
                     "result_pool_bytes") and value is None:
            continue
        elif key == "autotune":
            if not isinstance(value, bool):
                raise ValueError(f"{func}: autotune must be True or False; got {value!r}")
        elif key == "planning_timelimit":
            if value == "auto":
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{func}: {key} must be a positive number or 'auto'; "
                                 f"got {value!r}")
        elif isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{func}: {key} must be a non-negative int; got {value!r}")
    with _options_lock:
        old = {key: _options[key] for key in changes}
        _options.update(changes)
    return old


@contextlib.contextmanager
def options(**changes):
    """Context manager: :func:`set_options` for the duration of a ``with`` block.

    Examples
    --------
    >>> import sigconv.fft
    >>> with sigconv.fft.options(max_memory=1 << 20):
    ...     sigconv.fft.get_options()['max_memory']
    1048576
    """
    old = set_options(**changes)
    try:
        yield
    finally:
        set_options(**old)


#: the 'auto' planning time limit: 1 s per this many points, between 1 s and 10 s (a full
#: FFTW_MEASURE of a 189**3 complex or 192**3 real transform took 1.2-3.5 s here, and
#: cut at 1 s its plans ran 1.5-2x slower than the finished ones)
PLANNING_POINTS_PER_SECOND = 2_000_000


def planning_timelimit(points):
    """Seconds FFTW may spend planning a transform of ``points`` points (batch included):
    the ``planning_timelimit`` option, or when it is 'auto' 1 s per
    PLANNING_POINTS_PER_SECOND points between 1 s and 10 s.

    Examples
    --------
    >>> from sigconv.fft.backend import planning_timelimit
    >>> planning_timelimit(4096), planning_timelimit(8_000_000), planning_timelimit(10**8)
    (1.0, 4.0, 10.0)
    """
    limit = option("planning_timelimit")
    if limit != "auto":
        return float(limit)
    return min(10.0, max(1.0, points / PLANNING_POINTS_PER_SECOND))


def memory_limit():
    """Bytes an FFT convolution may use now (the ``max_memory`` option or its default)."""
    limit = option("max_memory")
    if limit is not None:
        return int(limit)
    try:
        avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        avail = 8 << 30
    return avail // 2


def plan_cache_limit():
    """Bytes the plan cache may keep (the ``plan_cache_bytes`` option or its default)."""
    return _cache_limit("plan_cache_bytes")


def spectrum_cache_limit():
    """Bytes of kernel spectra kept (the ``spectrum_cache_bytes`` option or its default)."""
    return _cache_limit("spectrum_cache_bytes")


def result_pool_limit():
    """Bytes of result buffers kept for reuse (the ``result_pool_bytes`` option or its
    default: 1/32 of physical memory, between 128 MiB and 512 MiB)."""
    limit = _options["result_pool_bytes"]
    return int(limit) if limit is not None else _DEFAULT_POOL_BYTES


def _cache_limit(option):
    limit = _options[option]
    return int(limit) if limit is not None else _DEFAULT_CACHE_BYTES


def _default_cache_bytes():
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        total = 4 << 30
    return min(max(total // 16, 256 << 20), 1 << 30)


_DEFAULT_CACHE_BYTES = _default_cache_bytes()
_DEFAULT_POOL_BYTES = min(max(_DEFAULT_CACHE_BYTES // 2, 128 << 20), 512 << 20)


def available_cores():
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


_idle = {"t": -1.0, "n": 1}


def idle_cores():
    """Cores worth threading over now: all available ones unless the machine is already
    oversubscribed (1-minute load average above cores + 0.5), where extra threads wait
    for each other and run slower than one.  Re-read at most once a second."""
    now = time.monotonic()
    if now - _idle["t"] > 1.0:
        n = available_cores()
        try:
            load = os.getloadavg()[0]
        except (OSError, AttributeError):  # pragma: no cover
            load = 0.0
        _idle.update(t=now, n=n if load < n + 0.5 else 1)
    return _idle["n"]


def _smooth_numbers(limit):
    """Sorted 7-smooth numbers times 1, 11 or 13, up to ``limit`` (FFTW's fast sizes)."""
    out = []
    p2 = 1
    while p2 <= limit:
        p3 = p2
        while p3 <= limit:
            p5 = p3
            while p5 <= limit:
                p7 = p5
                while p7 <= limit:
                    out.append(p7)
                    for f in (11, 13):
                        if p7 * f <= limit:
                            out.append(p7 * f)
                    p7 *= 7
                p5 *= 5
            p3 *= 3
        p2 *= 2
    return sorted(out)


_FAST = _smooth_numbers(1 << 40)


#: lengths beyond this run slower with many factors of 2 (see :func:`_factor_cost`)
LARGE_LEN = 1 << 18


def _factor_cost(n):
    """Relative time per ``n log2 n`` of an FFTW transform of length ``n``, from its
    factors (measured on 1-D float64/float32 transforms here): odd lengths run about
    twice as slow, a single factor 2 adds a quarter, 11 or 13 a quarter, each 7 a tenth,
    each 3 or 5 a few percent (11025 = 3^2 5^2 7^2 took 99 us against 39 us for 11200
    and 11520); beyond LARGE_LEN each factor 2 past 2^14 adds a tenth (2^21 took 25 ms
    against 16 ms for 2000000 = 2^7 5^6, 2^17 3^2 16 ms against 12.5 ms for 2^13 3^3 5)."""
    twos = (n & -n).bit_length() - 1
    odd = n >> twos
    cost = 1.0 + (1.0 if twos == 0 and n > 2 else 0.25 if twos == 1 else 0.0)
    for p, c in ((3, 0.03), (5, 0.03), (7, 0.1)):
        while odd % p == 0:
            odd //= p
            cost += c
    if odd > 1:                          # 11 or 13
        cost += 0.25
    if n > LARGE_LEN:                    # long power-of-two strides thrash the caches
        cost += 0.1 * max(0, twos - 14)
    return cost


#: how far above ``n`` :func:`cheapest_len` looks for a faster length
CHEAPEST_SLACK = 1.25


@functools.lru_cache(maxsize=4096)
def cheapest_len(n, *, real=True):
    """The FFTW-friendly length ``>= n`` with the lowest estimated transform time.

    :func:`next_fast_len` gives the smallest friendly length; a slightly longer one is
    often faster (lengths rich in factors of 2 beat those with 7s, 11s or 13s, and odd
    lengths run about twice as slow).  This one weighs ``N log2 N`` by a cost per factor
    over the friendly lengths up to 25 % above ``n``.  Padding to it is free where a
    transform's length can be chosen (zero-padded convolution, overlap blocks).

    Parameters
    ----------
    n : int
    real : bool
        Passed to :func:`next_fast_len` for the smallest candidate.

    Returns
    -------
    int

    Examples
    --------
    >>> from sigconv.fft import cheapest_len, next_fast_len
    >>> next_fast_len(11024), cheapest_len(11024)
    (11088, 11520)
    >>> cheapest_len(1024)
    1024
    """
    first = next_fast_len(n, real=real)
    i = bisect.bisect_left(_FAST, first)
    best, best_cost = first, math.inf
    for m in _FAST[i:i + 48]:
        if m > max(first, n * CHEAPEST_SLACK):
            break
        cost = m * math.log2(max(m, 2)) * _factor_cost(m)
        if cost < best_cost:
            best, best_cost = m, cost
    return best


def next_fast_len(n, *, real=True):
    """The smallest size ``>= n`` that FFTW transforms fastest.

    Sizes of the form 2^a 3^b 5^c 7^d 11^e 13^f with e + f <= 1 (FFTW's codelets); for a
    real transform an even size is preferred when one lies within 2 % above.

    Parameters
    ----------
    n : int
    real : bool

    Returns
    -------
    int

    Examples
    --------
    >>> from sigconv.fft import next_fast_len
    >>> next_fast_len(10007), next_fast_len(97), next_fast_len(1025)
    (10080, 98, 1040)
    """
    n = max(int(n), 1)
    if n > _FAST[-1]:
        raise ValueError(f"next_fast_len: n must be <= {_FAST[-1]}; got {n}")
    i = bisect.bisect_left(_FAST, n)
    size = _FAST[i]
    if real and size % 2 and size > 2:
        for even in _FAST[i + 1:i + 8]:
            if even % 2 == 0 and even <= size * 1.02:
                return even
    return size


def pyfftw_module():
    """The imported pyfftw module, or None when it is unavailable."""
    return _pyfftw


def fftw_dtypes():
    """Real dtypes pyFFTW can transform in this build."""
    return _FFTW_DTYPES


def _fftw_dtypes():
    if _pyfftw is None:
        return ()
    names = {"32": np.float32, "64": np.float64, "ld": np.longdouble}
    return tuple(np.dtype(names[k]) for k in _pyfftw._supported_types if k in names)


_FFTW_DTYPES = _fftw_dtypes()


class _ScipySlot:
    """A transform slot on scipy.fft: a fresh buffer; ``execute`` returns a new array."""

    def __init__(self, kind, shape, nsp, dtype, threads):
        self.kind, self.nsp, self.threads = kind, nsp, threads
        self.real_shape = shape
        axes = tuple(range(-nsp, 0))
        self.axes = axes
        cdt = np.result_type(dtype, np.complex64)
        if kind == "r2c":
            self.input = np.empty(shape, dtype=dtype)
        elif kind == "c2r":
            self.input = np.empty(shape[:-1] + (shape[-1] // 2 + 1,), dtype=cdt)
        else:
            self.input = np.empty(shape, dtype=cdt)

    def execute(self):
        kw = dict(axes=self.axes, workers=self.threads)
        if self.kind == "r2c":
            return sfft.rfftn(self.input, **kw)
        if self.kind == "c2r":
            s = self.real_shape[-self.nsp:]
            return sfft.irfftn(self.input, s=s, norm="forward", **kw)
        if self.kind == "fwd":
            return sfft.fftn(self.input, **kw)
        return sfft.ifftn(self.input, norm="forward", **kw)


def transform(kind, shape, nsp, dtype, threads, *, repeated=False):
    """Lend an exclusive transform slot over the last ``nsp`` axes of ``shape`` (a
    context manager: ``with transform(...) as slot``).

    ``kind`` is ``'r2c'`` (real input of ``shape``), ``'c2r'`` (real output of ``shape``,
    half-spectrum input), ``'fwd'`` or ``'inv'`` (complex).  Transforms are unnormalized
    in both directions.  ``slot.input`` is a writable buffer the caller fills completely;
    ``slot.execute()`` returns an array that stays valid until the ``with`` block ends.
    ``repeated=True`` says the slot will run many times (overlap tiles): with the 'auto'
    planner effort its plan is measured at once instead of on the shape's third use.
    """
    dtype = np.dtype(dtype)
    real = np.dtype(dtype.char.lower()) if dtype.kind == "c" else dtype
    if _state["backend"] == "pyfftw" and real in _FFTW_DTYPES:
        from .plans import default_cache
        return default_cache().slot(kind, tuple(shape), nsp, real, threads,
                                    repeated=repeated)
    backend()   # warns once when pyFFTW was wanted but is missing
    return contextlib.nullcontext(_ScipySlot(kind, tuple(shape), nsp, real, threads))
