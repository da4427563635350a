"""What a user meets: a shape's first call, its first ten calls and its steady state,
sigconv against scipy, each side timed in fresh Python processes, in one run.

For each case and side (``sigconv.convolve(x, k, mode)`` or
``scipy.signal.convolve(x, k, mode)``) a new interpreter runs :mod:`sigconv._bench_child`:
it makes the seeded inputs (untimed), imports the library (timed apart), times calls 1 to 10
one by one, then the steady state; the scipy child also times scipy's alternatives
(convolve(method='auto'), fftconvolve, oaconvolve, with scipy.fft workers 1 and the core
count).  Each (case, side) runs ``repeats`` times, the sides interleaved, and the medians
per call index are compared.  :func:`run` measures; :mod:`sigconv._bench_report` judges
the figures against the goals of issue 26 and prints them.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from . import _validate as V

SIDES = ("sigconv", "scipy")
USER_CACHE = "user"        # cache_dir value: the children read the user's own sigconv cache
CHILD = Path(__file__).with_name("_bench_child.py")
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Case:
    """One benchmark case: ``convolve(x, k, mode)`` with seeded inputs of these shapes.

    Examples
    --------
    >>> Case((1024, 1024), (17, 17), "float32", "same").label
    '1024x1024 * 17x17 f4 same'
    """

    x: tuple
    k: tuple
    dtype: str = "float64"
    mode: str = "full"

    def __post_init__(self):
        for name in ("x", "k"):
            shape = tuple(V.positive_int(n, f"{name} shape", "Case")
                          for n in np.atleast_1d(getattr(self, name)).tolist())
            object.__setattr__(self, name, shape)
        if len(self.x) != len(self.k):
            raise ValueError(f"Case: x and k must have the same number of dimensions; "
                             f"got {self.x} and {self.k}")
        object.__setattr__(self, "dtype", V.dtype_arg(self.dtype, "dtype", "Case").name)
        V.one_of(self.mode, V.MODES, "mode", "Case")

    @property
    def label(self) -> str:
        """``'<x shape> * <k shape> <dtype code> <mode>'``."""
        return (f"{'x'.join(map(str, self.x))} * {'x'.join(map(str, self.k))} "
                f"{np.dtype(self.dtype).str[1:]} {self.mode}")


@dataclass(frozen=True)
class Timings:
    """One side's timings of one case in seconds: medians over the repeats.

    ``calls`` are calls 1 to 10 of a fresh process; ``steady`` the median of the calls after
    them; ``alternatives`` scipy's methods' steady times by name (empty for sigconv).
    """

    import_seconds: float
    calls: tuple
    steady: float
    alternatives: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseResult:
    """Both sides' :class:`Timings` of one case, or the ``error`` that stopped it.

    Every ratio is scipy's seconds over sigconv's (above 1: sigconv is faster).

    Examples
    --------
    >>> ours = Timings(1.0, (0.5,) + (0.125,) * 9, 0.125)
    >>> theirs = Timings(0.5, (0.25,) * 10, 0.25, {"convolve": 0.25, "oaconvolve": 0.1875})
    >>> r = CaseResult(Case((100,), (5,)), ours, theirs)
    >>> r.first_ratio, round(r.ten_ratio, 4), r.scipy_fastest, r.steady_ratio, r.stall
    (0.5, 1.5385, ('oaconvolve', 0.1875), 1.5, 4.0)
    """

    case: Case
    sigconv: Timings | None
    scipy: Timings | None
    error: str | None = None
    checksums: Mapping[str, Mapping] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every child of the case ran (then both timings are set)."""
        return self.error is None

    @property
    def first_ratio(self) -> float:
        """scipy.signal.convolve's first call / sigconv's first call."""
        return self.scipy.calls[0] / self.sigconv.calls[0]

    @property
    def ten_ratio(self) -> float:
        """The sum of scipy's first ten calls / the sum of sigconv's."""
        return sum(self.scipy.calls) / sum(self.sigconv.calls)

    @property
    def scipy_fastest(self) -> tuple:
        """``(name, seconds)`` of scipy's fastest method in the steady state."""
        candidates = self.scipy.alternatives or {"convolve": self.scipy.steady}
        return min(candidates.items(), key=lambda item: item[1])

    @property
    def steady_ratio(self) -> float:
        """scipy's fastest steady method / sigconv's steady call."""
        return self.scipy_fastest[1] / self.sigconv.steady

    @property
    def stall(self) -> float:
        """sigconv's slowest call among the first ten / its steady (median) call."""
        return max(self.sigconv.calls) / self.sigconv.steady

    @property
    def scipy_stall(self) -> float:
        """The same for scipy.signal.convolve: its slowest of ten / its median call."""
        return max(self.scipy.calls) / self.scipy.steady


