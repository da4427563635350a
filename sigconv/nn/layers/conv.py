"""Convolution and transposed-convolution layers in 1, 2 and 3 dimensions.

The layers compute **cross-correlation** (no kernel flip), like every deep-learning
framework: ``y[n, o] = b[o] + sum_c correlate(pad(x[n, c]), w[o, c], 'valid')``.
"""

import math


from ..._validate import one_of, positive_int
from .. import _winograd, functional as F
from .._args import (CONV_METHODS, TRANSPOSE_METHODS, ChainError, conv_out_spatial,
                     float_input, padding_arg, resolve_pads, transpose_out_spatial, tuple_arg)
from ..init import INITS, initialize
from .base import Layer, dtype_name, fresh_grads, new_param, rng_of, seed_config


class _ConvBase(Layer):
    nsp = 2
    transpose = False

    def __init__(self, in_channels, out_channels, kernel_size, *, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, output_padding=0, weight_init="he",
                 method="auto", dtype="float32", seed=None):
        super().__init__()
        name = type(self).__name__
        self.in_channels = positive_int(in_channels, "in_channels", name)
        self.out_channels = positive_int(out_channels, "out_channels", name)
        self.kernel_size = tuple_arg(kernel_size, self.nsp, "kernel_size", name)
        self.stride = tuple_arg(stride, self.nsp, "stride", name)
        self.dilation = tuple_arg(dilation, self.nsp, "dilation", name)
        self.groups = positive_int(groups, "groups", name)
        for label, ch in (("in_channels", self.in_channels), ("out_channels", self.out_channels)):
            if ch % self.groups:
                raise ValueError(f"{name}: {label} ({ch}) must be divisible by groups "
                                 f"({self.groups})")
        if self.transpose:
            self.padding = tuple_arg(padding, self.nsp, "padding", name, minimum=0)
            self.output_padding = tuple_arg(output_padding, self.nsp, "output_padding", name,
                                            minimum=0)
        else:
            if output_padding != 0:
                raise TypeError(f"{name}: output_padding applies to transposed convolutions "
                                f"only; got {output_padding!r}")
            self.padding = padding_arg(padding, self.nsp, name)
        self.weight_init = one_of(weight_init, INITS, "weight_init", name)
        self.method = one_of(method, TRANSPOSE_METHODS if self.transpose else CONV_METHODS,
                             "method", name)
        if self.method == "winograd":
            F.winograd_arg(self.kernel_size, self.stride, self.dilation, self.groups, name)
        self.dtype = dtype_name(dtype, name)
        self.seed = seed_config(seed, type(self).__name__)
        self.params["weight"] = new_param(self.weight_shape, self.dtype,
                                          lambda: self._init_weight(rng_of(seed)))
        if bias:
            self.params["bias"] = new_param((self.out_channels,), self.dtype)
        self.grads = fresh_grads(self.params)
        self._cache = self._plan = None
        self._workspace = _winograd.Workspace()     # buffers reused from call to call
        self.input_grad = True    # False skips dx (set by Sequential.fit for a first layer)

    @property
    def weight_shape(self):
        if self.transpose:
            return (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        return (self.out_channels, self.in_channels // self.groups) + self.kernel_size

    def _init_weight(self, rng):
        taps = math.prod(self.kernel_size)
        fan_in = (self.in_channels // self.groups) * taps
        fan_out = (self.out_channels // self.groups) * taps
        return initialize(self.weight_init, self.weight_shape, fan_in=fan_in,
                          fan_out=fan_out, rng=rng)

    def get_config(self):
        cfg = dict(in_channels=self.in_channels, out_channels=self.out_channels,
                   kernel_size=list(self.kernel_size), stride=list(self.stride),
                   dilation=list(self.dilation), groups=self.groups,
                   bias="bias" in self.params, weight_init=self.weight_init,
                   method=self.method, dtype=self.dtype, seed=self.seed)
        if self.transpose:
            cfg.update(padding=list(self.padding), output_padding=list(self.output_padding))
        else:
            cfg["padding"] = (self.padding if isinstance(self.padding, str)
                              else [list(p) for p in self.padding])
        return cfg

    def output_shape(self, input_shape):
        name = type(self).__name__
        if len(input_shape) != self.nsp + 1:
            raise ChainError(name, "input dimensions (C + spatial)", self.nsp + 1,
                             len(input_shape))
        if input_shape[0] is not None and input_shape[0] != self.in_channels:
            raise ChainError(name, "input channels", self.in_channels, input_shape[0])
        spatial = tuple(input_shape[1:])
        if self.transpose:
            out = transpose_out_spatial(spatial, self.kernel_size, self.stride, self.dilation,
                                        self.padding, self.output_padding)
        else:
            pads = resolve_pads(self.padding, spatial, self.kernel_size, self.stride,
                                self.dilation)
            out = conv_out_spatial(spatial, self.kernel_size, self.stride, self.dilation, pads)
        if any(n is not None and n < 1 for n in out):
            raise ChainError(name, "spatial size", f"at least {self._least()}", spatial)
        return (self.out_channels,) + out

    def _least(self):
        """The smallest input extent per axis that gives a non-empty output."""
        if self.transpose:
            return tuple(max(1, -(-(2 * p - d * (k - 1) - op) // s) + 1)
                         for k, s, d, p, op in zip(self.kernel_size, self.stride, self.dilation,
                                                   self.padding, self.output_padding))
        pads = self.padding if not isinstance(self.padding, str) else ((0, 0),) * self.nsp
        return tuple(max(1, d * (k - 1) + 1 - b - a)
                     for k, d, (b, a) in zip(self.kernel_size, self.dilation, pads))

    def workspace(self, input_shape):
        out = self.output_shape(input_shape)
        return self.in_channels * math.prod(self.kernel_size) * math.prod(
            n or 1 for n in (out[1:] if not self.transpose else input_shape[1:]))

    def forward(self, x, training=True):
        w, b = self.params["weight"], self.params.get("bias")
        name = type(self).__name__
        if self.transpose:
            y, self._cache = F._conv_transpose_forward(
                x, w, b, self.stride, self.padding, self.output_padding, self.dilation,
                self.groups, self.method, name)
        else:
            x = float_input(x, name)
            key = (x.shape, w.shape)
            if self._plan is None or self._plan[0] != key:
                self._plan = key, F._conv_plan(x.shape, w.shape, self.stride, self.padding,
                                              self.dilation, self.groups, self.method, name)
            y, self._cache = F._conv_run(x, w, b, self._plan[1], self._workspace)
        return y

    def backward(self, dy):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}: backward called before forward")
        if self.transpose:
            dx, dw, db = F._conv_transpose_backward_cached(dy, self._cache)
        else:
            dx, dw, db = F._conv_backward_cached(dy, self._cache, self.input_grad)
        self.grads["weight"] = dw.astype(self.params["weight"].dtype, copy=False)
        if "bias" in self.params:
            self.grads["bias"] = db.astype(self.params["bias"].dtype, copy=False)
        return dx


_CONV_DOC = """{n}-D convolution layer (cross-correlation), input ``(N, C{dims})``.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, dilation : int or tuple of {n} ints
    padding : int, tuple, 'valid' or 'same'
        'same' also with stride > 1: ``ceil(n/stride)`` outputs, the odd extra zero at the end.
    groups : int
        Both channel counts must be divisible by it.
    bias : bool
    weight_init : {{'he', 'glorot', 'gabor'}}
        'gabor' (2-D only) starts from an oriented Gabor bank (:func:`sigconv.nn.init.gabor_bank`).
    method : {{'auto', 'im2col', 'fft', 'winograd'}}
        'winograd' (3x3 kernels, stride 1, dilation 1, one group) computes by Winograd's
        minimal filtering; 'auto' chooses by the calibrated cost model.
    dtype : {{'float32', 'float64'}}
    seed : int or numpy.random.Generator, optional

    Attributes
    ----------
    params, grads : dict
        'weight' of shape ``(out_channels, in_channels/groups, *kernel_size)`` and 'bias'
        of shape ``(out_channels,)``.

    Notes
    -----
    .. math:: y[n, o, i] = b_o + \\sum_{{c \\in g(o)}} \\sum_m x_p[n, c, i s + m d]\\, w[o, c, m]

    (cross-correlation; see :func:`sigconv.nn.functional.conv`).

    Examples
    --------
    >>> import numpy as np
    >>> layer = {name}(2, 4, 3, padding='same', seed=0)
    >>> layer.forward(np.zeros((1, 2{ones}), dtype=np.float32)).shape
    (1, 4{ones})
    """

_TCONV_DOC = """{n}-D transposed convolution layer, input ``(N, C{dims})``.

    The adjoint of :class:`Conv{n}D` with the same stride, padding and dilation
    (``output_padding`` picks among the input sizes that a strided convolution maps to the
    same output size).  Weight shape ``(in_channels, out_channels/groups, *kernel_size)``.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, padding, output_padding, dilation : int or tuple of {n} ints
    groups : int
    bias : bool
    weight_init : {{'he', 'glorot'}}
    method : {{'auto', 'im2col', 'fft'}}
    dtype : {{'float32', 'float64'}}
    seed : int or numpy.random.Generator, optional

    Notes
    -----
    .. math:: n_{{out}} = (n - 1) s - 2p + d(k - 1) + \\text{{output\\_padding}} + 1

    Examples
    --------
    >>> import numpy as np
    >>> layer = {name}(2, 4, 3, stride=2, padding=1, output_padding=1, seed=0)
    >>> layer.forward(np.zeros((1, 2{fours}), dtype=np.float32)).shape
    (1, 4{eights})
    """


def _make(n, transpose):
    name = f"ConvTranspose{n}D" if transpose else f"Conv{n}D"
    dims = "".join(", " + a for a in "DHW"[3 - n:])
    fmt = dict(n=n, name=name, dims=dims, ones=", 5" * n, fours=", 4" * n, eights=", 8" * n)
    doc = (_TCONV_DOC if transpose else _CONV_DOC).format(**fmt)
    return type(name, (_ConvBase,), {"nsp": n, "transpose": transpose, "__doc__": doc,
                                     "__module__": __name__})


Conv1D, Conv2D, Conv3D = (_make(n, False) for n in (1, 2, 3))
ConvTranspose1D, ConvTranspose2D, ConvTranspose3D = (_make(n, True) for n in (1, 2, 3))
