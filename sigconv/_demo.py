"""The showcase behind ``sigconv demo`` (and the timing behind ``sigconv bench``).

Each demo step uses the sigconv module that owns its topic (``sigconv.filters``,
``sigconv.properties``, ``sigconv.matrices``, ``sigconv.nn``).  Where that module is not
installed, the edges, Gabor, identity and matrix steps still run for real with kernels built
here by hand and :func:`sigconv.convolve`, and say so; the CNN step is reported as
``skipped (module not available)``.  A step that fails is reported and makes the demo exit 1,
after the other steps have run.

The output folder belongs to the demo (:mod:`sigconv._outdir`): a rerun replaces the
demo's own previous pictures and report, refuses to overwrite files it did not write, and
leaves every other file alone.
"""

from __future__ import annotations

import math
import time
import types
from pathlib import Path
from typing import Callable

import numpy as np

from . import _bench, _digits, _io, _outdir
from ._convolve import convolve, correlate
from ._digits import optional
from ._progress import progress

FILES = ("edges.png", "gabor_bank.png", "identities.png", "matrix.png", "cnn.png",
         "report.txt")
SKIPPED = "skipped (module not available)"


class Skipped(Exception):
    """A step whose module is not installed."""


# ----------------------------------------------------------------------------- figures

def figure(width: float, height: float):
    """A matplotlib Figure with constrained layout that needs no display (no pyplot state)."""
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig, path) -> None:
    """Write ``fig`` as PNG atomically."""
    _io.atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=80))


def _picture(ax, image, title, cmap="gray"):
    """An image whose pixels are the picture itself (a photograph, an edge map): no axes."""
    ax.imshow(image, cmap=cmap)
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()


def _quantity(fig, ax, image, title, label, cmap="magma", where="right"):
    """An image whose colour carries a value: with a colour bar naming it and its unit."""
    shown = ax.imshow(image, cmap=cmap)
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()
    fig.colorbar(shown, ax=ax, shrink=0.8, label=label, location=where)


def sample_photo(quick: bool = False) -> np.ndarray:
    """matplotlib's sample photograph (Grace Hopper) as float64 luminance in [0, 1]."""
    from matplotlib import cbook
    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    photo = _io.load_array(path, gray=True) / 255.0
    return photo[::2, ::2].copy() if quick else photo


# ----------------------------------------------------------------------------- hand-built kernels

SOBEL_X = np.outer([1, 2, 1], [-1, 0, 1])   # smoothing x derivative: 8 per unit ramp (ndimage)


