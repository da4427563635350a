"""Sphinx-Gallery glue for sigconv's examples.

Every script in ``examples/`` writes its figures into the directory given as its first
argument (``python examples/NAME.py OUTDIR``) and closes them.  The gallery runs each
script the same way: ``output_argv`` gives it a new, empty directory, and
``saved_figures`` (the image scraper) shows the PNG files the script wrote there, in the
order it wrote them, on the example's page.  So the page shows exactly the files a user
gets from the command line.
"""

import shutil
import tempfile
from pathlib import Path

from sphinx_gallery.scrapers import figure_rst

#: Reading order of the gallery; scripts not listed follow, by name.
ORDER = ["quickstart", "identities", "matrix_forms", "edges", "gabor_bank", "digits_cnn",
         "distributed"]

_outputs = {}   # example source path -> its output directory
_shown = {}     # example source path -> files already on its page


def output_argv(gallery_conf, script_vars):
    """``sys.argv[1:]`` for an example: a new, empty output directory."""
    src = script_vars["src_file"]
    remove_outputs()          # the examples before this one have their pages
    _outputs[src] = tempfile.mkdtemp(prefix=f"sigconv-gallery-{Path(src).stem}-")
    _shown[src] = set()
    return [_outputs[src]]


def saved_figures(block, block_vars, gallery_conf):
    """The reST showing the PNG files the example wrote since the last code block."""
    src = block_vars["src_file"]
    if src not in _outputs:
        return ""
    new = sorted((p for p in Path(_outputs[src]).rglob("*.png") if p not in _shown[src]),
                 key=lambda p: (p.stat().st_mtime_ns, p.name))
    rst = []
    for png, target in zip(new, block_vars["image_path_iterator"]):
        shutil.copyfile(png, target)
        _shown[src].add(png)
        rst.append(figure_rst([target], gallery_conf["src_dir"],
                              fig_titles=f"{png.name}, written by examples/{Path(src).name}"))
    return "".join(rst)


def remove_outputs(*_):
    """Remove the output directories (also connected to Sphinx's ``build-finished``)."""
    for src in list(_outputs):
        shutil.rmtree(_outputs.pop(src), ignore_errors=True)
        _shown.pop(src, None)


def reading_order(filename):
    """Sort key of the gallery: ``ORDER`` first, then the other scripts by name."""
    stem = Path(filename).stem
    return (ORDER.index(stem) if stem in ORDER else len(ORDER), stem)
