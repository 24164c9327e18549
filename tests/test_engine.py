"""The shared engine: topological order, the traced sweep, grad mode."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Value, engine


def random_graph(rng: random.Random, n_leaves: int, n_ops: int):
    nodes = [Value(rng.uniform(0.5, 2.0), f"x{i}") for i in range(n_leaves)]
    leaves = list(nodes)
    for _ in range(n_ops):
        a, b = rng.choice(nodes), rng.choice(nodes)
        op = rng.choice(["+", "*", "-", "tanh", "sigmoid"])
        if op == "+":
            out = a + b
        elif op == "*":
            out = a * b
        elif op == "-":
            out = a - b
        else:
            out = getattr(a, op)()
        nodes.append(out)
    root = nodes[-1]
    for v in nodes[-5:-1]:
        root = root + v
    return leaves, root


@settings(deadline=None, max_examples=40)
@given(seed=st.integers(0, 10_000), n_ops=st.integers(1, 60))
def test_order_lists_every_consumer_before_its_parents(seed, n_ops):
    leaves, root = random_graph(random.Random(seed), 3, n_ops)
    order = engine.topological_order(root)
    position = {id(v): i for i, v in enumerate(order)}
    assert order[0] is root
    assert all(not v.is_leaf for v in order)
    assert len(position) == len(order)  # no duplicates
    for v in order:
        for p in v.parents:
            if not p.is_leaf:
                assert position[id(p)] > position[id(v)]


@settings(deadline=None, max_examples=40)
@given(seed=st.integers(0, 10_000), n_ops=st.integers(1, 60))
def test_traced_sweep_gives_the_same_grads_as_the_fast_one(seed, n_ops):
    leaves_a, root_a = random_graph(random.Random(seed), 3, n_ops)
    leaves_b, root_b = random_graph(random.Random(seed), 3, n_ops)
    root_a.backward()
    edges = []
    engine.backward(root_b, 1.0, trace=lambda *edge: edges.append(edge))
    assert [v.grad for v in leaves_a] == [v.grad for v in leaves_b]
    # every edge's "after" is "before" plus the contribution, and each edge is local * upstream
    for node, i, parent, contribution, before, after in edges:
        assert after == before + contribution
        assert contribution == node.local_grads[i] * node.grad
        assert node.parents[i] is parent
    assert len(edges) == sum(len(v.parents) for v in engine.topological_order(root_b))


def test_leaf_has_empty_order():
    assert engine.topological_order(Value(1.0)) == []


def test_shared_subgraph_is_visited_once():
    x = Value(1.5)
    h = (x * x).tanh()
    y = h * h + h
    order = engine.topological_order(y)
    assert sum(1 for v in order if v is h) == 1
    y.backward()
    assert h.grad == 2 * h.data + 1
