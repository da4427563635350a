"""``Sequential``: a stack of layers that trains, predicts, summarises and saves itself.

It meets PyTorch's and Keras' habits: ``Sequential(*layers)`` or ``Sequential([layers])``,
``parameters()``/``named_parameters()``, and ``compile(optimizer=..., loss=...)`` then
``fit(X, y)`` with Keras' defaults (batch size 32, one epoch, shuffled).
"""

import collections.abc
import math

import numpy as np

from .._errors import ResourceLimitError, ShapeError
from .._progress import progress, write
from .._validate import positive_int
from . import io
from ._args import ChainError
from ._fit import Training, correct, loss_from
from .layers.base import Layer
from .losses import MSE, SoftmaxCrossEntropy

__all__ = ["Sequential", "DEFAULT_MAX_MEMORY"]

DEFAULT_MAX_MEMORY = 2 * 1024 ** 3   # bytes a forward/backward pass may hold (FAULTS G4)
class Sequential(Training, Layer):
    """Layers applied in order; itself a layer, so it nests in :class:`Residual` etc.

    Parameters
    ----------
    *layers : Layer, or one list of Layer
        ``Sequential(conv, relu, dense)`` (PyTorch) or ``Sequential([conv, relu, dense])``
        (Keras).
    input_shape : tuple of int, optional
        Per-sample input shape, e.g. ``(1, 8, 8)``.  Recorded from the first batch when
        not given; used by :meth:`summary`, memory estimates and model files, which check
        that every layer's output fits the next one.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.nn import Conv2D, ReLU, Flatten, Dense
    >>> model = Sequential(Conv2D(1, 4, 3, seed=0), ReLU(), Flatten(), Dense(36, 2, seed=1),
    ...                    input_shape=(1, 5, 5))
    >>> model.predict(np.zeros((3, 1, 5, 5))).shape
    (3, 2)
    >>> print(model.summary())
    #  layer     output shape   params
    0  Conv2D    (4, 3, 3)          40
    1  ReLU      (4, 3, 3)           0
    2  Flatten   (36,)               0
    3  Dense     (2,)               74
    total parameters: 114
    >>> [name for name, _ in model.named_parameters()]
    ['layers.0.weight', 'layers.0.bias', 'layers.3.weight', 'layers.3.bias']
    """

    def __init__(self, *layers, input_shape=None):
        super().__init__()
        if len(layers) == 1 and not isinstance(layers[0], Layer):
            layers = layers[0]
            if isinstance(layers, collections.abc.Mapping):
                raise TypeError("Sequential: layers are named by position here "
                                "('layers.0', ...), not by a dict's keys; pass "
                                "Sequential(*layers.values())")
            if not isinstance(layers, collections.abc.Iterable):
                raise TypeError(f"Sequential: expected layers or one list of layers; got "
                                f"{layers!r}")
        layers = list(layers)
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential: layer {i} is not a Layer; got {layer!r}")
        self.layers = layers
        self.input_shape = None if input_shape is None else tuple(
            positive_int(s, "input_shape", "Sequential") for s in input_shape)
        if self.input_shape is not None:
            self.output_shape(self.input_shape)

    # -------------------------------------------------------------- the layer protocol
    def sublayers(self):
        return list(self.layers)

    def named_sublayers(self):
        return [(f"layers.{i}", layer) for i, layer in enumerate(self.layers)]

    def add(self, layer):
        """Append ``layer`` (Keras' ``model.add``); checks the chain when the input shape
        is known."""
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a Layer; got {layer!r}")
        self.layers.append(layer)
        if self.input_shape is not None:
            try:
                self.output_shape(self.input_shape)
            except ChainError:
                self.layers.pop()
                raise

    def get_config(self):
        return {"input_shape": None if self.input_shape is None else list(self.input_shape)}

    def output_shapes(self, input_shape):
        """Per-sample output shape of every layer; raises ChainError naming the layer
        (``layer 3 (Conv2D): expects 16 input channels, layer 2 outputs 8``)."""
        shapes, shape = [], tuple(input_shape)
        for i, layer in enumerate(self.layers):
            try:
                shape = tuple(layer.output_shape(shape))
            except ChainError as err:
                source = (f"layer {i - 1} ({type(self.layers[i - 1]).__name__}) outputs"
                          if i else "the input has")
                raise ChainError(f"layer {i} ({type(layer).__name__})", err.what,
                                 err.expected, err.got, source) from None
            shapes.append(shape)
        return shapes

    def output_shape(self, input_shape):
        shapes = self.output_shapes(input_shape)
        return shapes[-1] if shapes else tuple(input_shape)

    def workspace(self, input_shape):
        total, shape = 0, tuple(input_shape)
        for layer in self.layers:
            out = layer.output_shape(shape)
            total += _numel(out) + layer.workspace(shape)
            shape = out
        return total

    def forward(self, x, training=True):
        if self.input_shape is None and np.ndim(x) >= 1:
            self.input_shape = tuple(np.shape(x)[1:])
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, dy):
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    # -------------------------------------------------------------- memory (FAULTS G4)
    def memory_estimate(self, batch_size, *, input_shape=None, training=True):
        """Bytes one batch needs: every activation and im2col workspace kept for backward
        (training), or the largest consecutive pair (inference).

        Parameters
        ----------
        batch_size : int
        input_shape : tuple, optional
            Per-sample input shape (default: the model's).
        training : bool

        Returns
        -------
        int

        Notes
        -----
        .. math:: B \\cdot \\text{itemsize} \\cdot \\Big(|x| + \\sum_l (|y_l| + w_l)\\Big)

        with ``w_l`` the layer's workspace (im2col columns: ``C k^2 |out|``).

        Examples
        --------
        >>> from sigconv.nn import Conv2D
        >>> Sequential([Conv2D(1, 2, 3, seed=0)], input_shape=(1, 4, 4)).memory_estimate(10)
        2400
        """
        shape = tuple(input_shape or self.input_shape or ())
        if not shape:
            raise ValueError("memory_estimate: input_shape is unknown; pass it or run a batch")
        itemsize = max((p.dtype.itemsize for p in self.parameters()), default=8)
        if training:
            per_sample = _numel(shape) + self.workspace(shape)
        else:
            per_sample, s = 0, shape
            for layer in self.layers:
                out = layer.output_shape(s)
                per_sample = max(per_sample, _numel(s) + _numel(out) + layer.workspace(s))
                s = out
        return int(batch_size) * per_sample * itemsize

    def _batch_for(self, n, batch_size, max_memory, shape, training, func):
        limit = DEFAULT_MAX_MEMORY if max_memory is None else max_memory
        one = self.memory_estimate(1, input_shape=shape, training=training)
        if one > limit:
            raise ResourceLimitError(
                f"{func}: one sample needs ~{one / 2**20:.1f} MiB of activations, more than "
                f"max_memory {limit / 2**20:.1f} MiB; raise max_memory or shrink the input")
        fit = max(int(limit // one), 1)
        if batch_size is None:
            return min(n, fit) if n else 1
        if batch_size > fit:
            raise ResourceLimitError(
                f"{func}: batch_size {batch_size} needs ~{batch_size * one / 2**20:.1f} MiB "
                f"of activations, more than max_memory {limit / 2**20:.1f} MiB; use "
                f"batch_size <= {fit}")
        return batch_size

    # -------------------------------------------------------------- inference
    def predict(self, X, *, batch_size=None, max_memory=None):
        """Outputs for ``X`` in inference mode, in mini-batches that fit ``max_memory``.

        Parameters
        ----------
        X : array_like, shape ``(N, *input_shape)``
        batch_size : int, optional
            Default: the largest batch within ``max_memory``.
        max_memory : int, optional
            Bytes (default ``DEFAULT_MAX_MEMORY``); ResourceLimitError if one sample
            or the requested batch exceeds it.

        Returns
        -------
        ndarray

        Notes
        -----
        The batch size is ``floor(max_memory / memory_estimate(1, training=False))``.

        Examples
        --------
        >>> import numpy as np
        >>> from sigconv.nn import Flatten
        >>> Sequential([Flatten()]).predict(np.ones((5, 2, 2)), batch_size=2).shape
        (5, 4)
        """
        X = self._data(X, None, "Sequential.predict")[0]
        shape = X.shape[1:]
        self.output_shape(shape)
        size = self._batch_for(len(X), batch_size, max_memory, shape, False,
                               "Sequential.predict")
        outs = [self.forward(X[i:i + size], training=False) for i in range(0, len(X), size)]
        return np.concatenate(outs) if outs else np.zeros((0,) + self.output_shape(shape))

    def evaluate(self, X, y, *, loss=None, batch_size=None, max_memory=None):
        """``(loss, accuracy)`` on ``(X, y)`` (accuracy None for regression losses).

        Parameters
        ----------
        X, y : array_like
        loss : loss instance, class or name, optional
            Default: the compiled loss, else SoftmaxCrossEntropy for integer labels and
            MSE otherwise.
        batch_size, max_memory : int, optional

        Returns
        -------
        (float, float or None)

        Notes
        -----
        Accuracy is the fraction of rows whose arg-max output equals the label.

        Examples
        --------
        >>> import numpy as np
        >>> from sigconv.nn import Flatten
        >>> loss, acc = Sequential([Flatten()]).evaluate(np.array([[1., 0.], [0., 1.]]),
        ...                                              np.array([0, 0]))
        >>> acc
        0.5
        """
        X, y = self._data(X, y, "Sequential.evaluate")
        loss = self.loss if loss is None else loss_from(loss, "Sequential.evaluate")
        if loss is None:
            loss = SoftmaxCrossEntropy() if y.dtype.kind in "iu" and y.ndim == 1 else MSE()
        out = self.predict(X, batch_size=batch_size, max_memory=max_memory)
        value = loss.forward(out, y)
        acc = correct(loss, out, y) / len(X) if loss.classification else None
        return value, acc

    def summary(self, input_shape=None):
        """A table of the layers, their per-sample output shapes and parameter counts.

        Parameters
        ----------
        input_shape : tuple, optional
            Default: the model's.

        Returns
        -------
        str
        """
        shape = input_shape or self.input_shape
        shapes = (self.output_shapes(shape) if shape is not None
                  else ["?"] * len(self.layers))
        rows = [("#", "layer", "output shape", "params")]
        for i, (layer, s) in enumerate(zip(self.layers, shapes)):
            rows.append((str(i), type(layer).__name__, str(s), str(layer.n_params)))
        w = [max(len(r[c]) for r in rows) for c in range(4)]
        lines = [f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {r[3]:>{w[3]}}" for r in rows]
        lines.append(f"total parameters: {self.n_params:,}")
        return "\n".join(line.rstrip() for line in lines)

    def save(self, path):
        """Write the model to ``path`` (.npz: JSON description + arrays, no pickle),
        atomically.  See :func:`sigconv.nn.load`."""
        io.save(self, path)

    def _data(self, X, y, func):
        X = np.asarray(X)
        if X.dtype.kind not in "fiub" or X.ndim < 2:
            raise ShapeError(f"{func}: X must be a real array of shape (N, *input_shape); got "
                             f"{X.dtype} {X.shape}")
        dtype = next((p.dtype for p in self.parameters()), np.dtype(np.float32))
        X = X.astype(dtype, copy=False)
        if y is not None:
            y = np.asarray(y)
            if len(y) != len(X):
                raise ShapeError(f"{func}: X has {len(X)} samples but y has {len(y)}")
        return X, y


def _numel(shape):
    return math.prod(s or 1 for s in shape)


io.LAYER_TYPES["Sequential"] = Sequential       # model files name it like any layer
