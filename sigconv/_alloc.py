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
"""

import math

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
    pages = -(-nbytes // HUGE_PAGE)
    buf = np.empty(max((pages + 1) * HUGE_PAGE, _NUMPY_ADVISES), np.uint8)
    start = -buf.ctypes.data % HUGE_PAGE
    return buf[start:start + nbytes].view(dtype).reshape(shape)


def zeros(shape, dtype):
    """:func:`empty` filled with zeros."""
    out = empty(shape, dtype)
    out.fill(0)
    return out
