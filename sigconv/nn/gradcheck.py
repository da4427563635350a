"""Central-difference check of a layer's backward pass."""

import copy
from dataclasses import dataclass, field

import numpy as np

from .layers.base import Layer

__all__ = ["gradcheck", "GradcheckReport"]


@dataclass
class GradcheckReport:
    """What ``gradcheck(..., full_output=True)`` found.

    Attributes
    ----------
    passed : bool
    max_error : float
        The worst ``|analytic - numeric| / (atol + rtol * |numeric|)`` (passes when <= 1).
    worst : str
        Where it occurred: ``'dx'`` or the parameter key, with the index.
    errors : dict
        The worst scaled error per checked quantity.
    """
    passed: bool
    max_error: float
    worst: str
    errors: dict = field(default_factory=dict)

    def __bool__(self):
        return self.passed


def gradcheck(layer, x, *, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0, training=True,
              full_output=False):
    """Check ``layer.backward`` against central differences of ``layer.forward``.

    The layer is copied and cast to float64; the scalar checked is ``sum(r * forward(x))``
    with a fixed random ``r``.  Every evaluation runs on a fresh copy of the layer as it
    was, so layers that draw random numbers (Dropout) draw the same ones each time.

    Parameters
    ----------
    layer : Layer
    x : array_like
        A (small) input batch.
    eps : float
        Finite-difference step.
    rtol, atol : float
        An entry passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    seed : int
        Seed of the projection ``r``.
    training : bool
        Passed to ``forward``.
    full_output : bool
        Also return a :class:`GradcheckReport` with the worst error.

    Returns
    -------
    bool, or (bool, GradcheckReport)

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial \\theta_i} \\approx
              \\frac{L(\\theta + \\epsilon e_i) - L(\\theta - \\epsilon e_i)}{2\\epsilon},
              \\qquad L = \\sum r \\odot f(x; \\theta)

    checked for ``theta`` = every entry of ``x`` and of every parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.nn import Conv1D
    >>> x = np.random.default_rng(0).standard_normal((2, 2, 7))
    >>> gradcheck(Conv1D(2, 3, 3, stride=2, seed=0), x)
    True
    """
    if not isinstance(layer, Layer):
        raise TypeError(f"gradcheck: layer must be a sigconv.nn Layer; got {type(layer).__name__}")
    base = copy.deepcopy(layer).astype(np.float64)
    x = np.array(x, dtype=np.float64)
    pristine = copy.deepcopy(base)
    y = copy.deepcopy(pristine).forward(x.copy(), training=training)
    r = np.random.default_rng(seed).standard_normal(y.shape)
    run = copy.deepcopy(pristine)
    run.forward(x.copy(), training=training)
    dx = run.backward(r.copy())
    analytic = {"dx": dx}
    analytic.update({name: l.grads[key] for name, l, key in _named(run)})

    def loss(xv, name=None, index=None, delta=0.0):
        trial = copy.deepcopy(pristine)
        if name is not None:
            owner, key = dict((n, (l, k)) for n, l, k in _named(trial))[name]
            owner.params[key] = owner.params[key].copy()
            owner.params[key][index] += delta
        return float(np.sum(r * trial.forward(xv, training=training)))

    errors, worst = {}, ("dx", 0.0)
    for name, grad in analytic.items():
        target = x if name == "dx" else dict(
            (n, l.params[k]) for n, l, k in _named(pristine))[name]
        err = 0.0
        for index in np.ndindex(*target.shape):
            if name == "dx":
                xp, xm = x.copy(), x.copy()
                xp[index] += eps
                xm[index] -= eps
                num = (loss(xp) - loss(xm)) / (2 * eps)
            else:
                num = (loss(x, name, index, eps) - loss(x, name, index, -eps)) / (2 * eps)
            e = abs(grad[index] - num) / (atol + rtol * abs(num))
            if e > err:
                err = e
                if e > worst[1]:
                    worst = (f"{name}{list(index)}", e)
        errors[name] = err
    report = GradcheckReport(bool(worst[1] <= 1.0), float(worst[1]), worst[0], errors)
    return (report.passed, report) if full_output else report.passed


def _named(layer):
    from .layers.base import parameter_slots
    return list(parameter_slots(layer))
