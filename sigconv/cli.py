"""The ``sigconv`` command line.

Subcommands: ``convolve``, ``filter``, ``edges``, ``gabor``, ``matrix``, ``check``, ``train``,
``tune``, ``bench`` and ``demo``; ``sigconv COMMAND --help`` lists each one's options with their
defaults and units.  Inputs are ``.npy``, ``.npz``, CSV or PNG/JPEG/GIF/TIFF/BMP images,
recognised by content (see :mod:`sigconv._io`); outputs (``-o/--output``) take their format
from their extension, are never overwritten without ``--force`` and are written atomically.

Exit status (:data:`EPILOG`): 0 on success; 2 for a usage error, found from the command line
alone before any work (a bad or contradictory option, an input path that does not exist or
is a directory, an output that exists without ``--force``, a missing output directory); 1
for a failure while running (unreadable or invalid file content, options that do not fit
the data, a computation error, a failed write, a module or extra that is not installed).
Errors print one line, ``sigconv: error: ...``; ``--debug`` shows the traceback instead.
Warnings print one line each, ``sigconv: warning: ...``.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import warnings
from typing import Sequence

import numpy as np

from . import _io, _progress, _validate as V
from ._cliutil import (MissingModule, UsageProblem, add_gray, add_images, add_op, add_output,
                       count, ints, load, need, op_options, per_channel, save,
                       say)
from ._errors import SigconvError

EPILOG = """\
exit status:
  0  success
  1  failure while running: unreadable or invalid file content, options that do not fit
     the data, a computation error, a failed write, a module or extra not installed
  2  usage error, found before any work: a bad or contradictory option, an input path
     that does not exist, an output that exists without --force, a missing directory

progress bars appear on a terminal only; --progress or SIGCONV_PROGRESS=1 forces them,
--quiet or SIGCONV_PROGRESS=0 hides them.  --debug shows a traceback on errors."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``sigconv: error: ...`` and exit status 2."""

    def error(self, message):
        self.exit(2, f"sigconv: error: {message} (see '{self.prog} --help')\n")


# ----------------------------------------------------------------------------- commands

def cmd_convolve(args) -> int:
    from . import convolve, correlate
    _io.check_output(args.output, force=args.force)
    a = load(args, args.input, key=args.key, gray=args.gray)
    k = load(args, args.kernel, key=args.kernel_key)
    k, axes = per_channel(a, k) if args.axes is None else (k, args.axes)
    op = correlate if args.correlate else convolve
    try:
        with _progress.running(f"{op.__name__} {a.shape} with {k.shape}"):
            out = op(a, k, args.mode, args.method, axes=axes, out_dtype=args.out_dtype,
                     **op_options(args))
    except (ValueError, TypeError, MemoryError) as exc:
        raise SigconvError(f"{op.__name__} '{args.input}' with '{args.kernel}': {exc}") from None
    save(args, args.output, out)
    return 0


def cmd_check(args) -> int:
    properties = need("sigconv.properties", "check")
    table = properties.check_all(load(args, args.a), load(args, args.b))
    print(table)
    results = list(table) if not hasattr(table, "holds") else [table]
    return 0 if all(getattr(r, "holds", True) for r in results) else 1


def cmd_train(args) -> int:
    from . import _digits
    need("sigconv.nn", "train")
    try:
        _digits.require_data()
    except MissingModule as exc:
        raise MissingModule(f"'sigconv train': {exc}") from None
    if args.output:
        _io.check_output(args.output, force=args.force)
    report = _digits.train_digits(epochs=args.epochs, seed=args.seed,
                                  on_epoch=lambda line: say(args, line))
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


def cmd_tune(args) -> int:
    from . import _tune
    if args.seconds_per_plan <= 0:
        raise UsageProblem(f"--seconds-per-plan must be positive; got {args.seconds_per_plan}")
    bar = _progress.progress(total=1, desc="tune", unit="step")
    last = {"done": 0}

    def step(done, total, label):
        bar.total = total
        bar.update(done - last["done"])
        last["done"] = done
        bar.set_postfix_str(label, refresh=False)

    with bar:
        report = _tune.tune(quick=args.quick, progress=step, save=not args.dry_run,
                            seconds_per_plan=args.seconds_per_plan)
    where = f"saved to {report['path']}" if report["path"] else "not saved (--dry-run)"
    say(args, f"measured {report['plans']} FFTW plans and the cost model's constants in "
              f"{report['seconds']:.0f} s; {where}")
    c = report["constants"]
    print(f"FFT (real, float64): {c['fft_real'][8] * 1e9:.3g} ns per N log2 N point; "
          f"a transform call {c['fft_call'] * 1e6:.3g} us; direct float64 "
          f"{c['direct_mac']['d'] * 1e9:.3g} ns per multiply-add; {c['cores']} cores "
          f"{c['thread_speedup']:.2f}x")
    return 0


def cmd_demo(args) -> int:
    from . import _demo
    lines = (lambda line: None) if args.quiet else \
        (lambda line: _progress.write(line, file=sys.stdout))
    return _demo.run(args.output, force=args.force, quick=args.quick, say=lines)


# ----------------------------------------------------------------------------- parser

