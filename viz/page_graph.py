"""The page's picture: one layout of the graph, and what each step changes on it.

The graph is laid out once (:func:`graph_svg`), with the text of every grad and flow cell
as wide as its widest variant, so nothing moves.  :func:`changes` says what the script
(:mod:`viz.page_script`) changes at each step: which boxes, ops and edges are highlighted
(by their SVG ids) and, per changing text cell, its ``(step, text)`` list.
"""

from __future__ import annotations

import base64
import gzip
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

from .draw import draw
from .labels import Frame
from .svg import hover, svg_text
from .timeline import Timeline

__all__ = ["graph_svg", "graph_dot", "changes", "slim", "packed", "vendored_viz", "browser_picture_html",
           "VENDOR"]

VENDOR = Path(__file__).resolve().parent / "_vendor"  # Viz.js (Graphviz in WebAssembly), its licence


def page_frame(t: Timeline, max_values: int) -> Frame:
    """The frame the page lays out: step 0's texts, every cell at its widest, nothing highlighted."""
    return Frame(grads=t.grads_at(0), flows=dict(t.flows_at(0)), hot=[], hot_inputs=False,
                 widths=t.widths, tooltips=True, marks=True, max_values=max_values)


def graph_dot(root: Any, t: Timeline, rankdir: str, check: bool, max_values: int) -> str:
    """The DOT source of the page's picture, for the browser to lay out (no ``dot`` needed)."""
    return draw(root, rankdir=rankdir, frame=page_frame(t, max_values), max_nodes=None, check=check).source


@lru_cache(maxsize=1)
def vendored_viz() -> str:
    """The vendored Viz.js (``viz/_vendor/viz-global.js``, see ``viz/_vendor/VERSION`` and ``LICENSE``)."""
    text = (VENDOR / "viz-global.js").read_text(encoding="utf-8")
    if "</script" in text.lower() or "<!--" in text:  # it is inlined in a <script>: nothing may end it
        raise RuntimeError("viz/_vendor/viz-global.js cannot be inlined in a page: "
                           "it holds '</script' or '<!--'")
    return text


def packed(element_id: str, text: str) -> str:
    """``text`` gzip-compressed and base64-encoded in a script element the page's script unpacks."""
    data = base64.b64encode(gzip.compress(text.encode("utf-8"), mtime=0)).decode("ascii")
    return f'<script type="application/octet-stream" id="{element_id}">{data}</script>'


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


_PICTURE_SCRIPT = """
(function () {
  "use strict";
  var el = document.getElementById("autograd-lite-dot");
  var bytes = Uint8Array.from(atob(el.textContent), function (ch) { return ch.charCodeAt(0); });
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  new Response(stream).text().then(function (dot) {
    return Viz.instance().then(function (viz) { return viz.renderSVGElement(dot); });
  }).then(function (svg) {
    var titles = svg.querySelectorAll("g > title");
    for (var i = 0; i < titles.length; i++) { titles[i].parentNode.removeChild(titles[i]); }
    document.body.appendChild(svg);
    document.body.setAttribute("data-ready", "1");
  });
})();
"""


def browser_picture_html(dot_source: str) -> str:
    """A picture for a notebook without ``dot``: an ``<iframe>`` whose page lays ``dot_source`` out
    with the vendored Graphviz (nothing fetched), under the install hint for PNG and PDF files."""
    import html

    from .page import CSP_WASM
    from .svg import GRAPHVIZ_MISSING

    page = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP_WASM}">'
            "<style>body{margin:0}svg{max-width:100%;height:auto}</style></head><body>"
            f"{packed('autograd-lite-dot', dot_source)}<script>{vendored_viz()}</script>"
            f"<script>{_PICTURE_SCRIPT}</script></body></html>")
    hint = GRAPHVIZ_MISSING.replace("The picture needs", "PNG and PDF files need", 1)
    return (f'<iframe class="autograd-lite-picture" sandbox="allow-scripts" style="width:100%;border:0" '
            f'height="480" srcdoc="{html.escape(page, quote=True)}"></iframe>'
            f'<div class="autograd-lite-no-dot" style="color:#6B7785;font-family:sans-serif;font-size:12px">'
            f"{html.escape(hint)}</div>")
