"""Sphinx configuration of the sigconv documentation.

Build: ``python -m sphinx -W -b html docs docs/_build/html`` (from the repository root).

The API reference lists every public module in ``API_MODULES``; modules that are not
importable in this checkout (for example a part of the package that has not landed yet) are
left out at build time, so the build stays free of warnings and covers each module as soon as
it exists.  The gallery lists every script in ``examples/``.
"""

import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

import sigconv  # noqa: E402

project = "sigconv"
author = "the sigconv developers"
copyright = "the sigconv developers"
release = version = sigconv.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.mathjax", "numpydoc"]
exclude_patterns = ["_build", "README.md"]
html_theme = "alabaster"
html_static_path = []
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_typehints = "none"          # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
suppress_warnings = ["ref.python"]  # re-exported names (sigconv.convolve) resolve twice

API_MODULES = [
    ("sigconv", "convolve, correlate, choose_method and the error classes"),
    ("sigconv.definitions.discrete", "the defining sums (the test oracle)"),
    ("sigconv.continuous", "continuous convolution by quadrature"),
    ("sigconv.kernels", "kernels sampled from continuous models, with their discretization error"),
    ("sigconv.properties", "identity checks returning CheckResult"),
    ("sigconv.testing", "hypothesis strategies"),
    ("sigconv.fft", "FFTW backend, plan cache and wisdom"),
    ("sigconv.matrices", "Toeplitz and circulant matrix forms"),
    ("sigconv.filters", "Gabor banks and edge detectors"),
    ("sigconv.ndimage", "scipy.ndimage's linear filters, computed by sigconv's pipeline"),
    ("sigconv.plotting", "matplotlib helpers"),
    ("sigconv.nn", "the trainable layer stack"),
    ("sigconv.distributed", "chunked convolution of dask arrays"),
]


def available_modules():
    """The API modules importable in this checkout, with their one-line summaries."""
    found = []
    for name, summary in API_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        found.append((name, summary))
    return found


def api_text():
    lines = []
    for name, summary in available_modules():
        title = f"``{name}``: {summary}"
        lines += [title, "-" * len(title), "", f".. automodule:: {name}", ""]
    return "\n".join(lines)


def gallery_text():
    lines = []
    for script in sorted((ROOT / "examples").glob("*.py")):
        doc = _module_docstring(script)
        title = f"``examples/{script.name}``"
        lines += [title, "-" * len(title), "", doc, "",
                  f"Run it: ``python examples/{script.name} OUTPUT_DIR``", "",
                  f".. literalinclude:: ../examples/{script.name}", "   :language: python",
                  "   :lines: 1-", ""]
    return "\n".join(lines)


def _module_docstring(path):
    import ast
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip()


def _fill(app, docname, source):
    text = source[0]
    if "@API_MODULES@" in text:
        text = text.replace("@API_MODULES@", api_text())
    if "@EXAMPLES@" in text:
        text = text.replace("@EXAMPLES@", gallery_text())
    source[0] = text


def setup(app):
    app.connect("source-read", _fill)
