"""Pooling layers: max, average and Lp over space, and maxout across channels."""


from ..._validate import positive_int
from .. import _pool
from .. import functional as F
from .._args import ChainError, conv_out_spatial, float_input, tuple_arg
from .base import Layer


class _PoolBase(Layer):
    nsp = 2
    kind = "max"

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = tuple_arg(kernel_size, self.nsp, "kernel_size", name)
        self.stride = (self.kernel_size if stride is None
                       else tuple_arg(stride, self.nsp, "stride", name))
        self.padding = tuple_arg(padding, self.nsp, "padding", name, minimum=0)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"{name}: padding must be at most half the kernel size; got "
                             f"padding={padding!r} for kernel_size={kernel_size!r}")

    def get_config(self):
        return dict(kernel_size=list(self.kernel_size), stride=list(self.stride),
                    padding=list(self.padding))

    def output_shape(self, input_shape):
        name = type(self).__name__
        if len(input_shape) != self.nsp + 1:
            raise ChainError(name, "input dimensions (C + spatial)", self.nsp + 1,
                             len(input_shape))
        pads = tuple((p, p) for p in self.padding)
        out = conv_out_spatial(input_shape[1:], self.kernel_size, self.stride,
                               (1,) * self.nsp, pads)
        if any(n is not None and n < 1 for n in out):
            least = tuple(k - 2 * p for k, p in zip(self.kernel_size, self.padding))
            raise ChainError(name, "spatial size", f"at least {least}", tuple(input_shape[1:]))
        return (input_shape[0],) + out

    def forward(self, x, training=True):
        name = type(self).__name__
        x = float_input(x, name, self.nsp)
        k, s, p, out = F._pool_geometry(x.shape, self.kernel_size, self.stride, self.padding,
                                       name)
        self._x_shape = x.shape
        if self.kind == "max":
            y, self._arg = _pool.max_forward(x, k, s, p, out)
            return y
        return _pool.avg_forward(x, k, s, p, out)

    def backward(self, dy):
        pads = tuple((p, p) for p in self.padding)
        if self.kind == "max":
            return _pool.max_backward(dy, self._arg, self._x_shape, self.kernel_size,
                                      self.stride, pads)
        return _pool.avg_backward(dy, self._x_shape, self.kernel_size, self.stride, pads)


_POOL_DOC = """{n}-D {what} pooling over windows of ``kernel_size`` (stride defaults to it).

    Parameters
    ----------
    kernel_size : int or tuple of {n} ints
    stride : int or tuple, optional
    padding : int or tuple
        At most half a window; {padnote}.

    Notes
    -----
    .. math:: {formula}

    Examples
    --------
    >>> import numpy as np
    >>> {name}(2).forward(np.arange({size}, dtype=float).reshape((1, 1) + ({shape}))).ravel()
    {result}
    """


def _make(n, kind):
    name = f"{'Max' if kind == 'max' else 'Avg'}Pool{n}D"
    formula = (r"y[n, c, i] = \max_m x_p[n, c, i s + m]" if kind == "max"
               else r"y[n, c, i] = \frac{1}{|K|}\sum_m x_p[n, c, i s + m]")
    size = 2 ** n
    result = {("max", 1): "array([1.])", ("max", 2): "array([3.])", ("max", 3): "array([7.])",
              ("avg", 1): "array([0.5])", ("avg", 2): "array([1.5])",
              ("avg", 3): "array([3.5])"}[(kind, n)]
    doc = _POOL_DOC.format(n=n, what="maximum" if kind == "max" else "average", name=name,
                           formula=formula, size=size, shape="2, " * n, result=result,
                           padnote="padding is -inf" if kind == "max"
                           else "zeros, counted in the mean")
    return type(name, (_PoolBase,), {"nsp": n, "kind": kind, "__doc__": doc,
                                     "__module__": __name__})


MaxPool1D, MaxPool2D, MaxPool3D = (_make(n, "max") for n in (1, 2, 3))
AvgPool1D, AvgPool2D, AvgPool3D = (_make(n, "avg") for n in (1, 2, 3))


class LpPool2D(Layer):
    """2-D power-average pooling: the ``p``-norm ``(sum |x|^p)^(1/p)`` of each window.

    Parameters
    ----------
    p : float >= 1
    kernel_size : int or (int, int)
    stride : int or (int, int), optional

    Notes
    -----
    .. math:: y[n, c, i] = \\Big(\\sum_m |x[n, c, i s + m]|^p\\Big)^{1/p}

    Examples
    --------
    >>> import numpy as np
    >>> LpPool2D(2, 2).forward(np.array([[[[3., 0], [0, 4]]]]))
    array([[[[5.]]]])
    """

    def __init__(self, p, kernel_size, stride=None):
        super().__init__()
        self.p = F._lp_order(p, "LpPool2D")
        self.kernel_size = tuple_arg(kernel_size, 2, "kernel_size", "LpPool2D")
        self.stride = (self.kernel_size if stride is None
                       else tuple_arg(stride, 2, "stride", "LpPool2D"))

    def get_config(self):
        return dict(p=self.p, kernel_size=list(self.kernel_size), stride=list(self.stride))

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ChainError("LpPool2D", "input dimensions (C, H, W)", 3, len(input_shape))
        out = conv_out_spatial(input_shape[1:], self.kernel_size, self.stride, (1, 1),
                               ((0, 0), (0, 0)))
        if any(n is not None and n < 1 for n in out):
            raise ChainError("LpPool2D", "spatial size", f"at least {self.kernel_size}",
                             tuple(input_shape[1:]))
        return (input_shape[0],) + out

    def forward(self, x, training=True):
        x = float_input(x, "LpPool2D", 2)
        k, s, _, out = F._pool_geometry(x.shape, self.kernel_size, self.stride, 0, "LpPool2D")
        y, self._stack = _pool.lp_forward(x, self.p, k, s, out)
        self._x_shape, self._y = x.shape, y
        return y

    def backward(self, dy):
        return _pool.lp_backward(dy, self._y, self._stack, self.p, self._x_shape,
                                 self.kernel_size, self.stride)


class ChannelPool(Layer):
    """Maxout: the maximum over each group of ``pool_size`` consecutive channels.

    Parameters
    ----------
    pool_size : int

    Notes
    -----
    .. math:: y[n, j, \\dots] = \\max_{0 \\le r < k} x[n, j k + r, \\dots]

    Examples
    --------
    >>> import numpy as np
    >>> ChannelPool(2).forward(np.array([[[1.], [4.], [3.], [2.]]]))
    array([[[4.],
            [3.]]])
    """

    def __init__(self, pool_size):
        super().__init__()
        self.pool_size = positive_int(pool_size, "pool_size", "ChannelPool")

    def get_config(self):
        return {"pool_size": self.pool_size}

    def output_shape(self, input_shape):
        c = input_shape[0]
        if c is not None and c % self.pool_size:
            raise ChainError("ChannelPool", "input channels", f"a multiple of {self.pool_size}", c)
        return (None if c is None else c // self.pool_size,) + tuple(input_shape[1:])

    def forward(self, x, training=True):
        self._x = float_input(x, "ChannelPool")
        return F.channel_pool(self._x, self.pool_size)

    def backward(self, dy):
        return F.channel_pool_backward(dy, self._x, self.pool_size)
