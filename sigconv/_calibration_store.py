"""Which cost-model constants a process uses, and the files that hold them.

Three sources, the first that applies:

1. the calibration ``sigconv tune`` saved for this machine in the per-user cache
   (:func:`read`; a file measured on another machine, or in another format, is ignored
   with a warning);
2. the shipped calibration measured on this processor model (:func:`shipped`: a file
   ``sigconv/data/calibration-<vendor>-<family>-<model>.json`` that
   ``benchmarks/calibrate.py --write`` writes);
3. the generic shipped constants of :mod:`sigconv._calibration`.

Processor models differ in more than speed: from one AMD EPYC of this project's machines
to another, FFTW's rate per ``N log2 N`` changed 2.1-2.3x, the direct sum's 1.4x and a
call's fixed cost 2.8x, which moves the crossovers between methods
(benchmarks/README.md, "Calibrations per processor").  The machine layer
(:mod:`sigconv._runtime`) says which processor and machine this is; this module only
reads and checks files.
"""

import datetime
import json
import os
import pathlib
import statistics
import tempfile
import warnings

from ._calibration import CALIBRATION as GENERIC

__all__ = ["Calibration", "VERSION", "DATA", "shipped", "shipped_path", "read", "write",
           "as_constants", "median"]

#: the calibration files' format; files of another version are ignored (10: f32_row_threads,
#: the points from which real float32 transforms over one axis take threads)
VERSION = 10
#: the folder of the shipped per-processor calibrations
DATA = pathlib.Path(__file__).resolve().parent / "data"


class Calibration(dict):
    """The cost-model constants, hashed and compared by identity (so estimates can be
    remembered per calibration: a new calibration is a new object)."""
    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other


def shipped_path(processor_id, folder=DATA):
    """The path of the shipped calibration of processor model ``processor_id`` (a tuple
    of words, such as ``('AuthenticAMD', '26', '2')``), or None without an id.

    Examples
    --------
    >>> from sigconv._calibration_store import shipped_path
    >>> shipped_path(("AuthenticAMD", "26", "2"), folder="d")
    'd/calibration-AuthenticAMD-26-2.json'
    >>> shipped_path(()) is None
    True
    """
    if not processor_id:
        return None
    return os.path.join(str(folder), "calibration-" + "-".join(processor_id) + ".json")


def shipped(processor_id, folder=DATA):
    """The shipped constants for processor model ``processor_id``: its file in ``folder``
    where there is one, else the generic ones."""
    generic = Calibration(GENERIC)
    path = shipped_path(processor_id, folder)
    if path is None or not os.path.exists(path):
        return generic
    with open(path, "rb") as fh:
        data = json.loads(fh.read())
    return as_constants(data["constants"], generic)


def read(path, machine, fallback):
    """The constants ``sigconv tune`` saved at ``path`` for ``machine`` (a dict, see
    :func:`sigconv._runtime.machine`), or ``fallback`` where there is no file, with a
    RuntimeWarning where the file is unreadable or for another machine or format."""
    if not os.path.exists(path):
        return fallback
    try:
        with open(path, "rb") as fh:
            data = json.loads(fh.read())
        ok = data.get("version") == VERSION and data.get("machine") == machine
        constants = as_constants(data["constants"], fallback) if ok else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        warnings.warn(f"sigconv: ignoring the calibration in {path} ({exc}); using the "
                      "shipped defaults (run `sigconv tune` to measure this machine)",
                      RuntimeWarning, stacklevel=4)
        return fallback
    if constants is None:
        warnings.warn(f"sigconv: the calibration in {path} was measured for another "
                      "machine or sigconv version; using the shipped defaults (run "
                      "`sigconv tune` again)", RuntimeWarning, stacklevel=4)
        return fallback
    return constants


def as_constants(raw, layout):
    """JSON constants ``raw`` in the layout of ``layout`` (tables keyed by int itemsize or
    by dtype character), or KeyError/TypeError when a key of that layout is missing."""
    out = Calibration()
    for key, default in layout.items():
        value = raw[key]
        if isinstance(default, dict):
            value = {(int(k) if isinstance(next(iter(default)), int) else k): float(v)
                     for k, v in value.items()}
            if set(value) != set(default):
                raise KeyError(f"{key} has entries {sorted(map(str, value))}")
        elif isinstance(default, (int, float)):
            value = type(default)(value)
        out[key] = value
    return out


def median(runs):
    """Constants measured several times (``runs``: dicts of one layout), entry by entry:
    the median of each float, the lower middle value of each int (a threshold stays one
    of the lengths measured), tables key by key, and other entries (the source) as in the
    first run.

    Examples
    --------
    >>> median([{"a": 1.0, "n": 4, "t": {8: 3.0}}, {"a": 5.0, "n": 16, "t": {8: 1.0}},
    ...         {"a": 2.0, "n": 64, "t": {8: 2.0}}])
    {'a': 2.0, 'n': 16, 't': {8: 2.0}}
    """
    first = runs[0]
    if isinstance(first, dict):
        return {key: median([run[key] for run in runs]) for key in first}
    if isinstance(first, bool) or not isinstance(first, (int, float)):
        return first
    if isinstance(first, int):
        return statistics.median_low(runs)
    return statistics.median(runs)


def write(path, constants, machine):
    """Write ``constants`` measured on ``machine`` to ``path`` atomically (a temporary
    file in the same folder, then renamed), as :func:`read` and :func:`shipped` read it."""
    folder = os.path.dirname(os.path.abspath(path))
    record = {"version": VERSION, "machine": machine,
              "measured": datetime.datetime.now(datetime.timezone.utc).isoformat(
                  timespec="seconds"),
              "constants": {k: ({str(a): b for a, b in v.items()} if isinstance(v, dict)
                                else v) for k, v in constants.items()}}
    fd, tmp = tempfile.mkstemp(prefix=".calibration-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
