"""Containers beyond a plain stack: residual blocks, channel concatenation of branches
(the naive Inception module) and a recurrent convolution unrolled over time."""

import numpy as np

from ..._validate import one_of, positive_int
from .. import functional as F
from .._args import ChainError, float_input
from .base import Layer
from .conv import Conv2D

ACTIVATIONS = ("relu", "tanh")


class Residual(Layer):
    """``y = block(x) + shortcut(x)`` (identity shortcut by default), as in ResNet.

    Parameters
    ----------
    block : Layer
        Usually a :class:`Sequential`; its output shape must equal the shortcut's.
    shortcut : Layer, optional
        A projection (e.g. a 1x1 :class:`Conv2D`) when the block changes the shape.

    Notes
    -----
    .. math:: y = F(x) + S(x), \\qquad \\partial x = F'(x)^T dy + S'(x)^T dy

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.nn import ReLU
    >>> Residual(ReLU()).forward(np.array([[-1., 2.]]))
    array([[-1.,  4.]])
    """

    def __init__(self, block, *, shortcut=None):
        super().__init__()
        for name, value in (("block", block), ("shortcut", shortcut)):
            if value is not None and not isinstance(value, Layer):
                raise TypeError(f"Residual: {name} must be a Layer; got {type(value).__name__}")
        self.block, self.shortcut = block, shortcut

    def sublayers(self):
        return [self.block] + ([self.shortcut] if self.shortcut is not None else [])

    def named_sublayers(self):
        return [("block", self.block)] + (
            [("shortcut", self.shortcut)] if self.shortcut is not None else [])

    def output_shape(self, input_shape):
        out = self.block.output_shape(input_shape)
        skip = (self.shortcut.output_shape(input_shape) if self.shortcut is not None
                else tuple(input_shape))
        if any(a is not None and b is not None and a != b for a, b in zip(out, skip)) \
                or len(out) != len(skip):
            raise ChainError("Residual", "block output equal to the shortcut", skip, out)
        return out

    def workspace(self, input_shape):
        return sum(_activations(s, input_shape) for s in self.sublayers())

    def forward(self, x, training=True):
        y = self.block.forward(x, training)
        skip = self.shortcut.forward(x, training) if self.shortcut is not None else x
        if y.shape != np.shape(skip):
            raise ChainError("Residual", "block output equal to the shortcut", np.shape(skip),
                             y.shape)
        return y + skip

    def backward(self, dy):
        dx = self.block.backward(dy)
        return dx + (self.shortcut.backward(dy) if self.shortcut is not None else dy)


class Concat(Layer):
    """Apply each branch to the same input and concatenate the outputs along channels.

    Parameters
    ----------
    branches : list of Layer
        Outputs must agree on every axis but the channel axis (e.g. 1x1, 3x3 and 5x5
        convolutions with ``padding='same'`` and a pooling branch: naive Inception).

    Notes
    -----
    .. math:: y = [B_1(x); B_2(x); \\dots], \\qquad \\partial x = \\sum_i B_i'(x)^T dy_i

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.nn import ReLU, Tanh
    >>> Concat([ReLU(), Tanh()]).forward(np.zeros((1, 2, 3))).shape
    (1, 4, 3)
    """

    def __init__(self, branches):
        super().__init__()
        branches = list(branches)
        if not branches or not all(isinstance(b, Layer) for b in branches):
            raise TypeError("Concat: branches must be a non-empty list of Layers; got "
                            f"{branches!r}")
        self.branches = branches

    def sublayers(self):
        return list(self.branches)

    def named_sublayers(self):
        return [(f"branches.{i}", b) for i, b in enumerate(self.branches)]

    def output_shape(self, input_shape):
        outs = [b.output_shape(input_shape) for b in self.branches]
        rest = {o[1:] for o in outs}
        if len(rest) > 1:
            raise ChainError("Concat", "branch outputs that differ only in channels",
                             "equal", sorted(map(str, rest)))
        chans = [o[0] for o in outs]
        return (None if None in chans else sum(chans),) + outs[0][1:]

    def workspace(self, input_shape):
        return sum(_activations(b, input_shape) for b in self.branches)

    def forward(self, x, training=True):
        ys = [b.forward(x, training) for b in self.branches]
        self._sizes = np.cumsum([y.shape[1] for y in ys])[:-1]
        return np.concatenate(ys, axis=1)

    def backward(self, dy):
        parts = np.split(dy, self._sizes, axis=1)
        dx = None
        for b, part in zip(self.branches, parts):
            g = b.backward(np.ascontiguousarray(part))
            dx = g if dx is None else dx + g
        return dx


