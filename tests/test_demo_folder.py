"""The demo's output folder: rerun safely from any state, never destroy others' files."""

import json

import pytest

from sigconv import _outdir
from sigconv._io import FileProblem

NAMES = ("a.png", "report.txt")


def run(folder, contents, *, force=False, names=NAMES):
    """What a command does: check, stage, write ``contents``, commit."""
    folder = _outdir.check(folder, names, force=force)
    stage = _outdir.staging(folder)
    for name, text in contents.items():
        (stage / name).write_text(text)
    _outdir.commit(folder, stage, names)
    return folder


def visible(folder):
    return {p.name: p.read_text() for p in folder.iterdir() if not p.name.startswith(".")}


def test_fresh_folder_then_rerun_replaces_own_outputs(tmp_path):
    out = tmp_path / "nested" / "out"
    run(out, {"a.png": "1", "report.txt": "r1"})
    assert visible(out) == {"a.png": "1", "report.txt": "r1"}
    run(out, {"a.png": "2", "report.txt": "r2"})
    assert visible(out) == {"a.png": "2", "report.txt": "r2"}
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [_outdir.RECORD]


def test_unrelated_files_are_left_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run(tmp_path, {"a.png": "1", "report.txt": "r"})
    run(tmp_path, {"a.png": "2", "report.txt": "r"})
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("prepare", ["foreign", "edited"])
def test_a_file_the_command_did_not_write_is_refused_before_any_work(tmp_path, prepare):
    if prepare == "edited":
        run(tmp_path, {"a.png": "1", "report.txt": "r"})
    (tmp_path / "a.png").write_text("the user's picture")
    with pytest.raises(FileProblem, match=r"holds a.png, not written by this command \(or "
                                          r"changed since\); move them away or use --force"):
        _outdir.check(tmp_path, NAMES, force=False)
    assert (tmp_path / "a.png").read_text() == "the user's picture"
    run(tmp_path, {"a.png": "new", "report.txt": "r"}, force=True)
    assert (tmp_path / "a.png").read_text() == "new"


def test_an_output_not_made_again_is_removed(tmp_path):
    run(tmp_path, {"a.png": "1", "report.txt": "r"})
    run(tmp_path, {"report.txt": "a step failed"})
    assert visible(tmp_path) == {"report.txt": "a step failed"}


def test_a_path_that_is_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(FileProblem, match=r"output '.*out' exists and is not a directory") as e:
        _outdir.check(tmp_path / "out", NAMES, force=True)
    assert e.value.exit_code == 2


def test_an_interrupted_commit_leaves_a_folder_the_next_run_accepts(tmp_path, monkeypatch):
    run(tmp_path, {"a.png": "1", "report.txt": "r1"})
    calls = []
    real = _outdir.os.replace

    def crash_after_first(src, dst):
        calls.append(dst)
        if len(calls) == 3:   # record (old and new), first output moved; stop at the second
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(_outdir.os, "replace", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, {"a.png": "2", "report.txt": "r2"})
    monkeypatch.setattr(_outdir.os, "replace", real)
    record = json.loads((tmp_path / _outdir.RECORD).read_text())
    assert all(len(digests) == 2 for digests in record["files"].values())
    assert visible(tmp_path) == {"a.png": "2", "report.txt": "r1"}     # half moved
    run(tmp_path, {"a.png": "3", "report.txt": "r3"})
    assert visible(tmp_path) == {"a.png": "3", "report.txt": "r3"}


def test_a_killed_run_s_staging_folder_is_cleaned_up(tmp_path):
    stale = tmp_path / (_outdir.STAGING_PREFIX + "abc123")
    stale.mkdir()
    (stale / "a.png").write_text("half")
    run(tmp_path, {"a.png": "1", "report.txt": "r"})
    assert not stale.exists()


def test_a_folder_from_before_the_record_is_recognised_by_its_report(tmp_path):
    (tmp_path / "a.png").write_text("old")
    (tmp_path / "report.txt").write_text("sigconv demo -> out/\n[1/1] a: ok (1 s)  -> a.png\n")
    run(tmp_path, {"a.png": "1", "report.txt": "r"})
    assert visible(tmp_path) == {"a.png": "1", "report.txt": "r"}


def test_a_corrupt_record_is_a_usage_error(tmp_path):
    (tmp_path / _outdir.RECORD).write_text("not json")
    (tmp_path / "a.png").write_text("x")
    with pytest.raises(FileProblem, match=r"is not a record of sigconv outputs"):
        _outdir.check(tmp_path, NAMES, force=False)
