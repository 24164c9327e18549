"""viz.compare_orders: the naive recursive backward beside the topological one."""

from __future__ import annotations

import math
import struct
import subprocess
from typing import Dict, List, Tuple

import numpy as np
import pytest
from graphs import apple_orange, build_program
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import viz
from autograd_lite import Tensor, Value
from autograd_lite.format import fmt
from autograd_lite.numeric import DomainError
from autograd_lite.reading import graph_nodes
from viz.orders import MAX_NAIVE_ADDS


def naive_by_hand(root: Value) -> Dict[Value, float]:
    """micrograd's first backward, written with real recursion: send, then call the parent at once."""
    grads: Dict[Value, float] = {n: 0.0 for n in graph_nodes(root)}
    grads[root] = 1.0

    def backward(node: Value) -> None:
        g = grads[node]
        for parent, local in zip(node.parents, node.local_grads):
            grads[parent] += local * g
            if parent.parents:
                backward(parent)

    backward(root)
    return grads


def paths(top: Value, node: Value) -> int:
    """How many chains of parent edges lead from ``top`` down to ``node``."""
    return 1 if top is node else sum(paths(p, node) for p in top.parents)


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or bits(x) == bits(y)


def test_a_plus_a_twice() -> None:
    a = Value(1.0, "a")
    b = a + a
    b.label = "b"
    c = b + b
    r = viz.compare_orders(c)
    # hand: dc/da = 4; naive: b calls with 1 (a gets 1 + 1) and again with 2 (a gets 2 + 2)
    assert (r.topological[a], r.naive[a]) == (4.0, 6.0)
    assert r.wrong() == [a] and not r.agree and r.early() == [b]
    assert [a.grad, b.grad, c.grad] == [0.0, 0.0, 0.0]
    text = str(r)
    assert ("b sent 2 times, with 1, then 2: first after 1 of its 2 uses had reported (its complete grad "
            "is 2, to be sent once)") in r.verdict()
    assert r.verdict().endswith("Wrong grads: a naive 6, topological 4.")
    assert " ".join(text.split("\n\n")[-1].split()) == " ".join(r.verdict().split())  # wrapped at the end
    assert "2. a.grad += 1 (from b) → 1  ← early" in text and "6. a.grad += 2 (from b) → 6  ← again" in text
    assert [(x.parent, x.sent, x.after) for x in r.naive_adds] == [
        (b, 1.0, 1.0), (a, 1.0, 1.0), (a, 1.0, 2.0), (b, 1.0, 2.0), (a, 2.0, 4.0), (a, 2.0, 6.0)]


def test_diamond() -> None:
    x = Value(0.5, "x")
    m = x * 3.0
    m.label = "m"
    w = m.tanh() + m * 2.0
    r = viz.compare_orders(w)
    s = 1.0 - math.tanh(1.5) ** 2
    assert r.topological[x] == pytest.approx(3.0 * (s + 2.0), rel=1e-15)
    # naive: m sends 3·s after its first use, then 3·(s + 2) after the second
    assert r.naive[x] == pytest.approx(3.0 * s + 3.0 * (s + 2.0), rel=1e-15)
    assert r.early() == [m] and r.wrong()[0] is x
    w.backward()
    assert r.topological[x] == x.grad


def test_apples_agree_and_say_why() -> None:
    g = apple_orange()
    r = viz.compare_orders(g["price"])
    assert r.agree and r.early() == []
    assert r.topological[g["apple"]] == pytest.approx(2.2) and r.topological[g["tax"]] == pytest.approx(650)
    assert "every node that sends is used once" in r.verdict()
    assert len(r.naive_adds) == len(r.topological_adds) == 8


def test_rounding_only_is_said() -> None:
    # every node used once, but x's three terms are added in another order: the topological pass
    # adds 1 then -1e16 then 1e16 (0), the naive 1e16 then -1e16 then 1 (1)
    x = Value(1.0, "x")
    y = (x * 1e16 + x * -1e16) + x * 1.0
    r = viz.compare_orders(y)
    assert r.early() == [] and (r.naive[x], r.topological[x]) == (1.0, 0.0)
    assert r.verdict().endswith("so the grads of x differ by rounding only.")
    y.backward()
    assert x.grad == r.topological[x]


@settings(deadline=None, max_examples=120)
@given(st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=3),
       st.lists(st.tuples(st.sampled_from(["+", "-", "*", "neg", "square", "tanh", "sin", "exp"]),
                          st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=8))
def test_random_programs(leaves: List[float], raw: List[Tuple[str, int, int]]) -> None:
    program = [(op, i % (len(leaves) + k), j % (len(leaves) + k)) for k, (op, i, j) in enumerate(raw)]
    try:
        _, root = build_program(leaves, program)
    except (DomainError, OverflowError):
        assume(False)
        return
    nodes = graph_nodes(root)
    r = viz.compare_orders(root)
    assert all(n.grad == 0.0 for n in nodes)  # private grads
    expected = naive_by_hand(root)
    root.backward()
    wrong = []
    for n in nodes:
        assert same(r.topological[n], n.grad)
        assert same(r.naive[n], expected[n])
        if not same(r.naive[n], n.grad):
            wrong.append(n)
    assert r.wrong() == wrong
    verdict = r.verdict()
    for n in wrong:
        if r.early():
            assert f"{r.names[n]} naive {fmt(expected[n])}, topological {fmt(n.grad)}" in verdict
    # the naive pass calls a node once per path from the root: more than one path, more than one call
    assert r.early() == [n for n in nodes if n.parents and paths(root, n) > 1]


def test_tensor_graph() -> None:
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="a")
    b = a * a
    c = (b + b).sum()
    r = viz.compare_orders(c)
    c.backward()
    assert np.array_equal(r.topological[a], a.grad) and np.array_equal(r.topological[a], [4.0, 8.0])
    assert np.array_equal(r.naive[a], [6.0, 12.0])


def test_bounds_and_refusals() -> None:
    a = Value(1.0, "a")
    x = a
    for _ in range(20):
        x = x + x  # the naive pass would call the first node 2**19 times
    with pytest.raises(ValueError, match=r"would make \d+ additions on this graph .* at most "
                       f"{MAX_NAIVE_ADDS}"):
        viz.compare_orders(x)
    assert a.grad == 0.0
    with pytest.raises(TypeError, match="compare_orders: expected a Value or Tensor"):
        viz.compare_orders(3.0)


def test_picture_marks_the_early_sends() -> None:
    a = Value(1.0, "a")
    b = a + a
    b.label = "b"
    c = b + b
    g = viz.compare_orders(c).draw()
    lines = g.source.splitlines()
    early = [ln for ln in lines if "->" in ln and "naive #2: 1, #5: 2" in ln]
    assert len(early) == 1 and 'color="#C0392B"' in early[0]
    on_time = [ln for ln in lines if "->" in ln and "naive #1: 1<br/>" in ln]
    assert len(on_time) == 1 and 'color="#C0392B"' not in on_time[0]
    if not viz.dot_available():
        pytest.skip("Graphviz dot is not installed")
    svg = subprocess.run(["dot", "-Tsvg"], input=g.source.encode(), capture_output=True, check=True).stdout
    assert b"naive grad 6" in svg and b"topological grad 4" in svg


def test_module_doctests() -> None:
    import doctest

    import viz.orders

    result = doctest.testmod(viz.orders)
    assert result.attempted > 0 and result.failed == 0
