"""Draw a graph of Values (or Tensors) with Graphviz: data, grads and local derivatives on it.

Layout of a picture:

* every value is a box: its name (label, or the number of a constant, or ``t1``, ``t2`` ...
  for unnamed results), ``data`` and ``grad`` (backward numbers are red);
* every op is its own small node (``×``, ``+``, ``exp`` ...) between its inputs and its result;
* every *use* of a parent is its own edge (``a + a`` draws two); the edge runs through its
  label, the local derivative (``∂t/∂x = 1``) and, once backward has run, the gradient
  that flowed back along it (``← 1.1``), so a label cannot be read as another edge's;
* a value used several times shows its grad as the sum of what flowed in (``2.2 = 1.1 + 1.1``);
* a use far from the value's box (``x*x*…*x``) starts from a small dashed copy of the value
  ("use 5 of 58") instead of an edge across the whole picture, which keeps the layout fast.

The text of boxes and labels is built in :mod:`viz.labels` (escaped, numbers at 6
significant digits); what is drawn is decided in :mod:`viz.layout`.  Node ids come from
the creation order, so the same graph gives byte-identical DOT.

>>> from autograd_lite import Value
>>> a = Value(3.0, "a")
>>> b = a + a
>>> b.backward()
>>> "n0 -> e1_0" in draw(b).source and "e1_0 -> op1" in draw(b).source
True
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterable, List, Optional, Union

import graphviz

from autograd_lite.i18n import tr, tr_n
from autograd_lite.reading import expression, is_node, node_names, partial, value_of

from .check import check_records, tensor_checks
from .labels import (
    FILL_BAD,
    FILL_HOT,
    FILL_OP,
    INK,
    LINE_CONST,
    LINE_HOT,
    LINE_MID,
    LINE_OP,
    MUTED,
    Frame,
    adds_up,
    copy_label,
    edge_label,
    esc,
    font,
    is_tensor,
    op_text,
    value_label,
)
from .layout import far_uses, flows, keep
from .speak import font_family, speaks
from .svg import Digraph

__all__ = ["draw", "render", "GraphvizNotFoundError", "DEFAULT_MAX_NODES", "MAX_DRAWN", "FORMATS", "Frame",
           "esc", "FILL_BAD", "FILL_HOT"]

DEFAULT_MAX_NODES = 150
MAX_DRAWN = 300  # max_nodes=None draws at most this many values; more would not lay out in seconds
FORMATS = ("png", "svg", "pdf", "dot")
PNG_DPI = 144  # crisp on slides; SVG and PDF are vector anyway
PNG_MAX_INCHES = 40  # a bigger drawing is scaled down to fit: bounded pixels, bounded time
SLIDE_INCHES = 13.5  # a folded picture's PNG: at most 1944 px, a 16:9 slide

INSTALL_HINT = (
    "Install Graphviz (a system program, not a pip package):\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install -c conda-forge graphviz\n"
    "  Windows:        winget install graphviz\n"
    "then make sure `dot -V` works in a new terminal."
)


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz ``dot`` program is not on PATH; ``dot_path`` holds the DOT source written instead."""

    def __init__(self, message: str, dot_path: Path) -> None:
        super().__init__(message)
        self.dot_path = dot_path


def tip(text: str) -> str:
    """A tooltip as DOT wants it: one line, no control characters, short (Graphviz escapes the rest)."""
    text = text.translate(_TIP)
    # nohtml: a text like "<b>" is a quoted string, not an HTML-like label for Graphviz
    return graphviz.nohtml(text if len(text) <= 200 else text[:199] + "…")


_TIP = {c: " " for c in [*range(32), *range(0x7F, 0xA0), *range(0xD800, 0xE000)]}
_TIP[ord("\\")] = "\\\\"  # DOT reads a backslash as an escape: keep it a backslash


# where an edge enters and leaves its label, so it reads as one line through the label
_SIDES = {"LR": ("w", "e"), "RL": ("e", "w"), "TB": ("n", "s"), "BT": ("s", "n")}


def _as_list(highlight: Any) -> List[Any]:
    if highlight is None:
        return []
    if is_node(highlight):
        return [highlight]
    return list(highlight)


