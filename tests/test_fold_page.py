"""The folded page's numbers: a box's step says what the block's edges sent back, summed, and
every text a folded step shows is the replayed pass's (no grad changed)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fold import moons_loss, random_program

import viz
from autograd_lite import Value
from viz.fold import fold_graph
from viz.fold_page import FoldedGroup, folded_dot, folded_pass
from viz.labels import num
from viz.timeline import timeline


def final(cells: Dict[str, Any], key: str) -> str:
    return str(cells[key][-1][1])


def check_page_numbers(root: Any, fold: str) -> None:
    t = timeline(root)
    ex = t.explanation
    folding = fold_graph(root, fold, ex.nodes)
    fp = folded_pass(t, folding)
    ids = {n: str(k) for k, n in enumerate(ex.nodes)}
    _, hot, cell_list = folded_dot(root, t, folding, fp, ids, "LR")
    cells = {c[0]: c[1] for c in cell_list}
    owner = folding.owner
    # the folded steps are the engine's steps, in its order, a box's run as one step
    assert fp.at == sorted(fp.at) and fp.at[-1] == len(fp.units) - 1 == len(hot) - 1
    for k, step in enumerate(ex.steps, 1):
        unit = fp.units[fp.at[k]]
        assert unit is owner.get(step.node, step.node)
    for j, g in enumerate(folding.groups):
        if fp.done[j] < 0:  # nothing inside it needed a grad
            continue
        assert isinstance(fp.units[fp.done[j]], FoldedGroup) and f"b{j}" in hot[fp.done[j]]
        # the page's sums are fold_graph's (read from the last pass), exactly, in the same order
        assert [p for p, _ in fp.sent[j]] == [p for p, _ in g.inputs]
        for (p, s), (_, want) in zip(fp.sent[j], g.inputs):
            assert s == want, (g.name, p, s, want)
        for r, (_, s) in enumerate(fp.sent[j][:4]):
            key = f"a_gb{j}_i{r}"
            if fp.done[j] > 0:
                assert cells[key] == [[0, "← ?"], [fp.done[j], f"← {num(s)}"]]
        for k, (p, s) in enumerate(fp.sent[j]):
            if p not in owner and fp.done[j] > 0:
                assert cells[f"a_fb{j}_{k}"] == [[0, "← ?"], [fp.done[j], f"← {num(s)}"]]
    # a drawn value's grad is what its drawn edges and the boxes sent, added up (engine's float)
    for v in ex.nodes:
        if v in owner or v is root:
            continue
        parts: List[Any] = []  # (engine step, sent): a drawn edge's, or a box's sum at its first use
        for k, step in enumerate(ex.steps):
            for e in step.edges:
                if e.parent is v and step.node not in owner:
                    parts.append((k, e.sent))
        for j, g in enumerate(folding.groups):
            for p, s in fp.sent[j]:
                if p is v and s is not None:
                    parts.append((min(k for k, st in enumerate(ex.steps) if owner.get(st.node) is g
                                      and any(e.parent is v for e in st.edges)), s))
        parts.sort(key=lambda ks: ks[0])
        if parts:
            assert sum(s for _, s in parts) == pytest.approx(v.grad, rel=1e-12, abs=1e-12)
            text = final(cells, "a_g" + ids[v]) if "a_g" + ids[v] in cells else fp.grads[v][-1][1]
            if len(parts) == 1:
                assert text == num(v.grad)
            elif len(parts) <= 6:  # the picture's sum: one term per drawn edge or box, in the engine's order
                assert text == f"{num(v.grad)} = " + " + ".join(num(s) for _, s in parts)


@settings(deadline=None, max_examples=60)
@given(st.integers(0, 2**32 - 1))
def test_a_folded_page_shows_what_each_box_sent(seed: int) -> None:
    root = random_program(seed)
    before = [n.grad for n in timeline(root).explanation.nodes]
    check_page_numbers(root, "group")
    assert [n.grad for n in timeline(root).explanation.nodes] == before  # a replay changes no grad


@pytest.mark.parametrize("fold", ["neuron", "layer", "module"])
def test_the_moons_mlp_folded_page_numbers(fold: str) -> None:
    _, loss = moons_loss([4, 4, 1])
    check_page_numbers(loss, fold)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
def test_render_steps_folded_writes_one_frame_per_folded_step_on_one_layout(tmp_path: Path) -> None:
    Image = pytest.importorskip("PIL.Image")
    _, loss = moons_loss([16, 16, 1])
    out = viz.render_steps(loss, tmp_path, fold="layer", gif=False)
    t = timeline(loss)
    fp = folded_pass(t, fold_graph(loss, "layer", t.explanation.nodes))
    assert len(out.frames) == len(fp.units) < 12  # about 1,000 engine steps, a handful of folded ones
    sizes = {Image.open(p).size for p in out.frames}
    assert len(sizes) == 1 and next(iter(sizes))[0] <= 2000  # one layout, slide-sized
    with pytest.raises(ValueError, match=r"render_steps: folded by 'neuron', the graph has \d+ boxes"):
        viz.render_steps(loss, tmp_path / "n", fold="neuron")
    assert not (tmp_path / "n").exists()


def test_folded_page_options_are_refused_up_front(tmp_path: Any) -> None:
    x = Value(2.0, "x")
    y = x * x
    with pytest.raises(ValueError, match="render_html: fold must be one of"):
        viz.render_html(y, tmp_path / "p.html", fold="neurons")
    with pytest.raises(ValueError, match=r"stepper: a folded page \(fold='layer'\) has no quiz"):
        viz.stepper(y, fold="layer", quiz=True)
    with pytest.raises(ValueError, match="layout='browser' draws the unfolded page"):
        viz.render_html(y, tmp_path / "p.html", fold="layer", layout="browser")
    assert not (tmp_path / "p.html").exists()
