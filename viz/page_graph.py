"""The page's picture: one layout of the graph, and what each step changes on it.

The graph is laid out once (:func:`graph_svg`), with the text of every grad and flow cell
as wide as its widest variant, so nothing moves.  :func:`changes` says what the script
(:mod:`viz.page_script`) changes at each step: which boxes, ops and edges are highlighted
(by their SVG ids) and, per changing text cell, its ``(step, text)`` list.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from .draw import draw
from .labels import Frame
from .svg import hover, svg_text
from .timeline import Timeline

__all__ = ["graph_svg", "changes", "slim"]


def page_frame(t: Timeline, max_values: int) -> Frame:
    """The frame the page lays out: step 0's texts, every cell at its widest, nothing highlighted."""
    return Frame(grads=t.grads_at(0), flows=dict(t.flows_at(0)), hot=[], hot_inputs=False,
                 widths=t.widths, tooltips=True, marks=True, max_values=max_values)


def graph_svg(root: Any, t: Timeline, rankdir: str, check: bool, max_values: int) -> str:
    """The one SVG of the page (needs ``dot``); the page has checked the size (``max_values``)."""
    g = draw(root, rankdir=rankdir, frame=page_frame(t, max_values), max_nodes=None, check=check)
    return slim(hover(svg_text(g)))


_FILL_THEN_LINE = re.compile(r'<path fill="([^"]+)" stroke="transparent" d="([^"]+)"/>\n'
                             r'<path fill="none" stroke="([^"]+)" d="\2"/>')
_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
_CELL_LINK = re.compile(r'(<g id="a_[gf][0-9_]+"><a) xlink:href="#" xlink:title="[^"]*"')
_OTHER_IDS = re.compile(r' data-id="(?!n[0-9]+")[^"]*"')


def slim(svg: str) -> str:
    """The same picture in fewer bytes: a rounded box's fill and border as one path (Graphviz
    writes the path twice), no comments, what the style sheet says once (the font, its usual
    size, start-anchored text), no link on the changing cells
    (their anchors exist only to carry ids), a ``data-id`` only on value boxes."""
    svg = _FILL_THEN_LINE.sub(r'<path fill="\1" stroke="\3" d="\2"/>', svg)
    svg = _COMMENT.sub("", svg)
    svg = _CELL_LINK.sub(r"\1", svg)
    svg = _OTHER_IDS.sub("", svg)
    for said in (' font-family="Helvetica,Arial,sans-serif"', ' text-anchor="start"', ' font-size="14.00"'):
        svg = svg.replace(said, "")
    return svg


def changes(t: Timeline, ids: Dict[Any, str]) -> Dict[str, Any]:
    """What the script needs: ``hot[k]`` (SVG ids to highlight at step k) and ``cells``
    (``[svg id, [[step, text], ...]]`` for every cell whose text changes)."""
    ex = t.explanation
    hot: List[List[str]] = [["v" + ids[ex.root]]]
    for step in ex.steps:
        d = ids[step.node]
        marks = ["v" + d, "o" + d, "x" + d]
        for i in range(len(step.node.parents)):
            marks += [f"i{d}_{i}", f"j{d}_{i}"]
        hot.append(marks)
    cells: List[List[Any]] = []
    for n, grad in t.grads.items():
        if len(grad) > 1:
            cells.append([f"a_g{ids[n]}", [list(c) for c in grad]])
    for (n, i), flow in t.flows.items():
        if len(flow) > 1:
            cells.append([f"a_f{ids[n]}_{i}", [list(c) for c in flow]])
    return {"hot": hot, "cells": cells}
