"""The micrograd-style scalar MLP: bookkeeping, and 100% training accuracy on two moons."""

from __future__ import annotations

import pytest

from autograd_lite import Value, no_grad
from autograd_lite.datasets import make_moons
from autograd_lite.engine import creation_index
from autograd_lite.scalar_nn import MLP, Layer, Neuron, weighted_sum


def test_parameter_counts_and_zero_grad():
    model = MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    assert len(params) == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1)
    assert len({id(p) for p in params}) == len(params)
    out = model([1.0, -2.0])
    out.backward()
    assert any(p.grad != 0.0 for p in params)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in params)


def test_seed_makes_weights_reproducible():
    a = [p.data for p in MLP(2, [4, 1], seed=3).parameters()]
    b = [p.data for p in MLP(2, [4, 1], seed=3).parameters()]
    c = [p.data for p in MLP(2, [4, 1], seed=4).parameters()]
    assert a == b and a != c


def test_neuron_is_the_weighted_sum_and_activation():
    n = Neuron(2, activation="relu")
    n.w[0].data, n.w[1].data, n.b.data = 2.0, -1.0, 0.5
    assert n([3.0, 1.0]).data == 5.5
    assert n([-3.0, 1.0]).data == 0.0
    lin = Neuron(2, activation="linear")
    lin.w[0].data, lin.w[1].data, lin.b.data = 2.0, -1.0, 0.5
    assert lin([-3.0, 1.0]).data == -6.5


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="activation"):
        Neuron(2, activation="gelu")
    with pytest.raises(ValueError, match="n_inputs"):
        Neuron(0)
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        Layer(2, 3)([1.0, 2.0, 3.0])


def test_mlp_reaches_full_training_accuracy_on_two_moons():
    X, t = make_moons(100, noise=0.1, seed=1)
    y = (2 * t - 1).tolist()
    rows = X.tolist()
    model = MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    accuracy = 0.0
    for k in range(100):
        scores = [model([Value(v) for v in row]) for row in rows]
        accuracy = sum((yi > 0) == (s.data > 0) for yi, s in zip(y, scores)) / len(y)
        if accuracy == 1.0:
            break
        losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in params:
            p.data -= lr * p.grad
    assert accuracy == 1.0


def _shape_of(root: Value) -> list:
    """Every node as (op, data, local grads, parent positions, label), in creation order."""
    nodes, stack = {}, [root]
    while stack:
        n = stack.pop()
        if id(n) not in nodes:
            nodes[id(n)] = n
            stack.extend(n.parents)
    ordered = sorted(nodes.values(), key=creation_index)
    where = {id(n): i for i, n in enumerate(ordered)}
    return [(n.op, n.data, n.local_grads, tuple(where[id(p)] for p in n.parents), n.label) for n in ordered]


@pytest.mark.parametrize("xs", [[3.0, -1.5, 2], [Value(0.5), 2.0, Value(-4.0)], [Value(1.0)] * 3])
def test_weighted_sum_builds_the_very_graph_of_sum_of_products(xs: list) -> None:
    w = [Value(2.0, "w0"), Value(-1.0, "w1"), Value(0.25, "w2")]
    b = Value(0.5, "b")
    fused = weighted_sum(w, xs, b)
    plain = sum((wi * xi for wi, xi in zip(w, xs)), b)
    assert fused.data == plain.data
    assert _shape_of(fused) == _shape_of(plain)
    fused.backward()
    got = [v.grad for v in w + [b]]
    for v in w + [b]:
        v.grad = 0.0
    plain.backward()
    assert got == [v.grad for v in w + [b]]
    with no_grad():
        assert weighted_sum(w, xs, b).is_leaf
    with pytest.raises(TypeError, match=r"\*"):
        weighted_sum(w, ["a", 1.0, 2.0], b)
    with pytest.raises(ValueError, match="3 weights but 2 inputs"):
        weighted_sum(w, xs[:2], b)
