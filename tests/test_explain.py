"""explain: the recorded backward steps match the engine's grads exactly and read like the math."""

from __future__ import annotations

import importlib
import math
from typing import Any, List, Tuple

import numpy as np
import pytest
from graphs import BINARY
from graphs import build_program as build
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor, Value, explain
from demos.apple_orange import build as build_apple_orange

# The package attribute ``autograd_lite.explain`` is the function; the module is this:
explain_module = importlib.import_module("autograd_lite.explain")


def apple_orange() -> Tuple[Value, ...]:
    g = build_apple_orange()
    return tuple(g[k] for k in ("apple", "apple_num", "orange", "orange_num", "tax", "price"))


def test_apple_orange_steps_hand_values() -> None:
    apple, apple_num, orange, orange_num, tax, price = apple_orange()
    ex = explain(price)
    assert [ex.names[s.node] for s in ex] == ["price", "all_price", "orange_price", "apple_price"]
    assert [s.upstream for s in ex] == [1.0, pytest.approx(1.1, abs=1e-15)] + [pytest.approx(1.1)] * 2
    first = ex[0].edges
    assert [ex.names[e.parent] for e in first] == ["all_price", "tax"]
    assert first[0].formula == "∂(all_price*tax)/∂all_price = tax = 1.1"
    assert first[1].formula == "∂(all_price*tax)/∂tax = all_price = 650"
    assert (first[1].before, first[1].sent, first[1].after) == (0.0, 650.0, 650.0)
    assert ex[3].edges[0].formula == "∂(apple*apple_num)/∂apple = apple_num = 2"
    assert ex[1].edges[0].formula == "∂(apple_price+orange_price)/∂apple_price = 1"
    # The book's numbers (DLfS 5.4), and the table's last "after" is the grad itself.
    assert ex.grad_of(apple) == apple.grad == pytest.approx(2.2)
    assert ex.grad_of(apple_num) == apple_num.grad == pytest.approx(110)
    assert ex.grad_of(orange) == orange.grad == pytest.approx(3.3)
    assert ex.grad_of(orange_num) == orange_num.grad == pytest.approx(165)
    assert ex.grad_of(tax) == tax.grad == pytest.approx(650)
    text = str(ex)
    assert "final grads: apple = 2.2, apple_num = 110, orange = 3.3, orange_num = 165, tax = 650" in text
    assert "1.1 × 2 = 2.2" in text and "0 → 2.2" in text


def test_chain_rule_square_and_repeated_use() -> None:
    x, y = Value(1.0, "x"), Value(2.0, "y")
    z = (x + y) ** 2
    ex = explain(z)
    assert ex[0].edges[0].formula == "∂(t1**2)/∂t1 = 2·t1 = 6"
    assert (x.grad, y.grad) == (6.0, 6.0)
    a = Value(1.1, "a")
    b = a + a
    ex = explain(b)
    (step,) = ex.steps
    assert len(step.edges) == 2  # a + a: two uses, two edges
    assert [(e.before, e.after) for e in step.edges] == [(0.0, 1.0), (1.0, 2.0)]
    assert "a = 2" in str(ex).splitlines()[-1]


@pytest.mark.parametrize("make, expected", [
    (lambda x: x.exp(), f"∂exp(x)/∂x = exp(x) = {math.exp(2.0):.12g}"),
    (lambda x: x.log(), "∂log(x)/∂x = 1/x = 0.5"),
    (lambda x: x.tanh(), f"∂tanh(x)/∂x = 1 - tanh(x)² = {1 - math.tanh(2.0) ** 2:.12g}"),
    (lambda x: x.sin(), f"∂sin(x)/∂x = cos(x) = {math.cos(2.0):.12g}"),
    (lambda x: x.cos(), f"∂cos(x)/∂x = -sin(x) = {-math.sin(2.0):.12g}"),
    (lambda x: x.relu(), "∂relu(x)/∂x = 1 (x > 0)"),
    (lambda x: -x, "∂(-x)/∂x = -1"),
    (lambda x: x**3, "∂(x**3)/∂x = 3·x**2 = 12"),
    (lambda x: x**-1, "∂(x**(-1))/∂x = -1·x**(-2) = -0.25"),
    (lambda x: x / 4, "∂(x/4)/∂x = 1/4 = 0.25"),
    (lambda x: 4 / x, "∂(4/x)/∂x = -4/x² = -1"),
    (lambda x: x - 1, "∂(x-1)/∂x = 1"),
    (lambda x: x * 3, "∂(x*3)/∂x = 3"),
    (lambda x: x.abs(), "∂abs(x)/∂x = sign(x) = 1"),
])
def test_formula_in_words(make, expected) -> None:  # type: ignore[no-untyped-def]
    x = Value(2.0, "x")
    ex = explain(make(x))
    (edge,) = [e for e in ex[0].edges if e.parent is x]
    assert edge.formula == expected


