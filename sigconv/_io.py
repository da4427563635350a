"""File input and output for the ``sigconv`` command line.

Formats are recognised by their content (magic bytes), never by the file name: ``.npy``,
``.npz`` (zip), PNG, JPEG, GIF, TIFF and BMP images (decoded by Pillow, which matplotlib
installs), and anything else that is text is read as CSV.  A name whose extension promises
another format than the content is refused, so a PNG renamed ``x.npy`` is reported rather
than misread.

Safety rules:

* ``.npy``/``.npz`` are read with ``allow_pickle=False``; an object array is refused with a
  message that says pickled data is not accepted, before any of it is decoded.
* An image's declared size is checked against ``max_pixels`` before its pixels are decoded
  (decompression bombs); Pillow's own ``MAX_IMAGE_PIXELS`` guard is set to the same limit.
* Writes go to a temporary file in the destination directory and are moved into place with
  ``os.replace``; an existing output is only replaced with ``force=True``.

Every problem raises :class:`FileProblem` with a one-line message naming the file.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import numpy as np

from ._files import FileProblem, atomic_write, head, sniff
from ._image_io import LUMA_WEIGHTS, load_image, save_image

__all__ = ["FileProblem", "sniff", "load_array", "save_array", "check_output",
           "atomic_write", "DEFAULT_MAX_PIXELS", "LUMA_WEIGHTS"]

DEFAULT_MAX_PIXELS = 89_478_485
"""Pillow's default ``MAX_IMAGE_PIXELS`` (about 0.25 GB for 24-bit RGB)."""

IMAGE_FORMATS = ("png", "jpeg", "gif", "tiff", "bmp")
EXTENSIONS = {".npy": "npy", ".npz": "npz", ".csv": "csv", ".txt": "csv", ".png": "png",
              ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".tif": "tiff",
              ".tiff": "tiff", ".bmp": "bmp"}
SAVE_FORMATS = ("npy", "npz", "csv", "png", "jpeg")


# ----------------------------------------------------------------------------- reading

