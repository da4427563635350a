"""What the subcommands of ``sigconv`` share: errors, argument types, option groups, files.

Each option group is added only to the subcommands where it acts: ``-o/--output`` and
``--force`` where files are written, ``--max-pixels`` where files (possibly images) are
read, ``--gray`` where colour images may be read.
"""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np

from . import _io, _progress, _validate as V
from ._digits import MissingModule, optional
from ._errors import ConversionWarning, SigconvError


class UsageProblem(SigconvError, ValueError):
    """A command line that cannot run as written (exit status 2)."""


# ----------------------------------------------------------------------------- helpers

def need(module: str, command: str):
    """Import ``module`` for ``command``, or fail (exit 1) with one clear line."""
    found = optional(module)
    if found is None:
        raise MissingModule(f"'sigconv {command}' needs {module}, which is not available in "
                            "this installation")
    return found


def say(args, *parts) -> None:
    """A status line on stderr (above any progress bar), unless --quiet."""
    if not getattr(args, "quiet", False):
        _progress.write(" ".join(str(p) for p in parts), file=sys.stderr)


def _typed(convert, check, expected):
    """An argparse type: ``convert(text)``, refused (exit 2) unless ``check(value)``."""
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not check(value):
            raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
        return value
    parse.__name__ = expected
    return parse


def _tuple(item):
    return lambda text: tuple(item(t) for t in text.split(",") if t.strip())


ints = _typed(_tuple(int), lambda v: len(v) > 0, "comma-separated integers")
sizes = _typed(_tuple(int), lambda v: len(v) > 0 and min(v) >= 1,
               "comma-separated integers >= 1")
floats = _typed(_tuple(float), lambda v: len(v) > 0, "comma-separated numbers")
positive = _typed(float, lambda v: v > 0 and np.isfinite(v), "a number > 0")
count = _typed(int, lambda v: v >= 1, "an integer >= 1")
frequencies = _typed(_tuple(float), lambda v: len(v) > 0 and min(v) > 0,
                     "comma-separated frequencies > 0")
gabor_pair = _typed(_tuple(float), lambda v: len(v) == 2 and v[0] > 0,
                    "FREQUENCY,THETA with FREQUENCY > 0")


def center_arg(text: str):
    """``'scipy'``, ``'ndimage'`` or comma-separated anchor taps."""
    return text if text in V.CENTERS else ints(text)


def load(args, path: str, *, key: str | None = None, gray: bool = False) -> np.ndarray:
    return _io.load_array(path, key=key, gray=gray,
                          max_pixels=getattr(args, "max_pixels", _io.DEFAULT_MAX_PIXELS))


def load_gray(args, path: str) -> np.ndarray:
    """An image as luminance; a colour image is converted with a warning unless --gray."""
    arr = load(args, path)
    if arr.ndim == 3 and _io.sniff(path) in _io.IMAGE_FORMATS:
        from ._image_io import luminance
        if not args.gray:
            warnings.warn(f"'{path}' is a colour image {arr.shape}; using its luminance "
                          "0.299 R + 0.587 G + 0.114 B (--gray asks for this without the "
                          "warning)", ConversionWarning, stacklevel=2)
        arr = luminance(arr)
    return arr


def save(args, path: str, arr: np.ndarray) -> None:
    note = _io.save_array(path, arr, force=args.force)
    if note:
        say(args, f"note: {path}: {note}")
    say(args, f"wrote {path} ({'x'.join(map(str, np.shape(arr))) or 'scalar'}, {arr.dtype})")


def per_channel(image: np.ndarray, kernel: np.ndarray):
    """(kernel, axes) that apply a 2-D kernel to each channel of an (H, W, C) image."""
    if image.ndim == kernel.ndim + 1 and image.ndim == 3:
        return kernel[..., None], (0, 1)
    return kernel, None


def op_options(args) -> dict:
    """The convolve/correlate keyword options a command line asked for."""
    one = lambda t: t[0] if len(t) == 1 else t
    options = dict(boundary=args.boundary, center=args.center, stride=one(args.stride),
                   dilation=one(args.dilation))
    if hasattr(args, "fillvalue"):
        options["fillvalue"] = args.fillvalue
    return options


# ----------------------------------------------------------------------------- option groups

def add_output(p, *, required=True, metavar="OUT", what="the result", default=None):
    """``-o/--output`` and ``--force`` (only on commands that write files)."""
    if required:
        text = f"where {what} goes; its extension chooses the format (required)"
    elif default is None:
        text = f"where {what} goes (default: not written)"
    else:
        text = f"where {what} goes (default: %(default)s)"
    p.add_argument("-o", "--output", required=required, metavar=metavar, default=default,
                   help=text)
    p.add_argument("--force", action="store_true",
                   help="replace existing output files (default: refuse, exit status 2)")


def add_images(p):
    """``--max-pixels`` (only on commands that read files, which may be images)."""
    p.add_argument("--max-pixels", type=count, default=_io.DEFAULT_MAX_PIXELS, metavar="N",
                   help="refuse images declaring more pixels than N, before decoding them "
                        "(default: %(default)s, Pillow's limit)")


def add_gray(p, what):
    p.add_argument("--gray", action="store_true",
                   help=f"{what} colour images as BT.601 luminance 0.299 R + 0.587 G + "
                        "0.114 B")


def add_boundary(p, default):
    p.add_argument("--boundary", choices=list(V.BOUNDARIES) + sorted(V.BOUNDARY_ALIASES),
                   default=default, metavar="RULE",
                   help="how the input extends beyond its edges: constant, reflect, mirror, "
                        "nearest, wrap (scipy.ndimage names) or an alias such as symmetric "
                        "(default: %(default)s)")


def add_op(p, *, fill=True):
    """The options of sigconv.convolve shared by ``convolve`` and ``matrix`` (``fill``:
    with ``--fillvalue``, which a matrix cannot take: a nonzero fill is not linear)."""
    p.add_argument("--mode", choices=V.MODES, default="full",
                   help="output extent: full (n+k-1), same (n), valid (n-k+1) samples per "
                        "axis (default: %(default)s)")
    add_boundary(p, "constant")
    if fill:
        p.add_argument("--fillvalue", type=float, default=0.0, metavar="VALUE",
                       help="value outside the input with --boundary constant, in the "
                            "input's units (default: %(default)s)")
    p.add_argument("--center", type=center_arg, default="scipy", metavar="ANCHOR",
                   help="anchor of 'same' mode: scipy, ndimage, or kernel taps per axis "
                        "like 1,0 (default: %(default)s)")
    p.add_argument("--stride", type=sizes, default=(1,), metavar="S",
                   help="output step in samples, one value or one per axis (default: 1)")
    p.add_argument("--dilation", type=sizes, default=(1,), metavar="D",
                   help="spacing of kernel taps in samples, one value or one per axis "
                        "(default: 1)")
    p.add_argument("--correlate", action="store_true",
                   help="cross-correlate (no kernel flip, conjugated kernel) instead of "
                        "convolving")
