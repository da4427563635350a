"""A trainable convolutional layer stack in numpy, channels-first.

Inputs are ``(N, C, *spatial)``; convolution weights ``(out_channels, in_channels/groups,
*kernel)`` (transposed: ``(in_channels, out_channels/groups, *kernel)``), dense weights
``(out, in)``.  The "convolution" layers compute cross-correlation, like every
deep-learning framework.  Every layer has ``forward(x, training=True)``, ``backward(dy)``,
``params``/``grads`` dicts with the same keys, and PyTorch's ``parameters()`` and
``named_parameters()``; :class:`Sequential` takes its layers as arguments or as a list
and trains with Keras' ``compile`` and ``fit``.
"""

from . import functional, init
from .gradcheck import GradcheckReport, gradcheck
from .io import FORMAT_VERSION, load, save
from .layers import *  # noqa: F401,F403
from .layers import __all__ as _layers
from .layers.base import Parameter
from .losses import MSE, SoftmaxCrossEntropy
from .model import DEFAULT_MAX_MEMORY, Sequential
from .optim import SGD, Adam

__all__ = list(_layers) + [
    "Sequential", "Parameter", "SoftmaxCrossEntropy", "MSE", "SGD", "Adam", "gradcheck",
    "GradcheckReport", "save", "load", "FORMAT_VERSION", "DEFAULT_MAX_MEMORY", "functional",
    "init",
]
