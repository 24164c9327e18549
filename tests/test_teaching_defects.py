"""The teaching outputs' defects of issue 22 and the teaching-tool items of issue 20, one test each.

Oracles: hand values, central differences (gradcheck) and strict JSON parsing.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import viz
from autograd_lite import Tensor, Value, explain
from autograd_lite import functional as F
from viz.page import page_html


def strict_json(page: str) -> dict:
    """The page's data block as JSON.parse reads it: inf / nan literals are errors."""
    block = re.search(r'<script type="application/json" id="autograd-lite-data">(.*?)</script>', page, re.S)
    assert block is not None

    def refuse(word: str) -> None:
        raise ValueError(f"not JSON: {word}")

    return json.loads(block.group(1), parse_constant=refuse)


# ------------------------------------------------------------------ 1: inf / nan on the quiz page
def test_quiz_page_data_is_strict_json_with_inf_and_nan_grads() -> None:
    x = Value(0.0, "x")
    y = x.sqrt() + x
    y.label = "y"
    data = strict_json(page_html(y, quiz=True))
    values = {a["name"]: a["values"] for a in data["answers"]}
    assert values["x"] == ["inf"]
    z = Value(float("inf"), "z")
    w = z * 0.0  # dw/dz = 0, dw/d0 = inf: the constant's grad is inf; 0 · inf upstream stays finite
    data = strict_json(page_html(w, quiz=True))
    assert all(isinstance(v, (float, int, str)) for a in data["answers"] for v in a["values"])


# ------------------------------------------------------------------ 2: check after a non-unit seed
def analytic_numeric(src: str) -> list:
    return re.findall(r'>analytic</FONT></TD><TD ALIGN="RIGHT"><FONT[^>]*>([^<]+)</FONT>.*?'
                      r'vs numeric</FONT></TD><TD ALIGN="RIGHT"><FONT[^>]*>([^<]+)</FONT>', src, re.S)


def test_check_after_a_seed_of_two_is_of_the_pass_drawn() -> None:
    x = Value(3.0, "x")
    y = x * x
    y.backward(2.0)
    src = viz.draw(y, check=True).source
    assert "<B>12 = 6 + 6</B>" in src
    assert analytic_numeric(src) == [("12", "12 ✓")]
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="t")
    s = (t * t).sum()
    s.backward(np.array(3.0))
    src = viz.draw(s, check=True).source
    assert analytic_numeric(src) == [("6", "6 ✓")]  # all agree: element 0 shown, 3 · 2 · t[0]
    assert "mismatch" not in src


# ------------------------------------------------------------------ 4: replay of every op
def grad_graph(make: object) -> Tensor:
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True, label="x")
    y = make(x)  # type: ignore[operator]
    y.backward(create_graph=True)
    g = (x.grad * x.grad).sum()
    g.label = "g"
    return g


@pytest.mark.parametrize("make", [
    lambda x: (x.sort() ** 3).sum(),                       # permute
    lambda x: (x.repeat(2) ** 3).sum(),                    # run_sums
    lambda x: (x[np.array([0, 0, 2])] ** 3).sum(),         # scatter
], ids=["permute", "run_sums", "scatter"])
def test_check_replays_the_ops_of_gradient_graphs_or_says_which_cannot(make: object) -> None:
    from autograd_lite.ops import op_row

    g = grad_graph(make)
    ops = {n.op for n in explain(g, replay=True).nodes} & {"permute", "run_sums", "scatter"}
    assert len(ops) == 1
    op = ops.pop()
    assert op_row(op).again is not None  # every row of a gradient graph replays
    src = viz.draw(g, check=True).source
    assert "✓" in src and "✗" not in src and "mismatch" not in src
    ex = viz.plant_bug(g, seed=0)
    ex.restore()


