"""The layer protocol: forward, backward, params/grads, config and shape arithmetic."""

import contextlib
import contextvars
import math

import numpy as np

from ..._validate import one_of

DTYPES = ("float32", "float64")


class Layer:
    """Base class of every layer.

    A layer maps a batch ``x`` of shape ``(N, *input_shape)`` to ``y = forward(x)``;
    ``backward(dy)`` returns ``dx`` and stores the parameter gradients in ``grads``, a dict
    with the same keys as ``params`` ('weight', 'bias', ...).  ``backward`` uses what the
    last ``forward`` cached, so call them in pairs.  ``get_config()`` returns the
    constructor arguments as JSON-compatible values; ``output_shape(input_shape)`` gives
    the per-sample output shape (``None`` marks an extent that is not known).
    """

    def __init__(self):
        self.params = {}
        self.grads = {}

    def forward(self, x, training=True):
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    def __call__(self, x, training=False):
        return self.forward(x, training=training)

    def output_shape(self, input_shape):
        """Per-sample output shape for a per-sample ``input_shape`` (shape-preserving)."""
        return tuple(input_shape)

    def get_config(self):
        return {}

    def sublayers(self):
        """Layers held by a container (empty for plain layers)."""
        return []

    def named_sublayers(self):
        """``(name, layer)`` pairs of the held layers, named as in the model file."""
        return [(str(i), s) for i, s in enumerate(self.sublayers())]

    def workspace(self, input_shape):
        """Extra elements per sample held during forward+backward (im2col columns, ...)."""
        return 0

    def named_parameters(self, prefix=""):
        """``(name, Parameter)`` for every parameter of the layer and of the layers it
        holds, as PyTorch's ``named_parameters`` (names as in the model file).

        Examples
        --------
        >>> from sigconv.nn import Conv2D
        >>> [(name, p.shape) for name, p in Conv2D(1, 4, 3, seed=0).named_parameters()]
        [('weight', (4, 1, 3, 3)), ('bias', (4,))]
        """
        for name, layer, key in parameter_slots(self, prefix):
            yield name, Parameter(layer, key)

    def parameters(self):
        """Every :class:`Parameter` of the layer and of the layers it holds, as PyTorch's
        ``parameters`` (pass them to an optimizer: ``SGD(model.parameters(), lr=0.1)``).

        Examples
        --------
        >>> from sigconv.nn import Dense
        >>> sum(p.numel() for p in Dense(3, 2, seed=0).parameters())
        8
        """
        for _, param in self.named_parameters():
            yield param

    @property
    def n_params(self):
        return sum(p.size for p in self.params.values()) + sum(
            s.n_params for s in self.sublayers())

    def astype(self, dtype):
        """Cast every parameter (recursively) to ``dtype``, in place; returns self."""
        dtype = np.dtype(dtype)
        for key, value in self.params.items():
            self.params[key] = value.astype(dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        for sub in self.sublayers():
            sub.astype(dtype)
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items()
                         if not isinstance(v, (dict, list)) or k == "kernel_size")
        return f"{type(self).__name__}({args})"


def dtype_name(dtype, func):
    """'float32' or 'float64' (the parameter dtypes a model may have)."""
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    return one_of(name, DTYPES, "dtype", func)


def rng_of(seed):
    """A numpy Generator from a seed, a Generator or None (fresh entropy)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def seed_config(seed, func):
    """The seed as stored in a model file: an int, or None for a Generator/None."""
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    if seed is None or isinstance(seed, np.random.Generator):
        return None
    raise TypeError(f"{func}: seed must be None, an int >= 0 or a numpy.random.Generator; "
                    f"got {seed!r}")


def numel(shape):
    return math.prod(s for s in shape if s is not None)


def parameter_slots(layer, prefix=""):
    """``(name, layer, key)`` for every parameter under ``layer``, in a stable order;
    names are dotted paths such as ``'layers.0.weight'``."""
    for key in layer.params:
        yield prefix + key, layer, key
    for child_name, child in layer.named_sublayers():
        yield from parameter_slots(child, f"{prefix}{child_name}.")


class Parameter:
    """One parameter of a layer, as ``parameters()`` yields it (PyTorch's habit).

    ``data`` is the live array (``layer.params[key]``: optimizers update it in place),
    ``grad`` the gradient the last ``backward`` stored (``layer.grads[key]``);
    ``np.asarray(p)`` is ``p.data``.  Two handles on the same slot are equal.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.nn import Dense
    >>> layer = Dense(2, 1, seed=0)
    >>> w = next(layer.parameters())
    >>> w.shape, w.data is layer.params['weight'], w.grad is layer.grads['weight']
    ((1, 2), True, True)
    """

    __slots__ = ("layer", "key")

    def __init__(self, layer, key):
        self.layer, self.key = layer, key

    @property
    def data(self):
        return self.layer.params[self.key]

    @data.setter
    def data(self, value):
        self.layer.params[self.key][...] = value

    @property
    def grad(self):
        return self.layer.grads.get(self.key)

    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    size = property(lambda self: self.data.size)
    ndim = property(lambda self: self.data.ndim)

    def numel(self):
        return self.data.size

    def __array__(self, dtype=None, copy=None):
        return np.array(self.data, dtype=dtype, copy=copy)

    def __eq__(self, other):
        return (isinstance(other, Parameter) and other.layer is self.layer
                and other.key == self.key)

    def __hash__(self):
        return hash((id(self.layer), self.key))

    def __repr__(self):
        return (f"Parameter({type(self.layer).__name__}.{self.key}, shape={self.shape}, "
                f"dtype={self.dtype})")


_DEFERRED = contextvars.ContextVar("sigconv_nn_deferred_params", default=False)


@contextlib.contextmanager
def deferred_params():
    """Build layers without allocating or initialising parameters: each parameter is a
    read-only zero-strided placeholder of its shape (used by the model loader, which
    compares shapes before reading any array)."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def new_param(shape, dtype, make=None):
    """A parameter array: ``make()`` cast to ``dtype`` (zeros when ``make`` is None), or
    a placeholder inside ``deferred_params()``."""
    if _DEFERRED.get():
        return np.broadcast_to(np.zeros((), dtype=dtype), tuple(shape))
    if make is None:
        return np.zeros(shape, dtype=dtype)
    return np.ascontiguousarray(make(), dtype=dtype)


def fresh_grads(params):
    """Gradient slots with the shapes of ``params`` (placeholders stay placeholders)."""
    if _DEFERRED.get():
        return {k: v for k, v in params.items()}
    return {k: np.zeros_like(v) for k, v in params.items()}