@speaks("draw")
def draw(
    root: Any,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local: bool = True,
    highlight: Union[Any, Iterable[Any], None] = None,
    max_nodes: Optional[int] = DEFAULT_MAX_NODES,
    check: bool = False,
    frame: Optional[Frame] = None,
    id_prefix: str = "",
    root_name: Optional[str] = None,
    fold: Optional[str] = None,
    lang: Optional[str] = None,
) -> graphviz.Digraph:
    """A ``graphviz.Digraph`` of everything ``root`` depends on (shows inline in a notebook).

    ``rankdir``: ``"LR"`` (inputs left) or ``"TB"``; ``show_grad`` / ``show_local``: grads on
    boxes and edges / local derivatives on edges; ``highlight``: a node or nodes to mark;
    ``max_nodes``: at most this many values are drawn, nearest the root first, the rest
    replaced by a "… N more nodes" marker (``None``: no limit up to :data:`MAX_DRAWN`
    values, a larger graph is refused); ``check``: run gradcheck on the leaves and write
    "analytic vs numeric" on them (mismatches red); ``frame``: what a step of
    :func:`viz.render_steps` overrides (grads shown as ``?``, highlights, widths);
    ``id_prefix``: prepended to every DOT node id (two pictures in one, see ``viz.draw_gradient``);
    ``root_name``: how the root is named (default: its label, else ``t1`` ...; ``viz.draw_gradient``
    names a gradient ``dy/dx``); ``fold``: ``"neuron"``, ``"layer"``, ``"module"`` or ``"group"``
    draws each recorded block of that kind as one box showing what enters and leaves it (see
    :mod:`viz.fold`); ``max_nodes`` then bounds the boxes drawn (values and blocks).
    ``lang``: the language of the words on the picture, ``"en"`` or ``"zh"`` (中文; default: the
    environment's, see :func:`autograd_lite.i18n.language`); Chinese tells Graphviz a CJK font.

    >>> from autograd_lite import Value
    >>> x = Value(2.0, "x")
    >>> g = draw((x * x).exp(), show_grad=False)
    >>> g.source.count("->")  # x*x: two uses of x, each through its label; exp: one use; two results
    8
    """
    if not is_node(root):
        raise TypeError(f"draw: expected a Value or Tensor, got {type(root).__name__}: {root!r}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int)
                                  or max_nodes < 1):
        raise ValueError(f"draw: max_nodes must be a positive int or None, got {max_nodes!r}")
    if fold is not None:
        return _draw_folded(root, fold, rankdir, show_grad, show_local, highlight, max_nodes, check, frame)
    nodes, every = keep(root, max_nodes)
    if len(nodes) > (frame.max_values if frame is not None and frame.max_values else MAX_DRAWN):
        raise ValueError(f"draw: the graph has {len(nodes)} values, more than {MAX_DRAWN} can be laid out "
                         f"in seconds; pass max_nodes={DEFAULT_MAX_NODES} (or up to {MAX_DRAWN}) to draw "
                         "the values nearest the output")
    cut = len(every) - len(nodes)
    if check and cut:
        raise ValueError(f"draw(check=True): the graph has more than max_nodes={max_nodes} values; "
                         "raise max_nodes (or pass max_nodes=None) to check every leaf")
    kept = set(nodes)
    names = node_names(every)
    if root_name is not None:
        names[root] = str(root_name)
    ids = {n: f"{id_prefix}{k}" for k, n in enumerate(nodes)}
    # After backward the root holds its seed; before, a Value root has grad 0 (a Tensor None).
    backward_ran = root.grad is not None and (is_tensor(root) or root.grad != 0.0)
    sent, into = flows(nodes, every) if backward_ran else ({}, {})
    # Every pass resets the intermediates it reaches: one that its uses do not add up to shows
    # that the last pass started outside the picture, so the root's grad is not its own seed.
    larger = any(not n.is_leaf and n is not root and n in into and not adds_up(value_of(n.grad), into[n])
                 for n in nodes)
    root_note = tr("sent by a pass from a larger graph") if larger else ""
    far = far_uses(nodes, root)
    hot = set(_as_list(highlight)) | set(frame.hot if frame is not None else ())
    hot_ops = hot if frame is None or frame.hot_inputs else set()
    leaves = [n for n in nodes if n.is_leaf]
    check_leaves = tensor_checks if is_tensor(root) else check_records
    # the check is of the pass the picture shows: its seed (1 before any backward)
    seed = value_of(root.grad) if backward_ran else None
    checks = check_leaves(root, leaves, seed) if check and not root.is_leaf else {}

    tips = frame is not None and frame.tooltips  # hover texts: the page's frames ask for them
    into_side, out_side = _SIDES[rankdir]
    g = Digraph(name="autograd_lite")  # a graphviz.Digraph; shows the install hint in a notebook without dot
    # ordering=in keeps each op's inputs in parent order (apple above apple_num, as in the book)
    g.attr(rankdir=rankdir, bgcolor="white", nodesep="0.25", ranksep="0.2", pad="0.2",
           ordering="in", fontname=font_family())
    if len(nodes) > MAX_DRAWN:  # a page's big graph: fewer rounds of crossing reduction, 2x quicker
        g.attr(mclimit="0.1", nslimit="1", nslimit1="1")
    g.attr("node", fontname=font_family(), fontsize="14", fontcolor=INK)
    g.attr("edge", fontname=font_family(), fontsize="12", color=LINE_MID, arrowsize="0.7", penwidth="1.3")
    if frame is not None and frame.caption:
        width = frame.widths.get(("caption",))
        w = f' WIDTH="{width}"' if width else ""
        rows = "".join(f'<TR><TD ALIGN="LEFT"{w}>{font(esc(line), INK, bold=(k == 0), size=16)}</TD></TR>'
                       for k, line in enumerate(frame.caption.split("\n")))
        g.attr(label=f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{rows}</TABLE>>',
               labelloc="t", labeljust="l")

    marks = frame is not None and frame.marks  # the page's script finds boxes, ops, edges by these ids
    pins = frame.pins if frame is not None else None
    if pins is not None:
        g.attr(**pins.graph)

    def node(name: str, **attrs: Any) -> None:
        if pins is not None:
            attrs.update(pins.node(name))
        g.node(name, **attrs)

    def edge(tail: str, head: str, mark: Optional[str] = None, **attrs: Any) -> None:
        if marks and mark:
            attrs["id"] = mark
        if pins is not None:
            attrs.update(pins.edge(tail, head))
        g.edge(tail, head, **attrs)

    for n in nodes:
        # hover text (SVG tooltips): the value's name and formula, never a Graphviz id
        says = tip(names[n] if n.is_leaf else f"{names[n]} = {expression(n, names)}") if tips else None
        node("n" + ids[n], label=value_label(n, names[n], is_root=n is root, is_hot=n in hot,
                                             show_grad=show_grad, backward_ran=backward_ran,
                                             parts=into.get(n, []), record=checks.get(n), frame=frame,
                                             note=root_note if n is root else "",
                                             mark=ids[n] if marks else ""),
             shape="plain", tooltip=says, **({"id": "v" + ids[n]} if marks else {}))
        if not n.is_leaf:
            hot_op = n in hot_ops
            node("op" + ids[n], label=f"<{font(esc(op_text(n.op)), INK, bold=True)}>", tooltip=says,
                 shape="circle" if len(op_text(n.op)) <= 2 else "ellipse", style="filled",
                 fillcolor=FILL_HOT if hot_op else FILL_OP, color=LINE_HOT if hot_op else LINE_OP,
                 width="0.4", height="0.4", margin="0.04", fontsize="15",
                 **({"id": "o" + ids[n]} if marks else {}))
    if cut:
        more = tr_n("… {n} more node (max_nodes={max_nodes})", "… {n} more nodes (max_nodes={max_nodes})",
                    cut).format(n=cut, max_nodes=max_nodes)
        node(id_prefix + "more", label=f"<{font(esc(more), MUTED)}>",
             shape="box", style="dashed,rounded", color=LINE_CONST)

    for n in nodes:
        if n.is_leaf:
            continue
        op_id = "op" + ids[n]
        edge(op_id, "n" + ids[n], "x" + ids[n], color=LINE_HOT if n in hot_ops else LINE_MID,
             tooltip=tip(f"{names[n]} = {expression(n, names)}") if tips else None)
        missing = False
        for i, p in enumerate(n.parents):
            if p not in kept:
                missing = True
                continue
            attrs = {"color": LINE_HOT, "penwidth": "2.6"} if n in hot_ops else {}
            if tips:
                attrs["tooltip"] = tip(partial(n, i, names))
            source = "n" + ids[p]
            if (n, i) in far:
                source = f"c{ids[n]}_{i}"
                node(source, label=copy_label(names[p], *far[(n, i)]), shape="plain",
                     tooltip=tip(names[p]) if tips else None)
            use = f"{ids[n]}_{i}"
            label = edge_label(n, i, names, show_local, show_grad, sent, frame, mark=use if marks else "")
            if label:  # the edge runs through its label: it cannot be read as another edge's
                via = f"e{use}"
                node(via, label=label, shape="plain", fontsize="12", tooltip=attrs.get("tooltip"))
                edge(source, via, f"i{use}", arrowhead="none", headport=into_side, **attrs)
                edge(via, op_id, f"j{use}", tailport=out_side, **attrs)
            else:
                edge(source, op_id, f"i{use}", **attrs)
        if missing:
            edge(id_prefix + "more", op_id, style="dashed", color=LINE_CONST)
    return g


