"""The image and design subcommands of ``sigconv``: ``filter``, ``edges``, ``gabor``, ``matrix``.

``gabor`` writes a bank file (:mod:`sigconv._bankfile`: every kernel with its frequency,
orientation, sigma and bandwidth); ``filter --kernel BANK.npz`` applies the whole bank (one
output channel per kernel) or the kernel ``--index`` picks, and reports each kernel's
parameters.  Channel ``k`` of the result is
``sigconv.convolve(image, kernel_k, 'same', boundary=BOUNDARY, center='ndimage')``.
"""

from __future__ import annotations

import numpy as np

from . import _bankfile, _io, _progress
from ._cliutil import (UsageProblem, add_boundary, add_gray, add_images, add_op, add_output,
                       floats, frequencies, gabor_pair, load, load_gray, need, op_options,
                       positive, save, say, sizes)
from ._errors import SigconvError

EDGE_METHODS = ("canny", "sobel", "prewitt", "scharr", "roberts", "farid", "laplace")
#: the command line keeps scipy.ndimage's numbers (values as loaded, unscaled weights)
EDGE_OPTIONS = dict(normalize="none", preserve_range=True)


# ----------------------------------------------------------------------------- filter

def _kernels(args):
    """``([(description, kernel)], stacked)`` from ``--kernel``: a bank file (stacked unless
    ``--index`` picks one kernel) or one array."""
    path = args.kernel
    if not _bankfile.is_bank(path):
        if args.index is not None:
            raise SigconvError(f"--index picks a kernel of a bank file; '{path}' holds no "
                               "kernel_NNN arrays")
        return [(f"kernel '{path}'", load(args, path))], False
    kernels, params = _bankfile.load_bank(path)
    chosen = range(len(kernels)) if args.index is None else [args.index]
    if args.index is not None and not 0 <= args.index < len(kernels):
        raise SigconvError(f"'{path}' holds {len(kernels)} kernels (indices 0 to "
                           f"{len(kernels) - 1}); got --index {args.index}")
    return [(f"kernel {i}" + (f": {_bankfile.describe(params, i)}" if params else ""),
             kernels[i]) for i in chosen], args.index is None


def _apply(args, image, kernels, stacked):
    from . import convolve
    out = []
    for name, kernel in _progress.progress(kernels, desc=f"filtering '{args.input}'",
                                           unit="kernel"):
        say(args, f"{name}; {'x'.join(map(str, kernel.shape))}, {kernel.dtype}")
        out.append(convolve(image, kernel, "same", boundary=args.boundary, center="ndimage"))
    return np.stack(out) if stacked else out[0]


def cmd_filter(args) -> int:
    _io.check_output(args.output, force=args.force)
    if args.index is not None and args.kernel is None:
        raise UsageProblem("--index picks a kernel of a --kernel bank file; got --index "
                           "without --kernel")
    filters = None if args.kernel is not None else need("sigconv.filters", "filter")
    image = load_gray(args, args.input)
    if args.kernel is not None:
        try:
            out = _apply(args, image, *_kernels(args))
        except (ValueError, TypeError, MemoryError) as exc:
            raise SigconvError(f"filter '{args.input}' with '{args.kernel}': {exc}") from None
    else:
        with _progress.running(f"filtering '{args.input}' {image.shape}"):
            out = _builtin_filter(args, filters, image)
    save(args, args.output, np.asarray(out))
    return 0


def _builtin_filter(args, filters, image):
    from . import convolve
    if args.gaussian is not None:
        return filters.gaussian(image, sigma=args.gaussian, boundary=args.boundary,
                                preserve_range=True)
    if args.sobel:
        return filters.sobel(image, boundary=args.boundary, **EDGE_OPTIONS)
    frequency, theta = args.gabor
    kernel = filters.gabor_kernel(frequency, theta=theta, convention="sigconv")
    sigma = filters.bandwidth_to_sigma(1.0, frequency)
    say(args, f"Gabor kernel: frequency {frequency:g} cycles/pixel, theta {theta:g} rad, "
              f"sigma {sigma:.4g} pixels (bandwidth 1 octave); "
              f"{'x'.join(map(str, kernel.shape))}")
    return np.abs(convolve(image, kernel, "same", boundary=args.boundary, center="ndimage"))


# ----------------------------------------------------------------------------- edges

