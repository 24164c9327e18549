"""The interactive backward-pass page, driven in a real headless Chromium (selenium + chromedriver).

Skips, with the reason, where Chromium, chromedriver, selenium or Graphviz are missing
(install them with tools/install_chromium.sh and tools/install_graphviz.sh).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any, Dict, Iterator

import numpy as np
import pytest
from browser import assert_clean, chromium, needs_chromium, open_page  # noqa: F401  (re-exported)
from graphs import apple_orange

import viz
from autograd_lite import Tensor, Value, explain
from autograd_lite.explain import SHORT_DIGITS, graph_nodes, preview

pytestmark = [needs_chromium,
              pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")]

HOT = "#ffe08a"
BACK = "#c0392b"


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with chromium(1400, 1200) as d:
        yield d


# What the visible frame's SVG says: per value node (dot id n0, n1 ...) its fill and its grad text.
_READ_FRAME = """
var frames = document.querySelectorAll('.frame'), shown = [];
for (var i = 0; i < frames.length; i++) { if (!frames[i].hidden) { shown.push(frames[i]); } }
var out = {visible: shown.length, nodes: {}};
if (shown.length !== 1) { return out; }
var groups = shown[0].querySelectorAll('g.node');
for (var j = 0; j < groups.length; j++) {
  var id = groups[j].getAttribute('data-id');
  if (!/^n[0-9]+$/.test(id)) { continue; }
  var box = groups[j].querySelector('path, polygon');
  var bold = [];
  var texts = groups[j].querySelectorAll('text');
  for (var t = 0; t < texts.length; t++) {
    if (texts[t].getAttribute('font-weight') === 'bold' && texts[t].getAttribute('fill') === arguments[0]) {
      bold.push(texts[t].textContent);
    }
  }
  out.nodes[id] = {fill: box.getAttribute('fill'), grad: bold.join(' ')};
}
return out;
"""


def expected_grads(ex: Any, k: int, ids: Dict[Any, str]) -> Dict[str, str]:
    """The oracle from explain: after k steps a grad is ?, a partial sum ending in '+ ?', or final."""
    uses: Dict[Any, int] = {}
    arrived: Dict[Any, int] = {}
    for j, step in enumerate(ex.steps):
        for e in step.edges:
            uses[e.parent] = uses.get(e.parent, 0) + 1
            if j < k:
                arrived[e.parent] = arrived.get(e.parent, 0) + 1
    out = {}
    for n in ex.nodes:
        if n is ex.root:
            out[ids[n]] = preview(ex.seed, digits=SHORT_DIGITS)
        elif not arrived.get(n):
            out[ids[n]] = "?"
        elif arrived[n] < uses[n]:
            out[ids[n]] = "+ ?"
        else:
            out[ids[n]] = preview(ex.grad_of(n), digits=SHORT_DIGITS)  # as the picture writes it
    return out


def check_step(driver: Any, ex: Any, k: int, ids: Dict[Any, str]) -> None:
    assert driver.find_element("tag name", "body").get_attribute("data-step") == str(k)
    n = len(ex.steps)
    assert driver.find_element("id", "label").text == f"Step {k} of {n}"
    frame = driver.execute_script(_READ_FRAME, BACK)
    assert frame["visible"] == 1
    hot = {i for i, v in frame["nodes"].items() if v["fill"].lower() == HOT}
    want_hot = ex.root if k == 0 else ex.steps[k - 1].node
    assert hot == {ids[want_hot]}
    for node_id, want in expected_grads(ex, k, ids).items():
        got = frame["nodes"][node_id]["grad"]
        if want == "+ ?":
            assert got.endswith("+ ?"), (k, node_id, got)
        else:
            assert got == want or got.startswith(want + " = "), (k, node_id, got, want)
    rows = driver.find_elements("css selector", "tr.step-row.current")
    assert {r.get_attribute("data-step") for r in rows} == ({str(k)} if k else set())
    if k:
        assert len(rows) == len(ex.steps[k - 1].edges)
    assert driver.find_element("id", "slider").get_attribute("value") == str(k)


def node_ids(root: Any) -> Dict[Any, str]:
    return {n: f"n{i}" for i, n in enumerate(graph_nodes(root))}


def test_apples_and_oranges_keys_buttons_slider_and_play(driver: Any, tmp_path: Path) -> None:
    g = apple_orange()
    price = g["price"]
    path = viz.render_html(price, tmp_path / "apple_orange.html")
    assert path.stat().st_size < 300_000
    ex = explain(price, replay=True)
    ids = node_ids(price)
    open_page(driver, path)
    body = driver.find_element("tag name", "body")
    from selenium.webdriver.common.keys import Keys

    check_step(driver, ex, 0, ids)
    assert "dprice/dprice = 1" in driver.find_element("id", "formula").text
    for k in range(1, len(ex.steps) + 1):
        body.send_keys(Keys.ARROW_RIGHT)
        check_step(driver, ex, k, ids)
    formula = driver.find_element("id", "formula").text  # step 4: apple_price sends to apple, apple_num
    assert "dprice/dapple += dprice/dapple_price · ∂apple_price/∂apple = 1.1 × 2 = 2.2" in formula
    assert "∂(apple*apple_num)/∂apple = apple_num = 2" in formula
    body.send_keys(Keys.ARROW_RIGHT)  # past the end: stays
    check_step(driver, ex, 4, ids)
    body.send_keys(Keys.HOME)
    check_step(driver, ex, 0, ids)
    body.send_keys(Keys.END)
    check_step(driver, ex, 4, ids)
    body.send_keys(Keys.ARROW_LEFT)
    check_step(driver, ex, 3, ids)
    for button, k in [("prev", 2), ("prev", 1), ("next", 2), ("first", 0), ("end", 4), ("prev", 3)]:
        driver.find_element("id", button).click()
        check_step(driver, ex, k, ids)
    slider = driver.find_element("id", "slider")
    driver.execute_script("arguments[0].value = '1'; arguments[0].dispatchEvent(new Event('input'));", slider)
    check_step(driver, ex, 1, ids)
    driver.execute_script("arguments[0].click();", driver.find_element("id", "play"))
    assert "Pause" in driver.find_element("id", "play").text
    deadline = time.monotonic() + 20
    while body.get_attribute("data-step") != "4" and time.monotonic() < deadline:
        time.sleep(0.2)
    check_step(driver, ex, 4, ids)
    assert "Play" in driver.find_element("id", "play").text  # stops at the end
    assert_clean(driver, path)


def test_quiz_hides_grads_and_checks_answers(driver: Any, tmp_path: Path) -> None:
    g = apple_orange()
    path = viz.render_html(g["price"], tmp_path / "quiz.html", quiz=True)
    ex = explain(g["price"], replay=True)
    ids = node_ids(g["price"])
    open_page(driver, path)
    from selenium.webdriver.common.keys import Keys

    body = driver.find_element("tag name", "body")
    for _ in range(len(ex.steps) + 1):
        frame = driver.execute_script(_READ_FRAME, BACK)
        for n, node_id in ids.items():
            assert frame["nodes"][node_id]["grad"] == ("1" if n is g["price"] else "?")
        table = driver.find_element("id", "table").text
        assert "2.2" not in table and "650 →" not in table
        body.send_keys(Keys.ARROW_RIGHT)
    questions = driver.find_elements("css selector", ".q")
    asked = [q.find_element("tag name", "label").text.split(" =")[0] for q in questions]
    assert asked == ["dprice/dall_price", "dprice/dtax", "dprice/dapple_price", "dprice/dorange_price",
                     "dprice/dorange", "dprice/dorange_num", "dprice/dapple", "dprice/dapple_num"]
    answers = {"all_price": "1.1", "tax": "650", "apple_price": "1.1", "orange_price": "1.1",
               "orange": "3.3", "orange_num": "165", "apple": "2.2", "apple_num": "11"}  # the last is wrong
    for q, name in zip(questions, answers):
        q.find_element("tag name", "input").send_keys(answers[name])
    driver.find_element("id", "check").click()
    verdicts = [q.find_element("class name", "verdict").text for q in questions]
    assert verdicts == ["✓ right"] * 7 + ["✗ not yet"]
    assert driver.find_element("id", "score").text == "7 of 8 right"
    questions[-1].find_element("tag name", "input").clear()
    questions[-1].find_element("tag name", "input").send_keys("110")
    driver.find_element("id", "check").click()
    assert driver.find_element("id", "score").text == "8 of 8 right"
    assert_clean(driver, path)


def test_tensor_graph_and_hostile_labels(driver: Any, tmp_path: Path) -> None:
    X = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), label="X")
    W = Tensor(np.array([[0.5], [-1.0]]), requires_grad=True, label="W")
    b = Tensor(np.array([0.25]), requires_grad=True, label="</script><script>alert(1)</script>")
    loss = ((X @ W + b) ** 2).sum()
    loss.label = "loss"
    path = viz.render_html(loss, tmp_path / "affine.html")
    ex = explain(loss, replay=True)
    ids = node_ids(loss)
    open_page(driver, path)  # an alert would make selenium raise here
    from selenium.webdriver.common.keys import Keys

    body = driver.find_element("tag name", "body")
    for k in range(len(ex.steps) + 1):
        frame = driver.execute_script(_READ_FRAME, BACK)
        hot = {i for i, v in frame["nodes"].items() if v["fill"].lower() == HOT}
        assert hot == {ids[ex.root if k == 0 else ex.steps[k - 1].node]}
        want = expected_grads(ex, k, ids)
        for node_id in (ids[W], ids[b]):
            got = " ".join(frame["nodes"][node_id]["grad"].split())
            assert (got == "?") == (want[node_id] == "?")
        body.send_keys(Keys.ARROW_RIGHT)
    assert "</script><script>alert(1)</script>" in driver.find_element("id", "table").text
    assert_clean(driver, path)
    assert b.grad is None and W.grad is None  # a replay: no grad changed


def test_stepper_displays_in_an_iframe(driver: Any, tmp_path: Path) -> None:
    g = apple_orange()
    s = viz.stepper(g["price"])
    wrapper = tmp_path / "notebook_cell.html"
    wrapper.write_text(f"<!DOCTYPE html><html><body>{s._repr_html_()}</body></html>", encoding="utf-8")
    open_page(driver, wrapper)
    driver.switch_to.frame(driver.find_element("tag name", "iframe"))
    try:
        driver.find_element("id", "next").click()
        assert driver.find_element("id", "label").text == "Step 1 of 4"
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    finally:
        driver.switch_to.default_content()




def test_exercise_page_marks_the_wrong_leaf_and_checks_the_answer(driver: Any, tmp_path: Path) -> None:
    g = apple_orange()
    ex = viz.plant_bug(g["price"], node=g["apple_price"], parent=0)  # ∂apple_price/∂apple: 100, not 2
    path = ex.render_html(tmp_path / "exercise.html")
    ids = node_ids(g["price"])
    open_page(driver, path)
    frame = driver.execute_script(_READ_FRAME, BACK)
    red = {i for i, v in frame["nodes"].items() if v["fill"].lower() == "#fadbd8"}
    assert red == {ids[g["apple"]]}  # gradcheck: only apple's gradient is wrong
    from selenium.webdriver.support.ui import Select

    choose = Select(driver.find_element("id", "edge"))
    choose.select_by_visible_text("∂price/∂tax")
    driver.find_element("id", "answer").click()
    verdict = driver.find_element("id", "verdict")
    assert verdict.text.startswith("Not this edge") and verdict.get_attribute("class") == "bad"
    choose.select_by_visible_text("∂apple_price/∂apple")
    driver.find_element("id", "answer").click()
    assert verdict.text == "Right: ∂apple_price/∂apple was wrong." and verdict.get_attribute("class") == "ok"
    assert_clean(driver, path)


def test_keys_on_the_focused_slider_move_one_step(driver: Any, tmp_path: Path) -> None:
    g = apple_orange()
    path = viz.render_html(g["price"], tmp_path / "slider.html")
    ex = explain(g["price"], replay=True)
    ids = node_ids(g["price"])
    open_page(driver, path)
    from selenium.webdriver.common.keys import Keys

    slider = driver.find_element("id", "slider")
    slider.send_keys(Keys.ARROW_RIGHT)  # the page's handler and the range's own would make two
    check_step(driver, ex, 1, ids)
    slider.send_keys(Keys.END)
    check_step(driver, ex, 4, ids)
    slider.send_keys(Keys.ARROW_LEFT)
    check_step(driver, ex, 3, ids)
    assert_clean(driver, path)


def test_quiz_takes_answers_rounded_to_the_digits_the_page_shows(driver: Any, tmp_path: Path) -> None:
    x, w = Value(2.0, "x"), Value(0.16649228, "w")
    path = viz.render_html(x * w, tmp_path / "digits.html", quiz=True)
    open_page(driver, path)
    assert "6 significant digits" in driver.find_element("id", "quiz").text
    questions = driver.find_elements("css selector", ".q")
    score = driver.find_element("id", "score")
    for typed, verdict in (("0.166492", "✓ right"), ("0.16649", "✗ not yet"), ("0.1665", "✗ not yet")):
        box = next(q for q in questions if "dx" in q.text).find_element("tag name", "input")
        box.clear()
        box.send_keys(typed)
        driver.find_element("id", "check").click()
        asked = next(q for q in questions if "dx" in q.text)
        assert asked.find_element("class name", "verdict").text == verdict
    assert score.text == "0 of 2 right"  # dw left empty
    assert_clean(driver, path)


def test_tensor_quiz_takes_arrays_as_lists(driver: Any, tmp_path: Path) -> None:
    X = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), label="X")
    W = Tensor(np.array([[0.5], [-1.0]]), requires_grad=True, label="W")
    b = Tensor(np.array([0.25]), requires_grad=True, label="b")
    loss = (X @ W + b).sum()
    loss.label = "loss"
    path = viz.render_html(loss, tmp_path / "tensor_quiz.html", quiz=True)
    open_page(driver, path)
    questions = driver.find_elements("css selector", ".q")
    asked = [q.find_element("tag name", "label").text.split(" =")[0] for q in questions]
    assert sorted(asked[-2:]) == ["dloss/dW", "dloss/db"]
    typed = {"dloss/dW": "[[4], [6]]", "dloss/db": "[2]"}  # Xᵀ·1 and b summed over the batch
    for q, name in zip(questions, asked):
        if name in typed:
            q.find_element("tag name", "input").send_keys(typed[name])
    driver.find_element("id", "check").click()
    verdicts = {name: q.find_element("class name", "verdict").text for q, name in zip(questions, asked)}
    assert verdicts["dloss/dW"] == "✓ right" and verdicts["dloss/db"] == "✓ right"
    assert all(v == "✗ empty" for k, v in verdicts.items() if k not in typed)
    assert_clean(driver, path)


def test_quiz_with_inf_and_nan_grads_works(driver: Any, tmp_path: Path) -> None:
    x = Value(0.0, "x")
    y = x.sqrt() + x  # dy/dx = inf
    y.label = "y"
    path = viz.render_html(y, tmp_path / "inf.html", quiz=True)
    open_page(driver, path)
    driver.find_element("id", "next").click()  # the page's script runs: its data parsed
    assert driver.find_element("id", "label").text == "Step 1 of 2"
    questions = driver.find_elements("css selector", ".q")
    box = next(q for q in questions if q.find_element("tag name", "label").text.startswith("dy/dx"))
    for typed, verdict in (("inf", "✓ right"), ("-inf", "✗ not yet"), ("1e308", "✗ not yet")):
        box.find_element("tag name", "input").clear()
        box.find_element("tag name", "input").send_keys(typed)
        driver.find_element("id", "check").click()
        assert box.find_element("class name", "verdict").text == verdict
    assert_clean(driver, path)


def test_table_rows_appear_as_the_steps_reach_them(driver: Any, tmp_path: Path) -> None:
    g = apple_orange()
    path = viz.render_html(g["price"], tmp_path / "rows.html")
    ex = explain(g["price"], replay=True)
    open_page(driver, path)
    from selenium.webdriver.common.keys import Keys

    body = driver.find_element("tag name", "body")
    for k in range(len(ex.steps) + 1):
        shown = [r for r in driver.find_elements("css selector", "tr.step-row") if r.is_displayed()]
        assert len(shown) == sum(len(s.edges) for s in ex.steps[:k])
        assert {r.get_attribute("data-step") for r in shown} == {str(j) for j in range(1, k + 1)}
        finals = driver.find_element("css selector", ".final-grads")
        assert finals.is_displayed() == (k == len(ex.steps))
        body.send_keys(Keys.ARROW_RIGHT)
    assert_clean(driver, path)
