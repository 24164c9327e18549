"""Draw a graph of Values (or Tensors) with Graphviz: data, grads and local derivatives on it.

Layout of a picture:

* every value is a box: its name (label, or the number of a constant, or ``t1``, ``t2`` ...
  for unnamed results), ``data`` and ``grad`` (backward numbers are red);
* every op is its own small node (``×``, ``+``, ``exp`` ...) between its inputs and its result;
* every *use* of a parent is its own edge (``a + a`` draws two), labelled with the local
  derivative (``∂t/∂x = 1``) and, once backward has run, the gradient that flowed back
  along it (``← 1.1``);
* a value used several times shows its grad as the sum of what flowed in (``2.2 = 1.1 + 1.1``).

Every label is built as a Graphviz HTML-like label from escaped text, so a name with quotes,
``<``, ``>``, ``{``, ``|``, backslashes or newlines shows as text and cannot change the DOT
source.  Node ids come from the creation order, so the same graph gives byte-identical DOT.

>>> from autograd_lite import Value
>>> a = Value(3.0, "a")
>>> b = a + a
>>> b.backward()
>>> "n0 -> op1" in draw(b).source
True
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import graphviz
import numpy as np

from autograd_lite.explain import atom, explain, formula, graph_nodes, node_names, preview
from autograd_lite.format import ARRAY_DIGITS, fmt

from .checks import tensor_checks
from .svg import Digraph

__all__ = ["draw", "render", "GraphvizNotFoundError", "DEFAULT_MAX_NODES", "FORMATS"]

DEFAULT_MAX_NODES = 150
FORMATS = ("png", "svg", "pdf", "dot")
MAX_LABEL_CHARS = 48

# One palette, chosen for slides: forward numbers dark, backward numbers red (as in the
# book's backward arrows), inputs blue, the output green, ops pale yellow.
FONT = "Helvetica,Arial,sans-serif"
INK = "#1F2933"
MUTED = "#6B7785"
BACK = "#C0392B"
OK_GREEN = "#1E8449"
FILL_LEAF = "#E3EEFA"
LINE_LEAF = "#4A7DB5"
FILL_CONST = "#F1F3F5"
LINE_CONST = "#98A2AD"
FILL_MID = "#FFFFFF"
LINE_MID = "#7A8794"
FILL_ROOT = "#E2F3E4"
LINE_ROOT = "#3C8D4F"
FILL_OP = "#FFF6D6"
LINE_OP = "#C9A227"
FILL_HOT = "#FFE08A"
LINE_HOT = "#D35400"
FILL_BAD = "#FADBD8"

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


# ----------------------------------------------------------------------- escaping
def esc(text: str) -> str:
    """Text -> safe content of a Graphviz HTML-like label (entities; newlines become <BR/>).

    Control characters are shown as ``\\xNN`` so nothing invisible reaches the DOT source.

    >>> esc('a<b> & "c" {d|e}\\\\')
    'a&lt;b&gt; &amp; &quot;c&quot; {d|e}\\\\'
    """
    return text.translate(_ESCAPES)


# One table for str.translate: HTML entities, newlines as <BR/>, and every invisible or
# unencodable character (controls, lone surrogates) shown as an escape code.
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
            ord("'"): "&#39;", ord("\n"): "<BR/>", ord("\t"): " "}
_ESCAPES.update({c: f"\\x{c:02x}" for c in [*range(32), *range(0x7F, 0xA0)] if c not in _ESCAPES})
_ESCAPES.update({c: f"\\u{c:04x}" for c in range(0xD800, 0xE000)})


def _short(text: str) -> str:
    # A 10 kB label would make the picture useless; the full text stays on the node.
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def _font(text: str, color: str = INK, bold: bool = False, italic: bool = False, size: int = 0) -> str:
    """Already-escaped ``text`` in a colour (and style)."""
    if bold:
        text = f"<B>{text}</B>"
    if italic:
        text = f"<I>{text}</I>"
    size_attr = f' POINT-SIZE="{size}"' if size else ""
    return f'<FONT COLOR="{color}"{size_attr}>{text}</FONT>'


# ----------------------------------------------------------------------- what a picture shows
OP_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷", "neg": "−x"}


def _op_text(op: str) -> str:
    return OP_SYMBOLS.get(op, op)


def _is_tensor(node: Any) -> bool:
    return isinstance(getattr(node, "data", None), np.ndarray)


def _grad_unset(node: Any) -> bool:
    return node.grad is None


def _value_text(x: Any) -> str:
    """Text for a number or array: small arrays in full, larger ones by shape and norm."""
    if isinstance(x, np.ndarray) and x.size > 3:
        return f"‖·‖={fmt(float(np.linalg.norm(x)), ARRAY_DIGITS)}"
    return preview(x)


def _flow_text(x: Any) -> str:
    """What flowed along an edge: a number, a 1- or 2-element array, else the array's norm."""
    if isinstance(x, np.ndarray) and x.size > 2:
        return f"‖·‖={fmt(float(np.linalg.norm(x)), ARRAY_DIGITS)}"
    return preview(x)


