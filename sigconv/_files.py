"""Files at the lowest level: what a file is (by its first bytes), how it is written
(atomically), and the one error every file problem raises.

Shared by :mod:`sigconv._io` (arrays) and :mod:`sigconv._image_io` (images), which import
it and not each other's internals.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from ._errors import SigconvError

__all__ = ["FileProblem", "sniff", "head", "atomic_write", "MAGIC"]

MAGIC = (
    (b"\x93NUMPY", "npy"),
    (b"PK\x03\x04", "npz"),
    (b"PK\x05\x06", "npz"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
)

class FileProblem(SigconvError, OSError):
    """A file that cannot be read or written as asked (the message names the file).

    ``exit_code`` is 2 for problems with the command line itself (an input path that does
    not exist or is a directory, an output that exists or has no directory) and 1 for
    problems found while running (content, permissions, failed writes).
    """

    def __init__(self, message, *, exit_code=1):
        super().__init__(message)
        self.exit_code = exit_code

    def __str__(self):
        return self.args[0]


def sniff(path: str | os.PathLike) -> str:
    """The format of ``path`` judged by its first bytes.

    Parameters
    ----------
    path : str or path-like
        An existing, readable file.

    Returns
    -------
    str
        One of ``'npy'``, ``'npz'``, ``'png'``, ``'jpeg'``, ``'gif'``, ``'tiff'``, ``'bmp'``,
        ``'csv'`` (text).

    Raises
    ------
    FileProblem
        Missing, a directory, unreadable, empty, or binary data of no known format.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> np.save(os.path.join(d, 'a.npy'), np.arange(3))
    >>> sniff(os.path.join(d, 'a.npy'))
    'npy'
    """
    first = head(path)
    for magic, fmt in MAGIC:
        if first.startswith(magic):
            return fmt
    if b"\x00" in first:
        raise FileProblem(f"'{path}' is not a recognised file format (starts with {first[:8]!r}); "
                          "expected .npy, .npz, CSV text or a PNG/JPEG/GIF/TIFF/BMP image")
    return "csv"


def head(path):
    """The first 16 bytes of an existing, readable, non-empty file (FileProblem else)."""
    p = Path(path)
    if not p.exists():
        raise FileProblem(f"input file '{path}' not found", exit_code=2)
    if p.is_dir():
        raise FileProblem(f"input '{path}' is a directory, not a file", exit_code=2)
    try:
        with open(p, "rb") as f:
            first = f.read(16)
    except PermissionError:
        raise FileProblem(f"input file '{path}': permission denied") from None
    except OSError as exc:
        raise FileProblem(f"input file '{path}': {exc.strerror or exc}") from None
    if not first:
        raise FileProblem(f"input file '{path}' is empty")
    return first


def atomic_write(path: str | os.PathLike, write: Callable[[object], None]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then ``os.replace`` it.

    Nothing is left behind on failure: the temporary file is removed and an existing
    ``path`` is untouched.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), 'x.txt')
    >>> atomic_write(p, lambda f: f.write(b'ok'))
    >>> open(p).read()
    'ok'
    """
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(p))
        os.replace(tmp, p)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise FileProblem(f"cannot write '{path}': {exc.strerror or exc}") from None
        raise


def _file_mode(path):
    """The mode a new file would get (0o666 less the umask), or the existing file's mode."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
