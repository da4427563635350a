"""Model files: bit-identical round trips; hostile, corrupt and inconsistent files refused
before anything is built or run (FAULTS.md section D)."""

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from sigconv import nn
from sigconv._errors import ModelFormatError


def cnn(dtype="float32"):
    return nn.Sequential([
        nn.Conv2D(1, 4, 3, padding="same", weight_init="gabor", dtype=dtype, seed=0), nn.ReLU(),
        nn.Residual(nn.Sequential([nn.Conv2D(4, 4, 3, padding=1, dtype=dtype, seed=1),
                                   nn.Tanh()])),
        nn.Concat([nn.Conv2D(4, 2, 1, dtype=dtype, seed=2), nn.MaxPool2D(3, stride=1, padding=1)]),
        nn.RecurrentConv2D(6, 2, 3, steps=2, activation="tanh", dtype=dtype, seed=3),
        nn.TiledConv2D(2, 2, 3, tile=2, dtype=dtype, seed=4), nn.ChannelPool(2),
        nn.LocallyConnected2D(1, 2, 2, input_shape=(4, 4), dtype=dtype, seed=5),
        nn.AvgPool2D(3), nn.Flatten(), nn.Dropout(0.2, seed=6), nn.Dense(2, 3, dtype=dtype, seed=7),
        nn.LeakyReLU(0.1)], input_shape=(1, 6, 6))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_load_predicts_bit_identically(tmp_path, dtype):
    model = cnn(dtype)
    X = np.random.default_rng(0).standard_normal((5, 1, 6, 6))
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = nn.load(path)
    assert loaded.summary() == model.summary()
    for (n1, p1), (n2, p2) in zip(model.named_parameters(), loaded.named_parameters()):
        assert n1 == n2 and p1.dtype == p2.dtype == np.dtype(dtype)
        assert p1.data.tobytes() == p2.data.tobytes()
    a, b = model.predict(X), loaded.predict(X)
    assert a.dtype == b.dtype == np.dtype(dtype)
    assert a.tobytes() == b.tobytes()


def test_loaded_model_keeps_training(tmp_path):
    model = nn.Sequential([nn.Flatten(), nn.Dense(4, 2, seed=0)])
    model.predict(np.zeros((1, 2, 2)))
    model.save(tmp_path / "m.npz")
    loaded = nn.load(tmp_path / "m.npz")
    X, y = np.random.default_rng(0).standard_normal((8, 2, 2)), np.arange(8) % 2
    hist = loaded.fit(X, y, epochs=2, batch_size=4, optimizer=nn.SGD(0.1),
                      loss=nn.SoftmaxCrossEntropy(), verbose=0)
    assert len(hist["loss"]) == 2


def _arrays(path):
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _write(path, arrays, doc=None):
    arrays = dict(arrays)
    if doc is not None:
        arrays["__model__"] = np.frombuffer(json.dumps(doc).encode(), np.uint8)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _doc(arrays):
    return json.loads(arrays["__model__"].tobytes())


@pytest.fixture
def saved(tmp_path):
    model = nn.Sequential([nn.Conv2D(3, 8, 3, seed=0), nn.ReLU(), nn.Conv2D(8, 4, 3, seed=1),
                           nn.Flatten(), nn.Dense(4, 2, seed=2)], input_shape=(3, 5, 5))
    path = tmp_path / "model.npz"
    model.save(path)
    return path, _arrays(path)


class Sentinel:
    """Unpickling this runs code that writes a file."""
    path = None

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_pickle_payload_is_refused_and_runs_nothing(tmp_path, saved):
    path, arrays = saved
    sentinel = tmp_path / "PWNED"
    Sentinel.path = str(sentinel)
    evil = np.empty(1, dtype=object)
    evil[0] = Sentinel()
    arrays["layers.0.weight"] = evil
    buf = io.BytesIO()
    np.savez(buf, **arrays)          # pickles the object array
    hostile = tmp_path / "hostile.npz"
    hostile.write_bytes(buf.getvalue())
    assert b"PWNED" in hostile.read_bytes()     # the payload is really in the file
    with pytest.raises(ModelFormatError, match="array 'layers.0.weight' has dtype object; "
                                               "pickled data is not accepted"):
        nn.load(hostile)
    assert not sentinel.exists()


def test_raw_pickle_file_is_refused_and_runs_nothing(tmp_path):
    sentinel = tmp_path / "PWNED2"
    Sentinel.path = str(sentinel)
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(Sentinel()))
    with pytest.raises(ModelFormatError, match="is not a model file"):
        nn.load(path)
    assert not sentinel.exists()


@pytest.mark.parametrize("content,match", [
    (b"", "is empty"),
    (b"<!DOCTYPE html><html>404</html>", r"is not a model file .* starts with b'<!DOCTYP'"),
    (bytes(np.random.default_rng(0).integers(0, 256, 500, dtype=np.uint8)), "is not a model file"),
    (b"PK\x03\x04" + b"\x00" * 100, "corrupt or truncated"),
])
def test_garbage_files_are_refused(tmp_path, content, match):
    path = tmp_path / "junk.npz"
    path.write_bytes(content)
    with pytest.raises(ModelFormatError, match=match):
        nn.load(path)