GRID_MAX = 12  # arrays up to this many elements (1-D or 2-D) are drawn as a little grid


def _content(x: Any, color: str, bold: bool) -> str:
    """A value cell's content: a number, a small grid for a small array, else its norm."""
    if isinstance(x, np.ndarray) and x.ndim in (1, 2) and 0 < x.size <= GRID_MAX:
        rows = x.reshape(-1, 1) if x.ndim == 1 else x  # a vector as a column, like the math
        cell = '<TD ALIGN="RIGHT">{}</TD>'
        body = "".join("<TR>" + "".join(cell.format(_font(esc(fmt(v, ARRAY_DIGITS)), color, bold))
                                        for v in row.tolist()) + "</TR>" for row in rows)
        return (f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2" COLOR="{LINE_CONST}">'
                f"{body}</TABLE>")
    return _font(esc(_value_text(x)), color, bold)


@dataclass
class Frame:
    """What a step-by-step frame overrides in a picture (used by :func:`viz.render_steps`).

    ``grads``: text shown as a node's grad (``?`` when not computed yet); ``flows``: text on
    the edge ``(node, i)`` (``None`` hides it); ``hot``: nodes to highlight (their op and
    input edges too); ``widths``: minimum cell widths in points, so every frame has the
    same layout.
    """

    grads: Dict[Any, str] = field(default_factory=dict)
    flows: Dict[Tuple[Any, int], Optional[str]] = field(default_factory=dict)
    hot: Sequence[Any] = ()
    hot_inputs: bool = True  # also highlight the op and input edges of the hot nodes
    widths: Dict[Tuple[Any, ...], int] = field(default_factory=dict)
    caption: str = ""


def _cell(text: str, key: Tuple[Any, ...], frame: Optional[Frame], align: str = "RIGHT") -> str:
    width = frame.widths.get(key) if frame is not None else None
    w = f' WIDTH="{width}"' if width else ""
    return f'<TD ALIGN="{align}"{w}>{text}</TD>'


def _flows(order: Sequence[Any]) -> Tuple[Dict[Tuple[Any, int], Any], Dict[Any, List[Any]]]:
    """What each edge sent back (``node._contributions()``: the engine's own math) and, per
    parent, the contributions in the order the engine adds them."""
    sent: Dict[Tuple[Any, int], Any] = {}
    into: Dict[Any, List[Any]] = {}
    for node in order:
        parents = node.parents
        j = -1
        for parent, c in node._contributions():
            # a Tensor yields nothing for a parent that needs no grad: find this parent's
            # own position (contributions come in parent order)
            j += 1
            while j < len(parents) - 1 and parents[j] is not parent:
                j += 1
            sent[(node, j)] = c
            into.setdefault(parent, []).append(c)
    return sent, into


INLINE_SUM = 32  # longer sums are written one term per line under the grad


