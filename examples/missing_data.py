"""
Missing data: a star field with saturated stars and a masked border
===================================================================

A generated astronomical-style image -- stars drawn as Moffat point spread functions on a
sky background with photon-like noise -- has its saturated star cores set to NaN and a
border flagged as bad (``mask``, True = missing, as in astropy and numpy.ma).  It is
smoothed with a Moffat PSF kernel from :mod:`sigconv.kernels` (exact pixel integrals) by
normalized convolution, ``sum(K) * (K * x0) / (K * m)`` (``nan_policy='interpolate'``), on
every method of :func:`sigconv.convolve` and, when astropy is installed, by astropy's
``convolve`` and ``convolve_fft``.  A plain convolution spreads each NaN over the kernel's
footprint; the normalized one fills the holes from their neighbours, and the weight map
says how much of the kernel's mass each output saw.  The script prints the largest
difference between the methods.

Run it: ``python examples/missing_data.py OUTPUT_DIR`` writes ``missing_data.png`` there
(a temporary directory when omitted).
"""

import sys
import tempfile
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import sigconv  # noqa: E402


# %%
# The image and the smoothing
# ---------------------------
# Stars of Pareto-distributed flux on a sky of 10 counts; pixels above 40 counts are
# saturated and set to NaN, and a 6-pixel border is masked (with junk values under the
# mask, which must not reach any output).  The kernel is a Moffat PSF sampled by exact
# pixel integrals, normalized to sum 1, so the interpolated values are weighted means.


def star_field(rng, n=192, stars=60, saturation=40.0):
    """A sky of ``n x n`` pixels with Moffat stars, noise, saturated cores as NaN and a
    bad border (returned as the mask)."""
    psf = sigconv.kernels.moffat(1.8, 2.5, size=15, estimate_error=False).array
    sky = np.full((n, n), 10.0)
    half = psf.shape[0] // 2
    for _ in range(stars):
        r, c = rng.integers(half, n - half, 2)
        flux = 200.0 * rng.pareto(1.5) + 20.0
        sky[r - half:r + half + 1, c - half:c + half + 1] += flux * psf
    image = rng.normal(sky, np.sqrt(sky))             # photon-like noise
    image[image > saturation] = np.nan                 # saturated cores
    mask = np.zeros(image.shape, bool)
    mask[:, :6] = mask[:6, :] = True                   # a bad border, flagged
    image[mask] = -1000.0                              # junk under the mask
    return image, mask


def main(out: Path) -> None:
    rng = np.random.default_rng(7)
    image, mask = star_field(rng)
    kernel = sigconv.kernels.moffat(2.5, 3.0).array     # sums to 1
    kw = dict(mode="same", nan_policy="interpolate", mask=mask)
    results = {m: sigconv.convolve(image, kernel, method=m, **kw)
               for m in ("direct", "fft", "oa", "os")}
    smooth, weights = sigconv.convolve(image, kernel, return_weights=True, **kw)
    plain = sigconv.convolve(np.where(mask, np.nan, image), kernel, "same")
    ref = results["direct"]
    print(f"missing samples: {int(np.isnan(image).sum())} NaN, {int(mask.sum())} masked")
    for m, y in results.items():
        print(f"  {m:6s} max |y - direct| = {np.nanmax(np.abs(y - ref)):.2e}")
    try:
        from astropy.convolution import convolve as aconv, convolve_fft
    except ImportError:
        print("  astropy not installed: its comparison is skipped")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, fn in (("astropy convolve", aconv), ("astropy convolve_fft", convolve_fft)):
                y = fn(image, kernel, mask=mask, boundary="fill", fill_value=0.0)
                print(f"  {name:20s} max |y - sigconv| = {np.nanmax(np.abs(y - ref)):.2e}")

    fig, axes = plt.subplots(2, 2, figsize=(9, 8.4), layout="constrained")
    shown = np.where(mask, np.nan, image)
    vmin, vmax = np.nanpercentile(shown, [1, 99.5])
    panels = [(shown, "input: NaN cores, masked border (red)"),
              (plain, "plain convolution: NaN spreads (red)"),
              (smooth, "normalized convolution (interpolate)")]
    gray = plt.get_cmap("gray").with_extremes(bad="tab:red")    # missing pixels in red
    for ax, (data, title) in zip(axes.flat, panels):
        im = ax.imshow(data, cmap=gray, vmin=vmin, vmax=vmax)
        ax.set_title(title, fontsize=10)
        ax.set_axis_off()
    wim = axes[1, 1].imshow(weights, cmap="viridis", vmin=0, vmax=1)
    axes[1, 1].set_title("weight: kernel mass on valid pixels", fontsize=10)
    axes[1, 1].set_axis_off()
    fig.colorbar(wim, ax=axes[1, 1], shrink=0.8, label="weight (fraction)")
    fig.colorbar(im, ax=axes[:, 0], shrink=0.6, label="counts")
    fig.savefig(out / "missing_data.png", dpi=80)
    print("wrote", out / "missing_data.png")


# %%
# Run
# ---
# The output directory is the first argument (a new temporary directory by default).

if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    target.mkdir(parents=True, exist_ok=True)
    main(target)
