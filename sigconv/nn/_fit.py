"""Training for :class:`~sigconv.nn.Sequential`: Keras' ``compile`` and ``fit``.

The optimizer and loss are given once (``compile``), or to one ``fit`` call; ``fit`` has
Keras' defaults (32 samples per step, one epoch, shuffled).
"""

import math
import sys
import time

import numpy as np

from .._progress import progress, write
from .._validate import one_of, positive_int
from .losses import LOSSES
from .optim import SGD, Adam

__all__ = ["Training", "OPTIMIZERS", "DEFAULT_BATCH_SIZE"]

DEFAULT_BATCH_SIZE = 32              # Keras' default
#: optimizer names ``compile`` accepts (each with its default learning rate)
OPTIMIZERS = {"sgd": SGD, "adam": Adam}
#: Keras loss names, refused with the sigconv loss that takes logits (sigconv has no
#: softmax layer: a model's outputs are logits, Keras' ``from_logits=True``)
KERAS_LOSSES = {"sparse_categorical_crossentropy": "cross_entropy",
                "categorical_crossentropy": "cross_entropy"}
KERAS_ALIASES = {"mean_squared_error": "mse"}


class Training:
    """``compile``, ``fit`` for a model with ``forward``/``backward``, ``parameters()``,
    ``evaluate`` and the memory checks of :class:`~sigconv.nn.Sequential`."""

    optimizer = loss = None

    def compile(self, optimizer="sgd", loss=None, *, metrics=None):
        """Set the optimizer and loss once, as Keras' ``compile``; ``fit`` then uses them.

        Parameters
        ----------
        optimizer : {'sgd', 'adam'}, or an SGD/Adam instance or class
            A name or class gets its default learning rate (0.01 and 0.001, Keras'); an
            instance keeps its state across ``fit`` calls.
        loss : {'cross_entropy', 'softmax_cross_entropy', 'mse', 'mean_squared_error'}, or
            a loss instance or class
            The model's outputs are logits: 'cross_entropy' is Keras'
            ``SparseCategoricalCrossentropy(from_logits=True)`` (integer labels) and
            ``CategoricalCrossentropy(from_logits=True)`` (one-hot rows).
        metrics : None or a list of 'accuracy'
            Accuracy is reported for classification losses whatever is given here.

        Returns
        -------
        Sequential
            ``self``.

        Notes
        -----
        Nothing of this is saved in a model file.

        Examples
        --------
        >>> import numpy as np
        >>> from sigconv.nn import Dense, Sequential
        >>> X = np.arange(8, dtype=np.float32).reshape(4, 2)
        >>> model = Sequential(Dense(2, 1, seed=0)).compile(optimizer='sgd', loss='mse')
        >>> h = model.fit(X, X.sum(1), epochs=2, verbose=0)
        >>> len(h['loss'])
        2
        """
        func = "Sequential.compile"
        self.optimizer = optimizer_from(optimizer, func)
        self.loss = None if loss is None else loss_from(loss, func)
        for m in metrics or ():
            one_of(m, ("accuracy", "acc"), "metrics", func)
        return self

    def fit(self, X, y, *, epochs=1, batch_size=None, optimizer=None, loss=None,
            validation_data=None, validation_split=0.0, shuffle=True, seed=None, verbose=1,
            max_memory=None):
        """Train with mini-batch gradient descent (Keras' defaults).

        Parameters
        ----------
        X : array_like, shape ``(N, *input_shape)``
        y : array_like
            Integer labels (classification losses) or targets.
        epochs : int
            Passes over the data (default 1).
        batch_size : int, optional
            Samples per step (default 32).
        optimizer, loss : optional
            As for :meth:`compile`, for this call only; default: the compiled ones.
        validation_data : (X_val, y_val), optional
        validation_split : float in [0, 1)
            Fraction of the samples, taken from the end before shuffling (Keras' rule),
            held out for validation instead of ``validation_data``.
        shuffle : bool
            Visit the samples in a new random order every epoch.
        seed : int or numpy.random.Generator, optional
            Shuffling order (the layers' own seeds fix initial weights and dropout).
        verbose : {1, 2, 0, 'auto'}
            1 and 'auto' print a progress bar and one line per epoch (loss, accuracy), 2
            only the lines, 0 nothing.
        max_memory : int, optional
            Bytes a training batch may need (default ``DEFAULT_MAX_MEMORY``).

        Returns
        -------
        dict
            'loss', 'accuracy' and, with validation data, 'val_loss', 'val_accuracy':
            one value per epoch (accuracy is None for regression losses); Keras'
            ``History.history``.

        Notes
        -----
        Each step: ``forward`` on a batch, ``loss.forward``, ``backward`` of
        ``loss.backward()``, ``optimizer.step`` (on the optimizer's own parameters when
        it was created with them, else on every parameter of the model).  A first
        convolution layer skips its input gradient, which nobody needs.

        Examples
        --------
        >>> import numpy as np
        >>> from sigconv.nn import Dense, SGD, MSE, Sequential
        >>> X = np.arange(8, dtype=np.float32).reshape(4, 2)
        >>> model = Sequential([Dense(2, 1, seed=0)])
        >>> h = model.fit(X, X.sum(1, keepdims=True), epochs=3, batch_size=2,
        ...               optimizer=SGD(0.01), loss=MSE(), seed=0, verbose=0)
        >>> sorted(h), len(h['loss'])
        (['accuracy', 'loss'], 3)
        """
        func = "Sequential.fit"
        X, y = self._data(X, y, func)
        epochs = positive_int(epochs, "epochs", func)
        batch_size = positive_int(DEFAULT_BATCH_SIZE if batch_size is None else batch_size,
                                  "batch_size", func)
        optimizer = self.optimizer if optimizer is None else optimizer_from(optimizer, func)
        loss = self.loss if loss is None else loss_from(loss, func)
        if optimizer is None or loss is None:
            missing = " and ".join(n for n, v in (("optimizer", optimizer), ("loss", loss))
                                   if v is None)
            raise TypeError(f"{func}: no {missing}; call model.compile(optimizer=..., "
                            f"loss=...) once, or pass them to fit")
        verbose = {"auto": 1, True: 1, False: 0}.get(verbose, verbose)
        if verbose not in (0, 1, 2):
            raise ValueError(f"{func}: verbose must be 0, 1, 2 or 'auto'; got {verbose!r}")
        X, y, validation_data = _split(X, y, validation_data, validation_split, func)
        if validation_data is not None:
            validation_data = self._data(*validation_data, func)
        self.input_shape = self.input_shape or X.shape[1:]
        self.output_shape(X.shape[1:])
        self._batch_for(len(X), batch_size, max_memory, X.shape[1:], True, func)
        rng = np.random.default_rng(seed) if shuffle else None
        history = {"loss": [], "accuracy": []}
        if validation_data is not None:
            history.update(val_loss=[], val_accuracy=[])
        first = self.layers[0] if self.layers else None
        skip_dx = hasattr(first, "input_grad") and first.input_grad
        if skip_dx:
            first.input_grad = False        # nobody needs d loss / d X
        try:
            self._train(X, y, epochs, batch_size, optimizer, loss, validation_data, rng,
                        verbose, max_memory, history)
        finally:
            if skip_dx:
                first.input_grad = True
        return history

    def _train(self, X, y, epochs, batch_size, optimizer, loss, validation_data, rng, verbose,
               max_memory, history):
        own = getattr(optimizer, "params", None) is not None
        params = None if own else list(self.parameters())
        steps = math.ceil(len(X) / batch_size)
        for epoch in range(epochs):
            t0 = time.perf_counter()
            order = rng.permutation(len(X)) if rng is not None else np.arange(len(X))
            total, hits = 0.0, 0
            bar = progress(range(steps), desc=f"epoch {epoch + 1}/{epochs}", unit="batch",
                           leave=False, enabled=None if verbose == 1 else False)
            for step in bar:
                idx = order[step * batch_size:(step + 1) * batch_size]
                out = self.forward(X[idx], training=True)
                total += loss.forward(out, y[idx]) * len(idx)
                hits += correct(loss, out, y[idx])
                self.backward(loss.backward().astype(out.dtype, copy=False))
                optimizer.step(params)
            history["loss"].append(total / len(X))
            history["accuracy"].append(hits / len(X) if loss.classification else None)
            if validation_data is not None:
                vl, va = self.evaluate(*validation_data, loss=loss, max_memory=max_memory)
                history["val_loss"].append(vl)
                history["val_accuracy"].append(va)
            if verbose:
                write(_epoch_line(epoch, epochs, history, time.perf_counter() - t0),
                      file=sys.stdout)


