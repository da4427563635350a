"""Layers with untied weights: locally connected (a kernel per output position) and tiled
convolution (kernels that repeat with a period of ``tile`` positions)."""

import math

import numpy as np

from ..._validate import positive_int
from .. import _conv
from .. import functional as F
from .._args import (ChainError, conv_out_spatial, crop, float_input, pad_zeros,
                     padding_arg, tuple_arg)
from ..init import he_normal
from .base import Layer, dtype_name, fresh_grads, new_param, rng_of, seed_config


class LocallyConnected2D(Layer):
    """Convolution-shaped layer whose kernels are not shared: one kernel per output pixel.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride : int or (int, int)
    input_shape : (int, int) or (int, int, int)
        The spatial input size ``(H, W)`` (or ``(C, H, W)``): the weights depend on it.
    bias : bool
    dtype : {'float32', 'float64'}
    seed : int or numpy.random.Generator, optional

    Attributes
    ----------
    params : dict
        'weight' ``(Ho, Wo, out_channels, in_channels, kh, kw)``, 'bias'
        ``(out_channels, Ho, Wo)``; valid (unpadded) windows.

    Notes
    -----
    .. math:: y[n, o, i, j] = b[o, i, j] + \\sum_{c, p, q} x[n, c, i s + p, j s + q]\\,
              W[i, j, o, c, p, q]

    Examples
    --------
    >>> import numpy as np
    >>> layer = LocallyConnected2D(1, 2, 3, input_shape=(5, 5), seed=0)
    >>> layer.params['weight'].shape
    (3, 3, 2, 1, 3, 3)
    >>> layer.forward(np.zeros((4, 1, 5, 5), dtype=np.float32)).shape
    (4, 2, 3, 3)
    """

    def __init__(self, in_channels, out_channels, kernel_size, *, input_shape, stride=1,
                 bias=True, dtype="float32", seed=None):
        super().__init__()
        name = "LocallyConnected2D"
        self.in_channels = positive_int(in_channels, "in_channels", name)
        self.out_channels = positive_int(out_channels, "out_channels", name)
        self.kernel_size = tuple_arg(kernel_size, 2, "kernel_size", name)
        self.stride = tuple_arg(stride, 2, "stride", name)
        shape = tuple(input_shape)
        if len(shape) == 3:
            if shape[0] != in_channels:
                raise ValueError(f"{name}: input_shape {shape} has {shape[0]} channels, "
                                 f"in_channels is {in_channels}")
            shape = shape[1:]
        self.input_shape = tuple_arg(shape, 2, "input_shape", name)
        self.out_spatial = conv_out_spatial(self.input_shape, self.kernel_size, self.stride,
                                            (1, 1), ((0, 0), (0, 0)))
        if min(self.out_spatial) < 1:
            raise ValueError(f"{name}: kernel_size {self.kernel_size} is larger than "
                             f"input_shape {self.input_shape}")
        self.dtype = dtype_name(dtype, name)
        self.seed = seed_config(seed, type(self).__name__)
        wshape = self.out_spatial + (self.out_channels, self.in_channels) + self.kernel_size
        fan_in = self.in_channels * math.prod(self.kernel_size)
        self.params["weight"] = new_param(wshape, self.dtype, lambda: he_normal(
            wshape, fan_in=fan_in, rng=rng_of(seed)))
        if bias:
            self.params["bias"] = new_param((self.out_channels,) + self.out_spatial, self.dtype)
        self.grads = fresh_grads(self.params)

    def get_config(self):
        return dict(in_channels=self.in_channels, out_channels=self.out_channels,
                    kernel_size=list(self.kernel_size), input_shape=list(self.input_shape),
                    stride=list(self.stride), bias="bias" in self.params, dtype=self.dtype,
                    seed=self.seed)

    def output_shape(self, input_shape):
        expected = (self.in_channels,) + self.input_shape
        if len(input_shape) != 3 or any(a is not None and a != b
                                        for a, b in zip(input_shape, expected)):
            raise ChainError("LocallyConnected2D", "input shape", expected, tuple(input_shape))
        return (self.out_channels,) + self.out_spatial

    def workspace(self, input_shape):
        return 2 * self.in_channels * math.prod(self.kernel_size) * math.prod(self.out_spatial)

    def forward(self, x, training=True):
        x = float_input(x, "LocallyConnected2D", 2)
        self.output_shape(x.shape[1:])
        n, positions = x.shape[0], math.prod(self.out_spatial)
        cols = _conv.im2col(x, self.kernel_size, self.out_spatial, self.stride, (1, 1))
        self._cols = cols.reshape(n, -1, positions).transpose(2, 0, 1).copy()  # (P, N, CKK)
        w = self.params["weight"].reshape(positions, self.out_channels, -1)
        y = np.matmul(self._cols, w.transpose(0, 2, 1))                       # (P, N, O)
        y = y.transpose(1, 2, 0).reshape((n, self.out_channels) + self.out_spatial)
        self._x_shape = x.shape
        return y + self.params["bias"] if "bias" in self.params else y

    def backward(self, dy):
        n, positions = dy.shape[0], math.prod(self.out_spatial)
        dyp = dy.reshape(n, self.out_channels, positions).transpose(2, 0, 1)  # (P, N, O)
        w = self.params["weight"]
        self.grads["weight"] = np.matmul(dyp.transpose(0, 2, 1), self._cols).reshape(
            w.shape).astype(w.dtype, copy=False)
        if "bias" in self.params:
            self.grads["bias"] = dy.sum(axis=0).astype(w.dtype, copy=False)
        dcols = np.matmul(dyp, w.reshape(positions, self.out_channels, -1))  # (P, N, CKK)
        dcols = dcols.transpose(1, 2, 0).reshape(
            (n, self.in_channels) + self.kernel_size + self.out_spatial)
        return _conv.col2im(dcols, self._x_shape[2:], self.stride, (1, 1))


