"""Screenshots of viz.watch's view in headless Chromium, for the docs (docs/images/watch/*.png: a
folder of their own, as they are screenshots, not pictures the docs tools or the demos draw).

- moons.png: micrograd's moons MLP after 100 steps (the demo's page, ``python -m
  demos.moons --watch``), the first watched point;
- moons_step0.png: the same page at step 0, another point;
- vanishing.png: a tanh net whose hidden biases start at 4, flagged at its first step.

Run: .venv/bin/python tools/make_watch_images.py   (needs Chromium and chromedriver:
tools/install_chromium.sh; takes about a minute, most of it training the scalar MLP)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import viz
from autograd_lite import Value
from autograd_lite.datasets import make_moons
from autograd_lite.scalar_nn import MLP
from demos import moons

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images" / "watch"


def vanishing() -> viz.Watch:
    x, t = make_moons(100, noise=0.1, seed=0)
    y = t * 2 - 1.0
    model = MLP(2, [16, 16, 16, 1], activation="tanh", seed=0)
    for layer in model.layers[:-1]:
        for n in layer.neurons:
            n.b.data = 4.0
    w = viz.watch(model, x[::10], labels=y[::10], title="A tanh net whose hidden biases start at 4")
    scores = [model([Value(a), Value(b)]) for a, b in x]
    loss = sum(((1 + -float(yi) * s).relu() for yi, s in zip(y, scores)), Value(0.0)) * (1 / len(y))
    loss.backward()
    w.record(loss)
    return w


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        raise SystemExit("needs Chromium and chromedriver: bash tools/install_chromium.sh")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--window-size=1320,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    result = moons.train(100, 100, 0, show_progress=False, watched=True)
    pages = [("moons.png", result["watch"], None),
             ("moons_step0.png", result["watch"], "step0"),
             ("vanishing.png", vanishing(), None)]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for name, w, where in pages:
                page = w.save(Path(tmp) / f"{name}.html")
                driver.get(page.as_uri())
                if where == "step0":  # the first step, the 7th watched point
                    driver.execute_script(
                        "var r = document.querySelector('.alw');"
                        "for (var i = 0; i < 6; i++) {"
                        "  r.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowDown'}));"
                        "}"
                        "r.dispatchEvent(new KeyboardEvent('keydown', {key: 'Home'}));")
                height = driver.execute_script("return document.body.scrollHeight")
                chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
                driver.set_window_size(1320, int(height) + int(chrome) + 20)
                driver.save_screenshot(str(IMAGES / name))
                print(f"wrote docs/images/watch/{name}")
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