def test_last_step_formula_for_two_step_relu() -> None:
    x = Value(2.0, "x")
    ex = explain((-x).relu())
    assert ex[0].edges[0].formula == "∂relu(t1)/∂t1 = 0 (t1 ≤ 0)"
    assert x.grad == 0.0


def test_replay_after_backward_does_not_double() -> None:
    a = Value(3.0, "a")
    b = a * a + a
    b.backward()
    assert a.grad == 7.0  # 2a + 1
    ex = explain(b)  # default: a leaf already has a grad -> replay, nothing touched
    assert ex.replayed and a.grad == 7.0 and ex.grad_of(a) == 7.0
    ex = explain(b, replay=False)  # explicitly another backward pass: accumulates like backward()
    assert not ex.replayed and a.grad == 14.0 and ex.grad_of(a) == 14.0
    ex = explain(b, replay=True)
    assert a.grad == 14.0 and ex.grad_of(a) == 7.0
    assert "replayed" in str(ex).splitlines()[0]


def test_fresh_graph_runs_backward() -> None:
    x = Value(0.5, "x")
    y = x.sigmoid()
    ex = explain(y)
    s = 1.0 / (1.0 + math.exp(-0.5))
    assert not ex.replayed and x.grad == ex.grad_of(x) == pytest.approx(s * (1 - s), abs=1e-15)


def test_seed_and_leaf_root() -> None:
    x = Value(2.0, "x")
    y = x * x
    ex = explain(y, 3.0)
    assert ex[0].upstream == 3.0 and x.grad == 12.0
    leaf = Value(1.0, "leaf")
    ex = explain(leaf)
    assert len(ex) == 0 and "is a leaf" in str(ex)
    with pytest.raises(TypeError, match="seed"):
        explain(y, "1")
    with pytest.raises(TypeError, match="Value or Tensor"):
        explain(3.0)


def test_failure_restores_every_grad(monkeypatch: pytest.MonkeyPatch) -> None:
    x = Value(2.0, "x")
    y = x * x
    z = y + 1
    x.grad, y.grad, z.grad = 5.0, 7.0, 9.0

    def broken(*args: object) -> None:
        raise RuntimeError("recording failed")

    monkeypatch.setattr(explain_module, "Edge", broken)  # fails after the sweep has run
    with pytest.raises(RuntimeError, match="recording failed"):
        explain(z, replay=False)
    assert (x.grad, y.grad, z.grad) == (5.0, 7.0, 9.0)


# ----------------------------------------------------------------------- random expressions
UNARY = ["exp", "tanh", "sigmoid", "relu", "sin", "cos", "neg", "square"]


@st.composite
def programs(draw: st.DrawFn) -> Tuple[List[float], List[Tuple[str, int, int]]]:
    """Leaves and a list of ops on earlier results (any node may be reused: repeated uses)."""
    leaves = draw(st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=4))
    ops = []
    for k in range(draw(st.integers(1, 12))):
        n = len(leaves) + k
        op = draw(st.sampled_from(UNARY + BINARY))
        ops.append((op, draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))))
    return leaves, ops




# Every forward value within 1e20 keeps the backward finite: a grad is a sum of at most 2**12
# paths, each a product of at most 12 locals of size <= 2e20 (x*y sends y, exp sends exp(x),
# x**2 sends 2x; the others send at most 1), far below float's 1.8e308 -- so no inf, no nan.
FORWARD_BOUND = 1e20


def tame(program: Tuple[List[float], List[Tuple[str, int, int]]]) -> bool:
    """The forward pass is finite and within FORWARD_BOUND (an overflow is not explain's failure)."""
    try:
        _, root = build(*program)
    except OverflowError:  # exp or ** of a huge value: the program cannot be built at all
        return False
    return all(abs(n.data) <= FORWARD_BOUND for n in explain_module.graph_nodes(root))


