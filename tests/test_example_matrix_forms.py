"""examples/matrix_forms.py runs headless, fast, and draws what it says."""

import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np

import sigconv

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "matrix_forms.py"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _load():
    spec = importlib.util.spec_from_file_location("matrix_forms_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_main_draws_the_figure_and_eigenvalues_match(tmp_path):
    example = _load()
    path, mismatch = example.main([str(tmp_path / "forms.png")])
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 20_000
    assert mismatch < 1e-10


def test_drawn_toeplitz_matrix_is_the_convolution():
    example = _load()
    toeplitz, eigenvalues, spectrum = example.compute()
    x = np.random.default_rng(0).integers(-9, 10, example.INPUT_SHAPE)
    np.testing.assert_array_equal(toeplitz @ x.ravel(),
                                  sigconv.convolve(x, example.KERNEL).ravel())
    assert eigenvalues.shape == (spectrum.size,)


def test_without_a_path_it_writes_to_a_new_temporary_directory():
    path, _ = _load().main([])
    path = pathlib.Path(path)
    assert path.name == "matrix_forms.png" and path.read_bytes()[:8] == PNG_MAGIC
    os.remove(path)
    os.rmdir(path.parent)


def test_command_line_runs_headless(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    env["PYTHONPATH"] = str(ROOT)
    out = tmp_path / "cli.png"
    done = subprocess.run([sys.executable, str(SCRIPT), str(out)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(out)
    assert out.read_bytes()[:8] == PNG_MAGIC
