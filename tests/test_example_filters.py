"""The filter examples run headless on matplotlib's sample photograph and save pictures."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("script,pictures", [
    ("gabor_bank.py", ["gabor_kernels.png", "gabor_frequency_responses.png",
                       "gabor_energy.png", "gabor_orientation.png"]),
    ("edges.py", ["edges_operators.png", "edges_canny.png"]),
])
def test_example_runs_and_saves_pictures(tmp_path, script, pictures):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", script), str(tmp_path)],
                         capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    for name in pictures:
        path = tmp_path / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert path.stat().st_size > 5000
    if script == "edges.py":
        assert "share of each face found: 1.00, 1.00, 1.00, 1.00, 1.00, 1.00" in out.stdout


def test_sample_photograph_ships_with_matplotlib():
    import matplotlib.cbook as cbook
    assert os.path.exists(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
