"""Measure the cost model's constants and, with --write, make them the shipped defaults.

    python benchmarks/calibrate.py            # print the constants
    python benchmarks/calibrate.py --write    # also rewrite sigconv/_calibration.py
    python benchmarks/calibrate.py --write --only cv_call,cv_rates
                                              # measure these, keep the others shipped
    python benchmarks/calibrate.py --plans    # rewrite the shipped record of FFTW plans
                                              # (sigconv/data/fftw_estimates.bin) only

The measurement is ``sigconv tune``'s (:func:`sigconv._tune.measure_constants`), run in a
process with no wisdom loaded, so the FFT constants describe the estimated plans a process
that never ran ``sigconv tune`` uses.  The written file records the machine and date.
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

from sigconv import _tune  # noqa: E402


def _shipped_source():
    from sigconv._calibration import CALIBRATION
    return CALIBRATION["source"]


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
    return ('"""The cost model\'s shipped constants, measured by ``benchmarks/calibrate.py '
            '--write``\n(``sigconv tune`` measures them again on the user\'s machine).\n\n'
            "source: " + constants["source"] + '\n"""\n\nCALIBRATION = ' + body + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite sigconv/_calibration.py")
    parser.add_argument("--only", metavar="NAMES",
                        help="comma-separated steps of sigconv._tune.CONSTANT_STEPS to "
                             "measure; the other constants stay as shipped")
    parser.add_argument("--plans", action="store_true",
                        help="only rewrite the shipped record of FFTW_ESTIMATE plans "
                             "(sigconv.fft.plan_record), then stop")
    args = parser.parse_args(argv)
    if args.plans:
        from sigconv.fft import plan_record
        entries = plan_record.write(plan_record.SHIPPED)
        print(f"wrote {entries} entries to {plan_record.SHIPPED}")
        return
    only = args.only.split(",") if args.only else None
    constants = _tune.measure_constants(lambda label: print(label, file=sys.stderr),
                                        only=only)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    what = f" ({args.only} measured; the rest: {_shipped_source()})" if only else ""
    constants["source"] = (f"{constants['source']}, {when}, load {os.getloadavg()[0]:.1f}"
                           f"{what}")
    text = render(constants)
    print(text)
    if args.write:
        path = os.path.join(os.path.dirname(__file__), os.pardir, "sigconv", "_calibration.py")
        with open(path, "w") as fh:
            fh.write(text)
        print(f"wrote {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
