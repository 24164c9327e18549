"""The folded page: the backward pass stepped on the folded picture, each box unfolding in place.

The folded page's steps are the steps of the folded picture.  The engine processes nodes newest
first and a block is a run of creation indices, so a block's chain-rule steps are one run of
the pass: that run is one step of the folded page (the box lights up; what it sent back to each
value entering it appears on the box and on its edges; the grads of what leaves it and of its
parameters are complete).  Every other step is the engine's own.  The picture is laid out once.

A click on a box shows its inside in place (:mod:`viz.fold_inside`): a second picture, laid out
once when the page is made, of the block's values, ops and edges (the values entering it as plain
boxes), placed over the box; its grads are ``?`` until the box's step and then the pass's.  The
folded picture does not move; a second click (or Escape) folds the box back.

Every number is the replayed pass's (:func:`autograd_lite.explain`, no grad changed): a box's
``← s`` for a value is the sum of what the block's edges sent to it, in the engine's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

import graphviz

from autograd_lite.reading import SHORT_DIGITS, expression, partial, total
from autograd_lite.reading import preview as _preview

from .draw import tip
from .fold import FoldedGroup, Folding
from .fold_draw import FILL_GROUP, LINE_GROUP, MAX_ROWS
from .labels import (
    BACK,
    FILL_HOT,
    FILL_OP,
    FONT,
    INK,
    LINE_HOT,
    LINE_MID,
    LINE_OP,
    MUTED,
    Frame,
    _box,
    edge_label,
    esc,
    font,
    num,
    op_text,
    short,
    value_label,
)
from .pinned import Layout
from .timeline import Timeline, text_width

__all__ = ["FoldedPass", "folded_pass", "folded_dot", "step_lines_folded"]

MAX_TERMS = 6  # a grad's sum shows this many terms, then how many more
MAX_LINES = 12  # a box's step lists what it sent back to this many values, then how many more
SIDES = {"LR": ("w", "e"), "RL": ("e", "w"), "TB": ("n", "s"), "BT": ("s", "n")}


@dataclass
class FoldedPass:
    """The replayed pass on the folded picture.

    ``at[k]``: the folded step of the engine's step ``k`` (0: the seed); ``units[K]``: what
    folded step ``K`` processes (a node, or a :class:`FoldedGroup`); ``sent[j]``: per value
    entering box ``j``, what the box sent back (the sum of its edges, engine order);
    ``done[j]``: the folded step of box ``j``; ``grads[n]``: the text of ``n``'s grad as
    ``(folded step, text)`` changes: for a value drawn outside the boxes, what its drawn edges and
    the boxes sent, as they arrive (``0.5 + ?``, then ``0.8 = 0.5 + 0.3``); inside a box ``?``
    until its last contribution, then the grad.
    """

    at: List[int]
    units: List[Any]
    sent: List[List[Tuple[Any, Any]]]
    done: List[int]
    grads: Dict[Any, List[Tuple[int, str]]]


def folded_pass(t: Timeline, folding: Folding) -> FoldedPass:
    ex = t.explanation
    owner = folding.owner
    index = {id(g): j for j, g in enumerate(folding.groups)}
    first = owner.get(ex.root)
    units: List[Any] = [first if first is not None else ex.root]
    at = [0]
    prev: Any = None
    sums: List[Dict[Any, Any]] = [{} for _ in folding.groups]
    done = [-1] * len(folding.groups)
    for step in ex.steps:
        g = owner.get(step.node)
        key = id(g) if g is not None else id(step.node)
        if key != prev:
            units.append(g if g is not None else step.node)
            prev = key
        at.append(len(units) - 1)
        if g is not None:
            j = index[id(g)]
            done[j] = len(units) - 1
            for e in step.edges:
                if owner.get(e.parent) is not g:
                    got = sums[j].get(e.parent)
                    sums[j][e.parent] = e.sent if got is None else got + e.sent
    sent = [[(p, sums[j].get(p)) for p, _ in g.inputs] for j, g in enumerate(folding.groups)]
    return FoldedPass(at, units, sent, done, _grads(t, folding, at, units))


def _grads(t: Timeline, folding: Folding, at: List[int], units: List[Any]
           ) -> Dict[Any, List[Tuple[int, str]]]:
    ex = t.explanation
    owner = folding.owner
    parts: Dict[Any, List[Tuple[int, Any]]] = {}  # per value: (folded step, what one drawn edge or box sent)
    last: Dict[Any, Tuple[int, Any]] = {}
    for k, step in enumerate(ex.steps, 1):
        g = owner.get(step.node)
        for e in step.edges:
            last[e.parent] = (at[k], e.after)
            got = parts.setdefault(e.parent, [])
            if g is not None and got and got[-1][0] == at[k] and owner.get(e.parent) is not g:
                got[-1] = (at[k], got[-1][1] + e.sent)  # a box's uses of a value: one part, their sum
            else:
                got.append((at[k], e.sent))
    out: Dict[Any, List[Tuple[int, str]]] = {}
    for n in ex.nodes:
        if n is ex.root:
            out[n] = [(0, num(ex.seed))]
        elif n not in last:  # nothing is sent to it (a constant that needs no grad)
            out[n] = [(0, "none needed")]
        elif n in owner:
            out[n] = [(0, "?"), (last[n][0], num(last[n][1]))]
        else:
            got = parts[n]
            changes = [(0, "?")]
            for m in range(len(got)):
                K = got[m][0]
                terms = " + ".join(num(s) for _, s in got[:m + 1][:MAX_TERMS])
                if len(got) > MAX_TERMS and m + 1 > MAX_TERMS:
                    terms += f" + … {m + 1 - MAX_TERMS} more"
                if m + 1 < len(got):
                    text = terms + " + ?"
                elif len(got) == 1:
                    text = num(last[n][1])
                else:
                    text = f"{num(last[n][1])} = {terms}"
                if changes[-1][0] == K:
                    changes[-1] = (K, text)
                else:
                    changes.append((K, text))
            out[n] = changes
    return out


def remap(changes: List[Tuple[int, str]], at: List[int]) -> List[Tuple[int, str]]:
    """A cell's ``(step, text)`` changes on the folded steps (a run's last text stays)."""
    out: List[Tuple[int, str]] = []
    for k, text in changes:
        K = at[k]
        if out and out[-1][0] == K:
            out[-1] = (K, text)
        elif not out or out[-1][1] != text:
            out.append((K, text))
    return out


def _at(changes: List[Any], K: int) -> str:
    """A cell's text at folded step ``K`` (``changes``: its ``(step, text)`` list, in order)."""
    text = str(changes[0][1])
    for k, t in changes:
        if k > K:
            break
        text = str(t)
    return text


