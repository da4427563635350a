"""A built site served on localhost and opened in headless Chromium, for the docs tests.

``open_site(html_dir)`` serves the directory with ``http.server`` in a thread, starts
Chromium through ChromeDriver (selenium) and yields a ``Site`` whose ``visit(page)`` loads a
page, waits for every image and returns a ``PageReport``: what failed to load (HTTP errors
of the page and of everything it requested, images with no pixels, console errors) and the
images it shows.

Chromium and ChromeDriver come from the system: Debian's ``chromium`` and
``chromium-driver`` packages, installed with apt-get when they are missing (the test
suite's machines run as root, or have password-less sudo).  Without them and without a
way to install them, the test fails and says what to install.
"""

import contextlib
import functools
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

PACKAGES = ("chromium", "chromium-driver")
# as root Chromium needs --no-sandbox; the rest keeps it off the network and quiet
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900")
PAGE_TIMEOUT = 60   # seconds for one page and its images

_WAIT_FOR_IMAGES = """
const done = arguments[arguments.length - 1];
const images = Array.from(document.images);
for (const img of images) { img.loading = "eager"; img.scrollIntoView(); }
Promise.all(images.map(img => img.complete ? null : new Promise(resolve => {
    img.addEventListener("load", resolve);
    img.addEventListener("error", resolve);
}))).then(() => done(images.map(img => [img.currentSrc || img.src, img.naturalWidth])));
"""


def find_chromium():
    """``(chromium, chromedriver)`` paths, or None for each one that is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    return browser, shutil.which("chromedriver")


def ensure_chromium():
    """Chromium and ChromeDriver, installed with apt-get if they are missing."""
    browser, driver = find_chromium()
    if browser and driver:
        return browser, driver
    need = " and ".join(PACKAGES)
    if shutil.which("apt-get") is None:
        pytest.fail(f"the docs browser test needs Chromium and ChromeDriver on PATH (Debian "
                    f"packages {need}); this system has no apt-get to install them",
                    pytrace=False)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if sudo and shutil.which("sudo") is None:
        pytest.fail(f"the docs browser test needs Chromium and ChromeDriver: run "
                    f"'apt-get install {' '.join(PACKAGES)}' as root", pytrace=False)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    wait = ["-o", "DPkg::Lock::Timeout=600"]
    for command in (["apt-get", *wait, "update", "-q"],
                    ["apt-get", *wait, "install", "-y", "-q", "--no-install-recommends",
                     *PACKAGES]):
        done = subprocess.run(sudo + command, env=env, capture_output=True, text=True,
                              timeout=1200)
        if done.returncode != 0:
            pytest.fail(f"the docs browser test needs Chromium and ChromeDriver, and "
                        f"'{' '.join(sudo + command)}' failed (exit {done.returncode}):\n"
                        f"{done.stderr[-3000:]}", pytrace=False)
    browser, driver = find_chromium()
    if not (browser and driver):
        pytest.fail(f"installed {need}, but chromium or chromedriver is still not on PATH",
                    pytrace=False)
    return browser, driver


@dataclass
class PageReport:
    """What one page showed: its images (URLs) and what went wrong."""
    images: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    math: int = 0


class _Handler(SimpleHTTPRequestHandler):
    def log_request(self, code="-", size="-"):
        self.server.requests.append((self.path, int(getattr(code, "value", code))))

    def log_message(self, *args):
        pass


class Site:
    """A served site and a browser to visit its pages."""

    def __init__(self, url, driver, server):
        self.url, self.driver, self.server = url, driver, server

    def visit(self, page):
        report = PageReport()
        del self.server.requests[:]
        self.driver.get(f"{self.url}/{page}")
        for src, width in self.driver.execute_async_script(_WAIT_FOR_IMAGES):
            report.images.append(src)
            if not width:
                report.problems.append(f"image did not load: {src}")
        if not self.driver.find_elements("css selector", "h1"):
            report.problems.append("the page has no title (h1)")
        report.math = len(self.driver.find_elements("css selector", "math"))
        for path, code in list(self.server.requests):
            if code >= 400:
                report.problems.append(f"HTTP {code} for {path}")
        for entry in self.driver.get_log("browser"):
            if entry["level"] == "SEVERE":
                report.problems.append(f"console error: {entry['message']}")
        return report


@contextlib.contextmanager
def open_site(directory):
    """Serve ``directory`` on localhost and open a headless Chromium; yields a Site."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, chromedriver = ensure_chromium()
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Handler, directory=str(directory)))
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    profile = tempfile.mkdtemp(prefix="sigconv-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = None
    try:
        driver = webdriver.Chrome(service=Service(executable_path=chromedriver),
                                  options=options)
        driver.set_page_load_timeout(PAGE_TIMEOUT)
        driver.set_script_timeout(PAGE_TIMEOUT)
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", driver, server)
    finally:
        if driver is not None:
            driver.quit()
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)
