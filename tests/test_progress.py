"""Progress bars: on a terminal only, unless asked; never hand-written carriage returns in logs."""

import io
import sys
import time

import numpy as np
import pytest

from sigconv import _progress, nn


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self):
        return True


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(_progress.ENV_VAR, raising=False)


def test_shown_on_a_terminal_hidden_in_a_pipe():
    tty, pipe = Terminal(), io.StringIO()
    for stream in (tty, pipe):
        for _ in _progress.progress(range(3), desc="work", file=stream):
            pass
    assert "work" in tty.getvalue() and "3/3" in tty.getvalue()
    assert pipe.getvalue() == ""


@pytest.mark.parametrize("value, shown", [("1", True), ("always", True), ("on", True),
                                          ("0", False), ("never", False), ("auto", None)])
def test_environment_variable_forces_the_choice(monkeypatch, value, shown):
    monkeypatch.setenv(_progress.ENV_VAR, value)
    pipe, tty = io.StringIO(), Terminal()
    assert _progress.is_enabled(file=pipe) is (shown is True)
    assert _progress.is_enabled(file=tty) is (shown is not False)


def test_unknown_environment_value_warns_and_means_auto(monkeypatch):
    monkeypatch.setenv(_progress.ENV_VAR, "sometimes")
    with pytest.warns(UserWarning, match=r"SIGCONV_PROGRESS must be one of auto, .*; got "
                                         r"'sometimes': treated as auto"):
        assert _progress.is_enabled(file=Terminal()) is True


def test_precedence_call_then_defaults_then_environment(monkeypatch):
    monkeypatch.setenv(_progress.ENV_VAR, "1")
    pipe = io.StringIO()
    with _progress.defaults(enabled=False):
        assert _progress.is_enabled(file=pipe) is False
        assert _progress.is_enabled(True, file=pipe) is True
    assert _progress.is_enabled(file=pipe) is True


def test_manual_form_counts_and_passes_items_through():
    stream = Terminal()
    with _progress.progress(total=4, desc="steps", unit="step", file=stream) as bar:
        bar.update(3)
        bar.update()
    assert "4/4" in stream.getvalue() and "step" in stream.getvalue()
    assert list(_progress.progress("abc", enabled=False)) == ["a", "b", "c"]


def test_running_shows_elapsed_time_only_for_long_work():
    quick, slow = Terminal(), Terminal()
    with _progress.running("quick", delay=0.5, file=quick):
        pass
    with _progress.running("slow", delay=0.05, file=slow):
        time.sleep(0.4)
    assert quick.getvalue() == ""
    assert "slow: 00:00 elapsed" in slow.getvalue()


def test_write_keeps_lines_whole():
    stream = Terminal()
    with _progress.progress(total=2, file=stream) as bar:
        _progress.write("a status line", file=stream)
        bar.update(2)
    assert "a status line\n" in stream.getvalue()


def fit(verbose, capsys):
    rng = np.random.default_rng(0)
    x = rng.random((40, 1, 6, 6), dtype=np.float32)
    y = rng.integers(0, 3, 40)
    model = nn.Sequential([nn.Conv2D(1, 2, 3, seed=0), nn.Flatten(), nn.Dense(32, 3, seed=1)])
    model.fit(x, y, epochs=3, batch_size=8, optimizer=nn.SGD(0.1), loss=nn.SoftmaxCrossEntropy(),
              seed=0, verbose=verbose)
    return capsys.readouterr()


def test_fit_logs_one_line_per_epoch_without_carriage_returns(capsys):
    captured = fit(1, capsys)
    lines = captured.out.splitlines()
    assert [line.split()[1] for line in lines] == ["1/3", "2/3", "3/3"]
    assert all("loss" in line and "accuracy" in line for line in lines)
    assert "\r" not in captured.out + captured.err


def test_fit_draws_batch_bars_when_asked(monkeypatch, capsys):
    monkeypatch.setenv(_progress.ENV_VAR, "1")
    captured = fit(1, capsys)
    assert "epoch 3/3" in captured.err and "/5 [" in captured.err and "batch/s" in captured.err
    assert len(captured.out.splitlines()) == 3
    assert fit(0, capsys).out == ""


def test_cli_progress_option_forces_bars(tmp_path, capsys):
    from sigconv import cli
    np.save(tmp_path / "x.npy", np.arange(5.0))
    np.save(tmp_path / "b.npy", np.ones(2))
    from sigconv import _bankfile
    _bankfile.save_bank(tmp_path / "bank.npz", [np.ones(3), np.ones(1)], {"sigma": [1.0, 2.0]})
    assert cli.main(["filter", str(tmp_path / "x.npy"), "--kernel", str(tmp_path / "bank.npz"),
                     "-o", str(tmp_path / "y.npy"), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "2/2" in err and "kernel" in err
    assert cli.main(["filter", str(tmp_path / "x.npy"), "--kernel", str(tmp_path / "bank.npz"),
                     "-o", str(tmp_path / "z.npy")]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "kernel 1: sigma 2 pixels; 1, float64" in err
    assert sys.stderr.isatty() is False
