"""Losses: ``forward(output, target) -> mean loss`` then ``backward() -> d loss / d output``."""

import numpy as np

from .._errors import ShapeError
from .functional import softmax

__all__ = ["SoftmaxCrossEntropy", "MSE", "LOSSES"]


class SoftmaxCrossEntropy:
    """Softmax of the logits followed by the cross-entropy with integer class labels
    (or one-hot/probability rows), averaged over the batch.

    Notes
    -----
    .. math:: L = -\\frac{1}{N} \\sum_n \\log \\mathrm{softmax}(z_n)_{y_n}, \\qquad
              \\partial z = (\\mathrm{softmax}(z) - \\mathrm{onehot}(y)) / N

    Examples
    --------
    >>> import numpy as np
    >>> loss = SoftmaxCrossEntropy()
    >>> round(loss.forward(np.array([[0., 0.]]), np.array([1])), 4)
    0.6931
    >>> loss.backward()
    array([[ 0.5, -0.5]])
    """

    classification = True

    def forward(self, logits, target):
        z = np.asarray(logits)
        if z.ndim != 2:
            raise ShapeError(f"SoftmaxCrossEntropy: logits must be (N, classes); got {z.shape}")
        onehot = self._onehot(np.asarray(target), z.shape,
                              z.dtype if z.dtype.kind == "f" else np.float64)
        shifted = z - z.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self._p, self._t = np.exp(logp), onehot
        return float(-(onehot * logp).sum() / z.shape[0])

    def backward(self):
        return (self._p - self._t) / self._p.shape[0]

    @staticmethod
    def _onehot(t, shape, dtype):
        if t.shape == shape:
            return t.astype(dtype)
        if t.shape != shape[:1] or t.dtype.kind not in "iu":
            raise ShapeError(f"SoftmaxCrossEntropy: target must be integer labels of shape "
                             f"{shape[:1]} or one-hot rows {shape}; got {t.dtype} {t.shape}")
        if t.size and (t.min() < 0 or t.max() >= shape[1]):
            raise ValueError(f"SoftmaxCrossEntropy: labels must lie in [0, {shape[1]}); got "
                             f"[{t.min()}, {t.max()}]")
        out = np.zeros(shape, dtype=dtype)     # float32 logits keep float32 gradients
        out[np.arange(shape[0]), t] = 1
        return out

    @staticmethod
    def predict(logits):
        return softmax(logits, axis=1)


class MSE:
    """Mean squared error over all elements.

    Notes
    -----
    .. math:: L = \\frac{1}{M} \\sum (y - t)^2, \\qquad \\partial y = 2 (y - t) / M

    Examples
    --------
    >>> import numpy as np
    >>> loss = MSE()
    >>> loss.forward(np.array([[1., 3.]]), np.array([[1., 1.]]))
    2.0
    >>> loss.backward()
    array([[0., 2.]])
    """

    classification = False

    def forward(self, output, target):
        y, t = np.asarray(output), np.asarray(target)
        if t.shape != y.shape:
            if t.ndim == 1 and y.ndim == 2 and y.shape[1] == 1 and t.shape[0] == y.shape[0]:
                t = t[:, None]
            else:
                raise ShapeError(f"MSE: target shape {t.shape} does not match output {y.shape}")
        self._d = y - t
        return float(np.mean(self._d ** 2))

    def backward(self):
        return 2 * self._d / self._d.size


LOSSES = {"softmax_cross_entropy": SoftmaxCrossEntropy, "cross_entropy": SoftmaxCrossEntropy,
          "mse": MSE}