def _preview6(x: Any) -> str:
    return _preview(x, digits=SHORT_DIGITS)


def step_lines_folded(t: Timeline, folding: Folding, fp: FoldedPass, K: int) -> List[str]:
    """The chain rule of folded step ``K`` (``K > 0``) that processes a box: what it sent back."""
    unit = fp.units[K]
    ex = t.explanation
    names = dict(ex.names)
    names.update(folding.made_by)  # a neuron's output is called by the neuron (L1.n3), as on the box
    r = names[ex.root]
    j = next(k for k, g in enumerate(folding.groups) if g is unit)
    steps = fp.at.count(K)
    lines = [f"{unit.name} ({unit.kind}, {len(unit.members)} values) runs its {steps} chain-rule "
             "steps inside; what it sent back to each value entering it (the sum of its edges):"]
    for p, s in fp.sent[j][:MAX_LINES]:
        lines.append(f"{total(r, names[p])} += {_preview6(s) if s is not None else '0 (nothing sent)'}")
    if len(fp.sent[j]) > MAX_LINES:
        lines.append(f"… {len(fp.sent[j]) - MAX_LINES} more (click the box to unfold it)")
    return lines


def new_graph(rankdir: str) -> graphviz.Digraph:
    g = graphviz.Digraph(name="autograd_lite")
    g.attr(rankdir=rankdir, bgcolor="white", nodesep="0.25", ranksep="0.2", pad="0.2",
           ordering="in", fontname=FONT)
    g.attr("node", fontname=FONT, fontsize="14", fontcolor=INK)
    g.attr("edge", fontname=FONT, fontsize="12", color=LINE_MID, arrowsize="0.7", penwidth="1.3")
    return g


def _grad_cell(text: str, width: int, mark: str) -> str:
    return (f'<TD ALIGN="RIGHT" WIDTH="{width}" ID="{mark}" HREF="#">'
            f'{font(esc(text), BACK, bold=True)}</TD>')


