"""Math as MathML, converted when the docs are built: no script, no network.

Browsers render MathML Core natively, so the pages show their formulas offline and
without loading MathJax from a CDN.  A formula the converter cannot read is a build
warning (an error under ``-W``) naming the formula and where it is.
"""

import html
import re

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)


# LaTeX the converter reads differently from TeX, rewritten first
_REWRITES = [
    (re.compile(r"(?<!\\)\\\n"), r"\\ "),       # backslash-newline: a control space
    (re.compile(r"\\arg\b"), r"\\operatorname{arg}"),  # a standard operator it lacks
]
_TEXT = re.compile(r"\\(text|mathrm|operatorname)\{([^{}]*)\}")


def tex(latex):
    """``latex`` with the rewrites above; ``\\_`` inside ``\\text{}`` is an underscore."""
    for pattern, replacement in _REWRITES:
        latex = pattern.sub(replacement, latex)
    return _TEXT.sub(_plain_underscores, latex)


def _plain_underscores(match):
    command, text = match.groups()
    return "\\" + command + "{" + text.replace("\\_", "_") + "}"


def _mathml(node, latex, display):
    try:
        mathml = convert(tex(latex), display="block" if display else "inline")
    except Exception as exc:  # the converter raises several kinds of error
        mathml, problem = None, str(exc)
    else:
        # a command the converter does not know comes out as its literal name
        left = html.unescape(re.sub(r"<[^>]+>", "", mathml))
        problem = f"unknown command in {left!r}" if "\\" in left else None
    if problem:
        logger.warning("cannot convert math %r to MathML: %s", latex, problem, location=node)
    return mathml or f'<code class="math">{html.escape(latex)}</code>'


def visit_math(self, node):
    self.body.append(f'<span class="math">{_mathml(node, node.astext(), False)}</span>')
    raise nodes.SkipNode


def visit_displaymath(self, node):
    latex = node["latex"] if "latex" in node else node.astext()
    parts = [p for p in latex.split("\n\n") if p.strip()] if not node.get("nowrap") \
        else [latex]
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number"):
        self.body.append(f'<span class="eqno">({get_node_equation_number(self, node)})</span>')
    self.body.extend(_mathml(node, part, True) for part in parts)
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