@settings(deadline=None, max_examples=150)
@given(programs().filter(tame))
def test_steps_equal_final_grads(program: Tuple[List[float], List[Tuple[str, int, int]]]) -> None:
    leaves, ops = program
    xs, root = build(leaves, ops)
    ref_xs, ref_root = build(leaves, ops)
    ref_root.backward()  # an independent backward on an identical graph
    ex = explain(root)
    for x, ref in zip(xs, ref_xs):
        got = x.grad if root is not x else 1.0
        if any(e.parent is x for s in ex for e in s.edges):
            assert ex.grad_of(x) == got == ref.grad  # exact: the very same sums
    for step in ex:
        assert step.upstream == step.node.grad
        for e in step.edges:
            assert e.sent == e.local * step.upstream
            assert e.after == e.before + e.sent
    # every node's grad is the sum of what the table sent it, in table order
    totals: dict = {}
    for step in ex:
        for e in step.edges:
            totals[e.parent] = totals.get(e.parent, 0.0) + e.sent
    for node, total in totals.items():
        assert node.grad == total


# ----------------------------------------------------------------------- Tensors
def tensor_net() -> Tuple[Any, ...]:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, label="x")
    W = Tensor(np.arange(6.0).reshape(3, 2) / 10, requires_grad=True, label="W")
    b = Tensor([0.5, -0.5], requires_grad=True, label="b")
    h = (x @ W + b).tanh()
    loss = (h * h).sum()
    return x, W, b, loss


def test_tensor_steps_match_backward_exactly() -> None:
    x, W, b, loss = tensor_net()
    rx, rW, rb, rloss = tensor_net()
    rloss.backward()
    ex = explain(loss)
    for mine, ref in ((x, rx), (W, rW), (b, rb)):
        assert np.array_equal(ex.grad_of(mine), ref.grad) and np.array_equal(mine.grad, ref.grad)
    matmul = ex[-1]
    assert matmul.node.op == "@"
    assert [e.formula for e in matmul.edges] == ["∂(x@W)/∂x: sends g @ Wᵀ", "∂(x@W)/∂W: sends outer(x, g)"]
    # hand check of one VJP: d(sum tanh(z)^2)/dz = 2 tanh(z) (1 - tanh(z)^2), z = xW + b
    z = np.array([1.0, 2.0, 3.0]) @ (np.arange(6.0).reshape(3, 2) / 10) + np.array([0.5, -0.5])
    t = np.tanh(z)
    np.testing.assert_allclose(b.grad, 2 * t * (1 - t * t), rtol=1e-14)
    text = str(ex)
    assert "final grads: x = [" in text and "None → " in text


def test_tensor_constant_parent_keeps_its_index() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True, label="x")
    two = Tensor(2.0)  # a constant: the engine sends it nothing
    y = (two * x).sum()
    ex = explain(y)
    (edge,) = ex[1].edges
    assert edge.index == 1 and edge.parent is x and edge.formula == "∂(2*x)/∂x: sends g·2"
    assert np.array_equal(x.grad, [2.0, 2.0])


def test_tensor_seed_rules() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = x * x
    with pytest.raises(ValueError, match="shape"):
        explain(y)
    ex = explain(y, np.array([1.0, 10.0]))
    assert np.array_equal(ex.grad_of(x), [2.0, 40.0])
    with pytest.raises(ValueError, match="does not match"):
        explain(y, np.ones(3), replay=True)
    with pytest.raises(RuntimeError, match="require grad"):
        explain(Tensor([1.0]) * 2)


def test_table_of_a_big_graph_is_cut_with_a_note() -> None:
    x = Value(0.5, "x")
    y = x
    for _ in range(300):
        y = y * 1.5
    ex = explain(y)
    text = str(ex)
    assert "… 100 more steps" in text
    assert len(text.splitlines()) == 3 + 2 + 200 * 2 + 1 + 1 + 1  # header, 200 steps of two edges, notes
    assert "final grads: x = " in text and "… and 251 more" in text  # 301 leaves: x and 300 constants
    assert len(ex.table(max_steps=None).splitlines()) == 3 + 2 + 300 * 2 + 1 + 1


def test_explain_runs_on_a_tensor_graph_whose_leaf_holds_a_graph_grad() -> None:
    from autograd_lite import Tensor

    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = (x ** 3).sum()
    y.backward(create_graph=True)  # x.grad is a Tensor: 3x² = [3, 12]
    text = str(explain(y))
    assert "replayed" in text and "final grads: x = [3, 12]" in text
    assert "final grads: x = [6, 12]" in str(explain(x.grad.sum()))  # d/dx sum(3x²) = 6x
    assert x.grad.data.tolist() == [3.0, 12.0]  # left untouched