def _grad_sum(node: Any, parts: List[Any]) -> Tuple[str, List[str]]:
    """A Value's grad as the sum of what flowed in: ``("2.2 = 1.1 + 1.1", [])`` when short,
    else ``("5.14", ["= -0.73", "+ 0.37", ...])``.  The sum is only claimed when the
    grad is exactly the sum the engine made (in its order); otherwise, e.g. after
    several backward calls, the terms are labelled as this pass's share."""
    g = node.grad
    shown = fmt(g)
    if len(parts) < 2:
        return shown, []
    total = 0.0
    for p in parts:
        total += p
    exact = total == g
    terms = [fmt(p) for p in parts]
    inline = " + ".join(terms)
    text = f"{shown} = {inline}" if exact else f"{shown} (this pass: {inline})"
    if len(text) <= INLINE_SUM:
        return text, []
    lines = [("= " if exact else "this pass: ") + terms[0]]
    lines += [f"− {t[1:]}" if t.startswith("-") else f"+ {t}" for t in terms[1:]]
    return shown, lines


CHECK_ATOL = 1e-5
CHECK_RTOL = 1e-3


@dataclass(frozen=True)
class LeafCheck:
    """``analytic``: the leaf's grad from this graph's own local derivatives (a fresh pass);
    ``numeric``: float64 central differences of the forward computation (gradcheck)."""

    analytic: float
    numeric: float
    ok: bool


def _check_records(root: Any, leaves: List[Any]) -> Dict[Any, LeafCheck]:
    """gradcheck on every leaf: the graph is re-run as a function of its leaves.

    gradcheck supplies the numeric gradient; the analytic one is what *this* graph's
    recorded local derivatives give (an explain replay, seed 1, grads untouched), so a
    wrong local derivative on the picture shows up as a red mismatch.  Same tolerance
    rule as gradcheck: ``|analytic - numeric| <= atol + rtol |numeric|``.
    """
    from autograd_lite.gradcheck import gradcheck_report

    nodes = graph_nodes(root)
    f = _as_function(root, nodes, leaves)
    records = gradcheck_report(f, *leaves, atol=CHECK_ATOL, rtol=CHECK_RTOL)
    replay = explain(root, replay=True)
    out = {}
    for leaf, r in zip(leaves, records):
        a = float(replay.grad_of(leaf))
        ok = r.ok and abs(a - r.numeric) <= CHECK_ATOL + CHECK_RTOL * abs(r.numeric)
        out[leaf] = LeafCheck(a, float(r.numeric), ok)
    return out


def _as_function(root: Any, nodes: List[Any], leaves: List[Any]) -> Callable[..., Any]:
    """The graph as a Python function of its leaves, replaying each op by its ``op`` string."""

    def f(*args: Any) -> Any:
        env: Dict[Any, Any] = dict(zip(leaves, args))
        for n in nodes:
            if n in env:
                continue
            ps = [env[p] for p in n.parents]
            env[n] = _apply(n.op, ps)
        return env[root]

    return f


def _apply(op: str, ps: List[Any]) -> Any:
    if len(ps) == 2:
        a, b = ps
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b
        if op == "**":
            return a**b
    if len(ps) == 1:
        (a,) = ps
        if op == "neg":
            return -a
        if op.startswith("**"):
            return a ** float(op[2:])
        method = getattr(a, op, None)
        if callable(method):
            return method()
    raise ValueError(f"draw(check=True): cannot replay op {op!r} with {len(ps)} inputs for gradcheck")


def _keep(root: Any, max_nodes: Optional[int]) -> Tuple[List[Any], int]:
    """The value nodes to draw (nearest the root first, breadth-first) and how many are cut."""
    nodes = graph_nodes(root)
    if max_nodes is None or len(nodes) <= max_nodes:
        return nodes, 0
    kept = {root}
    queue = [root]
    k = 0
    while k < len(queue) and len(kept) < max_nodes:
        node = queue[k]
        k += 1
        for p in node.parents:
            if p not in kept and len(kept) < max_nodes:
                kept.add(p)
                queue.append(p)
    return [n for n in nodes if n in kept], len(nodes) - len(kept)


