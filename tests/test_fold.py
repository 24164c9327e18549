"""Folding: recorded blocks (scalar_nn, nn, viz.group) drawn as boxes that say what enters and leaves.

Invariants over random programs: a folded box's grad sent back to each value that enters it is
the sum, in the engine's order, of what its own edges sent (read from ``explain``); every drawn
value's grad is the sum of what its drawn edges and boxes sent; the picture writes those numbers.
"""

from __future__ import annotations

import random
import shutil
import struct
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite.groups as groups
import viz
from autograd_lite import Tensor, Value, explain, nn
from autograd_lite.groups import blocks_of
from autograd_lite.reading import graph_nodes
from autograd_lite.scalar_nn import MLP
from viz.fold import fold_graph
from viz.labels import flow_text

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def moons_loss(sizes: List[int]) -> Any:
    model = MLP(2, sizes, seed=0)
    x = [Value(0.5, "x1"), Value(-0.25, "x2")]
    loss = (1 + -1 * model(x)).relu()
    loss.label = "loss"
    loss.backward()
    return model, loss


def random_program(seed: int) -> Any:
    """Random Values through nested viz.group blocks: reuse across blocks, constants, leaves used
    inside and outside."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-2, 2), f"x{i}") for i in range(3)]
    pool = list(leaves)

    def op() -> Value:
        a, b = rng.choice(pool), rng.choice(pool)
        kind = rng.randrange(5)
        out = a + b if kind == 0 else a * b if kind == 1 else a.tanh() if kind == 2 else \
            a * rng.uniform(-2, 2) if kind == 3 else a - b
        pool.append(out)
        return out

    for k in range(rng.randint(1, 4)):
        with viz.group(f"block{k}"):
            for _ in range(rng.randint(1, 5)):
                op()
            if rng.random() < 0.5:
                with viz.group(f"inner{k}"):
                    op()
        for _ in range(rng.randint(0, 2)):
            op()
    root = pool[-1]
    for v in pool[-4:-1]:
        root = root + v
    root.backward()
    return root


def check_invariants(root: Any, fold: str) -> None:
    every = graph_nodes(root)
    folding = fold_graph(root, fold)
    ex = explain(root, replay=True)
    owner = folding.owner
    for g in folding.groups:
        members = set(g.members)
        assert members and all(owner[m] is g for m in members)
        for p, sent in g.inputs:
            total: Any = None
            for step in ex.steps:  # the engine's order
                if step.node in members:
                    for e in step.edges:
                        if e.parent is p:
                            total = e.sent if total is None else total + e.sent
            assert total is not None and sent == total, (g.name, p, sent, total)
            assert owner.get(p) is not g
        for o in g.outputs:  # what leaves: used outside, or the root
            assert o in members
            assert o is root or any(o in n.parents and owner.get(n) is not g for n in every)
    # a drawn value's grad is what its drawn edges and boxes sent, added up
    for v in every:
        if v in owner or v is root:
            continue
        parts: List[float] = []
        for step in ex.steps:
            for e in step.edges:
                if e.parent is v and step.node not in owner:
                    parts.append(e.sent)
        parts += [s for g in folding.groups for p, s in g.inputs if p is v]
        if parts:
            assert sum(parts) == pytest.approx(v.grad, rel=1e-12, abs=1e-12)


@settings(deadline=None, max_examples=60)
@given(st.integers(0, 2**32 - 1))
def test_folded_boxes_send_what_their_edges_sent(seed: int) -> None:
    root = random_program(seed)
    check_invariants(root, "group")
    assert fold_graph(root, "group").groups  # every program has a block in its graph
    source = viz.draw(root, fold="group", max_nodes=None).source
    folding = fold_graph(root, "group")
    for g in folding.groups:
        for p, sent in g.inputs:
            if p not in folding.owner:  # a drawn value's edge into the box says what came back
                assert f"← {flow_text(sent)}" in source


def test_the_moons_mlp_folds_by_neuron_layer_and_module() -> None:
    model, loss = moons_loss([16, 16, 1])
    params = set(model.parameters())
    for fold, count in (("neuron", 33), ("layer", 3), ("module", 1)):
        folding = fold_graph(loss, fold)
        assert len(folding.groups) == count
        inside = {p for g in folding.groups for p in g.params}
        assert inside == params  # every weight lives in its box
        check_invariants(loss, fold)
    n3 = next(g for g in fold_graph(loss, "neuron").groups if g.name == "L1.n3")
    assert [p.label for p in n3.params] == ["L1.n3.w1", "L1.n3.w2", "L1.n3.b"]
    assert [p.label for p, _ in n3.inputs] == ["x1", "x2"] and len(n3.outputs) == 1
    layer2 = fold_graph(loss, "layer").groups[1]
    assert layer2.name == "L2" and len(layer2.inputs) == 16 and len(layer2.outputs) == 16
    assert fold_graph(loss, None).groups == []


def test_nn_modules_fold_as_layers_and_as_the_model() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    x = Tensor(np.array([[1.0, -2.0], [0.5, 0.25]]), requires_grad=True, label="x")
    loss = (model(x) ** 2).sum()
    loss.backward()
    layers = fold_graph(loss, "layer")
    assert [g.name for g in layers.groups] == ["0 (Linear)", "ReLU", "2 (Linear)"]
    assert {p.label for g in layers.groups for p in g.params} == {"0.W", "0.b", "2.W", "2.b"}
    first = layers.groups[0]
    assert [p.label for p, _ in first.inputs] == ["x"]
    np.testing.assert_array_equal(first.inputs[0][1], x.grad)  # x is used by the first layer only
    assert [g.name for g in fold_graph(loss, "module").groups] == ["Sequential"]
    assert "0 (Linear)" in viz.draw(loss, fold="layer").source


def test_group_blocks_nest_and_a_block_that_raises_is_not_recorded() -> None:
    x = Value(1.0, "x")
    with viz.group("outer"):
        y = x * 2
        with viz.group("inner"):
            z = y.tanh()
    with pytest.raises(ZeroDivisionError):
        with viz.group("broken"):
            w = z * 3
            raise ZeroDivisionError
    names = [b.name for b in blocks_of(graph_nodes(w))]
    assert names == ["outer", "inner"]  # "broken" raised: not recorded
    assert [g.name for g in fold_graph(z, "group").groups] == ["outer"]  # the outermost folds
    with pytest.raises(TypeError, match="group: name must be a non-empty str"):
        viz.group("")
    with pytest.raises(ValueError, match="fold must be one of"):
        viz.draw(z, fold="neurons")
    with pytest.raises(ValueError, match="draws no check, highlight or frame"):
        viz.draw(z, fold="group", check=True)


def test_the_records_stay_bounded_and_keep_the_newest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(groups, "MAX_INTS", 300)
    x = Value(1.0, "x")
    model = MLP(2, [3, 1], seed=0)  # its layer's records carry their neurons' ends
    for k in range(200):
        with viz.group("step"):
            y = x * float(k)
        out = model([x, y])
        assert len(groups._INTS) <= 300
    names = [b.name for b in blocks_of(graph_nodes(out))]
    assert names == ["step", "MLP", "L1", "L1.n1", "L1.n2", "L1.n3", "L2", "L2.n1"]


def test_a_graph_too_big_even_folded_is_refused_with_what_to_do() -> None:
    _, loss = moons_loss([16, 16, 1])
    with pytest.raises(ValueError, match=r"folded by 'neuron', the graph still has 4\d boxes .* "
                                         r"more than max_nodes=20; fold by a larger block"):
        viz.draw(loss, fold="neuron", max_nodes=20)


@needs_dot
def test_the_folded_moons_mlp_fits_a_slide(tmp_path: Path) -> None:
    _, loss = moons_loss([16, 16, 1])
    path = viz.render(loss, tmp_path / "mlp.png", fold="layer")
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    assert width <= 2000 and width / height >= 16 / 9 * 0.9  # wide enough to fill a 16:9 slide
    parts: Dict[str, int] = {}
    for g in fold_graph(loss, "layer").groups:
        parts[g.name] = len(g.members)
    assert parts == {"L1": 80, "L2": 528, "L3": 32}
