"""A record of FFTW_ESTIMATE plans for the transforms the engines choose most.

FFTW_ESTIMATE measures nothing, but it still searches FFTW's solvers for every transform
a process has not planned yet: 1-4 ms for lengths 512 to 16384 here, 5-7 ms for 11520 to
138240 and 1-2.5 ms for squares of 264 to 384, where the transforms themselves take
5-300 us (benchmarks/README.md).  The search leaves its solution in FFTW's wisdom, and
imported back, that wisdom rebuilds the same plan in 0.05-0.2 ms.  The record keeps it:
the wisdom one clean ESTIMATE planning leaves, per real dtype and size, of the one-thread
transforms

* of every kind over one axis, batches of 1, 2 and 3 rows, for every length
  :func:`~sigconv.fft.cheapest_len` returns below :data:`LIMIT` (the lengths of 1-D
  transforms and overlap-save rows), and
* real-to-complex and back over two axes of equal length, for every fast length whose
  square is below :data:`LIMIT` (the single transforms and tiles of square images).
  Complex ones are left out: their estimated plans are the slow ones the plan cache
  sends to scipy.fft (:mod:`~sigconv.fft.plans`; 384^2 complex128 4.7 ms with the
  estimated plan, 1.55 ms in pocketfft).

Before :class:`~sigconv.fft.plans.PlanCache` plans a one-thread ESTIMATE transform of
those shapes (batches included), :func:`prime` imports that one entry.

sigconv ships a record (``sigconv/data/fftw_estimates.bin``, written by :func:`write`).
It is used where FFTW accepts its header (the same FFTW build) and the processor has every
SIMD instruction set its codelets use; elsewhere FFTW plans as before.  Either way each
transform is planned one way in a process, and processes with the same record and wisdom
plan alike (so they compute the same bits).
"""

import bisect
import json
import os
import pathlib
import re
import tempfile
import zlib

import numpy as np

from .. import _runtime

__all__ = ["LIMIT", "SHIPPED", "load", "prime", "write", "read", "entry", "lengths",
           "sides", "aligned_buffers", "aligned"]

#: transforms of this many points and more take milliseconds and run on threads
#: (:data:`sigconv.engines.fft.THREAD_MIN_ELEMENTS`): their planning is not recorded
LIMIT = 1 << 18
#: the record sigconv ships
SHIPPED = pathlib.Path(__file__).resolve().parent.parent / "data" / "fftw_estimates.bin"
KINDS = ("r2c", "c2r", "fwd", "inv")
DTYPES = ("<f8", "<f4")
#: batches planned per length: one row, and the even and odd batches whose planning
#: searches further (pairs of float32 rows share SIMD registers)
ROWS = (1, 2, 3)
_FORMAT = 3
#: the instruction sets (cpuinfo flags) each suffix of an FFTW codelet's name needs
_SIMD = {"sse2": ("sse2",), "avx": ("avx",), "avx_128_fma": ("avx", "fma"),
         "avx2": ("avx", "avx2"), "avx2_128": ("avx", "avx2"), "avx512": ("avx512f",)}
_state = {}


def lengths(limit=LIMIT):
    """The transform lengths below ``limit`` that :func:`~sigconv.fft.cheapest_len`
    returns, sorted.

    Examples
    --------
    >>> from sigconv.fft.plan_record import lengths
    >>> lengths(64)
    [2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 60]
    """
    from .lengths import cheapest_len
    return sorted({m for n in range(2, limit) if (m := cheapest_len(n)) < limit})


def sides(limit=LIMIT):
    """The fast lengths whose square is below ``limit``, sorted (the recorded squares).

    Examples
    --------
    >>> from sigconv.fft.plan_record import sides
    >>> sides(200)
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    """
    from .lengths import _FAST_LIST
    return [n for n in _FAST_LIST if 2 <= n and n * n < limit]


def prime(real_str, nsp, n):
    """Import the recorded wisdom of the one-thread transforms of every kind over ``nsp``
    axes of length ``n`` (``real_str``: their real dtype, ``'<f8'`` or ``'<f4'``) before
    one of them is planned, once per process.  Call with
    :data:`~sigconv.fft.wisdom.PLANNER_LOCK` held.  Returns whether wisdom was imported."""
    primed = _state.setdefault("primed", set())
    if (real_str, nsp, n) in primed:
        return False
    primed.add((real_str, nsp, n))
    record = load()
    text = None if record is None else entry(record, real_str, nsp, n)
    if text is None:
        return False
    precision = DTYPES.index(real_str)
    if not _import(precision, text):
        _state["record"] = None          # another FFTW build: FFTW refused the header
        return False
    return True


