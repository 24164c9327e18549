"""The step-through page and its quiz in Chinese (lang="zh"), driven in headless Chromium with the
harness of test_page_browser: every step, the quiz, no console errors, no network requests.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import test_page_browser as harness
from graphs import apple_orange
from test_viz_zh import NO_FONT, cjk_font

import viz
from autograd_lite import explain

pytestmark = harness.pytestmark  # skips, with the reason, without Chromium, chromedriver or Graphviz
driver = harness.driver  # the fixture: one headless Chromium for this module
BACK, HOT, _READ_FRAME = harness.BACK, harness.HOT, harness._READ_FRAME
assert_clean, expected_grads, node_ids, open_page = (harness.assert_clean, harness.expected_grads,
                                                     harness.node_ids, harness.open_page)


def step_label(k: int, n: int) -> str:
    return f"第 {k} 步（共 {n} 步）"


def test_the_page_in_chinese_steps_through_the_pass(driver: Any, tmp_path: Path) -> None:
    price = apple_orange()["price"]
    path = viz.render_html(price, tmp_path / "zh.html", lang="zh")
    page = path.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "<h1>price 的反向传播，一步一步</h1>" in page
    ex = explain(price, replay=True)
    ids = node_ids(price)
    n = len(ex.steps)
    open_page(driver, path)
    from selenium.webdriver.common.keys import Keys

    body = driver.find_element("tag name", "body")
    for k in range(n + 1):
        assert body.get_attribute("data-step") == str(k)
        assert driver.find_element("id", "label").text == step_label(k, n)
        frame = driver.execute_script(_READ_FRAME, BACK)
        hot = {i for i, v in frame["nodes"].items() if v["fill"].lower() == HOT}
        assert hot == {ids[ex.root if k == 0 else ex.steps[k - 1].node]}
        for node_id, want in expected_grads(ex, k, ids).items():
            got = frame["nodes"][node_id]["grad"]
            assert got.endswith("+ ?") if want == "+ ?" else (got == want or got.startswith(want + " = "))
        formula = driver.find_element("id", "formula").text
        if k == 0:
            assert formula == "dprice/dprice = 1（初始值）；其他梯度都还未知（?）"
        else:
            assert "已得到完整的上游梯度" in formula
        body.send_keys(Keys.ARROW_RIGHT)
    # the picture's own words and the buttons, in Chinese; no English word left on the page
    text = driver.find_element("tag name", "body").text
    for word in ("数据", "梯度", "第一步", "上一步", "下一步", "最后一步", "▶ 播放"):
        assert word in text, word
    for english in ("Previous", "Next", "Play", "Step ", "the seed", "upstream grad"):
        assert english not in text, english
    driver.execute_script("arguments[0].click();", driver.find_element("id", "first"))
    driver.execute_script("arguments[0].click();", driver.find_element("id", "play"))
    assert driver.find_element("id", "play").text == "⏸ 暂停"
    driver.execute_script("arguments[0].click();", driver.find_element("id", "play"))
    assert driver.find_element("id", "play").text == "▶ 播放"
    assert_clean(driver, path)


def test_the_quiz_in_chinese(driver: Any, tmp_path: Path) -> None:
    price = apple_orange()["price"]
    page = viz.stepper(price, quiz=True, lang="zh")
    path = page.save(tmp_path / "quiz_zh.html")
    assert "<h1>测验：price 的反向传播，一步一步</h1>" in path.read_text(encoding="utf-8")
    open_page(driver, path)
    assert "你的答案" in driver.find_element("id", "quiz").text
    questions = driver.find_elements("css selector", ".q")
    answers = ["1.1", "650", "1.1", "1.1", "3.3", "165", "2.2", "11"]  # the last is wrong (110)
    for q, a in zip(questions, answers):
        q.find_element("tag name", "input").send_keys(a)
    driver.find_element("id", "check").click()
    verdicts = [q.find_element("class name", "verdict").text for q in questions]
    assert verdicts == ["✓ 正确"] * 7 + ["✗ 还不对"]
    assert driver.find_element("id", "score").text == "8 题中答对 7 题"
    questions[-1].find_element("tag name", "input").clear()
    driver.find_element("id", "check").click()
    assert questions[-1].find_element("class name", "verdict").text == "✗ 未填写"
    assert_clean(driver, path)


def test_the_environment_chooses_chinese_and_english_stays_english(tmp_path: Path, monkeypatch: Any) -> None:
    price = apple_orange()["price"]
    english = viz.render_html(price, tmp_path / "en.html").read_text(encoding="utf-8")
    monkeypatch.setenv("AUTOGRAD_LITE_LANG", "zh_CN.UTF-8")
    zh = viz.render_html(price, tmp_path / "zh.html").read_text(encoding="utf-8")
    assert zh == viz.render_html(price, tmp_path / "zh2.html", lang="zh").read_text(encoding="utf-8")
    assert viz.render_html(price, tmp_path / "en2.html", lang="en").read_text(encoding="utf-8") == english
    assert '<html lang="en">' in english and "Step 0 of 4" in english and "数据" not in english


def test_the_shipped_chinese_page_in_docs(driver: Any) -> None:
    path = Path(__file__).resolve().parent.parent / "docs" / "zh" / "apple_orange.html"
    open_page(driver, path)
    from selenium.webdriver.common.keys import Keys

    body = driver.find_element("tag name", "body")
    for k in range(5):
        assert body.get_attribute("data-step") == str(k)
        assert driver.find_element("id", "label").text == step_label(k, 4)
        body.send_keys(Keys.ARROW_RIGHT)
    assert "dprice/dapple += dprice/dapple_price · ∂apple_price/∂apple = 1.1 × 2 = 2.2" in \
        driver.find_element("id", "formula").text
    assert "最终梯度" in driver.find_element("id", "table").text
    assert_clean(driver, path)


# Every text of a value's box inside the box, as the browser draws it (the font dot measured with)
_OVERFLOW = """
var out = [], groups = document.querySelectorAll('.frame g.node');
for (var j = 0; j < groups.length; j++) {
  var id = groups[j].getAttribute('data-id') || '';
  if (!/^n[0-9]+$/.test(id)) { continue; }
  var box = groups[j].querySelector('path, polygon').getBBox();
  var texts = groups[j].querySelectorAll('text');
  for (var t = 0; t < texts.length; t++) {
    var b = texts[t].getBBox();
    if (b.x < box.x - 1 || b.x + b.width > box.x + box.width + 1) {
      out.push(id + ": " + texts[t].textContent);
    }
  }
}
return out;
"""


@pytest.mark.skipif(not cjk_font(), reason=NO_FONT)  # without one, the glyphs' widths are the browser's guess
@pytest.mark.parametrize("layout", ["dot", "browser"])
def test_chinese_words_fit_their_boxes_in_both_layouts(driver: Any, tmp_path: Path, layout: str) -> None:
    price = apple_orange()["price"]
    path = viz.render_html(price, tmp_path / f"zh_{layout}.html", lang="zh", layout=layout)
    open_page(driver, path)
    deadline = time.monotonic() + 30  # the browser layout compiles Graphviz (WebAssembly) first
    body = driver.find_element("tag name", "body")
    while body.get_attribute("data-step") != "0" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert body.get_attribute("data-step") == "0"
    assert "数据" in driver.find_element("id", "frames").text
    from selenium.webdriver.common.keys import Keys

    for _ in range(4):
        body.send_keys(Keys.ARROW_RIGHT)
    assert driver.find_element("id", "label").text == step_label(4, 4)
    assert driver.execute_script(_OVERFLOW) == []
    assert_clean(driver, path)