def _as_set(highlight: Any) -> List[Any]:
    if highlight is None:
        return []
    if hasattr(highlight, "_order"):
        return [highlight]
    return list(highlight)


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
) -> graphviz.Digraph:
    """A ``graphviz.Digraph`` of everything ``root`` depends on (shows inline in a notebook).

    ``rankdir``: ``"LR"`` (inputs left) or ``"TB"``; ``show_grad`` / ``show_local``: grads on
    boxes and edges / local derivatives on edges; ``highlight``: a node or nodes to mark;
    ``max_nodes``: at most this many values are drawn, nearest the root first, the rest
    replaced by a "… N more nodes" marker (``None``: no limit); ``check``: run gradcheck
    on the leaves and write "analytic vs numeric" on them (mismatches red); ``frame``: what a
    step of :func:`viz.render_steps` overrides (grads shown as ``?``, highlights, widths).

    >>> from autograd_lite import Value
    >>> x = Value(2.0, "x")
    >>> g = draw((x * x).exp(), show_grad=False)
    >>> g.source.count("->")  # x*x: two uses of x in, one out; exp: one in, one out
    5
    """
    if not hasattr(root, "_order") or not hasattr(root, "parents"):
        raise TypeError(f"draw: expected a Value or Tensor, got {type(root).__name__}: {root!r}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int)
                                  or max_nodes < 1):
        raise ValueError(f"draw: max_nodes must be a positive int or None, got {max_nodes!r}")
    nodes, cut = _keep(root, max_nodes)
    kept = set(nodes)
    names = node_names(graph_nodes(root) if cut else nodes)
    ids = {n: f"n{k}" for k, n in enumerate(nodes)}
    order = [n for n in reversed(nodes) if n._a is not None]  # newest first: the engine's order
    # After backward the root holds its seed; before, a Value root has grad 0 (a Tensor None).
    backward_ran = not _grad_unset(root) and (_is_tensor(root) or root.grad != 0.0)
    sent, into = _flows(order) if backward_ran else ({}, {})
    hot = set(_as_set(highlight)) | set(frame.hot if frame is not None else ())
    hot_ops = hot if frame is None or frame.hot_inputs else set()
    leaves = [n for n in nodes if n._a is None]
    check_leaves = tensor_checks if _is_tensor(root) else _check_records  # Tensors: viz/checks.py
    checks = check_leaves(root, leaves) if check and root._a is not None and not cut else {}
    if check and cut:
        raise ValueError(f"draw(check=True): the graph has more than max_nodes={max_nodes} values; "
                         "raise max_nodes (or pass max_nodes=None) to check every leaf")

    g = Digraph(name="autograd_lite")  # a graphviz.Digraph; shows the install hint in a notebook without dot
    # ordering=in keeps each op's inputs in parent order (apple above apple_num, as in the book)
    g.attr(rankdir=rankdir, bgcolor="white", nodesep="0.45", ranksep="0.45", pad="0.2",
           ordering="in", fontname=FONT)
    g.attr("node", fontname=FONT, fontsize="14", fontcolor=INK)
    g.attr("edge", fontname=FONT, fontsize="12", color=LINE_MID, arrowsize="0.7", penwidth="1.3")
    if frame is not None and frame.caption:
        width = frame.widths.get(("caption",))
        w = f' WIDTH="{width}"' if width else ""
        rows = "".join(f'<TR><TD ALIGN="LEFT"{w}>{_font(esc(line), INK, bold=(k == 0), size=16)}</TD></TR>'
                       for k, line in enumerate(frame.caption.split("\n")))
        g.attr(label=f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{rows}</TABLE>>',
               labelloc="t", labeljust="l")

    for n in nodes:
        g.node(ids[n], label=_value_label(n, names, root, hot, show_grad, backward_ran, into,
                                          checks.get(n), frame), shape="plain")
        if n._a is not None:
            hot_op = n in hot_ops
            g.node("op" + ids[n][1:], label=f"<{_font(esc(_op_text(n.op)), INK, bold=True)}>",
                   shape="circle" if len(_op_text(n.op)) <= 2 else "ellipse", style="filled",
                   fillcolor=FILL_HOT if hot_op else FILL_OP, color=LINE_HOT if hot_op else LINE_OP,
                   width="0.4", height="0.4", margin="0.04", fontsize="15")
    if cut:
        g.node("more", label=f"<{_font(esc(f'… {cut} more nodes (max_nodes={max_nodes})'), MUTED)}>",
               shape="box", style="dashed,rounded", color=LINE_CONST)

    for n in nodes:
        if n._a is None:
            continue
        op_id = "op" + ids[n][1:]
        g.edge(op_id, ids[n], color=LINE_HOT if n in hot_ops else LINE_MID)
        missing = False
        for i, p in enumerate(n.parents):
            if p not in kept:
                missing = True
                continue
            label = _edge_label(n, i, p, names, show_local, show_grad, sent, frame)
            attrs = {"color": LINE_HOT, "penwidth": "2.6"} if n in hot_ops else {}
            if label:
                attrs["label"] = label
            g.edge(ids[p], op_id, **attrs)
        if missing:
            g.edge("more", op_id, style="dashed", color=LINE_CONST)
    return g


