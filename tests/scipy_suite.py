"""Run scipy's own test modules against sigconv's drop-in functions.

scipy ships its tests.  :func:`load` executes a fresh copy of one of them (say
``scipy.ndimage.tests.test_filters``) in which the module it tests (``scipy.ndimage``) is
replaced by a *shim*: the named functions are sigconv's, every other attribute is
scipy's.  The replacement happens in the copy's own imports (``from scipy import
ndimage``, ``import scipy.ndimage as ndi``, ``from scipy.ndimage import correlate1d``), so
nothing outside the copy changes.  :meth:`Suite.export` then hands pytest the tests that
exercise the named functions, with the fixtures scipy's conftest would have provided,
and marks the known differences as strict xfails.

Use from a test module::

    from scipy_suite import load
    SUITE = load("scipy.ndimage.tests.test_filters", "scipy.ndimage", sigconv.ndimage,
                 ["correlate", "convolve"], xfail={"test_name[numpy-case]": "reason"})
    globals().update(SUITE.export())
"""

import ast
import builtins
import importlib
import importlib.util
import inspect
import re
import types
import warnings

import numpy as np
import pytest


class Overlay(types.ModuleType):
    """A stand-in for ``base`` whose attributes in ``replaced`` differ; the rest
    forwards to ``base``."""

    def __init__(self, base, replaced):
        super().__init__(base.__name__, base.__doc__)
        self.__dict__.update(replaced)
        self.__dict__["_base"] = base

    def __getattr__(self, name):
        return getattr(self.__dict__["_base"], name)


class Suite:
    """A loaded copy of a scipy test module with ``target`` replaced (see :func:`load`)."""

    def __init__(self, module, target, names, originals, xfail, skip_marks):
        self.module = module
        self.target = target
        self.names = frozenset(names)
        self.originals = originals          # sigconv function -> the scipy function
        self.xfail = dict(xfail)
        self.skip_marks = frozenset(skip_marks)

    # -- selection -----------------------------------------------------------------------

    def uses(self):
        """``{test name: names of the replaced module it refers to}`` for every test
        (``test_*`` function, ``Test*.test_*`` method), following calls to the module's
        helper functions and to ``self.<method>``."""
        tree = ast.parse(inspect.getsource(self.module))
        aliases, bare = _aliases(tree, self.target)
        direct, calls = {}, {}
        for qual, node in _functions(tree):
            direct[qual], calls[qual] = _references(node, aliases, bare)
        resolved = {}
        for qual in direct:
            seen, todo, refs = {qual}, [qual], set()
            while todo:
                q = todo.pop()
                refs |= direct[q]
                cls = q.rpartition(".")[0]
                for name in calls[q]:
                    for cand in (name, f"{cls}.{name}" if cls else name):
                        if cand in direct and cand not in seen:
                            seen.add(cand)
                            todo.append(cand)
            resolved[qual] = refs
        return {q: r for q, r in resolved.items() if q.rpartition(".")[2].startswith("test")}

    def selected(self):
        """Names of the tests that refer to at least one replaced function and carry
        none of ``skip_marks``."""
        chosen = []
        for qual, refs in self.uses().items():
            cls, _, name = qual.rpartition(".")
            owner = getattr(self.module, cls) if cls else self.module
            marks = getattr(owner, "pytestmark", []) if cls else []
            marks = list(marks) + list(getattr(getattr(owner, name), "pytestmark", []))
            if refs & self.names and not any(m.name in self.skip_marks for m in marks):
                chosen.append(qual)
        return sorted(chosen)

    def export(self):
        """The selected tests (classes keep only their selected methods) and the fixtures
        they need, as a namespace for the calling test module."""
        chosen = self.selected()
        out = {"xp": xp, "num_parallel_threads": num_parallel_threads,
               "_scipy_suite_xfail": self._xfail_fixture()}
        by_class = {}
        for qual in chosen:
            cls, _, name = qual.rpartition(".")
            by_class.setdefault(cls, []).append(name)
        for cls_name, tests in by_class.items():
            if not cls_name:
                for name in tests:
                    out[name] = self._trim(getattr(self.module, name))
                continue
            cls = getattr(self.module, cls_name)
            for attr in list(vars(cls)):
                if attr.startswith("test") and attr not in tests:
                    delattr(cls, attr)
            for name in tests:
                setattr(cls, name, self._trim(vars(cls)[name]))
            out[cls_name] = cls
        return out

    def _trim(self, func):
        """``func`` with parametrize cases dropped that carry one of ``skip_marks`` or
        pass a function of the replaced module that is not replaced (those test scipy,
        not sigconv)."""
        marks = getattr(func, "pytestmark", [])
        new = []
        for mark in marks:
            if mark.name == "parametrize":
                mark = self._trim_parametrize(mark)
            new.append(mark)
        if marks:
            func.pytestmark = new
        return func

    def _trim_parametrize(self, mark):
        argnames, argvalues = mark.args[0], list(mark.args[1])
        ids = mark.kwargs.get("ids")
        keep = [i for i, v in enumerate(argvalues)
                if not self._tests_scipy_only(v)
                and not any(m.name in self.skip_marks for m in getattr(v, "marks", ()))]
        if len(keep) == len(argvalues) and isinstance(mark.args[1], (list, tuple)):
            return mark
        kwargs = dict(mark.kwargs)
        if isinstance(ids, (list, tuple)):
            kwargs["ids"] = [ids[i] for i in keep]
        return pytest.mark.parametrize(argnames, [argvalues[i] for i in keep], **kwargs).mark

    def _tests_scipy_only(self, value):
        values = value.values if hasattr(value, "marks") else \
            value if isinstance(value, (tuple, list)) else (value,)
        target = importlib.import_module(self.target)
        funcs = [v for v in values if callable(v) and not isinstance(v, type)]
        from_target = [f for f in funcs if getattr(target, getattr(f, "__name__", ""), None) is f]
        return bool(from_target) and not any(f in self.originals for f in funcs)

    # -- known differences ---------------------------------------------------------------

    def _xfail_fixture(self):
        table = [(re.compile(pattern), reason) for pattern, reason in self.xfail.items()]

        @pytest.fixture(autouse=True)
        def _mark_known_differences(request):
            for pattern, reason in table:
                if pattern.fullmatch(request.node.name):
                    request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
                    break
            yield

        return _mark_known_differences


