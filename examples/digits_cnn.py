"""Train a small CNN on scikit-learn's 8x8 handwritten digits with sigconv.nn
===========================================================================

Network: Conv2D(1->32, 3x3, same, Gabor-initialised) - ReLU - MaxPool 2x2 -
Conv2D(32->64, 3x3, same) - ReLU - Flatten - Dropout(0.3) - Dense(1024->10), trained
with Adam (learning rate 3e-3, then 3e-4 for the last third of the epochs) on a
stratified 75/25 split (``random_state=0``).  Prints the held-out accuracy, then saves
the training curves and the learned first-layer kernels as PNG files (Agg backend).  The
digits ship with scikit-learn: nothing is downloaded.

Run it: ``python examples/digits_cnn.py OUTPUT_DIR [--epochs N]`` (a new temporary
directory when omitted); it exits with status 1 if the held-out accuracy is below 0.98.
"""

import argparse
import os
import sys
import tempfile
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from sigconv import nn  # noqa: E402


# %%
# The network and the data
# ------------------------
# Layers take channels-first input ``(N, C, H, W)``; the first convolution starts from
# Gabor kernels (``weight_init='gabor'``).


def build_model(seed=0):
    return nn.Sequential([
        nn.Conv2D(1, 32, 3, padding="same", weight_init="gabor", seed=seed),
        nn.ReLU(),
        nn.MaxPool2D(2),
        nn.Conv2D(32, 64, 3, padding="same", seed=seed + 1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dropout(0.3, seed=seed + 3),
        nn.Dense(64 * 4 * 4, 10, seed=seed + 2),
    ], input_shape=(1, 8, 8))


def load_split():
    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float32)[:, None]
    return train_test_split(X, digits.target, test_size=0.25, stratify=digits.target,
                            random_state=0)


# %%
# Training
# --------


def train(epochs=18, batch_size=32, seed=0, verbose=1):
    """Adam with a step decay: the learning rate drops tenfold for the last third."""
    X_train, X_test, y_train, y_test = load_split()
    model = build_model(seed)
    optimizer = nn.Adam(3e-3)
    history = {}
    t0 = time.perf_counter()
    late = epochs // 3
    for lr, n in ((3e-3, epochs - late), (3e-4, late)):
        if n == 0:
            continue
        optimizer.lr = lr
        part = model.fit(X_train, y_train, epochs=n, batch_size=batch_size,
                         optimizer=optimizer, loss=nn.SoftmaxCrossEntropy(),
                         validation_data=(X_test, y_test), seed=seed + len(history.get("loss", [])),
                         verbose=verbose)
        for key, values in part.items():
            history.setdefault(key, []).extend(values)
    seconds = time.perf_counter() - t0
    _, accuracy = model.evaluate(X_test, y_test)
    return model, history, accuracy, seconds


# %%
# The figures: training curves and the learned kernels
# ----------------------------------------------------


def plot(model, history, folder):
    from matplotlib.ticker import MaxNLocator
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
    epochs = np.arange(1, len(history["loss"]) + 1)
    a1.plot(epochs, history["loss"], marker=".", label="train")
    a1.plot(epochs, history["val_loss"], marker=".", label="held out")
    a1.set(xlabel="epoch", ylabel="cross-entropy (nats)", yscale="log")
    a1.legend()
    a2.plot(epochs, history["accuracy"], marker=".", label="train")
    a2.plot(epochs, history["val_accuracy"], marker=".", label="held out")
    a2.set(xlabel="epoch", ylabel="accuracy (fraction correct)")
    a2.legend()
    for ax in (a1, a2):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    curves = os.path.join(folder, "digits_training_curves.png")
    fig.savefig(curves, dpi=100)
    plt.close(fig)
    w = model.layers[0].params["weight"][:, 0]
    lim = np.abs(w).max()
    fig, axes = plt.subplots(4, 8, figsize=(8.8, 4.6), layout="constrained")
    for k, ax in zip(w, axes.ravel()):
        shown = ax.imshow(k, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_axis_off()
    fig.colorbar(shown, ax=axes, shrink=0.8, label="weight")
    fig.suptitle("learned first-layer kernels (3x3)")
    kernels = os.path.join(folder, "digits_first_layer_kernels.png")
    fig.savefig(kernels, dpi=100)
    plt.close(fig)
    return curves, kernels


# %%
# Run
# ---


def main(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("output_dir", nargs="?", default=None)
    parser.add_argument("--epochs", type=int, default=18)
    args = parser.parse_args(argv)
    folder = args.output_dir or tempfile.mkdtemp(prefix="sigconv-digits-")
    os.makedirs(folder, exist_ok=True)
    model, history, accuracy, seconds = train(epochs=args.epochs)
    print(model.summary())
    print(f"held-out accuracy {accuracy:.4f} after {args.epochs} epochs "
          f"({seconds:.1f} s of training)")
    for path in plot(model, history, folder):
        print("wrote", path)
    return accuracy


if __name__ == "__main__":
    accuracy = main()
    if accuracy < 0.98:
        sys.exit(f"held-out accuracy {accuracy:.4f} is below 0.98")