def _draw_folded(root: Any, fold: str, rankdir: str, show_grad: bool, show_local: bool, highlight: Any,
                 max_nodes: Optional[int], check: bool, frame: Optional[Frame]) -> graphviz.Digraph:
    from autograd_lite.reading import graph_nodes

    from .fold import check_fold, fold_graph
    from .fold_draw import draw_folded

    check_fold(fold, "draw")
    if check or highlight is not None or frame is not None:
        raise ValueError("draw: a folded picture (fold=...) draws no check, highlight or frame; "
                         "pass fold=None for them")
    every = graph_nodes(root)
    folding = fold_graph(root, fold, every)
    boxes = len(folding.groups) + sum(1 for n in every if n not in folding.owner)
    bound = MAX_DRAWN if max_nodes is None else min(max_nodes, MAX_DRAWN)
    if boxes > bound:
        raise ValueError(f"draw: folded by {fold!r}, the graph still has {boxes} boxes (values and blocks), "
                         f"more than max_nodes={bound}; fold by a larger block ('layer', 'module'), or "
                         f"pass max_nodes up to {MAX_DRAWN}")
    backward_ran = root.grad is not None and (is_tensor(root) or root.grad != 0.0)
    g = Digraph(name="autograd_lite")
    g.attr(rankdir=rankdir, bgcolor="white", nodesep="0.25", ranksep="0.2", pad="0.2",
           ordering="in", fontname=font_family())
    g.attr("node", fontname=font_family(), fontsize="14", fontcolor=INK)
    g.attr("edge", fontname=font_family(), fontsize="12", color=LINE_MID, arrowsize="0.7", penwidth="1.3")
    draw_folded(root, every, folding, g, rankdir, show_grad, show_local, backward_ran)
    return g


