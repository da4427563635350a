"""The API pages: every public module of sigconv, each object documented once.

A module is public when no part of its dotted name starts with an underscore.  Each API
page names the modules it covers with a line ``@API_MODULES pattern ...@`` (``a.b`` is
that module, ``a.b.*`` it and every module below it); the line becomes one section per
module (its docstring, then its members).  A function or class is documented in the
shortest public module that exports it (``sigconv.filters.gabor_kernel``, not
``sigconv.filters.gabor.gabor_kernel``), a constant in the outermost package that
re-exports it; the modules they come from show their docstring and say where their names
are documented.  A public module that no page covers is reported as a warning, which fails
a ``-W`` build.
"""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

from sphinx.util import logging

PLACEHOLDER = re.compile(r"^@API_MODULES ([^@]+)@$", re.M)

logger = logging.getLogger(__name__)


def public_modules(package="sigconv"):
    """Dotted names of the public modules of ``package`` (the package first)."""
    root = importlib.import_module(package)
    names = [package] + [m.name for m in pkgutil.walk_packages(root.__path__, package + ".")]
    return [n for n in names if not any(part.startswith("_") for part in n.split("."))]


def exported(module):
    """The names a module offers: its ``__all__``, else the public functions and classes
    defined in it (submodules are not objects to document)."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, obj in vars(module).items() if not n.startswith("_")
                 and (inspect.isfunction(obj) or inspect.isclass(obj))
                 and obj.__module__ == module.__name__]
    return [n for n in names if not inspect.ismodule(getattr(module, n, None))]


def homes(modules):
    """``{(module, name): home}``: where each exported object is documented."""
    loaded = {name: importlib.import_module(name) for name in modules}
    order = sorted(loaded, key=lambda n: (n.count("."), n))
    result = {}
    for name in modules:
        for attr in exported(loaded[name]):
            obj = getattr(loaded[name], attr)
            # a constant equal to another module's (small ints are shared) is the same
            # object only when a package re-exports it from below
            shared = inspect.isfunction(obj) or inspect.isclass(obj)
            result[name, attr] = next(
                m for m in order if attr in exported(loaded[m])
                and getattr(loaded[m], attr) is obj
                and (shared or m == name or name.startswith(m + ".")))
    return result


def section(module, members, elsewhere, *, index=True):
    """The reST of one module: title, docstring, members (or where they are).

    ``index=False`` for a module named like a documented object (``sigconv.fft.backend``
    is a module and also the function ``backend`` of ``sigconv.fft``): the object keeps
    the name for cross-references, and the module's members are documented one by one."""
    title = f"``{module}``"
    lines = [title, "-" * len(title), "", f".. automodule:: {module}"]
    if index:
        lines += [f"   :members: {', '.join(members)}"] if members else ["   :no-members:"]
    else:
        lines += ["   :no-members:", "   :no-index:", ""]
        for name in members:
            obj = getattr(importlib.import_module(module), name)
            lines += [f".. {_directive(obj)}:: {module}.{name}"]
            lines += ["   :members:", ""] if inspect.isclass(obj) else [""]
    lines.append("")
    if elsewhere:
        where = ", ".join(f":mod:`{m}`" for m in sorted(set(elsewhere.values())))
        lines += [f"Its other public names are documented with {where}."
                  if members else f"Its public names are documented with {where}.", ""]
    return lines


def _directive(obj):
    if inspect.isclass(obj):
        return "autoexception" if issubclass(obj, BaseException) else "autoclass"
    return "autofunction" if callable(obj) else "autodata"


def page_text(patterns, modules, home, explicit):
    """The sections of every public module that ``patterns`` name."""
    lines = []
    objects = {f"{h}.{n}" for (_, n), h in home.items()}
    for module in modules:
        if not under(module, patterns):
            continue
        names = explicit.get(module) or [n for (m, n), h in home.items()
                                         if m == module and h == module]
        elsewhere = {n: h for (m, n), h in home.items() if m == module and h != module}
        lines += section(module, names, {} if module in explicit else elsewhere,
                         index=module not in objects)
    return "\n".join(lines)


def covered_patterns(srcdir):
    """The module patterns named by the ``@API_MODULES ...@`` lines under ``srcdir``."""
    found = set()
    for path in Path(srcdir).rglob("*.rst"):
        if "_build" in path.parts:
            continue
        for match in PLACEHOLDER.finditer(path.read_text(encoding="utf-8")):
            found.update(match.group(1).split())
    return found


def under(module, patterns):
    """Whether a pattern names ``module``: ``a.b`` names that module, ``a.b.*`` it and
    every module below it."""
    return any(module == p.removesuffix(".*")
               or (p.endswith(".*") and module.startswith(p[:-1])) for p in patterns)


def setup(app):
    app.add_config_value("api_members", {}, "env")
    state = {}

    def start(app):
        state["modules"] = modules = public_modules()
        state["home"] = homes(modules)
        missing = [m for m in modules if not under(m, covered_patterns(app.srcdir))]
        if missing:
            logger.warning("public modules without an API page: %s; name them in an "
                           "@API_MODULES line in docs/api/", ", ".join(missing))

    def fill(app, docname, source):
        source[0] = PLACEHOLDER.sub(
            lambda match: page_text(match.group(1).split(), state["modules"], state["home"],
                                    app.config.api_members), source[0])

    app.connect("builder-inited", start)
    app.connect("source-read", fill)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
