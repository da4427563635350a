"""The digits CNN behind ``sigconv train`` and the demo's last step.

A small convolutional network (sigconv.nn) trained on scikit-learn's 8x8 handwritten digits,
with a stratified 25 % held out.  Nothing is downloaded: the digits ship with
scikit-learn (the ``examples`` extra), or with sigconv as ``sigconv/data/digits.npz``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

import numpy as np

from . import _environ
from ._errors import SigconvError
from ._progress import progress

__all__ = ["DIGITS_FILE", "EXTRA", "MissingModule", "load_digits", "require_data",
           "stratified_split", "train_digits", "optional"]

DIGITS_FILE = Path(__file__).resolve().parent / "data" / "digits.npz"
EXTRA = "pip install 'sigconv[examples]'"


class MissingModule(SigconvError, ImportError):
    """A module a step or command needs is not installed (the message says how to get it)."""


def optional(name: str):
    """The module ``name``, or None when it (not one of its own imports) is missing."""
    try:
        with _environ.kept():           # scikit-learn sets KMP_DUPLICATE_LIB_OK
            return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == name or name.startswith(exc.name + ".")):
            return None
        raise


def load_digits():
    """(images (N, 8, 8), labels) of the handwritten digits.

    From ``sigconv/data/digits.npz`` (arrays ``images`` and ``target``) when the package
    ships it, otherwise from scikit-learn; neither downloads.

    Raises
    ------
    MissingModule
        Neither is available; the message names the extra to install.
    """
    if DIGITS_FILE.is_file():
        with np.load(DIGITS_FILE, allow_pickle=False) as data:
            return data["images"], data["target"]
    digits = require_data().load_digits()
    return digits.images, digits.target


def require_data():
    """``sklearn.datasets`` (None when sigconv ships the digits); MissingModule, naming the
    extra to install, when neither is available.  Cheap: call it before any work."""
    if DIGITS_FILE.is_file():
        return None
    datasets = optional("sklearn.datasets")
    if datasets is None:
        raise MissingModule("the digits data come with scikit-learn, which is not "
                            f"installed; install it with: {EXTRA}")
    return datasets


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


def train_digits(*, epochs: int, seed: int, on_epoch: Callable[[str], None] | None = None,
                 bars: bool | None = None) -> dict:
    """Train a small CNN on the digits with sigconv.nn (stratified 25 % held out).

    Parameters
    ----------
    epochs, seed : int
        ``seed`` fixes the split, the initial weights and the batch order: the same seed
        trains the same model.
    on_epoch : callable, optional
        Receives one line per epoch (``'epoch 3/5: loss 0.1234'``).
    bars : bool, optional
        Progress bar over the epochs (None: :mod:`sigconv._progress`'s rule).

    Returns
    -------
    dict
        ``model``, ``accuracy`` (held out), ``n_test``, ``loss`` (one per epoch) and
        ``first_layer`` (the first convolution's weights).
    """
    nn = optional("sigconv.nn")
    if nn is None:
        raise MissingModule("sigconv.nn is not available in this installation")
    images, labels = load_digits()
    x = images[:, None].astype(np.float32) / 16.0
    train, test = stratified_split(labels, 0.25, seed)
    model = nn.Sequential([       # the seed fixes the initial weights too: a rerun repeats
        nn.Conv2D(1, 16, 3, padding="same", seed=seed), nn.ReLU(), nn.MaxPool2D(2),
        nn.Conv2D(16, 32, 3, padding="same", seed=seed + 1), nn.ReLU(), nn.MaxPool2D(2),
        nn.Flatten(), nn.Dense(32 * 2 * 2, 10, seed=seed + 2)])
    optimizer, loss = nn.Adam(lr=0.003), nn.SoftmaxCrossEntropy()
    rng = np.random.default_rng(seed)
    history = []
    with progress(total=epochs, desc=f"training on {train.size} digits", unit="epoch",
                  enabled=bars, leave=False) as bar:
        for epoch in range(epochs):       # one shared generator: the same order as one fit
            h = model.fit(x[train], labels[train], epochs=1, batch_size=32,
                          optimizer=optimizer, loss=loss, seed=rng, verbose=0)
            history.append(float(h["loss"][-1]))
            bar.set_postfix_str(f"loss {history[-1]:.4f}", refresh=False)
            bar.update()
            if on_epoch is not None:
                on_epoch(f"epoch {epoch + 1}/{epochs}: loss {history[-1]:.4f}, "
                         f"training accuracy {h['accuracy'][-1]:.4f}")
    predicted = np.asarray(model.predict(x[test])).argmax(axis=1)
    return dict(model=model, accuracy=float(np.mean(predicted == labels[test])),
                n_test=test.size, loss=history,
                first_layer=np.asarray(model.layers[0].params["weight"]))
