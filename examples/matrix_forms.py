"""
Convolution as a matrix
=======================

A convolution is a linear map, so it is a matrix.  Left: the doubly-block Toeplitz matrix
of a 3x3 kernel (Sobel) acting on 4x4 images in 'full' mode: a 6x4 grid of blocks, block
(I, J) the 1-D Toeplitz matrix of kernel row I - J (Sobel's middle row is zero, so the
blocks of I - J = 1 are empty).
Middle: the eigenvalues of the doubly-block circulant matrix of the same kernel on an 8x8
periodic grid, computed by numpy.linalg.eigvals, on top of the kernel's DFT values.
Right: the kernel's magnitude spectrum on that grid, which is where they come from.

Run it: ``python examples/matrix_forms.py OUTPUT`` (a ``.png`` path, or a directory that
receives ``matrix_forms.png``; a new temporary directory when omitted, and the path is
printed).  It takes about a second.
"""

import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402

from sigconv.matrices import (circulant_eigenvalues, doubly_block_circulant,  # noqa: E402
                              doubly_block_toeplitz)

KERNEL = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]])   # Sobel, vertical derivative
INPUT_SHAPE = (4, 4)
PERIOD = (8, 8)

# %%
# The matrices and the check
# --------------------------
# :func:`sigconv.matrices.doubly_block_toeplitz` builds the matrix of the 'full'
# convolution; the circulant of the periodic convolution is diagonalised by the 2-D DFT,
# so its eigenvalues are the kernel's DFT values
# (:func:`sigconv.matrices.circulant_eigenvalues`).  ``largest_mismatch`` pairs the two
# sets of complex numbers and reports the largest distance.


def compute():
    """The Toeplitz matrix, the circulant's eigenvalues (numpy) and the kernel's DFT."""
    toeplitz = doubly_block_toeplitz(KERNEL, INPUT_SHAPE, format="dense")
    circ = doubly_block_circulant(KERNEL, PERIOD, format="dense")
    eigenvalues = np.linalg.eigvals(circ.astype(float))
    spectrum = circulant_eigenvalues(KERNEL, PERIOD)
    return toeplitz, eigenvalues, spectrum


def largest_mismatch(eigenvalues, spectrum):
    """How far the eigenvalues are from the DFT values, matched as multisets."""
    distance = np.abs(eigenvalues[:, None] - spectrum.ravel()[None, :])
    rows, cols = linear_sum_assignment(distance)
    return float(distance[rows, cols].max())


# %%
# The figure
# ----------


def draw(toeplitz, eigenvalues, spectrum, path):
    fig, (ax_t, ax_e, ax_s) = plt.subplots(1, 3, figsize=(15, 4.8), layout="constrained")
    lim = np.abs(toeplitz).max()
    entries = ax_t.imshow(toeplitz, cmap="RdBu_r", vmin=-lim, vmax=lim,
                          interpolation="nearest")
    fig.colorbar(entries, ax=ax_t, fraction=0.046, label="matrix entry (kernel tap)")
    rows_per_block = INPUT_SHAPE[1] + KERNEL.shape[1] - 1
    for r in range(rows_per_block, toeplitz.shape[0], rows_per_block):
        ax_t.axhline(r - 0.5, color="0.6", lw=0.6)
    for c in range(INPUT_SHAPE[1], toeplitz.shape[1], INPUT_SHAPE[1]):
        ax_t.axvline(c - 0.5, color="0.6", lw=0.6)
    ax_t.set_title(f"doubly-block Toeplitz {toeplitz.shape[0]}x{toeplitz.shape[1]}\n"
                   f"3x3 Sobel on {INPUT_SHAPE[0]}x{INPUT_SHAPE[1]}, 'full'")
    ax_t.set_xlabel("input pixel (raveled)")
    ax_t.set_ylabel("output pixel (raveled)")

    ax_e.scatter(spectrum.real, spectrum.imag, s=90, facecolors="none", edgecolors="C0",
                 label="DFT of the kernel")
    ax_e.scatter(eigenvalues.real, eigenvalues.imag, s=12, color="C3",
                 label="eigvals(doubly-block circulant)")
    ax_e.set_aspect("equal")
    ax_e.axhline(0, color="0.8", lw=0.5)
    ax_e.axvline(0, color="0.8", lw=0.5)
    ax_e.set_title(f"eigenvalues, {PERIOD[0]}x{PERIOD[1]} periodic grid")
    ax_e.set_xlabel("real")
    ax_e.set_ylabel("imaginary")
    ax_e.legend(loc="lower left", fontsize=8)

    f0, f1 = (np.fft.fftshift(np.fft.fftfreq(n)) for n in PERIOD)
    h0, h1 = 0.5 / PERIOD[0], 0.5 / PERIOD[1]
    image = ax_s.imshow(np.fft.fftshift(np.abs(spectrum)), cmap="magma",
                        extent=(f1[0] - h1, f1[-1] + h1, f0[-1] + h0, f0[0] - h0))
    fig.colorbar(image, ax=ax_s, fraction=0.046, label="|eigenvalue| (kernel units)")
    ax_s.set_title("|kernel spectrum| = |eigenvalues|")
    ax_s.set_xlabel("frequency (cycles/sample), axis 1")
    ax_s.set_ylabel("frequency (cycles/sample), axis 0")
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv=None):
    """Draw the figure to ``argv[0]`` (or a temporary file); return (path, mismatch)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    path = argv[0] if argv else os.path.join(tempfile.mkdtemp(prefix="sigconv-"),
                                             "matrix_forms.png")
    if os.path.isdir(path):
        path = os.path.join(path, "matrix_forms.png")
    toeplitz, eigenvalues, spectrum = compute()
    mismatch = largest_mismatch(eigenvalues, spectrum)
    draw(toeplitz, eigenvalues, spectrum, path)
    print(f"eigenvalues vs DFT of the kernel: largest difference {mismatch:.1e}")
    print(path)
    return path, mismatch


# %%
# Run
# ---

if __name__ == "__main__":
    main()
