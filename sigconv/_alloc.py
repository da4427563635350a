"""Result arrays laid out for transparent huge pages.

A freshly allocated result is paid for in page faults when it is first written: one per
4 KiB page.  On the machine sigconv is measured on (a virtual machine under nested
virtualization) a fault costs about 2 us, so writing a fresh 4 MB result cost ~2 ms in
faults alone, as much as the overlap-save computation that filled it (1e6 x 65 float32).
numpy asks the kernel for transparent huge pages (``madvise(MADV_HUGEPAGE)``) for arrays
of 4 MiB and more, but only the 2 MiB-aligned whole huge pages inside an array can be
huge: a 4 MB array at a random address holds at most one, and the rest of it, and every
array under 4 MiB, is faulted in 4 KiB at a time.

:func:`empty` allocates results of ``HUGE_MIN_BYTES`` and more at a 2 MiB boundary inside
a buffer large enough for numpy to advise, so the whole result lies in whole huge pages
(3 faults instead of 945 for the 4 MB result above, 5.0 -> 3.8 ms).  The result is then
a view of that ``uint8`` buffer (``result.base``), like the results of ``np.moveaxis``;
the buffer's unused head is never touched and costs address space only.  Where numpy
does not advise huge pages (another OS, or ``_set_madvise_hugepage(False)``), it is a
plain ``np.empty``.

**Buffers are reused.**  On the same machine, memory a process has freed is handed back to
the host within about a second (free page reporting), and faulting it in again then
costs far more: a bank of 16 kernels on a 2048x2048 image (a 256 MB result) took 0.087 s
when called back to back, but 0.23-0.52 s after the process had slept 1-5 s, the extra
all in system time (0.33-0.65 s against 0.03).  So :func:`empty` keeps the huge-page
buffers it made, up to the ``result_pool_bytes`` option (:func:`sigconv.fft.set_options`),
and hands one out again once no array refers to it any more (its reference count, taken
under a lock, shows it), instead of asking the system for fresh memory.  What a buffer
held before is not cleared: results from :func:`empty` are uninitialized, as from
``np.empty``.  Least recently used buffers are dropped first when the bound is reached.
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


def empty(shape, dtype):
    """An uninitialized C-contiguous array of ``shape`` and ``dtype``, starting on a
    huge-page boundary when it is large enough to gain from huge pages."""
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
                _keep(buf)
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


def _keep(buf):
    """Keep ``buf``, then drop least recently used buffers beyond the bound (unused ones
    first: one still in use is only forgotten, and freed when its arrays go)."""
    from .fft.backend import result_pool_limit
    limit = result_pool_limit()
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


def zeros(shape, dtype):
    """:func:`empty` filled with zeros."""
    out = empty(shape, dtype)
    out.fill(0)
    return out