def cmd_edges(args) -> int:
    _io.check_output(args.output, force=args.force)
    given = [name for name, value in (("--sigma", args.sigma), ("--low", args.low),
                                      ("--high", args.high)) if value is not None]
    if given and args.method != "canny":
        raise UsageProblem(f"{', '.join(given)} {'acts' if len(given) == 1 else 'act'} only "
                           f"with --method canny; got --method {args.method}")
    filters = need("sigconv.filters", "edges")
    image = load_gray(args, args.input)
    with _progress.running(f"{args.method} edges of '{args.input}' {image.shape}"):
        if args.method == "canny":
            out = filters.canny(image, sigma=1.0 if args.sigma is None else args.sigma,
                                low_threshold=args.low, high_threshold=args.high,
                                boundary=args.boundary, gradient="gaussian")
        else:
            out = getattr(filters, args.method)(image, boundary=args.boundary, **EDGE_OPTIONS)
    save(args, args.output, np.asarray(out))
    return 0


# ----------------------------------------------------------------------------- gabor

def cmd_gabor(args) -> int:
    _io.check_output(args.output, force=args.force)
    if _io.output_format(args.output) != "npz":
        raise UsageProblem(f"gabor: the bank is written as .npz; got -o {args.output}")
    if args.picture:
        _io.check_output(args.picture, force=args.force)
        if _io.output_format(args.picture) != "png":
            raise UsageProblem(f"gabor: the picture is written as .png; got --picture "
                               f"{args.picture}")
    o = args.orientations
    if len(o) == 1 and (o[0] != int(o[0]) or o[0] < 1):
        raise UsageProblem(f"--orientations takes a count >= 1 or several angles; got {o[0]:g}")
    filters = need("sigconv.filters", "gabor")
    bank = filters.gabor_bank(list(args.frequencies), int(o[0]) if len(o) == 1 else list(o),
                              bandwidth=args.bandwidth)
    params = {**bank.params, "bandwidth": [args.bandwidth] * len(bank)}
    _bankfile.save_bank(args.output, bank.kernels, params, force=args.force)
    say(args, f"wrote {args.output} ({len(bank)} kernels with their parameters)\n"
              + bank.table())
    if args.picture:
        from matplotlib.figure import Figure

        from ._demo import save_figure
        from .plotting import plot_bank
        save_figure(plot_bank(bank, figure=Figure(layout="constrained")), args.picture)
        say(args, f"wrote {args.picture}")
    return 0


# ----------------------------------------------------------------------------- matrix

def cmd_matrix(args) -> int:
    if (args.kernel is None) == (args.kernel_shape is None):
        raise UsageProblem("matrix: give a kernel file K or --kernel-shape; got "
                           + ("both" if args.kernel is not None else "neither"))
    if args.output is not None:
        if args.kernel is None:
            raise UsageProblem("matrix: -o writes the matrix of a kernel file K; "
                               "--kernel-shape alone gives the table only")
        _io.check_output(args.output, force=args.force)
        if _io.output_format(args.output) != "npz":
            raise UsageProblem(f"matrix: the matrix is written as a scipy.sparse .npz; got "
                               f"-o {args.output}")
    if args.kernel_shape is not None and len(args.kernel_shape) != len(args.input_shape):
        raise UsageProblem(f"matrix: --kernel-shape {args.kernel_shape} and --input-shape "
                           f"{args.input_shape} need as many axes")
    matrices = need("sigconv.matrices", "matrix")
    kernel = load(args, args.kernel) if args.kernel is not None else None
    options = op_options(args)
    try:
        print(matrices.efficiency_table(args.input_shape, args.kernel_shape or kernel.shape,
                                        mode=args.mode, **options))
        if args.output is not None:
            m = matrices.convolution_matrix(kernel, args.input_shape, args.mode,
                                            op="correlate" if args.correlate else "convolve",
                                            format="sparse", **options)
    except (ValueError, TypeError, MemoryError) as exc:
        raise SigconvError(f"matrix: {exc}") from None
    if args.output is not None:
        import scipy.sparse
        _io.atomic_write(args.output, lambda f: scipy.sparse.save_npz(f, m))
        say(args, f"wrote {args.output} (scipy.sparse {m.format}, {m.shape[0]}x{m.shape[1]}, "
                  f"{m.nnz} non-zeros, {m.dtype}; M @ x.ravel() is the result raveled)")
    return 0