def test_file_truncated_at_half_is_refused(saved):
    path, _ = saved
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(ModelFormatError, match="'model.npz' is corrupt or truncated"):
        nn.load(path)


def test_truncated_array_inside_a_valid_zip_is_refused(tmp_path, saved):
    path, arrays = saved
    short = tmp_path / "short.npz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(short, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "layers.2.weight.npy":
                data = data[:len(data) - 576]
            dst.writestr(info.filename, data)
    with pytest.raises(ModelFormatError, match=r"'short.npz' truncated: array "
                                               r"'layers.2.weight' expected 1152 bytes, got 576"):
        nn.load(short)


def test_bad_crc_is_refused(tmp_path, saved):
    path, _ = saved
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("layers.2.weight.npy")
    data[info.header_offset + 30 + len(info.filename) + 200] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFormatError, match="corrupt or truncated .*CRC"):
        nn.load(path)


def _mutate(tmp_path, arrays, change):
    arrays = dict(arrays)
    doc = _doc(arrays)
    change(doc, arrays)
    path = tmp_path / "mutated.npz"
    _write(path, {k: v for k, v in arrays.items() if k != "__model__"}, doc)
    return path


def _set(doc, *keys, value):
    target = doc
    for k in keys[:-1]:
        target = target[k]
    target[keys[-1]] = value


MUTATIONS = [
    ("version", lambda d, a: _set(d, "version", value=99),
     r"format version 99; supported versions: \[1\]"),
    ("unknown-type", lambda d, a: _set(d, "model", "layers", 1, "type", value="os.system"),
     "layer 1 has unknown layer type 'os.system'; supported types: "),
    ("missing-config-key", lambda d, a: d["model"]["layers"][0]["config"].pop("out_channels"),
     r"the config of layer 0 \(Conv2D\) is missing key\(s\) \['out_channels'\]"),
    ("extra-config-key", lambda d, a: _set(d, "model", "layers", 0, "config", "exec", value="x"),
     r"the config of layer 0 \(Conv2D\) has unknown key\(s\) \['exec'\]"),
    ("bad-config-value", lambda d, a: _set(d, "model", "layers", 0, "config", "stride", value=[0, 1]),
     r"layer 0 \(Conv2D\) has an invalid config: Conv2D: stride must be >= 1; got 0"),
    ("chain", lambda d, a: _set(d, "model", "layers", 2, "config", "in_channels", value=16),
     r"layer 2 \(Conv2D\): expects 16 input channels, layer 1 \(ReLU\) outputs 8"),
    ("dense-features", lambda d, a: _set(d, "model", "layers", 4, "config", "in_features", value=5),
     r"layer 4 \(Dense\): expects 5 input features, layer 3 \(Flatten\) outputs 4"),
    ("missing-array", lambda d, a: a.pop("layers.0.bias"),
     "is missing array 'layers.0.bias'"),
    ("extra-array", lambda d, a: a.update({"layers.9.weight": np.zeros(3, np.float32)}),
     "has an unexpected array 'layers.9.weight'"),
    ("nan", lambda d, a: a.update({"layers.2.weight": np.full((4, 8, 3, 3), np.nan, np.float32)}),
     "array 'layers.2.weight' in 'mutated.npz' holds 288 non-finite value"),
    ("shape", lambda d, a: a.update({"layers.0.bias": np.zeros(7, np.float32)}),
     r"array 'layers.0.bias' has shape \(7,\); its layer \(Conv2D\) needs \(8,\)"),
    ("complex", lambda d, a: a.update({"layers.0.bias": np.zeros(8, np.complex64)}),
     "array 'layers.0.bias' has dtype complex64; parameters are float32 or float64"),
    ("int", lambda d, a: a.update({"layers.0.bias": np.zeros(8, np.int32)}),
     "array 'layers.0.bias' has dtype int32"),
    ("dtype-mismatch", lambda d, a: a.update({"layers.0.bias": np.zeros(8, np.float64)}),
     r"has dtype float64; its layer \(Conv2D\) declares float32"),
    ("absurd-config", lambda d, a: _set(d, "model", "layers", 0, "config", "out_channels", value=10 ** 9),
     r"layer 2 \(Conv2D\): expects 8 input channels, layer 1 \(ReLU\) outputs 1000000000"),
    ("absurd-dense", lambda d, a: _set(d, "model", "layers", 4, "config", "out_features", value=10 ** 9),
     r"array 'layers.4.weight' has shape \(2, 4\); its layer \(Dense\) needs \(1000000000, 4\)"),
]