class TiledConv2D(Layer):
    """Tiled convolution: ``tile[0] x tile[1]`` kernels per output channel, the one used
    at output position ``(i, j)`` being ``(i mod tile[0], j mod tile[1])``.

    ``tile=1`` is an ordinary convolution; a tile as large as the output is a locally
    connected layer.  Cross-correlation, like :class:`Conv2D`.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    tile : int or (int, int)
    stride : int or (int, int)
    padding : int, tuple, 'valid' or 'same'
    bias : bool
        One bias per output channel (shared by the tiles).
    dtype : {'float32', 'float64'}
    seed : int or numpy.random.Generator, optional

    Notes
    -----
    .. math:: y[n, o, i, j] = b_o + \\sum_{c, p, q} x_p[n, c, i s + p, j s + q]\\,
              W[i \\bmod t_0, j \\bmod t_1, o, c, p, q]

    Examples
    --------
    >>> import numpy as np
    >>> layer = TiledConv2D(1, 2, 3, tile=2, seed=0)
    >>> layer.params['weight'].shape
    (2, 2, 2, 1, 3, 3)
    >>> layer.forward(np.zeros((1, 1, 6, 6), dtype=np.float32)).shape
    (1, 2, 4, 4)
    """

    def __init__(self, in_channels, out_channels, kernel_size, *, tile, stride=1, padding=0,
                 bias=True, dtype="float32", seed=None):
        super().__init__()
        name = "TiledConv2D"
        self.in_channels = positive_int(in_channels, "in_channels", name)
        self.out_channels = positive_int(out_channels, "out_channels", name)
        self.kernel_size = tuple_arg(kernel_size, 2, "kernel_size", name)
        self.tile = tuple_arg(tile, 2, "tile", name)
        self.stride = tuple_arg(stride, 2, "stride", name)
        self.padding = padding_arg(padding, 2, name)
        self.dtype = dtype_name(dtype, name)
        self.seed = seed_config(seed, type(self).__name__)
        wshape = self.tile + (self.out_channels, self.in_channels) + self.kernel_size
        fan_in = self.in_channels * math.prod(self.kernel_size)
        self.params["weight"] = new_param(wshape, self.dtype, lambda: he_normal(
            wshape, fan_in=fan_in, rng=rng_of(seed)))
        if bias:
            self.params["bias"] = new_param((self.out_channels,), self.dtype)
        self.grads = fresh_grads(self.params)

    def get_config(self):
        return dict(in_channels=self.in_channels, out_channels=self.out_channels,
                    kernel_size=list(self.kernel_size), tile=list(self.tile),
                    stride=list(self.stride), bias="bias" in self.params, dtype=self.dtype,
                    seed=self.seed,
                    padding=(self.padding if isinstance(self.padding, str)
                             else [list(p) for p in self.padding]))

    def _geometry(self, shape):
        return F._conv_geometry(shape, (self.out_channels, self.in_channels) + self.kernel_size,
                               self.stride, self.padding, 1, 1, "TiledConv2D")

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ChainError("TiledConv2D", "input dimensions (C, H, W)", 3, len(input_shape))
        if input_shape[0] is not None and input_shape[0] != self.in_channels:
            raise ChainError("TiledConv2D", "input channels", self.in_channels, input_shape[0])
        if any(s is None for s in input_shape[1:]):
            return (self.out_channels, None, None)
        return (self.out_channels,) + self._geometry((1,) + tuple(input_shape))[3]

    def workspace(self, input_shape):
        out = self.output_shape(input_shape)
        return self.in_channels * math.prod(self.kernel_size) * math.prod(n or 1 for n in out[1:])

    def _tiles(self):
        th, tw = self.tile
        return [(a, b, (slice(None), slice(None), slice(a, None, th), slice(b, None, tw)))
                for a in range(th) for b in range(tw)]

    def forward(self, x, training=True):
        x = float_input(x, "TiledConv2D", 2)
        _, _, pads, out = self._geometry(x.shape)
        xp = pad_zeros(x, pads)
        cols = _conv.im2col(xp, self.kernel_size, out, self.stride, (1, 1))
        n = x.shape[0]
        self._cols = cols.reshape((n, -1) + out)
        self._xp_shape, self._pads = xp.shape, pads
        w = self.params["weight"]
        y = np.empty((n, self.out_channels) + out, dtype=np.result_type(x, w))
        for a, b, sl in self._tiles():
            sub = self._cols[sl]
            if sub.size:
                y[sl] = np.matmul(w[a, b].reshape(self.out_channels, -1),
                                  sub.reshape(n, sub.shape[1], -1)).reshape(y[sl].shape)
        if "bias" in self.params:
            y += self.params["bias"].reshape(1, -1, 1, 1)
        return y

    def backward(self, dy):
        w = self.params["weight"]
        n = dy.shape[0]
        dw = np.zeros_like(w)
        dcols = np.zeros_like(self._cols, dtype=dy.dtype)
        for a, b, sl in self._tiles():
            sub, dsub = self._cols[sl], dy[sl]
            if not sub.size:
                continue
            sub2 = sub.reshape(n, sub.shape[1], -1)
            dsub2 = dsub.reshape(n, self.out_channels, -1)
            dw[a, b] = np.matmul(dsub2, sub2.transpose(0, 2, 1)).sum(axis=0).reshape(w[a, b].shape)
            wm = w[a, b].reshape(self.out_channels, -1)
            dcols[sl] = np.matmul(wm.T, dsub2).reshape(sub.shape)
        self.grads["weight"] = dw
        if "bias" in self.params:
            self.grads["bias"] = dy.sum(axis=(0, 2, 3)).astype(w.dtype, copy=False)
        dcols = dcols.reshape((n, self.in_channels) + self.kernel_size + dy.shape[2:])
        dxp = _conv.col2im(dcols, self._xp_shape[2:], self.stride, (1, 1))
        return np.ascontiguousarray(crop(dxp, self._pads))