def _box_label(j: int, g: FoldedGroup, names: Dict[Any, str], fp: FoldedPass,
               t: Timeline, cells: List[List[Any]], K: int = 0, is_hot: bool = False) -> str:
    """A box whose sent-back and grad cells change at the box's step (ids ``gb<j>_<row>``)."""
    what = f"{g.kind} · {len(g.members)} values · click to unfold"
    rows = [f'<TR><TD COLSPAN="3" ALIGN="CENTER">{font(esc(short(g.name)), INK, bold=True)} '
            f'{font(esc(what), MUTED, size=11)}</TD></TR>']

    def note(text: str) -> str:
        return f'<TR><TD COLSPAN="3" ALIGN="LEFT">{font(esc(text), MUTED, italic=True, size=11)}</TD></TR>'

    rows.append(note("in: sent back"))
    for r, (p, s) in enumerate(fp.sent[j][:MAX_ROWS]):
        final = f"← {num(s)}" if s is not None else "← 0"
        changes: List[List[Any]] = [[0, "← ?"], [fp.done[j], final]] if fp.done[j] > 0 else [[0, final]]
        mark = f"gb{j}_i{r}"
        cells.append(["a_" + mark, changes])
        width = max(text_width(c[1], 14, bold=True) for c in changes)
        rows.append(f'<TR><TD ALIGN="LEFT">{font(esc(short(names[p])), INK)}</TD>'
                    f'<TD COLSPAN="2" ALIGN="RIGHT" WIDTH="{width}" ID="{mark}" HREF="#">'
                    f'{font(esc(_at(changes, K)), BACK, bold=True)}</TD></TR>')
    if len(fp.sent[j]) > MAX_ROWS:
        rows.append(note(f"… {len(fp.sent[j]) - MAX_ROWS} more"))
    for title, items, tag in (("out: data, grad", g.outputs, "o"), ("parameters: data, grad", g.params, "p")):
        if not items:
            continue
        rows.append(note(title))
        for r, n in enumerate(items[:MAX_ROWS]):
            changes = [list(c) for c in fp.grads[n]]
            mark = f"gb{j}_{tag}{r}"
            if len(changes) > 1:
                cells.append(["a_" + mark, changes])
            width = max(text_width(c[1], 14, bold=True) for c in changes)
            rows.append(f'<TR><TD ALIGN="LEFT">{font(esc(short(names[n])), INK, bold=True)}</TD>'
                        f'<TD ALIGN="RIGHT">{font(esc(num(n.data)), INK)}</TD>'
                        + _grad_cell(_at(changes, K), width, mark) + "</TR>")
        if len(items) > MAX_ROWS:
            rows.append(note(f"… {len(items) - MAX_ROWS} more"))
    return _box(rows, FILL_HOT, LINE_HOT) if is_hot else _box(rows, FILL_GROUP, LINE_GROUP)


def step_frame(t: Timeline, fp: FoldedPass, nodes: List[Any], ids: Dict[Any, str], K: int = 0
           ) -> Tuple[Frame, List[List[Any]]]:
    """Step ``K``'s texts of ``nodes``' grads and flows (widest widths), and the cells that change."""
    drawn = set(nodes)
    grads = {n: fp.grads[n] for n in nodes}
    widths = dict(t.widths)  # the flows' widths; the grads' from the folded texts
    for n, c in grads.items():
        widths[("grad", n)] = max(text_width(text, 14, bold=True) for _, text in c)
    flows = {key: remap(c, fp.at) for key, c in t.flows.items() if key[0] in drawn}
    frame = Frame(grads={n: _at(c, K) for n, c in grads.items()},
                  flows={k: _at(c, K) for k, c in flows.items()}, hot=[], hot_inputs=False,
                  widths=widths, tooltips=True, marks=True)
    cells = [["a_g" + ids[n], [list(c) for c in ch]] for n, ch in grads.items() if len(ch) > 1]
    cells += [[f"a_f{ids[n]}_{i}", [list(c) for c in ch]] for (n, i), ch in flows.items() if len(ch) > 1]
    return frame, cells


