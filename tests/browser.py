"""The headless Chromium the browser tests drive (selenium + chromedriver): one harness.

A test module imports what it needs from here and skips, with the reason, where Chromium,
chromedriver or selenium are missing (install them with tools/install_chromium.sh).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the 'test' extra)")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="Chromium and chromedriver are not installed (bash tools/install_chromium.sh)")


@contextmanager
def chromium(width: int = 1400, height: int = 1200) -> Iterator[Any]:
    """A headless Chromium with its own profile, logging the console and the network."""
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="autograd-lite-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--window-size={width},{height}", f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    d.get("about:blank")  # leave the browser's own start page before any test looks at the logs
    try:
        yield d
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver: Any, path: Path) -> None:
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())


def assert_clean(driver: Any, path: Path) -> None:
    """No console error, and the page requests nothing but itself (its CSP forbids the rest).

    Requests are those of the performance log made for our document; the browser's own
    internal pages (``chrome://``) are not the page's and are left out.
    """
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    page = path.resolve().as_uri()
    ours, network = [], []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] != "Network.requestWillBeSent":
            continue
        url = msg["params"]["request"]["url"]
        if msg["params"].get("documentURL") == page:
            ours.append(url)
        if url.split(":", 1)[0] in ("http", "https", "ws", "wss", "ftp"):
            network.append(url)
    assert page in ours and {u for u in ours if not u.startswith("data:")} == {page}, ours
    assert network == [], network