def combine(runs: Sequence[Mapping]) -> Timings:
    """The medians over repeats of a side's child outputs (the JSON objects), per call
    index, and per scipy method.

    Examples
    --------
    >>> runs = [{"import": 1.0, "calls": [3.0, 1.0], "steady": 1.0},
    ...         {"import": 2.0, "calls": [5.0, 2.0], "steady": 0.5},
    ...         {"import": 9.0, "calls": [4.0, 9.0], "steady": 0.7}]
    >>> combine(runs)
    Timings(import_seconds=2.0, calls=(4.0, 2.0), steady=0.7, alternatives={})
    """
    alternatives = {}
    for name in runs[0].get("alternatives", {}):
        alternatives[name] = statistics.median(r["alternatives"][name] for r in runs)
    return Timings(import_seconds=statistics.median(r["import"] for r in runs),
                   calls=tuple(statistics.median(c) for c in zip(*(r["calls"] for r in runs))),
                   steady=statistics.median(r["steady"] for r in runs),
                   alternatives=alternatives)


def default_workers() -> int:
    """The number of cores this process may run on (scipy's second worker count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def child_spec(case: Case, side: str, *, seed: int = 0, workers: int = 1,
               steady_seconds: float = 0.3, steady_calls: int = 5, steady_cap: int = 200,
               checksum: bool = False, alternatives: bool = True) -> dict:
    """The JSON-able instructions for one child (see :mod:`sigconv._bench_child`)."""
    return {"side": V.one_of(side, SIDES, "side", "child_spec"), "x": list(case.x),
            "k": list(case.k), "dtype": case.dtype, "mode": case.mode, "seed": seed,
            "workers": workers, "steady_seconds": steady_seconds,
            "steady_calls": steady_calls, "steady_cap": steady_cap, "checksum": checksum,
            "alternatives": alternatives}


class ChildFailed(RuntimeError):
    """A child process that timed out, exited with an error or printed no result."""


def run_child(spec: Mapping, *, env: Mapping[str, str] | None = None,
              cwd: str | os.PathLike | None = None, timeout: float = 300.0) -> dict:
    """Run one child with ``spec`` in a fresh interpreter; its JSON result as a dict.

    Raises :class:`ChildFailed` when it runs past ``timeout`` seconds (it is killed), exits
    with an error (the last line of its stderr is given) or prints no JSON line.
    """
    argv = [sys.executable, "-c", CHILD.read_text(), json.dumps(spec)]
    try:
        proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ChildFailed(f"timed out after {timeout:g} s") from None
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or ["(no message)"]
        raise ChildFailed(f"exit status {proc.returncode}: {lines[-1]}")
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ChildFailed("printed no result")


def child_env(cache_dir, extra: Mapping[str, str] | None) -> dict:
    """This process's environment, with this sigconv first on ``PYTHONPATH``,
    ``SIGCONV_CACHE_DIR=cache_dir`` (unless ``cache_dir`` is :data:`USER_CACHE`), and then
    ``extra``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    if cache_dir != USER_CACHE:
        env["SIGCONV_CACHE_DIR"] = os.fspath(cache_dir)
    env.update(extra or {})
    return env