def folded_dot(root: Any, t: Timeline, folding: Folding, fp: FoldedPass, ids: Dict[Any, str],
               rankdir: str, K: int = 0, lit: FrozenSet[str] = frozenset(), pins: Optional[Layout] = None,
               caption: Tuple[str, int] = ("", 0)
               ) -> Tuple[graphviz.Digraph, List[List[str]], List[List[Any]]]:
    """The folded picture's DOT source, what each folded step highlights, and the changing cells.

    The page's picture shows step 0's texts and nothing lit; a frame of :func:`viz.render_steps`
    shows step ``K``'s texts, lights the ids in ``lit``, is drawn on ``pins`` (one layout) and
    carries ``caption`` (its text, and the width every frame's caption gets)."""
    ex = t.explanation
    names = dict(ex.names)
    names.update(folding.made_by)
    owner = folding.owner
    drawn = [n for n in ex.nodes if n not in owner]
    frame, cells = step_frame(t, fp, drawn, ids, K)
    box = {id(g): j for j, g in enumerate(folding.groups)}
    into_side, out_side = SIDES[rankdir]
    g = new_graph(rankdir)
    if pins is not None:
        g.attr(**pins.graph)
    if caption[0]:
        rows = "".join(f'<TR><TD ALIGN="LEFT" WIDTH="{caption[1]}">'
                       f'{font(esc(line), INK, bold=(k == 0), size=16)}</TD></TR>'
                       for k, line in enumerate(caption[0].split("\n")))
        g.attr(label=f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{rows}</TABLE>>',
               labelloc="t", labeljust="l")

    def node(name: str, **attrs: Any) -> None:
        if pins is not None:
            attrs.update(pins.node(name))
        g.node(name, **attrs)

    def edge(tail: str, head: str, **attrs: Any) -> None:
        if attrs.get("id") in lit:
            attrs.update(color=LINE_HOT, penwidth="2.6")
        if pins is not None:
            attrs.update(pins.edge(tail, head))
        g.edge(tail, head, **attrs)

    hot: List[List[str]] = [[] for _ in fp.units]
    for j, grp in enumerate(folding.groups):
        node(f"g{j}", label=_box_label(j, grp, names, fp, t, cells, K, f"b{j}" in lit), shape="plain",
             id=f"b{j}", tooltip=tip(f"{grp.name} ({grp.kind}): click to unfold"))
        if fp.done[j] >= 0:
            hot[fp.done[j]].append(f"b{j}")
    first = owner.get(ex.root)
    hot[0].append(f"b{box[id(first)]}" if first is not None else "v" + ids[ex.root])
    for n in drawn:
        d = ids[n]
        says = tip(names[n] if n.is_leaf else f"{names[n]} = {expression(n, names)}")
        node("n" + d, label=value_label(n, names[n], is_root=n is root, is_hot="v" + d in lit,
                                          show_grad=True, backward_ran=True, parts=[], record=None,
                                          frame=frame, mark=d),
               shape="plain", tooltip=says, id="v" + d)
        if not n.is_leaf:
            on = "o" + d in lit
            node("op" + d, label=f"<{font(esc(op_text(n.op)), INK, bold=True)}>", tooltip=says,
                   shape="circle" if len(op_text(n.op)) <= 2 else "ellipse", style="filled",
                   fillcolor=FILL_HOT if on else FILL_OP, color=LINE_HOT if on else LINE_OP, width="0.4",
                   height="0.4", margin="0.04", fontsize="15", id="o" + d)
            edge("op" + d, "n" + d, id="x" + d)
    at_step = {id(u): k for k, u in enumerate(fp.units)}
    for n in drawn:
        if n.is_leaf:
            continue
        d = ids[n]
        marks = ["v" + d, "o" + d, "x" + d]
        for i, p in enumerate(n.parents):
            source = f"g{box[id(owner[p])]}" if p in owner else "n" + ids[p]
            use = f"{d}_{i}"
            label = edge_label(n, i, names, True, True, {}, frame, mark=use)
            via = f"e{use}"
            node(via, label=label, shape="plain", fontsize="12", tooltip=tip(partial(n, i, names)))
            edge(source, via, arrowhead="none", headport=into_side, id=f"i{use}")
            edge(via, "op" + d, tailport=out_side, id=f"j{use}")
            marks += [f"i{use}", f"j{use}"]
        if id(n) in at_step:
            hot[at_step[id(n)]] = marks
    for j in range(len(folding.groups)):  # into a box: one edge per drawn value, one bundle per box
        bundles: Dict[int, int] = {}
        for k, (p, s) in enumerate(fp.sent[j]):
            if p in owner:
                src = box[id(owner[p])]
                bundles[src] = bundles.get(src, 0) + 1
                continue
            via = f"gb{j}v{k}"
            final = f"← {num(s)}" if s is not None else "← 0"
            changes: List[List[Any]] = [[0, "← ?"], [fp.done[j], final]] if fp.done[j] > 0 else [[0, final]]
            width = max(text_width(c[1], 12, bold=True) for c in changes)
            mark = f"fb{j}_{k}"
            cells.append(["a_" + mark, changes])
            cell = (f'<TR><TD WIDTH="{width}" ID="{mark}" HREF="#" ALIGN="LEFT">'
                    f'{font(esc(_at(changes, K)), BACK, bold=True)}</TD></TR>')
            node(via, label=f'<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="1">{cell}</TABLE>>',
                   shape="plain")
            edge("n" + ids[p], via, arrowhead="none", headport=into_side, id=f"ib{j}_{k}")
            edge(via, f"g{j}", tailport=out_side, id=f"jb{j}_{k}")
            if fp.done[j] >= 0:
                hot[fp.done[j]] += [f"ib{j}_{k}", f"jb{j}_{k}"]
        for src, count in bundles.items():
            edge(f"g{src}", f"g{j}", penwidth=str(min(1.3 + 0.3 * count, 6.0)), id=f"kb{j}_{src}",
                   label=f"<{font(esc(f'{count} value' + ('s' if count > 1 else '')), MUTED, size=11)}>")
            if fp.done[j] >= 0:
                hot[fp.done[j]].append(f"kb{j}_{src}")
    return g, hot, cells