class RecurrentConv2D(Layer):
    """The same convolution applied ``steps`` times, the input re-injected at each step
    (recurrent convolutional pixel labelling): ``h_t = f(W * [x; h_{t-1}] + b)``,
    ``h_0 = 0``; the output is ``h_T``.  Backward runs back-propagation through time.

    Parameters
    ----------
    in_channels, hidden_channels : int
    kernel_size : int or (int, int)
        Padding is 'same', so the spatial size is kept.
    steps : int
    activation : {'relu', 'tanh'}
    bias : bool
    dtype : {'float32', 'float64'}
    seed : int or numpy.random.Generator, optional

    Attributes
    ----------
    params : dict
        'weight' ``(hidden, in_channels + hidden, kh, kw)`` (input channels first),
        'bias' ``(hidden,)``.

    Notes
    -----
    .. math:: h_t = f\\big(W \\star [x; h_{t-1}] + b\\big), \\qquad
              \\partial W = \\sum_t \\partial W_t

    Examples
    --------
    >>> import numpy as np
    >>> layer = RecurrentConv2D(1, 3, 3, steps=4, seed=0)
    >>> layer.forward(np.zeros((2, 1, 5, 5), dtype=np.float32)).shape
    (2, 3, 5, 5)
    """

    def __init__(self, in_channels, hidden_channels, kernel_size, *, steps, activation="relu",
                 bias=True, dtype="float32", seed=None):
        super().__init__()
        name = "RecurrentConv2D"
        self.in_channels = positive_int(in_channels, "in_channels", name)
        self.hidden_channels = positive_int(hidden_channels, "hidden_channels", name)
        self.steps = positive_int(steps, "steps", name)
        self.activation = one_of(activation, ACTIVATIONS, "activation", name)
        self._conv = Conv2D(self.in_channels + self.hidden_channels, self.hidden_channels,
                            kernel_size, padding="same", bias=bias, dtype=dtype, seed=seed)
        self.kernel_size = self._conv.kernel_size
        self.params = self._conv.params
        self.grads = self._conv.grads

    def get_config(self):
        cfg = self._conv.get_config()
        return dict(in_channels=self.in_channels, hidden_channels=self.hidden_channels,
                    kernel_size=cfg["kernel_size"], steps=self.steps,
                    activation=self.activation, bias=cfg["bias"], dtype=cfg["dtype"],
                    seed=cfg["seed"])

    def astype(self, dtype):
        self._conv.astype(dtype)
        self.params, self.grads = self._conv.params, self._conv.grads
        return self

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ChainError("RecurrentConv2D", "input dimensions (C, H, W)", 3, len(input_shape))
        if input_shape[0] is not None and input_shape[0] != self.in_channels:
            raise ChainError("RecurrentConv2D", "input channels", self.in_channels,
                             input_shape[0])
        return (self.hidden_channels,) + tuple(input_shape[1:])

    def workspace(self, input_shape):
        full = (self.in_channels + self.hidden_channels,) + tuple(input_shape[1:])
        per_step = 2 * _size(full) + self._conv.workspace(full)
        return self.steps * per_step

    def forward(self, x, training=True):
        x = float_input(x, "RecurrentConv2D", 2, self.in_channels)
        self._conv.params = self.params
        h = np.zeros((x.shape[0], self.hidden_channels) + x.shape[2:],
                     dtype=np.result_type(x, self.params["weight"]))
        self._steps = []
        for _ in range(self.steps):
            z = self._conv.forward(np.concatenate([x.astype(h.dtype, copy=False), h], axis=1))
            h = F.relu(z) if self.activation == "relu" else np.tanh(z)
            self._steps.append((self._conv._cache, z, h))
        return h

    def backward(self, dy):
        dw = np.zeros_like(self.params["weight"])
        db = np.zeros_like(self.params["bias"]) if "bias" in self.params else None
        dh, dx = dy, 0
        for cache, z, h in reversed(self._steps):
            dz = dh * (z > 0) if self.activation == "relu" else dh * (1 - h * h)
            dinp, dwt, dbt = F._conv_backward_cached(dz, cache)
            dw += dwt
            if db is not None:
                db += dbt.astype(db.dtype, copy=False)
            dx = dx + dinp[:, :self.in_channels]
            dh = dinp[:, self.in_channels:]
        self.grads["weight"] = dw
        if db is not None:
            self.grads["bias"] = db
        return dx


def _size(shape):
    return int(np.prod([s or 1 for s in shape]))


def _activations(layer, input_shape):
    """Elements per sample a sub-layer keeps: its output plus its workspace."""
    return _size(layer.output_shape(input_shape)) + layer.workspace(input_shape)
