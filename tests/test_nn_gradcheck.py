"""Every layer's backward against central differences, in float64."""

import numpy as np
import pytest

from sigconv import nn

R = np.random.default_rng(7)


def x_of(*shape):
    return R.standard_normal(shape)


LAYERS = [
    ("Conv1D-s2-p1-d2", lambda: nn.Conv1D(2, 3, 3, stride=2, padding=1, dilation=2, seed=0), (2, 2, 11)),
    ("Conv1D-g2-same", lambda: nn.Conv1D(4, 2, 4, padding="same", groups=2, stride=3, seed=0), (2, 4, 10)),
    ("Conv2D-plain", lambda: nn.Conv2D(2, 3, 3, seed=0), (2, 2, 5, 6)),
    ("Conv2D-s2-same", lambda: nn.Conv2D(2, 2, 3, stride=2, padding="same", seed=0), (2, 2, 7, 6)),
    ("Conv2D-d2-g2-nobias", lambda: nn.Conv2D(4, 2, (2, 3), dilation=(2, 1), groups=2, padding=(1, 2), bias=False, seed=0), (1, 4, 6, 5)),
    ("Conv2D-fft", lambda: nn.Conv2D(2, 2, 5, padding=2, method="fft", seed=0), (1, 2, 7, 7)),
    ("Conv3D-s2-g2", lambda: nn.Conv3D(2, 2, 2, stride=(1, 2, 2), groups=2, padding=1, seed=0), (1, 2, 3, 4, 4)),
    ("ConvT1D-s2-op1", lambda: nn.ConvTranspose1D(2, 3, 3, stride=2, padding=1, output_padding=1, seed=0), (2, 2, 4)),
    ("ConvT2D-d2-g2", lambda: nn.ConvTranspose2D(4, 2, 3, dilation=2, groups=2, stride=(1, 2), seed=0), (1, 4, 3, 3)),
    ("ConvT2D-fft", lambda: nn.ConvTranspose2D(2, 2, 3, stride=2, method="fft", seed=0), (1, 2, 3, 3)),
    ("ConvT3D", lambda: nn.ConvTranspose3D(2, 2, 2, stride=2, padding=1, seed=0), (1, 2, 2, 3, 2)),
    ("LocallyConnected2D", lambda: nn.LocallyConnected2D(2, 2, 3, input_shape=(5, 6), stride=(1, 2), seed=0), (2, 2, 5, 6)),
    ("TiledConv2D-t2", lambda: nn.TiledConv2D(2, 2, 3, tile=2, seed=0), (2, 2, 6, 5)),
    ("TiledConv2D-t3x2-s2-same", lambda: nn.TiledConv2D(1, 2, 2, tile=(3, 2), stride=2, padding="same", seed=0), (1, 1, 7, 6)),
    ("ChannelPool", lambda: nn.ChannelPool(3), (2, 6, 3, 2)),
    ("MaxPool1D-k3s2p1", lambda: nn.MaxPool1D(3, stride=2, padding=1), (2, 2, 9)),
    ("MaxPool2D", lambda: nn.MaxPool2D(2), (2, 2, 6, 4)),
    ("MaxPool3D-k2s1", lambda: nn.MaxPool3D(2, stride=1), (1, 2, 3, 3, 3)),
    ("AvgPool1D", lambda: nn.AvgPool1D(3, stride=2, padding=1), (2, 2, 8)),
    ("AvgPool2D-k3s2", lambda: nn.AvgPool2D(3, stride=2), (1, 2, 7, 7)),
    ("AvgPool3D", lambda: nn.AvgPool3D(2), (1, 1, 4, 4, 2)),
    ("LpPool2D-p2", lambda: nn.LpPool2D(2, 2), (2, 2, 4, 4)),
    ("LpPool2D-p3-s1", lambda: nn.LpPool2D(3, (2, 3), stride=1), (1, 2, 4, 5)),
    ("Dense", lambda: nn.Dense(5, 3, seed=0), (4, 5)),
    ("Flatten", lambda: nn.Flatten(), (2, 2, 3)),
    ("ReLU", lambda: nn.ReLU(), (3, 4)),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.2), (3, 4)),
    ("Tanh", lambda: nn.Tanh(), (3, 4)),
    ("Sigmoid", lambda: nn.Sigmoid(), (3, 4)),
    ("Dropout", lambda: nn.Dropout(0.4, seed=3), (3, 5)),
    ("Sequential", lambda: nn.Sequential([nn.Conv2D(1, 2, 3, seed=0), nn.Tanh(), nn.Flatten(), nn.Dense(8, 2, seed=1)]), (2, 1, 4, 4)),
    ("Residual", lambda: nn.Residual(nn.Sequential([nn.Conv2D(2, 2, 3, padding=1, seed=0), nn.Tanh()])), (1, 2, 4, 4)),
    ("Residual-shortcut", lambda: nn.Residual(nn.Conv2D(2, 3, 3, padding="same", seed=0), shortcut=nn.Conv2D(2, 3, 1, seed=1)), (1, 2, 4, 3)),
    ("Concat-inception", lambda: nn.Concat([nn.Conv2D(2, 1, 1, seed=0), nn.Conv2D(2, 2, 3, padding="same", seed=1), nn.MaxPool2D(3, stride=1, padding=1)]), (1, 2, 4, 4)),
    ("RecurrentConv2D-tanh", lambda: nn.RecurrentConv2D(1, 2, 3, steps=3, activation="tanh", seed=0), (1, 1, 4, 4)),
    ("RecurrentConv2D-relu", lambda: nn.RecurrentConv2D(2, 2, 3, steps=2, seed=0), (2, 2, 3, 3)),
]