def load():
    """The shipped record (its index: :func:`read`), read once per process, or None where
    it is unreadable or this processor lacks an instruction set its codelets use.  The
    import's warm-up reads it (0.1-0.15 ms), so that a first transform does not."""
    record = _state.get("record", False)
    if record is False:
        record = _state["record"] = _usable(read(SHIPPED))
    return record


def _import(precision, text):
    """Import wisdom ``text`` of one precision (0: double, 1: single) into FFTW.  The
    other two precisions get an empty string, which FFTW refuses before checking its
    configuration (a check of 0.3 ms per precision)."""
    blobs = [b"", b"", b""]
    blobs[precision] = text
    return _runtime.pyfftw().import_wisdom(tuple(blobs))[precision]


def read(path):
    """The record at ``path`` as a dict (``headers``, ``simd``, ``index``: per section its
    sizes and entry offsets as int64 arrays, and ``path`` and ``start`` of its entries),
    or None where there is no readable record of this format.  Only the index is read;
    :func:`entry` reads one entry.

    The file is a line of JSON (format, FFTW's wisdom headers, the SIMD flags, and per
    section ``"<real> <nsp>"`` its entry count ``c``), then per section ``c`` sizes and
    ``c + 1`` entry offsets as little-endian int64 (an index of numbers JSON would take
    0.17 ms to parse), then the zlib-compressed entries end to end.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.readline()
            meta = json.loads(head)
            if meta.get("format") != _FORMAT:
                return None
            counts = [int(c) for _, c in meta["sections"]]
            size = 8 * sum(2 * c + 1 for c in counts)
            numbers = np.frombuffer(fh.read(size), dtype="<i8")
        if numbers.size * 8 != size:
            return None
        index, at = {}, 0
        for (key, _), c in zip(meta["sections"], counts):
            index[key] = (numbers[at:at + c], numbers[at + c:at + 2 * c + 1])
            at += 2 * c + 1
        return {"headers": meta["headers"], "simd": frozenset(meta["simd"]),
                "index": index, "path": path, "start": len(head) + size}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def entry(record, real_str, nsp, n):
    """The recorded wisdom text (bytes, with its header) of the transforms over ``nsp``
    axes of length ``n`` and real dtype ``real_str``, or None where the record has none.

    Examples
    --------
    >>> from sigconv.fft import plan_record
    >>> record = plan_record.read(plan_record.SHIPPED)
    >>> plan_record.entry(record, '<f8', 1, 480).startswith(b'(fftw-')
    True
    >>> plan_record.entry(record, '<f8', 1, 481) is None
    True
    """
    sizes, offsets = record["index"].get(f"{real_str} {nsp}", ((), ()))
    i = bisect.bisect_left(sizes, n)
    if i == len(sizes) or sizes[i] != n:
        return None
    begin, end = int(offsets[i]), int(offsets[i + 1])
    try:
        with open(record["path"], "rb") as fh:
            fh.seek(record["start"] + begin)
            body = zlib.decompress(fh.read(end - begin))
    except (OSError, zlib.error):
        return None
    header = record["headers"][DTYPES.index(real_str)]
    return (header + "\n").encode("ascii") + body


def _usable(record):
    """``record`` if this processor runs every instruction set its codelets use."""
    if record is None or _runtime.pyfftw() is None or not record["simd"] <= _runtime.simd_flags():
        return None
    return record


def write(path, limit=LIMIT, progress=None):
    """Plan the transforms of the record (the one-axis ones of :func:`lengths`, each kind,
    and the real squares of :func:`sides` below ``limit``) with FFTW_ESTIMATE, float64 and
    float32, one thread, from clean wisdom per size and dtype, and write the wisdom each
    leaves to ``path`` (atomically).  The process's wisdom is restored afterwards.
    ``progress(done, total)`` is called after each size.

    Returns
    -------
    int
        Entries written.
    """
    pyfftw = _runtime.pyfftw()
    from .wisdom import PLANNER_LOCK
    shapes = [(1, n, ROWS) for n in lengths(limit)] + [(2, n, (1,)) for n in sides(limit)]
    sections, sizes, codelets = {}, {}, set()
    with PLANNER_LOCK:
        kept = pyfftw.export_wisdom()
        headers = [blob.decode("ascii").split("\n", 1)[0] for blob in kept]
        try:
            for done, (nsp, n, batches) in enumerate(shapes, 1):
                for real in DTYPES:
                    pyfftw.forget_wisdom()
                    for kind in (KINDS if nsp == 1 else KINDS[:2]):
                        for rows in batches:
                            _plan(pyfftw, kind, (rows,) + (n,) * nsp, nsp, np.dtype(real))
                    body = pyfftw.export_wisdom()[DTYPES.index(real)].decode("ascii")
                    body = body.split("\n", 1)[1]
                    codelets.update(re.findall(r"fftw_codelet_(\w+)", body))
                    key = f"{real} {nsp}"
                    sections.setdefault(key, []).append(zlib.compress(body.encode("ascii"), 9))
                    sizes.setdefault(key, []).append(n)
                if progress is not None:
                    progress(done, len(shapes))
        finally:
            pyfftw.forget_wisdom()
            pyfftw.import_wisdom(kept)
    numbers, offset = [], 0
    for key, chunks in sections.items():          # a section's chunks lie end to end
        ends = np.cumsum([0] + [len(c) for c in chunks]) + offset
        numbers += sizes[key] + ends.tolist()
        offset = int(ends[-1])
    simd = sorted({flag for name in codelets for suffix, needs in _SIMD.items()
                   if name.endswith("_" + suffix) for flag in needs})
    meta = {"format": _FORMAT, "headers": headers, "simd": simd,
            "sections": [[key, len(chunks)] for key, chunks in sections.items()]}
    data = b"".join(c for chunks in sections.values() for c in chunks)
    blob = json.dumps(meta, separators=(",", ":")).encode("ascii") + b"\n" + \
        np.asarray(numbers, dtype="<i8").tobytes() + data
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".fftw-estimates-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return sum(map(len, sections.values()))


def aligned_buffers(pyfftw, kind, shape, real):
    """``(input, output, direction)`` of an FFTW transform ``kind`` ('r2c', 'c2r', 'fwd',
    'inv') over ``shape`` real points of dtype ``real``: SIMD-aligned arrays (half
    spectra on the last axis for the real kinds)."""
    cplx = np.result_type(real, np.complex64)
    half = shape[:-1] + (shape[-1] // 2 + 1,)
    ins = {"r2c": (shape, real), "c2r": (half, cplx)}.get(kind, (shape, cplx))
    outs = {"r2c": (half, cplx), "c2r": (shape, real)}.get(kind, (shape, cplx))
    direction = "FFTW_BACKWARD" if kind in ("c2r", "inv") else "FFTW_FORWARD"
    return aligned(pyfftw, *ins), aligned(pyfftw, *outs), direction


def aligned(pyfftw, shape, dtype, keep=False):
    """An uninitialized SIMD-aligned array (``keep``: from and for the result pool,
    :func:`sigconv._runtime.empty`): on whole huge pages from 2 MiB
    (:mod:`sigconv._alloc`; the memory it takes is then up to one huge page more than
    its bytes), else pyFFTW's aligned allocation.  A plan's buffers are first written
    by its first transform: 2.4 MB faulted in 0.5-0.8 ms in small pages, 0.2-0.4 ms in
    huge ones (first 64^3 x 3^3 float64 call 12.9 -> 11.7 ms, 1024^2 x 129^2 'full'
    25.6 -> 22.9 ms)."""
    buf = _runtime.empty(shape, dtype, keep=keep)
    if buf.ctypes.data % pyfftw.simd_alignment:      # (a plain np.empty: small, or no
        buf = pyfftw.empty_aligned(shape, dtype=dtype)   # huge pages from numpy)
    return buf


def _plan(pyfftw, kind, shape, nsp, real):
    a, b, direction = aligned_buffers(pyfftw, kind, shape, real)
    pyfftw.FFTW(a, b, axes=tuple(range(-nsp, 0)), direction=direction, threads=1,
                flags=("FFTW_ESTIMATE", "FFTW_DESTROY_INPUT"))