def test_a_row_without_a_replay_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:

    from autograd_lite import ops

    g = grad_graph(lambda x: (x.sort() ** 3).sum())
    monkeypatch.setitem(ops.OPS, "permute", ops.OPS["permute"].replace(again=None))
    with pytest.raises(ValueError, match=r"^draw\(check=True\): cannot replay op 'permute'"):
        viz.draw(g, check=True)
    with pytest.raises(ValueError, match=r"^plant_bug: cannot replay op 'permute'"):
        viz.plant_bug(g, seed=0)
    assert "mismatch" not in viz.draw(g).source


@pytest.mark.parametrize("target", ["labels", "label", "probs"])
def test_cross_entropy_graphs_are_checked_and_take_a_bug(target: str) -> None:
    rng = np.random.default_rng(3)
    z = Tensor(rng.standard_normal((3, 4)) if target != "label" else rng.standard_normal(4),
               requires_grad=True, label="z")
    t = {"labels": np.array([0, 3, 1]), "label": 2,
         "probs": Tensor(np.full((3, 4), 0.25), requires_grad=True, label="p")}[target]
    loss = F.cross_entropy(z * 1.5, t)
    loss.label = "loss"
    src = viz.draw(loss, check=True).source
    assert "✓" in src and "mismatch" not in src
    ex = viz.plant_bug(loss, seed=0)
    assert "mismatch" in ex.picture().source


def test_plant_bug_speaks_of_itself() -> None:
    t = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"^plant_bug: an exercise needs a scalar root"):
        viz.plant_bug(t * 2.0)


# ------------------------------------------------------------------ issue 20 §3, §4: plant_bug
@pytest.mark.parametrize("kwargs, error, words", [
    ({"wrong": "abc"}, TypeError, "wrong must be a number"),
    ({"wrong": True}, TypeError, "wrong must be a number"),
    ({"wrong": float("nan")}, ValueError, "wrong must be a finite number"),
    ({"parent": True}, TypeError, "parent must be an int"),
    ({"parent": 1.0}, TypeError, "parent must be an int"),
    ({"seed": "a"}, TypeError, "seed must be an int"),
])
def test_plant_bug_validates_its_arguments(kwargs: dict, error: type, words: str) -> None:
    x = Value(2.0, "x")
    y = x * x + x
    before = [n.local_grads for n in explain(y, replay=True).nodes if n.parents]
    with pytest.raises(error, match=f"^plant_bug: {words}"):
        viz.plant_bug(y, node=y if "parent" in kwargs else None, **kwargs)
    assert [n.local_grads for n in explain(y, replay=True).nodes if n.parents] == before


def test_a_failing_plant_bug_leaves_nothing_planted() -> None:
    x = Value(1e-7, "x")
    y = x.log() * x  # gradcheck steps across log's edge: DomainError
    before = [(n, n.local_grads) for n in explain(y, replay=True).nodes if n.parents]
    for seed in range(4):
        with pytest.raises(ValueError, match="log"):
            viz.plant_bug(y, seed=seed)
        assert [(n, n.local_grads) for n, _ in before] == before
    y.backward()
    assert x.grad == pytest.approx(np.log(1e-7) + 1.0, rel=1e-12)
    t = Tensor(np.ones(6000), requires_grad=True)
    s = (t * t).sum()
    with pytest.raises(ValueError, match="6000 elements"):
        viz.plant_bug(s, seed=0)
    s.backward()
    assert np.all(t.grad == 2.0)


# ------------------------------------------------------------------ 6: plant_bug after backward
def test_exercise_picture_after_backward_shows_the_planted_pass() -> None:
    x = Value(2.0, "x")
    y = x * x
    y.label = "y"
    y.backward()
    ex = viz.plant_bug(y, node=y, parent=0, wrong=1.0)
    src = ex.picture().source
    assert "this pass" not in src
    assert "<B>3 = 1 + 2</B>" in src  # 1·1 (planted) + 1·2 (right): the pass the edges show
    assert "<B>← 1</B>" in src and "<B>← 2</B>" in src
    assert x.grad == 4.0  # the picture is a replay: the grads stay as backward left them
    assert analytic_numeric(src) == [("3", "4 ✗ mismatch")]


