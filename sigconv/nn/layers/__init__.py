"""The layer classes of ``sigconv.nn`` (channels-first; convolutions are cross-correlations)."""

from .base import Layer
from .containers import Concat, RecurrentConv2D, Residual
from .conv import Conv1D, Conv2D, Conv3D, ConvTranspose1D, ConvTranspose2D, ConvTranspose3D
from .dense import Dense, Dropout, Flatten, LeakyReLU, ReLU, Sigmoid, Tanh
from .local import LocallyConnected2D, TiledConv2D
from .pool import (AvgPool1D, AvgPool2D, AvgPool3D, ChannelPool, LpPool2D, MaxPool1D,
                   MaxPool2D, MaxPool3D)

__all__ = [
    "Layer", "Conv1D", "Conv2D", "Conv3D", "ConvTranspose1D", "ConvTranspose2D",
    "ConvTranspose3D", "LocallyConnected2D", "TiledConv2D", "ChannelPool", "MaxPool1D",
    "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "LpPool2D", "Dense",
    "Flatten", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Dropout", "Residual", "Concat",
    "RecurrentConv2D",
]