def run(cases: Sequence[Case], *, repeats: int = 3, cache_dir=None,
        env: Mapping[str, str] | None = None, timeout: float = 300.0, seed: int = 0,
        workers: int | None = None, steady_seconds: float = 0.3, steady_calls: int = 5,
        steady_cap: int = 200, checksum: bool = False,
        progress: Callable[[int, int, str], None] | None = None) -> list:
    """Time each case on both sides in fresh processes; a :class:`CaseResult` per case.

    Parameters
    ----------
    cases : sequence of Case
    repeats : int
        Children per (case, side), run sigconv, scipy, sigconv, scipy, ...; the results are
        their medians per call index.
    cache_dir : None, path or ``'user'``
        The children's ``SIGCONV_CACHE_DIR`` (where sigconv finds its calibration and FFTW
        wisdom).  None: a fresh empty directory for each child (sigconv's shipped defaults,
        as in a process of a user who never ran ``sigconv tune``); ``'user'``
        (:data:`USER_CACHE`): the children inherit this process's environment, so they read
        the user's own cache.
    env : mapping, optional
        Further environment variables for the children (applied last).
    timeout : float
        Seconds after which a child is killed; its case is reported with ``error`` set and
        its remaining children are skipped.
    seed : int
        Seed of the inputs, the same for both sides.
    workers : int, optional
        scipy.fft workers of scipy's threaded alternatives; default: the core count.
    steady_seconds, steady_calls, steady_cap
        The steady state is the median of calls 11 onwards, made until at least
        ``steady_calls`` of them and ``steady_seconds`` have passed, or ``steady_cap`` calls.
    checksum : bool
        Also record each side's result checksum (``CaseResult.checksums``).
    progress : callable, optional
        Called as ``progress(done, total, label)`` before each child starts (``done``
        children have finished) and as ``progress(total, total, 'done')`` at the end.

    Notes
    -----
    For a case, with medians over the repeats per call index :math:`i = 1..10`:
    first-call ratio :math:`t^{sp}_1 / t^{sc}_1`; first-ten ratio
    :math:`\\sum_i t^{sp}_i / \\sum_i t^{sc}_i`; steady ratio
    :math:`\\min_m s^{sp}_m / s^{sc}` over scipy's methods :math:`m`; stall
    :math:`\\max_i t^{sc}_i / s^{sc}`.

    Examples
    --------
    >>> [r] = run([Case((64,), (3,))], repeats=1, steady_cap=5)
    >>> r.ok, len(r.sigconv.calls), len(r.scipy.calls), "oaconvolve" in r.scipy.alternatives
    (True, 10, 10, True)
    """
    func = "sigconv._bench.run"
    cases = list(cases)
    if not cases or not all(isinstance(c, Case) for c in cases):
        raise TypeError(f"{func}: cases must be a non-empty sequence of Case; got {cases!r}")
    repeats = V.positive_int(repeats, "repeats", func)
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"{func}: timeout must be a positive number of seconds; got {timeout!r}")
    if not (cache_dir is None or isinstance(cache_dir, (str, os.PathLike))):
        raise TypeError(f"{func}: cache_dir must be None, a path or {USER_CACHE!r}; "
                        f"got {cache_dir!r}")
    if progress is not None and not callable(progress):
        raise TypeError(f"{func}: progress must be a callable or None; got {progress!r}")
    workers = default_workers() if workers is None else V.positive_int(workers, "workers", func)
    options = dict(seed=seed, workers=workers, steady_seconds=steady_seconds,
                   steady_calls=steady_calls, steady_cap=steady_cap, checksum=checksum)
    total, done, results = len(cases) * len(SIDES) * repeats, 0, []
    with tempfile.TemporaryDirectory(prefix="sigconv-bench-") as tmp:
        for case in cases:
            runs, error = {side: [] for side in SIDES}, None
            for r in range(repeats):
                for side in SIDES:
                    if progress is not None:
                        progress(done, total, f"{case.label}: {side} {r + 1}/{repeats}")
                    done += 1
                    if error is not None:
                        continue
                    cache = tempfile.mkdtemp(dir=tmp) if cache_dir is None else cache_dir
                    try:
                        runs[side].append(run_child(child_spec(case, side, **options),
                                                    env=child_env(cache, env), cwd=tmp,
                                                    timeout=timeout))
                    except ChildFailed as exc:
                        error = f"{side} child {r + 1}: {exc}"
            checks = {s: runs[s][0]["checksum"] for s in SIDES if checksum and runs[s]}
            timings = (None, None) if error else (combine(runs["sigconv"]), combine(runs["scipy"]))
            results.append(CaseResult(case, *timings, error=error, checksums=checks))
    if progress is not None:
        progress(total, total, "done")
    return results
