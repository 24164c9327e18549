"""explain(root).chain(leaf): droot/dleaf as a sum over paths of products, counted exactly, = the grad."""

from __future__ import annotations

import math
import time
from typing import Any, List, Tuple

import pytest
from graphs import BINARY, apple_orange
from graphs import build_program as build
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor, Value, explain


def square_of_sum() -> Tuple[Value, Value, Value]:
    x, y = Value(1.0, "x"), Value(2.0, "y")
    t = x + y
    t.label = "t"
    z = t**2
    z.label = "z"
    return x, y, z


def test_seed_article_square_of_a_sum() -> None:
    x, y, z = square_of_sum()
    c = explain(z).chain(x)
    assert str(c) == "dz/dx = ∂z/∂t · ∂t/∂x = (2·t) · 1 = 6 · 1 = 6"
    assert (c.count, c.total, c.grad) == (1, 6.0, 6.0)
    assert c.latex() == (r"\frac{\mathrm{d} z}{\mathrm{d} x} = \frac{\partial z}{\partial t} \cdot "
                         r"\frac{\partial t}{\partial x} = (2 \cdot t) \cdot 1 = 6 \cdot 1 = 6")
    assert c._repr_latex_().startswith("$$\\frac") and "dz/dx" in c._repr_html_()


def test_apples_and_oranges_every_input() -> None:
    g = apple_orange()
    ex = explain(g["price"])
    assert str(ex.chain(g["apple"])) == (
        "dprice/dapple = ∂price/∂all_price · ∂all_price/∂apple_price · ∂apple_price/∂apple"
        " = tax · 1 · apple_num = 1.1 · 1 · 2 = 2.2")
    assert str(ex.chain("orange_num")).endswith("= tax · 1 · orange = 1.1 · 1 · 150 = 165")
    assert str(ex.chain("tax")) == "dprice/dtax = ∂price/∂tax = all_price = 650"
    hand = [("apple", 2.2), ("apple_num", 110), ("orange", 3.3), ("orange_num", 165), ("tax", 650)]
    for name, want in hand:
        c = ex.chain(name)
        assert c.total == pytest.approx(want, rel=1e-12) and c.grad == pytest.approx(want, rel=1e-12)
    tex = ex.chain("apple").latex()
    assert tex.startswith(r"\frac{\mathrm{d} \mathrm{price}}{\mathrm{d} \mathrm{apple}} = "
                          r"\frac{\partial \mathrm{price}}")
    assert r"\mathrm{apple\_num}" in tex and r"1.1 \cdot 1 \cdot 2 = 2.2" in tex


def test_reuse_is_a_sum_over_paths() -> None:
    a = Value(3.0, "a")
    b = a * a  # two edges into a
    c = b + b  # two edges into b: 4 paths c -> a
    c.label = "c"
    ch = explain(c).chain(a)
    assert ch.count == 4 and len(ch.paths) == 4
    assert str(ch).endswith("= 1 · a + 1 · a + 1 · a + 1 · a = 1 · 3 + 1 · 3 + 1 · 3 + 1 · 3 = 12")
    assert ch.total == 12.0 == explain(c).grad_of(a)


def test_many_paths_are_counted_not_enumerated() -> None:
    v = Value(0.5, "v")
    w = v
    for _ in range(40):  # each level: w*w (two edges) + w (one edge): 3 edges, 3**40 paths
        w = (w * w) * 0.25 + w * 0.5  # numbers stay small: d w_next / d w = 0.5 w + 0.5
    w.label = "w"
    start = time.perf_counter()
    ch = explain(w).chain(v, max_paths=3)
    assert time.perf_counter() - start < 20
    assert ch.count == 3**40 and len(ch.paths) == 3 and ch.more == 3**40 - 3
    assert f"… ({3**40 - 3} more paths)" in str(ch)
    assert math.isfinite(ch.total) and ch.total == pytest.approx(ch.grad, rel=1e-9)