# ------------------------------------------------------------------ 7: notation
def test_fmt_never_drops_digits_silently() -> None:
    from autograd_lite import fmt

    assert fmt(1234567, 6) == "1.23457e+06" and float(fmt(1234567, 6)) == pytest.approx(1234567, rel=1e-5)
    assert fmt(1234567) == "1234567" and fmt(-98765432109876, 6) == "-9.87654e+13"
    assert fmt(1e15) == "1000000000000000" and fmt(123456789012345678.0) == "1.23456789012e+17"
    for v in (1234567.0, 987654321.0, 2.0**60 + 1, -3.5e9 - 7):
        for digits in (3, 6, 12):
            text = fmt(v, digits)
            assert len(text.lstrip("-").split("e")[0].replace(".", "")) <= digits  # no made-up digits
            assert float(text) == pytest.approx(v, rel=10.0 ** (1 - digits))


def test_sums_of_constants_keep_their_parentheses() -> None:
    z = Value(2.0) + Value(3.0)
    assert explain(z).steps[0].edges[0].formula == "∂(2+3)/∂2 = 1"
    import contextlib
    import io

    from viz.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["explain", "pi + e"]) == 0
    assert "∂(3.14159265359+2.71828182846)/∂3.14159265359 = 1" in out.getvalue()


def test_latex_of_hostile_labels_negative_factors_and_call_exponents() -> None:
    x = Value(1.0, "x\\^~{}")
    y = x * -1.0 * -1.0
    tex = explain(y).chain(x).latex()
    assert r"\textrm{x\textbackslash{}\textasciicircum{}\textasciitilde{}\{\}}" in tex
    assert r"(-1) \cdot (-1)" in tex and "((" not in tex
    from autograd_lite.chain import _tex_formula

    assert _tex_formula("2**exp(x)") == r"2^{\operatorname{exp}(x)}"


def test_a_nan_grad_is_not_called_an_accumulation() -> None:
    x = Value(float("nan"), "x")
    y = x * x
    y.backward()
    src = viz.draw(y).source
    assert "<B>nan = nan + nan</B>" in src and "this pass" not in src


def test_page_table_and_lines_have_the_pictures_digits() -> None:
    x, w = Value(2.0, "x"), Value(0.113005321369, "w")
    page = page_html(x * w)
    assert "0.113005321369" not in page and "0.226010642738" not in page
    assert "0.113005" in page and "0.226011" in page


# ------------------------------------------------------------------ 5: words true for the shapes
def _edges(root: Tensor) -> dict:
    ex = explain(root, replay=True)
    return {(ex.names[s.node], e.index): (e, s.upstream) for s in ex.steps for e in s.edges}


R = np.random.default_rng(5)
A23, A223, A32, V3 = (R.standard_normal(s) for s in ((2, 3), (2, 2, 3), (3, 2), (3,)))


