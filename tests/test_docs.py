"""The documentation site: built with warnings as errors, and read as a user would.

The site is built once per test session (``docs_site``), from a copy of ``docs/``,
``examples/`` and the README so that the checkout is not written to and every example and
notebook runs.  The tests then read the built pages, the executed notebooks, and open every
page in headless Chromium (``docs_browser.py`` installs it with apt-get when it is missing).
All of them run on one xdist worker (``xdist_group``), which builds the site once.
"""

import ast
import importlib
import inspect
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

import sigconv

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
NOTEBOOKS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))
GUIDE = ("conventions", "cli", "distributed", "faults")             # in guide.rst
SECTIONS = ("auto_examples/index", "tutorials/index", "api/index")
GENERATED = ("_build", "auto_examples", "jupyter_execute", "sg_execution_times.rst")

pytestmark = pytest.mark.xdist_group("docs")


# ---------------------------------------------------------------------------- the build
def _shared_dir(tmp_path_factory):
    """A directory of this test run that every xdist worker sees."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _build(work):
    """Copy the sources and build them; returns the seconds the build took."""
    src = work / "src"
    shutil.copytree(ROOT / "docs", src / "docs", ignore=shutil.ignore_patterns(*GENERATED))
    shutil.copytree(ROOT / "examples", src / "examples",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "README.md", src / "README.md")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         "-d", str(work / "doctrees"), str(src / "docs"), str(work / "build" / "html")],
        cwd=src, env=env, capture_output=True, text=True, timeout=1200)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"the docs build failed (exit {done.returncode}):\n"
                           f"{done.stdout[-5000:]}\n{done.stderr[-10000:]}")
    return seconds


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory):
    """The built site, ``build/html``: built by the first test that asks for it."""
    work = _shared_dir(tmp_path_factory) / "docs-site"
    work.mkdir(exist_ok=True)
    with FileLock(str(work / "build.lock")):
        failed = work / "build.failed"
        if failed.exists():
            pytest.fail(failed.read_text(), pytrace=False)
        if not (work / "build.seconds").exists():
            try:
                seconds = _build(work)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                failed.write_text(str(exc))
                pytest.fail(str(exc), pytrace=False)
            (work / "build.seconds").write_text(f"{seconds:.1f}")
    print(f"docs built in {(work / 'build.seconds').read_text()} s")
    return work / "build" / "html"


def _text(path):
    return path.read_text(encoding="utf-8")


def test_site_builds_with_every_section(docs_site):
    for page in ("index", "guide", *GUIDE, *SECTIONS):
        assert (docs_site / f"{page}.html").is_file(), page
    index = _text(docs_site / "index.html")
    assert 'class="bd-header' in index                     # the PyData theme's header
    header = index.split('class="bd-header', 1)[1].split("</nav>", 1)[0]
    for page in ("guide", *SECTIONS):
        assert f'href="{page}.html"' in header, f"the header does not link {page}"
    guide = _text(docs_site / "guide.html")
    for page in GUIDE:
        assert f'href="{page}.html"' in guide, f"the user guide does not list {page}"


# ------------------------------------------------------------------------------- README
def _readme_commands():
    text = _text(ROOT / "README.md")
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.strip().splitlines() if line.strip()]


def test_index_gives_the_readme_commands(docs_site):
    import html
    index = html.unescape(re.sub(r"<[^>]+>", "", _text(docs_site / "index.html")))
    commands = _readme_commands()
    assert len(commands) == 2 and commands[0].startswith("python3 -m venv .venv")
    for command in commands:
        assert command in index, command
    assert "about a minute" not in index


# ---------------------------------------------------------------------------------- API
def _public_modules():
    names = ["sigconv"] + [m.name for m in pkgutil.walk_packages(sigconv.__path__, "sigconv.")]
    return [n for n in names if not any(part.startswith("_") for part in n.split("."))]


def _api_html(docs_site):
    return "\n".join(_text(p) for p in sorted((docs_site / "api").glob("*.html")))


def test_every_public_module_has_an_api_section(docs_site):
    api = _api_html(docs_site)
    headings = set(re.findall(r'<h2>\s*<code[^>]*><span class="pre">([\w.]+)</span></code>',
                              api))
    modules = _public_modules()
    assert {"sigconv.nn.functional", "sigconv.nn.init", "sigconv.definitions.pairs"} <= set(modules)
    missing = [m for m in modules if m not in headings]
    assert not missing, f"public modules without an API section: {missing}"


def test_every_exported_function_and_class_is_documented(docs_site):
    ids = set(re.findall(r'<dt class="sig sig-object py" id="([\w.]+)"', _api_html(docs_site)))
    loaded = {name: importlib.import_module(name) for name in _public_modules()}
    missing = []
    for name, module in loaded.items():
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            documented = any(f"{other}.{attr}" in ids and getattr(m, attr, None) is obj
                             for other, m in loaded.items())
            if not documented:
                missing.append(f"{name}.{attr}")
    assert not missing, f"exported but on no API page: {missing}"


def test_functional_init_and_pairs_are_documented(docs_site):
    api = _api_html(docs_site)
    for anchor in ("sigconv.nn.functional.conv", "sigconv.nn.functional.max_pool",
                   "sigconv.nn.init.gabor_bank", "sigconv.definitions.pairs.gaussians"):
        assert f'id="{anchor}"' in api, anchor


# ------------------------------------------------------------------------------ gallery
def _title(script):
    doc = ast.get_docstring(ast.parse(_text(script)))
    return doc.strip().splitlines()[0].strip()


def test_gallery_shows_every_example_with_its_figures(docs_site):
    gallery = _text(docs_site / "auto_examples" / "index.html")
    for script in EXAMPLES:
        stem = script.stem
        assert f'href="{stem}.html' in gallery, stem
        assert f"sphx_glr_{stem}_thumb.png" in gallery, stem
        page = _text(docs_site / "auto_examples" / f"{stem}.html")
        assert _title(script) in page.replace("’", "'"), stem
        figures = re.findall(rf'src="../_images/(sphx_glr_{stem}_\d+\.png)"', page)
        assert figures, f"{stem}: no figure on its page"
        for name in figures:
            data = (docs_site / "_images" / name).read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, name


# ---------------------------------------------------------------------------- notebooks
def _executed(docs_site, name):
    path = docs_site.parent / "jupyter_execute" / "tutorials" / f"{name}.ipynb"
    return json.loads(_text(path))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_was_executed_without_errors(docs_site, notebook):
    nb = _executed(docs_site, notebook.stem)
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(cells) >= 5
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
    outputs = [o for c in cells for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert len([o for o in outputs if "image/png" in o.get("data", {})]) >= 1
    page = _text(docs_site / "tutorials" / f"{notebook.stem}.html")
    assert re.search(r'<img[^>]+src="../_images/[^"]+\.png"', page)


def test_property_notebook_renders_check_tables(docs_site):
    nb = _executed(docs_site, "property_checks")
    tables = [o["data"]["text/html"] for c in nb["cells"] if c["cell_type"] == "code"
              for o in c["outputs"] if "text/html" in o.get("data", {})]
    tables = ["".join(t) if isinstance(t, list) else t for t in tables]
    assert len(tables) >= 4 and all("<table>" in t for t in tables)
    assert any("<td>NO</td>" in t for t in tables)      # the checks that must fail do
    page = _text(docs_site / "tutorials" / "property_checks.html")
    assert "identities of correlate" in page and "<td>NO</td>" in page


def test_filter_bank_notebook_shows_the_bank(docs_site):
    nb = _executed(docs_site, "filter_bank")
    images = sum("image/png" in o.get("data", {}) for c in nb["cells"]
                 if c["cell_type"] == "code" for o in c["outputs"])
    assert images >= 5
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                   for o in c["outputs"])
    assert "FilterBank(24 kernels, ndim=2)" in text


# ------------------------------------------------------------------------------ browser
def test_missing_chromium_without_apt_get_fails_with_what_to_install(monkeypatch):
    import docs_browser
    monkeypatch.setattr(docs_browser.shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception,
                       match=r"needs Chromium and ChromeDriver on PATH \(Debian packages "
                             r"chromium and chromium-driver\); this system has no apt-get"):
        docs_browser.ensure_chromium()


def test_a_failed_apt_get_install_fails_with_its_error(monkeypatch):
    import docs_browser
    calls = []

    def run(command, **kwargs):
        calls.append(command)
        failed = "install" in command
        return subprocess.CompletedProcess(command, 100 if failed else 0, "",
                                           "E: Unable to locate package chromium-driver")

    monkeypatch.setattr(docs_browser.shutil, "which",
                        lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    monkeypatch.setattr(docs_browser.os, "geteuid", lambda: 0)
    monkeypatch.setattr(docs_browser.subprocess, "run", run)
    with pytest.raises(pytest.fail.Exception,
                       match=r"(?s)'apt-get .*install -y -q --no-install-recommends chromium "
                             r"chromium-driver' failed \(exit 100\).*Unable to locate"):
        docs_browser.ensure_chromium()
    assert [c[c.index("-o") + 2] for c in calls] == ["update", "install"]


def test_every_page_loads_in_a_headless_browser(docs_site):
    from docs_browser import open_site
    pages = sorted(p.relative_to(docs_site).as_posix() for p in docs_site.rglob("*.html")
                   if not p.relative_to(docs_site).parts[0].startswith("_"))
    sections = [f"{page}.html" for page in ("index", "guide", *GUIDE, *SECTIONS)]
    assert set(sections) <= set(pages)
    with open_site(docs_site) as site:
        reports = {page: site.visit(page) for page in pages}
    problems = [f"{page}: {problem}" for page, report in reports.items()
                for problem in report.problems]
    assert not problems, "\n".join(problems)
    for script in EXAMPLES:
        report = reports[f"auto_examples/{script.stem}.html"]
        assert any(f"sphx_glr_{script.stem}_0" in src for src in report.images), script.stem
    assert len(reports["auto_examples/index.html"].images) >= len(EXAMPLES)
    for notebook in NOTEBOOKS:
        assert reports[f"tutorials/{notebook.stem}.html"].images, notebook.stem
    assert reports["conventions.html"].math > 0          # MathML rendered, no script
