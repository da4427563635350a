"""The machine seam: everything sigconv reads of the machine it runs on, in one place.

The rest of the package asks this module, and only this module, for: the cores it may
use and the :class:`Resources` handed to an engine; memory figures and the bounds of
its caches; pyFFTW (imported with a passive OpenMP wait policy); numpy's BLAS threads;
result buffers laid out for huge pages and kept for reuse; a heap reserve faulted in at
import; the processor model, which picks the shipped calibration; and the per-user cache
directory holding the calibration and FFTW wisdom that ``sigconv tune`` measured
(:mod:`sigconv._calibration_store` reads and checks those files).

Nothing here depends on the machine's momentary load: the same call gets the same
resources every time, which is what keeps results bit-identical from call to call.
"""

import contextlib
import functools
import importlib
import os
import pathlib
import platform
import statistics
import sys
import threading
import time
from dataclasses import dataclass

from . import _alloc, _calibration_store, _environ
from ._options import option

__all__ = ["Resources", "resources", "cores", "physical_memory", "memory_budget",
           "cache_bytes", "last_cache_bytes", "empty", "zeros", "reserve_heap", "pyfftw",
           "pyfftw_error", "opencv", "blas_threads", "single_threaded_blas", "cache_dir",
           "cached_file", "calibration", "machine", "processor_id", "simd_flags"]


@functools.lru_cache(maxsize=1)
def cores():
    """Cores this process may run on (its CPU affinity)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


@functools.lru_cache(maxsize=1)
def physical_memory():
    """Bytes of physical memory."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 << 30


@functools.lru_cache(maxsize=1)
def last_cache_bytes():
    """Bytes of the processor's largest cache (Linux sysfs), or None where the system
    does not say."""
    sizes = []
    for entry in pathlib.Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):
        with contextlib.suppress(OSError, ValueError):
            text = entry.read_text(encoding="ascii").strip().upper()
            scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
            sizes.append(int(text.rstrip("KMG")) * scale)
    return max(sizes) if sizes else None


def memory_budget():
    """Bytes one convolution may allocate: the ``max_memory`` option, or a quarter of
    physical memory (a fixed figure, so 'auto' decides alike on every call)."""
    limit = option("max_memory")
    return int(limit) if limit is not None else physical_memory() // 4


