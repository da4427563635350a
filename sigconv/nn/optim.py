"""Optimizers: ``step(named)`` updates parameters in place from their gradients, where
``named`` is a list of ``(name, layer, key)`` (see ``Sequential.named_parameters``)."""

import math

import numpy as np

__all__ = ["SGD", "Adam"]


def _rate(value, name, func, upper=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < 0 or (upper is not None and value >= upper):
        bound = f"in [0, {upper})" if upper is not None else ">= 0"
        raise ValueError(f"{func}: {name} must be a finite number {bound}; got {value!r}")
    return float(value)


class SGD:
    """Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.

    Parameters
    ----------
    lr : float
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
    >>> SGD(0.1).step([('weight', layer, 'weight')])
    >>> layer.params['weight']
    array([[0.95]], dtype=float32)
    """

    def __init__(self, lr=0.01, *, momentum=0.0, nesterov=False, weight_decay=0.0):
        self.lr = _rate(lr, "lr", "SGD")
        self.momentum = _rate(momentum, "momentum", "SGD", upper=1.0)
        self.weight_decay = _rate(weight_decay, "weight_decay", "SGD")
        if nesterov and self.momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0; got momentum=0")
        self.nesterov = bool(nesterov)
        self.state = {}

    def step(self, named):
        for name, layer, key in named:
            w, g = layer.params[key], layer.grads[key]
            if self.weight_decay:
                g = g + self.weight_decay * w
            if self.momentum:            # the velocity is updated in place
                v = self.state.get(name)
                if v is None:
                    v = self.state[name] = g.copy()
                else:
                    v *= self.momentum
                    v += g
                g = g + self.momentum * v if self.nesterov else v
            w -= (self.lr * g).astype(w.dtype, copy=False)


class Adam:
    """Adam: bias-corrected running means of the gradient and its square.

    Parameters
    ----------
    lr : float
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
    >>> Adam(0.1).step([('weight', layer, 'weight')])
    >>> layer.params['weight'].round(6)
    array([[0.9]])
    """

    def __init__(self, lr=0.001, *, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        self.lr = _rate(lr, "lr", "Adam")
        self.beta1 = _rate(beta1, "beta1", "Adam", upper=1.0)
        self.beta2 = _rate(beta2, "beta2", "Adam", upper=1.0)
        self.eps = _rate(eps, "eps", "Adam")
        self.weight_decay = _rate(weight_decay, "weight_decay", "Adam")
        self.state = {}
        self.t = 0

    def step(self, named):
        self.t += 1
        c1 = 1 - self.beta1 ** self.t
        c2 = 1 - self.beta2 ** self.t
        for name, layer, key in named:
            w, g = layer.params[key], layer.grads[key]
            if self.weight_decay:
                g = g + self.weight_decay * w
            m, v = self.state.get(name, (None, None))
            if m is None:
                m, v = np.zeros_like(w), np.zeros_like(w)
                self.state[name] = (m, v)
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            w -= (self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)).astype(w.dtype, copy=False)
