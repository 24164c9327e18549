"""The two orders as a page with steps: :func:`viz.compare_orders`'s ledgers, one ``+=`` at a time.

Step k shows the first k additions of each pass side by side (the newest highlighted, an early
or repeated naive send in red), the grads each pass holds after them, and the picture of the
graph with both orders' sends on every edge; the last step adds the verdict.  Self-contained
(no CDN, the Content-Security-Policy of :mod:`viz.page`), opened from a file.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Union

from .orders import OrderComparison, _equal, _num
from .page import CSP
from .page_script import STYLE
from .svg import svg_text

__all__ = ["orders_page_html", "render_orders_html"]

_STYLE = STYLE + """
.ledgers{display:flex;gap:24px;flex-wrap:wrap}
.ledger td{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;padding:1px 6px}
.ledger tr.current{background:#FFE08A}
.ledger tr.bad td{color:#C0392B}
#verdict{margin-top:10px;max-width:60em}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("orders-data").textContent);
  var slider = document.getElementById("slider");
  var label = document.getElementById("label");
  var last = data.steps;
  var k = 0;
  function show(i) {
    k = Math.max(0, Math.min(last, i));
    var rows = document.querySelectorAll(".ledger tr[data-add]");
    for (var r = 0; r < rows.length; r++) {
      var at = Number(rows[r].getAttribute("data-add"));
      rows[r].hidden = at > k;
      rows[r].classList.toggle("current", at === k);
    }
    var grads = document.querySelectorAll("td[data-grad]");
    for (var g = 0; g < grads.length; g++) {
      var cell = grads[g], side = cell.getAttribute("data-side");
      var after = data.grads[side][Math.min(k, data.grads[side].length - 1)];
      cell.textContent = after[cell.getAttribute("data-grad")];
    }
    document.getElementById("verdict").hidden = (k !== last);
    slider.value = String(k);
    label.textContent = "Addition " + k + " of " + last;
    document.body.setAttribute("data-step", String(k));
  }
  document.getElementById("prev").addEventListener("click", function () { show(k - 1); });
  document.getElementById("next").addEventListener("click", function () { show(k + 1); });
  document.getElementById("first").addEventListener("click", function () { show(0); });
  document.getElementById("end").addEventListener("click", function () { show(last); });
  slider.addEventListener("input", function () { show(Number(slider.value)); });
  document.addEventListener("keydown", function (e) {
    var moves = {ArrowLeft: k - 1, ArrowRight: k + 1, Home: 0, End: last};
    if (Object.prototype.hasOwnProperty.call(moves, e.key)) { e.preventDefault(); show(moves[e.key]); }
  });
  show(0);
})();
"""

MAX_PAGE_NODES = 40  # one SVG per step of each order: a few seconds


def _ledger(report: OrderComparison, side: str) -> str:
    adds = report.naive_adds if side == "naive" else report.topological_adds
    title = "naive recursive backward" if side == "naive" else "topological order (backward())"
    count: Dict[Any, int] = {}
    rows = []
    for a in adds:
        k = count[(a.node, a.index)] = count.get((a.node, a.index), 0) + 1
        bad = side == "naive" and (k > 1 or not _equal(a.upstream, report.topological[a.node]))
        text = (f"{a.number}. {report.names[a.parent]}.grad += {_num(a.sent)} (from {report.names[a.node]})"
                f" → {_num(a.after)}")
        cls = ' class="bad"' if bad else ""
        rows.append(f'<tr data-add="{a.number}"{cls}><td>{html.escape(text)}</td></tr>')
    return f'<table class="ledger" id="{side}"><tr><th>{html.escape(title)}</th></tr>{"".join(rows)}</table>'


def _grads_after(report: OrderComparison, side: str) -> List[Dict[str, str]]:
    """The grad of every node (by its index) after 0, 1, 2 ... additions of one pass."""
    adds = report.naive_adds if side == "naive" else report.topological_adds
    index = {n: str(i) for i, n in enumerate(report.nodes)}
    now = {index[n]: "0" for n in report.nodes}
    now[index[report.root]] = _num(report.topological[report.root])
    out = [dict(now)]
    for a in adds:
        now[index[a.parent]] = _num(a.after)
        out.append(dict(now))
    return out


def orders_page_html(root: Any, grad: Any = None) -> str:
    """The page of :func:`viz.compare_orders` ``(root, grad)`` as a string (needs Graphviz ``dot``)."""
    from .orders import compare_orders

    report = compare_orders(root, grad)
    if len(report.nodes) > MAX_PAGE_NODES:
        raise ValueError(f"orders_page_html: the graph has {len(report.nodes)} nodes; a page is drawn for at "
                         f"most {MAX_PAGE_NODES} (print viz.compare_orders(root) for the ledgers)")
    steps = max(len(report.naive_adds), len(report.topological_adds))
    heading = f"Why a topological order: the backward pass of {report.names[root]} in two orders"
    rows = "".join(
        f'<tr><td>{html.escape(report.names[n])}</td><td data-grad="{i}" data-side="naive"></td>'
        f'<td data-grad="{i}" data-side="topological"></td></tr>'
        for i, n in enumerate(report.nodes))
    table = ('<table class="ledger" id="grads"><tr><th>grad</th><th>naive</th><th>topological</th></tr>'
             f"{rows}</table>")
    data = {"steps": steps, "grads": {s: _grads_after(report, s) for s in ("naive", "topological")}}
    controls = (
        '<div id="controls"><button id="first">|◀ First</button><button id="prev">◀ Previous</button>'
        '<button id="next">Next ▶</button><button id="end">Last ▶|</button>'
        f'<input type="range" id="slider" min="0" max="{steps}" value="0" step="1" aria-label="addition">'
        f'<span id="label">Addition 0 of {steps}</span></div>')
    picture = svg_text(report.draw())
    payload = json.dumps(data).replace("</", "<\\/")  # no "</script>" inside the data block
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<link rel="icon" href="data:,">'
        f"<title>{html.escape(heading)}</title><style>{_STYLE}</style></head>"
        f'<body data-step="0"><h1>{html.escape(heading)}</h1>{controls}'
        f'<div class="ledgers">{_ledger(report, "naive")}{_ledger(report, "topological")}{table}</div>'
        f'<div id="verdict" hidden>{html.escape(report.verdict())}</div>'
        f'<div id="picture">{picture}</div>'
        f'<script type="application/json" id="orders-data">{payload}</script>'
        f"<script>{_SCRIPT}</script></body></html>\n")


def render_orders_html(root: Any, path: Union[str, "os.PathLike[str]"], grad: Any = None) -> Path:
    """Write the page of :func:`orders_page_html` to ``path`` and return the path."""
    out = Path(path)
    out.write_text(orders_page_html(root, grad), encoding="utf-8")
    return out
