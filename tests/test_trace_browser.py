"""The evaluation trace as HTML in a real headless Chromium: the survey's two tables side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_page_browser import driver, open_page, pytestmark  # noqa: F401  (fixture, marks)
from test_trace import ADJOINT, PRIMAL, TANGENT, survey

from autograd_lite import Value, explain, forward

_READ = """
var tables = document.querySelectorAll('.autograd-lite-trace table'), out = [];
for (var i = 0; i < tables.length; i++) {
  var box = tables[i].getBoundingClientRect(), cells = tables[i].querySelectorAll('td'), lines = [];
  for (var j = 0; j < cells.length; j++) { lines.push(cells[j].textContent); }
  out.push({cls: tables[i].className, left: box.left, right: box.right, top: box.top,
            title: tables[i].querySelector('th').textContent, lines: lines});
}
return {tables: out, summary: document.querySelector('.trace-summary').textContent};
"""


def page(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.html"
    path.write_text(f'<!doctype html><html><head><meta charset="utf-8"><title>{name}</title></head>'
                    f"<body>{body}</body></html>", encoding="utf-8")
    return path


def test_the_survey_tables_side_by_side(driver: Any, tmp_path: Path) -> None:  # noqa: F811
    for name, t, second in [
            ("reverse", explain(survey(Value(2.0, "x1"), Value(5.0, "x2"))).trace(decimals=3), ADJOINT),
            ("forward", forward.trace(survey, (2.0, 5.0), (1.0, 0.0), decimals=3), TANGENT)]:
        open_page(driver, page(tmp_path, name, t.html()))
        state = driver.execute_script(_READ)
        primal, other = state["tables"]
        assert primal["lines"] == PRIMAL and other["lines"] == second  # what the reader sees
        assert primal["right"] < other["left"] and primal["top"] == other["top"]  # side by side
        assert state["summary"] == t.summary
    zh = forward.trace(survey, (2.0, 5.0), (1.0, 0.0), decimals=3, lang="zh")
    open_page(driver, page(tmp_path, "zh", zh.html()))
    state = driver.execute_script(_READ)
    titles = [t["title"] for t in state["tables"]]
    assert titles == ["正向传播的原始值轨迹", "正向传播的切向量轨迹 (ẋ₁ = 1, ẋ₂ = 0)"]