# ----------------------------------------------------------------------- files
def _format_of(path: Path, format: Optional[str]) -> str:
    fmt_ = (format or path.suffix.lstrip(".")).lower()
    if fmt_ == "gv":
        fmt_ = "dot"
    if fmt_ not in FORMATS:
        raise ValueError(f"render: cannot tell the format of {str(path)!r}; use a .png, .svg, .pdf or .dot "
                         "path, or pass format='png'")
    return fmt_


@speaks("render")
def render(root: Any, path: Union[str, "os.PathLike[str]"], format: Optional[str] = None,
           lang: Optional[str] = None, **draw_options: Any) -> Path:
    """Write the picture of ``root``'s graph (or of a ``Digraph`` from :func:`draw`) to ``path``.

    The format comes from the suffix (``.png``, ``.svg``, ``.pdf``, ``.dot``; ``.tex`` and ``.tikz``
    for TikZ, see :mod:`viz.tikz`) unless
    ``format`` is given; ``lang`` (``"en"``, ``"zh"``) and other keyword arguments go to
    :func:`draw`.  Returns the path.
    If the Graphviz ``dot`` program is missing, the DOT source is written beside ``path``
    (same name, ``.dot``) and :class:`GraphvizNotFoundError` explains how to install it.
    """
    out = Path(path)
    if format is None and out.suffix.lower() in (".tex", ".tikz"):  # for slides: viz/tikz.py
        from .tikz import write_tikz

        out.parent.mkdir(parents=True, exist_ok=True)
        return write_tikz(root, out, **draw_options, **({} if lang is None else {"lang": lang}))
    kind = _format_of(out, format)
    g = root if isinstance(root, graphviz.Digraph) else draw(root, **draw_options)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "dot":
        out.write_text(g.source, encoding="utf-8")
        return out
    # a folded picture is for a slide: a PNG at most 13.5 inches (1944 px) wide
    data = pipe(g, kind, out, SLIDE_INCHES if draw_options.get("fold") is not None else PNG_MAX_INCHES)
    out.write_bytes(data)
    return out


def pipe(g: graphviz.Digraph, kind: str, out: Path, max_inches: float = PNG_MAX_INCHES,
         pinned: bool = False) -> bytes:
    """Run ``dot`` on ``g``; a missing ``dot`` leaves ``out`` with suffix ``.dot`` and a clear error.

    A PNG is drawn at :data:`PNG_DPI`, scaled down to at most ``max_inches`` a side.
    ``pinned``: every position is fixed already (:mod:`viz.pinned`): ``neato -n2`` draws it
    without laying it out again."""
    source = g
    if kind == "png":
        g = g.copy()
        g.attr(dpi=str(PNG_DPI), size=f"{max_inches},{max_inches}")
    try:
        if pinned:
            return g.pipe(format=kind, engine="neato", neato_no_op=2)
        return g.pipe(format=kind)
    except graphviz.ExecutableNotFound:
        dot_path = out.with_suffix(".dot")
        dot_path.write_text(source.source, encoding="utf-8")
        raise GraphvizNotFoundError(
            f"render: the Graphviz 'dot' program was not found on PATH, so {out} was not written; "
            f"the DOT source is in {dot_path}.\n{INSTALL_HINT}",
            dot_path,
        ) from None
    except graphviz.CalledProcessError as e:
        stderr = e.stderr.decode("utf-8", "replace").strip() if isinstance(e.stderr, bytes) else str(e.stderr)
        raise RuntimeError(f"render: Graphviz 'dot' failed on {out}: {stderr}") from None


def dot_available() -> bool:
    """True if the Graphviz ``dot`` program is on PATH."""
    return shutil.which("dot") is not None
