"""The ``sigconv`` command line.

Subcommands: ``convolve``, ``filter``, ``edges``, ``gabor``, ``matrix``, ``check``, ``train``,
``bench`` and ``demo``.  Inputs are ``.npy``, ``.npz``, CSV or PNG/JPEG/GIF/TIFF/BMP images,
recognised by content (see :mod:`sigconv._io`); outputs take their format from their
extension, are never overwritten without ``--force`` and are written atomically.

Exit status: 0 on success; 1 when running fails (unreadable or invalid file content, a
computation error, a failed write, a module that is not installed); 2 for usage errors (bad
options, an input path that does not exist or is a directory, an output that exists without
``--force``, a missing output directory).  Errors print one line, ``sigconv: error: ...``;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from typing import Callable, Sequence

import numpy as np

from . import _io, _validate as V
from ._errors import SigconvError

LONG_WORK = 10 ** 9   # element products above which a convolution shows progress lines
EPILOG = ("exit status: 0 success, 1 runtime failure, 2 usage error. "
          "Add --debug to see a traceback.")


class UsageProblem(SigconvError, ValueError):
    """A command line that cannot run as written (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``sigconv: error: ...`` and exit status 2."""

    def error(self, message):
        self.exit(2, f"sigconv: error: {message} (see '{self.prog} --help')\n")


# ----------------------------------------------------------------------------- helpers

def need(module: str, command: str):
    """Import ``module`` for ``command``, or fail with one clear line."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or module
        raise SigconvError(f"'{command}' needs {module}, which is not available in this "
                           f"installation (missing: {missing})") from None


def say(args, *parts) -> None:
    """A progress/status line on stderr, unless --quiet."""
    if not getattr(args, "quiet", False):
        print(*parts, file=sys.stderr, flush=True)


def ints(text: str) -> tuple:
    """``'3,4'`` -> ``(3, 4)`` (an argparse type)."""
    try:
        return tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers; got {text!r}") from None


def floats(text: str) -> tuple:
    """``'0.1,0.2'`` -> ``(0.1, 0.2)`` (an argparse type)."""
    try:
        return tuple(float(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers; got {text!r}") from None


def center_arg(text: str):
    """``'scipy'``, ``'ndimage'`` or comma-separated anchor taps."""
    return text if text in V.CENTERS else ints(text)


def load(args, path: str, *, key: str | None = None, gray: bool | None = None) -> np.ndarray:
    gray = getattr(args, "gray", False) if gray is None else gray
    return _io.load_array(path, key=key, gray=gray, max_pixels=args.max_pixels)


def save(args, path: str, arr: np.ndarray) -> None:
    note = _io.save_array(path, arr, force=args.force)
    if note:
        say(args, f"note: {path}: {note}")
    say(args, f"wrote {path} ({'x'.join(map(str, np.shape(arr))) or 'scalar'}, {arr.dtype})")


def timed(args, label: str, work: Callable, *, announce: bool = True):
    """Run ``work()``, showing a start line and the elapsed time for long work."""
    if announce:
        say(args, f"{label} ...")
    t0 = time.perf_counter()
    result = work()
    if announce:
        say(args, f"{label}: done in {time.perf_counter() - t0:.2f} s")
    return result


def per_channel(image: np.ndarray, kernel: np.ndarray):
    """(kernel, axes) that apply a 2-D kernel to each channel of an (H, W, C) image."""
    if image.ndim == kernel.ndim + 1 and image.ndim == 3:
        return kernel[..., None], (0, 1)
    return kernel, None


# ----------------------------------------------------------------------------- commands

def cmd_convolve(args) -> int:
    from . import convolve, correlate
    _io.check_output(args.output, force=args.force)
    a = load(args, args.input, key=args.key)
    k = load(args, args.kernel, key=args.kernel_key)
    k, axes = per_channel(a, k) if args.axes is None else (k, args.axes)
    op = correlate if args.correlate else convolve
    one = lambda t: t[0] if len(t) == 1 else t
    options = dict(axes=axes, boundary=args.boundary, fillvalue=args.fillvalue,
                   center=args.center, stride=one(args.stride), dilation=one(args.dilation),
                   out_dtype=args.out_dtype)
    slow = a.size * k.size > LONG_WORK
    try:
        out = timed(args, f"{op.__name__} {a.shape} with {k.shape}",
                    lambda: op(a, k, args.mode, args.method, **options), announce=slow)
    except (ValueError, TypeError, MemoryError) as exc:
        raise SigconvError(f"{op.__name__} '{args.input}' with '{args.kernel}': {exc}") from None
    save(args, args.output, out)
    return 0


def _filter_image(args, filters):
    from . import convolve
    image = load(args, args.input, gray=True)
    if args.kernel is not None:
        kernel = load(args, args.kernel, gray=False)
        return convolve(image, kernel, "same", boundary=args.boundary, center="ndimage")
    if args.gaussian is not None:
        return filters.gaussian(image, sigma=args.gaussian, boundary="reflect",
                                preserve_range=True)
    if args.sobel:
        return filters.sobel(image, **EDGE_OPTIONS)
    frequency, theta = args.gabor
    kernel = filters.gabor_kernel(frequency, theta=theta, convention="sigconv")
    return np.abs(convolve(image, kernel, "same", boundary=args.boundary))


def cmd_filter(args) -> int:
    _io.check_output(args.output, force=args.force)
    if args.gabor is not None and len(args.gabor) != 2:
        raise UsageProblem(f"--gabor takes FREQUENCY,THETA; got {args.gabor}")
    filters = None if args.kernel is not None else need("sigconv.filters", "filter")
    out = timed(args, f"filtering '{args.input}'", lambda: _filter_image(args, filters))
    save(args, args.output, np.asarray(out))
    return 0


EDGE_METHODS = ("canny", "sobel", "prewitt", "scharr", "roberts", "farid", "laplace")
#: the command line keeps scipy.ndimage's numbers (values as loaded, unscaled weights)
EDGE_OPTIONS = dict(normalize="none", preserve_range=True)


def cmd_edges(args) -> int:
    _io.check_output(args.output, force=args.force)
    filters = need("sigconv.filters", "edges")
    image = load(args, args.input, gray=True)
    if args.method == "canny":
        work = lambda: filters.canny(image, sigma=args.sigma, low_threshold=args.low,
                                     high_threshold=args.high, gradient="gaussian")
    else:
        work = lambda: getattr(filters, args.method)(image, **EDGE_OPTIONS)
    out = timed(args, f"{args.method} edges of '{args.input}'", work)
    save(args, args.output, np.asarray(out))
    return 0


def cmd_gabor(args) -> int:
    from . import _demo
    _io.check_output(args.output, force=args.force)
    if _io.output_format(args.output) != "npz":
        raise UsageProblem(f"gabor: the bank is written as .npz; got -o {args.output}")
    if args.picture:
        _io.check_output(args.picture, force=args.force)
    filters = need("sigconv.filters", "gabor")
    o = args.orientations
    if len(o) == 1 and (o[0] != int(o[0]) or o[0] < 1):
        raise UsageProblem(f"--orientations takes a count >= 1 or several angles; got {o[0]:g}")
    bank = filters.gabor_bank(list(args.frequencies), int(o[0]) if len(o) == 1 else list(o))
    kernels = [np.asarray(k) for k in bank.kernels]
    arrays = {f"kernel_{i:03d}": k for i, k in enumerate(kernels)}
    _io.atomic_write(args.output, lambda f: np.savez(f, **arrays))
    say(args, f"wrote {args.output} ({len(kernels)} kernels)")
    if args.picture:
        _demo.save_figure(_demo.kernel_grid(kernels, "Gabor bank (real parts)"), args.picture)
        say(args, f"wrote {args.picture}")
    return 0


def cmd_matrix(args) -> int:
    matrices = need("sigconv.matrices", "matrix")
    print(matrices.efficiency_table(args.input_shape, args.kernel_shape, mode=args.mode))
    return 0


def cmd_check(args) -> int:
    properties = need("sigconv.properties", "check")
    a = load(args, args.a)
    b = load(args, args.b)
    table = properties.check_all(a, b)
    print(table)
    results = list(table) if not hasattr(table, "holds") else [table]
    held = [getattr(r, "holds", True) for r in results]
    return 0 if all(held) else 1


def cmd_train(args) -> int:
    from . import _demo
    need("sigconv.nn", "train")
    if not _demo.DIGITS_FILE.is_file():
        need("sklearn", "train (pip install 'sigconv[examples]')")
    if args.output:
        _io.check_output(args.output, force=args.force)
    report = _demo.train_digits(epochs=args.epochs, seed=args.seed, verbose=not args.quiet,
                                progress=lambda line: say(args, line))
    print(f"test accuracy {report['accuracy']:.4f} on {report['n_test']} held-out digits")
    if args.output:
        report["model"].save(args.output)   # sigconv.nn writes model files atomically
        say(args, f"wrote {args.output}")
    return 0


def cmd_bench(args) -> int:
    from . import _bench_report, _demo

    def progress(done, total, label):
        if done < total:
            say(args, f"[{done + 1}/{total}] {label}")
    repeats = args.repeats if args.repeats is not None else 1 if args.quick else 3
    if repeats < 1:
        raise UsageProblem(f"--repeats must be at least 1; got {repeats}")
    results = _demo.bench(repeats=repeats, progress=progress)
    print(_bench_report.format_table(results))
    print(_bench_report.format_summary(results))
    print(f"(each side in fresh processes; medians of {repeats}; times exclude the import)")
    return 0 if all(r.ok for r in results) else 1


def cmd_demo(args) -> int:
    from . import _demo
    return _demo.run(args.out, force=args.force, quick=args.quick,
                     progress=lambda line: print(line, flush=True))


# ----------------------------------------------------------------------------- parser

def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    common.add_argument("--force", action="store_true", help="overwrite existing outputs")
    common.add_argument("--max-pixels", type=int, default=_io.DEFAULT_MAX_PIXELS,
                        help="refuse images declaring more pixels (default %(default)s)")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The ``sigconv`` argument parser."""
    common = _common()
    parser = _Parser(prog="sigconv", description="Convolution treated mathematically and "
                     "computed fast.", epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name, run, text):
        p = sub.add_parser(name, parents=[common], help=text, description=text, epilog=EPILOG)
        p.set_defaults(run=run)
        return p
    boundaries = list(V.BOUNDARIES) + sorted(V.BOUNDARY_ALIASES)

    p = add("convolve", cmd_convolve, "convolve (or correlate) array A with kernel K")
    p.add_argument("input", metavar="A", help="array: .npy, .npz, .csv or an image")
    p.add_argument("kernel", metavar="K", help="kernel: .npy, .npz, .csv or an image")
    p.add_argument("-o", "--output", required=True, metavar="OUT")
    p.add_argument("--mode", choices=V.MODES, default="full")
    p.add_argument("--method", choices=V.METHODS, default="auto")
    p.add_argument("--boundary", choices=boundaries, default="constant")
    p.add_argument("--fillvalue", type=float, default=0)
    p.add_argument("--axes", type=ints, default=None, help="e.g. 0,1")
    p.add_argument("--center", type=center_arg, default="scipy",
                   help="scipy, ndimage or anchor taps like 1,0")
    p.add_argument("--stride", type=ints, default=(1,))
    p.add_argument("--dilation", type=ints, default=(1,))
    p.add_argument("--out-dtype", default=None)
    p.add_argument("--correlate", action="store_true", help="cross-correlate instead")
    p.add_argument("--key", help="array of an .npz input A")
    p.add_argument("--kernel-key", help="array of an .npz kernel K")
    p.add_argument("--gray", action="store_true", help="colour images to luminance")

    p = add("filter", cmd_filter, "filter a (grayscale) image")
    p.add_argument("input", metavar="IMAGE", help="an image (read as luminance) or array")
    p.add_argument("-o", "--output", required=True, metavar="OUT")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--gaussian", type=float, metavar="SIGMA")
    how.add_argument("--sobel", action="store_true")
    how.add_argument("--gabor", type=floats, metavar="F,THETA", help="frequency, radians")
    how.add_argument("--kernel", metavar="K")
    p.add_argument("--boundary", choices=boundaries, default="reflect")

    p = add("edges", cmd_edges, "edge map of a (grayscale) image")
    p.add_argument("input", metavar="IMAGE", help="an image (read as luminance) or array")
    p.add_argument("-o", "--output", required=True, metavar="OUT")
    p.add_argument("--method", choices=EDGE_METHODS, default="canny")
    p.add_argument("--sigma", type=float, default=1.0)
    p.add_argument("--low", type=float, default=None)
    p.add_argument("--high", type=float, default=None)

    p = add("gabor", cmd_gabor, "design a Gabor bank: kernels to .npz, grid picture")
    p.add_argument("-o", "--output", required=True, metavar="BANK.npz")
    p.add_argument("--frequencies", type=floats, default=(0.1, 0.2))
    p.add_argument("--orientations", type=floats, default=(4,),
                   help="a count (one value), or several angles in radians")
    p.add_argument("--picture", metavar="GRID.png")

    p = add("matrix", cmd_matrix, "print a convolution's efficiency table")
    p.add_argument("--input-shape", type=ints, default=(320, 280))
    p.add_argument("--kernel-shape", type=ints, default=(2, 1))
    p.add_argument("--mode", choices=V.MODES, default="valid")

    p = add("check", cmd_check, "run the identity checks on two arrays")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")

    p = add("train", cmd_train, "train the digits CNN")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", metavar="MODEL.npz")

    p = add("bench", cmd_bench, "first call, first ten calls and steady state against "
            "scipy, in fresh processes (prints ratios)")
    p.add_argument("--repeats", type=int, default=None,
                   help="processes per case and side (default 3, or 1 with --quick)")
    p.add_argument("--quick", action="store_true", help="one process per case and side")

    p = add("demo", cmd_demo, "run the showcase, writing pictures to DIR")
    p.add_argument("--out", default="demo-out", metavar="DIR")
    p.add_argument("--quick", action="store_true", help="smaller, faster showcase")
    return parser


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, UsageProblem):
        return 2
    return getattr(exc, "exit_code", 1)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> d = tempfile.mkdtemp()
    >>> np.save(os.path.join(d, 'x.npy'), np.array([1, 2, 3]))
    >>> np.savetxt(os.path.join(d, 'k.csv'), [[0, 1, 0.5]], delimiter=',')
    >>> main(['convolve', os.path.join(d, 'x.npy'), os.path.join(d, 'k.csv'),
    ...       '-o', os.path.join(d, 'y.npy'), '--quiet'])
    0
    >>> np.load(os.path.join(d, 'y.npy'))
    array([0. , 1. , 2.5, 4. , 1.5])
    """
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("sigconv: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line per failure; --debug shows the traceback
        if args.debug:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        if not isinstance(exc, (SigconvError, OSError, ValueError, TypeError, MemoryError)):
            message = f"{type(exc).__name__}: {message}"
        print(f"sigconv: error: {message}", file=sys.stderr)
        return _exit_code(exc)


if __name__ == "__main__":
    sys.exit(main())
