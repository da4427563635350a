"""The documentation site: built with warnings as errors, and read as a user would.

``test_docs_site`` builds the site once, from a copy of ``docs/``, ``examples/`` and the
README (so the checkout is not written to and every example and notebook runs), then reads
the built pages and the executed notebooks and opens every page in headless Chromium
(``docs_browser.py``; it installs Chromium with apt-get when it is missing).  It is one test
so that one xdist worker builds the site once; each ``check_*`` below returns what it found
wrong, and the test lists every problem of every check.
"""

import ast
import html
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

import sigconv

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
NOTEBOOKS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))
GUIDE = ("conventions", "pipeline", "migration", "cli", "distributed", "faults")  # guide.rst
SECTIONS = ("auto_examples/index", "tutorials/index", "api/index")   # beside the guide
GENERATED = ("_build", "auto_examples", "jupyter_execute", "sg_execution_times.rst")


def build(work):
    """Copy the sources into ``work`` and build them; returns the HTML directory."""
    src = work / "src"
    shutil.copytree(ROOT / "docs", src / "docs", ignore=shutil.ignore_patterns(*GENERATED))
    shutil.copytree(ROOT / "examples", src / "examples",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "README.md", src / "README.md")
    out = work / "build" / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         "-d", str(work / "doctrees"), str(src / "docs"), str(out)],
        cwd=src, env={**os.environ, "MPLBACKEND": "Agg"}, capture_output=True, text=True,
        timeout=1200)
    if done.returncode != 0:
        pytest.fail(f"the docs build failed (exit {done.returncode}):\n"
                    f"{done.stdout[-5000:]}\n{done.stderr[-10000:]}", pytrace=False)
    return out


def text(path):
    return path.read_text(encoding="utf-8")


def visible_text(path):
    return html.unescape(re.sub(r"<[^>]+>", "", text(path)))


# ---------------------------------------------------------------------------- sections
def check_sections(site):
    problems = [f"{page}.html was not built" for page in ("index", "guide", *GUIDE, *SECTIONS)
                if not (site / f"{page}.html").is_file()]
    index = text(site / "index.html")
    if 'class="bd-header' not in index:
        return problems + ["index.html has no PyData-theme header"]
    header = index.split('class="bd-header', 1)[1].split("</nav>", 1)[0]
    problems += [f"the header does not link {page}" for page in ("guide", *SECTIONS)
                 if f'href="{page}.html"' not in header]
    guide = text(site / "guide.html")
    return problems + [f"the user guide does not list {page}" for page in GUIDE
                       if f'href="{page}.html"' not in guide]


def readme_commands():
    block = text(ROOT / "README.md").split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.strip().splitlines() if line.strip()]


def check_readme_commands(site):
    commands = readme_commands()
    index = visible_text(site / "index.html")
    problems = [] if len(commands) == 2 and commands[0].startswith("python3 -m venv .venv") \
        else [f"the README's first code block is not the two set-up commands: {commands}"]
    problems += [f"index.html lacks the README command {c!r}" for c in commands
                 if c not in index]
    return problems + (["index.html says the demo takes about a minute"]
                       if "about a minute" in index else [])


# --------------------------------------------------------------------------------- API
def public_modules():
    names = ["sigconv"] + [m.name for m in pkgutil.walk_packages(sigconv.__path__, "sigconv.")]
    return [n for n in names if not any(part.startswith("_") for part in n.split("."))]


def api_html(site):
    return "\n".join(text(p) for p in sorted((site / "api").glob("*.html")))


def check_api_modules(site):
    headings = set(re.findall(r'<h2>\s*<code[^>]*><span class="pre">([\w.]+)</span></code>',
                              api_html(site)))
    modules = public_modules()
    problems = [f"{m} is not among the public modules" for m in
                ("sigconv.nn.functional", "sigconv.nn.init", "sigconv.definitions.pairs")
                if m not in modules]
    return problems + [f"public module {m} has no API section" for m in modules
                       if m not in headings]


def check_api_objects(site):
    """Every function and class a public module exports is documented under some public
    module that exports the same object."""
    api = api_html(site)
    ids = set(re.findall(r'<dt class="sig sig-object py" id="([\w.]+)"', api))
    loaded = {name: importlib.import_module(name) for name in public_modules()}
    problems = []
    for name, module in loaded.items():
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and not any(
                    f"{other}.{attr}" in ids and getattr(m, attr, None) is obj
                    for other, m in loaded.items()):
                problems.append(f"{name}.{attr} is exported but on no API page")
    for anchor in ("sigconv.nn.functional.conv", "sigconv.nn.functional.max_pool",
                   "sigconv.nn.init.gabor_bank", "sigconv.definitions.pairs.gaussians",
                   "sigconv.convolve", "sigconv.distributed.convolve"):
        if anchor not in ids:
            problems.append(f"{anchor} is not documented")
    return problems