def test_a_deep_chain_shows_its_two_ends() -> None:
    x = Value(0.1, "x")
    y = x
    for _ in range(20000):
        y = y * 1.0
    y.label = "y"
    ch = explain(y).chain(x)
    assert ch.count == 1 and "(19988 more factors)" in str(ch)
    assert str(ch).startswith("dy/dx = ∂y/∂t19999 · ∂t19999/∂t19998")


def test_errors_name_the_problem() -> None:
    x, y, z = square_of_sum()
    ex = explain(z)
    with pytest.raises(ValueError, match="no node named 'q' in this graph"):
        ex.chain("q")
    with pytest.raises(ValueError, match="is not part of this graph"):
        ex.chain(Value(1.0))
    with pytest.raises(ValueError, match="max_paths must be an int >= 0"):
        ex.chain(x, max_paths=-1)
    t = Tensor([1.0, 2.0], requires_grad=True, label="t")
    with pytest.raises(TypeError, match="chain: works on Value graphs"):
        explain((t * t).sum()).chain(t)
    assert str(ex.chain(z)) == "dz/dz = 1"


def test_labels_are_escaped_in_html_and_latex() -> None:
    a = Value(2.0, "<b>&_{x}")
    out = a * 3
    out.label = "o"
    ch = explain(out).chain(a)
    assert "<b>&" not in ch._repr_html_() and "&lt;b&gt;&amp;" in ch._repr_html_()
    assert r"\textrm{\textless{}b\textgreater{}\&\_\{x\}}" in ch.latex() and "<" not in ch._repr_latex_()


# ----------------------------------------------------------------------- random graphs
UNARY = ["exp", "tanh", "sin", "neg", "square"]


@st.composite
def programs(draw: st.DrawFn) -> Tuple[List[float], List[Tuple[str, int, int]]]:
    leaves = draw(st.lists(st.floats(-1.5, 1.5, allow_nan=False), min_size=1, max_size=4))
    ops = []
    for k in range(draw(st.integers(1, 10))):
        n = len(leaves) + k
        ops.append((draw(st.sampled_from(UNARY + BINARY)), draw(st.integers(0, n - 1)),
                    draw(st.integers(0, n - 1))))
    return leaves, ops




def brute_paths(node: Any, leaf: Any) -> List[List[float]]:
    """Every path's local derivatives, by plain recursion (the graphs here are small)."""
    if node is leaf:
        return [[]]
    out = []
    for p, local in zip(node.parents, node.local_grads):
        out += [[local] + rest for rest in brute_paths(p, leaf)]
    return out


@settings(deadline=None, max_examples=150)
@given(programs(), st.integers(0, 6))
def test_sum_over_paths_equals_backward(program: Tuple[List[float], List[Tuple[str, int, int]]],
                                        k: int) -> None:
    leaves, ops = program
    xs, root = build(leaves, ops)
    ref_xs, ref_root = build(leaves, ops)
    ref_root.backward()  # the oracle: an independent backward pass on an identical graph
    ex = explain(root, replay=True)
    in_graph = set(ex.nodes)
    for x, ref in zip(xs, ref_xs):
        if x is root or x not in in_graph:
            continue
        ch = ex.chain(x, max_paths=k)
        paths = brute_paths(root, x)
        assert ch.count == len(paths)  # dynamic programming counts exactly the paths
        products = [math.prod(p) for p in paths]
        scale = 1.0 + math.fsum(abs(p) for p in products)
        assert abs(ch.total - ref.grad) <= 1e-9 * scale  # forward accumulation = backward grad
        assert abs(math.fsum(products) - ref.grad) <= 1e-9 * scale
        assert len(ch.paths) == min(k, len(paths))
        assert [ch.factor_values(p) for p in ch.paths] == paths[: len(ch.paths)]  # the first k, in order
        if len(paths) <= k:
            assert abs(math.fsum(ch.product(p) for p in ch.paths) - ref.grad) <= 1e-9 * scale
