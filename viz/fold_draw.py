"""The folded picture: each folded block one box showing what enters and leaves it.

A box holds the block's name, its outputs' data and grads and its parameters' grads; an edge
from a value outside into the box carries what the block sent back to that value (the sum of its
edges inside), so every drawn value's grad is still the sum of what its drawn edges sent.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import graphviz

from autograd_lite.i18n import tr, tr_mark, tr_n
from autograd_lite.reading import contributions, expression, node_names, value_of

from .fold import FoldedGroup, Folding
from .labels import (
    BACK,
    FILL_OP,
    INK,
    LINE_MID,
    LINE_OP,
    MUTED,
    _box,
    edge_label,
    esc,
    flow_text,
    font,
    num,
    op_text,
    short,
    value_label,
)

__all__ = ["draw_folded", "MAX_ROWS"]

# the kinds of block, as a box names them (``tr(kind)``)
KINDS = (tr_mark("neuron"), tr_mark("layer"), tr_mark("module"), tr_mark("group"))
MAX_ROWS = 4  # a box lists this many outputs and parameters, then says how many more
FILL_GROUP = "#EEF2FF"
LINE_GROUP = "#5B6BBF"
_SIDES = {"LR": ("w", "e"), "RL": ("e", "w"), "TB": ("n", "s"), "BT": ("s", "n")}


def _note(text: str, italic: bool = False) -> str:
    return f'<TR><TD COLSPAN="3" ALIGN="LEFT">{font(esc(text), MUTED, italic=italic, size=11)}</TD></TR>'


def _rows(items: List[Any], names: Dict[Any, str], show_grad: bool, title: str) -> List[str]:
    rows = [_note(title, italic=True)]
    for n in items[:MAX_ROWS]:
        grad = num(value_of(n.grad)) if show_grad and n.grad is not None else ""
        rows.append(f'<TR><TD ALIGN="LEFT">{font(esc(short(names[n])), INK, bold=True)}</TD>'
                    f'<TD ALIGN="RIGHT">{font(esc(num(n.data)), INK)}</TD>'
                    f'<TD ALIGN="RIGHT">{font(esc(grad), BACK, bold=True)}</TD></TR>')
    if len(items) > MAX_ROWS:
        rows.append(_note(tr("… {n} more").format(n=len(items) - MAX_ROWS)))
    return rows


def group_label(g: FoldedGroup, names: Dict[Any, str], show_grad: bool) -> str:
    """The box of a folded block: name and kind, then ``name  data  grad`` of what leaves it and
    of its parameters."""
    head = font(esc(short(g.name)), INK, bold=True)
    what = tr_n("{kind} · {n} value", "{kind} · {n} values", len(g.members)).format(
        kind=tr(g.kind), n=len(g.members))
    rows = [f'<TR><TD COLSPAN="3" ALIGN="CENTER">{head} {font(esc(what), MUTED, size=11)}</TD></TR>']
    if show_grad:  # what the block sent back to each value that enters it
        rows.append(_note(tr("in: sent back"), italic=True))
        for p, back in g.inputs[:MAX_ROWS]:
            sent = f"← {flow_text(back)}" if back is not None else "← ?"
            rows.append(f'<TR><TD ALIGN="LEFT">{font(esc(short(names[p])), INK)}</TD>'
                        f'<TD COLSPAN="2" ALIGN="RIGHT">{font(esc(sent), BACK, bold=True)}</TD></TR>')
        if len(g.inputs) > MAX_ROWS:
            rows.append(_note(tr("… {n} more").format(n=len(g.inputs) - MAX_ROWS)))
    rows += _rows(g.outputs, names, show_grad, tr("out: data, grad") if show_grad else tr("out: data"))
    if g.params:
        title = tr("parameters: data, grad") if show_grad else tr("parameters")
        rows += _rows(g.params, names, show_grad, title)
    return _box(rows, FILL_GROUP, LINE_GROUP)


def _parts(every: List[Any], folding: Folding) -> Dict[Any, List[Tuple[Any, bool]]]:
    """Per drawn value, what its drawn edges sent, in the engine's order; a block's uses as one
    part (their sum), at the place of its first."""
    owner = folding.owner
    into: Dict[Any, List[Tuple[Any, bool]]] = {}
    at: Dict[Tuple[Any, int], int] = {}
    for n in reversed(every):
        if n.is_leaf:
            continue
        g = owner.get(n)
        for _, p, c in contributions(n):
            if p in owner:
                continue
            c = value_of(c)
            parts = into.setdefault(p, [])
            if g is None:
                parts.append((c, True))
            elif (p, id(g)) in at:
                k = at[(p, id(g))]
                parts[k] = (parts[k][0] + c, True)
            else:
                at[(p, id(g))] = len(parts)
                parts.append((c, True))
    return into


def draw_folded(root: Any, every: List[Any], folding: Folding, g: graphviz.Digraph, rankdir: str,
                show_grad: bool, show_local: bool, backward_ran: bool) -> None:
    """Add the folded picture of ``root`` to ``g`` (its attributes already set by ``draw``)."""
    owner = folding.owner
    names = node_names(every)
    names.update(folding.made_by)  # a neuron's output is called by the neuron (L1.n3)
    box = {id(grp): f"g{k}" for k, grp in enumerate(folding.groups)}
    drawn = [n for n in every if n not in owner]
    ids = {n: str(k) for k, n in enumerate(every)}
    into = _parts(every, folding) if backward_ran else {}
    sent: Dict[Tuple[Any, int], Any] = {}
    if backward_ran:
        for n in drawn:
            if not n.is_leaf:
                for j, _, c in contributions(n):
                    sent[(n, j)] = value_of(c)
    into_side, out_side = _SIDES[rankdir]
    for grp in folding.groups:
        g.node(box[id(grp)], label=group_label(grp, names, show_grad), shape="plain",
               tooltip=tr("{name} ({kind}): fold=None draws what is inside").format(
                   name=grp.name, kind=tr(grp.kind)))
    for n in drawn:
        g.node("n" + ids[n], label=value_label(n, names[n], is_root=n is root, is_hot=False,
                                               show_grad=show_grad, backward_ran=backward_ran,
                                               parts=into.get(n, []), record=None, frame=None),
               shape="plain")
        if not n.is_leaf:
            g.node("op" + ids[n], label=f"<{font(esc(op_text(n.op)), INK, bold=True)}>",
                   shape="circle" if len(op_text(n.op)) <= 2 else "ellipse", style="filled",
                   fillcolor=FILL_OP, color=LINE_OP, width="0.4", height="0.4", margin="0.04",
                   fontsize="15", tooltip=f"{names[n]} = {expression(n, names)}")
            g.edge("op" + ids[n], "n" + ids[n], color=LINE_MID)
    for n in drawn:  # edges into drawn ops: from a value, or from the box its value leaves
        if n.is_leaf:
            continue
        for i, p in enumerate(n.parents):
            source = box[id(owner[p])] if p in owner else "n" + ids[p]
            label = edge_label(n, i, names, show_local, show_grad, sent, None)
            if label:
                via = f"e{ids[n]}_{i}"
                g.node(via, label=label, shape="plain", fontsize="12")
                g.edge(source, via, arrowhead="none", headport=into_side)
                g.edge(via, "op" + ids[n], tailport=out_side)
            else:
                g.edge(source, "op" + ids[n])
    for grp in folding.groups:  # into a box: one edge per value, or one per block the values leave
        from_boxes: Dict[str, int] = {}
        for k, (p, back) in enumerate(grp.inputs):
            if p in owner:
                src = box[id(owner[p])]
                from_boxes[src] = from_boxes.get(src, 0) + 1
                continue
            if show_grad and back is not None:
                via = f"{box[id(grp)]}_{k}"
                text = font(esc(f"← {flow_text(back)}"), BACK, bold=True)
                cell = f"<TR><TD>{text}</TD></TR>"
                g.node(via, label=f'<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="1">{cell}</TABLE>>',
                       shape="plain")
                g.edge("n" + ids[p], via, arrowhead="none", headport=into_side)
                g.edge(via, box[id(grp)], tailport=out_side)
            else:
                g.edge("n" + ids[p], box[id(grp)])
        for src, count in from_boxes.items():  # a bundle: what each value got back is in the box
            bundle = tr_n("{n} value", "{n} values", count).format(n=count)
            g.edge(src, box[id(grp)], penwidth=str(min(1.3 + 0.3 * count, 6.0)),
                   label=f"<{font(esc(bundle), MUTED, size=11)}>")
