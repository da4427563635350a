"""FFTW wisdom: measured plans saved to a text file and loaded in later processes.

A file records the FFTW version and host; :func:`load_wisdom` refuses files from another
FFTW build, and truncated or foreign files, with a :class:`~sigconv.WisdomError`.
Writing is atomic (a temporary file, then ``os.replace``): a failed write leaves the old
file intact.  :func:`autoload` loads the per-user file that ``sigconv tune`` wrote, once
per process, before the first plan is made.
"""

import contextlib
import os
import socket
import tempfile
import threading
import warnings

from .. import _runtime
from .._errors import WisdomError

__all__ = ["save_wisdom", "load_wisdom", "autoload", "generation", "PLANNER_LOCK",
           "WISDOM_FILE"]

#: FFTW's planner (and its wisdom) is not thread-safe: every planning, import and export
#: runs under this lock
PLANNER_LOCK = threading.Lock()
#: the wisdom file's name in :func:`sigconv._runtime.cache_dir`
WISDOM_FILE = "wisdom.txt"
_autoloaded = []
#: wisdom imports so far (:func:`generation`)
_loads = [0]


_MAGIC = "# sigconv FFTW wisdom 1"
_SECTIONS = ("double", "single", "longdouble")


def _fftw_version():
    pyfftw = _runtime.pyfftw()
    head = pyfftw.export_wisdom()[0].split(b" ")[0]
    return head.lstrip(b"(").decode("ascii", "replace")


def _require_pyfftw(func):
    if _runtime.pyfftw() is None:
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
    _require_pyfftw("save_wisdom")
    pyfftw = _runtime.pyfftw()
    path = os.fspath(path)
    with PLANNER_LOCK:
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
    func = "load_wisdom"
    _require_pyfftw(func)
    pyfftw = _runtime.pyfftw()
    sections = _parse_wisdom(os.fspath(path), func)
    blobs = tuple(sections[name].encode("ascii") for name in _SECTIONS)
    with PLANNER_LOCK:
        accepted = pyfftw.import_wisdom(blobs)
        _loads[0] += 1
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


def generation():
    """How many wisdom files this process has loaded: a transform found without wisdom
    is looked up again after the next one."""
    return _loads[0]


def autoload():
    """Load the wisdom file of :func:`sigconv._runtime.cache_dir` once per process
    (call with PLANNER_LOCK *not* held).  A missing file is no error; an unusable one is
    skipped with a RuntimeWarning (importing or using sigconv never fails because of
    wisdom)."""
    if _autoloaded:
        return
    _autoloaded.append(True)
    path = _runtime.cached_file(WISDOM_FILE)
    if not os.path.exists(path) or _runtime.pyfftw() is None:
        return
    try:
        load_wisdom(path)
    except WisdomError as exc:
        warnings.warn(f"sigconv: FFTW wisdom not loaded: {exc}", RuntimeWarning, stacklevel=3)
