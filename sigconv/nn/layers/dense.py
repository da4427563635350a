"""Fully connected layer, flattening and the elementwise activations (with Dropout)."""

import math

import numpy as np

from ..._errors import ShapeError
from ..._validate import one_of, positive_int
from .. import _parallel, functional as F
from .._args import ChainError, float_input
from ..init import INITS, initialize
from .base import Layer, dtype_name, fresh_grads, new_param, rng_of, seed_config


class Dense(Layer):
    """Fully connected layer: ``y = x @ weight.T + bias`` on inputs ``(N, in_features)``.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool
    weight_init : {'he', 'glorot'}
    dtype : {'float32', 'float64'}
    seed : int or numpy.random.Generator, optional

    Notes
    -----
    .. math:: y[n, o] = b_o + \\sum_i x[n, i]\\, W[o, i]

    Examples
    --------
    >>> import numpy as np
    >>> layer = Dense(3, 2, seed=0)
    >>> layer.params['weight'][:] = [[1, 0, 0], [1, 1, 1]]
    >>> layer.forward(np.array([[1., 2., 3.]]))
    array([[1., 6.]])
    """

    def __init__(self, in_features, out_features, *, bias=True, weight_init="he",
                 dtype="float32", seed=None):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features", "Dense")
        self.out_features = positive_int(out_features, "out_features", "Dense")
        self.weight_init = one_of(weight_init, INITS[:2], "weight_init", "Dense")
        self.dtype = dtype_name(dtype, "Dense")
        self.seed = seed_config(seed, type(self).__name__)
        shape = (self.out_features, self.in_features)
        self.params["weight"] = new_param(shape, self.dtype, lambda: initialize(
            self.weight_init, shape, fan_in=self.in_features, fan_out=self.out_features,
            rng=rng_of(seed)))
        if bias:
            self.params["bias"] = new_param((self.out_features,), self.dtype)
        self.grads = fresh_grads(self.params)
        self._x = None

    def get_config(self):
        return dict(in_features=self.in_features, out_features=self.out_features,
                    bias="bias" in self.params, weight_init=self.weight_init,
                    dtype=self.dtype, seed=self.seed)

    def output_shape(self, input_shape):
        if len(input_shape) != 1:
            raise ChainError("Dense", "input features (a flat input; add Flatten)",
                             self.in_features, f"shape {tuple(input_shape)}")
        if input_shape[0] is not None and input_shape[0] != self.in_features:
            raise ChainError("Dense", "input features", self.in_features, input_shape[0])
        return (self.out_features,)

    def forward(self, x, training=True):
        x = float_input(x, "Dense")
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ShapeError(f"Dense: expected input of shape (N, {self.in_features}); got "
                             f"{x.shape}")
        self._x = x
        return F.dense(x, self.params["weight"], self.params.get("bias"))

    def backward(self, dy):
        w = self.params["weight"]
        self.grads["weight"] = _parallel.matmul(dy.T, self._x).astype(w.dtype, copy=False)
        if "bias" in self.params:
            self.grads["bias"] = dy.sum(axis=0).astype(w.dtype, copy=False)
        return _parallel.matmul(dy, w)


class Flatten(Layer):
    """Reshape ``(N, *shape)`` to ``(N, prod(shape))`` (C order).

    Examples
    --------
    >>> import numpy as np
    >>> Flatten().forward(np.zeros((2, 3, 4, 5))).shape
    (2, 60)
    """

    def output_shape(self, input_shape):
        if any(s is None for s in input_shape):
            return (None,)
        return (math.prod(input_shape),)

    def forward(self, x, training=True):
        x = np.asarray(x)
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        return dy.reshape(self._shape)


class _Elementwise(Layer):
    def forward(self, x, training=True):
        x = float_input(x, type(self).__name__)
        self._x, self._y = x, self._f(x)
        return self._y


class ReLU(_Elementwise):
    """``max(x, 0)``; gradient 1 where ``x > 0``.

    Examples
    --------
    >>> import numpy as np
    >>> ReLU().forward(np.array([-1., 0., 2.]))
    array([0., 0., 2.])
    """

    def _f(self, x):
        if x.ndim == 0:
            return F.relu(x)
        y = np.empty_like(x)        # large batches split over threads
        _parallel.each(len(x), x.size, lambda lo, hi: np.maximum(x[lo:hi], 0, out=y[lo:hi]))
        return y

    def backward(self, dy):
        dy, x = np.asarray(dy), self._x
        if dy.shape != x.shape or x.ndim == 0:
            return dy * (x > 0)
        dx = np.empty(x.shape, dtype=np.result_type(dy.dtype, bool))
        _parallel.each(len(x), x.size, lambda lo, hi: np.multiply(
            dy[lo:hi], x[lo:hi] > 0, out=dx[lo:hi]))
        return dx


class LeakyReLU(_Elementwise):
    """``x`` for ``x > 0``, ``alpha * x`` otherwise.

    Parameters
    ----------
    alpha : float

    Examples
    --------
    >>> import numpy as np
    >>> LeakyReLU(0.1).forward(np.array([-10., 3.]))
    array([-1.,  3.])
    """

    def __init__(self, alpha=0.01):
        super().__init__()
        self.alpha = float(alpha)
        if not math.isfinite(self.alpha) or self.alpha < 0:
            raise ValueError(f"LeakyReLU: alpha must be a finite number >= 0; got {alpha!r}")

    def get_config(self):
        return {"alpha": self.alpha}

    def _f(self, x):
        return F.leaky_relu(x, self.alpha)

    def backward(self, dy):
        return dy * np.where(self._x > 0, 1, self.alpha).astype(dy.dtype)


class Tanh(_Elementwise):
    """``tanh(x)``; gradient ``1 - y**2``.

    Examples
    --------
    >>> import numpy as np
    >>> Tanh().forward(np.array([0.]))
    array([0.])
    """

    def _f(self, x):
        return np.tanh(x)

    def backward(self, dy):
        return dy * (1 - self._y ** 2)


class Sigmoid(_Elementwise):
    """``1 / (1 + exp(-x))``; gradient ``y (1 - y)``.

    Examples
    --------
    >>> import numpy as np
    >>> Sigmoid().forward(np.array([0.]))
    array([0.5])
    """

    def _f(self, x):
        return F.sigmoid(x)

    def backward(self, dy):
        return dy * self._y * (1 - self._y)


class Dropout(Layer):
    """Inverted dropout: in training, zero each value with probability ``p`` and scale the
    rest by ``1/(1-p)``; identity at inference.

    Parameters
    ----------
    p : float in [0, 1)
    seed : int or numpy.random.Generator, optional
        The masks come from this generator only.

    Examples
    --------
    >>> import numpy as np
    >>> d = Dropout(0.5, seed=0)
    >>> y = d.forward(np.ones(1000))
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    >>> d.forward(np.ones(3), training=False)
    array([1., 1., 1.])
    """

    def __init__(self, p=0.5, *, seed=None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
            raise ValueError(f"Dropout: p must be a number in [0, 1); got {p!r}")
        self.p = float(p)
        self.seed = seed_config(seed, type(self).__name__)
        self.rng = rng_of(seed)
        self._mask = None

    def get_config(self):
        return {"p": self.p, "seed": self.seed}

    def forward(self, x, training=True):
        x = float_input(x, "Dropout")
        if not training or self.p == 0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape) >= self.p
        self._mask = keep.astype(x.dtype) / (1 - self.p)
        return x * self._mask

    def backward(self, dy):
        return dy if self._mask is None else dy * self._mask
