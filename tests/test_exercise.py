"""Find-the-bug exercises: a planted wrong local derivative shows in gradcheck; answers are checked."""

from __future__ import annotations

import numpy as np
import pytest
from graphs import apple_orange

import viz
from autograd_lite import Tensor, Value, explain


def mismatched(src: str) -> int:
    return src.count("✗ mismatch")


def test_swapped_operand_is_found_by_gradcheck_and_graded() -> None:
    g = apple_orange()
    ex = viz.plant_bug(g["price"], node=g["apple_price"], parent=0)
    assert ex.solution() == "∂apple_price/∂apple: it used apple = 100 instead of the other operand = 2"
    assert g["apple_price"].data == 200.0 and g["apple_price"].local_grads == (100.0, 100.0)
    assert explain(g["price"]).grad_of(g["apple"]) == pytest.approx(110.0)  # the wrong grad
    assert mismatched(ex.picture().source) == 1  # only apple is red
    assert not ex.answer("price", "tax") and not ex.answer(g["apple_price"], g["apple_num"])
    right = ex.answer("apple_price", "apple")
    assert right.correct and str(right).startswith("Right: ∂apple_price/∂apple was wrong")
    with pytest.raises(ValueError, match="tax is not a parent of apple_price"):
        ex.answer("apple_price", "tax")
    ex.restore()
    assert mismatched(viz.draw(g["price"], check=True).source) == 0
    assert explain(g["price"]).grad_of(g["apple"]) == pytest.approx(2.2)


@pytest.mark.parametrize("seed", range(8))
def test_a_random_bug_is_always_visible(seed: int) -> None:
    g = apple_orange()
    ex = viz.plant_bug(g["price"], seed=seed)
    assert mismatched(ex.picture().source) >= 1
    wrong = [(n, p, i) for n, p, i in ex.edges() if ex.answer(n, p, i).correct]
    assert len(wrong) == 1
    ex.restore()
    assert mismatched(viz.draw(g["price"], check=True).source) == 0


def test_same_parent_twice_needs_the_use() -> None:
    a = Value(3.0, "a")
    sq = a * a
    out = sq + 1
    out.label = "out"
    ex = viz.plant_bug(out, node=sq, parent=1, wrong=0.0)
    assert not ex.answer(sq, a, 0) and ex.answer(sq, a, 1) and ex.answer(sq, a)


def test_tensor_layer_with_a_wrong_backward_rule() -> None:
    X = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), label="X")
    W = Tensor(np.array([[0.5], [-1.0]]), requires_grad=True, label="W")
    b = Tensor(np.array([0.25]), requires_grad=True, label="b")
    y = X @ W
    loss = ((y + b) ** 2).sum()
    loss.label = "loss"
    ex = viz.plant_bug(loss, node=y, parent=1)  # X @ W sends 2 × Xᵀ g to W
    src = ex.picture().source
    assert mismatched(src) == 1
    assert ex.answer(y, W) and not ex.answer(y, X)
    ex.restore()
    assert mismatched(viz.draw(loss, check=True).source) == 0


def test_bad_requests_are_refused() -> None:
    g = apple_orange()
    with pytest.raises(ValueError, match="plant_bug: the graph has no edge"):
        viz.plant_bug(Value(1.0))
    with pytest.raises(ValueError, match="is not an edge of this graph"):
        viz.plant_bug(g["price"], node=g["apple"], parent=0)
    with pytest.raises(ValueError, match="equals the right one"):
        viz.plant_bug(g["price"], node=g["all_price"], parent=0, wrong=1.0)
    with pytest.raises(TypeError, match="plant_bug: expected a Value or Tensor"):
        viz.plant_bug("price")


def test_big_graphs_are_refused_up_front() -> None:
    v = Value(1.0, "v")
    for _ in range(100):
        v = v * 1.5 + 1
    with pytest.raises(ValueError, match="plant_bug: the graph has .* values more than 150"):
        viz.plant_bug(v)
    W = Tensor(np.ones((100, 60)), requires_grad=True, label="W")
    with pytest.raises(ValueError, match="6000 elements to check by central differences, more than 5000"):
        viz.draw((W * W).sum(), check=True)