def cache_bytes(name):
    """The bound of cache ``name`` ('plan', 'spectrum' or 'result_pool'): its
    ``*_bytes`` option, or a share of physical memory (1/16, 256 MiB to 1 GiB; the
    result pool half of that, 128 MiB to 512 MiB)."""
    limit = option(f"{name}_bytes" if name == "result_pool" else f"{name}_cache_bytes")
    if limit is not None:
        return int(limit)
    share = min(max(physical_memory() // 16, 256 << 20), 1 << 30)
    return min(max(share // 2, 128 << 20), 512 << 20) if name == "result_pool" else share


@dataclass(frozen=True)
class Resources:
    """What an engine may use: ``threads`` (it uses fewer for small work), ``memory``
    (bytes for transforms), ``effort`` (FFTW planner effort for plans not in wisdom),
    ``timelimit`` (seconds of measuring per transform, or 'auto'), ``cache_bytes``
    (bytes of kernel spectra it may keep for later calls) and ``f32_row_threads`` (the
    points from which real float32 transforms over one axis use threads: the
    calibration's figure, measured by ``sigconv tune``)."""
    threads: int = 1
    memory: int = 1 << 30
    effort: str = "estimate"
    timelimit: object = "auto"
    cache_bytes: int = 0
    f32_row_threads: int = _calibration_store.GENERIC["f32_row_threads"]


def resources(workers=None):
    """The :class:`Resources` of a call with ``workers`` threads (None: every core)."""
    return _resources(workers, option("max_memory"), option("planner_effort"),
                      option("planning_timelimit"), option("spectrum_cache_bytes"),
                      calibration()["f32_row_threads"])


@functools.lru_cache(maxsize=64)
def _resources(workers, max_memory, effort, timelimit, spectrum_bytes, f32_row_threads):
    # a pure function of the settings it is given (and the machine): remembered
    return Resources(threads=int(workers) if workers else cores(), memory=memory_budget(),
                     effort=effort, timelimit=timelimit, cache_bytes=cache_bytes("spectrum"),
                     f32_row_threads=f32_row_threads)


def empty(shape, dtype, keep=True):
    """An uninitialized array (:func:`sigconv._alloc.empty`: on whole huge pages when
    large; with ``keep``, a result kept up to the ``result_pool_bytes`` bound)."""
    return _alloc.empty(shape, dtype, _result_pool_bytes if keep else 0)


def _result_pool_bytes():
    return cache_bytes("result_pool")


def zeros(shape, dtype):
    """:func:`empty` filled with zeros."""
    out = empty(shape, dtype)
    out.fill(0)
    return out


def reserve_heap():
    """Fault in the heap reserve once, at import (:func:`sigconv._alloc.reserve_heap`):
    ``$SIGCONV_HEAP_RESERVE`` bytes (0: none), by default
    :data:`~sigconv._alloc.HEAP_RESERVE`; where the user set glibc's malloc policy, or
    the C library is not glibc, nothing happens.  Returns whether it did."""
    text = os.environ.get("SIGCONV_HEAP_RESERVE", "")
    try:
        nbytes = int(text) if text.strip() else _alloc.HEAP_RESERVE
    except ValueError:
        raise ValueError(f"SIGCONV_HEAP_RESERVE must be a number of bytes; got {text!r}") \
            from None
    return _alloc.reserve_heap(nbytes, os.environ)


# ---------------------------------------------------------------- pyFFTW

_pyfftw_state = {}
_pyfftw_lock = threading.Lock()
#: pyFFTW's OpenMP threads would spin ~9 ms of CPU after each threaded transform (a core
#: taken from the next call on two cores), and a short spin makes a transform's parallel
#: loops wake them (72^3 float32 on two threads, right after one following a 10 ms
#: sleep: 1.9-2.8 ms with 3000 spins, 1.4-1.7 ms with these, ~2 ms of CPU after it);
#: unless the user chose a policy (benchmarks/README.md, the tenth and fourteenth sessions)
_OMP_POLICY = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")
_OMP_SPIN = "30000"


def pyfftw():
    """The pyfftw module (imported once, when :mod:`sigconv.fft` is), or None when it
    cannot be imported.

    ``GOMP_SPINCOUNT`` (a short spin, :data:`_OMP_SPIN`) is set only while pyfftw loads
    its OpenMP runtime (which reads it once) and removed afterwards: ``os.environ`` is
    left as it was.  pyfftw's
    optional dask interface, which imports all of ``dask.array`` when dask is installed
    (0.3-0.5 s, more than pyfftw itself), is skipped unless dask.array is already
    loaded; ``import pyfftw.interfaces.dask_fft`` still works afterwards.
    """
    if "module" not in _pyfftw_state:
        with _pyfftw_lock:
            if "module" not in _pyfftw_state:
                _pyfftw_state.update(zip(("module", "error"), _import_pyfftw()))
    return _pyfftw_state["module"]


def pyfftw_error():
    """The exception that prevented importing pyfftw, or None."""
    pyfftw()
    return _pyfftw_state["error"]


_SKIPPED = "dask.array.fft"


def _import_pyfftw():
    unset = not any(name in os.environ for name in _OMP_POLICY)
    skip = _SKIPPED not in sys.modules
    if unset:
        os.environ["GOMP_SPINCOUNT"] = _OMP_SPIN
    if skip:
        sys.modules[_SKIPPED] = None          # an import of it now fails at once
    try:  # pragma: no cover - which branch runs depends on the installation
        import pyfftw as module
    except Exception as exc:  # ImportError, or a broken shared library
        return None, exc
    finally:
        if unset:
            os.environ.pop("GOMP_SPINCOUNT", None)
        if skip and sys.modules.get(_SKIPPED, 0) is None:
            del sys.modules[_SKIPPED]
    return module, None


# ---------------------------------------------------------------- OpenCV

@functools.lru_cache(maxsize=1)
def opencv():
    """The cv2 module (OpenCV's compiled filters, the direct engine's 2-D path: the
    opencv-python-headless dependency, or any OpenCV distribution), or None when it
    cannot be imported.

    Imported with sigconv (0.05-0.3 s here, beside sigconv's 1-4 s), not at the first
    call that needs it: that call would otherwise take 100 ms where scipy takes 2-8
    (benchmarks/README.md, "Small kernels").  ``os.environ`` is left as it was (cv2's
    loader adds to ``LD_LIBRARY_PATH``, read by the dynamic loader only at start-up).
    """
    with _environ.kept():             # cv2's loader adds to LD_LIBRARY_PATH
        try:  # pragma: no cover - which branch runs depends on the installation
            import cv2 as module
            module.filter2D, module.sepFilter2D     # noqa: B018 - a build without imgproc
        except Exception:  # ImportError, AttributeError, or a broken shared library
            return None
    return module


# ---------------------------------------------------------------- BLAS threads

@functools.lru_cache(maxsize=1)
def _blas_controller():
    with _environ.kept():        # threadpoolctl's import sets KMP_DUPLICATE_LIB_OK
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - a declared dependency
            return None
        return ThreadpoolController()


@functools.lru_cache(maxsize=1)
def _blas_getters():
    """One cheap callable per BLAS library returning its thread count (the raw
    ``openblas_get_num_threads`` where available: well under a microsecond a call)."""
    ctl = _blas_controller()
    if ctl is None:
        return ()
    getters = []
    for lib in ctl.select(user_api="blas").lib_controllers:
        direct = None
        if lib.internal_api == "openblas" and getattr(lib, "threading_layer", "") != "openmp":
            with contextlib.suppress(Exception):
                direct = lib._get_symbol("openblas_get_num_threads")
        getters.append(direct or lib.get_num_threads)
    return tuple(getters)


def blas_threads():
    """Threads numpy's BLAS is set to use (``threadpoolctl.threadpool_limits`` changes
    it); 1 when unknown."""
    counts = [g() or 1 for g in _blas_getters()]
    return max(counts) if counts else 1


def single_threaded_blas():
    """A context manager running numpy's BLAS on one thread inside the block."""
    ctl = _blas_controller()
    return ctl.limit(limits=1, user_api="blas") if ctl is not None \
        else contextlib.nullcontext()


# ---------------------------------------------------------------- the per-user cache

Calibration = _calibration_store.Calibration
_calibration_state = {}


def cache_dir():
    """The folder of this user's calibration and wisdom: ``$SIGCONV_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/sigconv``, else ``~/.cache/sigconv``."""
    return pathlib.Path(cached_file(""))


def cached_file(name):
    """The path (a str: no pathlib on a first call's way) of file ``name`` in
    :func:`cache_dir`."""
    folder = os.environ.get("SIGCONV_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                ".cache")
        folder = os.path.join(base, "sigconv")
    return os.path.join(folder, name)


def machine():
    """What a calibration is valid for: the machine's processor, core count and the
    versions of the libraries that compute."""
    import numpy
    try:  # the module's own version: importlib.metadata scans site-packages (~1 ms)
        import pyfftw
        fftw = pyfftw.__version__
    except ImportError:  # pragma: no cover - not installed
        fftw = None
    return {"processor": _processor(), "machine": platform.machine(), "cores": cores(),
            "numpy": numpy.__version__, "pyfftw": fftw}


def _processor():
    name = _cpuinfo(b"model name") or platform.processor() or platform.machine()
    return f"{name} ({' '.join(processor_id())})" if processor_id() else name


@functools.lru_cache(maxsize=1)
def processor_id():
    """The processor model as /proc/cpuinfo names it, ``(vendor, family, model)``
    (``('AuthenticAMD', '26', '2')``), or ``()`` where the system does not say."""
    words = tuple(_cpuinfo(f) for f in (b"vendor_id", b"cpu family", b"model\t"))
    return words if all(words) else ()


@functools.lru_cache(maxsize=1)
def simd_flags():
    """The instruction sets this processor and system run, named as /proc/cpuinfo names
    them (``{'sse2', 'avx', 'fma', ...}``): numpy's detection at its import (reading
    /proc/cpuinfo took 45 us), else /proc/cpuinfo's flags; empty where neither says."""
    found = {}
    for module in ("numpy._core._multiarray_umath", "numpy.core._multiarray_umath"):
        with contextlib.suppress(ImportError, AttributeError):
            found = importlib.import_module(module).__cpu_features__
            break
    names = {name.lower() for name, on in found.items() if on}
    if names:
        return frozenset(names | ({"fma"} if "fma3" in names else set()))
    return frozenset(_cpuinfo(b"flags").split())


def _cpuinfo(field):
    """The first ``field`` line's value in /proc/cpuinfo, or '' where there is none."""
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", "rb") as fh:  # bytes: a text codec may cost an import
            for line in fh:
                if line.startswith(field):
                    return line.split(b":", 1)[1].strip().decode("utf-8", "replace")
    return ""


#: the shipped constants for this processor model (see :mod:`sigconv._calibration_store`)
SHIPPED = _calibration_store.shipped(processor_id())


def calibration():
    """The cost-model constants: the ones ``sigconv tune`` saved for this machine in
    :func:`cache_dir`, or the shipped ones of this processor model (:data:`SHIPPED`).
    Read once per process, when sigconv is imported (:mod:`sigconv._warm`); a file for
    another machine or in another format is ignored with a warning."""
    found = _calibration_state.get("constants")
    if found is None:
        found = _calibration_state["constants"] = _load_calibration()
    return found


def _load_calibration():
    return _calibration_store.read(cached_file("calibration.json"), machine(), SHIPPED)


def set_calibration(constants):
    """Use ``constants`` (the shipped layout) for the rest of the process (``None``:
    read the cache again on next use)."""
    if constants is None:
        _calibration_state.pop("constants", None)
    else:
        _calibration_state["constants"] = _calibration_store.as_constants(constants, SHIPPED)


opencv()            # see its docstring: no call pays for importing OpenCV


def median_time(fn, repeats):
    """Median seconds of ``repeats`` calls of ``fn`` after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
