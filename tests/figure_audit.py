"""What a reader needs from a figure, checked on the drawn figure.

``problems(fig)`` draws ``fig`` with Agg and lists what is wrong:

* a text (title, label, tick label, legend, figure title, colour-bar label) whose window
  extent lies outside the figure: it would be clipped;
* an axis that shows tick labels but has no label (the quantity and its unit);
* an image whose colour carries a value (a scalar image in any colormap but grey) with no
  colour bar for its colormap and range;
* a data point of a line outside the axes' view (clipped away);
* an axis labelled in epochs with a tick that is not a whole number.

Run as a script, ``python figure_audit.py SCRIPT [ARGS...]`` runs ``SCRIPT`` as
``__main__`` with every ``Figure.savefig`` checked first (a problem raises), and prints
``figure audit: N figures`` at the end.
"""

import runpy
import sys

import matplotlib
import numpy as np

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

PICTURE_MAPS = ("gray", "gray_r", "Greys", "Greys_r", "binary", "binary_r")
SLACK = 1.0   # pixels: antialiased glyph edges


def _renderer(fig):
    root = fig.figure
    if not isinstance(root.canvas, FigureCanvasAgg):
        FigureCanvasAgg(root)
    for _ in range(2):      # as savefig does: a layout engine settles on the second draw
        root.canvas.draw()
    return root.canvas.get_renderer()


def _outside(bbox, frame):
    return (bbox.x0 < frame.x0 - SLACK or bbox.y0 < frame.y0 - SLACK
            or bbox.x1 > frame.x1 + SLACK or bbox.y1 > frame.y1 + SLACK)


def _figure_texts(fig):
    """Texts of the figure and its subfigures that are not inside an Axes."""
    texts = list(fig.texts)
    for legend in fig.legends:
        texts += legend.get_texts()
    for sub in getattr(fig, "subfigs", []):
        texts += _figure_texts(sub)
    return texts


def _name(ax):
    return repr(ax.get_title() or ax.get_label() or ax.get_ylabel() or "an Axes")


def problems(fig):
    """Problems a reader would meet in ``fig`` (see the module docstring)."""
    renderer = _renderer(fig)
    frame = fig.figure.bbox
    found = []
    for text in _figure_texts(fig.figure):
        if text.get_visible() and text.get_text().strip():
            if _outside(text.get_window_extent(renderer), frame):
                found.append(f"text {text.get_text()!r} is clipped by the figure edge")
    axes = [ax for ax in fig.figure.get_axes() if ax.get_visible()]
    for ax in axes:
        if _outside(ax.get_tightbbox(renderer), frame):
            found.append(f"axes {_name(ax)}: its title, labels or ticks are clipped")
        if not ax.axison:
            continue
        for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            shown = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            if axis.get_visible() and shown and not axis.get_label_text().strip():
                found.append(f"axes {_name(ax)}: the {which} axis has tick labels but no "
                             "label")
        found += _clipped_points(ax) + _fractional_epochs(ax)
    images = [im for ax in axes for im in ax.get_images() if isinstance(im, AxesImage)]
    key = lambda im: (im.get_cmap().name, im.norm.vmin, im.norm.vmax)
    explained = {key(im) for im in images if im.colorbar is not None}
    for im in images:
        if im.get_array().ndim == 2 and im.get_cmap().name not in PICTURE_MAPS \
                and key(im) not in explained:
            found.append(f"axes {_name(im.axes)}: an image in {im.get_cmap().name} has no "
                         "colour bar")
    return found


def _clipped_points(ax):
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    found = []
    for line in ax.get_lines():
        if line.get_transform() != ax.transData or not line.get_visible():
            continue
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        keep = np.isfinite(x) & np.isfinite(y)
        x, y = x[keep], y[keep]
        tol = 1e-9 * max(x1 - x0, y1 - y0)
        if np.any((x < x0 - tol) | (x > x1 + tol) | (y < y0 - tol) | (y > y1 + tol)):
            found.append(f"axes {_name(ax)}: points of {line.get_label()!r} lie outside "
                         "the view")
    return found


def _fractional_epochs(ax):
    found = []
    for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
        if "epoch" not in axis.get_label_text().lower():
            continue
        lo, hi = sorted(axis.get_view_interval())
        ticks = [t for t in axis.get_majorticklocs() if lo <= t <= hi]
        if any(abs(t - round(t)) > 1e-9 for t in ticks):
            found.append(f"axes {_name(ax)}: the {which} axis counts epochs at "
                         f"fractional ticks {ticks}")
    return found


def _audited_savefig(original, counter):
    def savefig(self, *args, **kwargs):
        found = problems(self)
        if found:
            raise AssertionError("figure audit: " + "; ".join(found))
        counter.append(1)
        return original(self, *args, **kwargs)
    return savefig


def main(argv):
    counter = []
    Figure.savefig = _audited_savefig(Figure.savefig, counter)
    sys.argv = list(argv)
    try:
        runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise
    print(f"figure audit: {len(counter)} figures")


if __name__ == "__main__":
    main(sys.argv[1:])
