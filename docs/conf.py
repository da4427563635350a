"""Sphinx configuration of the sigconv documentation.

Build: ``python -m sphinx -W -b html docs docs/_build/html`` (from the repository root;
``pip install -e ".[docs]"`` first).

* Theme: pydata-sphinx-theme (numpy's, scipy's and scikit-image's).
* Gallery: sphinx-gallery runs every script in ``examples/`` and shows the figures it
  writes (``_ext/gallery_outputs.py``); the pages are generated in ``auto_examples/``.
* Notebooks: ``tutorials/*.ipynb``, executed by myst-nb at every build; a cell that
  raises fails the build.
* API: every public module of sigconv, one page per area (``_ext/api_pages.py``).
* Math: converted to MathML at build time (``_ext/mathml.py``), so pages need no script
  or network to show formulas.
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import sigconv  # noqa: E402

project = "sigconv"
author = "the sigconv developers"
copyright = "the sigconv developers"
release = version = sigconv.__version__

extensions = [
    "sphinx.ext.autodoc",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_nb",
    "mathml",
    "api_pages",
]

exclude_patterns = [
    "_build", "_ext", "README.md", "**.ipynb_checkpoints", "jupyter_execute",
    # sphinx-gallery writes each example as .py, .ipynb and .zip beside its page: they
    # are downloads, not pages
    "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip",
    "auto_examples/*.md5", "auto_examples/*.codeobj.json",
]

# -- HTML ---------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sigconv {release}"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_context = {"default_mode": "auto"}     # light or dark as the reader's system prefers
html_math_renderer = "mathml"
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 7,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {"index": []}

# -- API pages ----------------------------------------------------------------------------
autodoc_default_options = {}
autodoc_member_order = "bysource"   # the order of __all__, as the modules present them
autodoc_typehints = "none"          # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
suppress_warnings = ["ref.python"]  # re-exported names (sigconv.convolve) resolve twice
api_members = {"sigconv.cli": ["main"]}   # the command's handlers are documented in cli.rst

# -- gallery ------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",          # run every script, not only plot_*.py
    "ignore_pattern": r"__init__\.py",
    "image_scrapers": ("gallery_outputs.saved_figures",),
    "reset_argv": "gallery_outputs.output_argv",
    "within_subsection_order": "gallery_outputs.reading_order",
    "abort_on_example_error": True,
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_signature": False,
    "write_computation_times": False,        # its page loads jQuery from a CDN
}

# -- notebooks ----------------------------------------------------------------------------
nb_execution_mode = "force"              # run every notebook at every build
nb_execution_timeout = 300
nb_execution_raise_on_error = True       # a cell that raises fails the build
nb_merge_streams = True
myst_enable_extensions = ["dollarmath"]


def setup(app):
    from gallery_outputs import remove_outputs
    app.connect("build-finished", remove_outputs)