class _Deprecated(argparse.Action):
    """An old spelling of an option: works, with a warning naming the new one."""

    def __init__(self, *names, new, **kwargs):
        super().__init__(*names, help=argparse.SUPPRESS, **kwargs)
        self.new = new

    def __call__(self, parser, namespace, values, option_string=None):
        warnings.warn(f"{option_string} is deprecated; use {self.new}", FutureWarning)
        setattr(namespace, self.dest, values)


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="show the traceback of an error instead of one line")
    common.add_argument("-q", "--quiet", action="store_true",
                        help="no status lines or progress bars on standard error")
    common.add_argument("--progress", action="store_true",
                        help="progress bars even when standard error is not a terminal "
                             "(default: on a terminal only; SIGCONV_PROGRESS=1 does the same)")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The ``sigconv`` argument parser."""
    from . import _cli_filters as filters
    common = _common()
    parser = _Parser(prog="sigconv", description="Convolution treated mathematically and "
                     "computed fast.", epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                metavar="COMMAND")

    def add(name, run, text):
        p = sub.add_parser(name, parents=[common], help=text, epilog=EPILOG,
                           description=textwrap.fill(text, 88),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(run=run)
        return p

    p = add("convolve", cmd_convolve, "convolve (or correlate) array A with kernel K")
    p.add_argument("input", metavar="A", help="array: .npy, .npz, .csv or an image")
    p.add_argument("kernel", metavar="K", help="kernel: .npy, .npz, .csv or an image")
    add_output(p)
    add_op(p)
    p.add_argument("--method", choices=V.METHODS, default="auto",
                   help="how to compute it; auto chooses by a cost model (default: "
                        "%(default)s)")
    p.add_argument("--axes", type=ints, default=None, metavar="AXES",
                   help="axes to convolve over, e.g. 0,1 (default: all; for a colour "
                        "image and a 2-D kernel, each channel)")
    p.add_argument("--out-dtype", default=None, metavar="DTYPE",
                   help="result dtype, e.g. float32 (default: the inputs' result type)")
    p.add_argument("--key", help="which array of an .npz input A (default: its only one)")
    p.add_argument("--kernel-key",
                   help="which array of an .npz kernel K (default: its only one)")
    add_gray(p, "read")
    add_images(p)

    filters.add_parsers(add)

    p = add("check", cmd_check, "run the identity checks on two arrays (exit 1 if one fails)")
    p.add_argument("a", metavar="A", help="first array: .npy, .npz, .csv or an image")
    p.add_argument("b", metavar="B", help="second array: .npy, .npz, .csv or an image")
    add_images(p)

    p = add("train", cmd_train, "train the digits CNN (needs scikit-learn: "
            "pip install 'sigconv[examples]')")
    p.add_argument("--epochs", type=count, default=5,
                   help="passes over the training digits (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the split, the initial weights and the batch order: the "
                        "same seed trains the same model (default: %(default)s)")
    add_output(p, required=False, metavar="MODEL.npz", what="the trained model")

    p = add("tune", cmd_tune, "measure this machine once: FFTW plans (wisdom) for common "
            "transforms and the cost model's constants, saved in the per-user cache "
            "($SIGCONV_CACHE_DIR, else ~/.cache/sigconv) that every later process loads")
    p.add_argument("--quick", action="store_true",
                   help="fewer transforms and repeats, about half a minute (default: off, "
                        "a few minutes)")
    p.add_argument("--seconds-per-plan", type=float, default=2.0, metavar="S",
                   help="FFTW's planning time limit per transform, seconds (default: "
                        "%(default)s)")
    p.add_argument("--dry-run", action="store_true",
                   help="measure and print, but save nothing (default: off)")

    p = add("bench", cmd_bench, "first call, first ten calls and steady state against "
            "scipy, in fresh processes (prints ratios)")
    p.add_argument("--repeats", type=int, default=None,
                   help="processes per case and side (default: 3, or 1 with --quick)")
    p.add_argument("--quick", action="store_true",
                   help="one process per case and side (default: off)")

    p = add("demo", cmd_demo, "run the showcase, writing pictures and report.txt to a folder "
            "it owns: a rerun replaces its own outputs and refuses to replace other files")
    add_output(p, required=False, metavar="DIR", what="the pictures and report",
               default="demo-out")
    p.add_argument("--out", action=_Deprecated, new="-o/--output", dest="output")
    p.add_argument("--quick", action="store_true",
                   help="half-size photograph and 2 training epochs (default: full size, "
                        "30 epochs)")
    return parser


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, UsageProblem):
        return 2
    return getattr(exc, "exit_code", 1)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    _progress.write(f"sigconv: warning: {message}", file=sys.stderr)


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
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _show_warning
        args = build_parser().parse_args(argv)
        bars = False if args.quiet else (True if args.progress else None)
        try:
            with _progress.defaults(enabled=bars):
                return args.run(args)
        except KeyboardInterrupt:
            print("sigconv: interrupted", file=sys.stderr)
            return 130
        except Exception as exc:  # one line per failure; --debug shows the traceback
            if args.debug:
                raise
            message = " ".join(str(exc).split()) or type(exc).__name__
            if not isinstance(exc, (SigconvError, OSError, ValueError, TypeError,
                                    MemoryError)):
                message = f"{type(exc).__name__}: {message}"
            print(f"sigconv: error: {message}", file=sys.stderr)
            return _exit_code(exc)


if __name__ == "__main__":
    sys.exit(main())