@pytest.mark.parametrize("a, b, words, sent", [
    # each: operands, the words of each edge, and what the words say in numpy (upstream g)
    (A23, V3, ("outer(g, b)", "aᵀ @ g"), (lambda g, a, b: np.outer(g, b), lambda g, a, b: a.T @ g)),
    (V3, V3, ("g·b", "g·a"), (lambda g, a, b: g * b, lambda g, a, b: g * a)),
    (V3, A32, ("g @ bᵀ", "outer(a, g)"), (lambda g, a, b: g @ b.T, lambda g, a, b: np.outer(a, g))),
    (A223, A32, ("g @ bᵀ", "aᵀ @ g summed over axis 0"),
     (lambda g, a, b: g @ b.T, lambda g, a, b: (a.transpose(0, 2, 1) @ g).sum(axis=0))),
    (A223, V3, ("outer(g, b)", "aᵀ @ g summed over axis 0"),
     (lambda g, a, b: g[..., None] * b, lambda g, a, b: np.einsum("kij,ki->j", a, g))),
])
def test_matmul_words_say_what_is_sent(a: np.ndarray, b: np.ndarray, words: tuple, sent: tuple) -> None:
    ta, tb = Tensor(a, requires_grad=True, label="a"), Tensor(b, requires_grad=True, label="b")
    y = ta @ tb
    y.label = "y"
    root = (y * Tensor(R.standard_normal(y.data.shape))).sum()  # a non-trivial upstream g
    edges = _edges(root)
    for i in range(2):
        e, g = edges[("y", i)]
        assert e.formula == f"∂(a@b)/∂{'ab'[i]}: sends {words[i]}"
        np.testing.assert_allclose(e.sent, sent[i](g, a, b), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", ["maximum", "minimum", "where"])
def test_broadcast_edges_of_tensor_only_ops_say_they_sum(op: str) -> None:
    W = Tensor(A23, requires_grad=True, label="W")
    x = Tensor(V3, requires_grad=True, label="x")
    y = F.where(A23 > 0, W, x) if op == "where" else getattr(F, op)(W, x)
    y.label = "y"
    edges = _edges(y.sum())
    assert edges[("y", 1)][0].formula.endswith("summed over axis 0")
    assert not edges[("y", 0)][0].formula.endswith("summed over axis 0")


def test_cross_entropy_words_for_labels_and_for_probability_rows() -> None:
    z = Tensor(A23, requires_grad=True, label="z")
    e, g = next(iter(_edges(F.cross_entropy(z, [2, 0])).values()))
    assert e.formula == "∂cross_entropy(z, labels)/∂z: sends g·(softmax(z) - onehot(labels))/N"
    p = np.exp(A23) / np.exp(A23).sum(axis=1, keepdims=True)
    onehot = np.eye(3)[[2, 0]]
    np.testing.assert_allclose(e.sent, g * (p - onehot) / 2, rtol=1e-12)
    t = Tensor(np.array([[0.2, 0.3, 0.9], [0.5, 0.5, 0.0]]), requires_grad=True, label="t")  # any rows
    loss = F.cross_entropy(z, t)
    loss.label = "L"
    edges = _edges(loss)
    e, g = edges[("L", 0)]
    assert e.formula == "∂cross_entropy(z, t)/∂z: sends g·(softmax(z)·rowsum(t) - t)/N"
    np.testing.assert_allclose(e.sent, g * (p * t.data.sum(axis=1, keepdims=True) - t.data) / 2, rtol=1e-12)
    assert "onehot" not in e.formula


# ------------------------------------------------------------------ 3: d for totals, ∂ for an edge's partial
def test_chain_tells_the_total_from_each_edges_partial() -> None:
    a = Value(2.0, "a")
    c = a * a + a
    c.label = "c"
    ch = explain(c).chain(a)
    assert str(ch) == ("dc/da = ∂c/∂t1 · ∂t1/∂a (use 1) + ∂c/∂t1 · ∂t1/∂a (use 2) + ∂c/∂a = 1 · a + 1 · a + 1"
                       " = 1 · 2 + 1 · 2 + 1 = 5")
    tex = ch.latex()
    assert tex.startswith(r"\frac{\mathrm{d} c}{\mathrm{d} a} = ")
    assert r"\frac{\partial \mathrm{t1}}{\partial a}\Big|_{\mathrm{use}\,1}" in tex
    assert r"\Big|_{\mathrm{use}\,2}" in tex
    x = Value(3.0, "x")
    y = x * x
    y.label = "y"
    assert str(explain(y).chain(x)) == "dy/dx = ∂y/∂x (use 1) + ∂y/∂x (use 2) = x + x = 3 + 3 = 6"
    assert repr(explain(y).chain(x)).startswith("<ChainRule dy/dx:")
    src = viz.draw(y).source  # the picture's two edges say which use each is
    assert ">∂x (use 1)<" in src and ">∂x (use 2)<" in src


def test_page_lines_write_totals_with_d_and_the_edge_with_its_partial() -> None:
    from graphs import apple_orange

    from viz.page import step_lines

    g = apple_orange()
    ex = explain(g["price"], replay=True)
    first = step_lines(ex, 1, quiz=False)
    assert first[0] == "price (*) has its complete upstream grad dprice/dprice = 1"
    assert first[1].startswith("dprice/dall_price += dprice/dprice · ∂price/∂all_price = 1 × 1.1 = 1.1")
    data = strict_json(page_html(g["price"], quiz=True))
    assert data["steps"][0]["lines"][0].startswith("dprice/dprice = 1 (the seed)")
    assert "seed dprice/dprice = 1" in explain(g["price"], replay=True).table()


# ------------------------------------------------------------------ 8: pictures and pages that mislead
def test_a_sub_graph_does_not_call_uses_outside_it_this_pass() -> None:
    x = Value(3.0, "x")
    y = x * x
    y.label = "y"
    z = y + x
    z.backward()  # x.grad = 2x + 1 = 7: 6 along y's edges, 1 along z's, which y's picture lacks
    src = viz.draw(y).source
    assert "<B>7 (edges drawn send: 3 + 3)</B>" in src and "this pass" not in src


def test_draw_gradient_before_its_backward_shows_no_forward_grads_and_names_it() -> None:
    x = Value(0.5, "x")
    y = x.tanh()
    y.label = "y"
    y.backward(create_graph=True)
    src = viz.draw_gradient(x.grad, y).source
    gradient_part = src[src.index("subgraph cluster_g"):src.index("subgraph cluster_f")]
    assert ">grad<" not in gradient_part  # its nodes hold the forward pass's grads: not shown
    assert "the gradient dy/dx, as a graph" in gradient_part and ">dy/dx<" in gradient_part
    forward_part = src[src.index("subgraph cluster_f"):]
    assert ">grad<" in forward_part


def test_tensor_boxes_show_their_sums() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="x")
    y = (x * x).sum()
    y.label = "y"
    y.backward()
    box = src_block(viz.draw(y).source, "n0")
    assert "= [1, 2]" in box and "+ [1, 2]" in box  # x.grad = 2x = x + x, one term per use
    y.backward()  # accumulated: the box says what its edges send
    box = src_block(viz.draw(y).source, "n0")
    assert "edges drawn send: [1, 2]" in box and "this pass" not in box