# ----------------------------------------------------------------------------- parsers

def add_parsers(add) -> None:
    """Add ``filter``, ``edges``, ``gabor`` and ``matrix`` through ``add(name, run, text)``."""
    p = add("filter", cmd_filter, "filter a grayscale image with a built-in filter, a kernel "
            "file, or a bank file (one output channel per kernel)")
    p.add_argument("input", metavar="IMAGE", help="an image (colour: see --gray) or array")
    add_output(p)
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--gaussian", type=positive, metavar="SIGMA",
                     help="Gaussian smoothing, standard deviation in pixels")
    how.add_argument("--sobel", action="store_true",
                     help="Sobel gradient magnitude (scipy.ndimage scale: 8 per unit ramp)")
    how.add_argument("--gabor", type=gabor_pair, metavar="F,THETA",
                     help="magnitude of the complex Gabor response, frequency in "
                          "cycles/pixel and orientation in radians, bandwidth 1 octave")
    how.add_argument("--kernel", metavar="FILE",
                     help="a kernel (.npy, .npz, .csv, image) or a bank file from 'sigconv "
                          "gabor': each kernel applied in 'same' mode, ndimage anchor")
    p.add_argument("--index", type=int, default=None, metavar="I",
                   help="apply only kernel I (from 0) of a --kernel bank file (default: "
                        "every kernel, stacked on a first axis)")
    add_boundary(p, "reflect")
    add_gray(p, "filter")
    add_images(p)

    p = add("edges", cmd_edges, "edge map of a grayscale image")
    p.add_argument("input", metavar="IMAGE", help="an image (colour: see --gray) or array")
    add_output(p)
    p.add_argument("--method", choices=EDGE_METHODS, default="canny",
                   help="canny gives a boolean edge map, the others a gradient magnitude "
                        "(default: %(default)s)")
    p.add_argument("--sigma", type=positive, default=None,
                   help="canny only: Gaussian smoothing in pixels (default: 1.0)")
    p.add_argument("--low", type=float, default=None,
                   help="canny only: low hysteresis threshold on the gradient magnitude, "
                        "in image units per pixel (default: 0.1 of the dtype maximum, 1 "
                        "for floats, divided by 8)")
    p.add_argument("--high", type=float, default=None,
                   help="canny only: high hysteresis threshold, same units (default: 0.2 "
                        "of the dtype maximum, divided by 8)")
    add_boundary(p, "reflect")
    add_gray(p, "detect edges of")
    add_images(p)

    p = add("gabor", cmd_gabor, "design a Gabor bank: kernels and their parameters to "
            ".npz, a picture of the kernels")
    add_output(p, metavar="BANK.npz", what="the bank (.npz)")
    p.add_argument("--frequencies", type=frequencies, default=(0.1, 0.2), metavar="F,...",
                   help="carrier frequencies in cycles/pixel, above 0 and at most 0.5 to "
                        "avoid aliasing (default: 0.1,0.2)")
    p.add_argument("--orientations", type=floats, default=(4,), metavar="N|A,...",
                   help="a count N of angles k*pi/N, or several angles in radians "
                        "(default: 4)")
    p.add_argument("--bandwidth", type=positive, default=1.0,
                   help="octave bandwidth, which sets each kernel's sigma (default: "
                        "%(default)s)")
    p.add_argument("--picture", metavar="GRID.png",
                   help="also draw the kernels, one row per frequency (default: no picture)")

    p = add("matrix", cmd_matrix, "a convolution as a matrix: print its efficiency table, "
            "write the sparse matrix")
    p.add_argument("kernel", metavar="K", nargs="?", default=None,
                   help="kernel file (.npy, .npz, .csv, image); or give --kernel-shape")
    p.add_argument("--input-shape", type=sizes, required=True, metavar="N,...",
                   help="shape of the input the matrix multiplies, in samples per axis, "
                        "e.g. 320,280 (required)")
    p.add_argument("--kernel-shape", type=sizes, default=None, metavar="K,...",
                   help="kernel shape in samples per axis, for the table without a kernel "
                        "file (default: the shape of K)")
    add_op(p, fill=False)
    add_output(p, required=False, metavar="M.npz",
               what="the matrix (scipy.sparse CSR .npz, scipy.sparse.load_npz reads it)")
    add_images(p)