def hand_sobel(image: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude per pixel with sigconv.correlate (reflect, ndimage anchor)."""
    gx = correlate(image, SOBEL_X, "same", boundary="reflect", center="ndimage")
    gy = correlate(image, SOBEL_X.T, "same", boundary="reflect", center="ndimage")
    return np.hypot(gx, gy) / 8.0


def hand_gabor(frequency: float, theta: float, bandwidth: float = 1.0) -> np.ndarray:
    """scikit-image's complex Gabor kernel (frequency, bandwidth in octaves, radians)."""
    b = 2.0 ** bandwidth
    sigma = math.sqrt(math.log(2) / 2) / math.pi * (b + 1) / (b - 1) / frequency
    half = math.ceil(3 * sigma)
    y, x = np.mgrid[-half:half + 1, -half:half + 1]
    rx = x * math.cos(theta) + y * math.sin(theta)
    ry = -x * math.sin(theta) + y * math.cos(theta)
    g = np.exp(-(rx ** 2 + ry ** 2) / (2 * sigma ** 2)) / (2 * math.pi * sigma ** 2)
    return g * np.exp(2j * math.pi * frequency * rx)


# ----------------------------------------------------------------------------- steps

def step_edges(out: Path, photo: np.ndarray):
    filters = optional("sigconv.filters")
    if filters is not None:
        magnitude = np.asarray(filters.sobel(photo, normalize="unit"))
        edges = np.asarray(filters.canny(photo, sigma=2.0, gradient="gaussian"))
        how, name = "sigconv.filters.sobel and canny", "Canny edges (σ = 2 px)"
    else:
        magnitude = hand_sobel(photo)
        edges = magnitude > np.percentile(magnitude, 90)
        how = "hand-built Sobel with sigconv.correlate (sigconv.filters not available: " \
              "top-10% threshold instead of Canny)"
        name = "top 10 % of the gradient"
    fig = figure(11, 3.9)
    axes = fig.subplots(1, 3)
    _picture(axes[0], photo, "grace_hopper.jpg (luminance)")
    _quantity(fig, axes[1], magnitude, "Sobel gradient magnitude",
              "|gradient| (luminance per pixel)")
    _picture(axes[2], edges, name)
    save_figure(fig, out / "edges.png")
    frac = float(np.mean(edges))
    return f"{how}; {frac:.1%} of pixels are edges", ["edges.png"]


def step_gabor(out: Path, photo: np.ndarray):
    frequencies, thetas = (0.1, 0.2), tuple(np.arange(4) * np.pi / 4)
    filters = optional("sigconv.filters")
    if filters is not None:
        bank = filters.gabor_bank(list(frequencies), len(thetas))
        responses = np.abs(np.asarray(bank.apply(photo)))
        how = "sigconv.filters.gabor_bank"
    else:
        params = {"frequency": [f for f in frequencies for _ in thetas],
                  "theta": [t for _ in frequencies for t in thetas]}
        bank = types.SimpleNamespace(kernels=[hand_gabor(f, t) for f, t in
                                              zip(params["frequency"], params["theta"])],
                                     params=params)
        responses = np.abs(np.stack([convolve(photo, k, "same", boundary="reflect")
                                     for k in bank.kernels]))
        how = "hand-built skimage-convention kernels with sigconv.convolve " \
              "(sigconv.filters not available)"
    from .plotting import plot_bank
    fig = figure(14, 5.2)
    left, right = fig.subfigures(1, 2, width_ratios=(1.6, 1))
    plot_bank(bank, figure=left)
    left.suptitle("the bank: one row per frequency, one column per orientation", fontsize=10)
    energy = responses.reshape(len(frequencies), len(thetas), *photo.shape).max(axis=1)
    for ax, f, e in zip(right.subplots(1, len(frequencies)), frequencies, energy):
        _quantity(right, ax, e, f"f = {f:g} cycles/px", "max over θ of |response|\n"
                  "(luminance)", where="bottom")
    right.suptitle("strongest response over the orientations", fontsize=10)
    save_figure(fig, out / "gabor_bank.png")
    return (f"{how}; {len(bank.kernels)} kernels ({len(frequencies)} frequencies x "
            f"{len(thetas)} orientations), responses {responses.shape}"), ["gabor_bank.png"]


def _hand_identities(rng):
    a, b, c = (rng.standard_normal(n) for n in (40, 9, 9))
    size = a.size + b.size - 1
    spectral = np.fft.irfft(np.fft.rfft(a, size) * np.fft.rfft(b, size), size)
    checks = {
        "commutative  a*b = b*a": convolve(a, b) - convolve(b, a),
        "associative  (a*b)*c = a*(b*c)": convolve(convolve(a, b), c) - convolve(a, convolve(b, c)),
        "distributive a*(b+c) = a*b + a*c": convolve(a, b + c) - convolve(a, b) - convolve(a, c),
        "convolution theorem F(a*b) = Fa.Fb": convolve(a, b) - spectral,
        "correlate(a,b) = convolve(a, flip(b))": correlate(a, b) - convolve(a, b[::-1]),
        "integration  sum(a*b) = sum a . sum b":
            np.array([convolve(a, b).sum() - a.sum() * b.sum()]),
    }
    lines = [f"{name:42s} max error {np.max(np.abs(err)):.1e}" for name, err in checks.items()]
    broken = np.max(np.abs(correlate(a, b) - correlate(b, a)))
    lines.append(f"{'correlation is not commutative':42s} difference {broken:.1e} (must be > 0)")
    return lines


def step_identities(out: Path):
    rng = np.random.default_rng(0)
    properties = optional("sigconv.properties")
    if properties is not None:
        table = properties.check_all(rng.standard_normal(40), rng.standard_normal(9))
        lines, how = str(table).splitlines(), "sigconv.properties.check_all"
    else:
        lines, how = _hand_identities(rng), "hand-written checks (sigconv.properties not available)"
    fig = figure(6.5, 4)
    ax = fig.add_subplot(1, 1, 1)
    t = np.linspace(-1, 3, 400)
    ax.plot(t, np.clip(1 - np.abs(t - 1), 0, None), "k", lw=3, label="box * box = triangle")
    for dx, style in ((0.25, "o--"), (0.1, ".:")):
        box = np.ones(int(round(1 / dx)))           # the box sampled at (i + 1/2) dx
        s = convolve(box, box) * dx                  # dx * discrete convolution
        ax.plot(np.arange(1, s.size + 1) * dx, s, style, label=f"dx * discrete, dx = {dx}")
    ax.set_title("box * box: the integral and dx times the discrete sum", fontsize=10)
    ax.set_xlabel("t (box widths)")
    ax.set_ylabel("(box * box)(t)")
    ax.legend(fontsize=8)
    save_figure(fig, out / "identities.png")
    return how + "\n" + "\n".join("      " + line for line in lines), ["identities.png"]


def _hand_matrix(kernel, shape):
    """Columns are the full convolutions of unit impulses: M @ x.ravel() = convolve(x, k)."""
    columns = []
    for j in range(math.prod(shape)):
        e = np.zeros(math.prod(shape))
        e[j] = 1
        columns.append(convolve(e.reshape(shape), kernel).ravel())
    return np.stack(columns, axis=1)


def step_matrix(out: Path):
    kernel, shape = np.arange(1.0, 10.0).reshape(3, 3), (4, 4)
    matrices = optional("sigconv.matrices")
    if matrices is not None:
        m = np.asarray(matrices.convolution_matrix(kernel, shape, mode="full", format="dense"))
        table = matrices.efficiency_table((320, 280), (2, 1))
        extra = ("\n      Goodfellow, Bengio and Courville's example (Deep Learning 9.1): a 2x1 "
                 "edge kernel on a 320x280 image\n"
                 + "\n".join("      " + line for line in str(table).splitlines()))
        how = "sigconv.matrices.convolution_matrix"
    else:
        m, extra = _hand_matrix(kernel, shape), ""
        how = "built column by column from impulse responses (sigconv.matrices not available)"
    x = np.random.default_rng(1).standard_normal(shape)
    err = np.max(np.abs(m @ x.ravel() - convolve(x, kernel).ravel()))
    out_shape = tuple(n + k - 1 for n, k in zip(shape, kernel.shape))
    fig = figure(5.5, 7)
    ax = fig.add_subplot(1, 1, 1)
    shown = ax.imshow(np.ma.masked_equal(m, 0), cmap="viridis", interpolation="nearest")
    ax.set_facecolor("white")
    ax.set_title(f"doubly-block Toeplitz matrix {m.shape[0]}x{m.shape[1]}\n"
                 f"of the 3x3 kernel 1..9 on 4x4 inputs, 'full' (blank: 0)", fontsize=10)
    ax.set_xlabel(f"column j: input pixel ({shape[0]}x{shape[1]}, raveled)")
    ax.set_ylabel(f"row i: output pixel ({out_shape[0]}x{out_shape[1]}, raveled)")
    fig.colorbar(shown, ax=ax, shrink=0.6, label="entry M[i, j] (a kernel tap)")
    save_figure(fig, out / "matrix.png")
    nnz = int(np.count_nonzero(m))
    return (f"{how}; {m.shape}, {nnz} non-zeros ({nnz / m.size:.0%}), "
            f"|M x - k*x| = {err:.1e}{extra}"), ["matrix.png"]


def step_cnn(out: Path, quick: bool):
    from matplotlib.ticker import MaxNLocator
    if optional("sigconv.nn") is None:
        raise Skipped("sigconv.nn")
    try:
        report = _digits.train_digits(epochs=2 if quick else 30, seed=0)
    except _digits.MissingModule as exc:
        raise Skipped(str(exc)) from None
    fig = figure(11, 4)
    left, right = fig.subfigures(1, 2)
    ax = left.add_subplot(1, 1, 1)
    ax.plot(np.arange(1, len(report["loss"]) + 1), report["loss"], marker="o")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (cross-entropy, nats)")
    ax.set_title(f"held-out accuracy {report['accuracy']:.3f}", fontsize=10)
    weights = report["first_layer"][:8, 0]
    lim = float(np.max(np.abs(weights))) or 1.0
    axes = right.subplots(2, 4)
    for i, (a, w) in enumerate(zip(axes.ravel(), weights)):
        shown = a.imshow(w, cmap="RdBu_r", vmin=-lim, vmax=lim)
        a.set_title(f"channel {i}", fontsize=8)
        a.set_axis_off()
    right.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8, label="weight")
    right.suptitle("first-layer 3x3 kernels (cross-correlation)", fontsize=10)
    save_figure(fig, out / "cnn.png")
    return (f"digits CNN: held-out accuracy {report['accuracy']:.3f} on {report['n_test']} "
            "digits"), ["cnn.png"]