def _value_label(n: Any, names: Dict[Any, str], root: Any, hot: set, show_grad: bool,
                 backward_ran: bool, into: Dict[Any, List[Any]], record: Any,
                 frame: Optional[Frame]) -> str:
    is_leaf = n._a is None
    is_const = is_leaf and not getattr(n, "label", "") and not getattr(n, "requires_grad", False)
    if n in hot:
        fill, line = FILL_HOT, LINE_HOT
    elif n is root:
        fill, line = FILL_ROOT, LINE_ROOT
    elif is_const:
        fill, line = FILL_CONST, LINE_CONST
    elif is_leaf:
        fill, line = FILL_LEAF, LINE_LEAF
    else:
        fill, line = FILL_MID, LINE_MID
    if record is not None and not record.ok:
        fill, line = FILL_BAD, BACK
    name = names[n]
    if getattr(n, "label", ""):
        head = _font(esc(_short(name)), INK, bold=True)
    elif is_const:
        head = _font("constant", MUTED, italic=True, size=11)
    else:
        head = _font(esc(name), MUTED, italic=True)
    rows = [f'<TR><TD COLSPAN="2" ALIGN="CENTER">{head}</TD></TR>']
    if _is_tensor(n):
        shape = "×".join(str(s) for s in n.data.shape) or "scalar"
        rows.append(f'<TR><TD ALIGN="LEFT">{_font("shape", MUTED)}</TD>'
                    f'<TD ALIGN="RIGHT">{_font(esc(f"{shape} {n.data.dtype}"), MUTED)}</TD></TR>')
    rows.append(f'<TR><TD ALIGN="LEFT">{_font("data", MUTED)}</TD>'
                + _cell(_content(n.data, INK, False), ("data", n), frame) + "</TR>")
    if show_grad:
        sum_lines: List[str] = []
        if frame is not None and n in frame.grads:
            content = _font(esc(frame.grads[n]), BACK, bold=True)
        elif _grad_unset(n):
            content = _font("None", MUTED)
        elif _is_tensor(n):
            content = _content(n.grad, BACK, True)
        elif backward_ran:
            text, sum_lines = _grad_sum(n, into.get(n, []))
            content = _font(esc(text), BACK, bold=True)
        else:
            content = _font(esc(_value_text(n.grad)), BACK, bold=True)
        rows.append(f'<TR><TD ALIGN="LEFT">{_font("grad", BACK)}</TD>'
                    + _cell(content, ("grad", n), frame) + "</TR>")
        if sum_lines:
            stacked = '<BR ALIGN="RIGHT"/>'.join(esc(line) for line in sum_lines) + '<BR ALIGN="RIGHT"/>'
            rows.append(f'<TR><TD COLSPAN="2" ALIGN="RIGHT">{_font(stacked, BACK, size=12)}</TD></TR>')
    if record is not None:
        verdict = "✓" if record.ok else "✗ mismatch"
        color = OK_GREEN if record.ok else BACK
        rows.append(f'<TR><TD ALIGN="LEFT">{_font("analytic", color, size=11)}</TD>'
                    f'<TD ALIGN="RIGHT">{_font(esc(fmt(record.analytic)), color, size=11)}</TD></TR>')
        rows.append(f'<TR><TD ALIGN="LEFT">{_font("vs numeric", color, size=11)}</TD>'
                    f'<TD ALIGN="RIGHT">{_font(esc(fmt(record.numeric) + " " + verdict), color, size=11)}'
                    '</TD></TR>')
    # One row per line: whitespace between table elements is ignored by Graphviz, and the
    # DOT source (and its golden tests) stays readable.
    body = "".join(f"\n\t\t{r}" for r in rows)
    return (f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" '
            f'BGCOLOR="{fill}" COLOR="{line}">{body}\n\t</TABLE>>')


