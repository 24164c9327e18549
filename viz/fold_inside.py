"""A folded box's inside, for the click that unfolds it, and the folded page's parts.

:func:`inside_dot` draws one box's inside: its values, ops and edges, the values entering it as
plain boxes (name and data), ids prefixed ``u<j>x`` so they do not meet the folded picture's; its
grads and flows change with the folded steps (:mod:`viz.fold_page`).  :func:`folded_parts` lays
the folded picture and every inside out once (``dot``) for the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, List, Tuple

import graphviz

from autograd_lite.reading import expression

from .draw import tip
from .fold import FoldedGroup, Folding
from .fold_page import SIDES, FoldedPass, folded_dot, folded_pass, new_graph, step_frame, step_lines_folded
from .labels import FILL_OP, INK, LINE_OP, edge_label, esc, font, op_text, value_label
from .timeline import Timeline

__all__ = ["inside_dot", "FoldedParts", "folded_parts"]


def inside_dot(j: int, t: Timeline, folding: Folding, fp: FoldedPass, rankdir: str
               ) -> Tuple[graphviz.Digraph, List[List[Any]]]:
    """Box ``j`` unfolded: its values, ops and edges, the values entering it as plain boxes
    (name and data); ids are prefixed ``u<j>x`` so they do not meet the folded picture's."""
    ex = t.explanation
    grp = folding.groups[j]
    names = dict(ex.names)
    names.update(folding.made_by)
    inside = set(grp.members) | set(grp.params)
    nodes = [n for n in ex.nodes if n in inside]
    entering = [p for p, _ in grp.inputs]
    shown = inside | set(entering)
    ids = {n: f"u{j}x{k}" for k, n in enumerate(ex.nodes) if n in shown}
    frame, cells = step_frame(t, fp, nodes, ids)
    into_side, out_side = SIDES[rankdir]
    g = new_graph(rankdir)
    g.attr(label=f"<{font(esc(f'{grp.name} unfolded (click to fold)'), INK, bold=True)}>", labelloc="t")
    for p in entering:
        g.node("n" + ids[p], label=value_label(p, names[p], is_root=False, is_hot=False, show_grad=False,
                                               backward_ran=True, parts=[], record=None, frame=None),
               shape="plain")
    for n in nodes:
        d = ids[n]
        g.node("n" + d, label=value_label(n, names[n], is_root=n is ex.root, is_hot=False, show_grad=True,
                                          backward_ran=True, parts=[], record=None, frame=frame, mark=d),
               shape="plain", tooltip=tip(names[n] if n.is_leaf else f"{names[n]} = {expression(n, names)}"))
        if not n.is_leaf:
            g.node("op" + d, label=f"<{font(esc(op_text(n.op)), INK, bold=True)}>", shape="circle"
                   if len(op_text(n.op)) <= 2 else "ellipse", style="filled", fillcolor=FILL_OP,
                   color=LINE_OP, width="0.4", height="0.4", margin="0.04", fontsize="15")
            g.edge("op" + d, "n" + d)
    for n in nodes:
        if n.is_leaf:
            continue
        for i, p in enumerate(n.parents):
            use = f"{ids[n]}_{i}"
            g.node(f"e{use}", label=edge_label(n, i, names, True, True, {}, frame, mark=use), shape="plain",
                   fontsize="12")
            g.edge("n" + ids[p], f"e{use}", arrowhead="none", headport=into_side)
            g.edge(f"e{use}", "op" + ids[n], tailport=out_side)
    return g, cells


@dataclass
class FoldedParts:
    """What the page needs of a folded pass: the picture, the insides (HTML), the steps' lines,
    what each step highlights and changes, and ``at`` (engine step -> folded step)."""

    svg: str
    insides: str
    lines: List[List[str]]
    hot: List[List[str]]
    cells: List[List[Any]]
    at: List[int]
    boxes: int


def folded_parts(root: Any, t: Timeline, folding: Folding, rankdir: str,
                 lines_of: Callable[[int], List[str]]) -> FoldedParts:
    """The folded page's parts (needs ``dot``: the picture and each inside are laid out once here)."""
    from .page_graph import slim
    from .svg import hover, svg_text

    ex = t.explanation
    fp = folded_pass(t, folding)
    ids = {n: str(k) for k, n in enumerate(ex.nodes)}
    g, hot, cells = folded_dot(root, t, folding, fp, ids, rankdir)
    svg = slim(hover(svg_text(g)))
    insides = []
    for j in range(len(folding.groups)):
        inner, more = inside_dot(j, t, folding, fp, rankdir)
        cells += more
        insides.append(f'<div class="inside" id="inside-b{j}">{slim(hover(svg_text(inner)))}</div>')
    lines = []
    for K, unit in enumerate(fp.units):
        if isinstance(unit, FoldedGroup) and K > 0:
            lines.append(step_lines_folded(t, folding, fp, K))
        else:
            k = fp.at.index(K)
            lines.append(lines_of(k))
    return FoldedParts(svg, "".join(insides), lines, hot, cells, fp.at, len(folding.groups))
