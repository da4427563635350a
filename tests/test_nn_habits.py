"""sigconv.nn with PyTorch's and Keras' habits: Sequential(*layers), parameters(),
optimizers given the parameters once, compile + fit with Keras' defaults."""

import math

import numpy as np
import pytest
from sklearn.datasets import load_digits

from sigconv import nn

LAYERS = [
    lambda: nn.Conv2D(2, 3, 3, seed=0),
    lambda: nn.ConvTranspose2D(2, 3, 3, seed=0),
    lambda: nn.Dense(4, 3, seed=0),
    lambda: nn.Dense(4, 3, bias=False, seed=0),
    lambda: nn.LocallyConnected2D(2, 3, 3, input_shape=(2, 5, 5), seed=0),
    lambda: nn.TiledConv2D(2, 3, 3, tile=2, seed=0),
    lambda: nn.RecurrentConv2D(2, 3, 3, steps=2, seed=0),
    lambda: nn.Residual(nn.Sequential(nn.Conv2D(2, 2, 3, padding=1, seed=0), nn.ReLU())),
    lambda: nn.Concat([nn.Conv2D(2, 2, 1, seed=0), nn.Conv2D(2, 1, 1, seed=1)]),
    lambda: nn.ReLU(),
]


def _digits():
    d = load_digits()
    X = (d.images / 16.0).astype(np.float32)[:, None]
    order = np.random.default_rng(0).permutation(len(X))
    return X[order], d.target[order]


def _small_net(seed=0):
    return nn.Sequential(nn.Flatten(), nn.Dense(64, 16, seed=seed), nn.Tanh(),
                         nn.Dense(16, 10, seed=seed + 1))


# --- Sequential(*layers) and Sequential([layers]) ---------------------------------------

def test_sequential_takes_layers_as_arguments_or_as_one_list():
    x = np.random.default_rng(1).standard_normal((3, 1, 5, 5)).astype(np.float32)
    make = lambda: [nn.Conv2D(1, 2, 3, seed=0), nn.ReLU(), nn.Flatten(), nn.Dense(18, 2, seed=1)]
    a, b = nn.Sequential(*make()), nn.Sequential(make())
    c = nn.Sequential(layer for layer in make())
    np.testing.assert_array_equal(a.predict(x), b.predict(x))
    np.testing.assert_array_equal(a.predict(x), c.predict(x))
    assert [type(layer) for layer in a.layers] == [type(layer) for layer in b.layers]
    assert nn.Sequential().layers == []
    nested = nn.Sequential(nn.Sequential(nn.Flatten()))       # one Layer: a nested model
    assert isinstance(nested.layers[0], nn.Sequential)


def test_keras_add_appends_and_checks_the_chain():
    model = nn.Sequential(input_shape=(1, 4, 4))
    model.add(nn.Conv2D(1, 2, 3, seed=0))
    model.add(nn.Flatten())
    with pytest.raises(ValueError, match=r"layer 2 \(Dense\): expects 9 input features, "
                                         r"layer 1 \(Flatten\) outputs 8"):
        model.add(nn.Dense(9, 2))
    assert len(model.layers) == 2


@pytest.mark.parametrize("args,match", [
    (({"conv": nn.ReLU()},), r"Sequential: layers are named by position here .*"
                             r"Sequential\(\*layers.values\(\)\)"),
    ((nn.ReLU(), "relu"), r"Sequential: layer 1 is not a Layer; got 'relu'"),
    ((3,), r"Sequential: expected layers or one list of layers; got 3"),
])
def test_sequential_refuses_what_is_not_layers(args, match):
    with pytest.raises(TypeError, match=match):
        nn.Sequential(*args)


# --- parameters() / named_parameters() ---------------------------------------------------

@pytest.mark.parametrize("make", LAYERS)
def test_parameters_of_every_layer_are_its_params_dicts(make):
    layer = make()
    named = list(layer.named_parameters())
    slots = list(nn.layers.base.parameter_slots(layer))
    assert [n for n, _ in named] == [n for n, _, _ in slots]
    for (_, p), (_, owner, key) in zip(named, slots):
        assert p.data is owner.params[key] and p.grad is owner.grads[key]
        assert p.shape == owner.params[key].shape and p.dtype == owner.params[key].dtype
        np.testing.assert_array_equal(np.asarray(p), owner.params[key])
    assert sum(p.numel() for p in layer.parameters()) == layer.n_params
    assert list(layer.parameters()) == [p for _, p in named]


def test_sequential_named_parameters_are_dotted_like_pytorch():
    model = nn.Sequential(nn.Conv2D(1, 2, 3, seed=0), nn.ReLU(),
                          nn.Residual(nn.Sequential(nn.Conv2D(2, 2, 3, padding=1, seed=1))))
    assert [n for n, _ in model.named_parameters()] == [
        "layers.0.weight", "layers.0.bias",
        "layers.2.block.layers.0.weight", "layers.2.block.layers.0.bias"]
    w = dict(model.named_parameters())["layers.0.weight"]
    w.data = np.ones(w.shape)                           # in place, like p.data.copy_()
    assert np.all(model.layers[0].params["weight"] == 1)


