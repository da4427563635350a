"""
Quickstart: modes, centring and boundaries
==========================================

``sigconv.convolve`` flips the kernel and ``sigconv.correlate`` does not, exactly as
scipy.signal and numpy.  This script prints a few exact integer results, the two centrings
of an even kernel in ``'same'`` mode, and checks a 2-D smoothing against
``scipy.ndimage.convolve``; the figure shows a 9-tap moving average in each of the three
modes and the smoothed image.

Run it: ``python examples/quickstart.py OUTPUT_DIR`` writes ``quickstart.png`` there (a
temporary directory when omitted).
"""

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import scipy.ndimage as ndi  # noqa: E402

import sigconv  # noqa: E402

# %%
# Exact integers, the textbook sum, and the anchor of an even kernel
# ------------------------------------------------------------------
# Integer inputs give exact integer results on every method.  ``'same'`` mode keeps the
# first input's size; for an even kernel the tap that sits on each output sample (the
# *anchor*) is scipy's ``(k-1)//2`` by default and ``k//2`` with ``center='ndimage'``
# (scipy.ndimage, MATLAB).  The 2-D part smooths an image with ``boundary='reflect'`` and
# compares with scipy.ndimage; the figure is written at the end.


def main(out: Path) -> None:
    x = np.array([1, -3, 4, 4, 2])
    k = np.array([-1, 1, 2])
    print("convolve(x, k)           =", sigconv.convolve(x, k))
    print("correlate(x, k, 'valid') =", sigconv.correlate(x, k, "valid"))
    print("correlate(x, k, 'same')  =", sigconv.correlate(x, k, "same"))
    print("the textbook sum agrees  :",
          np.array_equal(sigconv.definitions.discrete.convolve(x, k), sigconv.convolve(x, k)))

    even = np.array([1, 1])
    print("even kernel, scipy centre   :", sigconv.convolve([1, 2, 3, 4], even, "same"))
    print("even kernel, ndimage centre :",
          sigconv.convolve([1, 2, 3, 4], even, "same", center="ndimage"))

    rng = np.random.default_rng(0)
    signal = np.cumsum(rng.standard_normal(60))
    box = np.ones(9) / 9
    image = rng.random((64, 64))
    image[20:44, 20:44] += 1.0
    kernel = np.outer(np.hanning(7), np.hanning(7))
    kernel /= kernel.sum()
    ours = sigconv.convolve(image, kernel, "same", boundary="reflect", center="ndimage")
    theirs = ndi.convolve(image, kernel, mode="reflect")
    print(f"2-D 'same' with reflect equals scipy.ndimage: max |diff| = "
          f"{np.max(np.abs(ours - theirs)):.1e}")

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
    axes[0].plot(signal, "k", lw=1, label="signal")
    for mode in ("full", "same", "valid"):
        y = sigconv.convolve(signal, box, mode)
        offset = {"full": -4, "same": 0, "valid": 4}[mode]
        axes[0].plot(np.arange(y.size) + offset, y, label=f"{mode} ({y.size})")
    axes[0].legend(fontsize=8)
    axes[0].set_title("a 9-tap moving average in each mode")
    axes[0].set_xlabel("sample index (the input's)")
    axes[0].set_ylabel("value (input units)")
    axes[1].imshow(image, cmap="gray")
    axes[1].set_title("image")
    axes[2].imshow(ours, cmap="gray")
    axes[2].set_title("smoothed (sigconv == ndimage)")
    for ax in axes[1:]:
        ax.set_axis_off()
    fig.savefig(out / "quickstart.png", dpi=80)
    print("wrote", out / "quickstart.png")


# %%
# Run
# ---
# The output directory is the first argument (a new temporary directory by default).

if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    target.mkdir(parents=True, exist_ok=True)
    main(target)
