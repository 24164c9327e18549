"""The backward pass as one self-contained, interactive HTML page (and inline in Jupyter).

``viz.stepper(root)`` displays inline in a notebook; ``viz.render_html(root, path)`` writes
the same page to a file.  The page shows the graph at each step of the backward pass (the
frames and highlighting of :func:`viz.render_steps`, as inline SVG), Previous / Next /
Play buttons, a slider and the keys ← → Home End, the current step's chain rule, and the
``explain`` table with the current step's rows highlighted.  Grads not computed yet show
``?``.  ``quiz=True`` hides every grad and checks what the learner types.

The page needs nothing from outside: no CDN, no fonts, no network (its Content-Security-
Policy is ``default-src 'none'``); it opens from a file.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import graphviz

from autograd_lite.display import explanation_html
from autograd_lite.explain import Explanation
from autograd_lite.format import fmt
from autograd_lite.i18n import language, tr
from autograd_lite.reading import SHORT_DIGITS, formula, partial, total
from autograd_lite.reading import preview as _preview

from .draw import GraphvizNotFoundError, dot_available, draw
from .page_graph import changes, graph_dot, graph_svg, packed, vendored_viz
from .page_script import SCRIPT as _SCRIPT
from .page_script import STYLE as _STYLE
from .page_script import words as _words
from .speak import html_lang, page_css, speaks
from .steps import check_options
from .svg import install_hint_html, svg_size
from .timeline import timeline

__all__ = ["stepper", "render_html", "Stepper", "page_html"]

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:")
# a page laid out in the browser compiles the vendored Graphviz (WebAssembly): that, and nothing more
CSP_WASM = CSP.replace("script-src 'unsafe-inline'", "script-src 'unsafe-inline' 'wasm-unsafe-eval'")
LAYOUTS = ("auto", "dot", "browser")
BROWSER_HEIGHT = 600.0  # a picture laid out in the browser: the notebook frame's guess at its height


DEFAULT_MAX_NODES = 1500  # the moons MLP's loss on one point (984 values) lays out in about 2 s
PACK_BYTES = 500_000  # a picture bigger than this is sent compressed (unpacked by the page's script)
MAX_PAGE_NODES = 4000  # one layout for every step; more would take Graphviz tens of seconds


def _refuse_big(root: Any, max_nodes: int, where: str) -> None:
    from autograd_lite.reading import graph_nodes, is_node

    if not is_node(root):
        raise TypeError(f"{where}: expected a Value or Tensor, got {type(root).__name__}: {root!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or not 1 <= max_nodes <= MAX_PAGE_NODES:
        raise ValueError(f"{where}: max_nodes must be an int from 1 to {MAX_PAGE_NODES}, got {max_nodes!r}")
    size = len(graph_nodes(root))
    if size > max_nodes:
        hint = (f"pass max_nodes={size}" if size <= MAX_PAGE_NODES else
                f"step through a smaller graph (at most {MAX_PAGE_NODES} values), e.g. the loss of one "
                "data point, or draw it with viz.render(max_nodes=...)")
        raise ValueError(f"{where}: the graph has {size} values, more than max_nodes={max_nodes}; {hint}")


def _check_page(root: Any, where: str, rankdir: Any, quiz: Any, title: Any, check: Any,
                exercise: Any, layout: Any = "auto") -> None:
    """Every option of the page, refused up front with the caller's name."""
    check_options(where, root, rankdir, quiz=quiz, check=check)
    if layout not in LAYOUTS:
        raise ValueError(f"{where}: layout must be one of {LAYOUTS}, got {layout!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{where}: title must be a str or None, got {type(title).__name__}: {title!r}")
    if exercise is not None and not isinstance(exercise, dict):
        raise TypeError(f"{where}: exercise must be a dict from viz.plant_bug or None, got {exercise!r}")


