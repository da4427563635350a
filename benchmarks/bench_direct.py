"""The direct engine beside scipy.ndimage, scipy.signal (direct) and OpenCV, same run.

    python benchmarks/bench_direct.py [--size 4096] [--repeat 5]

Prints milliseconds (median of repeats) and the ratio anchor_time / sigconv_time
(> 1 means sigconv is faster) for 3x3, 5x5 (random, full rank) and a separable 15x15
Gaussian on a float32 image, mode 'same'.  Each pair computes the same thing:
reflect boundary against ndimage and OpenCV, zero boundary against scipy.signal.
"""

import argparse
import os
import sys

import numpy as np
import scipy.signal as ss
from scipy import ndimage

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(1, os.path.join(os.path.dirname(__file__), os.pardir))  # run from a checkout
import sigconv  # noqa: E402
from _timing import median_time  # noqa: E402

try:
    import cv2
except ImportError:  # OpenCV is optional
    cv2 = None


def kernels(rng):
    g = np.exp(-0.5 * (np.arange(15) - 7) ** 2 / 3.0 ** 2)
    g /= g.sum()
    return {"3x3": rng.standard_normal((3, 3)).astype(np.float32),
            "5x5": rng.standard_normal((5, 5)).astype(np.float32),
            "15x15 separable": np.outer(g, g).astype(np.float32)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=4096)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--skip-signal", action="store_true", help="skip scipy.signal (slow)")
    args = p.parse_args(argv)
    rng = np.random.default_rng(0)
    img = rng.random((args.size, args.size), dtype=np.float32)
    print(f"image {img.shape} float32, {os.cpu_count()} cores; times in ms (median of "
          f"{args.repeat}); ratio = anchor / sigconv (> 1: sigconv faster)")
    print(f"{'kernel':<17}{'sigconv':>9}{'ndimage':>9}{'ratio':>7}{'sigconv0':>10}"
          f"{'signal':>9}{'ratio':>7}{'opencv':>9}{'ratio':>7}")
    for name, k in kernels(rng).items():
        t = lambda f: 1e3 * median_time(f, repeat=args.repeat)
        s_ref = t(lambda: sigconv.convolve(img, k, "same", "direct", boundary="reflect",
                                           center="ndimage"))
        nd = t(lambda: ndimage.convolve(img, k, mode="reflect"))
        s_zero = t(lambda: sigconv.convolve(img, k, "same", "direct"))
        sig = (float("nan") if args.skip_signal else
               1e3 * median_time(lambda: ss.convolve(img, k, "same", method="direct"), repeat=1))
        if cv2 is not None:
            kf = np.ascontiguousarray(k[::-1, ::-1])
            cv = t(lambda: cv2.filter2D(img, -1, kf, borderType=cv2.BORDER_REFLECT))
        else:
            cv = float("nan")
        print(f"{name:<17}{s_ref:9.1f}{nd:9.1f}{nd / s_ref:7.2f}{s_zero:10.1f}{sig:9.1f}"
              f"{sig / s_zero:7.2f}{cv:9.1f}{cv / s_ref:7.2f}")


if __name__ == "__main__":
    main()