def optimizer_from(value, func):
    """An optimizer from an instance, an optimizer class or a name in OPTIMIZERS."""
    if isinstance(value, str):
        value = OPTIMIZERS[one_of(value.lower(), tuple(OPTIMIZERS), "optimizer", func)]
    if isinstance(value, type):
        value = value()
    if not hasattr(value, "step"):
        raise TypeError(f"{func}: optimizer must be 'sgd', 'adam' or an optimizer with a "
                        f"step method; got {value!r}")
    return value


def loss_from(value, func):
    """A loss from an instance, a loss class or a name in LOSSES (Keras' names pointed to
    the sigconv loss that takes logits)."""
    if isinstance(value, str):
        name = KERAS_ALIASES.get(value, value)
        if name in KERAS_LOSSES:
            raise ValueError(f"{func}: loss {value!r} is Keras' loss on probabilities; "
                             f"sigconv's models output logits: use loss="
                             f"{KERAS_LOSSES[name]!r} (Keras' from_logits=True)")
        value = LOSSES[one_of(name, tuple(LOSSES), "loss", func)]
    if isinstance(value, type):
        value = value()
    if not (hasattr(value, "forward") and hasattr(value, "backward")):
        raise TypeError(f"{func}: loss needs forward and backward methods; got {value!r}")
    return value