# ----------------------------------------------------------------------------- gallery
def title(script):
    return ast.get_docstring(ast.parse(text(script))).strip().splitlines()[0].strip()


def check_gallery(site):
    gallery = text(site / "auto_examples" / "index.html")
    problems = []
    for script in EXAMPLES:
        stem = script.stem
        if f'href="{stem}.html' not in gallery or f"sphx_glr_{stem}_thumb.png" not in gallery:
            problems.append(f"the gallery has no thumbnail linking {stem}")
        page = text(site / "auto_examples" / f"{stem}.html")
        if title(script) not in visible_text(site / "auto_examples" / f"{stem}.html") \
                .replace("\u2019", "'"):
            problems.append(f"{stem}.html lacks the title {title(script)!r}")
        figures = re.findall(rf'src="../_images/(sphx_glr_{stem}_\d+\.png)"', page)
        if not figures:
            problems.append(f"{stem}.html shows no figure")
        for name in figures:
            data = (site / "_images" / name).read_bytes()
            if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 5000:
                problems.append(f"{name} is not a real PNG figure ({len(data)} bytes)")
    return problems


# --------------------------------------------------------------------------- notebooks
def executed(site, name):
    return json.loads(text(site.parent / "jupyter_execute" / "tutorials" / f"{name}.ipynb"))


def outputs(nb, key):
    """The ``key`` data (e.g. 'image/png') or stream text of every code cell's outputs."""
    found = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            value = out.get("text") if key == "stream" else out.get("data", {}).get(key)
            if value is not None:
                found.append("".join(value) if isinstance(value, list) else value)
    return found


def check_notebooks(site):
    problems = []
    for notebook in NOTEBOOKS:
        nb = executed(site, notebook.stem)
        cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
        if [c["execution_count"] for c in cells] != list(range(1, len(cells) + 1)):
            problems.append(f"{notebook.name}: not every cell ran, in order")
        if any(o["output_type"] == "error" for c in cells for o in c["outputs"]):
            problems.append(f"{notebook.name}: a cell raised")
        if not outputs(nb, "image/png"):
            problems.append(f"{notebook.name}: no figure")
        page = text(site / "tutorials" / f"{notebook.stem}.html")
        if not re.search(r'<img[^>]+src="../_images/[^"]+\.png"', page):
            problems.append(f"tutorials/{notebook.stem}.html shows no figure")
    tables = outputs(executed(site, "property_checks"), "text/html")
    if len(tables) < 4 or not all("<table>" in t for t in tables) \
            or not any("<td>NO</td>" in t for t in tables):
        problems.append("property_checks: fewer than 4 check tables, or none that fails")
    bank = executed(site, "filter_bank")
    if len(outputs(bank, "image/png")) < 5 \
            or "FilterBank(24 kernels, ndim=2)" not in "".join(outputs(bank, "stream")):
        problems.append("filter_bank: the bank's table or its five figures are missing")
    return problems


# ----------------------------------------------------------------------------- browser
def check_in_browser(site):
    from docs_browser import open_site
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if not p.relative_to(site).parts[0].startswith("_"))
    problems = [f"{page}.html was not built" for page in ("index", "guide", *GUIDE, *SECTIONS)
                if f"{page}.html" not in pages]
    with open_site(site) as browser:
        reports = {page: browser.visit(page) for page in pages}
    problems += [f"{page}: {p}" for page, report in reports.items() for p in report.problems]
    for script in EXAMPLES:
        shown = reports[f"auto_examples/{script.stem}.html"].images
        if not any(f"sphx_glr_{script.stem}_0" in src for src in shown):
            problems.append(f"auto_examples/{script.stem}.html: no figure seen in the browser")
    if len(reports["auto_examples/index.html"].images) < len(EXAMPLES):
        problems.append("auto_examples/index.html: fewer thumbnails than examples")
    problems += [f"tutorials/{nb.stem}.html: no figure seen in the browser"
                 for nb in NOTEBOOKS if not reports[f"tutorials/{nb.stem}.html"].images]
    if not reports["conventions.html"].math:
        problems.append("conventions.html: no MathML formula")
    print(f"{len(pages)} pages, {sum(len(r.images) for r in reports.values())} images")
    return problems


CHECKS = (check_sections, check_readme_commands, check_api_modules, check_api_objects,
          check_gallery, check_notebooks, check_in_browser)


def test_docs_site(tmp_path):
    start = time.perf_counter()
    site = build(tmp_path)
    print(f"built in {time.perf_counter() - start:.0f} s")
    problems = []
    for check in CHECKS:
        start = time.perf_counter()
        problems += [f"{check.__name__}: {p}" for p in check(site)]
        print(f"{check.__name__}: {time.perf_counter() - start:.1f} s")
    assert not problems, "\n".join(problems)


# ------------------------------------------------- the browser set-up, when it cannot run
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