# --- optimizers take the parameters once ----------------------------------------------------

def _one_step(opt_factory):
    """Weights after one step of a Dense layer on a fixed batch, and the hand-computed SGD
    step from the gradients the layer stored."""
    layer = nn.Dense(3, 2, seed=0, dtype="float64")
    x = np.random.default_rng(2).standard_normal((5, 3))
    w0, b0 = layer.params["weight"].copy(), layer.params["bias"].copy()
    opt = opt_factory(layer)
    layer.forward(x)
    layer.backward(np.ones((5, 2)))
    dw, db = layer.grads["weight"].copy(), layer.grads["bias"].copy()
    opt.step() if opt.params is not None else opt.step(layer.parameters())
    return layer, (w0 - 0.1 * dw, b0 - 0.1 * db)


@pytest.mark.parametrize("factory", [
    lambda layer: nn.SGD(layer.parameters(), lr=0.1),
    lambda layer: nn.SGD(layer.named_parameters(), 0.1),
    lambda layer: nn.SGD(layer, learning_rate=0.1),
    lambda layer: nn.SGD(0.1),
    lambda layer: nn.SGD(lr=0.1),
], ids=["parameters", "named_parameters", "layer", "lr-only", "lr-keyword"])
def test_sgd_accepts_parameters_in_every_pytorch_form(factory):
    layer, (w, b) = _one_step(factory)
    np.testing.assert_allclose(layer.params["weight"], w, rtol=1e-15)
    np.testing.assert_allclose(layer.params["bias"], b, rtol=1e-15)


def test_pytorch_loop_equals_fit_step_for_step():
    X, y = _digits()
    X, y = X[:96], y[:96]
    loop, fitted = _small_net(), _small_net()
    opt = nn.Adam(loop.parameters(), lr=0.01)
    loss = nn.SoftmaxCrossEntropy()
    for start in range(0, 96, 32):
        opt.zero_grad()
        out = loop(X[start:start + 32], training=True)
        loss.forward(out, y[start:start + 32])
        loop.backward(loss.backward().astype(out.dtype))
        opt.step()
    fitted.compile(optimizer=nn.Adam(lr=0.01), loss="cross_entropy")
    fitted.fit(X, y, shuffle=False, verbose=0)              # batch_size 32, one epoch
    for (n1, p1), (n2, p2) in zip(loop.named_parameters(), fitted.named_parameters()):
        assert n1 == n2
        np.testing.assert_array_equal(p1.data, p2.data)


def test_optimizer_created_with_some_parameters_updates_only_those():
    X, y = _digits()
    model = _small_net()
    first = {n: p.data.copy() for n, p in model.named_parameters()}
    head = model.layers[-1]
    model.fit(X[:64], y[:64], optimizer=nn.SGD(head.parameters(), lr=0.5),
              loss="cross_entropy", verbose=0, seed=0)
    for name, p in model.named_parameters():
        changed = not np.array_equal(p.data, first[name])
        assert changed == name.startswith("layers.3."), name


def test_zero_grad_sets_the_gradients_to_zero():
    layer = nn.Dense(2, 2, seed=0)
    layer.forward(np.ones((1, 2), np.float32))
    layer.backward(np.ones((1, 2), np.float32))
    opt = nn.SGD(layer.parameters(), lr=0.1)
    assert np.any(layer.grads["weight"] != 0)
    opt.zero_grad()
    assert all(np.all(p.grad == 0) for p in layer.parameters())


@pytest.mark.parametrize("call,exc,match", [
    (lambda: nn.SGD(0.1).step(), ValueError,
     r"SGD.step: no parameters to update; create the optimizer with them "
     r"\(SGD\(model.parameters\(\), lr=...\)\) or pass them to step\(\)"),
    (lambda: nn.Adam(0.1, lr=0.2), TypeError, r"Adam: the learning rate was given twice"),
    (lambda: nn.SGD(lr=0.1, learning_rate=0.2), TypeError,
     r"SGD: learning_rate=0.2 and lr=0.1 name the same argument; give one"),
    (lambda: nn.SGD(["w"]), TypeError,
     r"SGD: parameters must be model.parameters\(\), model.named_parameters\(\) or a "
     r"layer; got an item 'w'"),
])
def test_optimizer_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --- compile + fit with Keras' defaults -----------------------------------------------------

def test_fit_defaults_are_keras_batch_32_one_epoch():
    X, y = _digits()
    X, y = X[:100], y[:100]
    model = _small_net().compile(optimizer="sgd", loss="cross_entropy")
    steps = []
    real = model.optimizer.step
    model.optimizer.step = lambda params=None: (steps.append(1), real(params))
    history = model.fit(X, y, verbose=0)
    assert len(history["loss"]) == 1 and len(steps) == math.ceil(100 / 32)
    assert model.optimizer.lr == 0.01                     # Keras' SGD default rate