def src_block(src: str, node_id: str) -> str:
    start = src.index(f"\t{node_id} [label=")
    return src[start:src.index("shape=plain", start)]


def test_array_constants_are_named_as_in_the_words() -> None:
    X = Tensor(np.ones((2, 2)))
    W = Tensor(np.ones((2, 1)), requires_grad=True, label="W")
    y = (X @ W).sum()
    ex = explain(y, replay=True)
    assert ex.names[X] == "t1" and "t1@W" in ex.steps[-1].edges[0].formula
    assert ">t1 (constant)<" in viz.draw(y).source
    from viz.steps import frames

    last = frames(y)[-1]
    assert last.grads[X] == "none needed" and "?" not in last.grads.values()


def test_the_quiz_asks_no_constant_and_each_name_once() -> None:
    x = Value(3.0, "x")
    z = (x * 2.0) * (x + 2.0)  # two constants named 2, with different grads (15 and 6)
    z.label = "z"
    page = page_html(z, quiz=True)
    asked = re.findall(r'<label>([^=<]+) = <input', page)
    assert asked == ["dz/dt1", "dz/dt2", "dz/dx"]
    x2 = Value(1.0, "x")
    w = x * x2  # two inputs both labelled x: numbered
    w.label = "w"
    asked = re.findall(r'<label>([^=<]+) = <input', page_html(w, quiz=True))
    assert sorted(asked) == ["dw/dx (#1)", "dw/dx (#2)"]


def test_page_hover_texts_are_names_and_formulas_not_ids() -> None:
    x = Value(2.0, "x")
    y = x * x + 1.0
    y.label = "y"
    page = page_html(y)
    assert re.findall(r"<title>", page) == ["<title>"]  # the page's own title only
    assert 'xlink:title="y = t1+1"' in page and 'xlink:title="∂t1/∂x (use 2)"' in page
    assert "op2&#45;&gt;n2" not in re.sub(r'data-id="[^"]*"', "", page)
