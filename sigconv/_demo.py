"""The showcase behind ``sigconv demo``, ``sigconv train`` and ``sigconv bench``.

Each demo step uses the sigconv module that owns its topic (``sigconv.filters``,
``sigconv.properties``, ``sigconv.matrices``, ``sigconv.nn``).  Where that module is not
installed, the edges, Gabor, identity and matrix steps still run for real with kernels built
here by hand and :func:`sigconv.convolve`, and say so; the CNN step is reported as
``skipped (module not available)``.  A step that fails is reported and makes the demo exit 1,
after the other steps have run.
"""

from __future__ import annotations

import importlib
import math
import time
from pathlib import Path
from typing import Callable

import numpy as np

from . import _bench, _io
from ._convolve import convolve, correlate

FILES = ("edges.png", "gabor_bank.png", "identities.png", "matrix.png", "cnn.png",
         "report.txt")
SKIPPED = "skipped (module not available)"


class Skipped(Exception):
    """A step whose module is not installed."""


def optional(name: str):
    """The module ``name``, or None when it (not one of its own imports) is missing."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == name or name.startswith(exc.name + ".")):
            return None
        raise


# ----------------------------------------------------------------------------- figures

def figure(width: float, height: float):
    """A matplotlib Figure that needs no display (no pyplot state)."""
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig, path) -> None:
    """Write ``fig`` as PNG atomically."""
    _io.atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=80))


def kernel_grid(kernels, title: str):
    """A row-major grid of kernels (real parts), one panel each."""
    n = len(kernels)
    cols = min(n, 8)
    rows = math.ceil(n / cols)
    fig = figure(1.4 * cols, 1.5 * rows + 0.4)
    fig.suptitle(title)
    for i, k in enumerate(kernels):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.imshow(np.real(k), cmap="RdBu_r")
        ax.set_axis_off()
    return fig


def _panel(fig, grid, index, image, title, cmap="gray"):
    ax = fig.add_subplot(*grid, index)
    ax.imshow(image, cmap=cmap)
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()
    return ax


def sample_photo(quick: bool = False) -> np.ndarray:
    """matplotlib's sample photograph (Grace Hopper) as float64 luminance in [0, 1]."""
    from matplotlib import cbook
    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    photo = _io.load_array(path, gray=True) / 255.0
    return photo[::2, ::2].copy() if quick else photo


# ----------------------------------------------------------------------------- hand-built kernels

SOBEL_X = np.outer([1, 2, 1], [-1, 0, 1])   # smoothing x derivative: 8 per unit ramp (ndimage)