def _edge_label(n: Any, i: int, p: Any, names: Dict[Any, str], show_local: bool, show_grad: bool,
                sent: Dict[Tuple[Any, int], Any], frame: Optional[Frame]) -> str:
    lines = []
    if show_local:
        local = getattr(n, "local_grads", None)
        d = f"∂{atom(names[n])}/∂{atom(names[p])}"
        if local is not None:
            lines.append(_font(esc(_short(f"{d} = {fmt(local[i])}")), MUTED))
        else:
            lines.append(_font(esc(_short(formula(n, i, names))), MUTED))
    if show_grad:
        if frame is not None and (n, i) in frame.flows:
            flow = frame.flows[(n, i)]
        else:
            flow = f"← {_flow_text(sent[(n, i)])}" if (n, i) in sent else None
        if flow is not None:
            lines.append(_font(esc(flow), BACK, bold=True))
    if not lines:
        return ""
    if frame is not None and frame.widths:
        width = frame.widths.get(("edge", n, i))
        w = f' WIDTH="{width}"' if width else ""
        cells = "".join(f"<TR><TD{w}>{line}</TD></TR>" for line in lines)
        return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'
    return "<" + "<BR/>".join(lines) + ">"


# ----------------------------------------------------------------------- files
def _format_of(path: Path, format: Optional[str]) -> str:
    fmt_ = (format or path.suffix.lstrip(".")).lower()
    if fmt_ == "gv":
        fmt_ = "dot"
    if fmt_ not in FORMATS:
        raise ValueError(f"render: cannot tell the format of {str(path)!r}; use a .png, .svg, .pdf or .dot "
                         "path, or pass format='png'")
    return fmt_


def render(root: Any, path: Union[str, "os.PathLike[str]"], format: Optional[str] = None,
           **draw_options: Any) -> Path:
    """Write the picture of ``root``'s graph (or of a ``Digraph`` from :func:`draw`) to ``path``.

    The format comes from the suffix (``.png``, ``.svg``, ``.pdf``, ``.dot``) unless
    ``format`` is given; other keyword arguments go to :func:`draw`.  Returns the path.
    If the Graphviz ``dot`` program is missing, the DOT source is written beside ``path``
    (same name, ``.dot``) and :class:`GraphvizNotFoundError` explains how to install it.
    """
    out = Path(path)
    kind = _format_of(out, format)
    g = root if isinstance(root, graphviz.Digraph) else draw(root, **draw_options)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "dot":
        out.write_text(g.source, encoding="utf-8")
        return out
    data = pipe(g, kind, out)
    out.write_bytes(data)
    return out


def pipe(g: graphviz.Digraph, kind: str, out: Path) -> bytes:
    """Run ``dot`` on ``g``; a missing ``dot`` leaves ``out`` with suffix ``.dot`` and a clear error."""
    source = g
    if kind == "png":
        g = g.copy()
        g.attr(dpi="144")  # crisp on slides; SVG and PDF are vector anyway
    try:
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
