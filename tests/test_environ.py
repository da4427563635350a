"""Importing or using sigconv leaves os.environ as it found it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import importlib, json, os, pkgutil, sys
before = dict(os.environ)
import sigconv
names = sorted(m.name for m in pkgutil.walk_packages(sigconv.__path__, "sigconv."))
for name in names:
    importlib.import_module(name)
after_import = dict(os.environ)
if "use" in sys.argv:
    import numpy as np
    from sigconv import _digits, distributed, nn
    x = np.random.default_rng(0).random((16, 1, 6, 6), dtype=np.float32)
    model = nn.Sequential([nn.Conv2D(1, 2, 3), nn.Flatten(), nn.Dense(32, 3)])
    model.fit(x, np.arange(16) % 3, epochs=1, batch_size=4, optimizer=nn.SGD(0.1),
              loss=nn.SoftmaxCrossEntropy(), verbose=0)
    _digits.load_digits()
    import dask.array as da
    distributed.convolve(da.ones((8, 8), chunks=4), np.ones((3, 3))).compute()
def diff(a, b):
    return {k: [a.get(k), b.get(k)] for k in set(a) | set(b) if a.get(k) != b.get(k)}
print(json.dumps({"modules": len(names), "import": diff(before, after_import),
                  "use": diff(before, dict(os.environ))}))
"""


def run(*args):
    env = {k: v for k, v in os.environ.items()
           if k not in ("KMP_DUPLICATE_LIB_OK", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-c", SCRIPT, *args], env=env, capture_output=True,
                         text=True, timeout=300, check=True)
    import json
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_every_module_leaves_the_environment_unchanged():
    result = run()
    assert result["modules"] >= 60
    assert result["import"] == {}


def test_training_loading_digits_and_dask_leave_the_environment_unchanged():
    pytest.importorskip("sklearn")
    pytest.importorskip("dask")
    assert run("use")["use"] == {}


def test_threadpoolctl_really_sets_the_variable_that_sigconv_restores():
    """The guard is needed: threadpoolctl on its own leaves KMP_DUPLICATE_LIB_OK behind."""
    pytest.importorskip("threadpoolctl")
    code = ("import os; import threadpoolctl; "
            "print(os.environ.get('KMP_DUPLICATE_LIB_OK'))")
    env = {k: v for k, v in os.environ.items() if k != "KMP_DUPLICATE_LIB_OK"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=60, check=True)
    assert out.stdout.strip() == "True"


def test_kept_restores_added_changed_and_removed_variables(monkeypatch):
    from sigconv import _environ
    monkeypatch.setenv("SIGCONV_TEST_A", "a")
    monkeypatch.setenv("SIGCONV_TEST_B", "b")
    with _environ.kept():
        os.environ["SIGCONV_TEST_A"] = "changed"
        del os.environ["SIGCONV_TEST_B"]
        os.environ["SIGCONV_TEST_C"] = "new"
    assert os.environ["SIGCONV_TEST_A"] == "a" and os.environ["SIGCONV_TEST_B"] == "b"
    assert "SIGCONV_TEST_C" not in os.environ