# ----------------------------------------------------------------------------- demo

def run(out, *, force: bool, quick: bool, say: Callable[[str], None]) -> int:
    """Run every step and write the pictures and report.txt into ``out``.

    ``out`` is checked first (:func:`sigconv._outdir.check`); the files are written into a
    staging folder and moved into ``out`` at the end.  Returns 1 if a step failed.
    """
    out = _outdir.check(out, FILES, force=force)
    t_start = time.perf_counter()
    photo = sample_photo(quick)
    steps = [("edges on the sample photograph", lambda d: step_edges(d, photo)),
             ("Gabor bank", lambda d: step_gabor(d, photo)),
             ("identities", step_identities),
             ("matrix form", step_matrix),
             ("CNN on digits", lambda d: step_cnn(d, quick))]
    stage = _outdir.staging(out)
    lines, failed = [f"sigconv demo -> {out}/"], 0
    say(lines[0])
    try:
        for i, (title, step) in enumerate(progress(steps, desc="sigconv demo", unit="step"),
                                          start=1):
            t0 = time.perf_counter()
            try:
                detail, files = step(stage)
                status = "ok"
            except Skipped as exc:
                status, detail, files = SKIPPED, f"needs {exc}", []
            except Exception as exc:  # reported, the other steps still run
                status, detail, files = "FAILED", f"{type(exc).__name__}: {exc}", []
                failed += 1
            line = f"[{i}/{len(steps)}] {title}: {status} ({time.perf_counter() - t0:.1f} s)"
            line += f"  -> {', '.join(files)}" if files else ""
            lines += [line, "      " + detail]
            say(lines[-2])
            say(lines[-1])
        lines.append(f"done in {time.perf_counter() - t_start:.1f} s"
                     + (f"; {failed} step(s) FAILED" if failed else ""))
        say(lines[-1])
        text = "\n".join(lines) + "\n"
        _io.atomic_write(stage / "report.txt", lambda f: f.write(text.encode()))
    except BaseException:
        _outdir.discard(stage)
        raise
    _outdir.commit(out, stage, FILES)
    return 1 if failed else 0


# ----------------------------------------------------------------------------- bench

BENCH_CASES = (
    _bench.Case((100_000,), (65,), "float64", "full"),
    _bench.Case((100_000,), (5001,), "float64", "full"),
    _bench.Case((512, 512), (3, 3), "float32", "same"),
    _bench.Case((1024, 1024), (31, 31), "float32", "same"),
    _bench.Case((256, 256), (17, 17), "complex128", "full"),
    _bench.Case((64, 64, 64), (9, 9, 9), "float64", "same"),
)


def bench(*, repeats: int, progress: Callable[[int, int, str], None] | None = None,
          cases=None):
    """:func:`sigconv._bench.run` on ``cases`` (by default :data:`BENCH_CASES`, 1-D to
    3-D): a :class:`sigconv._bench.CaseResult` per case."""
    return _bench.run(BENCH_CASES if cases is None else cases, repeats=repeats,
                      steady_seconds=0.1, progress=progress)
