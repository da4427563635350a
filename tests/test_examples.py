"""Every script in examples/ runs headless, writes its output into the directory it is given,
and every figure it saves passes the reader's audit (tests/figure_audit.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def test_the_gallery_has_the_required_examples():
    names = {p.stem for p in EXAMPLES}
    assert {"quickstart", "distributed"} <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = tmp_path / "out"
    out.mkdir()
    audit = Path(__file__).resolve().parent / "figure_audit.py"
    result = subprocess.run([sys.executable, str(audit), str(script), str(out)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written, f"{script.name} wrote nothing into {out}"
    pngs = list(out.rglob("*.png"))
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    assert f"figure audit: {len(pngs)} figures" in result.stdout
