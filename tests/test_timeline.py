"""viz.timeline: the backward pass as changes on one picture; render_steps lays out once."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, List

import pytest

import viz
import viz.steps
from autograd_lite import Value, explain
from autograd_lite.explain import SHORT_DIGITS, graph_nodes, preview
from autograd_lite.scalar_nn import MLP
from viz.timeline import MAX_TERMS, timeline

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def fan(uses: int) -> Any:
    """x used ``uses`` times, summed: x's grad arrives in ``uses`` steps."""
    x = Value(0.5, "x")
    total = x * 1.0
    for k in range(2, uses + 1):
        total = total + x * float(k)
    total.label = "y"
    return x, total


def test_texts_at_every_step_match_the_pass() -> None:
    x, y = fan(11)
    t = timeline(y)
    ex = explain(y, replay=True)
    sent: List[str] = []
    for k in range(len(ex.steps) + 1):
        if k:
            sent += [preview(e.sent, digits=SHORT_DIGITS) for e in ex.steps[k - 1].edges if e.parent is x]
        got = t.grads_at(k)[x]
        if not sent:
            assert got == "?"
        elif len(sent) < 11:
            shown = sent if len(sent) <= MAX_TERMS else sent[:MAX_TERMS - 1] + [f"… {len(sent) - 7} more"]
            assert got == " + ".join(shown) + " + ?", (k, got)
        else:
            assert got == "66 = 11 + 10 + 9 + 8 + 7 + 6 + 5 + … 4 more"  # 1 + ... + 11, newest use first
    assert t.grads_at(len(ex.steps))[y] == "1" and x.grad == 0.0  # a replay


def test_changes_grow_with_the_edges_not_with_the_steps() -> None:
    model = MLP(2, [4, 4, 1], seed=0)
    loss = model([Value(0.3, "x1"), Value(-0.7, "x2")])
    loss.backward()
    nodes = graph_nodes(loss)
    edges = sum(len(n.parents) for n in nodes if not n.is_leaf)
    steps = sum(1 for n in nodes if not n.is_leaf)
    t = timeline(loss)
    assert len(t.hot) == steps + 1
    assert sum(len(c) for c in t.grads.values()) <= len(nodes) + edges
    assert len(t.flows) == edges and all(len(c) == 2 for c in t.flows.values())
    assert all(len(c) == 1 for c in timeline(loss, quiz=True).flows.values())  # the quiz shows ← ? only


@needs_dot
def test_render_steps_lays_out_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Any] = []
    real = viz.steps.pipe

    def counted(g: Any, kind: str, out: Path, max_inches: float = 40, pinned: bool = False) -> bytes:
        calls.append((kind, pinned))
        return real(g, kind, out, max_inches, pinned)

    monkeypatch.setattr(viz.steps, "pipe", counted)
    x, y = fan(3)
    out = viz.render_steps(y, tmp_path, gif=False)
    assert len(out.frames) == 6
    assert calls == [("json", False)] + [("png", True)] * 6  # one layout, six drawings on it
    sizes = {p.read_bytes()[16:24] for p in out.frames}
    assert len(sizes) == 1  # every frame the same width and height
