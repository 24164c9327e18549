"""viz.render_orders_html: the two orders' ledgers stepped through in a real headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphs import apple_orange
from test_page_browser import assert_clean, driver, open_page, pytestmark  # noqa: F401  (fixture, marks)

import viz
from autograd_lite import Value
from autograd_lite.format import fmt

_READ = """
var rows = document.querySelectorAll('.ledger tr[data-add]'), shown = {naive: [], topological: []}, hot = [];
for (var i = 0; i < rows.length; i++) {
  var side = rows[i].closest('table').id;
  if (!rows[i].hidden) { shown[side].push(rows[i].textContent); }
  if (rows[i].classList.contains('current')) { hot.push(side + ':' + rows[i].textContent); }
}
var grads = {};
var cells = document.querySelectorAll('td[data-grad]');
for (var j = 0; j < cells.length; j++) {
  grads[cells[j].getAttribute('data-side') + cells[j].getAttribute('data-grad')] = cells[j].textContent;
}
return {shown: shown, hot: hot, grads: grads, verdict: !document.getElementById('verdict').hidden,
        step: document.body.getAttribute('data-step')};
"""


def test_a_plus_a_page_steps(driver: Any, tmp_path: Path) -> None:  # noqa: F811  (the fixture)
    a = Value(1.0, "a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    report = viz.compare_orders(c)
    path = viz.render_orders_html(c, tmp_path / "orders.html")
    open_page(driver, path)
    state = driver.execute_script(_READ)
    assert state["shown"] == {"naive": [], "topological": []} and not state["verdict"]
    a_index = str(report.nodes.index(a))
    assert state["grads"]["naive" + a_index] == "0"
    next_button = driver.find_element("id", "next")
    for k in range(1, 7):
        next_button.click()
        state = driver.execute_script(_READ)
        assert state["step"] == str(k)
        assert len(state["shown"]["naive"]) == k and len(state["shown"]["topological"]) == min(k, 4)
        # the grads shown are the ledgers' own: a's grad after k naive additions
        naive_a = [x.after for x in report.naive_adds[:k] if x.parent is a]
        assert state["grads"]["naive" + a_index] == (fmt(naive_a[-1]) if naive_a else "0")
    assert state["verdict"] and state["grads"]["naive" + a_index] == "6"
    assert state["grads"]["topological" + a_index] == "4"
    assert state["hot"] == ["naive:6. a.grad += 2 (from b) → 6"]
    bad = driver.execute_script("return Array.from(document.querySelectorAll('#naive tr.bad'))"
                                ".map(function (r) { return r.getAttribute('data-add'); });")
    assert bad == ["2", "3", "5", "6"]  # the early sends (b with 1 of 2) and the repeated ones
    assert_clean(driver, path)


def test_apples_page_agrees(driver: Any, tmp_path: Path) -> None:  # noqa: F811  (the fixture)
    g = apple_orange()
    path = viz.render_orders_html(g["price"], tmp_path / "apples.html")
    open_page(driver, path)
    driver.find_element("id", "end").click()
    state = driver.execute_script(_READ)
    assert len(state["shown"]["naive"]) == len(state["shown"]["topological"]) == 8
    assert state["verdict"]
    text = driver.find_element("id", "verdict").text
    assert text.startswith("Both orders agree: every node that sends is used once")
    assert driver.execute_script("return document.querySelectorAll('#naive tr.bad').length;") == 0
    assert_clean(driver, path)


def test_page_refuses_a_big_graph(tmp_path: Path) -> None:
    x = Value(1.0, "x")
    for _ in range(45):
        x = x * 1.0
    with pytest.raises(ValueError, match="nodes; a page is drawn for at most 40"):
        viz.render_orders_html(x, tmp_path / "big.html")
    assert not (tmp_path / "big.html").exists()