def hand_sobel(image: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude with sigconv.correlate (reflect boundary, ndimage anchor)."""
    gx = correlate(image, SOBEL_X, "same", boundary="reflect", center="ndimage")
    gy = correlate(image, SOBEL_X.T, "same", boundary="reflect", center="ndimage")
    return np.hypot(gx, gy)


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
        magnitude = np.asarray(filters.sobel(photo, normalize="none"))
        edges = np.asarray(filters.canny(photo, sigma=2.0, gradient="gaussian"))
        how = "sigconv.filters.sobel and canny"
    else:
        magnitude = hand_sobel(photo)
        edges = magnitude > np.percentile(magnitude, 90)
        how = "hand-built Sobel with sigconv.correlate (sigconv.filters not available: " \
              "top-10% threshold instead of Canny)"
    fig = figure(10, 4)
    _panel(fig, (1, 3), 1, photo, "grace_hopper.jpg")
    _panel(fig, (1, 3), 2, magnitude, "Sobel magnitude", cmap="magma")
    _panel(fig, (1, 3), 3, edges, "edges")
    save_figure(fig, out / "edges.png")
    frac = float(np.mean(edges))
    return f"{how}; {frac:.1%} of pixels are edges", ["edges.png"]


def step_gabor(out: Path, photo: np.ndarray):
    frequencies, thetas = (0.1, 0.2), tuple(np.arange(4) * np.pi / 4)
    filters = optional("sigconv.filters")
    if filters is not None:
        bank = filters.gabor_bank(list(frequencies), len(thetas))
        kernels = [np.asarray(k) for k in bank.kernels]
        responses = np.abs(np.asarray(bank.apply(photo)))
        how = "sigconv.filters.gabor_bank"
        labels = [f"kernel {i}" for i in range(len(kernels))]
    else:
        kernels = [hand_gabor(f, t) for f in frequencies for t in thetas]
        responses = np.abs(np.stack([convolve(photo, k, "same", boundary="reflect")
                                     for k in kernels]))
        how = "hand-built skimage-convention kernels with sigconv.convolve " \
              "(sigconv.filters not available)"
        labels = [f"f={f:g}, {math.degrees(t):.0f} deg" for f in frequencies for t in thetas]
    n = len(kernels)
    fig = figure(1.6 * n, 3.8)
    for i, (k, r) in enumerate(zip(kernels, responses)):
        _panel(fig, (2, n), i + 1, np.real(k), labels[i], cmap="RdBu_r")
        _panel(fig, (2, n), n + i + 1, r, "|response|", cmap="magma")
    save_figure(fig, out / "gabor_bank.png")
    return f"{how}; {n} kernels, responses {responses.shape}", ["gabor_bank.png"]


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
    fig = figure(6, 3.5)
    ax = fig.add_subplot(1, 1, 1)
    t = np.linspace(-1, 3, 400)
    ax.plot(t, np.clip(1 - np.abs(t - 1), 0, None), "k", lw=3, label="box * box = triangle")
    for dx, style in ((0.25, "o--"), (0.1, ".:")):
        box = np.ones(int(round(1 / dx)))           # the box sampled at (i + 1/2) dx
        s = convolve(box, box) * dx                  # dx * discrete convolution
        ax.plot(np.arange(1, s.size + 1) * dx, s, style, label=f"dx * discrete, dx={dx}")
    ax.set_title("box * box: the integral and dx times the discrete sum")
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
        extra = "\n" + "\n".join("      " + line for line in
                                 str(matrices.efficiency_table((320, 280), (2, 1))).splitlines())
        how = "sigconv.matrices.convolution_matrix"
    else:
        m, extra = _hand_matrix(kernel, shape), ""
        how = "built column by column from impulse responses (sigconv.matrices not available)"
    x = np.random.default_rng(1).standard_normal(shape)
    err = np.max(np.abs(m @ x.ravel() - convolve(x, kernel).ravel()))
    fig = figure(5, 6)
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(m, cmap="viridis")
    ax.set_title(f"doubly-block Toeplitz matrix {m.shape} of a 3x3 kernel on 4x4")
    save_figure(fig, out / "matrix.png")
    nnz = int(np.count_nonzero(m))
    return (f"{how}; {m.shape}, {nnz} non-zeros ({nnz / m.size:.0%}), "
            f"|M x - k*x| = {err:.1e}{extra}"), ["matrix.png"]


def step_cnn(out: Path, quick: bool):
    if optional("sigconv.nn") is None:
        raise Skipped("sigconv.nn")
    report = train_digits(epochs=2 if quick else 30, seed=0, progress=lambda line: None)
    fig = figure(10, 3.8)
    left, right = fig.subfigures(1, 2)
    ax = left.add_subplot(1, 1, 1)
    ax.plot(np.arange(1, len(report["loss"]) + 1), report["loss"], marker="o")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title(f"test accuracy {report['accuracy']:.3f}")
    weights = report["first_layer"]
    if weights is not None:
        right.suptitle("first-layer kernels (cross-correlation)")
        n = min(len(weights), 8)
        for i in range(n):
            _panel(right, (2, 4), i + 1, weights[i, 0], f"channel {i}", cmap="RdBu_r")
    save_figure(fig, out / "cnn.png")
    return (f"digits CNN: test accuracy {report['accuracy']:.3f} on {report['n_test']} "
            "held-out digits"), ["cnn.png"]


# ----------------------------------------------------------------------------- CNN

DIGITS_FILE = Path(__file__).resolve().parent / "data" / "digits.npz"


def load_digits():
    """(images (N, 8, 8), labels) of the handwritten digits.

    From ``sigconv/data/digits.npz`` (arrays ``images`` and ``target``) when the package
    ships it, otherwise from scikit-learn (the ``examples`` extra); neither downloads.
    """
    if DIGITS_FILE.is_file():
        with np.load(DIGITS_FILE, allow_pickle=False) as data:
            return data["images"], data["target"]
    if optional("sklearn") is None:
        raise Skipped("scikit-learn (pip install 'sigconv[examples]') for the digits")
    from sklearn.datasets import load_digits as sklearn_digits
    digits = sklearn_digits()
    return digits.images, digits.target


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int):
    """(train indices, test indices) holding ``test_fraction`` of every class out."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_test = int(round(test_fraction * members.size))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def train_digits(*, epochs: int, seed: int, progress: Callable[[str], None],
                 verbose: bool = False) -> dict:
    """Train a small CNN on the digits with sigconv.nn (stratified 25% held out)."""
    nn = optional("sigconv.nn")
    if nn is None:
        raise Skipped("sigconv.nn")
    images, labels = load_digits()
    x = images[:, None].astype(np.float32) / 16.0
    train, test = stratified_split(labels, 0.25, seed)
    model = nn.Sequential([
        nn.Conv2D(1, 16, 3, padding="same"), nn.ReLU(), nn.MaxPool2D(2),
        nn.Conv2D(16, 32, 3, padding="same"), nn.ReLU(), nn.MaxPool2D(2),
        nn.Flatten(), nn.Dense(32 * 2 * 2, 10)])
    progress(f"training on {train.size} digits for {epochs} epochs ...")
    history = model.fit(x[train], labels[train], epochs=epochs, batch_size=32,
                        optimizer=nn.Adam(lr=0.003), loss=nn.SoftmaxCrossEntropy(),
                        seed=seed, verbose=int(verbose))
    record = getattr(history, "history", history)
    loss = list(record["loss"]) if isinstance(record, dict) and "loss" in record else []
    predicted = np.asarray(model.predict(x[test])).argmax(axis=1)
    layers = getattr(model, "layers", None)
    first = np.asarray(layers[0].params["weight"]) if layers else None
    return dict(model=model, accuracy=float(np.mean(predicted == labels[test])),
                n_test=test.size, loss=loss, first_layer=first)