def load(module_name, target, replacement, names, *, xfail=None,
         skip_marks=("slow", "xslow")):
    """A :class:`Suite`: scipy test module ``module_name`` executed with ``target`` (a
    module name such as ``'scipy.ndimage'``) replaced by a shim whose ``names`` come from
    ``replacement`` and whose other attributes are ``target``'s.

    ``xfail`` maps regular expressions on test node names (``'test_x\\[numpy-int8\\]'``)
    to the documented reason of a known difference; matching tests are strict xfails.
    Tests and parametrized cases marked with one of ``skip_marks`` are left out (scipy's
    default test run leaves out those marked slow, and xslow ones need SCIPY_XSLOW).
    """
    real = importlib.import_module(target)
    ours = {name: getattr(replacement, name) for name in names}
    originals = {ours[name]: getattr(real, name) for name in names}
    shim = Overlay(real, ours)
    overlays = {target: shim, "scipy._lib._array_api": _array_api_overlay(originals)}
    spec = importlib.util.find_spec(module_name)
    module = importlib.util.module_from_spec(spec)
    module.__builtins__ = dict(vars(builtins), __import__=_importer(overlays))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        spec.loader.exec_module(module)
    return Suite(module, target, names, originals, xfail or {}, skip_marks)


def _importer(overlays):
    """An ``__import__`` that returns the overlays in place of the modules they stand
    for, in every form of the import statement."""
    real_import = builtins.__import__

    def wrap(module, prefix):
        # ``module`` (named ``prefix``) with its overlaid submodules swapped in
        inner = {k[len(prefix) + 1:].partition(".")[0] for k in overlays
                 if k.startswith(prefix + ".")}
        if not inner:
            return module
        return Overlay(module, {n: overlays.get(f"{prefix}.{n}") or
                                wrap(getattr(module, n), f"{prefix}.{n}") for n in inner})

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        absolute = importlib.util.resolve_name("." * level + name,
                                               (globals or {}).get("__package__")) \
            if level else name
        module = real_import(name, globals, locals, fromlist, level)
        if fromlist:
            if absolute in overlays:
                return overlays[absolute]
            return wrap(module, absolute)
        top = absolute.partition(".")[0]
        return wrap(module, top)

    return __import__


def _array_api_overlay(originals):
    """scipy's array-API test helpers, reading the capabilities of sigconv's functions
    from the scipy functions they replace."""
    from scipy._lib import _array_api as real

    def orig(func):
        return originals.get(func, func)

    def make_xp_pytest_marks(*funcs, capabilities_table=None):
        return real.make_xp_pytest_marks(*map(orig, funcs),
                                         capabilities_table=capabilities_table)

    def make_xp_test_case(*funcs, capabilities_table=None):
        return real.make_xp_test_case(*map(orig, funcs), capabilities_table=capabilities_table)

    def make_xp_pytest_param(func, *args, capabilities_table=None):
        marks = make_xp_pytest_marks(func, capabilities_table=capabilities_table)
        return pytest.param(func, *args, marks=marks, id=func.__name__)

    return Overlay(real, dict(make_xp_pytest_marks=make_xp_pytest_marks,
                              make_xp_test_case=make_xp_test_case,
                              make_xp_pytest_param=make_xp_pytest_param))


# -- static analysis of the test module ------------------------------------------------------

def _aliases(tree, target):
    """(names bound to the ``target`` module, {bare name: target attribute})."""
    parent, _, child = target.rpartition(".")
    aliases, bare = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            for a in node.names:
                if node.module == parent and a.name == child:
                    aliases.add(a.asname or a.name)
                elif node.module == target:
                    bare[a.asname or a.name] = a.name
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == target and a.asname:
                    aliases.add(a.asname)
    return aliases, bare


def _functions(tree):
    """(qualified name, node) of module-level functions and of class methods."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{item.name}", item


def _references(node, aliases, bare):
    """(target attributes ``node`` refers to, names it may call: plain names and
    ``self.<name>``), decorators included."""
    refs, calls = set(), set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            if sub.value.id in aliases:
                refs.add(sub.attr)
            elif sub.value.id == "self":
                calls.add(sub.attr)
        elif isinstance(sub, ast.Name):
            if sub.id in bare:
                refs.add(bare[sub.id])
            calls.add(sub.id)
    return refs, calls


# -- the fixtures scipy's conftest provides ------------------------------------------------

@pytest.fixture(params=[pytest.param(np, id="numpy")])
def xp(request):
    """numpy, through scipy's array-API namespace, honouring the ``skip_xp_backends`` and
    ``xfail_xp_backends`` marks that name numpy."""
    from scipy._lib._array_api import array_namespace
    for kind in ("skip", "xfail"):
        for mark in request.node.iter_markers(f"{kind}_xp_backends"):
            if mark.args and mark.args[0] == "numpy":
                getattr(pytest, kind)(reason=mark.kwargs.get("reason") or "numpy")
    return array_namespace(request.param.empty(0))


@pytest.fixture
def num_parallel_threads():
    return 1