def load_array(path: str | os.PathLike, *, key: str | None = None, gray: bool = False,
               max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an array from ``.npy``, ``.npz``, CSV or an image, recognised by content.

    Parameters
    ----------
    path : str or path-like
    key : str, optional
        Which array of an ``.npz`` archive (default: its only array).
    gray : bool
        Convert colour images to luminance with :data:`LUMA_WEIGHTS` (float64, values in
        the image's own range).  Without it colour images are ``(H, W, 3)`` or ``(H, W, 4)``.
    max_pixels : int or None
        Refuse images declaring more pixels than this, before decoding them.

    Returns
    -------
    ndarray

    Notes
    -----
    Image modes: 8-bit grey ``L`` -> uint8, 16-bit ``I;16*`` -> uint16 (range kept), 32-bit
    ``I`` -> int32, ``F`` -> float32, 1-bit -> bool, palette -> RGB or RGBA, CMYK/YCbCr/LAB/HSV
    -> RGB, ``LA`` -> ``(H, W, 2)``; multi-frame files give their first frame; the EXIF
    orientation is applied.  ``--gray`` computes :math:`Y = 0.299 R + 0.587 G + 0.114 B`
    (alpha dropped).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), 'a.csv')
    >>> _ = open(p, 'w').write('1, 2, 3\\n4, 5, 6\\n')
    >>> load_array(p)
    array([[1, 2, 3],
           [4, 5, 6]])
    """
    fmt = sniff(path)
    claimed = EXTENSIONS.get(Path(path).suffix.lower())
    both_images = claimed in IMAGE_FORMATS and fmt in IMAGE_FORMATS
    if claimed is not None and claimed != fmt and not both_images:
        raise FileProblem(f"'{path}' is not a {claimed.upper()} file (content starts with "
                          f"{head(path)[:8]!r}: {_describe(fmt)})")
    if fmt == "npy":
        return _load_npy(path)
    if fmt == "npz":
        return _load_npz(path, key)
    if fmt == "csv":
        return _load_csv(path)
    return load_image(path, gray=gray, max_pixels=max_pixels)


def _describe(fmt):
    return {"csv": "text", "npz": "a zip/NPZ archive", "npy": "a NPY array"}.get(
        fmt, f"a {fmt.upper()} image")


def _load_npy(path):
    with open(path, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                      else np.lib.format.read_array_header_2_0)
            shape, _, dtype = reader(f)
        except ValueError as exc:
            raise FileProblem(f"'{path}' has a corrupt NPY header ({exc})") from None
        _refuse_objects(path, dtype, "the array")
        expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
        available = os.fstat(f.fileno()).st_size - f.tell()
        if available < expected:
            raise FileProblem(f"'{path}' is truncated: shape {shape} {dtype} needs {expected} "
                              f"bytes of data, the file holds {available}")
    return np.load(path, allow_pickle=False)


def _refuse_objects(path, dtype, what):
    if dtype.hasobject:
        raise FileProblem(f"'{path}': {what} has dtype object; pickled data is not accepted "
                          "(allow_pickle=False)")


def _load_npz(path, key):
    try:
        with np.load(path, allow_pickle=False) as npz:
            names = list(npz.files)
            if key is None:
                if len(names) != 1:
                    raise FileProblem(f"'{path}' holds {len(names)} arrays {names}; choose one "
                                      "with --key")
                key = names[0]
            if key not in names:
                raise FileProblem(f"'{path}' has no array {key!r}; it holds {names}")
            try:
                return npz[key]
            except ValueError as exc:
                if "pickle" in str(exc):
                    raise FileProblem(f"'{path}': array {key!r} has dtype object; pickled data "
                                      "is not accepted (allow_pickle=False)") from None
                raise FileProblem(f"'{path}': array {key!r} is corrupt ({exc})") from None
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise FileProblem(f"'{path}' is not a readable NPZ archive ({exc})") from None


def _load_csv(path):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(f"'{path}' is neither a known binary format nor UTF-8 text "
                          f"(byte {exc.start})") from None
    rows, first = [], None
    for lineno, line in enumerate(text.splitlines(), start=1):
        body = line.split("#", 1)[0]
        if not body.strip():
            continue
        values = _csv_row(path, lineno, body)
        if first is None:
            first = (lineno, len(values))
        elif len(values) != first[1]:
            raise FileProblem(f"{path}:{lineno}:1: row has {len(values)} values, expected "
                              f"{first[1]} like line {first[0]}")
        rows.append(values)
    if not rows:
        raise FileProblem(f"'{path}' holds no numbers")
    ints = all(isinstance(v, int) for row in rows for v in row)
    arr = np.array(rows, dtype=np.int64 if ints else np.float64)
    return arr[0] if arr.shape[0] == 1 else arr


def _csv_row(path, lineno, body):
    """The numbers of one CSV line (comma, semicolon or whitespace separated)."""
    sep = "," if "," in body else (";" if ";" in body else None)
    if sep is None:
        return [_number(path, lineno, m.start() + 1, m.group())
                for m in re.finditer(r"\S+", body)]
    values, start = [], 0
    for piece in body.split(sep):
        column = start + len(piece) - len(piece.lstrip()) + 1
        values.append(_number(path, lineno, column, piece.strip()))
        start += len(piece) + 1
    return values


def _number(path, lineno, column, token):
    if not token:
        raise FileProblem(f"{path}:{lineno}:{column}: empty value")
    try:
        return int(token)
    except ValueError:
        pass
    try:
        return float(token)
    except ValueError:
        raise FileProblem(f"{path}:{lineno}:{column}: cannot read {token!r} as a number") from None


# ----------------------------------------------------------------------------- writing

def output_format(path: str | os.PathLike) -> str:
    """The format an output file is written in, from its extension.

    Examples
    --------
    >>> output_format('edges.png')
    'png'
    """
    fmt = EXTENSIONS.get(Path(path).suffix.lower())
    if fmt not in SAVE_FORMATS:
        allowed = ", ".join(sorted(e for e, f in EXTENSIONS.items() if f in SAVE_FORMATS))
        raise FileProblem(f"output '{path}': cannot tell the format from its extension; use "
                          f"one of {allowed}", exit_code=2)
    return fmt


def check_output(path: str | os.PathLike, *, force: bool = False) -> Path:
    """Refuse, before any work, an output that exists (without ``force``) or has no directory.

    Examples
    --------
    >>> check_output('new-file-that-does-not-exist.npy').name
    'new-file-that-does-not-exist.npy'
    """
    p = Path(path)
    if p.is_dir():
        raise FileProblem(f"output '{path}' is a directory", exit_code=2)
    if p.exists() and not force:
        raise FileProblem(f"output file '{path}' exists; use --force to overwrite it",
                          exit_code=2)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise FileProblem(f"output directory '{parent}' does not exist", exit_code=2)
    output_format(p)
    return p


def save_array(path: str | os.PathLike, arr: np.ndarray, *, force: bool = False) -> str:
    """Write ``arr`` atomically in the format named by the extension of ``path``.

    Parameters
    ----------
    path : str or path-like
        ``.npy``, ``.npz`` (one array named ``'arr_0'``), ``.csv`` (1-D or 2-D), ``.png``
        or ``.jpg``.
    arr : ndarray
    force : bool
        Replace an existing file.

    Returns
    -------
    str
        A note on a conversion that was made (image scaling), or ``''``.

    Notes
    -----
    Images: uint8 (and bool) arrays are written as they are; integer arrays within
    0..65535 as 16-bit PNG; anything else (floats, negatives) is scaled linearly from its
    minimum..maximum to 0..255.  A complex array is written as its magnitude ``|z|``, with
    a :class:`~sigconv.ConversionWarning` that says so.

    Examples
    --------
    >>> import tempfile, os, numpy as np
    >>> p = os.path.join(tempfile.mkdtemp(), 'y.npy')
    >>> save_array(p, np.arange(3))
    ''
    >>> np.load(p)
    array([0, 1, 2])
    """
    check_output(path, force=force)
    fmt = output_format(path)
    arr = np.asarray(arr)
    if fmt == "npy":
        atomic_write(path, lambda f: np.save(f, arr, allow_pickle=False))
        return ""
    if fmt == "npz":
        atomic_write(path, lambda f: np.savez(f, arr_0=arr))
        return ""
    if fmt == "csv":
        if arr.ndim > 2 or arr.dtype.kind == "c":
            raise FileProblem(f"output '{path}': CSV holds real 1-D or 2-D arrays; got shape "
                              f"{arr.shape} {arr.dtype} (use .npy)")
        fmt_spec = "%d" if arr.dtype.kind in "biu" else "%.17g"
        atomic_write(path, lambda f: np.savetxt(f, np.atleast_2d(arr), fmt=fmt_spec, delimiter=","))
        return ""
    return save_image(path, arr, fmt)
