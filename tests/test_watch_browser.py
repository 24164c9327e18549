"""viz.watch's HTML view in a real headless Chromium: scrub steps and points, read what it
shows against the model's own numbers, no console errors, no network, nothing moves.

Skips, with the reason, where Chromium, chromedriver or selenium are missing
(install them with tools/install_chromium.sh).  No Graphviz is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import numpy as np
import pytest
from browser import assert_clean, chromium, needs_chromium, open_page

import viz
from autograd_lite import Value, fmt, optim
from autograd_lite.scalar_nn import MLP

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with chromium(1400, 1400) as d:
        yield d


_READ = """
var root = document.querySelector('.alw'), out = {step: root.getAttribute('data-step'),
  point: root.getAttribute('data-point'), boxes: {}, edges: {}, where: [],
  label: root.querySelector('.alw-step-label').textContent, loss: root.querySelector('.alw-loss').textContent,
  flags: [], cursor: root.querySelector('.alw-cursor').getAttribute('x1'),
  lines: root.querySelectorAll('.alw-norm').length};
root.querySelectorAll('.alw-flag').forEach(function (f) { out.flags.push(f.textContent); });
root.querySelectorAll('g.u').forEach(function (g) {
  var r = g.querySelector('rect');
  out.boxes[g.id] = {val: g.querySelector('text.val').textContent, cls: g.getAttribute('class')};
  out.where.push([g.id, r.getAttribute('x'), r.getAttribute('y')]);
});
root.querySelectorAll('line.e').forEach(function (e) {
  out.edges[e.id] = {title: e.querySelector('title').textContent, width: e.getAttribute('stroke-width')};
  out.where.push([e.id, e.getAttribute('x1'), e.getAttribute('y1'), e.getAttribute('x2'),
                  e.getAttribute('y2')]);
});
return out;
"""


def trained(steps: int = 5) -> Tuple[Any, np.ndarray, List[Dict[str, Any]]]:
    """A 2-4-4-1 MLP trained with a watch; beside it, the test's own copies of every step's numbers."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 2))
    y = np.where(x[:, 0] > 0, 1.0, -1.0)
    model = MLP(2, [4, 4, 1], seed=3)
    w = viz.watch(model, x, labels=y)
    opt = optim.SGD(model.parameters(), lr=0.5)
    truth: List[Dict[str, Any]] = []
    for _ in range(steps):
        scores = [model([Value(float(a)), Value(float(b))]) for a, b in x]
        loss = sum(((1 + -float(t) * s).relu() for t, s in zip(y, scores)), Value(0.0)) * 0.2
        opt.zero_grad()
        loss.backward()
        w.record(loss)
        edges, boxes = {}, {}
        for li, layer in enumerate(model.layers):
            for j, n in enumerate(layer.neurons):
                for i, p in enumerate(n.w):
                    edges[f"e{li}-{i}-{j}"] = f"{p.label} = {fmt(p.data, 6)}, grad {fmt(p.grad, 6)}"
        for k, row in enumerate(x):  # each point through the model's own neurons
            inputs: Any = [Value(float(v)) for v in row]
            for li, layer in enumerate(model.layers):
                outs = [n(inputs) for n in layer.neurons]
                for j, (n, o) in enumerate(zip(layer.neurons, outs)):
                    z = o.data if n.activation == "linear" else o._a.data  # relu(z): its parent is z
                    boxes[(k, f"u{li + 1}-{j}")] = (f"a = {fmt(o.data, 4)}" if n.activation == "linear"
                                                    else f"z {fmt(z, 4)} a {fmt(o.data, 4)}")
                inputs = outs
        truth.append({"loss": fmt(loss.data, 6), "edges": edges, "boxes": boxes})
        opt.step()
    return w, x, truth


def test_scrub_steps_and_points_shows_the_models_numbers_on_a_fixed_layout(driver: Any,
                                                                           tmp_path: Path) -> None:
    w, x, truth = trained()
    path = w.save(tmp_path / "watch.html")
    open_page(driver, path)
    first = driver.execute_script(_READ)
    last = len(truth) - 1
    assert first["step"] == str(last) and first["label"] == f"Step {last} (recorded {last + 1} of {last + 1})"
    assert first["lines"] == 3  # one gradient-norm line per layer
    root = driver.find_element("css selector", ".alw")
    buttons = root.find_elements("css selector", ".alw-controls button")
    seen_cursors = set()
    for k in range(last, -1, -1):
        for p in range(len(x)):
            view = driver.execute_script(_READ)
            assert (view["step"], view["point"]) == (str(k), str(p))
            assert view["where"] == first["where"]  # positions never move
            assert view["loss"] == f"loss = {truth[k]['loss']}"
            assert {e: v["title"] for e, v in view["edges"].items()} == truth[k]["edges"]
            for (point, box), text in truth[k]["boxes"].items():
                if point == p:
                    assert view["boxes"][box]["val"] == text, (k, p, box)
            assert view["boxes"]["u0-0"]["val"] == f"x = {fmt(x[p][0], 6)}"
            seen_cursors.add(view["cursor"])
            if p < len(x) - 1:
                if p % 2:
                    root.send_keys("\ue015")  # the ↓ key
                else:
                    buttons[-1].click()  # the "next point" button
        root.send_keys("\ue012")  # ← : the previous step
        driver.execute_script("var r = document.querySelector('.alw-point'); r.value = '0';"
                              "r.dispatchEvent(new Event('input'));")
    assert len(seen_cursors) == len(truth)  # the health strip's cursor follows the step
    widths = {v["width"] for v in driver.execute_script(_READ)["edges"].values()}
    assert len(widths) > 1  # edges differ by |grad|
    assert_clean(driver, path)


