"""Rich notebook display: HTML of Values, Tensors, explanations, gradcheck reports, steppers; escaping."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from graphs import apple_orange

import viz
from autograd_lite import Tensor, Value, explain, gradcheck_report
from autograd_lite.display import array_html, explanation_html, tensor_html, value_html

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
HOSTILE = '<img src=x onerror="alert(1)">&"\''




def cells(fragment: str) -> list:
    """The text of every innermost table cell."""
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", fragment)]


def test_value_html_shows_name_op_data_grad_and_plain_repr_is_unchanged() -> None:
    g = apple_orange()
    g["price"].backward()
    out = g["apple"]._repr_html_()
    assert "<b>apple</b>" in out and "data <b>100</b>" in out and "grad <b>2.2</b>" in out
    assert "op *" in g["apple_price"]._repr_html_()
    assert repr(g["apple"]) == "Value(data=100, grad=2.2, label='apple')"


def test_explanation_html_is_the_step_table_with_formulas() -> None:
    g = apple_orange()
    ex = explain(g["price"])
    out = ex._repr_html_()
    rows = re.findall(r'<tr class="step-row" data-step="(\d+)"', out)
    assert rows == ["1", "1", "2", "2", "3", "3", "4", "4"]  # one row per edge, as in the text table
    assert "∂(apple*apple_num)/∂apple = apple_num = 2" in out
    body = cells(out)
    assert "1.1 × 2 = 2.2" in body and "0 → 2.2" in body
    assert "final grads: apple = 2.2, apple_num = 110, orange = 3.3, orange_num = 165, tax = 650" in out
    hot = explanation_html(ex, current=2)
    assert hot.count("background:#FFE08A") == 2  # both rows of step 2
    quiz = explanation_html(ex, quiz=True)
    assert "2.2" not in quiz and "650" not in quiz.split("step-row", 1)[1].split("∂")[0]
    assert repr(ex) == "<Explanation of price: 4 steps>"  # plain text unchanged


def test_tensor_html_shape_dtype_data_and_grad_grids() -> None:
    W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="W")
    (W * W).sum().backward()
    out = W._repr_html_()
    assert "shape 2×2, dtype float64, requires_grad" in out
    assert [c for c in cells(out) if c.isdigit()] == ["1", "2", "3", "4", "2", "4", "6", "8"]
    f32 = Tensor(np.arange(3, dtype=np.float32))
    assert "dtype float32" in tensor_html(f32) and ">None<" in tensor_html(f32)


def test_big_tensors_are_summarised() -> None:
    big = Tensor(np.arange(1000.0).reshape(25, 40), label="big")
    out = big._repr_html_()
    assert out.count("<tr>") <= 2 * 7 + 2  # 3 + … + 3 rows of data (grad is None)
    assert "⋮" in out and "⋱" in out and "…" in out
    assert "all 1000 elements: min 0, max 999, mean 499.5" in out
    cube = array_html(np.zeros((2, 3, 4)))
    assert "first slice [0, :, :] of 3 dimensions" in cube


def test_gradcheck_report_displays_as_a_table() -> None:
    report = gradcheck_report(lambda x: x.relu(), Value(0.0, "x"))
    assert isinstance(report, list) and len(report) == 1
    out = report._repr_html_()
    assert "✗ mismatch" in out and "input 0 &#x27;x&#x27;" in out and "0.5" in cells(out)
    assert "✓ ok" in gradcheck_report(lambda x: x * x, Value(3.0, "x"))[0]._repr_html_()


def test_user_text_is_escaped_everywhere() -> None:
    v = Value(1.0, HOSTILE)
    t = Tensor([1.0], requires_grad=True, label=HOSTILE)
    out = v * 2
    for fragment in (value_html(v), tensor_html(t), explanation_html(explain(out)),
                     explain(out).chain(v)._repr_html_(), gradcheck_report(lambda a: a * 2, v)._repr_html_()):
        assert "<img" not in fragment and "&lt;img" in fragment


@needs_dot
def test_stepper_is_an_iframe_with_the_whole_page(tmp_path: Path) -> None:
    g = apple_orange()
    s = viz.stepper(g["price"])
    out = s._repr_html_()
    assert out.startswith('<iframe class="autograd-lite-stepper" sandbox="allow-scripts"')
    page = html.unescape(re.search(r'srcdoc="(.*)"', out, re.S).group(1))
    # one picture, laid out once, for the seed and the 4 steps
    assert page == s.html() and "Content-Security-Policy" in page and page.count('<div class="frame"') == 1
    assert page.count("<svg") == 1 and len(re.findall(r'"lines": ', page)) == 5
    assert s.save(tmp_path / "p.html").read_text(encoding="utf-8") == page
    assert g["apple"].grad == 0.0  # a replay


def test_without_dot_notebooks_show_the_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot anywhere
    g = apple_orange()
    bundle = viz.draw(g["price"])._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert "sudo apt-get install graphviz" in bundle["text/html"] and "Traceback" not in bundle["text/html"]
    # the picture itself, laid out in the notebook by the vendored Graphviz; PNG and PDF need dot
    assert bundle["text/html"].startswith('<iframe class="autograd-lite-picture" sandbox="allow-scripts"')
    assert "PNG and PDF files need" in bundle["text/html"] and "Viz.js 3.31.0" in bundle["text/html"]
    with pytest.raises(viz.GraphvizNotFoundError, match="render_html: the Graphviz 'dot' program was not"):
        viz.render_html(g["price"], tmp_path / "page.html", layout="dot")
    assert (tmp_path / "page.dot").read_text(encoding="utf-8").startswith("digraph")


def test_without_dot_the_page_lays_the_graph_out_in_the_browser(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot anywhere
    g = apple_orange()
    page = viz.render_html(g["price"], tmp_path / "page.html").read_text(encoding="utf-8")
    assert 'id="autograd-lite-dot"' in page and '<div class="frame" data-height="600"></div>' in page
    assert "Viz.js 3.31.0" in page and "script-src 'unsafe-inline' 'wasm-unsafe-eval';" in page
    cell = viz.stepper(g["price"])._repr_html_()
    assert cell.startswith('<iframe class="autograd-lite-stepper"') and "autograd-lite-dot" in cell
    assert g["apple"].grad == 0.0  # a replay


def test_the_vendored_graphviz_is_pinned_and_licensed() -> None:
    vendor = Path(viz.__file__).parent / "_vendor"
    import hashlib

    version = (vendor / "VERSION").read_text(encoding="utf-8")
    assert "@viz-js/viz 3.31.0" in version
    digest = hashlib.sha256((vendor / "viz-global.js").read_bytes()).hexdigest()
    assert f"sha256 of viz-global.js: {digest}" in version
    licence = (vendor / "LICENSE").read_text(encoding="utf-8")
    assert "MIT license" in licence and "Eclipse Public License" in licence


@needs_dot
def test_a_page_laid_out_by_dot_keeps_the_strict_policy(tmp_path: Path) -> None:
    path = viz.render_html(apple_orange()["price"], tmp_path / "p.html", layout="dot")
    page = path.read_text(encoding="utf-8")
    assert "wasm-unsafe-eval" not in page and "Viz.js 3.31.0" not in page and "<svg" in page
    with pytest.raises(ValueError, match="render_html: layout must be one of"):
        viz.render_html(apple_orange()["price"], tmp_path / "q.html", layout="wasm")


@needs_dot
def test_draw_still_displays_svg_with_dot() -> None:
    bundle = viz.draw(Value(2.0, "x") * 3)._repr_mimebundle_()
    assert "image/svg+xml" in bundle and "<svg" in bundle["image/svg+xml"]


def test_page_refuses_big_graphs_and_non_graphs() -> None:
    v = Value(1.0, "v")
    for _ in range(100):
        v = v + 1
    with pytest.raises(ValueError, match="render_html: max_nodes must be an int from 1 to 4000, got 4001"):
        viz.render_html(v, "never.html", max_nodes=4001)  # bounded: one layout of at most 4000 values
    with pytest.raises(ValueError, match="stepper: the graph has 201 values, more than max_nodes=20; "
                                         "pass max_nodes=201"):
        viz.stepper(v, max_nodes=20)
    for _ in range(2000):
        v = v + 1
    with pytest.raises(ValueError, match=r"render_html: the graph has 4201 values, more than max_nodes=1500; "
                                         r"step through a smaller graph \(at most 4000 values\)"):
        viz.render_html(v, "never.html")
    with pytest.raises(TypeError, match="render_html: expected a Value or Tensor, got int"):
        viz.render_html(3, "x.html")  # type: ignore[arg-type]
