"""Optimizers: ``step()`` updates parameters in place from their gradients.

The parameters are given once, as in PyTorch (``SGD(model.parameters(), lr=0.1)``: an
iterable of :class:`~sigconv.nn.Parameter`, of ``(name, Parameter)`` pairs from
``named_parameters()``, or a layer), or to each ``step(params)`` (``Sequential.fit``
does that for an optimizer created without them, so ``SGD(0.1)`` and Keras'
``learning_rate=`` work too).
"""

import math
import numbers

import numpy as np

from .._validate import renamed
from .layers.base import Layer, Parameter

__all__ = ["SGD", "Adam"]


def _rate(value, name, func, upper=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < 0 or (upper is not None and value >= upper):
        bound = f"in [0, {upper})" if upper is not None else ">= 0"
        raise ValueError(f"{func}: {name} must be a finite number {bound}; got {value!r}")
    return float(value)


def parameter_list(items, func):
    """``items`` (Parameters, ``(name, Parameter)`` pairs, ``(name, layer, key)`` triples
    or a layer) as a list of :class:`Parameter`."""
    if isinstance(items, Layer):
        return list(items.parameters())
    out = []
    for item in items:
        if isinstance(item, Parameter):
            out.append(item)
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Parameter):
            out.append(item[1])
        elif isinstance(item, tuple) and len(item) == 3 and isinstance(item[1], Layer):
            out.append(Parameter(item[1], item[2]))
        else:
            raise TypeError(f"{func}: parameters must be model.parameters(), "
                            f"model.named_parameters() or a layer; got an item {item!r}")
    return out


class _Optimizer:
    """Shared construction: parameters (optional) and learning rate."""

    def __init__(self, params, lr, learning_rate, default_lr):
        func = type(self).__name__
        if isinstance(params, numbers.Real) and not isinstance(params, bool):
            if lr is not None or learning_rate is not None:
                raise TypeError(f"{func}: the learning rate was given twice: {params!r} "
                                f"and {lr if lr is not None else learning_rate!r}")
            params, lr = None, params        # SGD(0.1): the learning rate alone
        lr = renamed(lr, learning_rate, "lr", "learning_rate", func, default_lr)
        self.lr = _rate(lr, "lr", func)
        self.params = None if params is None else parameter_list(params, func)
        self.state = {}

    def _targets(self, params):
        func = type(self).__name__
        if params is not None:
            return parameter_list(params, f"{func}.step")
        if self.params is None:
            raise ValueError(f"{func}.step: no parameters to update; create the optimizer "
                             f"with them ({func}(model.parameters(), lr=...)) or pass them "
                             f"to step()")
        return self.params

    def zero_grad(self):
        """Set the gradients of the optimizer's parameters to 0 (PyTorch's habit; sigconv's
        ``backward`` overwrites the gradients rather than adding to them, so a training
        loop does not need it)."""
        for p in self.params or ():
            if p.grad is not None and p.grad.flags.writeable:
                p.grad[...] = 0


class SGD(_Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.

    Parameters
    ----------
    params : iterable of Parameter, or a layer, optional
        The parameters to update (``model.parameters()``); or the learning rate, as in
        ``SGD(0.1)``.
    lr : float
        Learning rate (default 0.01; Keras' name ``learning_rate`` is accepted).
    momentum : float in [0, 1)
    nesterov : bool
    weight_decay : float
        Added to the gradient as ``weight_decay * w`` (L2 regularisation).

    Notes
    -----
    .. math:: g = \\nabla + \\lambda w,\\quad v \\leftarrow \\mu v + g,\\quad
              w \\leftarrow w - \\eta\\,(g + \\mu v \\text{ if Nesterov else } v)

    (PyTorch's formulation.)

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.nn import Dense
    >>> layer = Dense(1, 1, bias=False, seed=0)
    >>> layer.params['weight'][:] = 1.0; layer.grads['weight'] = np.array([[0.5]])
    >>> SGD(layer.parameters(), lr=0.1).step()
    >>> layer.params['weight']
    array([[0.95]], dtype=float32)
    """

    def __init__(self, params=None, lr=None, *, momentum=0.0, nesterov=False,
                 weight_decay=0.0, learning_rate=None):
        super().__init__(params, lr, learning_rate, 0.01)
        self.momentum = _rate(momentum, "momentum", "SGD", upper=1.0)
        self.weight_decay = _rate(weight_decay, "weight_decay", "SGD")
        if nesterov and self.momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0; got momentum=0")
        self.nesterov = bool(nesterov)

    def step(self, params=None):
        """Update ``params`` (default: the optimizer's) from their gradients."""
        for p in self._targets(params):
            w, g = p.data, p.grad
            if self.weight_decay:
                g = g + self.weight_decay * w
            if self.momentum:            # the velocity is updated in place
                v = self.state.get(p)
                if v is None:
                    v = self.state[p] = g.copy()
                else:
                    v *= self.momentum
                    v += g
                g = g + self.momentum * v if self.nesterov else v
            w -= (self.lr * g).astype(w.dtype, copy=False)


class Adam(_Optimizer):
    """Adam: bias-corrected running means of the gradient and its square.

    Parameters
    ----------
    params : iterable of Parameter, or a layer, optional
        As for :class:`SGD`.
    lr : float
        Learning rate (default 0.001; ``learning_rate`` is accepted).
    beta1, beta2 : float in [0, 1)
    eps : float
    weight_decay : float
        L2 term added to the gradient.

    Notes
    -----
    .. math:: m \\leftarrow \\beta_1 m + (1-\\beta_1) g,\\ v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2,\\
              w \\leftarrow w - \\eta\\, \\hat m / (\\sqrt{\\hat v} + \\epsilon)

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.nn import Dense
    >>> layer = Dense(1, 1, bias=False, seed=0, dtype='float64')
    >>> layer.params['weight'][:] = 1.0; layer.grads['weight'] = np.array([[3.0]])
    >>> Adam(layer.parameters(), lr=0.1).step()
    >>> layer.params['weight'].round(6)
    array([[0.9]])
    """

    def __init__(self, params=None, lr=None, *, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay=0.0, learning_rate=None):
        super().__init__(params, lr, learning_rate, 0.001)
        self.beta1 = _rate(beta1, "beta1", "Adam", upper=1.0)
        self.beta2 = _rate(beta2, "beta2", "Adam", upper=1.0)
        self.eps = _rate(eps, "eps", "Adam")
        self.weight_decay = _rate(weight_decay, "weight_decay", "Adam")
        self.t = 0

    def step(self, params=None):
        """Update ``params`` (default: the optimizer's) from their gradients."""
        targets = self._targets(params)
        self.t += 1
        c1 = 1 - self.beta1 ** self.t
        c2 = 1 - self.beta2 ** self.t
        for p in targets:
            w, g = p.data, p.grad
            if self.weight_decay:
                g = g + self.weight_decay * w
            m, v = self.state.get(p, (None, None))
            if m is None:
                m, v = np.zeros_like(w), np.zeros_like(w)
                self.state[p] = (m, v)
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            w -= (self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)).astype(w.dtype, copy=False)