@pytest.mark.parametrize("make,shape", [c[1:] for c in LAYERS], ids=[c[0] for c in LAYERS])
def test_layer_passes_gradcheck(make, shape):
    layer = make()
    ok, report = nn.gradcheck(layer, x_of(*shape), full_output=True)
    assert ok, report
    expected = {"dx"} | {name for name, _, _ in nn.layers.base.parameter_slots(layer)}
    assert set(report.errors) == expected


def test_every_public_layer_is_gradchecked():
    checked = {c[0].split("-")[0] for c in LAYERS}
    checked = {"ConvTranspose" + c[5:] if c.startswith("ConvT") else c for c in checked}
    public = {n for n in nn.layers.__all__ if n != "Layer"}
    assert public <= checked | {"Sequential"}, public - checked


def test_gradcheck_catches_a_wrong_backward():
    class Broken(nn.Tanh):
        def backward(self, dy):
            return dy * (1 - self._y ** 2) * 1.001
    ok, report = nn.gradcheck(Broken(), x_of(2, 3), full_output=True)
    assert not ok
    assert report.worst.startswith("dx") and report.max_error > 1


def test_gradcheck_catches_a_wrong_parameter_gradient():
    class Broken(nn.Dense):
        def backward(self, dy):
            dx = super().backward(dy)
            self.grads["bias"] = self.grads["bias"] * 0
            return dx
    ok, report = nn.gradcheck(Broken(3, 2, seed=0), x_of(2, 3), full_output=True)
    assert not ok and report.worst.startswith("bias")
    assert report.errors["weight"] <= 1


def test_gradcheck_does_not_modify_the_layer():
    layer = nn.Conv1D(1, 1, 2, seed=0)
    w = layer.params["weight"].copy()
    assert nn.gradcheck(layer, x_of(1, 1, 4))
    assert layer.params["weight"].dtype == np.float32
    np.testing.assert_array_equal(layer.params["weight"], w)


def test_gradcheck_refuses_non_layers():
    with pytest.raises(TypeError, match="gradcheck: layer must be a sigconv.nn Layer; got ufunc"):
        nn.gradcheck(np.tanh, x_of(2))
