"""The picture and the page of :func:`viz.watch`: one fixed layout of the network, and each
recorded step as the data the page's script puts on it.

The layout is made once, in Python, as SVG: one column per layer (the inputs first), a box per
neuron, a line per weight.  No Graphviz is needed and nothing ever moves: a step or a point only
changes texts, tooltips and the lines' width and darkness (``|grad|`` on a log scale, from
``1e-6``, the thinnest, to ``1e4``, the widest; a grad that is not finite is drawn red).

Numbers are written by ``autograd_lite.fmt``: weights and grads with 6 significant digits, the
watched points' ``z`` and ``a`` with 4 (there are many).  The page is self-contained: its
Content-Security-Policy is :mod:`viz.page`'s (``default-src 'none'``), so nothing is fetched.
"""

from __future__ import annotations

import html
import math
from typing import Any, Dict, List, Optional

import numpy as np

from autograd_lite.format import fmt

from .page import CSP, _json_safe, _json_script
from .watch_model import Net
from .watch_script import SCRIPT, STYLE

__all__ = ["layout_svg", "static_data", "encode_record", "page_html", "bucket", "DIGITS", "POINT_DIGITS"]

DIGITS = 6  # weights, grads, norms, the loss
POINT_DIGITS = 4  # each watched point's z and a
COL, BOX_W, BOX_H, ROW, TOP, LEFT = 320, 150, 30, 36, 10, 10


def bucket(g: float) -> int:
    """The width class of an edge: ``round(2·(log10|g| + 6))`` clipped to 0..20; -1 when not finite."""
    if not math.isfinite(g):
        return -1
    if g == 0.0:
        return 0
    return int(min(20, max(0, round(2.0 * (math.log10(abs(g)) + 6.0)))))


def _columns(net: Net) -> List[int]:
    return [net.layers[0].n_in] + [la.n_out for la in net.layers]


def positions(net: Net) -> List[List[tuple]]:
    """(x, y) of the top-left corner of every box, column by column."""
    cols = _columns(net)
    tall = max(cols)
    return [[(LEFT + c * COL, TOP + (tall - n) * ROW / 2 + k * ROW) for k in range(n)]
            for c, n in enumerate(cols)]


def layout_svg(net: Net) -> str:
    """The network as SVG with stable ids: boxes ``u{column}-{row}``, edges ``e{layer}-{i}-{j}``."""
    cols = _columns(net)
    pos = positions(net)
    width = LEFT * 2 + (len(cols) - 1) * COL + BOX_W
    height = TOP * 2 + max(cols) * ROW
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="net" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']
    for li, layer in enumerate(net.layers):
        for i in range(layer.n_in):
            x1, y1 = pos[li][i]
            for j in range(layer.n_out):
                x2, y2 = pos[li + 1][j]
                parts.append(f'<line class="e" id="e{li}-{i}-{j}" x1="{x1 + BOX_W:g}" '
                             f'y1="{y1 + BOX_H / 2:g}" x2="{x2:g}" y2="{y2 + BOX_H / 2:g}">'
                             '<title></title></line>')
    for c, column in enumerate(pos):
        for k, (x, y) in enumerate(column):
            if c == 0:
                name = f"x{k + 1}"
            else:
                layer = net.layers[c - 1]
                name = f"{layer.unit_names[k]} {layer.activation}"
            parts.append(f'<g class="u" id="u{c}-{k}"><title></title>'
                         f'<rect x="{x:g}" y="{y:g}" width="{BOX_W}" height="{BOX_H}" rx="4"></rect>'
                         f'<text class="name" x="{x + 5:g}" y="{y + 11:g}">{html.escape(name)}</text>'
                         f'<text class="val" x="{x + 5:g}" y="{y + 25:g}"></text></g>')
    parts.append("</svg>")
    return "".join(parts)


def static_data(net: Net, points: np.ndarray, labels: Optional[np.ndarray], title: str,
                options: Dict[str, Any]) -> Dict[str, Any]:
    """What never changes while training runs: the picture, the names, the watched points."""
    return {
        "title": title,
        "svg": layout_svg(net),
        "layers": [{"name": la.name, "n_in": la.n_in, "n_out": la.n_out, "act": la.activation,
                    "units": list(la.unit_names), "wnames": list(la.weight_names),
                    "bnames": list(la.bias_names)} for la in net.layers],
        "points": [[fmt(v, DIGITS) for v in p] for p in points.tolist()],
        "labels": None if labels is None else [fmt(v, DIGITS) for v in labels.tolist()],
        "options": _json_safe(options),
    }


def encode_record(rec: Any) -> Dict[str, Any]:
    """One recorded step as the page's strict JSON: numbers shown as ``fmt`` strings."""
    def strings(a: np.ndarray, digits: int = DIGITS) -> List[str]:
        return [fmt(v, digits) for v in a.ravel().tolist()]

    layers = []
    for (w, b), (gw, gb), (z, a), norm in zip(rec.weights, rec.grads, rec.forward, rec.norms):
        layers.append({
            "w": strings(w), "b": strings(b), "gw": strings(gw), "gb": strings(gb),
            "e": [bucket(g) for g in gw.ravel().tolist()],
            "norm": norm if math.isfinite(norm) else fmt(norm), "normText": fmt(norm, DIGITS),
            "z": [strings(row, POINT_DIGITS) for row in z],
            "a": [strings(row, POINT_DIGITS) for row in a],
        })
    return {"step": rec.step, "loss": None if rec.loss is None else fmt(rec.loss, DIGITS), "layers": layers,
            "flags": [{"layer": f.layer, "kind": f.kind, "text": f.text} for f in rec.flags]}


def page_html(static: Dict[str, Any], records: List[Dict[str, Any]]) -> str:
    """The whole view as one offline HTML page."""
    title = static["title"]
    data = {"static": static, "records": records}
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        '<body><div id="watch"></div>'
        f'<script type="application/json" id="watch-data">{_json_script(data)}</script>'
        f"<script>{SCRIPT}\n"
        'var d = JSON.parse(document.getElementById("watch-data").textContent);\n'
        'autogradLiteWatch(document.getElementById("watch"), d.static, d.records);\n'
        "</script></body></html>\n")
