"""Progress bars for long work, drawn by tqdm: shown on a terminal, quiet everywhere else.

Every long task of sigconv (training epochs, the demo, command-line convolutions and filter
banks, ``bench``, ``tune``) reports through this module, so one rule decides whether a bar
appears.  A bar is drawn when, in this order of precedence,

1. the call says so: ``enabled=True`` or ``False``;
2. a :func:`defaults` block says so (the command line's ``--progress`` and ``--quiet``);
3. the environment variable ``SIGCONV_PROGRESS`` says so: ``1``/``true``/``on``/``always``
   force bars on (logs, notebooks), ``0``/``false``/``off``/``never`` force them off,
   ``auto`` or unset leave the choice to rule 4;
4. otherwise the bar's stream (standard error by default) is a terminal: ``isatty()``.

So ``cmd 2>&1 | cat``, a log file, a CI job and a notebook's captured output get no bar
(a notebook's ``sys.stderr`` is not a terminal) unless asked; a terminal gets one.

API
---
``progress(iterable=None, *, total=None, desc=None, unit='it', enabled=None, ...)``
    A ``tqdm.tqdm``: iterate over it, or (without ``iterable``) use it as a context manager
    and call ``.update(n)``.  Disabled bars cost one attribute check per item.
``running(desc, *, enabled=None, delay=1.0)``
    A context manager for one long call that cannot report steps: a bar showing the
    elapsed time, refreshed twice a second from a helper thread, drawn only once the call
    has lasted ``delay`` seconds.
``write(text, *, file=None)``
    Print a line above the active bars without tearing them.
``is_enabled(enabled=None, file=None)``
    The decision above, as a bool.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import warnings
from typing import Iterable, Iterator

from tqdm import tqdm

__all__ = ["progress", "running", "write", "is_enabled", "defaults", "ENV_VAR"]

ENV_VAR = "SIGCONV_PROGRESS"
ON = ("1", "true", "on", "always", "yes")
OFF = ("0", "false", "off", "never", "no")
_default = {"enabled": None}


def _env_choice() -> bool | None:
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if value in ("", "auto"):
        return None
    if value in ON:
        return True
    if value in OFF:
        return False
    warnings.warn(f"{ENV_VAR} must be one of auto, {', '.join(ON)}, {', '.join(OFF)}; "
                  f"got {value!r}: treated as auto", UserWarning, stacklevel=4)
    return None


def is_enabled(enabled: bool | None = None, file=None) -> bool:
    """Whether a bar drawn on ``file`` (default ``sys.stderr``) would be shown.

    Parameters
    ----------
    enabled : bool, optional
        True or False decides; None applies the module's rules (defaults, environment,
        terminal).
    file : file-like, optional
        The bar's stream.

    Returns
    -------
    bool

    Examples
    --------
    >>> import io
    >>> is_enabled(file=io.StringIO())          # not a terminal
    False
    >>> is_enabled(True, file=io.StringIO())
    True
    """
    for choice in (enabled, _default["enabled"], _env_choice()):
        if choice is not None:
            return bool(choice)
    stream = sys.stderr if file is None else file
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (ValueError, OSError):           # a closed or detached stream
        return False


@contextlib.contextmanager
def defaults(*, enabled: bool | None) -> Iterator[None]:
    """Within the block, bars whose call leaves ``enabled=None`` follow ``enabled``.

    Examples
    --------
    >>> import io
    >>> with defaults(enabled=True):
    ...     is_enabled(file=io.StringIO())
    True
    """
    old = _default["enabled"]
    _default["enabled"] = enabled
    try:
        yield
    finally:
        _default["enabled"] = old


def progress(iterable: Iterable | None = None, *, total: int | None = None,
             desc: str | None = None, unit: str = "it", enabled: bool | None = None,
             leave: bool = True, file=None, **options) -> tqdm:
    """A progress bar over ``iterable``, or a manual one (``.update(n)``) without it.

    Parameters
    ----------
    iterable : iterable, optional
        Items to pass through.
    total : int, optional
        Expected number of items (default ``len(iterable)`` when it has one).
    desc : str, optional
        Text before the bar.
    unit : str
        What one item is (``'epoch'``, ``'batch'``, ``'kernel'``...).
    enabled : bool, optional
        Force the bar on or off; None: the module's rules.
    leave : bool
        Keep the finished bar on screen (False: erase it).
    file : file-like, optional
        Stream (default ``sys.stderr``).
    **options
        Further ``tqdm.tqdm`` keyword arguments (``delay``, ``postfix``, ...).

    Returns
    -------
    tqdm.tqdm
        Iterable and a context manager; ``update``, ``set_postfix_str`` and ``close``
        may be called on a disabled bar too (they do nothing, ``n`` stays 0).

    Examples
    --------
    >>> sum(progress(range(5), desc="adding", enabled=False))
    10
    >>> import io
    >>> with progress(total=3, unit="step", enabled=True, file=io.StringIO()) as bar:
    ...     for _ in range(3):
    ...         bar.update()
    >>> bar.n
    3
    """
    stream = sys.stderr if file is None else file
    return tqdm(iterable, total=total, desc=desc, unit=unit, leave=leave, file=stream,
                disable=not is_enabled(enabled, stream), dynamic_ncols=True, **options)


@contextlib.contextmanager
def running(desc: str, *, enabled: bool | None = None, delay: float = 1.0,
            file=None) -> Iterator[tqdm]:
    """Show ``desc`` and the elapsed time while the block runs (once it lasts ``delay`` s).

    Parameters
    ----------
    desc : str
        What is running.
    enabled : bool, optional
        As for :func:`progress`.
    delay : float
        Seconds before the bar first appears (short work shows nothing).
    file : file-like, optional
        Stream (default ``sys.stderr``).

    Yields
    ------
    tqdm.tqdm
        The bar (``set_postfix_str`` may annotate it).

    Examples
    --------
    >>> with running("convolving", enabled=False):
    ...     x = sum(range(10))
    >>> x
    45
    """
    bar = progress(total=None, desc=desc, enabled=enabled, file=file, delay=delay,
                   bar_format="{desc}: {elapsed} elapsed{postfix}")
    stop = threading.Event()

    def tick():
        if stop.wait(delay):
            return
        while True:
            bar.refresh()
            if stop.wait(0.5):
                return

    ticker = None if bar.disable else threading.Thread(target=tick, daemon=True)
    if ticker is not None:
        ticker.start()
    try:
        yield bar
    finally:
        stop.set()
        if ticker is not None:
            ticker.join()
        bar.close()


def write(text: str, *, file=None) -> None:
    """Print ``text`` (and a newline) on ``file``, above any active bar.

    Examples
    --------
    >>> import sys
    >>> write("epoch 1/2 loss 0.5", file=sys.stdout)
    epoch 1/2 loss 0.5
    """
    tqdm.write(text, file=sys.stderr if file is None else file)
