"""
Edge detectors, and Canny in 3-D
================================

The edge detectors of :mod:`sigconv.filters` on matplotlib's sample photograph (it ships
with matplotlib: nothing is downloaded): gradient magnitudes (Sobel, Scharr, Farid in
derivative-per-pixel units), the Laplacian of Gaussian and a difference of Gaussians, and
Canny edges overlaid on the photo at two scales.  It also prints how many voxels of a
cube's faces the 3-D Canny finds.

Run it: ``python examples/edges.py OUTPUT_DIR`` (a new temporary directory when omitted).
"""

import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")

import matplotlib.cbook as cbook  # noqa: E402
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sigconv.filters import (canny, difference_of_gaussians, farid,  # noqa: E402
                             gaussian_laplace, scharr, sobel)
from sigconv.plotting import plot_edges  # noqa: E402


def load_gray():
    """matplotlib's Grace Hopper photograph as float grey in [0, 1]."""
    rgb = mpimg.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return (rgb[..., :3].astype(float) @ [0.2125, 0.7154, 0.0721]) / 255


# %%
# Canny in three dimensions
# -------------------------
# :func:`sigconv.filters.canny` works in any number of dimensions.  On a solid cube every
# inner voxel of each face should be marked as an edge, on one side of the face or the
# other: the shares printed below are those fractions.


def cube_faces():
    """3-D Canny on a cube: the share of each face's inner voxels marked as edges."""
    vol = np.zeros((32, 32, 32))
    vol[9:23, 9:23, 9:23] = 1.0
    edges = canny(vol, 1.0, gradient="gaussian")        # derivative-of-Gaussian Canny
    inner = slice(11, 21)
    shares = []
    for axis in range(3):
        for a, b in ((8, 9), (22, 23)):
            planes = []
            for p in (a, b):
                sl = [inner] * 3
                sl[axis] = p
                planes.append(edges[tuple(sl)])
            shares.append(float(np.mean(planes[0] | planes[1])))
    return edges, shares


# %%
# The photograph
# --------------
# With ``normalize='unit'`` the gradient operators return the derivative in intensity per
# pixel, so Sobel, Scharr and Farid are on one scale.


def main(outdir):
    photo = load_gray()
    paths = []
    save = lambda fig, name: (fig.savefig(os.path.join(outdir, name), dpi=90),
                              plt.close(fig), paths.append(os.path.join(outdir, name)))

    panels = [("Sobel |grad|", sobel(photo, normalize="unit"), "luminance/pixel"),
              ("Scharr |grad|", scharr(photo, normalize="unit"), "luminance/pixel"),
              ("Farid |grad|", farid(photo, normalize="unit"), "luminance/pixel"),
              ("LoG, sigma=2", gaussian_laplace(photo, 2.0), "luminance/pixel²"),
              ("DoG 1 / 1.6", difference_of_gaussians(photo, 1.0, boundary="reflect"),
               "luminance")]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 4.4),
                             layout="constrained")
    for ax, (title, img, unit) in zip(axes, panels):
        if title.startswith(("LoG", "DoG")):           # signed: symmetric about zero
            lim = float(np.abs(img).max())
            shown = ax.imshow(img, cmap="RdBu_r", vmin=-lim, vmax=lim)
        else:
            shown = ax.imshow(img, cmap="magma")
        fig.colorbar(shown, ax=ax, location="bottom", shrink=0.9, label=unit)
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    save(fig, "edges_operators.png")

    fig, axes = plt.subplots(1, 2, figsize=(10, 6), layout="constrained")
    for ax, sigma in zip(axes, (1.5, 3.0)):
        edges = canny(photo, sigma, gradient="gaussian")
        plot_edges(photo, edges, ax=ax, title=f"Canny, sigma={sigma}: {edges.sum()} px")
    save(fig, "edges_canny.png")

    _, shares = cube_faces()
    print("3-D Canny on a cube: share of each face found:",
          ", ".join(f"{s:.2f}" for s in shares))
    for p in paths:
        print("saved", p)
    return paths


# %%
# Run
# ---

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="sigconv-edges-")
    os.makedirs(out, exist_ok=True)
    main(out)
