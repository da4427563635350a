"""Model files: an .npz archive of a JSON description plus raw numeric arrays, no pickle.

``save`` writes to a temporary file in the target directory and renames it over the
target (``os.replace``), so an interrupted save leaves the old file intact.  ``load``
validates everything before it builds anything: the zip container and its CRCs, every
array header (dtype, shape, declared versus stored size) before reading the array, the
JSON (format, version, layer types, configuration keys), the parameter shapes against
the layers they belong to, the chaining of shapes from layer to layer, and finite
values.  Nothing in a file can run code: arrays are read with ``allow_pickle=False``
after their headers were checked, and layers are built only from the registry below.
"""

import inspect
import json
import math
import os
import tempfile
import zipfile

import numpy as np

from .._errors import ModelFormatError
from . import layers as L
from ._args import ChainError
from .layers.base import Layer, deferred_params, parameter_slots

__all__ = ["save", "load", "FORMAT_VERSION", "LAYER_TYPES"]

FORMAT_NAME = "sigconv.nn"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = (1,)
DESCRIPTION = "__model__"
MAX_DESCRIPTION_BYTES = 1 << 20
DEFAULT_MAX_BYTES = 1 << 31          # total parameter bytes a file may declare
PARAM_DTYPES = ("float32", "float64")
#: layer classes by the name a file gives; :mod:`sigconv.nn.model` adds ``Sequential``
LAYER_TYPES = {name: getattr(L, name) for name in L.__all__ if name != "Layer"}
_CHILDREN = {"Sequential": "layers", "Residual": None, "Concat": "branches"}