def test_compiled_digits_model_reaches_a_sensible_accuracy():
    X, y = _digits()
    model = nn.Sequential(nn.Conv2D(1, 8, 3, padding="same", seed=0), nn.ReLU(),
                          nn.MaxPool2D(2), nn.Flatten(), nn.Dense(128, 10, seed=1))
    model.compile(optimizer=nn.Adam(learning_rate=0.01), loss="cross_entropy",
                  metrics=["accuracy"])
    history = model.fit(X[:1400], y[:1400], epochs=4, validation_split=0.1, seed=0,
                        verbose=0)
    _, accuracy = model.evaluate(X[1400:], y[1400:])
    assert accuracy >= 0.9
    assert history["accuracy"][-1] > history["accuracy"][0]
    # validation_split holds out the last 10 % (before shuffling), as Keras does
    val_loss, val_acc = model.evaluate(X[1260:1400], y[1260:1400])
    assert history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-6)
    assert history["val_accuracy"][-1] == val_acc


def test_fit_arguments_override_compile_for_one_call_and_names_work():
    X = np.random.default_rng(0).standard_normal((40, 3)).astype(np.float32)
    target = X @ np.array([1.0, -2.0, 0.5], np.float32)
    model = nn.Sequential(nn.Dense(3, 1, seed=0)).compile(optimizer="adam",
                                                          loss="mean_squared_error")
    h = model.fit(X, target, epochs=40, optimizer=nn.SGD(0.05), verbose=0, seed=0)
    assert h["accuracy"] == [None] * 40 and h["loss"][-1] < 0.01 * h["loss"][0]
    assert isinstance(model.optimizer, nn.Adam)           # the compiled one is kept


def test_verbose_two_prints_one_line_per_epoch(capsys):
    X, y = _digits()
    _small_net().fit(X[:64], y[:64], epochs=2, optimizer="sgd", loss="cross_entropy",
                     verbose=2, seed=0)
    captured = capsys.readouterr()
    out = captured.out
    assert out.count("\n") == 2 and "\r" not in out + captured.err   # no bar with 2
    assert out.startswith("epoch 1/2 ") and "loss" in out.split("\n")[1]


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(), TypeError, r"Sequential.fit: no optimizer and loss; call "
                        r"model.compile\(optimizer=..., loss=...\) once, or pass them to fit"),
    (dict(optimizer="sgd"), TypeError, r"Sequential.fit: no loss; call model.compile"),
    (dict(optimizer="adma", loss="mse"), ValueError,
     r"Sequential.fit: optimizer must be one of 'sgd', 'adam'; got 'adma' "
     r"\(did you mean 'adam'\?\)"),
    (dict(optimizer="sgd", loss="sparse_categorical_crossentropy"), ValueError,
     r"loss 'sparse_categorical_crossentropy' is Keras' loss on probabilities; sigconv's "
     r"models output logits: use loss='cross_entropy' \(Keras' from_logits=True\)"),
    (dict(optimizer="sgd", loss="cross_entropy", validation_split=1.0), ValueError,
     r"Sequential.fit: validation_split must be a number in \[0, 1\); got 1.0"),
    (dict(optimizer="sgd", loss="cross_entropy", validation_split=0.2,
          validation_data=(np.zeros((2, 1, 8, 8)), np.zeros(2, int))), TypeError,
     r"give validation_data or validation_split, not both"),
    (dict(optimizer="sgd", loss="cross_entropy", verbose=3), ValueError,
     r"Sequential.fit: verbose must be 0, 1, 2 or 'auto'; got 3"),
])
def test_fit_errors_point_the_way(kwargs, exc, match):
    X, y = _digits()
    with pytest.raises(exc, match=match):
        _small_net().fit(X[:10], y[:10], **kwargs)


def test_compile_refuses_unknown_metrics():
    with pytest.raises(ValueError, match=r"Sequential.compile: metrics must be one of "
                                         r"'accuracy', 'acc'; got 'auc'"):
        _small_net().compile(optimizer="sgd", loss="mse", metrics=["auc"])


# --- gradients ------------------------------------------------------------------------------

def test_gradcheck_passes_on_a_model_built_the_pytorch_way():
    model = nn.Sequential(nn.Conv2D(1, 2, 3, seed=0, dtype="float64"), nn.Tanh(), nn.Flatten(),
                          nn.Dense(8, 2, seed=1, dtype="float64"))
    x = np.random.default_rng(3).standard_normal((2, 1, 4, 4))
    passed, report = nn.gradcheck(model, x, full_output=True)
    assert passed, report
    assert set(report.errors) == {"dx"} | {n for n, _ in model.named_parameters()}