@pytest.mark.parametrize("change,match", [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_inconsistent_files_are_refused_naming_the_culprit(tmp_path, saved, change, match):
    path = _mutate(tmp_path, saved[1], change)
    with pytest.raises(ModelFormatError, match=match):
        nn.load(path)


def test_description_that_is_not_json_is_refused(tmp_path, saved):
    arrays = dict(saved[1])
    arrays["__model__"] = np.frombuffer(b"{oops", np.uint8)
    path = tmp_path / "m.npz"
    _write(path, arrays)
    with pytest.raises(ModelFormatError, match="the description in 'm.npz' is not valid JSON"):
        nn.load(path)


def test_file_without_description_is_refused(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(ModelFormatError, match="has no '__model__' description"):
        nn.load(path)


def test_big_endian_weights_are_converted(tmp_path, saved):
    _, arrays = saved
    path = _mutate(tmp_path, arrays, lambda d, a: a.update(
        {"layers.0.weight": a["layers.0.weight"].astype(">f4")}))
    model = nn.load(path)
    w = model.layers[0].params["weight"]
    assert w.dtype == np.dtype("<f4")
    np.testing.assert_array_equal(w, arrays["layers.0.weight"])


def test_nan_weights_load_with_a_warning_when_not_strict(tmp_path, saved):
    path = _mutate(tmp_path, saved[1], MUTATIONS[9][1])
    with pytest.warns(RuntimeWarning, match="non-finite"):
        nn.load(path, strict=False)


def test_absurd_declared_shape_is_refused_before_reading(tmp_path, saved):
    """A header declaring (10**9, 10**9) in a tiny file."""
    path, arrays = saved
    bomb = tmp_path / "bomb.npz"
    header = {"descr": "<f4", "fortran_order": False, "shape": (10 ** 9, 10 ** 9)}
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w") as dst:
        for info in src.infolist():
            data = buf.getvalue() if info.filename == "layers.0.weight.npy" else src.read(info)
            dst.writestr(info.filename, data)
    with pytest.raises(ModelFormatError, match=r"array 'layers.0.weight' declares shape "
                                               r"\(1000000000, 1000000000\)"):
        nn.load(bomb)


def test_save_is_atomic_and_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    nn.Sequential([nn.Dense(2, 2, seed=0)]).save(path)
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", explode)
    with pytest.raises(OSError, match="disk full"):
        nn.Sequential([nn.Dense(2, 3, seed=0)]).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]       # no temporary file left behind


def test_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.npz")


@pytest.mark.parametrize("name,model,match", [
    ("huge-local", {"type": "Sequential", "config": {"input_shape": None}, "layers": [
        {"type": "LocallyConnected2D", "config": {"in_channels": 1, "out_channels": 1,
                                                  "kernel_size": 1, "input_shape": [10 ** 12, 10 ** 12]}}]},
     r"layer 0 \(LocallyConnected2D\) has an invalid config|array 'layers.0"),
    ("seed-object", {"type": "Sequential", "config": {}, "layers": [
        {"type": "Dense", "config": {"in_features": 1, "out_features": 1,
                                     "seed": {"__class__": "os.system"}}}]},
     r"layer 0 \(Dense\) has an invalid config"),
    ("dtype-struct", {"type": "Sequential", "config": {}, "layers": [
        {"type": "Dense", "config": {"in_features": 1, "out_features": 1, "dtype": [["a", "O"]]}}]},
     r"layer 0 \(Dense\) has an invalid config"),
])
def test_hostile_configs_are_refused(tmp_path, name, model, match):
    doc = {"format": "sigconv.nn", "version": 1, "model": model, "arrays": {}}
    path = tmp_path / f"{name}.npz"
    _write(path, {}, doc)
    with pytest.raises(ModelFormatError, match=match):
        nn.load(path)


def test_deeply_nested_description_is_refused(tmp_path):
    path = tmp_path / "deep.npz"
    raw = b'{"format": "sigconv.nn", "version": 1, "arrays": {}, "model": ' + b"[" * 200000 \
        + b"]" * 200000 + b"}"
    _write(path, {"__model__": np.frombuffer(raw[:2 ** 20 - 1], np.uint8)})
    with pytest.raises(ModelFormatError, match="description in 'deep.npz' is not valid JSON"):
        nn.load(path)


@pytest.mark.parametrize("model", [
    nn.Sequential([nn.ReLU(), nn.Dense(3, 2, seed=0)]),
    nn.Sequential([nn.Tanh(), nn.Conv1D(2, 2, 3, seed=0), nn.Flatten()]),
    nn.Residual(nn.Dense(3, 3, seed=0)),
    nn.Conv2D(1, 2, 3, seed=0),
], ids=["relu-dense", "tanh-conv1d", "residual-dense", "bare-conv"])
def test_models_without_input_shape_round_trip(tmp_path, model):
    path = tmp_path / "m.npz"
    nn.save(model, path)
    loaded = nn.load(path)
    assert [n for n, _, _ in nn.layers.base.parameter_slots(loaded)] == \
        [n for n, _, _ in nn.layers.base.parameter_slots(model)]
