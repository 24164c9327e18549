"""The page lays the graph out once: in headless Chromium, every step keeps every box, op and edge
where it was, and the texts a step changes stay inside their boxes.  The moons MLP's loss on
one point (984 values, the page's picture sent compressed) steps like a small graph.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
from graphs import apple_orange
from test_page_browser import (  # noqa: F401  (fixture, marks)
    assert_clean,
    check_step,
    driver,
    node_ids,
    open_page,
    pytestmark,
)

import viz
from autograd_lite import Value, explain
from autograd_lite.datasets import make_moons
from autograd_lite.scalar_nn import MLP

# Where every shape is drawn (box, op, edge, arrowhead), and whether each grad and flow text sits
# inside the box that holds it.
_GEOMETRY = """
var svg = document.querySelector('.frame svg'), at = svg.getBoundingClientRect();
var out = {svgs: document.querySelectorAll('svg').length, shapes: [], outside: [],
           svg: [Math.round(at.x), Math.round(at.y + window.scrollY)]};
var shapes = document.querySelectorAll('.frame g.node > path, .frame g.node > polygon, '
  + '.frame g.node > ellipse, .frame g.edge > path, .frame g.edge > polygon, .frame g.node > a > path, '
  + '.frame g.node > g > a > path, .frame g.node > g > a > ellipse');
for (var i = 0; i < shapes.length; i++) {
  var b = shapes[i].getBoundingClientRect();
  out.shapes.push([Math.round((b.x - at.x) * 10), Math.round((b.y - at.y) * 10), Math.round(b.width * 10),
                   Math.round(b.height * 10)].join(','));
}
var boxes = document.querySelectorAll('.frame g.node[id^="v"]');
for (var j = 0; j < boxes.length; j++) {
  var shape = boxes[j].querySelector('path, polygon');
  var text = boxes[j].querySelector('g[id^="a_g"] text');
  if (!shape || !text) { continue; }
  var outer = shape.getBBox(), n = text.getNumberOfChars();  // glyph advances, not ink
  var left = text.getStartPositionOfChar(0).x, right = text.getEndPositionOfChar(n - 1).x;
  if (left < outer.x || right > outer.x + outer.width) {
    out.outside.push(boxes[j].id + ': ' + text.textContent);
  }
}
return out;
"""


def wait_ready(driver: Any) -> None:  # noqa: F811  (the fixture's name)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(
        lambda d: d.find_element("tag name", "body").get_attribute("data-step") is not None)


def go(driver: Any, k: int) -> None:  # noqa: F811
    slider = driver.find_element("id", "slider")
    driver.execute_script("arguments[0].value = String(arguments[1]); "
                          "arguments[0].dispatchEvent(new Event('input'));", slider, k)


def moons_loss(sizes: List[int]) -> Any:
    X, y = make_moons(100, noise=0.1, seed=1)
    model = MLP(2, sizes, seed=0)
    x = [Value(float(v), label=f"x{i}") for i, v in enumerate(X[0].tolist(), 1)]
    loss = (1 + -(2 * int(y[0]) - 1) * model(x)).relu()
    loss.label = "loss"
    loss.backward()
    return loss


def visit(driver: Any, root: Any, path: Path, ks: List[int]) -> None:  # noqa: F811
    """Step to each of ``ks``: the step is right (hot node, grads) and nothing moved."""
    ex = explain(root, replay=True)
    ids = node_ids(root)
    open_page(driver, path)
    wait_ready(driver)
    first: Dict[str, Any] = driver.execute_script(_GEOMETRY)
    assert first["svgs"] == 1 and len(first["shapes"]) > len(ids)
    for k in ks:
        go(driver, k)
        check_step(driver, ex, k, ids)
        now = driver.execute_script(_GEOMETRY)
        assert now["shapes"] == first["shapes"], k  # every box, op and edge where it was
        assert now["svg"] == first["svg"], k  # and the picture too (the chain rule's lines above it)
        assert now["outside"] == [], (k, now["outside"][:5])
    assert_clean(driver, path)


LAYOUTS = pytest.mark.parametrize("layout", ["dot", "browser"])  # browser: the vendored Graphviz


@LAYOUTS
def test_every_step_of_a_small_page_keeps_the_layout(driver: Any, tmp_path: Path,  # noqa: F811
                                                      layout: str) -> None:
    price = apple_orange()["price"]
    path = viz.render_html(price, tmp_path / "apples.html", layout=layout)
    visit(driver, price, path, [0, 1, 2, 3, 4, 2, 0])


@LAYOUTS
def test_a_2_4_4_1_mlp_steps_on_one_layout(driver: Any, tmp_path: Path, layout: str) -> None:  # noqa: F811
    loss = moons_loss([4, 4, 1])
    path = viz.render_html(loss, tmp_path / "mlp.html", layout=layout)
    n = len(explain(loss, replay=True).steps)
    visit(driver, loss, path, [0, 1, 2, 3, n // 2, n - 1, n, 5])


def test_the_moons_mlp_loss_on_one_point_steps_on_one_layout(driver: Any, tmp_path: Path) -> None:  # noqa: F811
    loss = moons_loss([16, 16, 1])
    path = viz.render_html(loss, tmp_path / "moons.html")
    assert 'id="autograd-lite-svg"' in path.read_text(encoding="utf-8")  # sent compressed
    n = len(explain(loss, replay=True).steps)
    assert n > 600
    visit(driver, loss, path, [0, 1, 2, 40, n // 2, n - 1, n, 3])


def test_the_moons_mlp_page_lays_out_in_the_browser_without_dot(driver: Any, tmp_path: Path) -> None:  # noqa: F811
    loss = moons_loss([16, 16, 1])
    path = viz.render_html(loss, tmp_path / "moons.html", layout="browser")
    assert path.stat().st_size < 3_000_000
    start = time.monotonic()
    n = len(explain(loss, replay=True).steps)
    visit(driver, loss, path, [0, 1, n // 2, n])
    print(f"moons page laid out in the browser and stepped in {time.monotonic() - start:.1f} s")


def test_a_picture_in_a_notebook_without_dot_is_drawn_by_the_vendored_graphviz(
        driver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot: the notebook's picture is laid out in the browser
    price = apple_orange()["price"]
    cell = viz.draw(price)._repr_mimebundle_()["text/html"]
    monkeypatch.undo()
    wrapper = tmp_path / "notebook_cell.html"
    head = '<head><meta charset="utf-8"></head>'  # a notebook's page is UTF-8
    wrapper.write_text(f"<!DOCTYPE html><html>{head}<body>{cell}</body></html>", encoding="utf-8")
    open_page(driver, wrapper)
    driver.switch_to.frame(driver.find_element("tag name", "iframe"))
    try:
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(driver, 60).until(
            lambda d: d.find_element("tag name", "body").get_attribute("data-ready") == "1")
        texts = driver.execute_script("return Array.from(document.querySelectorAll('svg text'))"
                                      ".map(function (t) { return t.textContent; });")
        assert {"price", "apple", "715", "650"} <= set(texts)  # the labels drawn in full: names, data, grads
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        assert errors == []
    finally:
        driver.switch_to.default_content()
