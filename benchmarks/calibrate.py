"""Measure the cost model's constants and, with --write, make them the shipped defaults.

    python benchmarks/calibrate.py            # print the constants
    python benchmarks/calibrate.py --write    # also write them as this processor model's
                                              # (sigconv/data/calibration-<id>.json)
    python benchmarks/calibrate.py --write --generic
                                              # ... or as the generic constants, for
                                              # processors without a file of their own
                                              # (sigconv/_calibration.py)
    python benchmarks/calibrate.py --write --only cv_call,cv_rates
                                              # measure these, keep the others shipped
    python benchmarks/calibrate.py --plans    # rewrite the shipped record of FFTW plans
                                              # (sigconv/data/fftw_estimates.bin) only

The measurement is ``sigconv tune``'s (the median of ``--passes`` runs of
:func:`sigconv._tune.measure_constants`), run in a process with no wisdom loaded, so the
FFT constants describe the estimated plans a process that never ran ``sigconv tune`` uses.
The written file records the machine and date.  With ``--only``, the constants not
measured are this processor's shipped ones (:data:`sigconv._runtime.SHIPPED`).
"""

import argparse
import datetime
import os
import pprint
import sys
import tempfile
import textwrap

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
os.environ["SIGCONV_CACHE_DIR"] = tempfile.mkdtemp()       # no wisdom, no calibration

from sigconv import _calibration_store, _runtime, _tune  # noqa: E402


def render(constants):
    """The text of ``sigconv/_calibration.py`` holding ``constants``: tables of numbers
    (the per-length rates have a hundred entries and more) packed several entries a line."""
    lines = []
    for key, value in constants.items():
        if isinstance(value, dict) and all(isinstance(v, (int, float)) for v in value.values()):
            indent = 7 + len(repr(key))               # "    'key': {"
            items = [f"{k!r}:\0{v!r}" for k, v in value.items()]      # (\0: no break)
            text = textwrap.fill(", ".join(items), width=92 - indent, break_long_words=False,
                                 break_on_hyphens=False).replace("\0", " ")
            text = "{" + text.replace("\n", "\n" + " " * indent) + "}"
        else:
            indent = 6 + len(repr(key))
            text = pprint.pformat(value, width=92 - indent, sort_dicts=False)
            text = text.replace("\n", "\n" + " " * indent)
        lines.append(f"    {key!r}: {text},")
    body = "{\n" + "\n".join(lines) + "\n}"
    return ('"""The cost model\'s generic shipped constants, measured by '
            '``benchmarks/calibrate.py --write\n--generic``: the constants of processors '
            'without a shipped calibration of their own\n(:mod:`sigconv._calibration_store`; '
            '``sigconv tune`` measures them again on the user\'s\nmachine).\n\n'
            "source: " + constants["source"] + '\n"""\n\nCALIBRATION = ' + body + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true",
                        help="write this processor model's shipped calibration")
    parser.add_argument("--generic", action="store_true",
                        help="with --write: rewrite the generic constants instead "
                             "(sigconv/_calibration.py)")
    parser.add_argument("--only", metavar="NAMES",
                        help="comma-separated steps of sigconv._tune.CONSTANT_STEPS to "
                             "measure; the other constants stay as shipped")
    parser.add_argument("--plans", action="store_true",
                        help="only rewrite the shipped record of FFTW_ESTIMATE plans "
                             "(sigconv.fft.plan_record), then stop")
    parser.add_argument("--passes", type=int, default=_tune.PASSES,
                        help="measurements whose median is kept (default: sigconv tune's, "
                             f"{_tune.PASSES})")
    args = parser.parse_args(argv)
    if args.plans:
        from sigconv.fft import plan_record
        entries = plan_record.write(plan_record.SHIPPED)
        print(f"wrote {entries} entries to {plan_record.SHIPPED}")
        return
    only = args.only.split(",") if args.only else None
    constants = _calibration_store.median([
        _tune.measure_constants(lambda label: print(label, file=sys.stderr), only=only)
        for _ in range(args.passes)])
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    what = f" ({args.only} measured; the rest: {_runtime.SHIPPED['source']})" if only else ""
    constants["source"] = (f"{constants['source']}, {when}, load {os.getloadavg()[0]:.1f}, "
                           f"the median of {args.passes} passes{what}")
    here = os.path.join(os.path.dirname(__file__), os.pardir, "sigconv")
    if args.generic:
        text = render(constants)
        print(text)
        if args.write:
            path = os.path.join(here, "_calibration.py")
            with open(path, "w") as fh:
                fh.write(text)
            print(f"wrote {os.path.normpath(path)}")
        return
    pprint.pprint(constants, width=92, sort_dicts=False)
    path = _calibration_store.shipped_path(_runtime.processor_id(),
                                           os.path.join(here, "data"))
    if args.write and path is None:
        sys.exit("this system does not name its processor model: use --generic")
    if args.write:
        _calibration_store.write(path, constants, _runtime.machine())
        print(f"wrote {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