def step_lines(ex: Explanation, k: int, quiz: bool) -> List[str]:
    """The chain rule of step ``k`` (0: the seed), one line per edge, as the page shows it
    (numbers with the pictures' 6 significant digits)."""

    def preview(x: Any) -> str:
        return _preview(x, digits=SHORT_DIGITS)

    names = ex.names

    def words(e: Any) -> str:
        return formula(e.node, e.index, names, SHORT_DIGITS)

    r = names[ex.root]
    if k == 0:
        return [tr("{total} = {seed} (the seed); every other grad is still unknown (?)").format(
            total=total(r, r), seed=preview(ex.seed))]
    step = ex.steps[k - 1]
    n = names[step.node]
    up = "?" if quiz and k > 1 else preview(step.upstream)
    lines = [tr("{name} ({op}) has its complete upstream grad {total} = {up}").format(
        name=n, op=step.node.op, total=total(r, n), up=up)]
    for e in step.edges:
        # the total derivative grows by upstream (total) × the edge's local partial
        head = f"{total(r, names[e.parent])} += {total(r, n)} · {partial(step.node, e.index, names)}"
        if e.local is None:  # a Tensor op: a vector-Jacobian product
            lines.append(f"{head}: {'?' if quiz else preview(e.sent)}   ({words(e)})")
        else:
            sent = "?" if quiz else preview(e.sent)
            lines.append(f"{head} = {up} × {preview(e.local)} = {sent}   ({words(e)})")
    return lines


def _answers(ex: Explanation) -> List[Dict[str, Any]]:
    """What the quiz asks: every node that receives a grad, in the order the pass completes them."""
    out: List[Dict[str, Any]] = []
    seen = set()
    last: Dict[Any, Any] = {}
    for s in ex.steps:
        for e in s.edges:
            last[e.parent] = e.after
    for s in reversed(ex.steps):  # a node's grad is complete at its last contribution
        for e in reversed(s.edges):
            if e.parent in seen:
                continue
            seen.add(e.parent)
            if _constant(e.parent):  # a number written into the formula: not a question
                continue
            g = last[e.parent]
            values = [float(v) for v in (g.reshape(-1).tolist() if hasattr(g, "reshape") else [g])]
            shown = _preview(g, digits=SHORT_DIGITS)
            out.append({"name": ex.names[e.parent], "values": values, "shown": shown})
    out.reverse()
    # one question per name: nodes that share a label are numbered in the order asked
    count: Dict[str, int] = {}
    for a in out:
        count[a["name"]] = count.get(a["name"], 0) + 1
    seen_names: Dict[str, int] = {}
    for a in out:
        if count[a["name"]] > 1:
            seen_names[a["name"]] = seen_names.get(a["name"], 0) + 1
            a["which"] = f" (#{seen_names[a['name']]})"
    return out


def _constant(node: Any) -> bool:
    """A leaf that is a number written into the expression: no label, no requires_grad."""
    return node.is_leaf and not getattr(node, "label", "") and not getattr(node, "requires_grad", False)




