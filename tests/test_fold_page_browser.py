"""The folded page in headless Chromium: the moons MLP(2, [16, 16, 1])'s loss on one point folded
by layer steps box by box on one layout, a click unfolds a box in place (nothing else moves),
and the page logs no error and requests nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from test_page_browser import (  # noqa: F401  (fixture, marks)
    BACK,
    HOT,
    assert_clean,
    driver,
    open_page,
    pytestmark,
)
from test_page_layout_browser import go, moons_loss, wait_ready

import viz
from autograd_lite import explain
from viz.fold import FoldedGroup, fold_graph
from viz.fold_page import folded_pass
from viz.labels import num
from viz.timeline import timeline

# Where every shape of the folded picture is (the insides are not part of it), which boxes are
# lit, and the texts of the boxes' changing cells.
_STATE = """
var svg = document.querySelector('.frame > svg'), at = svg.getBoundingClientRect();
var out = {shapes: [], hot: [], cells: {}, open: document.querySelectorAll('.inside.open').length};
var shapes = svg.querySelectorAll('g.node path, g.node polygon, g.node ellipse, g.edge path, g.edge polygon');
for (var i = 0; i < shapes.length; i++) {
  var b = shapes[i].getBoundingClientRect();
  out.shapes.push([Math.round((b.x - at.x) * 10), Math.round((b.y - at.y) * 10), Math.round(b.width * 10),
                   Math.round(b.height * 10)].join(','));
}
var boxes = svg.querySelectorAll('g.node[id^="b"]');
for (var j = 0; j < boxes.length; j++) {
  var shape = boxes[j].querySelector('path, polygon');
  if (shape.getAttribute('fill').toLowerCase() === arguments[0]) { out.hot.push(boxes[j].id); }
}
var cells = document.querySelectorAll('g[id^="a_gb"] text, g[id^="a_fb"] text');
for (var c = 0; c < cells.length; c++) { out.cells[cells[c].closest('g[id]').id] = cells[c].textContent; }
return out;
"""

_BOXES = """
var out = {};
var boxes = document.querySelectorAll('.frame > svg g.node[id^="b"], .inside.open');
for (var i = 0; i < boxes.length; i++) {
  var r = boxes[i].getBoundingClientRect();
  out[boxes[i].id] = [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)];
}
return out;
"""


def test_the_folded_moons_mlp_steps_by_layer_and_a_click_unfolds_a_layer(driver: Any,  # noqa: F811
                                                                           tmp_path: Path) -> None:
    loss = moons_loss([16, 16, 1])
    path = viz.render_html(loss, tmp_path / "moons_folded.html", fold="layer")
    t = timeline(loss)
    folding = fold_graph(loss, "layer", t.explanation.nodes)
    fp = folded_pass(t, folding)
    assert len(folding.groups) == 3 and len(fp.units) < 30  # about 1,000 engine steps, a few folded ones
    n = len(fp.units) - 1
    open_page(driver, path)
    wait_ready(driver)
    first: Dict[str, Any] = driver.execute_script(_STATE, HOT)
    assert first["shapes"] and first["open"] == 0
    assert driver.find_element("id", "label").text == f"Step 0 of {n}"
    for K in [0, 1, 2, n // 2, n - 1, n, 1]:
        go(driver, K)
        assert driver.find_element("tag name", "body").get_attribute("data-step") == str(K)
        now = driver.execute_script(_STATE, HOT)
        assert now["shapes"] == first["shapes"], K  # every box, op and edge where it was
        unit = fp.units[K]
        lit = [f"b{j}" for j, g in enumerate(folding.groups) if g is unit]
        assert now["hot"] == lit, (K, now["hot"])
        for j in range(len(folding.groups)):  # what the box sent back: ? before its step, the sum after
            for r, (_, sent) in enumerate(fp.sent[j][:4]):
                want = f"← {num(sent)}" if K >= fp.done[j] else "← ?"
                assert now["cells"][f"a_gb{j}_i{r}"] == want, (K, j, r)
    # the sum the first layer sent back to x1 is all of x1's grad (nothing else uses x1)
    x1 = next(p for p, _ in folding.groups[0].inputs if p.label == "x1")
    assert dict(fp.sent[0])[x1] == x1.grad
    # a click on the second layer unfolds it where it is; the folded picture does not move
    go(driver, n)
    before = driver.execute_script(_BOXES)
    driver.execute_script("document.getElementById('b1').dispatchEvent("
                          "new MouseEvent('click', {bubbles: true}))")
    opened = driver.execute_script(_BOXES)
    assert driver.execute_script(_STATE, HOT)["shapes"] == first["shapes"]
    corner = [a - b for a, b in zip(opened["inside-b1"][:2], before["b1"][:2])]
    assert max(map(abs, corner)) <= 1, corner  # the inside's corner at the box's corner (rounded to pixels)
    assert opened["inside-b1"][2] > before["b1"][2]  # and bigger: every value of the layer
    inner = driver.execute_script(
        "var t = document.querySelectorAll('#inside-b1 g[id^=\"a_gu1x\"] text'), out = [];"
        "for (var i = 0; i < t.length; i++) { out.push(t[i].textContent); } return out;")
    layer = folding.groups[1]
    assert len(inner) >= len(layer.members)  # every value inside shows its grad at the last step
    assert "?" not in inner
    params: List[Any] = layer.params
    got = set(inner)
    assert all(num(p.grad) in got for p in params)  # the layer's weights' grads, as the pass made them
    go(driver, 0)  # before the box's step, nothing inside has a grad yet
    inner0 = driver.execute_script(
        "var t = document.querySelectorAll('#inside-b1 g[id^=\"a_gu1x\"] text'), out = [];"
        "for (var i = 0; i < t.length; i++) { out.push(t[i].textContent); } return out;")
    assert set(inner0) == {"?"}
    driver.execute_script("document.getElementById('inside-b1').dispatchEvent("
                          "new MouseEvent('click', {bubbles: true}))")
    assert driver.execute_script(_STATE, HOT)["open"] == 0
    assert isinstance(fp.units[fp.done[1]], FoldedGroup) and len(explain(loss, replay=True).steps) > 600
    assert_clean(driver, path)
