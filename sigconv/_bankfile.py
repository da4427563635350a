"""Filter-bank files: the kernels of a bank and each kernel's parameters in one ``.npz``.

Written by ``sigconv gabor -o BANK.npz`` and read by ``sigconv filter --kernel BANK.npz``.
The archive holds, for a bank of ``K`` kernels (sizes may differ),

* ``kernel_000`` ... ``kernel_{K-1}``: the kernels, in the bank's order;
* ``param_<name>``: one entry per kernel (an array of ``K`` rows) for each column of the
  bank's parameter table, e.g. ``param_frequency`` (cycles/pixel), ``param_theta``
  (radians), ``param_sigma`` (pixels), ``param_bandwidth`` (octaves);
* ``format``: the string ``'sigconv-bank-1'``.

Everything is plain numeric or string arrays, read back with ``allow_pickle=False``.  An
archive of ``kernel_NNN`` arrays without parameters is also read as a bank (its table is
empty).
"""

from __future__ import annotations

import math
import re

import numpy as np

from . import _io

__all__ = ["FORMAT", "UNITS", "save_bank", "load_bank", "is_bank", "describe"]

FORMAT = "sigconv-bank-1"
UNITS = {"frequency": "cycles/pixel", "theta": "rad", "sigma": "pixels",
         "bandwidth": "octaves", "wavelength": "pixels"}
KERNEL = re.compile(r"kernel_(\d+)$")


def save_bank(path, kernels, params, *, force: bool = False) -> None:
    """Write ``kernels`` and their parameter table ``params`` atomically to ``path``.

    Parameters
    ----------
    path : str or path-like
        An ``.npz`` name.
    kernels : sequence of ndarray
    params : dict of sequences
        One entry per kernel in every column.
    force : bool
        Replace an existing file.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> p = os.path.join(tempfile.mkdtemp(), 'bank.npz')
    >>> save_bank(p, [np.ones(3), np.arange(5.0)], {'sigma': [1.0, 2.0]})
    >>> kernels, params = load_bank(p)
    >>> [k.shape for k in kernels], params
    ([(3,), (5,)], {'sigma': [1.0, 2.0]})
    """
    _io.check_output(path, force=force)
    arrays = {f"kernel_{i:03d}": np.asarray(k) for i, k in enumerate(kernels)}
    for name, column in params.items():
        if len(column) != len(kernels):
            raise ValueError(f"save_bank: params[{name!r}] has {len(column)} entries for "
                             f"{len(kernels)} kernels")
        arrays[f"param_{name}"] = np.asarray(column, dtype=float)
    arrays["format"] = np.array(FORMAT)
    _io.atomic_write(path, lambda f: np.savez(f, **arrays))


def is_bank(path) -> bool:
    """Whether ``path`` is an ``.npz`` archive holding ``kernel_NNN`` arrays."""
    if _io.sniff(path) != "npz":
        return False
    with np.load(path, allow_pickle=False) as npz:
        return any(KERNEL.match(name) for name in npz.files)


def load_bank(path):
    """``(kernels, params)`` of a bank file written by :func:`save_bank`.

    Returns
    -------
    kernels : list of ndarray
        In index order.
    params : dict of lists
        Per-kernel values (floats, or tuples for N-D orientations).

    Raises
    ------
    sigconv._io.FileProblem
        Kernel numbers with gaps, a parameter column of the wrong length, object arrays.
    """
    with np.load(path, allow_pickle=False) as npz:
        names = sorted((int(m.group(1)), n) for n in npz.files if (m := KERNEL.match(n)))
        if [i for i, _ in names] != list(range(len(names))) or not names:
            raise _io.FileProblem(f"'{path}': kernel arrays must be kernel_000 .. "
                                  f"kernel_{len(names) - 1:03d}; got "
                                  f"{[n for _, n in names]}")
        try:
            kernels = [npz[n] for _, n in names]
            params = {n[len("param_"):]: npz[n] for n in npz.files if n.startswith("param_")}
        except ValueError as exc:
            raise _io.FileProblem(f"'{path}': {exc} (pickled data is not accepted)") from None
    for name, column in params.items():
        if len(column) != len(kernels):
            raise _io.FileProblem(f"'{path}': param_{name} has {len(column)} entries for "
                                  f"{len(kernels)} kernels")
    return kernels, {name: [_plain(v) for v in column] for name, column in params.items()}


def _plain(value):
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else tuple(float(v) for v in value.ravel())


def describe(params, index: int) -> str:
    """One kernel's parameters as text with units (angles also in degrees).

    Examples
    --------
    >>> describe({'frequency': [0.1, 0.2], 'theta': [0.0, 0.7853981]}, 1)
    'frequency 0.2 cycles/pixel, theta 0.7854 rad (45 deg)'
    """
    parts = []
    for name, column in params.items():
        value = column[index]
        text = (f"{value:.4g}" if isinstance(value, float)
                else "(" + ", ".join(f"{v:.4g}" for v in value) + ")")
        unit = UNITS.get(name, "")
        part = f"{name} {text}" + (f" {unit}" if unit else "")
        if name == "theta" and isinstance(value, float):
            part += f" ({math.degrees(value):.0f} deg)"
        parts.append(part)
    return ", ".join(parts)
