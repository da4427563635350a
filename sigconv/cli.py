"""The ``sigconv`` command line."""

import argparse
import sys

import numpy as np


def _demo(args):
    from . import convolve
    x = np.array([1, -3, 4, 4, 2])
    k = np.array([-1, 1, 2])
    print("convolve([1, -3, 4, 4, 2], [-1, 1, 2]) =", convolve(x, k))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="sigconv", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the showcase")
    demo.add_argument("--out", default="demo-out")
    demo.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