def save(model, path):
    """Write ``model`` to ``path`` as .npz (JSON description + arrays), atomically.

    Parameters
    ----------
    model : Layer
        Usually a :class:`Sequential`.
    path : str or os.PathLike
        Written exactly as given (no suffix is added).

    Returns
    -------
    None

    Notes
    -----
    The archive holds ``__model__.npy`` (the UTF-8 JSON description as uint8) and one
    ``<dotted.name>.npy`` per parameter, e.g. ``layers.0.weight.npy``.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from sigconv.nn import Sequential, Dense, load
    >>> model = Sequential([Dense(2, 1, seed=0)], input_shape=(2,))
    >>> path = os.path.join(tempfile.mkdtemp(), 'm.npz')
    >>> save(model, path)
    >>> x = np.ones((1, 2), np.float32)
    >>> bool(np.array_equal(load(path).predict(x), model.predict(x)))
    True
    """
    if not isinstance(model, Layer):
        raise TypeError(f"save: model must be a sigconv.nn Layer; got {type(model).__name__}")
    arrays = {name: np.ascontiguousarray(layer.params[key])
              for name, layer, key in parameter_slots(model)}
    doc = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "model": _describe(model),
           "arrays": {k: {"shape": list(v.shape), "dtype": v.dtype.name}
                      for k, v in arrays.items()}}
    arrays[DESCRIPTION] = np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".sigconv-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path, *, max_bytes=DEFAULT_MAX_BYTES, strict=True):
    """Read a model written by :func:`save`, validating everything before building it.

    Parameters
    ----------
    path : str or os.PathLike
    max_bytes : int
        Refuse files whose arrays declare more bytes than this (decompression bombs,
        absurd shapes).
    strict : bool
        Refuse NaN/inf weights (False: warn and load).

    Returns
    -------
    Layer
        The model (usually a :class:`Sequential`).

    Raises
    ------
    ModelFormatError
        Naming the file, array or layer: not a zip archive, bad CRC, truncated, object
        (pickled) arrays, wrong dtypes, unknown format version or layer type, missing or
        extra keys, shapes that do not match their layer or do not chain, non-finite
        values, declared sizes beyond ``max_bytes``.

    Notes
    -----
    Arrays are read with ``allow_pickle=False`` only after their headers were checked;
    layers are built only from ``LAYER_TYPES``; no code from the file runs.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), 'bad.npz')
    >>> _ = open(path, 'wb').write(b'<html>not a model</html>')
    >>> load(path)
    Traceback (most recent call last):
    ...
    sigconv._errors.ModelFormatError: load: 'bad.npz' is not a model file (an .npz zip archive); it starts with b'<html>no'
    """
    path = os.fspath(path)
    label = os.path.basename(path)
    _check_magic(path, label)
    try:
        with zipfile.ZipFile(path) as zf:
            headers = _read_headers(zf, label, max_bytes)
            doc = _read_description(zf, headers, label)
            try:
                model, expected = _build(doc, label)
            except RecursionError:
                raise ModelFormatError(f"load: '{label}' nests its layers too deeply") from None
            _check_arrays(doc, headers, expected, label)
            _check_chain(model, label)
            arrays = {name: _read_array(zf, name, label) for name in expected}
    except zipfile.BadZipFile as exc:
        raise ModelFormatError(f"load: '{label}' is corrupt or truncated ({exc})") from None
    except (EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ModelFormatError(f"load: '{label}' could not be read ({exc})") from None
    _install(model, arrays, label, strict)
    return model


# ------------------------------------------------------------------------------ describe
def _describe(layer):
    name = type(layer).__name__
    if name not in LAYER_TYPES or LAYER_TYPES[name] is not type(layer):
        raise TypeError(f"save: layer type {name} is not one sigconv.nn can load")
    desc = {"type": name, "config": layer.get_config()}
    if name == "Residual":
        desc["block"] = _describe(layer.block)
        desc["shortcut"] = None if layer.shortcut is None else _describe(layer.shortcut)
    elif name in _CHILDREN:
        desc[_CHILDREN[name]] = [_describe(s) for s in layer.sublayers()]
    return desc


# ------------------------------------------------------------------------------ container
def _check_magic(path, label):
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise ModelFormatError(f"load: '{label}' is empty")
    if not head.startswith(b"PK\x03\x04"):
        raise ModelFormatError(f"load: '{label}' is not a model file (an .npz zip archive); "
                               f"it starts with {head!r}")


def _read_headers(zf, label, max_bytes):
    """``{array name: (shape, dtype)}`` from the .npy headers, before any data is read."""
    headers, total = {}, 0
    for info in zf.infolist():
        if not info.filename.endswith(".npy") or "/" in info.filename:
            raise ModelFormatError(f"load: '{label}' holds an unexpected member "
                                   f"{info.filename!r}; a model file holds only .npy arrays")
        name = info.filename[:-4]
        with zf.open(info) as f:
            try:
                version = np.lib.format.read_magic(f)
                reader = {(1, 0): np.lib.format.read_array_header_1_0,
                          (2, 0): np.lib.format.read_array_header_2_0}.get(version)
                if reader is None:
                    raise ValueError(f"unsupported .npy version {version}")
                shape, fortran, dtype = reader(f)
            except (ValueError, SyntaxError, TypeError) as exc:
                raise ModelFormatError(f"load: array '{name}' in '{label}' has a corrupt "
                                       f"header ({exc})") from None
            offset = f.tell() if hasattr(f, "tell") else None
        if dtype.hasobject:
            raise ModelFormatError(f"load: array '{name}' has dtype object; pickled data is "
                                   "not accepted")
        if any(not isinstance(s, int) or s < 0 for s in shape):
            raise ModelFormatError(f"load: array '{name}' declares an invalid shape {shape}")
        nbytes = math.prod(shape) * dtype.itemsize
        total += nbytes
        if total > max_bytes:
            raise ModelFormatError(f"load: array '{name}' declares shape {shape} "
                                   f"({nbytes:,} bytes); the file's arrays exceed max_bytes "
                                   f"{max_bytes:,}")
        stored = info.file_size - (offset or 0)
        if stored != nbytes:
            raise ModelFormatError(f"load: '{label}' truncated: array '{name}' expected "
                                   f"{nbytes} bytes, got {stored}")
        headers[name] = (shape, dtype, fortran)
    return headers


def _read_array(zf, name, label):
    with zf.open(name + ".npy") as f:
        try:
            arr = np.lib.format.read_array(f, allow_pickle=False)
        except ValueError as exc:
            raise ModelFormatError(f"load: array '{name}' in '{label}' could not be read "
                                   f"({exc})") from None
    return arr.astype(arr.dtype.newbyteorder("="), copy=False)


def _read_description(zf, headers, label):
    if DESCRIPTION not in headers:
        raise ModelFormatError(f"load: '{label}' has no '{DESCRIPTION}' description; not a "
                               "sigconv.nn model file")
    shape, dtype, _ = headers[DESCRIPTION]
    if dtype != np.uint8 or len(shape) != 1 or shape[0] > MAX_DESCRIPTION_BYTES:
        raise ModelFormatError(f"load: '{DESCRIPTION}' must be a 1-d uint8 array of at most "
                               f"{MAX_DESCRIPTION_BYTES} bytes; got {dtype} {shape}")
    raw = _read_array(zf, DESCRIPTION, label).tobytes()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelFormatError(f"load: the description in '{label}' is not valid JSON "
                               f"({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise ModelFormatError(f"load: '{label}' is not a {FORMAT_NAME} model file")
    if doc.get("version") not in SUPPORTED_VERSIONS:
        raise ModelFormatError(f"load: '{label}' has format version {doc.get('version')!r}; "
                               f"supported versions: {list(SUPPORTED_VERSIONS)}")
    _keys(doc, {"format", "version", "model", "arrays"}, set(), "the file description")
    if not isinstance(doc["arrays"], dict):
        raise ModelFormatError("load: 'arrays' in the description must be an object")
    return doc


# ------------------------------------------------------------------------------ build
def _keys(obj, required, optional, where):
    if not isinstance(obj, dict):
        raise ModelFormatError(f"load: {where} must be a JSON object; got {type(obj).__name__}")
    missing = sorted(required - set(obj))
    extra = sorted(set(obj) - required - optional)
    if missing:
        raise ModelFormatError(f"load: {where} is missing key(s) {missing}")
    if extra:
        raise ModelFormatError(f"load: {where} has unknown key(s) {extra}")


def _build(doc, label):
    """The model built with placeholder parameters, and ``{name: (layer, key)}``."""
    with deferred_params():
        model = _build_layer(doc["model"], "layer 'model'")
    expected = {name: (layer, key) for name, layer, key in parameter_slots(model)}
    return model, expected


def _build_layer(desc, where):
    if not isinstance(desc, dict) or desc.get("type") not in LAYER_TYPES:
        kind = desc.get("type") if isinstance(desc, dict) else desc
        raise ModelFormatError(f"load: {where} has unknown layer type {kind!r}; supported "
                               f"types: {sorted(LAYER_TYPES)}")
    kind = desc["type"]
    cls = LAYER_TYPES[kind]
    children = {"Residual": {"block", "shortcut"}, "Sequential": {"layers"},
                "Concat": {"branches"}}.get(kind, set())
    _keys(desc, {"type", "config"} | children, set(), f"{where} ({kind})")
    sig = inspect.signature(cls.__init__)
    params = {n: p for n, p in sig.parameters.items() if n != "self" and n not in children}
    required = {n for n, p in params.items() if p.default is inspect.Parameter.empty}
    _keys(desc["config"], required, set(params) - required, f"the config of {where} ({kind})")
    kwargs, args = dict(desc["config"]), ()
    if kind == "Sequential":
        args = ([_build_layer(d, f"layer {i}") for i, d in
                 enumerate(_list(desc["layers"], where))],)
    elif kind == "Concat":
        kwargs["branches"] = [_build_layer(d, f"{where} branch {i}") for i, d in
                              enumerate(_list(desc["branches"], where))]
    elif kind == "Residual":
        kwargs["block"] = _build_layer(desc["block"], f"{where} block")
        if desc["shortcut"] is not None:
            kwargs["shortcut"] = _build_layer(desc["shortcut"], f"{where} shortcut")
    try:
        return cls(*args, **kwargs)
    except ChainError as exc:
        raise ModelFormatError(f"load: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ModelFormatError(f"load: {where} ({kind}) has an invalid config: {exc}") from None


def _list(value, where):
    if not isinstance(value, list):
        raise ModelFormatError(f"load: {where} must list its layers; got {type(value).__name__}")
    return value


def _check_arrays(doc, headers, expected, label):
    stored = set(headers) - {DESCRIPTION}
    declared = set(doc["arrays"])
    for name in sorted(set(expected) - stored):
        raise ModelFormatError(f"load: '{label}' is missing array '{name}'")
    for name in sorted((stored | declared) - set(expected)):
        raise ModelFormatError(f"load: '{label}' has an unexpected array '{name}'")
    for name in sorted(set(expected) - declared):
        raise ModelFormatError(f"load: the description of '{label}' does not list '{name}'")
    for name, (layer, key) in expected.items():
        shape, dtype, _ = headers[name]
        want = layer.params[key]
        if dtype.kind != "f" or dtype.itemsize not in (4, 8):
            raise ModelFormatError(f"load: array '{name}' has dtype {dtype}; parameters are "
                                   f"float32 or float64")
        if np.dtype(dtype.newbyteorder("=")) != want.dtype:
            raise ModelFormatError(f"load: array '{name}' has dtype {dtype}; its layer "
                                   f"({type(layer).__name__}) declares {want.dtype}")
        if tuple(shape) != want.shape:
            raise ModelFormatError(f"load: array '{name}' has shape {tuple(shape)}; its layer "
                                   f"({type(layer).__name__}) needs {want.shape}")
        meta = doc["arrays"][name]
        if not isinstance(meta, dict) or meta.get("shape") != list(shape):
            raise ModelFormatError(f"load: the description of '{name}' does not match its "
                                   f"stored shape {tuple(shape)}")


def _check_chain(model, label):
    shape = getattr(model, "input_shape", None)
    if shape is None:
        shape = _unknown_input(model)
    if shape is None:
        return
    try:
        model.output_shape(shape)
    except ChainError as exc:
        raise ModelFormatError(f"load: '{label}': {exc}") from None


_ELEMENTWISE = (L.ReLU, L.LeakyReLU, L.Tanh, L.Sigmoid, L.Dropout)


def _unknown_input(model):
    """A per-sample input shape of unknown extents, of the rank the first layer that
    fixes one expects (None when no layer fixes it before the shape changes)."""
    layers = model.layers if isinstance(model, LAYER_TYPES["Sequential"]) else [model]
    for layer in layers:
        if isinstance(layer, _ELEMENTWISE):
            continue
        if isinstance(layer, L.Dense):
            return (None,)
        if isinstance(layer, (L.LocallyConnected2D, L.TiledConv2D, L.RecurrentConv2D)):
            return (None, None, None)
        nsp = getattr(layer, "nsp", None)
        return None if nsp is None else (None,) * (nsp + 1)
    return None


def _install(model, arrays, label, strict):
    for name, layer, key in parameter_slots(model):
        arr = arrays[name]
        bad = arr.size - int(np.count_nonzero(np.isfinite(arr)))
        if bad:
            msg = f"load: array '{name}' in '{label}' holds {bad} non-finite value(s)"
            if strict:
                raise ModelFormatError(msg + "; pass strict=False to load it anyway")
            import warnings
            warnings.warn(msg, RuntimeWarning, stacklevel=3)
        layer.params[key] = np.array(arr, copy=True)
    _refresh(model)


def _refresh(layer):
    layer.grads.clear()
    layer.grads.update({k: np.zeros_like(v) for k, v in layer.params.items()})
    for sub in layer.sublayers():
        _refresh(sub)
