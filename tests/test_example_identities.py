"""examples/identities.py runs headless, saves its figure and prints the identity tables."""

import importlib.util
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "examples", "identities.py")


def run(*args):
    env = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def rows(text, title):
    block = text.split(title, 1)[1].split("\n\n", 1)[0]
    return {m.group(1).strip(): m.group(2) for m in
            re.finditer(r"^([a-z ]+?)\s{2,}(yes|NO)\s", block, re.M)}


def test_example_saves_the_figure_and_prints_the_tables(tmp_path):
    path = tmp_path / "conv.png"
    out = run(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    assert f"figure saved to {path}" in out
    # convergence table: rectangle halves its error with dx, trapezoid quarters it
    table = re.findall(r"^\s*(0\.\d+)\s+(\S+)\s+(\S+)$", out, re.M)
    rect = [float(r[1]) for r in table]
    trap = [float(r[2]) for r in table]
    assert len(table) == 6
    assert all(1.9 < x / y < 2.1 for x, y in zip(rect, rect[1:]))
    assert all(3.8 < x / y < 4.2 for x, y in zip(trap, trap[1:]))
    direct = rows(out, "identities of convolve (method='direct')")
    assert len(direct) == 11 and set(direct.values()) == {"yes"}
    corr = rows(out, "identities of correlate (method='auto')")
    assert corr["commutative"] == "NO" and corr["convolution theorem"] == "NO"
    assert corr["distributive"] == "yes"
    wrong = rows(out, "identities of off_by_one (method='auto')")
    assert wrong["convolution theorem"] == "NO" and wrong["linearity"] == "yes"


def test_example_defaults_to_a_temporary_directory(tmp_path, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("identities_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = tmp_path / "sigconv-tmp"
    made.mkdir()
    monkeypatch.setattr(module.tempfile, "mkdtemp", lambda prefix: str(made))
    monkeypatch.setattr(module, "identities", lambda: None)  # the tables are tested above
    module.main(["identities.py"])
    assert (made / "identities.png").stat().st_size > 10_000
    assert f"figure saved to {made / 'identities.png'}" in capsys.readouterr().out
