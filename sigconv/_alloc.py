"""Result arrays laid out for transparent huge pages, and kept for reuse.

A fresh result is paid for in page faults when first written, one per 4 KiB page (about
2 us each on the measured VM: a fresh 4 MB result cost ~2 ms, as much as the overlap-save
call that filled it).  :func:`empty` places results of ``HUGE_MIN_BYTES`` and more on a
2 MiB boundary inside a buffer large enough for numpy to advise huge pages (3 faults
instead of 945 for that result), so a result is then a view of a ``uint8`` buffer
(``result.base``).  Where numpy does not advise huge pages it is a plain ``np.empty``.

Buffers are kept, up to a bound in bytes, and handed out again once their reference
count shows no array uses them: memory a process frees can be returned to the host and
cost far more to fault in again (a 256 MB bank result: 0.23-0.52 s after a pause of a
second, 0.08-0.11 s from kept buffers; benchmarks/README.md, "result pool").
Results from :func:`empty` are uninitialized, as from ``np.empty``.
"""

import math
import sys
import threading

import numpy as np

HUGE_PAGE = 1 << 21
#: results from this size on are placed on huge-page boundaries (from 2 MiB a result
#: spans at least 512 small pages; below it the rounding up to whole huge pages would
#: cost more memory than the faults it saves are worth)
HUGE_MIN_BYTES = 1 << 21
#: numpy advises huge pages for allocations of at least this many bytes
_NUMPY_ADVISES = 1 << 22


try:
    from numpy._core.multiarray import _get_madvise_hugepage
except ImportError:                 # numpy < 2
    try:
        from numpy.core.multiarray import _get_madvise_hugepage
    except ImportError:
        def _get_madvise_hugepage():
            return False


def empty(shape, dtype, keep_bytes=0):
    """An uninitialized C-contiguous array of ``shape`` and ``dtype``, starting on a
    huge-page boundary when it is large enough to gain from huge pages; up to
    ``keep_bytes`` (or what the function ``keep_bytes()`` returns, asked only then) of
    such buffers are kept for reuse."""
    dtype = np.dtype(dtype)
    shape = tuple(shape)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < HUGE_MIN_BYTES or not _get_madvise_hugepage():
        return np.empty(shape, dtype)
    # whole huge pages from a boundary anywhere in the first one
    size = max((-(-nbytes // HUGE_PAGE) + 1) * HUGE_PAGE, _NUMPY_ADVISES)
    if not _COUNTS_EXACT:
        buf = np.empty(size, np.uint8)
    else:
        with _lock:
            buf = _reuse(size)
            if buf is None:
                buf = np.empty(size, np.uint8)
                _keep(buf, keep_bytes() if callable(keep_bytes) else keep_bytes)
    start = -buf.ctypes.data % HUGE_PAGE
    return buf[start:start + nbytes].view(dtype).reshape(shape)


#: reference counts tell when a buffer is unused only where the GIL is on: a free-threaded
#: build may defer or bias them, so there no buffer is kept
_COUNTS_EXACT = getattr(sys, "_is_gil_enabled", lambda: True)()
#: buffers made by :func:`empty`, least recently used first (lock held to read or change)
_buffers = []
_lock = threading.Lock()


def _unused(i):
    """Whether nothing but ``_buffers`` refers to ``_buffers[i]``."""
    return sys.getrefcount(_buffers[i]) <= _UNUSED_REFS


_buffers.append(np.empty(1, np.uint8))
#: references to a buffer that only ``_buffers`` holds, as :func:`_unused` counts them
_UNUSED_REFS = sys.getrefcount(_buffers[0])
_buffers.clear()


def _reuse(size):
    """An unused kept buffer of ``size`` to 5/4 ``size`` bytes (now most recently used),
    or None."""
    for i in range(len(_buffers) - 1, -1, -1):
        if size <= _buffers[i].nbytes <= size + size // 4 and _unused(i):
            _buffers.append(_buffers.pop(i))
            return _buffers[-1]
    return None


def _keep(buf, limit):
    """Keep ``buf``, then drop least recently used buffers beyond ``limit`` bytes (unused
    ones first: one still in use is only forgotten, and freed when its arrays go)."""
    if buf.nbytes > limit:
        return
    _buffers.append(buf)
    total = sum(b.nbytes for b in _buffers)
    for in_use in (False, True):
        i = 0
        while total > limit and i < len(_buffers) - 1:
            if in_use or _unused(i):
                total -= _buffers.pop(i).nbytes
            else:
                i += 1


def kept_bytes():
    """Bytes of the buffers :func:`empty` keeps for reuse (in use or not)."""
    with _lock:
        return sum(b.nbytes for b in _buffers)


def release():
    """Forget every kept buffer (those still in use are freed when their arrays go)."""
    with _lock:
        _buffers.clear()


# ---------------------------------------------------------------- the heap reserve

#: glibc's malloc serves a request below its mmap threshold from its heap and keeps freed
#: heap memory up to its trim threshold; its dynamic rule raises the two, after the first
#: free of a large block, to at most these (its DEFAULT_MMAP_THRESHOLD_MAX, and twice it)
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
#: the reserve :func:`reserve_heap` faults in by default: the largest block below the
#: mmap threshold, less a huge page of slack for malloc's headers
HEAP_RESERVE = MMAP_THRESHOLD - HUGE_PAGE
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: environment variables by which a user sets glibc's malloc policy (then left alone)
MALLOC_ENVIRONMENT = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
                      "MALLOC_MMAP_MAX_", "MALLOC_ARENA_MAX")


def reserve_heap(nbytes, environ):
    """Fault in ``nbytes`` of glibc's heap now and keep them for later allocations.

    A process's first calls write their buffers into pages it has never touched, one page
    fault per 4 KiB (about 2 us each on the measured VM: 650-950 faults, 1.5-2 ms, in a
    first 1-D overlap-save call on 1e5 samples; benchmarks/README.md, "heap reserve").
    Where the C library is glibc and ``environ`` sets none of its malloc variables
    (:data:`MALLOC_ENVIRONMENT`, ``glibc.malloc`` tunables), this fixes malloc's mmap and
    trim thresholds at the ceilings of glibc's own dynamic rule (:data:`MMAP_THRESHOLD`,
    :data:`TRIM_THRESHOLD`), allocates ``nbytes`` (at most :data:`HEAP_RESERVE`) from the
    heap, writes one byte per page and frees them: the heap keeps those pages, and later
    allocations below the mmap threshold reuse them.  It costs 4-11 ms here, once.
    Returns whether it did.

    Examples
    --------
    >>> from sigconv._alloc import reserve_heap
    >>> reserve_heap(1 << 20, {"MALLOC_ARENA_MAX": "2"})    # the user's policy: kept
    False
    """
    import ctypes
    import platform
    if nbytes <= 0 or platform.libc_ver()[0] != "glibc" \
            or any(name in environ for name in MALLOC_ENVIRONMENT) \
            or "glibc.malloc" in environ.get("GLIBC_TUNABLES", ""):
        return False
    try:
        libc = ctypes.CDLL(None)
        if not (libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)):
            return False
    except (OSError, AttributeError):       # no mallopt in this process's C library
        return False
    buf = np.empty(min(nbytes, HEAP_RESERVE), np.uint8)
    buf[::4096] = 0
    del buf
    return True
