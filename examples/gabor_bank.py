"""
A Gabor filter bank
===================

Builds a bank of 4 frequencies x 6 orientations with :func:`sigconv.filters.gabor_bank`,
applies it to matplotlib's sample photograph through one shared forward transform
(:meth:`sigconv.filters.FilterBank.magnitude`), and draws the kernels, how the bank tiles
the frequency plane, the response energy per frequency and the dominant orientation per
pixel.

Run it: ``python examples/gabor_bank.py OUTPUT_DIR`` (a new temporary directory when
omitted).
"""

import os
import sys
import tempfile
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.cbook as cbook  # noqa: E402
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sigconv.filters import gabor_bank  # noqa: E402
from sigconv.plotting import plot_bank, plot_frequency_responses  # noqa: E402


def load_gray():
    """matplotlib's Grace Hopper photograph as float32 grey in [0, 1]."""
    rgb = mpimg.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return (rgb[..., :3].astype(np.float32) @ np.float32([0.2125, 0.7154, 0.0721])) / 255


# %%
# The bank and its responses
# --------------------------
# Frequencies are in cycles per pixel; each kernel's ``sigma`` follows from a one-octave
# bandwidth.  The bank is printed as its parameter table.  ``magnitude`` returns one
# response per kernel, ``(24, H, W)``: the local energy at that frequency and orientation.


def main(outdir):
    photo = load_gray()
    bank = gabor_bank([0.05, 0.1, 0.2, 0.3], 6)
    print(bank)
    t0 = time.perf_counter()
    energy = bank.magnitude(photo)                     # (24, H, W)
    print(f"applied {len(bank)} kernels to {photo.shape} in {time.perf_counter() - t0:.2f} s")

    paths = []
    save = lambda fig, name: (fig.savefig(os.path.join(outdir, name), dpi=90),
                              plt.close(fig), paths.append(os.path.join(outdir, name)))
    save(plot_bank(bank, ncols=6), "gabor_kernels.png")
    save(plot_frequency_responses(bank, shape=(128, 128)), "gabor_frequency_responses.png")

    per_freq = energy.reshape(4, 6, *photo.shape)
    fig, axes = plt.subplots(1, 5, figsize=(15, 5.4), layout="constrained")
    axes[0].imshow(photo, cmap="gray")
    axes[0].set_title("input")
    for ax, f, e in zip(axes[1:], bank.params["frequency"][::6], per_freq):
        shown = ax.imshow(e.max(axis=0), cmap="magma")
        fig.colorbar(shown, ax=ax, location="bottom", shrink=0.9,
                     label="max over θ of |response| (luminance)")
        ax.set_title(f"max energy, f={f:g} cycles/px")
    for ax in axes:
        ax.set_axis_off()
    save(fig, "gabor_energy.png")

    theta = np.asarray(bank.params["theta"][:6])
    dominant = theta[per_freq[1].argmax(axis=0)]
    fig, ax = plt.subplots(figsize=(5, 5.5), layout="constrained")
    im = ax.imshow(dominant, cmap="twilight", vmin=0, vmax=np.pi)
    fig.colorbar(im, ax=ax, label="dominant orientation (rad), f=0.1 cycles/px")
    ax.set_axis_off()
    save(fig, "gabor_orientation.png")
    for p in paths:
        print("saved", p)
    return paths


# %%
# Run
# ---

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="sigconv-gabor-")
    os.makedirs(out, exist_ok=True)
    main(out)
