"""Training: losses and optimizers against closed forms, seeded fits, Sequential's
bookkeeping (summary, predict batching, memory limits) and the digits example."""

import importlib.util
import os

import numpy as np
import pytest

from sigconv import nn
from sigconv._errors import ResourceLimitError, ShapeError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def blobs(n=120, seed=0):
    """Two classes of 1x6x6 images: a bright left half or a bright right half."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.normal(0, 0.3, (n, 1, 6, 6))
    X[y == 0, :, :, :3] += 1
    X[y == 1, :, :, 3:] += 1
    return X.astype(np.float32), y


def small_cnn(seed=0):
    return nn.Sequential([nn.Conv2D(1, 4, 3, padding="same", seed=seed), nn.ReLU(),
                          nn.MaxPool2D(2), nn.Flatten(), nn.Dense(36, 2, seed=seed + 1)])


def test_softmax_cross_entropy_matches_closed_form():
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    y = np.array([1, 2])
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    loss = nn.SoftmaxCrossEntropy()
    assert loss.forward(z, y) == pytest.approx(-np.mean(np.log(p[[0, 1], y])))
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(loss.backward(), (p - onehot) / 2)
    assert loss.forward(z, onehot) == pytest.approx(-np.mean(np.log(p[[0, 1], y])))


def test_mse_matches_closed_form():
    loss = nn.MSE()
    assert loss.forward(np.array([[1.0, 2.0]]), np.array([[0.0, 4.0]])) == pytest.approx(2.5)
    np.testing.assert_allclose(loss.backward(), [[1.0, -2.0]])


def _param(value):
    layer = nn.Dense(1, 1, bias=False, dtype="float64", seed=0)
    layer.params["weight"][:] = value
    return layer


def test_sgd_momentum_nesterov_weight_decay_follow_the_recurrence():
    layer, g, w, v = _param(1.0), 0.5, 1.0, 0.0
    opt = nn.SGD(0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
    for _ in range(3):
        layer.grads["weight"] = np.array([[g]])
        opt.step([("w", layer, "weight")])
        gd = g + 0.01 * w
        v = 0.9 * v + gd
        w -= 0.1 * (gd + 0.9 * v)
    assert layer.params["weight"][0, 0] == pytest.approx(w)


def test_adam_follows_the_recurrence():
    layer, w, m, v = _param(2.0), 2.0, 0.0, 0.0
    opt = nn.Adam(0.05)
    for t, g in enumerate([1.0, -0.5, 0.25], start=1):
        layer.grads["weight"] = np.array([[g]])
        opt.step([("w", layer, "weight")])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= 0.05 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    assert layer.params["weight"][0, 0] == pytest.approx(w)


def test_seeded_fit_lowers_the_loss_and_is_reproducible(capsys):
    X, y = blobs()
    runs = []
    for _ in range(2):
        model = small_cnn()
        hist = model.fit(X, y, epochs=4, batch_size=16, optimizer=nn.SGD(0.1, momentum=0.9),
                         loss=nn.SoftmaxCrossEntropy, validation_data=blobs(40, 1), seed=3,
                         verbose=1)
        runs.append(hist)
    out = capsys.readouterr().out
    assert "epoch 4/4" in out and "accuracy" in out and "val_loss" in out
    hist = runs[0]
    assert hist["loss"][-1] < 0.5 * hist["loss"][0]
    assert hist["val_accuracy"][-1] >= 0.9
    assert runs[0] == runs[1]


def test_fit_with_mse_regression_has_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3)).astype(np.float32)
    y = X @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    model = nn.Sequential([nn.Dense(3, 1, seed=0)])
    hist = model.fit(X, y, epochs=30, batch_size=16, optimizer=nn.SGD(0.05), loss=nn.MSE(),
                     seed=0, verbose=0)
    assert hist["accuracy"] == [None] * 30 and hist["loss"][-1] < 1e-3
    np.testing.assert_allclose(model.layers[0].params["weight"], [[1.0, -2.0, 0.5]], atol=0.02)


def test_predict_batches_equal_one_batch_and_evaluate_agrees():
    X, y = blobs(50)
    model = small_cnn()
    full = model.predict(X, batch_size=50)
    np.testing.assert_allclose(model.predict(X, batch_size=7), full, rtol=1e-6, atol=1e-6)
    loss, acc = model.evaluate(X, y)
    assert acc == np.mean(full.argmax(1) == y)
    assert loss == pytest.approx(nn.SoftmaxCrossEntropy().forward(full, y), rel=1e-6)


def test_summary_lists_shapes_and_parameter_counts():
    model = nn.Sequential([nn.Conv2D(3, 8, 3, padding=1, seed=0), nn.MaxPool2D(2), nn.Flatten(),
                           nn.Dense(8 * 4 * 4, 10, seed=0)], input_shape=(3, 8, 8))
    text = model.summary()
    assert "(8, 8, 8)" in text and "(8, 4, 4)" in text and "(128,)" in text
    assert f"total parameters: {8 * 27 + 8 + 128 * 10 + 10:,}" in text


def test_memory_limit_refuses_or_minibatches():
    model = nn.Sequential([nn.Conv2D(1, 8, 3, padding=1, seed=0)], input_shape=(1, 32, 32))
    one = model.memory_estimate(1, training=False)
    # activations (in + out) plus the im2col columns, float32
    assert one == 4 * (32 * 32 + 8 * 32 * 32 + 9 * 32 * 32)
    X = np.zeros((10, 1, 32, 32), np.float32)
    assert model.predict(X, max_memory=3 * one).shape == (10, 8, 32, 32)   # 3 per batch
    with pytest.raises(ResourceLimitError, match="one sample needs ~"):
        model.predict(X, max_memory=one // 2)
    with pytest.raises(ResourceLimitError, match="batch_size 8 needs"):
        model.fit(X, np.zeros(10, int), epochs=1, batch_size=8, optimizer=nn.SGD(0.1),
                  loss=nn.MSE(), max_memory=4 * one, verbose=0)


def test_chain_errors_name_the_layers():
    with pytest.raises(ShapeError, match=r"layer 2 \(Conv2D\): expects 16 input channels, "
                                         r"layer 1 \(ReLU\) outputs 8"):
        nn.Sequential([nn.Conv2D(3, 8, 3), nn.ReLU(), nn.Conv2D(16, 4, 3)], input_shape=(3, 9, 9))
    with pytest.raises(ShapeError, match=r"layer 1 \(Dense\): expects 50 input features, "
                                         r"layer 0 \(Flatten\) outputs 48"):
        nn.Sequential([nn.Flatten(), nn.Dense(50, 2)], input_shape=(3, 4, 4))


def test_layers_refuse_bad_arguments():
    with pytest.raises(ValueError, match="Conv2D: weight_init must be one of 'he', 'glorot', "
                                         "'gabor'; got 'xavier'"):
        nn.Conv2D(1, 2, 3, weight_init="xavier")
    with pytest.raises(ValueError, match=r"Conv2D: in_channels \(3\) must be divisible by groups"):
        nn.Conv2D(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match=r"Dropout: p must be a number in \[0, 1\); got 1"):
        nn.Dropout(1)
    with pytest.raises(ValueError, match="SGD: nesterov=True needs momentum > 0"):
        nn.SGD(0.1, nesterov=True)
    with pytest.raises(ValueError, match="RecurrentConv2D: activation must be one of 'relu', "
                                         "'tanh'; got 'gelu'"):
        nn.RecurrentConv2D(1, 2, 3, steps=2, activation="gelu")


def test_gabor_init_gives_oriented_zero_mean_kernels():
    w = nn.init.gabor_bank(8, 1, 7, n_orientations=4, seed=0)
    clean = nn.init.gabor_bank(8, 1, 7, n_orientations=4, seed=1)
    assert w.shape == (8, 1, 7, 7)
    # orientation 0 (theta = 0) varies along x only: rows equal up to the 10 % noise
    base = (w + clean) / 2
    assert abs(base[0, 0].mean()) < 0.05
    theta90 = base[2, 0]          # theta = pi/2: the transpose of theta = 0
    np.testing.assert_allclose(theta90, base[0, 0].T, atol=0.15 * np.abs(base[0, 0]).max())
    layer = nn.Conv2D(1, 16, 5, weight_init="gabor", seed=0)
    assert layer.params["weight"].shape == (16, 1, 5, 5)


def test_tiled_conv_with_tile_1_is_conv_and_locally_connected_with_full_tile():
    X = np.random.default_rng(0).standard_normal((2, 2, 6, 6))
    tiled = nn.TiledConv2D(2, 3, 3, tile=1, dtype="float64", seed=0)
    conv = nn.Conv2D(2, 3, 3, dtype="float64", seed=0)
    conv.params["weight"][:] = tiled.params["weight"][0, 0]
    np.testing.assert_allclose(tiled.forward(X), conv.forward(X), atol=1e-12)
    full = nn.TiledConv2D(2, 3, 3, tile=4, bias=False, dtype="float64", seed=0)
    local = nn.LocallyConnected2D(2, 3, 3, input_shape=(6, 6), bias=False, dtype="float64")
    local.params["weight"][:] = full.params["weight"]
    np.testing.assert_allclose(full.forward(X), local.forward(X), atol=1e-12)


def _load_example():
    spec = importlib.util.spec_from_file_location("digits_cnn",
                                                  os.path.join(ROOT, "examples", "digits_cnn.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_digits_example_runs_headless_and_learns(tmp_path, capsys):
    """The example's own main(), shortened to 3 epochs: same code path, plots included."""
    example = _load_example()
    accuracy = example.main([str(tmp_path), "--epochs", "3"])
    out = capsys.readouterr().out
    assert accuracy >= 0.9
    assert "held-out accuracy" in out
    for name in ("digits_training_curves.png", "digits_first_layer_kernels.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_fit_skips_the_first_layers_input_gradient_and_restores_it():
    X, y = blobs(32)
    model = small_cnn()
    seen = []
    first = model.layers[0]
    original = first.backward
    first.backward = lambda dy: seen.append(first.input_grad) or original(dy)
    model.fit(X, y, epochs=1, batch_size=16, optimizer=nn.SGD(0.1),
              loss=nn.SoftmaxCrossEntropy(), verbose=0)
    assert seen == [False, False] and first.input_grad
    del first.backward
    model.forward(X[:2])
    assert model.backward(np.ones((2, 2), np.float32)).shape == (2, 1, 6, 6)


def test_the_digits_training_repeats_bit_for_bit_with_its_seed():
    """The same seed gives the same split, initial weights and batch order, and the
    layers compute deterministically: the trained weights are equal bit for bit."""
    pytest.importorskip("sklearn")
    from sigconv import _digits
    first = _digits.train_digits(epochs=1, seed=3, bars=False)
    again = _digits.train_digits(epochs=1, seed=3, bars=False)
    np.testing.assert_array_equal(first["first_layer"], again["first_layer"])
    assert first["accuracy"] == again["accuracy"] and first["loss"] == again["loss"]
