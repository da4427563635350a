"""An output folder that a command owns: rerun it and it replaces its own files, only those.

``sigconv demo -o DIR`` writes a fixed set of files into ``DIR``.  Running it again must
work (a set-up command is rerun), but must not destroy a file that happens to have one of
those names and was put there by someone else.  So the command records what it wrote:

* ``DIR/.sigconv-outputs.json`` lists, for each file the command wrote, the SHA-256 of its
  content.  A file of the same name whose content matches is the command's own and is
  replaced; any other is refused (exit status 2) unless ``--force``.  Files with other
  names are never touched.
* Outputs are written into a staging folder inside ``DIR`` and moved into place with
  ``os.replace`` at the end (each file appears whole; a failed or interrupted run leaves
  the previous outputs as they were).  The record accepts old and new contents while the
  files move, so an interruption at any moment leaves a folder the next run accepts.
* A previous output the new run did not produce (a step that failed) is removed, so the
  folder always shows one run.
* Folders written before the record existed are recognised by their ``report.txt``
  (first line ``sigconv demo -> ...``, which names the files the run wrote).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from ._io import FileProblem, atomic_write

__all__ = ["RECORD", "check", "staging", "commit", "discard"]

RECORD = ".sigconv-outputs.json"
STAGING_PREFIX = ".sigconv-staging-"


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _recorded(folder: Path) -> dict:
    """``{name: [accepted digests]}`` of the files the command wrote (``None``: any)."""
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        return {str(k): None if v is None else list(v) for k, v in data["files"].items()}
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise FileProblem(f"'{folder / RECORD}' is not a record of sigconv outputs; remove "
                          "it or choose another output folder", exit_code=2) from None
    report = folder / "report.txt"
    try:
        lines = report.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    if not lines or not lines[0].startswith("sigconv demo -> "):
        return {}
    names = {"report.txt"}
    for line in lines:
        if "  -> " in line:
            names.update(n.strip() for n in line.split("  -> ", 1)[1].split(","))
    return {name: None for name in names}


def check(folder, names, *, force: bool) -> Path:
    """Refuse, before any work, a folder where writing ``names`` would destroy others' files.

    Returns
    -------
    pathlib.Path
        The folder (not created yet).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FileProblem(f"output '{folder}' exists and is not a directory", exit_code=2)
    if not folder.exists() or force:
        return folder
    own = _recorded(folder)
    foreign = []
    for name in names:
        path = folder / name
        if path.exists() and not (name in own and (own[name] is None
                                                   or _digest(path) in own[name])):
            foreign.append(name)
    if foreign:
        raise FileProblem(f"'{folder}' holds {', '.join(foreign)}, not written by this "
                          "command (or changed since); move them away or use --force to "
                          "replace them", exit_code=2)
    return folder


def staging(folder) -> Path:
    """A new, empty staging folder inside ``folder`` (created with it if needed).

    Staging folders left by runs that were killed are removed first.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(STAGING_PREFIX + "*"):
        if old.is_dir() and re.fullmatch(re.escape(STAGING_PREFIX) + r"\w+", old.name):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))


def commit(folder, stage, names) -> None:
    """Move the staged ``names`` into ``folder``, drop own outputs not made this time,
    record the new contents and remove ``stage``."""
    folder, stage = Path(folder), Path(stage)
    try:
        made = {n: _digest(stage / n) for n in names if (stage / n).is_file()}
        old = {n: d for n, d in _recorded(folder).items() if (folder / n).exists()}
        both = {n: None if n in old and old[n] is None
                else sorted(set(old.get(n, [])) | ({made[n]} if n in made else set()))
                for n in set(old) | set(made)}
        _write_record(folder, both)
        for name in made:
            os.replace(stage / name, folder / name)
        for name in set(old) - set(made):
            path = folder / name
            if old[name] is None or _digest(path) in old[name]:
                path.unlink()
        _write_record(folder, {n: [d] for n, d in made.items()})
    finally:
        discard(stage)


def discard(stage) -> None:
    """Remove a staging folder and what it holds (a run that stopped before committing)."""
    shutil.rmtree(stage, ignore_errors=True)


def _write_record(folder: Path, files: dict) -> None:
    text = json.dumps({"written_by": "sigconv", "files": files}, indent=1, sort_keys=True)
    atomic_write(folder / RECORD, lambda f: f.write(text.encode()))