# ----------------------------------------------------------------------------- demo

def run(out, *, force: bool, quick: bool, progress: Callable[[str], None]) -> int:
    """Run every step, write the pictures and report.txt into ``out``; 1 if a step failed."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise _io.FileProblem(f"--out '{out}' exists and is not a directory", exit_code=2)
    existing = [name for name in FILES if (out / name).exists()]
    if existing and not force:
        raise _io.FileProblem(f"'{out}' already holds {', '.join(existing)}; use --force to "
                              "overwrite", exit_code=2)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    photo = sample_photo(quick)
    steps = [("edges on the sample photograph", lambda: step_edges(out, photo)),
             ("Gabor bank", lambda: step_gabor(out, photo)),
             ("identities", lambda: step_identities(out)),
             ("matrix form", lambda: step_matrix(out)),
             ("CNN on digits", lambda: step_cnn(out, quick))]
    lines, failed = [f"sigconv demo -> {out}/"], 0
    progress(lines[0])
    for i, (title, step) in enumerate(steps, start=1):
        t0 = time.perf_counter()
        try:
            detail, files = step()
            status = "ok"
        except Skipped as exc:
            status, detail, files = SKIPPED, f"needs {exc}", []
        except Exception as exc:  # reported, the other steps still run
            status, detail, files = "FAILED", f"{type(exc).__name__}: {exc}", []
            failed += 1
        line = f"[{i}/{len(steps)}] {title}: {status} ({time.perf_counter() - t0:.1f} s)"
        line += f"  -> {', '.join(files)}" if files else ""
        lines += [line, "      " + detail]
        progress(lines[-2])
        progress(lines[-1])
    lines.append(f"done in {time.perf_counter() - t_start:.1f} s"
                 + (f"; {failed} step(s) FAILED" if failed else ""))
    progress(lines[-1])
    text = "\n".join(lines) + "\n"
    _io.atomic_write(out / "report.txt", lambda f: f.write(text.encode()))
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