def _json_script(obj: Any) -> str:
    # inside <script>: no "<" at all, so no "</script>" or "<!--" can end it early
    text = json.dumps(_json_safe(obj), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace("&", "\\u0026")


def _json_safe(obj: Any) -> Any:
    """``obj`` with every inf / nan float as the string ``fmt`` writes ("inf", "-inf", "nan"):
    JSON has no such numbers, and ``JSON.parse`` rejects the page's data if it holds one."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return fmt(obj)
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


@speaks("page_html")
def page_html(root: Any, *, quiz: bool = False, rankdir: str = "LR", max_nodes: int = DEFAULT_MAX_NODES,
              title: Optional[str] = None, check: bool = False, exercise: Optional[Dict[str, Any]] = None,
              interval_ms: int = 1200, layout: str = "auto", lang: Optional[str] = None,
              fold: Optional[str] = None) -> str:
    """The page as a string (see :func:`render_html`).

    ``check=True`` overlays gradcheck on the leaves of every frame (as ``draw(check=True)``);
    ``exercise`` (from :mod:`viz.exercise`) adds the question "which edge is wrong?";
    ``lang``: ``"en"`` or ``"zh"`` (中文), every word of the page and its script (default: the
    environment's, see :func:`autograd_lite.i18n.language`).
    """
    _check_page(root, "page_html", rankdir, quiz, title, check, exercise, layout)
    if isinstance(interval_ms, bool) or not isinstance(interval_ms, int) or not 50 <= interval_ms <= 60_000:
        raise ValueError(f"page_html: interval_ms must be an int from 50 to 60000, got {interval_ms!r}")
    _refuse_big(root, max_nodes, "page_html")
    _check_fold(fold, "page_html", quiz, check, exercise, layout)
    t = timeline(root, quiz=quiz)
    ex = t.explanation
    names = ex.names
    if fold is not None:
        return _folded_page(root, t, fold, rankdir, title, interval_ms)
    # one layout, by dot here or by the vendored Graphviz in the browser: a step changes highlights and texts
    browser = layout == "browser" or (layout == "auto" and not dot_available())
    svg = "" if browser else graph_svg(root, t, rankdir, check, max_nodes)
    size = (0.0, BROWSER_HEIGHT) if browser else (svg_size(svg) or (0.0, 0.0))
    width = size[0]
    steps = [{"lines": step_lines(ex, k, quiz), "hot": names[n]} for k, n in enumerate(t.hot)]
    ids = {n: str(k) for k, n in enumerate(ex.nodes)}  # draw's node ids (nothing is cut)
    answers = _answers(ex) if quiz else []
    data: Dict[str, Any] = {"steps": steps, "interval": interval_ms, "quiz": quiz,
                            "nodes": [{"id": "n" + ids[n], "name": names[n]} for n in ex.nodes],
                            "answers": answers, "width": width, "words": _words(), **changes(t, ids)}
    heading = title if title is not None else (
        tr("Quiz: the backward pass of {name}, step by step") if quiz
        else tr("the backward pass of {name}, step by step")).format(name=names[root])
    sent, engine, csp = "", "", CSP
    if browser:  # the DOT source travels compressed; the page lays it out with Viz.js (WebAssembly)
        sent = packed("autograd-lite-dot", graph_dot(root, t, rankdir, check, max_nodes))
        engine, csp = f"<script>{vendored_viz()}</script>", CSP_WASM
    elif len(svg) > PACK_BYTES:  # a big picture: gzip and base64 make it about six times smaller
        sent, svg = packed("autograd-lite-svg", svg), ""
    frame_divs = f'<div class="frame" data-height="{size[1]:.0f}">{svg}</div>'
    ready = "" if sent else ' data-step="0"'  # a packed picture: the script sets it once unpacked
    n = len(t.hot) - 1
    w = {k: html.escape(v) if k != "step" else v for k, v in data["words"].items()}
    controls = _controls(n)
    quiz_html = ""
    if quiz:
        qs = "".join(
            f'<div class="q" data-q="{i}"><label>'
            f'{html.escape(total(names[root], a["name"]) + a.get("which", ""))} = '
            f'<input type="text" autocomplete="off" aria-label="{html.escape(a["name"])}.grad"></label> '
            '<span class="verdict"></span></div>' for i, a in enumerate(answers))
        quiz_html = (f'<div id="quiz"><b>{w["answers"]}</b> {w["answersHow"]}{qs}'
                     f'<button id="check">{w["check"]}</button> <span id="score"></span></div>')
    ex_html = ""
    if exercise is not None:
        data["exercise"] = {k: exercise[k] for k in ("answer", "right", "wrong")}
        options = "".join(f'<option value="{html.escape(v)}">{html.escape(text)}</option>'
                          for v, text in exercise["choices"])
        ex_html = (f'<div id="exercise"><b>{html.escape(exercise["question"])}</b><br>'
                   f'<select id="edge">{options}</select> <button id="answer">{w["answer"]}</button> '
                   '<span id="verdict"></span></div>')
    table = explanation_html(ex, quiz=quiz, max_steps=len(ex.steps))  # every step's rows, shown as reached
    return (
        f"<!DOCTYPE html>\n<html lang=\"{html_lang()}\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{html.escape(heading)}</title><style>{_STYLE}{page_css()}</style></head>"
        f'<body{ready}><h1>{html.escape(heading)}</h1>{controls}'
        f'<div id="formula"></div><div id="frames">{frame_divs}</div>{ex_html}{quiz_html}'
        f'<div id="table">{table}</div>'
        f'{sent}<script type="application/json" id="autograd-lite-data">{_json_script(data)}</script>'
        f"{engine}<script>{_SCRIPT}</script></body></html>\n")


def _controls(n: int) -> str:
    """The step buttons, slider and label of a page of ``n`` steps, in the page's language."""
    w = {k: html.escape(v) if k != "step" else v for k, v in _words().items()}
    return ('<div id="controls">'
            f'<button id="first" title="{w["firstTip"]}">|◀ {w["first"]}</button>'
            f'<button id="prev" title="{w["prevTip"]}">◀ {w["prev"]}</button>'
            f'<button id="play">{w["play"]}</button>'
            f'<button id="next" title="{w["nextTip"]}">{w["next"]} ▶</button>'
            f'<button id="end" title="{w["endTip"]}">{w["end"]} ▶|</button>'
            f'<input type="range" id="slider" min="0" max="{n}" value="0" step="1" '
            f'aria-label="{w["slider"]}">'
            f'<span id="label">{html.escape(w["step"].format(k=0, n=n))}</span></div>')


def _check_fold(fold: Any, where: str, quiz: Any, check: Any, exercise: Any, layout: Any) -> None:
    from .fold import check_fold

    check_fold(fold, where)
    if fold is not None and (quiz or check or exercise is not None):
        raise ValueError(f"{where}: a folded page (fold={fold!r}) has no quiz, check or exercise; "
                         "pass fold=None for them")
    if fold is not None and layout == "browser":
        raise ValueError(f"{where}: a folded page (fold={fold!r}) is laid out by the Graphviz 'dot' program "
                         "(layout='dot' or 'auto'); layout='browser' draws the unfolded page")


def _folded_page(root: Any, t: Any, fold: str, rankdir: str, title: Optional[str], interval_ms: int) -> str:
    """The page of the folded picture: one step per box (see :mod:`viz.fold_page`)."""
    from .fold import fold_graph
    from .fold_inside import folded_parts
    from .fold_script import FOLD_SCRIPT, FOLD_STYLE

    ex = t.explanation
    folding = fold_graph(root, fold, ex.nodes)
    parts = folded_parts(root, t, folding, rankdir, lambda k: step_lines(ex, k, False))
    svg, sent = parts.svg + parts.insides, ""  # the insides travel with the picture (packed with it)
    size = svg_size(svg) or (0.0, 0.0)
    if len(svg) > PACK_BYTES:
        sent, svg = packed("autograd-lite-svg", svg), ""
    n = len(parts.lines) - 1
    data = {"steps": [{"lines": lines} for lines in parts.lines], "interval": interval_ms, "quiz": False,
            "answers": [], "width": size[0], "hot": parts.hot, "cells": parts.cells, "fold": fold,
            "words": _words()}
    heading = title if title is not None else (
        f"the backward pass of {ex.names[root]}, folded by {fold}, step by step")
    table = explanation_html(ex, quiz=False, max_steps=len(ex.steps))  # a row shows from its box's step
    table = re.sub(r'data-step="(\d+)"', lambda m: f'data-step="{parts.at[int(m.group(1))]}"', table)
    controls = _controls(n)
    ready = "" if sent else ' data-step="0"'
    return (
        f"<!DOCTYPE html>\n<html lang=\"{html_lang()}\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{html.escape(heading)}</title><style>{_STYLE}{FOLD_STYLE}{page_css()}</style></head>"
        f'<body{ready}><h1>{html.escape(heading)}</h1>{controls}'
        f'<div id="formula"></div><div id="frames"><div class="frame" data-height="{size[1]:.0f}">{svg}</div>'
        f'</div><div id="table">{table}</div>'
        f'{sent}<script type="application/json" id="autograd-lite-data">{_json_script(data)}</script>'
        f"<script>{FOLD_SCRIPT}</script><script>{_SCRIPT}</script></body></html>\n")


@speaks("render_html")
def render_html(root: Any, path: Union[str, "os.PathLike[str]"], *, quiz: bool = False, rankdir: str = "LR",
                max_nodes: int = DEFAULT_MAX_NODES, title: Optional[str] = None,
                layout: str = "auto", lang: Optional[str] = None, fold: Optional[str] = None) -> Path:
    """Write the interactive backward-pass page of ``root`` to ``path`` (one self-contained HTML file).

    Grads are not changed (the pass is replayed).  ``layout``: ``"dot"`` lays the graph out here
    with the Graphviz ``dot`` program (without it, the DOT source is written beside ``path`` and
    :class:`viz.GraphvizNotFoundError` says how to install it); ``"browser"`` lets the page lay
    it out with the vendored Graphviz compiled to WebAssembly (Viz.js, in ``viz/_vendor``);
    ``"auto"`` (the default): ``dot`` when it is installed, else the browser.  ``lang``: ``"en"`` or
    ``"zh"`` (中文), the page's words (default: the environment's).  ``fold``: ``"neuron"``,
    ``"layer"``, ``"module"`` or ``"group"`` steps through the folded picture, one step per box, and
    a click on a box unfolds it in place (see :mod:`viz.fold_page`).
    """
    _check_page(root, "render_html", rankdir, quiz, title, False, None, layout)
    _refuse_big(root, max_nodes, "render_html")
    _check_fold(fold, "render_html", quiz, False, None, layout)
    page = Stepper(root, quiz=quiz, rankdir=rankdir, max_nodes=max_nodes, title=title, layout=layout,
                   lang=lang, fold=fold)
    return page._write(path, "render_html")


class Stepper:
    """The interactive backward pass of a graph: displays inline in Jupyter (an ``<iframe>``).

    ``.html()`` is the page, ``.save(path)`` writes it (as :func:`render_html`).  The graph
    is read when the page is made, so a stepper made before ``backward()`` shows the same pass.
    """

    def __init__(self, root: Any, quiz: bool = False, rankdir: str = "LR", max_nodes: int = DEFAULT_MAX_NODES,
                 title: Optional[str] = None, check: bool = False,
                 exercise: Optional[Dict[str, Any]] = None, layout: str = "auto",
                 lang: Optional[str] = None, fold: Optional[str] = None) -> None:
        _check_page(root, "stepper", rankdir, quiz, title, check, exercise, layout)
        lang = language(lang, "stepper")  # the language is chosen now: the page is built later
        _refuse_big(root, max_nodes, "stepper")
        _check_fold(fold, "stepper", quiz, check, exercise, layout)
        self.root = root
        self.options: Dict[str, Any] = {"quiz": quiz, "rankdir": rankdir, "max_nodes": max_nodes,
                                        "title": title, "check": check, "exercise": exercise,
                                        "layout": layout, "lang": lang, "fold": fold}
        self._page: Optional[str] = None

    def html(self) -> str:
        """The page (built once)."""
        if self._page is None:
            self._page = page_html(self.root, **self.options)
        return self._page

    def save(self, path: Union[str, "os.PathLike[str]"]) -> Path:
        """Write the page to ``path``; returns the path (as :func:`render_html`)."""
        return self._write(path, "Stepper.save")

    def _write(self, path: Union[str, "os.PathLike[str]"], where: str) -> Path:
        out = Path(path)
        if out.parent and not out.parent.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
        try:
            text = self.html()
        except graphviz.ExecutableNotFound:
            from .draw import INSTALL_HINT

            dot_path = out.with_suffix(".dot")
            rankdir, max_nodes = self.options["rankdir"], self.options["max_nodes"]
            source = draw(self.root, rankdir=rankdir, max_nodes=max_nodes, lang=self.options["lang"]).source
            dot_path.write_text(source, encoding="utf-8")
            raise GraphvizNotFoundError(
                f"{where}: the Graphviz 'dot' program was not found on PATH, so {out} was not written; "
                f"the DOT source is in {dot_path}.\n{INSTALL_HINT}", dot_path) from None
        out.write_text(text, encoding="utf-8")
        return out

    def _repr_html_(self) -> str:
        try:
            page = self.html()
        except graphviz.ExecutableNotFound:
            return install_hint_html("The step-by-step page")
        height = _height(page)
        return (f'<iframe class="autograd-lite-stepper" sandbox="allow-scripts" style="width:100%;border:1px '
                f'solid #E1E5EA" height="{height}" srcdoc="{html.escape(page, quote=True)}"></iframe>')

    def __repr__(self) -> str:
        mode = ", quiz" if self.options["quiz"] else ""
        return f"<Stepper of {getattr(self.root, 'label', '') or type(self.root).__name__}{mode}>"


def _height(page: str) -> int:
    """A frame tall enough for the picture, the formula and the table (pixels)."""
    heights = [float(h) for h in re.findall(r'<div class="frame" data-height="([\d.]+)"', page)]
    rows = page.count('class="step-row"') + page.count('class="q"')
    return int(max(heights, default=200) * 1.34) + 200 + 24 * rows


def stepper(root: Any, *, quiz: bool = False, rankdir: str = "LR", max_nodes: int = DEFAULT_MAX_NODES,
            title: Optional[str] = None, layout: str = "auto", lang: Optional[str] = None,
            fold: Optional[str] = None) -> Stepper:
    """The backward pass of ``root``, step by step, inline in a notebook (see :func:`render_html`;
    without the Graphviz ``dot`` program the page lays the graph out in the browser); ``lang``:
    ``"en"`` or ``"zh"`` (中文); ``fold``: step through the folded picture, a click unfolds a box."""
    return Stepper(root, quiz=quiz, rankdir=rankdir, max_nodes=max_nodes, title=title, layout=layout,
                   lang=lang, fold=fold)