def test_a_flagged_step_shows_its_cause(driver: Any, tmp_path: Path) -> None:
    model = MLP(2, [6, 6, 1], activation="tanh", seed=4)
    for layer in model.layers[:2]:
        for p in layer.parameters():
            p.data *= 30.0
    x = np.random.default_rng(4).normal(size=(8, 2))
    w = viz.watch(model, x)
    loss = sum((s ** 2 for s in (model([Value(a), Value(b)]) for a, b in x)), Value(0.0))
    loss.backward()
    rec = w.record(loss)
    assert rec.flags
    path = w.save(tmp_path / "flag.html")
    open_page(driver, path)
    view = driver.execute_script(_READ)
    assert view["flags"] == [f.text for f in rec.flags]
    for f in rec.flags:
        layer = int(f.layer[1:])
        assert all(f.kind in view["boxes"][f"u{layer}-{j}"]["cls"].split() for j in range(6))
    assert any("sat" in b["cls"].split() for b in view["boxes"].values())
    marks = driver.execute_script("return document.querySelectorAll('.alw-mark').length")
    assert marks == len(rec.flags)
    assert_clean(driver, path)


def test_an_empty_watch_opens_and_says_so(driver: Any, tmp_path: Path) -> None:
    w = viz.watch(MLP(2, [3, 1], seed=0), np.zeros((2, 2)))
    path = w.save(tmp_path / "empty.html")
    open_page(driver, path)
    view = driver.execute_script(_READ)
    assert view["label"] == "no step recorded yet" and view["boxes"]["u0-1"]["val"] == "x = 0"
    assert_clean(driver, path)


_HOST = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}"><link rel="icon" href="data:,">
<style>{css}</style></head><body><div id="host"></div>
<script type="application/json" id="state">{state}</script>
<script type="module">
{module}
// anywidget's side, as far as the view uses it: get, on(change:...), send
var state = JSON.parse(document.getElementById("state").textContent), handlers = {{}};
window.sent = [];
var model = {{get: function (k) {{ return state[k]; }},
             on: function (ev, fn) {{ handlers[ev] = fn; }},
             send: function (m) {{ window.sent.push(m); }}}};
window.setTrait = function (k, v) {{ state[k] = v; handlers["change:" + k](); }};
widget.render({{model: model, el: document.getElementById("host")}});
window.ready = true;
</script></body></html>
"""


def test_the_widgets_script_adds_each_step_as_it_arrives(driver: Any, tmp_path: Path) -> None:
    """The widget's ES module, with a stand-in for anywidget's model: a new ``latest`` step is
    shown and followed; a step that skips one asks for all of them (``resync``)."""
    pytest.importorskip("anywidget", reason="anywidget is not installed (the 'notebook' extra)")
    from viz.page import CSP, _json_script
    from viz.watch_widget import WatchWidget

    w, x, truth = trained(3)
    module = WatchWidget._esm.replace("export default {", "const widget = {")
    state = {"static": w._static, "records": w._encoded[:1], "latest": {}}
    path = tmp_path / "widget.html"
    path.write_text(_HOST.format(csp=CSP, css=WatchWidget._css, state=_json_script(state), module=module),
                    encoding="utf-8")
    open_page(driver, path)
    assert driver.execute_script("return window.ready === true")
    view = driver.execute_script(_READ)
    assert view["label"] == "Step 0 (recorded 1 of 1)"
    assert {e: v["title"] for e, v in view["edges"].items()} == truth[0]["edges"]
    driver.execute_script("setTrait('latest', {index: 1, record: arguments[0]})", w._encoded[1])
    view = driver.execute_script(_READ)
    assert view["label"] == "Step 1 (recorded 2 of 2)" and view["lines"] == 3
    assert {e: v["title"] for e, v in view["edges"].items()} == truth[1]["edges"]
    assert driver.execute_script("return window.sent") == []
    driver.execute_script("setTrait('latest', {index: 5, record: arguments[0]})", w._encoded[2])
    assert driver.execute_script("return window.sent") == [{"type": "resync"}]
    driver.execute_script("setTrait('records', arguments[0])", w._encoded)
    view = driver.execute_script(_READ)
    assert view["label"] == "Step 2 (recorded 3 of 3)" and view["loss"] == f"loss = {truth[2]['loss']}"
    assert_clean(driver, path)