def _split(X, y, validation_data, split, func):
    """Keras' ``validation_split``: the last ``split`` of the samples, before shuffling."""
    if isinstance(split, bool) or not isinstance(split, (int, float)) or not 0 <= split < 1:
        raise ValueError(f"{func}: validation_split must be a number in [0, 1); got "
                         f"{split!r}")
    if not split:
        return X, y, validation_data
    if validation_data is not None:
        raise TypeError(f"{func}: give validation_data or validation_split, not both")
    at = int(math.floor(len(X) * (1.0 - split)))
    if at == 0 or at == len(X):
        raise ValueError(f"{func}: validation_split={split} leaves no samples for "
                         f"{'training' if at == 0 else 'validation'} out of {len(X)}")
    return X[:at], y[:at], (X[at:], y[at:])


def correct(loss, out, y):
    if not loss.classification:
        return 0
    labels = y if y.ndim == 1 else y.argmax(axis=1)
    return int(np.count_nonzero(out.argmax(axis=1) == labels))


def _epoch_line(epoch, epochs, history, seconds):
    parts = [f"loss {history['loss'][-1]:.4f}"]
    if history["accuracy"][-1] is not None:
        parts.append(f"accuracy {history['accuracy'][-1]:.4f}")
    if "val_loss" in history:
        parts.append(f"val_loss {history['val_loss'][-1]:.4f}")
        if history["val_accuracy"][-1] is not None:
            parts.append(f"val_accuracy {history['val_accuracy'][-1]:.4f}")
    return f"epoch {epoch + 1}/{epochs}  {seconds:.2f} s  " + "  ".join(parts)
